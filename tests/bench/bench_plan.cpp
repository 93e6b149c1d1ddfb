// Plan benchmark (not a test; README "Benchmarks"): how long `certtool plan` takes
// and how much memory it needs on a large Lync Server 2013 topology, and whether
// that grows linearly with the number of sites.
//
// It generates, as JSON text (the real input format), a topology of N sites, each
// with a 12-member DNS load balanced Edge pool, a 12-member Enterprise Front End
// pool, a Director pool and a reverse proxy publishing both, for 50 SIP domains.
// Then, for every N, it times:
//   parse  = SHA-256 of the text + topology::parse (what load_file does, minus I/O)
//   plan   = model::build_plan
//   render = report::write_json to a stream that counts and discards the bytes,
//            as `certtool plan --format json` writes them
// Each is repeated (best and median are printed). Peak memory is measured for each
// N in a forked child, so that the number is that run's alone.
//
// Usage: certtool_bench_plan [--sites 10,50,100] [--repeat 5]
// Exit status: 0 (whatever the timings), 2 if anything throws, 1 for bad arguments.
//
// All names are made up under contoso.net / contoso.com / domain<k>.com and all
// addresses come from 10.x, 172.16-31.x and 131.107.x; nothing is ever contacted.

#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <functional>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "core/diagnostic.hpp"
#include "crypto/digest.hpp"
#include "core/time.hpp"
#include "model/plan.hpp"
#include "topology/topology.hpp"

#include "report/report.hpp"

namespace {

using namespace certtool;
using Clock = std::chrono::steady_clock;
using ordered_json = nlohmann::ordered_json;
using namespace std::string_literals;  // "..."s + rvalue appends (avoids g++ 12 -Wrestrict false positives)

constexpr int kSipDomains = 50;
constexpr int kEdgeMembers = 12;
constexpr int kFrontEndMembers = 12;
constexpr int kDirectorMembers = 2;
constexpr int kMaxSites = 1000;  // keeps every generated address valid and distinct

// The targets from the issue.
constexpr int kTargetSites = 100;
constexpr double kTargetMs = 200.0;
constexpr double kTargetMb = 200.0;
constexpr double kLinearTolerance = 1.5;  // ms per site may grow by this factor at most

// ---- the generated topology ------------------------------------------------------

std::string ip4(int a, int b, int c, int d) {
    return std::to_string(a) + "." + std::to_string(b) + "." + std::to_string(c) + "." + std::to_string(d);
}

std::string two_digits(int n) { return (n < 10 ? "0"s : ""s) + std::to_string(n); }

std::string sip_domain(int k) { return "domain"s + std::to_string(k) + ".com"; }

// Site n (1-based) of the generated topology.
ordered_json make_site(int n) {
    const std::string s = std::to_string(n);
    const std::string ext = ".s" + s + ".contoso.com";  // public names of this site, under a real public suffix
    const std::string pool = "pool" + s + ".contoso.net";
    const std::string director = "dirpool" + s + ".contoso.net";
    // Address octets: n <= 1000 keeps them all valid and distinct.
    const int hi = n / 256;
    const int lo = n % 256;

    ordered_json edge_members = ordered_json::array();
    for (int m = 1; m <= kEdgeMembers; ++m) {
        // Last octet per service: access 1-12, webconf 21-32, av 41-52. Public addresses
        // take 64 per site (the reverse proxy is +60), 4 sites per /24 of 131.107.
        auto svc = [&](int base) { return base + m; };
        const int pub_c = n / 4 % 256;
        const int pub_d = n % 4 * 64;
        edge_members.push_back({
            {"fqdn", "edge" + s + "-" + two_digits(m) + ".contoso.net"},
            {"internal_ip", ip4(172, 16 + hi, lo, 10 + m)},
            {"external_ips",
             {{"access", ip4(10, 100 + hi, lo, svc(0))},
              {"webconf", ip4(10, 100 + hi, lo, svc(20))},
              {"av", ip4(10, 100 + hi, lo, svc(40))}}},
            {"public_ips",
             {{"access", ip4(131, 107, pub_c, pub_d + svc(0))},
              {"webconf", ip4(131, 107, pub_c, pub_d + svc(20))},
              {"av", ip4(131, 107, pub_c, pub_d + svc(40))}}},
        });
    }

    ordered_json fe_members = ordered_json::array();
    for (int m = 1; m <= kFrontEndMembers; ++m)
        fe_members.push_back({{"fqdn", "fe" + s + "-" + two_digits(m) + ".contoso.net"},
                              {"ip", ip4(172, 16 + hi, lo, 100 + m)}});
    ordered_json dir_members = ordered_json::array();
    for (int m = 1; m <= kDirectorMembers; ++m)
        dir_members.push_back({{"fqdn", "dir" + s + "-" + two_digits(m) + ".contoso.net"},
                               {"ip", ip4(172, 16 + hi, lo, 150 + m)}});

    ordered_json site;
    site["name"] = "Site " + s;
    site["edge_pools"] = ordered_json::array({{
        {"fqdn", "lsedge" + s + ".contoso.net"},
        {"load_balancing", "dns"},
        {"external_addressing", "nat"},
        {"external", {{"access", "sip" + ext}, {"webconf", "webcon" + ext}, {"av", "av" + ext}}},
        {"av_certificate", "combined"},
        {"federation", n == 1},  // Lync has one federation route
        {"xmpp_proxy", n == 1},  // and one XMPP proxy
        {"next_hop", pool},
        {"members", edge_members},
    }});
    site["front_end_pools"] = ordered_json::array({{
        {"fqdn", pool},
        {"edition", "enterprise"},
        {"members", fe_members},
        {"web_services", {{"internal", pool}, {"external", "webext" + ext}}},
        {"certificate_layout", "combined"},
        {"auto_logon", false},
    }});
    site["directors"] = ordered_json::array({{
        {"fqdn", director},
        {"members", dir_members},
        {"web_services", {{"internal", director}, {"external", "webdirext" + ext}}},
    }});
    site["reverse_proxies"] = ordered_json::array({{
        {"name", "rp" + s},
        {"members", ordered_json::array({{{"fqdn", "rp" + s + ".contoso.com"},
                                          {"ip", ip4(131, 107, n / 4 % 256, n % 4 * 64 + 60)}}})},
        {"publishes", ordered_json::array({pool, director})},
    }});
    return site;
}

std::string make_topology(int sites) {
    ordered_json doc;
    doc["schema"] = "certtool.topology/v1";
    doc["product"] = "lync2013";
    doc["x-generated-by"] = "certtool_bench_plan: "s + std::to_string(sites) + " sites";
    doc["organization"] = {{"organization", "Contoso Ltd"}, {"organizational_unit", "IT"},
                           {"locality", "Redmond"},         {"state", "Washington"},
                           {"country", "US"}};
    ordered_json domains = ordered_json::array();
    ordered_json meet = ordered_json::array();
    for (int k = 1; k <= kSipDomains; ++k) {
        domains.push_back(sip_domain(k));
        meet.push_back("https://meet."s + sip_domain(k) + "/meet");
    }
    doc["sip_domains"] = domains;
    doc["internal_domains"] = ordered_json::array({"contoso.net"});
    doc["simple_urls"] = {{"meet", meet},
                          {"dialin", "https://dialin."s + sip_domain(1) + "/"},
                          {"admin", "https://admin."s + sip_domain(1) + "/"}};
    doc["office_web_apps"] = {{"external", "officewebapps01.contoso.com"}};
    doc["mobility"] = {{"autodiscover", "https"}};
    doc["xmpp"] = {{"domains", ordered_json::array({sip_domain(1)})}, {"srv_target", "xmpp."s + sip_domain(1)}};
    doc["public_im"] = {{"aol", false}};
    doc["oauth"] = {{"subject", sip_domain(1)}};
    // 50 meet URLs + 50 lyncdiscover names put 104 SANs on each reverse proxy
    // certificate: above the default public CA cap of 100, which would make every
    // site an error finding. The limit is raised so the benchmark times a clean plan.
    doc["policy"] = {{"key_algorithm", "RSA"},
                     {"key_bits", 2048},
                     {"signature_hash", "sha256"},
                     {"simple_url_wildcards", false},
                     {"strict_dns", false},
                     {"validity_days", 365},
                     {"public_ca_max_sans", 250},
                     {"x-note", "public_ca_max_sans raised: 50 SIP domains need 104 reverse proxy SANs"}};
    ordered_json site_list = ordered_json::array();
    for (int n = 1; n <= sites; ++n) site_list.push_back(make_site(n));
    doc["sites"] = std::move(site_list);
    return doc.dump(2) + "\n";  // indented, as admins write it
}

// ---- one run -----------------------------------------------------------------------

struct PlanSize {
    std::size_t certificates = 0;
    std::size_t sans = 0;
    std::size_t dns = 0;
    std::size_t errors = 0;
    std::size_t warnings = 0;
    std::size_t infos = 0;
    std::size_t rendered_bytes = 0;
};

// An ostream that counts what is written and keeps none of it.
class CountingBuffer : public std::streambuf {
public:
    std::size_t count = 0;

protected:
    std::streamsize xsputn(const char*, std::streamsize n) override {
        count += static_cast<std::size_t>(n);
        return n;
    }
    int_type overflow(int_type c) override {
        if (c != traits_type::eof()) ++count;
        return c;
    }
};

struct CountingStream {
    CountingBuffer buffer;
    std::ostream stream{&buffer};
    [[nodiscard]] std::size_t bytes() const { return buffer.count; }
};

struct RunTimes {
    double parse_ms = 0;
    double plan_ms = 0;
    double render_ms = 0;
    double total_ms = 0;
};

double ms_since(Clock::time_point start) {
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// parse + plan (+ render): what `certtool plan --format json` does after reading the file.
RunTimes run_once(const std::string& text, const std::string& file_name, PlanSize* size, bool render = true) {
    RunTimes t;
    auto start = Clock::now();
    topology::Source source{file_name, crypto::sha256_hex(text)};
    topology::Topology topo = topology::parse(text, file_name);
    t.parse_ms = ms_since(start);

    start = Clock::now();
    model::Plan plan = model::build_plan(topo, source, *parse_utc("2026-12-01"));
    t.plan_ms = ms_since(start);

    std::size_t rendered = 0;
    if (render) {
        start = Clock::now();
        // What `certtool plan --format json` does: stream to the output.
        CountingStream out;
        report::write_json(plan, out.stream);
        t.render_ms = ms_since(start);
        rendered = out.bytes();
    }
    t.total_ms = t.parse_ms + t.plan_ms + t.render_ms;

    if (size) {
        *size = PlanSize{};
        size->certificates = plan.certificates.size();
        for (const auto& c : plan.certificates) size->sans += c.sans.size();
        size->dns = plan.dns.size();
        for (const auto& f : plan.findings) {
            if (f.severity == model::Severity::error) ++size->errors;
            else if (f.severity == model::Severity::warning) ++size->warnings;
            else ++size->infos;
        }
        size->rendered_bytes = rendered;
    }
    return t;
}

// ---- peak memory of one run, in a forked child --------------------------------------

struct MemoryResult {
    bool ok = false;
    double start_mb = 0;  // the child's RSS before generating anything (inherited from the parent)
    double peak_mb = 0;   // the child's peak RSS (ru_maxrss from wait4)
    std::string error;
};

double maxrss_mb(const rusage& usage) { return static_cast<double>(usage.ru_maxrss) / 1024.0; }  // KiB on Linux

// Generates the N-site text, parses, plans and renders it once in a child process.
// The child reports its starting RSS (and any failure) through a pipe; its peak comes
// from wait4, so it is this run's alone, not the maximum over all children.
MemoryResult measure_memory(int sites, bool render) {
    MemoryResult result;
    int fds[2];
    if (::pipe(fds) != 0) {
        result.error = std::string("pipe: ") + std::strerror(errno);
        return result;
    }
    std::cout.flush();
    std::cerr.flush();
    pid_t pid = ::fork();
    if (pid < 0) {
        result.error = std::string("fork: ") + std::strerror(errno);
        ::close(fds[0]);
        ::close(fds[1]);
        return result;
    }
    if (pid == 0) {
        ::close(fds[0]);
        rusage usage{};
        ::getrusage(RUSAGE_SELF, &usage);
        std::string message = "start "s + std::to_string(usage.ru_maxrss) + "\n";
        int status = 0;
        try {
            std::string text = make_topology(sites);
            PlanSize size;
            run_once(text, "bench-"s + std::to_string(sites) + "-sites.json", &size, render);
            message += "ok\n";
        } catch (const InputError& e) {
            message += "error topology rejected ("s + std::to_string(e.diagnostics().size()) + " diagnostics)\n";
            status = 2;
        } catch (const std::exception& e) {
            message += std::string("error ") + e.what() + "\n";
            status = 2;
        }
        const char* data = message.data();
        std::size_t left = message.size();
        while (left > 0) {
            ssize_t n = ::write(fds[1], data, left);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) break;
            data += n;
            left -= static_cast<std::size_t>(n);
        }
        ::close(fds[1]);
        ::_exit(status);
    }
    ::close(fds[1]);
    std::string reply;
    char buffer[512];
    while (true) {
        ssize_t n = ::read(fds[0], buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        reply.append(buffer, static_cast<std::size_t>(n));
    }
    ::close(fds[0]);
    int status = 0;
    rusage usage{};
    while (::wait4(pid, &status, 0, &usage) < 0) {
        if (errno != EINTR) {
            result.error = std::string("wait4: ") + std::strerror(errno);
            return result;
        }
    }
    std::istringstream lines(reply);
    std::string line;
    while (std::getline(lines, line)) {
        if (line.rfind("start ", 0) == 0) result.start_mb = std::strtod(line.c_str() + 6, nullptr) / 1024.0;
        else if (line == "ok") result.ok = true;
        else if (line.rfind("error ", 0) == 0) result.error = line.substr(6);
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        result.ok = false;
        if (result.error.empty())
            result.error = WIFSIGNALED(status) ? "killed by signal "s + std::to_string(WTERMSIG(status))
                                               : "exit status "s + std::to_string(WEXITSTATUS(status));
    }
    result.peak_mb = maxrss_mb(usage);
    return result;
}

// ---- statistics and printing -----------------------------------------------------------

double best(std::vector<double> v) { return v.empty() ? 0 : *std::min_element(v.begin(), v.end()); }

double median(std::vector<double> v) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    std::size_t mid = v.size() / 2;
    return v.size() % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

std::string fixed(double value, int decimals) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
    return buffer;
}

// Right-aligned columns; the first row is the header.
void print_table(const std::vector<std::vector<std::string>>& rows) {
    if (rows.empty()) return;
    std::vector<std::size_t> width(rows[0].size(), 0);
    for (const auto& row : rows)
        for (std::size_t i = 0; i < row.size() && i < width.size(); ++i) width[i] = std::max(width[i], row[i].size());
    auto rule = [&] {
        std::string line;
        for (std::size_t i = 0; i < width.size(); ++i) line += (i ? "  " : "") + std::string(width[i], '-');
        std::cout << line << "\n";
    };
    for (std::size_t r = 0; r < rows.size(); ++r) {
        std::string line;
        for (std::size_t i = 0; i < rows[r].size(); ++i) {
            if (i) line += "  ";
            line += std::string(width[i] - rows[r][i].size(), ' ') + rows[r][i];
        }
        std::cout << line << "\n";
        if (r == 0) rule();
    }
}

struct Measurement {
    int sites = 0;
    std::size_t topology_bytes = 0;
    PlanSize size;
    std::vector<double> parse, plan, render, total;
    MemoryResult memory;         // generate + parse + plan (+ render)
    MemoryResult memory_no_render;  // generate + parse + plan
};

std::string load_average() {
    double load[3];
    if (::getloadavg(load, 3) != 3) return "load average unknown";
    return "load average "s + fixed(load[0], 2) + " " + fixed(load[1], 2) + " " + fixed(load[2], 2);
}

// ---- arguments ---------------------------------------------------------------------------

struct Options {
    std::vector<int> sites{10, 50, 100};
    int repeat = 5;
};

std::optional<int> to_int(const std::string& text, int min, int max) {
    if (text.empty() || text.size() > 9) return std::nullopt;
    for (char c : text)
        if (c < '0' || c > '9') return std::nullopt;
    int value = std::stoi(text);
    if (value < min || value > max) return std::nullopt;
    return value;
}

void usage(std::ostream& out) {
    out << "usage: certtool_bench_plan [--sites 10,50,100] [--repeat 5]\n"
           "  --sites   comma-separated site counts (1-" << kMaxSites << "); the smallest is the growth baseline\n"
           "  --repeat  timed runs per site count (1-1000); best and median are reported\n";
}

std::optional<Options> parse_args(int argc, char** argv) {
    Options options;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        std::string value;
        auto take = [&](const std::string& name) {
            if (arg == name && i + 1 < argc) {
                value = argv[++i];
                return true;
            }
            if (arg.rfind(name + "=", 0) == 0) {
                value = arg.substr(name.size() + 1);
                return true;
            }
            return false;
        };
        if (arg == "-h" || arg == "--help") {
            usage(std::cout);
            std::exit(0);
        } else if (take("--sites")) {
            options.sites.clear();
            std::stringstream list(value);
            std::string item;
            while (std::getline(list, item, ',')) {
                auto n = to_int(item, 1, kMaxSites);
                if (!n) {
                    std::cerr << "certtool_bench_plan: bad site count '" << item << "' in --sites\n";
                    return std::nullopt;
                }
                options.sites.push_back(*n);
            }
            if (options.sites.empty()) {
                std::cerr << "certtool_bench_plan: --sites needs at least one count\n";
                return std::nullopt;
            }
        } else if (take("--repeat")) {
            auto n = to_int(value, 1, 1000);
            if (!n) {
                std::cerr << "certtool_bench_plan: bad --repeat '" << value << "'\n";
                return std::nullopt;
            }
            options.repeat = *n;
        } else {
            std::cerr << "certtool_bench_plan: unknown argument '" << arg << "'\n";
            usage(std::cerr);
            return std::nullopt;
        }
    }
    std::sort(options.sites.begin(), options.sites.end());
    options.sites.erase(std::unique(options.sites.begin(), options.sites.end()), options.sites.end());
    return options;
}

int run(const Options& options) {
    std::cout << "certtool plan benchmark (certtool " << CERTTOOL_VERSION << ")\n"
              << "topology per site: 1 Edge pool (" << kEdgeMembers << " members, DNS LB, NAT), 1 Front End pool ("
              << kFrontEndMembers << " members), 1 Director pool (" << kDirectorMembers
              << " members), 1 reverse proxy; " << kSipDomains
              << " SIP domains, meet URL per domain, dialin, admin, OWA, XMPP, mobility https\n"
              << "timed per run: parse = sha256 + topology::parse of the JSON text; plan = model::build_plan; "
              << "render = report::write_json to a discarding stream (the CLI's JSON path)\n"
              << "runs per size: " << options.repeat << " (best and median; table times are medians)\n"
              << "host: " << std::thread::hardware_concurrency() << " CPUs, " << load_average()
              << " (other processes inflate the times)\n\n";

    std::vector<Measurement> results;
    for (int sites : options.sites) {
        Measurement m;
        m.sites = sites;
        results.push_back(m);
    }

    // Memory first, while this process is still small: a child starts with its
    // parent's resident pages, so forking later would add the timing runs' heap.
    for (auto& m : results) {
        m.memory = measure_memory(m.sites, true);
        m.memory_no_render = measure_memory(m.sites, false);
    }
    MemoryResult target_memory;
    bool target_in_list = std::find(options.sites.begin(), options.sites.end(), kTargetSites) != options.sites.end();
    if (!target_in_list) target_memory = measure_memory(kTargetSites, true);

    for (auto& m : results) {
        const std::string file_name = "bench-"s + std::to_string(m.sites) + "-sites.json";
        const std::string text = make_topology(m.sites);
        m.topology_bytes = text.size();
        for (int r = 0; r < options.repeat; ++r) {
            RunTimes t = run_once(text, file_name, r == 0 ? &m.size : nullptr);
            m.parse.push_back(t.parse_ms);
            m.plan.push_back(t.plan_ms);
            m.render.push_back(t.render_ms);
            m.total.push_back(t.total_ms);
        }
    }

    const Measurement& base = results.front();
    const double base_per_site = median(base.total) / base.sites;
    const double base_plan_per_site = median(base.plan) / base.sites;

    std::vector<std::vector<std::string>> rows;
    rows.push_back({"sites", "topology KB", "certs", "SANs", "DNS", "findings E/W/I", "parse ms", "plan ms",
                    "render ms", "JSON KB", "total ms", "best ms", "ms/site", "growth", "plan growth", "peak MB"});
    for (const auto& m : results) {
        const double per_site = median(m.total) / m.sites;
        const double plan_per_site = median(m.plan) / m.sites;
        rows.push_back({
            std::to_string(m.sites),
            fixed(static_cast<double>(m.topology_bytes) / 1024.0, 0),
            std::to_string(m.size.certificates),
            std::to_string(m.size.sans),
            std::to_string(m.size.dns),
            std::to_string(m.size.errors) + "/" + std::to_string(m.size.warnings) + "/" + std::to_string(m.size.infos),
            fixed(median(m.parse), 2),
            fixed(median(m.plan), 2),
            fixed(median(m.render), 2),
            fixed(static_cast<double>(m.size.rendered_bytes) / 1024.0, 0),
            fixed(median(m.total), 2),
            fixed(best(m.total), 2),
            fixed(per_site, 3),
            base_per_site > 0 ? fixed(per_site / base_per_site, 2) : std::string("n/a"),
            base_plan_per_site > 0 ? fixed(plan_per_site / base_plan_per_site, 2) : std::string("n/a"),
            m.memory.ok ? fixed(m.memory.peak_mb, 1) : std::string("failed"),
        });
    }
    print_table(rows);

    std::cout << "\nbaseline for growth: the " << base.sites
              << "-site run of this benchmark (growth = ms per site / its ms per site; ~1.0 means linear;"
                 " plan growth is the same for build_plan alone)\n"
              << "topology KB: the generated input text; JSON KB: the write_json output; SANs: summed over all "
                 "certificates; findings: errors/warnings/info\n"
              << "peak MB: ru_maxrss of a forked child that generates, parses, plans and renders that topology once, "
                 "alone\n";
    for (const auto& m : results) {
        if (!m.memory.ok)
            std::cout << "  memory run for " << m.sites << " sites failed: " << m.memory.error << "\n";
        else
            std::cout << "  " << m.sites << " sites: peak " << fixed(m.memory.peak_mb, 1) << " MB (child started at "
                      << fixed(m.memory.start_mb, 1) << " MB, so the run added "
                      << fixed(m.memory.peak_mb - m.memory.start_mb, 1) << " MB)"
                      << (m.memory_no_render.ok
                              ? "; without writing the JSON: peak "s + fixed(m.memory_no_render.peak_mb, 1) + " MB"
                              : std::string())
                      << "\n";
    }
    for (const auto& m : results) {
        if (m.size.certificates == 0)
            std::cout << "note: the " << m.sites << "-site plan has no certificates (is the model complete?)\n";
    }
    for (const auto& m : results) {
        if (m.size.errors > 0)
            std::cout << "note: the " << m.sites << "-site plan has " << m.size.errors
                      << " error finding(s); the timings still count\n";
    }

    rusage self{};
    ::getrusage(RUSAGE_SELF, &self);
    std::cout << "this process (all timing runs): peak RSS " << fixed(maxrss_mb(self), 1) << " MB\n";

    // Targets.
    std::cout << "\ntargets: " << kTargetSites << "-site plan " << fixed(kTargetMs, 0) << " ms / "
              << fixed(kTargetMb, 0) << " MB, growing linearly (growth <= " << fixed(kLinearTolerance, 1) << ")\n";
    const Measurement* target = nullptr;
    for (const auto& m : results)
        if (m.sites == kTargetSites) target = &m;
    if (target) {
        // The plan is parse + build_plan; writing it as JSON is reported beside it,
        // against the same figure, so neither reading hides the other.
        const double plan_ms = median(target->parse) + median(target->plan);
        const double total_ms = median(target->total);
        std::cout << "  time:   " << fixed(plan_ms, 2) << " ms median plan (parse " << fixed(median(target->parse), 2)
                  << " + build_plan " << fixed(median(target->plan), 2) << ") < " << fixed(kTargetMs, 0)
                  << " ms: " << (plan_ms < kTargetMs ? "PASS" : "FAIL") << "\n";
        std::cout << "          " << fixed(total_ms, 2) << " ms with the JSON written out (write_json "
                      << fixed(median(target->render), 2) << " ms) < " << fixed(kTargetMs, 0)
                      << " ms: " << (total_ms < kTargetMs ? "PASS" : "FAIL") << "\n";
    } else {
        std::cout << "  time:   n/a (" << kTargetSites << " sites not in --sites)\n";
    }
    const MemoryResult& mem = target ? target->memory : target_memory;
    if (mem.ok)
        std::cout << "  memory: " << fixed(mem.peak_mb, 1) << " MB peak RSS of the " << kTargetSites << "-site run < "
                  << fixed(kTargetMb, 0) << " MB: " << (mem.peak_mb < kTargetMb ? "PASS" : "FAIL") << "\n";
    else
        std::cout << "  memory: FAIL (the " << kTargetSites << "-site run failed: " << mem.error << ")\n";
    if (results.size() > 1 && base_per_site > 0) {
        const Measurement& last = results.back();
        const double growth = median(last.total) / last.sites / base_per_site;
        std::cout << "  growth: " << fixed(growth, 2) << " at " << last.sites << " sites vs " << base.sites
                  << " sites <= " << fixed(kLinearTolerance, 1) << ": " << (growth <= kLinearTolerance ? "PASS" : "FAIL")
                  << "\n";
    } else {
        std::cout << "  growth: n/a (needs two or more site counts)\n";
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    auto options = parse_args(argc, argv);
    if (!options) return 1;
    try {
        return run(*options);
    } catch (const InputError& e) {
        std::cout.flush();
        std::cerr << "certtool_bench_plan: the generated topology was rejected ("
                  << e.diagnostics().size() << " problems):\n";
        for (const auto& d : e.diagnostics()) std::cerr << "  " << d.to_string() << "\n";
        return 2;
    } catch (const std::exception& e) {
        std::cout.flush();
        std::cerr << "certtool_bench_plan: " << e.what() << "\n";
        return 2;
    }
}
