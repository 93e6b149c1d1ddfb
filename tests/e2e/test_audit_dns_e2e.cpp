// certtool audit --dns, end to end: a single Edge Server on loopback (its
// Access Edge kamailio with SIP over TLS on 443 and 5061, its Web Conferencing
// Edge a TLS server; the certificate issued by the test CA from certtool's own
// request), its external DNS zone served by Knot DNS
// (authoritative, on 127.B.C.53), and the audit asked through it. The zone
// is the plan's records as certtool writes them; each test case plants one
// fault in it and expects its own finding code and exit code, within the
// timeout. A DNS server that answers SERVFAIL or not at all is played by a
// UDP socket of this process. A missing knotd skips the test with a warning.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "daemon.hpp"
#include "dns_lab.hpp"
#include "loopback.hpp"
#include "run_process.hpp"
#include "sip_lab.hpp"
#include "temp_dir.hpp"
#include "test_ca.hpp"
#include "tls_server.hpp"

using namespace certtool::test;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

constexpr int kDnsPort = 5300;
const std::string kExternal = "edge-external.lsedge-contoso-net";

#define SKIP_WITHOUT_KNOT()                                                                      \
    do {                                                                                         \
        if (knotd_program().empty()) {                                                     \
            WARN("skipped: the DNS audit tests need knotd (package knot)");                      \
            return;                                                                              \
        }                                                                                        \
    } while (false)

// A DNS server that never answers, or answers every query with one RCODE (UDP, this process).
class FakeDns {
public:
    FakeDns(const std::string& ip, int port, int rcode) : rcode_(rcode) {
        fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(static_cast<uint16_t>(port));
        ::inet_pton(AF_INET, ip.c_str(), &a.sin_addr);
        REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
        thread_ = std::thread([this] { serve(); });
    }
    ~FakeDns() {
        stop_ = true;
        thread_.join();
        ::close(fd_);
    }
    FakeDns(const FakeDns&) = delete;
    FakeDns& operator=(const FakeDns&) = delete;
    [[nodiscard]] int queries() const { return queries_; }

private:
    void serve() {
        while (!stop_) {
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, 50) <= 0) continue;
            unsigned char buffer[1500];
            sockaddr_in from{};
            socklen_t length = sizeof from;
            const auto n = ::recvfrom(fd_, buffer, sizeof buffer, 0, reinterpret_cast<sockaddr*>(&from), &length);
            if (n < 12) continue;
            ++queries_;
            if (rcode_ < 0) continue;  // silent
            buffer[2] = static_cast<unsigned char>(0x80 | (buffer[2] & 0x79));  // QR, the query's opcode and RD
            buffer[3] = static_cast<unsigned char>(0x80 | rcode_);              // RA, RCODE
            ::sendto(fd_, buffer, static_cast<std::size_t>(n), 0, reinterpret_cast<sockaddr*>(&from), length);
        }
    }
    int fd_ = -1;
    int rcode_;
    std::atomic<bool> stop_{false};
    std::atomic<int> queries_{0};
    std::thread thread_;
};

class DnsLab {
public:
    DnsLab() : ca_(dir_) {
        LoopbackNeeds needs;
        for (const int port : {443, 5061, 10443, 15061}) needs.host_ports.emplace_back(10, port);
        for (const int port : {443, 10443}) needs.host_ports.emplace_back(20, port);
        needs.host_ports.emplace_back(53, kDnsPort);
        needs.host_ports.emplace_back(54, kDnsPort);
        needs.udp = true;
        block_ = loopback_block(needs);
        topology_ = json::parse(R"({"schema": "certtool.topology/v1", "product": "lync2013",
            "organization": {"organization": "Contoso Ltd", "locality": "Redmond", "state": "Washington", "country": "US"},
            "sip_domains": ["contoso.com"], "internal_domains": ["contoso.net"],
            "sites": [{"name": "Redmond", "edge_pools": [{"fqdn": "lsedge.contoso.net", "load_balancing": "none",
                "external_addressing": "public", "av_certificate": "combined", "federation": true,
                "external": {"access": "sip.contoso.com", "webconf": "webcon.contoso.com", "av": "av.contoso.com"},
                "members": [{"fqdn": "lsedge.contoso.net"}]}]}]})");
        auto& member = topology_["sites"][0]["edge_pools"][0]["members"][0];
        member["internal_ip"] = ip(40);
        member["external_ips"] = {{"access", ip(10)}, {"webconf", ip(20)}, {"av", ip(30)}};
        (void)dir_.file("topology.json", topology_.dump(2) + "\n");
        const auto csr = run_certtool({"csr", topology(), "--out", dir_ / "req", "--only", kExternal});
        INFO(csr.out << csr.err);
        REQUIRE(csr.exit_code == 0);
        external_ = ca_.issue(dir_.path("req/" + kExternal + ".csr"), dir_.path("req/" + kExternal + ".key"), "external");
        // The zone as certtool writes it (plan --format zone), its records one per line.
        const auto zone = run_certtool({"plan", topology(), "--format", "zone", "--view", "external", "--zone", "contoso.com"});
        INFO(zone.out << zone.err);
        REQUIRE(zone.exit_code == 0);
        std::istringstream lines(zone.out);
        for (std::string line; std::getline(lines, line);)
            if (!line.empty() && line[0] != ';' && line[0] != '$') records_.push_back(line);
        REQUIRE(records_.size() == 5);  // 2 SRV, sip, webcon, av
    }
    ~DnsLab() = default;
    DnsLab(const DnsLab&) = delete;
    DnsLab& operator=(const DnsLab&) = delete;

    [[nodiscard]] std::string ip(int host) const { return block_.address(host); }
    [[nodiscard]] std::string topology() const { return dir_ / "topology.json"; }
    [[nodiscard]] std::string resolver() const { return ip(53) + ":" + std::to_string(kDnsPort); }
    [[nodiscard]] int https_port() const { return high_ports() ? 10443 : 443; }
    [[nodiscard]] int sip_port() const { return high_ports() ? 15061 : 5061; }
    [[nodiscard]] const std::vector<std::string>& records() const { return records_; }

    // The Edge with the planned certificate: the Access Edge (443 and 5061) is
    // kamailio, answering SIP OPTIONS; Web Conferencing a TLS server of this process.
    void serve() {
        tls_ = std::make_unique<TlsServer>(std::vector<Endpoint>{{ip(20), https_port()}}, TlsServer::Identity{external_.cert, external_.key, {}});
        if (!Kamailio::missing().empty()) {
            WARN("the Access Edge is a plain TLS server, so the SIP step sees no answer: " << Kamailio::missing());
            access_ = std::make_unique<TlsServer>(std::vector<Endpoint>{{ip(10), https_port()}, {ip(10), sip_port()}},
                                                  TlsServer::Identity{external_.cert, external_.key, {}});
            return;
        }
        kamailio_ = std::make_unique<Kamailio>(dir_, std::vector<SipTlsListener>{{ip(10), https_port(), external_.cert, external_.key},
                                                                                 {ip(10), sip_port(), external_.cert, external_.key}});
    }
    [[nodiscard]] bool sip_answers() const { return kamailio_ != nullptr; }

    // Knot, authoritative for `zone` with `records` (after its SOA and NS).
    void serve_zone(const std::vector<std::string>& records, const std::string& zone = "contoso.com") {
        knot_.reset();
        std::string text = soa_and_ns(zone, ip(53));
        for (const auto& r : records) text += r + "\n";
        const std::string folder = dir_ / ("knot-" + std::to_string(++zones_served_));
        std::filesystem::create_directories(folder);
        knot_ = std::make_unique<KnotServer>(folder, KnotConfig{ip(53), kDnsPort, {{zone, text}}, std::nullopt});
    }

    struct Audit {
        ProcessResult result;
        json report;
        double seconds = 0;
    };

    Audit audit(std::vector<std::string> extra = {}, const std::string& resolver = "") const {
        std::vector<std::string> args{"audit", topology(), "--dns", "--resolver", resolver.empty() ? this->resolver() : resolver,
                                      "--timeout", "1", "--format", "json"};
        if (high_ports()) args.insert(args.end(), {"--map-port", "443:10443", "--map-port", "5061:15061"});
        args.insert(args.end(), extra.begin(), extra.end());
        RunOptions options;
        options.kill_after = 60s;
        const auto started = std::chrono::steady_clock::now();
        Audit a{run_certtool(args, {"NO_COLOR=1"}, "", options), {}, 0};
        a.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        INFO(a.result.out << a.result.err);
        REQUIRE_FALSE(a.result.killed);
        a.report = json::parse(a.result.out);
        return a;
    }

private:
    TempDir dir_;
    TestCa ca_;
    LoopbackBlock block_;
    json topology_;
    Issued external_;
    std::vector<std::string> records_;
    std::unique_ptr<TlsServer> tls_;
    std::unique_ptr<TlsServer> access_;
    std::unique_ptr<Kamailio> kamailio_;
    std::unique_ptr<KnotServer> knot_;
    int zones_served_ = 0;
};

// Every finding code of the DNS part of a report.
std::multiset<std::string> codes(const json& report) {
    std::multiset<std::string> out;
    for (const auto& c : report["dns"]["checks"])
        for (const auto& s : c["steps"])
            for (const auto& f : s["findings"]) out.insert(f["code"].get<std::string>());
    return out;
}

const json& check_of(const json& report, const std::string& name) {
    for (const auto& c : report["dns"]["checks"])
        if (c["name"] == name) return c;
    FAIL("no check for " << name);
    static json none;
    return none;
}

std::vector<std::string> replaced(std::vector<std::string> records, const std::string& starting, const std::vector<std::string>& with) {
    std::vector<std::string> out;
    for (auto& r : records)
        if (r.rfind(starting, 0) != 0) out.push_back(r);
    out.insert(out.end(), with.begin(), with.end());
    return out;
}

}  // namespace

TEST_CASE("audit --dns: the plan's zone, served by Knot, passes; every step is there", "[e2e][dns]") {
    SKIP_WITHOUT_KNOT();
    DnsLab lab;
    lab.serve();
    lab.serve_zone(lab.records());
    const auto a = lab.audit();
    INFO(a.result.out);
    CHECK(a.result.exit_code == 0);
    CHECK(codes(a.report).count("dns.missing") == 0);
    const auto& fed = check_of(a.report, "_sipfederationtls._tcp.contoso.com");
    CHECK(fed["passed"] == true);
    CHECK(fed["certificate"] == kExternal);
    std::vector<std::string> steps;
    for (const auto& s : fed["steps"]) steps.push_back(s["step"]);
    CHECK(steps == std::vector<std::string>{"resolve", "resolve", "connect", "certificate", "sip"});
    CHECK(fed["steps"][0]["result"] == "0 0 5061 sip.contoso.com");
    CHECK(fed["steps"][1]["result"] == lab.ip(10));
    CHECK(fed["steps"][3]["result"].get<std::string>().find("the plan's " + kExternal) != std::string::npos);
    if (lab.sip_answers()) {
        CHECK(fed["steps"][4]["result"].get<std::string>().rfind("SIP/2.0 200 OK", 0) == 0);
        CHECK(fed["steps"][4]["findings"].empty());
    }
    // sip.contoso.com: both Access Edge ports, and OPTIONS on 5061 only.
    const auto& sip = check_of(a.report, "sip.contoso.com");
    std::vector<std::string> sip_steps;
    for (const auto& s : sip["steps"]) sip_steps.push_back(s["step"]);
    CHECK(sip_steps == std::vector<std::string>{"resolve", "connect", "certificate", "connect", "certificate", "sip"});
    const auto& web = check_of(a.report, "webcon.contoso.com");
    CHECK(web["passed"] == true);
    CHECK(web["steps"].size() == 3);  // resolve, connect 443, certificate
    // The wildcard probe and the internal-only names answer NXDOMAIN.
    std::size_t absent = 0;
    for (const auto& c : a.report["dns"]["checks"])
        if (c["type"] == "absent") {
            ++absent;
            CHECK(c["passed"] == true);
            CHECK(c["steps"][0]["result"].get<std::string>().find("NXDOMAIN") != std::string::npos);
        }
    CHECK(absent == 4);  // *.contoso.com probe, _sipinternaltls._tcp, sipinternal, lyncdiscoverinternal

    // The table for people, the same run.
    auto table = run_certtool({"audit", lab.topology(), "--dns", "--resolver", lab.resolver(), "--timeout", "1", "--map-port",
                               "443:" + std::to_string(lab.https_port()), "--map-port", "5061:" + std::to_string(lab.sip_port())},
                              {"NO_COLOR=1"});
    INFO(table.out);
    CHECK(table.exit_code == 0);
    CHECK(table.out.find("PASS  _sipfederationtls._tcp.contoso.com  SRV  -> " + kExternal) != std::string::npos);
    CHECK(table.out.find("DNS checks: ") != std::string::npos);
}

TEST_CASE("audit --dns: each planted fault gets its own code and exit 1", "[e2e][dns]") {
    SKIP_WITHOUT_KNOT();
    DnsLab lab;
    lab.serve();
    const std::string fed = "_sipfederationtls._tcp ";

    SECTION("a missing SRV record") {
        lab.serve_zone(replaced(lab.records(), fed, {}));
        const auto a = lab.audit();
        CHECK(a.result.exit_code == 1);
        CHECK(codes(a.report).count("dns.missing") == 1);
        CHECK(check_of(a.report, "_sipfederationtls._tcp.contoso.com")["steps"][0]["result"] == "NXDOMAIN (the name does not exist)");
    }
    SECTION("an SRV record to a name the certificate lacks") {
        lab.serve_zone(replaced(lab.records(), fed, {fed + "SRV 0 0 5061 sipfed.contoso.com.", "sipfed A " + lab.ip(10)}));
        const auto a = lab.audit();
        CHECK(a.result.exit_code == 1);
        const auto c = codes(a.report);
        CHECK(c.count("dns.wrong-target") == 1);
        CHECK(c.count("dns.name-not-on-certificate") == 1);
    }
    SECTION("an address the plan does not know") {
        lab.serve_zone(replaced(lab.records(), "webcon ", {"webcon A " + lab.ip(20), "webcon A " + lab.ip(99)}));
        const auto a = lab.audit();
        CHECK(a.result.exit_code == 1);
        CHECK(codes(a.report).count("dns.address-unplanned") == 1);
        CHECK(codes(a.report).count("tls.refused") == 1);  // and nothing listens there
    }
    SECTION("a wrong SRV port") {
        lab.serve_zone(replaced(lab.records(), "_sip._tls ", {"_sip._tls SRV 0 0 444 sip.contoso.com."}));
        const auto a = lab.audit();
        CHECK(a.result.exit_code == 1);
        CHECK(codes(a.report).count("dns.srv-port") == 1);
    }
    SECTION("a CNAME loop") {
        lab.serve_zone(replaced(lab.records(), "webcon ", {"webcon CNAME conf", "conf CNAME webcon"}));
        const auto a = lab.audit();
        CHECK(a.result.exit_code == 1);
        CHECK(codes(a.report).count("dns.cname-loop") >= 1);
        CHECK(codes(a.report).count("dns.missing") == 0);
    }
    SECTION("a wildcard record: warnings, exit 1 only with --fail-on warning") {
        auto records = lab.records();
        records.push_back("* A " + lab.ip(77));
        lab.serve_zone(records);
        const auto a = lab.audit();
        CHECK(a.result.exit_code == 0);
        const auto c = codes(a.report);
        CHECK(c.count("dns.wildcard") == 1);
        CHECK(c.count("dns.unexpected-record") == 2);  // sipinternal, lyncdiscoverinternal, through the wildcard
        CHECK(lab.audit({"--fail-on", "warning"}).result.exit_code == 1);
    }
    SECTION("a server that does not answer: dns.timeout within the timeout") {
        FakeDns silent(lab.ip(54), kDnsPort, -1);
        const auto a = lab.audit({}, lab.ip(54) + ":" + std::to_string(kDnsPort));
        CHECK(a.result.exit_code == 1);
        const auto c = codes(a.report);
        CHECK(c.count("dns.timeout") >= 5);
        CHECK(c.count("dns.missing") == 0);
        CHECK(a.seconds < 10);  // 1 s per try, two tries, all queries at once
        CHECK(silent.queries() > 0);
    }
    SECTION("SERVFAIL and REFUSED are told apart from NXDOMAIN") {
        {
            FakeDns failing(lab.ip(54), kDnsPort, 2);
            const auto a = lab.audit({}, lab.ip(54) + ":" + std::to_string(kDnsPort));
            CHECK(a.result.exit_code == 1);
            CHECK(codes(a.report).count("dns.servfail") >= 5);
            CHECK(codes(a.report).count("dns.missing") == 0);
        }
        lab.serve_zone({"www A " + lab.ip(1)}, "fabrikam.com");  // Knot has no contoso.com: REFUSED
        const auto a = lab.audit();
        CHECK(a.result.exit_code == 1);
        CHECK(codes(a.report).count("dns.refused") >= 5);
        CHECK(codes(a.report).count("dns.missing") == 0);
    }
}

TEST_CASE("audit --dns --view internal: a Front End pool whose members each have their own certificate passes", "[e2e][dns]") {
    SKIP_WITHOUT_KNOT();
    TempDir dir;
    TestCa ca(dir);
    LoopbackNeeds needs;
    for (const int host : {11, 12})
        for (const int port : {443, 5061, 10443, 15061}) needs.host_ports.emplace_back(host, port);
    needs.host_ports.emplace_back(53, kDnsPort);
    needs.udp = true;
    const auto block = loopback_block(needs);
    json topology = json::parse(R"({"schema": "certtool.topology/v1", "product": "lync2013",
        "organization": {"organization": "Contoso Ltd", "locality": "Redmond", "state": "Washington", "country": "US"},
        "sip_domains": ["contoso.com"], "internal_domains": ["contoso.net"],
        "sites": [{"name": "Redmond", "front_end_pools": [{"fqdn": "pool01.contoso.net", "edition": "enterprise",
            "members": [{"fqdn": "fe01.contoso.net"}, {"fqdn": "fe02.contoso.net"}],
            "web_services": {"internal": "pool01.contoso.net"}, "certificate_layout": "combined", "auto_logon": true}]}]})");
    auto& members = topology["sites"][0]["front_end_pools"][0]["members"];
    members[0]["ip"] = block.address(11);
    members[1]["ip"] = block.address(12);
    const std::string topology_file = dir.file("topology.json", topology.dump(2));
    const auto csr = run_certtool({"csr", topology_file, "--out", dir / "req", "--only", "front-end"});
    INFO(csr.out << csr.err);
    REQUIRE(csr.exit_code == 0);
    const int https = high_ports() ? 10443 : 443, sip = high_ports() ? 15061 : 5061;
    std::vector<std::unique_ptr<TlsServer>> servers;
    for (const int m : {1, 2}) {
        const std::string id = "front-end.pool01-contoso-net.fe0" + std::to_string(m) + "-contoso-net";
        const auto issued = ca.issue(dir.path("req/" + id + ".csr"), dir.path("req/" + id + ".key"), id);
        servers.push_back(std::make_unique<TlsServer>(std::vector<Endpoint>{{block.address(10 + m), https}, {block.address(10 + m), sip}},
                                                      TlsServer::Identity{issued.cert, issued.key, {}}));
    }
    std::vector<DnsZoneFile> zones;
    for (const std::string zone : {"contoso.com", "contoso.net"}) {
        const auto text = run_certtool({"plan", topology_file, "--format", "zone", "--view", "internal", "--zone", zone});
        REQUIRE(text.exit_code == 0);
        zones.push_back({zone, soa_and_ns(zone, block.address(53)) + text.out});
    }
    std::filesystem::create_directories(dir / "knot");
    KnotServer knot(dir / "knot", KnotConfig{block.address(53), kDnsPort, zones, std::nullopt});

    std::vector<std::string> args{"audit", topology_file, "--dns", "--view", "internal", "--resolver", block.address(53) + ":" + std::to_string(kDnsPort),
                                  "--timeout", "1", "--format", "json"};
    if (high_ports()) args.insert(args.end(), {"--map-port", "443:10443", "--map-port", "5061:15061"});
    const auto a = run_certtool(args, {"NO_COLOR=1"});
    INFO(a.out << a.err);
    CHECK(a.exit_code == 0);
    const json report = json::parse(a.out);
    CHECK(codes(report).empty());
    // The sign-in SRV record leads to both members; each presents its own certificate, the plan's for that member.
    const auto& srv = check_of(report, "_sipinternaltls._tcp.contoso.com");
    std::vector<std::string> matched;
    for (const auto& s : srv["steps"])
        if (s["step"] == "certificate") matched.push_back(s["result"]);
    REQUIRE(matched.size() == 2);
    CHECK(matched[0].find("the plan's front-end.pool01-contoso-net.fe01-contoso-net") != std::string::npos);
    CHECK(matched[1].find("the plan's front-end.pool01-contoso-net.fe02-contoso-net") != std::string::npos);
    // lyncdiscoverinternal: through its CNAME to the pool, on 443 with its own name as SNI.
    const auto& discover = check_of(report, "lyncdiscoverinternal.contoso.com");
    CHECK(discover["passed"] == true);
    CHECK(discover["steps"][0]["result"].get<std::string>().find("(CNAME lyncdiscoverinternal.contoso.com -> pool01.contoso.net)") != std::string::npos);
    CHECK(discover["steps"].size() == 5);  // resolve, then connect and certificate for each member
}
