// certtool audit: what every pool member serves (--live) or had exported
// (--files) against the plan, and whether the members of a pool agree.
#include <cmath>
#include <memory>
#include <optional>
#include <sstream>

#include "audit/audit.hpp"
#include "check_options.hpp"
#include "passphrase.hpp"
#include "report/audit_report.hpp"
#include "report/monitoring.hpp"
#include "report/html_report.hpp"
#include "plan_policy.hpp"
#include "verb.hpp"

namespace certtool::cli {

namespace {

struct AuditOptions {
    std::string topology;
    bool live = false;
    std::string files;
    bool dns = false;
    std::string view = "external";
    std::vector<std::string> resolvers;
    CheckOptions check;
    double timeout = 5;
    double deadline = 300;
    std::size_t concurrency = 64;
    std::vector<std::string> map_port;
    std::vector<std::string> only;
    PassphraseOptions passphrase;
    std::string format = "table";
    std::string out;                       // --out FILE ("" = standard output)
    std::optional<int> critical_days;      // nagios
    std::string fail_on = "error";
    std::string color = "auto";
};

std::chrono::milliseconds seconds(double value) {
    return std::chrono::milliseconds(static_cast<long long>(std::llround(value * 1000.0)));
}

std::map<int, int> parse_port_map(const std::vector<std::string>& items) {
    std::map<int, int> map;
    for (const auto& item : items) {
        const auto colon = item.find(':');
        int from = 0, to = 0;
        try {
            std::size_t used_from = 0, used_to = 0;
            if (colon == std::string::npos) throw std::invalid_argument("no colon");
            from = std::stoi(item.substr(0, colon), &used_from);
            to = std::stoi(item.substr(colon + 1), &used_to);
            if (used_from != colon || used_to != item.size() - colon - 1) throw std::invalid_argument("trailing text");
        } catch (const std::exception&) {
            from = to = 0;
        }
        if (from < 1 || from > 65535 || to < 1 || to > 65535)
            usage_error("usage.map-port", "", "--map-port takes FROM:TO with two port numbers, e.g. 443:8443, not '" + item + "'");
        map[from] = to;
    }
    return map;
}

ExitCode run_audit(const AuditOptions& options, Terminal& term) {
    if (!options.live && options.files.empty() && !options.dns)
        usage_error("usage.audit", "",
                    "say what to audit: --live (connect to every endpoint), --files DIR (exported certificates) and/or --dns (the plan's DNS "
                    "records, followed to the servers)");
    std::vector<dns::Server> resolvers;
    for (const auto& text : options.resolvers) {
        const auto server = dns::parse_server(text);
        if (!server)
            usage_error("usage.resolver", "", "--resolver takes an IP address with an optional port (192.0.2.53, 192.0.2.53:5300, [2001:db8::53]:53), not '" + text + "'");
        resolvers.push_back(*server);
    }
    const auto planned = load_plan(options.topology, PlanUse::check, false, term);
    const model::Plan& full = planned.plan;
    const model::Plan plan = options.only.empty() ? full : model::select_certificates(full, options.only);

    audit::Options run;
    run.context = make_context(options.check);
    run.live = options.live;
    run.files_dir = options.files;
    run.pkcs12_password = passphrase_given(options.passphrase);
    run.limits.connect_timeout = seconds(options.timeout);
    run.limits.handshake_timeout = seconds(options.timeout);
    run.limits.deadline = seconds(options.deadline);
    run.limits.concurrency = options.concurrency;
    run.port_map = parse_port_map(options.map_port);

    // Progress only where a person watches it: one line, rewritten.
    bool progressed = false;
    if (term.err_is_tty)
        run.limits.progress = [&term, &progressed](std::size_t finished, std::size_t total, const crypto::FetchTarget& target) {
            const bool v6 = target.host.find(':') != std::string::npos && target.host.front() != '[';
            term.err << "\r\033[K[" << finished << "/" << total << "] " << target.sni << " at " << (v6 ? "[" + target.host + "]" : target.host)
                     << ":" << target.port << std::flush;
            progressed = true;
        };

    if (!options.only.empty())
        for (const auto& r : plan.certificates) run.only_ids.push_back(r.id);
    audit::Report report;
    if (options.live || !options.files.empty()) report = audit::run(full, run);
    if (progressed) term.err << "\r\033[K" << std::flush;
    report.topology = full.source.path;
    report.at = run.context.at;
    report.warn_days = run.context.warn_days;
    run.pkcs12_password.wipe();
    if (options.dns) {
        audit::DnsOptions dns;
        dns.view = options.view;
        dns.resolvers = resolvers;
        dns.query_timeout = seconds(options.timeout);
        dns.limits = run.limits;
        dns.port_map = run.port_map;
        dns.strict_dns = planned.loaded.topology.policy.strict_dns;
        report.dns = audit::run_dns(plan, dns);
    }
    if (auto finding = plan_has_errors_finding(full, options.topology)) report.findings.insert(report.findings.begin(), std::move(*finding));

    report::AuditStyle style;
    style.color = options.out.empty() && use_color(options.color, term);
    style.fail_on = options.fail_on == "warning" ? model::Severity::warning : model::Severity::error;
    std::ostringstream text;
    std::optional<report::NagiosState> nagios;
    if (options.format == "json") {
        report::render_audit_json(report, text);
    } else if (options.format == "junit") {
        report::render_audit_junit(report, full, style, text);
    } else if (options.format == "html") {
        report::render_audit_html(report, full, style, text);
    } else if (options.format == "nagios") {
        nagios = report::render_audit_nagios(report, full, {options.check.warn_days, options.critical_days}, text);
    } else if (options.format == "prometheus") {
        report::render_audit_prometheus(report, full, text);
    } else {
        report::render_audit_table(report, full, style, text);
    }
    write_output(options.out, text.str(), term);
    // Nagios: the plugin's own exit codes (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN).
    if (nagios) return static_cast<ExitCode>(static_cast<int>(*nagios));
    return report.has(style.fail_on) ? ExitCode::problems_found : ExitCode::success;
}

}  // namespace

Verb register_audit(CLI::App& app) {
    auto options = std::make_shared<AuditOptions>();
    CLI::App* command = app.add_subcommand("audit", "check what every pool member serves or holds against the plan");
    command->add_option("TOPOLOGY", options->topology, "topology file (certtool.topology/v1 JSON)")->required();
    command->add_flag("--live", options->live, "connect to every endpoint of the plan (member address, port, SNI)");
    command->add_option("--files", options->files, "folder with one sub-folder per member FQDN holding the certificates exported from it");
    command->add_flag("--dns", options->dns,
                      "resolve the plan's DNS records of --view, compare them with the plan and follow them to the servers (TLS, SIP OPTIONS)");
    command->add_option("--view", options->view, "--dns: the records of this view: external (from the Internet) or internal")
        ->check(CLI::IsMember({"external", "internal"}))
        ->capture_default_str();
    command->add_option("--resolver", options->resolvers,
                        "--dns: ask this DNS server, IP[:PORT] (repeatable: each is asked on its own); default: the system's resolvers");
    add_check_options(*command, options->check);
    command->add_option("--timeout", options->timeout, "seconds allowed for each TCP connect, each TLS handshake and each DNS query (tried twice)")
        ->capture_default_str()
        ->check(CLI::Range(0.05, 600.0));
    command->add_option("--deadline", options->deadline, "seconds allowed for all connections together")
        ->capture_default_str()
        ->check(CLI::Range(0.1, 86400.0));
    command->add_option("--concurrency", options->concurrency, "connections in flight at most")
        ->capture_default_str()
        ->check(CLI::Range(1, 4096));
    command->add_option("--map-port", options->map_port, "FROM:TO: connect to port TO where the plan says FROM (tunnels, labs); repeatable");
    add_only_option(*command, options->only, "audit");
    add_passphrase_options(*command, options->passphrase, "for the PKCS#12 files under --files");
    add_format_option(*command, options->format,
                      {{"table", "for people"},
                       {"json", "certtool.audit/v1"},
                       {"junit", "JUnit XML for CI"},
                       {"html", "one self-contained page with an expiry timeline"},
                       {"nagios", "a Nagios/Icinga plugin: exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN"},
                       {"prometheus", "Prometheus text format for node_exporter's textfile collector"}});
    add_out_option(*command, options->out);
    add_critical_days_option(*command, options->critical_days);
    command->add_option("--fail-on", options->fail_on, "exit 1 on findings of this severity or worse: error, warning")
        ->check(CLI::IsMember({"error", "warning"}))
        ->capture_default_str();
    add_color_option(*command, options->color);
    command->footer("Arguments:\n"
                    "  TOPOLOGY  the topology the members were built from; its plan says what each member must present\n"
                    "\n" +
                    exit_codes_help("no finding at or above --fail-on", "a finding at or above --fail-on (see the table or JSON)") +
                    "\n"
                    "Examples:\n"
                    "  certtool audit site.json --live --trust internal-root.pem\n"
                    "  certtool audit site.json --files exported/ --passphrase-file pfx.pass\n"
                    "  certtool audit site.json --live --format junit --fail-on warning > audit.xml\n"
                    "  certtool audit site.json --dns --view external --resolver 192.0.2.53\n"
                    "  certtool audit site.json --live --format html --out audit.html\n");
    return {command, [options](Terminal& term) {
                return options->format == "nagios" ? as_nagios_plugin(term, [&] { return run_audit(*options, term); })
                                                   : run_audit(*options, term);
            }};
}

}  // namespace certtool::cli
