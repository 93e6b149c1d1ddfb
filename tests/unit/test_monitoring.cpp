// The monitoring renderings of an audit made by hand (lib/report/monitoring):
// the Nagios plugin output against the Monitoring Plugins guidelines' grammar
// (summary line, perfdata items, long output) and its states, and the
// Prometheus text format's series.
#include <catch2/catch.hpp>

#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "audit/audit.hpp"
#include "monitoring_formats.hpp"
#include "report/monitoring.hpp"

namespace audit = certtool::audit;
namespace model = certtool::model;
namespace report = certtool::report;
using std::chrono::hours;

namespace {

const auto kNow = std::chrono::sys_days{std::chrono::year{2026} / 12 / 5} + hours(12);

model::Plan plan_with_edge() {
    model::Plan plan;
    model::CertificateRequirement r;
    r.id = "edge-external.lsedge-contoso-net";
    r.role = model::Role::edge_external;
    r.pool = "lsedge.contoso.net";
    r.common_name = "sip.contoso.com";
    r.same_on_all_members = true;
    r.roll_lead_hours = 8;
    plan.certificates.push_back(r);
    return plan;
}

// A 47-day certificate with `left` to go on `member`.
audit::Observation seen(const std::string& member, hours left) {
    audit::Observation o;
    o.certificate_id = "edge-external.lsedge-contoso-net";
    o.pool = "lsedge.contoso.net";
    o.member = member;
    o.service = "access-sip";
    o.source = "127.0.0.11:443";
    o.obtained = true;
    o.certificate.emplace();
    o.certificate->sha256_fingerprint = std::string(64, 'a');
    o.certificate->not_after = kNow + left;
    o.certificate->not_before = o.certificate->not_after - hours(47 * 24);
    return o;
}

audit::Report report_of(std::vector<audit::Observation> observations) {
    audit::Report r;
    r.topology = "site.json";
    r.at = kNow;
    r.observations = std::move(observations);
    return r;
}

struct Nagios {
    report::NagiosState state;
    std::string text;
};

Nagios nagios(const audit::Report& r, report::NagiosOptions options = {}) {
    std::ostringstream out;
    const auto state = report::render_audit_nagios(r, plan_with_edge(), options, out);
    return {state, out.str()};
}

void check_grammar(const std::string& text) { (void)certtool::test::check_nagios_output(text); }

}  // namespace

TEST_CASE("nagios: the state follows each certificate's own lifetime", "[monitoring]") {
    // 47 days: warning under a third (15 d 16 h), critical under half of that (7 d 20 h).
    const auto ok = nagios(report_of({seen("edge01.contoso.net", hours(30 * 24)), seen("edge02.contoso.net", hours(30 * 24))}));
    CHECK(ok.state == report::NagiosState::ok);
    CHECK(ok.text.rfind("CERTTOOL OK - 1 certificate on 2 members; soonest: edge-external.lsedge-contoso-net on edge01.contoso.net", 0) == 0);
    check_grammar(ok.text);
    CHECK(ok.text.find("'edge-external.lsedge-contoso-net edge02.contoso.net access-sip'=2592000s;1353600:;676800:;;") != std::string::npos);

    const auto warning = nagios(report_of({seen("edge01.contoso.net", hours(30 * 24)), seen("edge02.contoso.net", hours(10 * 24))}));
    CHECK(warning.state == report::NagiosState::warning);
    CHECK(warning.text.find("soonest: edge-external.lsedge-contoso-net on edge02.contoso.net (access-sip) expires in 10 d") != std::string::npos);

    const auto critical = nagios(report_of({seen("edge01.contoso.net", hours(5 * 24))}));
    CHECK(critical.state == report::NagiosState::critical);
    check_grammar(critical.text);

    const auto expired = nagios(report_of({seen("edge01.contoso.net", hours(-3 * 24))}));
    CHECK(expired.state == report::NagiosState::critical);
    CHECK(expired.text.find("expired 3 d ago") != std::string::npos);

    // Fixed thresholds win: 40 days to warn, 20 to be critical.
    const auto fixed = nagios(report_of({seen("edge01.contoso.net", hours(30 * 24))}), {40, 20});
    CHECK(fixed.state == report::NagiosState::warning);
    CHECK(fixed.text.find("=2592000s;3456000:;1728000:;;") != std::string::npos);
}

TEST_CASE("nagios: findings are the long output, errors first; nothing read is UNKNOWN", "[monitoring]") {
    auto o = seen("edge01.contoso.net", hours(30 * 24));
    o.findings.push_back({model::Severity::warning, "key.size-unsupported", "RSA 3072", "", o.certificate_id, ""});
    o.findings.push_back({model::Severity::error, "names.missing", "lacks webcon.contoso.com", "", o.certificate_id, ""});
    const auto r = nagios(report_of({o}));
    CHECK(r.state == report::NagiosState::critical);
    std::istringstream lines(r.text);
    std::string line;
    std::getline(lines, line);
    std::getline(lines, line);
    CHECK(line == "[CRITICAL] edge-external.lsedge-contoso-net on edge01.contoso.net (access-sip): names.missing: lacks webcon.contoso.com");
    std::getline(lines, line);
    CHECK(line.rfind("[WARNING] ", 0) == 0);

    audit::Observation down;
    down.certificate_id = "edge-external.lsedge-contoso-net";
    down.member = "edge01.contoso.net";
    down.service = "access-sip";
    down.findings.push_back({model::Severity::error, "tls.refused", "nothing listens", "", down.certificate_id, ""});
    const auto unknown = nagios(report_of({down}));
    CHECK(unknown.state == report::NagiosState::unknown);
    CHECK(unknown.text.rfind("CERTTOOL UNKNOWN - no certificate could be read from 1 endpoint or file", 0) == 0);
    // A '|' from outside never starts perfdata early.
    auto odd = seen("edge|01", hours(30 * 24));
    const auto safe = nagios(report_of({odd}));
    check_grammar(safe.text);
}

TEST_CASE("prometheus: timestamps per certificate and member, a series per finding, the run's time", "[monitoring]") {
    auto a = seen("edge01.contoso.net", hours(30 * 24));
    auto b = seen("edge02.contoso.net", hours(30 * 24));
    b.findings.push_back({model::Severity::error, "pool.different-certificate", "another \"one\"", "", b.certificate_id, ""});
    audit::Observation down;
    down.certificate_id = "edge-external.lsedge-contoso-net";
    down.member = "edge03.contoso.net";
    down.service = "access-sip";
    down.source = "127.0.0.13:443";
    down.findings.push_back({model::Severity::error, "tls.refused", "nothing listens", "", down.certificate_id, ""});
    std::ostringstream out;
    report::render_audit_prometheus(report_of({a, b, down}), plan_with_edge(), out);
    const std::string text = out.str();
    INFO(text);
    const long long not_after = std::chrono::duration_cast<std::chrono::seconds>((kNow + hours(30 * 24)).time_since_epoch()).count();
    CHECK(text.find("certtool_certificate_not_after_timestamp_seconds{certificate_id=\"edge-external.lsedge-contoso-net\",role=\"edge-external\","
                    "pool=\"lsedge.contoso.net\",member=\"edge01.contoso.net\",service=\"access-sip\",source=\"127.0.0.11:443\",sha256=\"" +
                    std::string(64, 'a') + "\"} " + std::to_string(not_after) + "\n") != std::string::npos);
    CHECK(text.find("certtool_read_errors{certificate_id=\"edge-external.lsedge-contoso-net\",member=\"edge03.contoso.net\",service=\"access-sip\","
                    "source=\"127.0.0.13:443\"} 1\n") != std::string::npos);
    CHECK(text.find("code=\"pool.different-certificate\",severity=\"error\"} 1\n") != std::string::npos);
    CHECK(text.find("certtool_pool_consistent{certificate_id=\"edge-external.lsedge-contoso-net\",role=\"edge-external\",pool=\"lsedge.contoso.net\"} 0\n") !=
          std::string::npos);
    CHECK(text.find("# TYPE certtool_audit_last_run_timestamp_seconds gauge\ncerttool_audit_last_run_timestamp_seconds " +
                    std::to_string(std::chrono::duration_cast<std::chrono::seconds>(kNow.time_since_epoch()).count()) + "\n") != std::string::npos);
    certtool::test::check_prometheus_text(text);
}
