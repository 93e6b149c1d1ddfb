#include "report/monitoring.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <ostream>
#include <set>
#include <sstream>

#include "core/plural.hpp"
#include "core/time.hpp"
#include "model/lifetime.hpp"
#include "model/roles.hpp"

namespace certtool::report {

namespace {

using model::Finding;
using model::Severity;
using std::chrono::seconds;

long long epoch_seconds(TimePoint t) { return std::chrono::duration_cast<seconds>(t.time_since_epoch()).count(); }

// Text from outside (a member name, a message) on one line, without the
// characters the plugin output gives a meaning to ('|' starts perfdata).
std::string one_line(const std::string& text) {
    std::string out;
    for (const char ch : text) {
        const auto byte = static_cast<unsigned char>(ch);
        if (ch == '|') out += '/';
        else if (byte < 0x20 || byte == 0x7F) out += ' ';
        else out += ch;
    }
    return out;
}

// A perfdata label: no '=' or quote, single-quoted (it holds spaces).
std::string label(const std::string& text) {
    std::string out;
    for (const char ch : one_line(text)) out += (ch == '=' || ch == '\'') ? '_' : ch;
    return "'" + out + "'";
}

std::string duration_text(long long s) {
    // Whole units, down while it lives and up once it has expired, as the
    // validity findings count days ("expired 704 days before the check time").
    const long long a = s < 0 ? -s : s;
    const auto whole = [&](long long unit) { return std::to_string(s < 0 ? (a + unit - 1) / unit : a / unit); };
    const std::string amount = a >= 2 * 86400 ? whole(86400) + " d" : a >= 2 * 3600 ? whole(3600) + " h" : whole(60) + " min";
    return s < 0 ? "expired " + amount + " ago" : "expires in " + amount;
}

NagiosState worse(NagiosState a, NagiosState b) {
    // UNKNOWN is only for a run that could check nothing; among results, CRITICAL > WARNING > OK.
    const auto rank = [](NagiosState s) { return s == NagiosState::critical ? 2 : s == NagiosState::warning ? 1 : 0; };
    return rank(b) > rank(a) ? b : a;
}

NagiosState state_of(Severity s) {
    return s == Severity::error ? NagiosState::critical : s == Severity::warning ? NagiosState::warning : NagiosState::ok;
}

int lead_of(const model::Plan& plan, const std::string& id) {
    const auto* r = plan.find(id);
    return r ? r->roll_lead_hours : 0;
}

// Prometheus label values: backslash, double quote and newline escaped.
std::string escape(const std::string& value) {
    std::string out;
    for (const char ch : value) {
        if (ch == '\\') out += "\\\\";
        else if (ch == '"') out += "\\\"";
        else if (ch == '\n') out += "\\n";
        else out += ch;
    }
    return out;
}

using Labels = std::vector<std::pair<std::string, std::string>>;

std::string series(const std::string& name, const Labels& labels, const std::string& value) {
    std::string out = name;
    if (!labels.empty()) {
        out += "{";
        for (std::size_t i = 0; i < labels.size(); ++i) out += (i ? "," : "") + labels[i].first + "=\"" + escape(labels[i].second) + "\"";
        out += "}";
    }
    return out + " " + value + "\n";
}

std::string role_name(const model::Plan& plan, const std::string& id) {
    const auto* r = plan.find(id);
    return r ? model::facts(r->role).name : "";
}

std::string pool_name(const model::Plan& plan, const std::string& id) {
    const auto* r = plan.find(id);
    return r ? r->pool : "";
}

}  // namespace

const char* to_string(NagiosState state) {
    switch (state) {
        case NagiosState::ok: return "OK";
        case NagiosState::warning: return "WARNING";
        case NagiosState::critical: return "CRITICAL";
        case NagiosState::unknown: return "UNKNOWN";
    }
    return "UNKNOWN";
}

std::pair<seconds, seconds> nagios_thresholds(const crypto::Certificate& c, int lead_hours, const NagiosOptions& options) {
    const seconds lead = std::chrono::hours(lead_hours);
    const seconds window = options.warn_days ? seconds(static_cast<long long>(*options.warn_days) * 86400)
                                             : model::renewal_window(c.not_before, c.not_after, lead_hours);
    seconds critical = options.critical_days ? seconds(static_cast<long long>(*options.critical_days) * 86400) : std::max(window / 2, lead);
    if (critical > window) critical = window;
    return {window, critical};
}

namespace {

// What a Nagios run checked, from audit or verify: the certificates seen (each
// with where it was seen and its perfdata label), the findings with where they
// are, and the other checks (audit --dns).
struct NagiosRun {
    struct Seen {
        std::string where;  // "edge-external on edge01.contoso.net (access-sip)"
        std::string label;  // perfdata label, before quoting
        const crypto::Certificate* certificate = nullptr;
        int lead_hours = 0;
    };
    struct Noted {
        const Finding* finding = nullptr;
        std::string where;
    };
    TimePoint at;
    std::vector<Seen> seen;
    std::vector<Noted> findings;
    std::size_t checks = 0;       // observations or files looked at
    std::string scope;            // "3 certificates on 3 members"
    std::string nothing_read;     // the summary when nothing could be checked
    std::size_t other_checks = 0, other_failed = 0;
    std::string other_name;       // "DNS check"
    std::size_t errors = 0, warnings = 0;
};

NagiosState render_nagios(const NagiosRun& run, const NagiosOptions& options, std::ostream& out) {
    NagiosState state = NagiosState::ok;
    std::string perfdata;
    // The worst certificate: least time left relative to its own thresholds.
    const NagiosRun::Seen* worst = nullptr;
    long long worst_left = 0;
    double worst_ratio = 0;
    for (const auto& n : run.findings) state = worse(state, state_of(n.finding->severity));
    for (const auto& s : run.seen) {
        const auto [warn, crit] = nagios_thresholds(*s.certificate, s.lead_hours, options);
        const long long left = std::chrono::duration_cast<seconds>(s.certificate->not_after - run.at).count();
        if (left <= crit.count()) state = worse(state, NagiosState::critical);
        else if (left <= warn.count()) state = worse(state, NagiosState::warning);
        const double ratio = warn.count() > 0 ? static_cast<double>(left) / static_cast<double>(warn.count()) : static_cast<double>(left);
        if (worst == nullptr || ratio < worst_ratio) {
            worst = &s;
            worst_left = left;
            worst_ratio = ratio;
        }
        // Time left in seconds; the ranges "N:" alert below N (guidelines, range expressions).
        perfdata += " " + label(s.label) + "=" + std::to_string(left) + "s;" + std::to_string(warn.count()) + ":;" +
                    std::to_string(crit.count()) + ":;;";
    }
    if (run.seen.empty() && run.other_checks == 0) state = NagiosState::unknown;

    std::string summary = "CERTTOOL " + std::string(to_string(state)) + " - ";
    if (state == NagiosState::unknown) {
        summary += run.nothing_read;
    } else {
        if (!run.seen.empty()) {
            summary += run.scope;
            if (worst != nullptr) summary += "; soonest: " + worst->where + " " + duration_text(worst_left);
        }
        if (run.other_checks > 0)
            summary += std::string(run.seen.empty() ? "" : "; ") + plural(run.other_checks, run.other_name, run.other_name + "s") + ", " +
                       std::to_string(run.other_failed) + " failed";
    }
    summary += "; " + plural(run.errors, "error", "errors") + ", " + plural(run.warnings, "warning", "warnings");
    out << one_line(summary) << " |" << perfdata << " errors=" << run.errors << ";;0;0; warnings=" << run.warnings << ";0;;0;\n";

    // Long output: every error and warning, errors first, each once.
    std::vector<std::string> lines;
    for (const auto& n : run.findings) {
        const Finding& f = *n.finding;
        if (f.severity == Severity::info) continue;
        const std::string line = one_line(std::string(f.severity == Severity::error ? "[CRITICAL] " : "[WARNING] ") +
                                          (n.where.empty() ? "" : n.where + ": ") + f.code + ": " + f.message);
        if (std::find(lines.begin(), lines.end(), line) == lines.end()) lines.push_back(line);
    }
    std::stable_sort(lines.begin(), lines.end(),
                     [](const std::string& a, const std::string& b) { return a.rfind("[CRITICAL]", 0) == 0 && b.rfind("[CRITICAL]", 0) != 0; });
    for (const auto& line : lines) out << line << "\n";
    return state;
}

}  // namespace

NagiosState render_audit_nagios(const audit::Report& report, const model::Plan& plan, const NagiosOptions& options, std::ostream& out) {
    NagiosRun run;
    run.at = report.at;
    std::set<std::string> members, certificates;
    for (const auto& o : report.observations) {
        const std::string where = o.certificate_id + " on " + o.member + " (" + o.service + ")";
        for (const auto& f : o.findings) run.findings.push_back({&f, where});
        if (!o.certificate) continue;
        members.insert(o.member);
        certificates.insert(o.certificate_id);
        run.seen.push_back({where, o.certificate_id + " " + o.member + " " + o.service, &*o.certificate, lead_of(plan, o.certificate_id)});
    }
    for (const auto& f : report.findings) run.findings.push_back({&f, f.certificate});
    if (report.dns)
        for (const auto& c : report.dns->checks) {
            ++run.other_checks;
            run.other_failed += c.passed() ? 0 : 1;
            for (const auto& step : c.steps)
                for (const auto& f : step.findings) run.findings.push_back({&f, "DNS " + c.name});
        }
    run.other_name = "DNS check";
    run.scope = plural(certificates.size(), "certificate", "certificates") + " on " + plural(members.size(), "member", "members");
    run.nothing_read = report.observations.empty()
                           ? "nothing to check"
                           : "no certificate could be read from " + plural(report.observations.size(), "endpoint or file", "endpoints or files");
    const auto s = report.summary();
    run.errors = s.errors;
    run.warnings = s.warnings;
    return render_nagios(run, options, out);
}

NagiosState render_verify_nagios(const std::vector<check::Verdict>& verdicts, const std::vector<model::Finding>& general,
                                 const model::Plan* plan, TimePoint at, const NagiosOptions& options, std::ostream& out) {
    NagiosRun run;
    run.at = at;
    for (const auto& f : general) run.findings.push_back({&f, ""});
    for (const auto& v : verdicts) {
        const std::string where = (v.certificate_id.empty() ? std::string() : v.certificate_id + " in ") + v.source;
        for (const auto& f : v.findings) {
            run.findings.push_back({&f, where});
            if (f.severity == Severity::error) ++run.errors;
            else if (f.severity == Severity::warning) ++run.warnings;
        }
        run.seen.push_back({where, (v.certificate_id.empty() ? std::string() : v.certificate_id + " ") + v.source, &v.certificate,
                            plan ? lead_of(*plan, v.certificate_id) : 0});
    }
    for (const auto& f : general) {
        if (f.severity == Severity::error) ++run.errors;
        else if (f.severity == Severity::warning) ++run.warnings;
    }
    run.scope = plural(verdicts.size(), "certificate file", "certificate files");
    run.nothing_read = "no certificate file to check";
    return render_nagios(run, options, out);
}

void render_audit_prometheus(const audit::Report& report, const model::Plan& plan, std::ostream& out) {
    std::ostringstream body;
    const auto family = [&](const std::string& name, const std::string& help) {
        body << "# HELP " << name << " " << help << "\n# TYPE " << name << " gauge\n";
    };
    family("certtool_certificate_not_after_timestamp_seconds", "NotAfter of the certificate a member serves or holds, as Unix time.");
    for (const auto& o : report.observations)
        if (o.certificate)
            body << series("certtool_certificate_not_after_timestamp_seconds",
                           {{"certificate_id", o.certificate_id}, {"role", role_name(plan, o.certificate_id)}, {"pool", o.pool}, {"member", o.member},
                            {"service", o.service}, {"source", o.source}, {"sha256", o.certificate->sha256_fingerprint}},
                           std::to_string(epoch_seconds(o.certificate->not_after)));
    family("certtool_certificate_not_before_timestamp_seconds", "NotBefore of the certificate a member serves or holds, as Unix time.");
    for (const auto& o : report.observations)
        if (o.certificate)
            body << series("certtool_certificate_not_before_timestamp_seconds",
                           {{"certificate_id", o.certificate_id}, {"role", role_name(plan, o.certificate_id)}, {"pool", o.pool}, {"member", o.member},
                            {"service", o.service}, {"source", o.source}, {"sha256", o.certificate->sha256_fingerprint}},
                           std::to_string(epoch_seconds(o.certificate->not_before)));
    family("certtool_observation_passed", "1 when what the member serves or holds has no error finding, else 0.");
    for (const auto& o : report.observations)
        body << series("certtool_observation_passed",
                       {{"certificate_id", o.certificate_id}, {"role", role_name(plan, o.certificate_id)}, {"pool", o.pool}, {"member", o.member},
                        {"service", o.service}, {"source", o.source}},
                       o.passed() ? "1" : "0");
    family("certtool_read_errors", "1 for an endpoint or file from which no certificate could be read.");
    for (const auto& o : report.observations)
        if (!o.obtained)
            body << series("certtool_read_errors", {{"certificate_id", o.certificate_id}, {"member", o.member}, {"service", o.service}, {"source", o.source}}, "1");
    family("certtool_finding", "One series per finding of the audit, value 1.");
    std::set<std::string> seen;
    const auto finding = [&](const Labels& labels) {
        const std::string line = series("certtool_finding", labels, "1");
        if (seen.insert(line).second) body << line;  // a series once
    };
    for (const auto& o : report.observations)
        for (const auto& f : o.findings)
            finding({{"certificate_id", o.certificate_id}, {"member", o.member}, {"service", o.service}, {"code", f.code}, {"severity", model::to_string(f.severity)}});
    for (const auto& f : report.findings)
        finding({{"certificate_id", f.certificate}, {"member", ""}, {"service", ""}, {"code", f.code}, {"severity", model::to_string(f.severity)}});
    if (report.dns)
        for (const auto& c : report.dns->checks)
            for (const auto& step : c.steps)
                for (const auto& f : step.findings)
                    finding({{"certificate_id", c.certificate}, {"member", ""}, {"service", "dns " + c.name}, {"code", f.code}, {"severity", model::to_string(f.severity)}});
    family("certtool_pool_consistent", "1 when every member of the pool shows the same certificate where the plan requires it, else 0.");
    std::map<std::string, bool> consistent;
    for (const auto& o : report.observations) consistent.emplace(o.certificate_id, true);
    for (const auto& o : report.observations)
        for (const auto& f : o.findings)
            if (f.code == "pool.different-certificate") consistent[o.certificate_id] = false;
    for (const auto& f : report.findings)
        if (f.code == "pool.different-certificate") consistent[f.certificate] = false;
    for (const auto& [id, ok] : consistent)
        body << series("certtool_pool_consistent", {{"certificate_id", id}, {"role", role_name(plan, id)}, {"pool", pool_name(plan, id)}}, ok ? "1" : "0");
    if (report.dns) {
        family("certtool_dns_check_passed", "audit --dns: 1 when the name resolved and led where the plan says, else 0.");
        for (const auto& c : report.dns->checks)
            body << series("certtool_dns_check_passed", {{"view", report.dns->view}, {"name", c.name}, {"type", c.type}}, c.passed() ? "1" : "0");
    }
    const auto s = report.summary();
    family("certtool_audit_findings", "Findings of the run by severity.");
    body << series("certtool_audit_findings", {{"severity", "error"}}, std::to_string(s.errors));
    body << series("certtool_audit_findings", {{"severity", "warning"}}, std::to_string(s.warnings));
    body << series("certtool_audit_findings", {{"severity", "info"}}, std::to_string(s.info));
    family("certtool_audit_last_run_timestamp_seconds", "When the audit ran (its check time), as Unix time.");
    body << series("certtool_audit_last_run_timestamp_seconds", {}, std::to_string(epoch_seconds(report.at)));
    out << body.str();
}

}  // namespace certtool::report
