#include "report/audit_report.hpp"

#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <ostream>

#include "core/plural.hpp"
#include "core/time.hpp"
#include "report/findings.hpp"
#include "report/report.hpp"
#include "report/text.hpp"

namespace certtool::report {

namespace {

using model::Finding;
using model::Severity;

using Groups = std::vector<std::pair<std::string, std::vector<const audit::Observation*>>>;

// Observations grouped by certificate id, groups in order of first appearance.
Groups by_certificate(const audit::Report& report) {
    Groups groups;
    std::map<std::string, std::size_t> index;
    for (const auto& o : report.observations) {
        const auto [it, inserted] = index.emplace(o.certificate_id, groups.size());
        if (inserted) groups.emplace_back(o.certificate_id, std::vector<const audit::Observation*>{});
        groups[it->second].second.push_back(&o);
    }
    return groups;
}

std::size_t index_of(const Groups& groups, const std::string& id) {
    const auto it = std::find_if(groups.begin(), groups.end(), [&](const auto& g) { return g.first == id; });
    return static_cast<std::size_t>(it - groups.begin());
}

bool at_least(Severity s, Severity threshold) { return static_cast<int>(s) <= static_cast<int>(threshold); }

bool failed(const audit::Observation& o, Severity fail_on) {
    return std::any_of(o.findings.begin(), o.findings.end(), [&](const Finding& f) { return at_least(f.severity, fail_on); });
}

using text::paint;
using text::severity_label;

std::string expiry_cell(const audit::Observation& o, TimePoint at) {
    if (!o.certificate) return "-";
    return format_date(o.certificate->not_after) + " (" + std::to_string(whole_days_left(at, o.certificate->not_after)) + "d)";
}

// Same certificate, same findings: said once in the table.
bool same_findings(const audit::Observation& a, const audit::Observation& b) {
    if (!a.certificate || !b.certificate || a.certificate->sha256_fingerprint != b.certificate->sha256_fingerprint) return false;
    if (a.findings.size() != b.findings.size()) return false;
    for (std::size_t i = 0; i < a.findings.size(); ++i)
        if (a.findings[i].code != b.findings[i].code || a.findings[i].message != b.findings[i].message) return false;
    return true;
}

std::string xml_escape(const std::string& in) {
    std::string out;
    for (const char ch : in) {
        switch (ch) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&apos;"; break;
            default:
                // XML 1.0 has no place for most control characters.
                if (static_cast<unsigned char>(ch) < 0x20 && ch != '\n' && ch != '\t') out += '?';
                else out += ch;
        }
    }
    return out;
}

bool failed(const audit::DnsCheck& c, Severity fail_on) {
    for (const auto& step : c.steps)
        for (const auto& f : step.findings)
            if (at_least(f.severity, fail_on)) return true;
    return false;
}

std::string step_label(const audit::DnsStep& step, bool color) {
    const std::string status = step.status();
    return paint(status, status == "FAIL" ? "\033[31m" : status == "WARN" ? "\033[33m" : "\033[32m", color);
}

std::string check_title(const audit::DnsCheck& c) {
    if (c.type == "absent") return c.name + "  (must not resolve)";
    return c.name + "  " + c.type + (c.certificate.empty() ? "" : "  -> " + c.certificate);
}

// audit --dns, for people: each name as the steps a client takes.
void render_dns_table(const audit::DnsAudit& dns, const AuditStyle& style, std::ostream& out) {
    using text::clean;
    using text::pad;
    const bool color = style.color;
    out << "\n" << paint("DNS, " + dns.view + " view", "\033[1m", color) << " (resolvers: ";
    for (std::size_t i = 0; i < dns.resolvers.size(); ++i) out << (i ? ", " : "") << dns.resolvers[i];
    out << ")\n";
    for (const auto& c : dns.checks) {
        out << "\n" << text::verdict_label(!failed(c, style.fail_on), color) << "  " << paint(clean(check_title(c)), "\033[1m", color) << "\n";
        if (!c.reason.empty()) out << "      " << clean(c.reason) << "\n";
        for (const auto& step : c.steps) {
            out << "  " << step_label(step, color) << "  " << pad(step.step, 11) << " " << clean(step.target) << "  "
                << step.elapsed.count() << " ms\n";
            if (!step.result.empty()) out << "                     " << clean(step.result) << "\n";
            for (const auto& f : step.findings) out << "                     " << finding_line(f, color) << "\n";
        }
    }
}

nlohmann::ordered_json dns_json(const audit::DnsAudit& dns) {
    nlohmann::ordered_json j;
    j["view"] = dns.view;
    j["resolvers"] = dns.resolvers;
    auto checks = nlohmann::ordered_json::array();
    std::size_t passed = 0;
    for (const auto& c : dns.checks) {
        nlohmann::ordered_json check;
        check["name"] = c.name;
        check["type"] = c.type;
        check["certificate"] = c.certificate;
        check["reason"] = c.reason;
        check["passed"] = c.passed();
        passed += c.passed() ? 1 : 0;
        auto steps = nlohmann::ordered_json::array();
        for (const auto& step : c.steps) {
            nlohmann::ordered_json s;
            s["step"] = step.step;
            s["target"] = step.target;
            s["status"] = step.status();
            s["result"] = step.result;
            s["elapsed_ms"] = step.elapsed.count();
            auto findings = nlohmann::ordered_json::array();
            for (const auto& f : step.findings) findings.push_back(finding_json(f, false));
            s["findings"] = std::move(findings);
            steps.push_back(std::move(s));
        }
        check["steps"] = std::move(steps);
        checks.push_back(std::move(check));
    }
    j["checks"] = std::move(checks);
    j["summary"] = {{"checks", dns.checks.size()}, {"passed", passed}, {"failed", dns.checks.size() - passed}};
    return j;
}

}  // namespace

void render_audit_table(const audit::Report& report, const model::Plan& plan, const AuditStyle& style, std::ostream& out) {
    using text::clean;
    using text::pad;
    const bool color = style.color;
    out << "Audit of " << clean(report.topology) << " at " << format_datetime(report.at) << "\n";
    const auto groups = by_certificate(report);
    for (const auto& [id, observations] : groups) {
        const auto* r = plan.find(id);
        out << "\n" << paint(id, "\033[1m", color);
        if (r != nullptr) out << ": " << role_title(*r) << (r->same_on_all_members ? ", the same on every member" : "");
        out << "\n";
        std::size_t member_width = 6, service_width = 7, expiry_width = 7;
        for (const auto* o : observations) {
            member_width = std::max(member_width, text::display_width(o->member));
            service_width = std::max(service_width, o->service.size());
            expiry_width = std::max(expiry_width, expiry_cell(*o, report.at).size());
        }
        out << "  RESULT  " << pad("MEMBER", member_width) << "  " << pad("SERVICE", service_width) << "  "
            << pad("EXPIRES", expiry_width) << "  " << pad("SHA-256", 16) << "  SOURCE\n";
        const audit::Observation* previous = nullptr;
        for (const auto* o : observations) {
            const bool bad = failed(*o, style.fail_on);
            out << "  " << text::verdict_label(!bad, color) << "    "
                << pad(o->member, member_width) << "  " << pad(o->service, service_width) << "  "
                << pad(expiry_cell(*o, report.at), expiry_width) << "  "
                << pad(o->certificate ? o->certificate->sha256_fingerprint.substr(0, 16) : "-", 16) << "  " << clean(o->source)
                << "\n";
            if (o->service == "file" && !o->intermediates_from.empty()) {
                out << "          intermediates from";
                for (std::size_t i = 0; i < o->intermediates_from.size(); ++i) out << (i == 0 ? " " : "; ") << clean(o->intermediates_from[i]);
                out << "\n";
            }
            // A pool serving one wrong certificate everywhere: its findings once.
            if (previous != nullptr && !o->findings.empty() && same_findings(*previous, *o)) {
                out << "          (the same " << plural(o->findings.size(), "finding", "findings") << " as the row above)\n";
            } else {
                for (const auto& f : o->findings)
                    out << "          " << finding_line(f, color) << "\n";
            }
            previous = o;
        }
        // Said of the certificate as a whole (the members of a pool disagree,
        // a member's file is missing): under its rows, once.
        for (const auto& f : report.findings)
            if (f.certificate == id)
                out << "  " << finding_line(f, color) << "\n";
    }
    std::vector<const Finding*> rest;
    for (const auto& f : report.findings)
        if (index_of(groups, f.certificate) == groups.size()) rest.push_back(&f);
    if (!rest.empty()) {
        out << "\n" << paint("Plan coverage and files", "\033[1m", color) << "\n";
        for (const auto* f : rest)
            out << "  " << severity_label(f->severity, color) << " " << f->code << ": " << clean(f->message) << "\n";
    }
    if (report.dns) render_dns_table(*report.dns, style, out);
    const auto s = report.summary();
    std::size_t failing = 0;
    for (const auto& o : report.observations) failing += failed(o, style.fail_on) ? 1 : 0;
    out << "\n";
    if (!report.observations.empty() || !report.dns)
        out << plural(s.observations, "observation", "observations") << ": " << s.observations - failing << " passed, " << failing << " failed; ";
    if (report.dns) {
        std::size_t dns_failing = 0;
        for (const auto& c : report.dns->checks) dns_failing += failed(c, style.fail_on) ? 1 : 0;
        out << plural(s.dns_checks, "DNS check", "DNS checks") << ": " << s.dns_checks - dns_failing << " passed, " << dns_failing << " failed; ";
    }
    out << plural(s.errors, "error", "errors") << ", " << plural(s.warnings, "warning", "warnings") << ", " << s.info << " info\n";
}

void render_audit_json(const audit::Report& report, std::ostream& out) {
    nlohmann::ordered_json doc;
    doc["schema"] = kAuditSchema;
    doc["topology"] = report.topology;
    doc["at"] = format_datetime(report.at);
    // --warn-days when given; else the lifetime rule (check::Context::warn_days).
    if (report.warn_days) doc["warn_days"] = *report.warn_days;
    doc["expiring_window"] = report.warn_days ? "warn-days" : "third-of-lifetime";
    auto observations = nlohmann::ordered_json::array();
    for (const auto& o : report.observations) {
        nlohmann::ordered_json j;
        j["certificate_id"] = o.certificate_id;
        j["pool"] = o.pool;
        j["member"] = o.member;
        j["service"] = o.service;
        j["source"] = o.source;
        j["sni"] = o.sni;
        j["intermediates_from"] = o.intermediates_from;
        j["obtained"] = o.obtained;
        j["passed"] = o.passed();
        if (o.certificate) {
            const auto& c = *o.certificate;
            j["subject"] = c.subject.common_name;
            j["sans"] = c.dns_names;
            j["not_before_utc"] = format_datetime(c.not_before);
            j["not_after"] = format_date(c.not_after);
            j["not_after_utc"] = format_datetime(c.not_after);
            j["days_left"] = whole_days_left(report.at, c.not_after);
            j["sha256"] = c.sha256_fingerprint;
            j["thumbprint"] = c.sha1_thumbprint;
            j["public_key_sha256"] = c.public_key_sha256;
            if (o.service != "file") {
                j["protocol"] = o.protocol;
                j["elapsed_ms"] = o.elapsed.count();
            }
        }
        auto findings = nlohmann::ordered_json::array();
        for (const auto& f : o.findings) findings.push_back(finding_json(f, false));
        j["findings"] = std::move(findings);
        observations.push_back(std::move(j));
    }
    doc["observations"] = std::move(observations);
    auto findings = nlohmann::ordered_json::array();
    for (const auto& f : report.findings) findings.push_back(finding_json(f, true));
    doc["findings"] = std::move(findings);
    if (report.dns) doc["dns"] = dns_json(*report.dns);
    const auto s = report.summary();
    doc["summary"] = {{"observations", s.observations}, {"passed", s.passed}, {"failed", s.failed},
                      {"errors", s.errors},             {"warnings", s.warnings}, {"info", s.info}};
    // Text from servers and files may hold invalid UTF-8: replaced, never a throw.
    out << doc.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << "\n";
}

void render_audit_junit(const audit::Report& report, const model::Plan& plan, const AuditStyle& style, std::ostream& out) {
    const auto groups = by_certificate(report);
    std::size_t tests = report.observations.size() + report.findings.size(), failures = 0;
    for (const auto& o : report.observations) failures += failed(o, style.fail_on) ? 1 : 0;
    std::size_t dns_failures = 0;
    if (report.dns) {
        tests += report.dns->checks.size();
        for (const auto& c : report.dns->checks) dns_failures += failed(c, style.fail_on) ? 1 : 0;
        failures += dns_failures;
    }
    for (const auto& f : report.findings) failures += at_least(f.severity, style.fail_on) ? 1 : 0;
    out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        << "<testsuites name=\"certtool audit\" tests=\"" << tests << "\" failures=\"" << failures << "\" errors=\"0\">\n";
    for (const auto& [id, observations] : groups) {
        std::size_t suite_failures = 0;
        for (const auto* o : observations) suite_failures += failed(*o, style.fail_on) ? 1 : 0;
        out << "  <testsuite name=\"" << xml_escape(id) << "\" tests=\"" << observations.size() << "\" failures=\""
            << suite_failures << "\" errors=\"0\">\n";
        const auto* r = plan.find(id);
        if (r != nullptr) out << "    <properties><property name=\"role\" value=\"" << xml_escape(role_title(*r)) << "\"/></properties>\n";
        for (const auto* o : observations) {
            char seconds[32];
            std::snprintf(seconds, sizeof seconds, "%.3f", static_cast<double>(o->elapsed.count()) / 1000.0);
            out << "    <testcase classname=\"" << xml_escape(id) << "\" name=\"" << xml_escape(o->member + " " + o->service + " " + o->source)
                << "\" time=\"" << seconds << "\">\n";
            std::string failing, other;
            const Finding* first = nullptr;
            for (const auto& f : o->findings) {
                const std::string line = std::string(model::to_string(f.severity)) + " " + f.code + ": " + f.message + "\n";
                if (at_least(f.severity, style.fail_on)) {
                    if (first == nullptr) first = &f;
                    failing += line;
                } else {
                    other += line;
                }
            }
            if (first != nullptr)
                out << "      <failure type=\"" << xml_escape(first->code) << "\" message=\"" << xml_escape(first->message) << "\">"
                    << xml_escape(failing) << "</failure>\n";
            if (!other.empty()) out << "      <system-out>" << xml_escape(other) << "</system-out>\n";
            out << "    </testcase>\n";
        }
        out << "  </testsuite>\n";
    }
    std::size_t plan_failures = 0;
    for (const auto& f : report.findings) plan_failures += at_least(f.severity, style.fail_on) ? 1 : 0;
    out << "  <testsuite name=\"plan\" tests=\"" << report.findings.size() << "\" failures=\"" << plan_failures << "\" errors=\"0\">\n";
    for (const auto& f : report.findings) {
        out << "    <testcase classname=\"plan\" name=\"" << xml_escape(f.code + ": " + f.message)
            << "\" time=\"0.000\">\n";
        if (at_least(f.severity, style.fail_on))
            out << "      <failure type=\"" << xml_escape(f.code) << "\" message=\"" << xml_escape(f.message) << "\"/>\n";
        else
            out << "      <system-out>" << xml_escape(std::string(model::to_string(f.severity)) + " " + f.message) << "</system-out>\n";
        out << "    </testcase>\n";
    }
    out << "  </testsuite>\n";
    if (report.dns) {
        // One test case per name: its steps as the output, the failing findings as the failure.
        out << "  <testsuite name=\"dns " << xml_escape(report.dns->view) << "\" tests=\"" << report.dns->checks.size() << "\" failures=\""
            << dns_failures << "\" errors=\"0\">\n";
        for (const auto& c : report.dns->checks) {
            long long ms = 0;
            std::string steps, failing;
            const Finding* first = nullptr;
            for (const auto& step : c.steps) {
                ms += step.elapsed.count();
                steps += step.status() + " " + step.step + " " + step.target + ": " + step.result + "\n";
                for (const auto& f : step.findings) {
                    if (!at_least(f.severity, style.fail_on)) continue;
                    if (first == nullptr) first = &f;
                    failing += std::string(model::to_string(f.severity)) + " " + f.code + ": " + f.message + "\n";
                }
            }
            char seconds[32];
            std::snprintf(seconds, sizeof seconds, "%.3f", static_cast<double>(ms) / 1000.0);
            out << "    <testcase classname=\"dns\" name=\"" << xml_escape(check_title(c)) << "\" time=\"" << seconds << "\">\n";
            if (first != nullptr)
                out << "      <failure type=\"" << xml_escape(first->code) << "\" message=\"" << xml_escape(first->message) << "\">"
                    << xml_escape(failing) << "</failure>\n";
            out << "      <system-out>" << xml_escape(steps) << "</system-out>\n";
            out << "    </testcase>\n";
        }
        out << "  </testsuite>\n";
    }
    out << "</testsuites>\n";
}

}  // namespace certtool::report
