// `certtool plan --format markdown`: the plan as a change ticket. A summary
// table a reviewer can approve at a glance, then one section per certificate
// with every SAN and why it is there, then DNS and findings.
//
// Names (FQDNs, ids, codes, JSON paths) go in code spans, so that "*.contoso.com"
// or "_sip._tls" is not read as emphasis; prose is escaped instead, so that
// "sip.<domain>" is not swallowed as an HTML tag. In both, '|' is escaped
// because it would end a table cell.
#include <algorithm>

#include "report/report.hpp"

namespace certtool::report {

namespace {

std::string text(const std::string& value) {
    std::string out;
    for (char ch : value) {
        switch (ch) {
            case '\\': case '`': case '*': case '_': case '<': case '[': case ']': case '|':
                out += '\\';
                out += ch;
                break;
            case '\n': case '\r': out += ' '; break;
            default: out += ch;
        }
    }
    return out;
}

std::string code(const std::string& value) {
    if (value.empty()) return "";
    if (value.find('`') != std::string::npos || value.find('\n') != std::string::npos) return text(value);
    std::string out = "`";
    for (char ch : value) {
        if (ch == '|') out += '\\';  // GFM unescapes this inside code spans in tables
        out += ch;
    }
    return out + "`";
}

std::string list(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& item : items) {
        if (!out.empty()) out += ", ";
        out += text(item);
    }
    return out.empty() ? "-" : out;
}

// One table row from cells that are already escaped or code-spanned.
std::string row(const std::vector<std::string>& cells) {
    std::string out = "|";
    for (const auto& c : cells) out += " " + c + " |";
    return out + "\n";
}

std::string endpoint_text(const model::Endpoint& e) {
    const std::string host = e.address.find(':') != std::string::npos ? "[" + e.address + "]" : e.address;
    std::string out = text(e.member + " " + host + ":" + std::to_string(e.port) + " SNI " + e.sni);
    if (!e.service.empty()) out += " (" + text(e.service) + ")";
    return out;
}

std::string certificate_section(const model::CertificateRequirement& c) {
    std::string out = "### " + code(c.id) + "\n\n" + text(role_title(c)) + ".\n\n";

    out += "| # | Name | Reason |\n|---:|---|---|\n";
    for (std::size_t i = 0; i < c.sans.size(); ++i)
        out += row({std::to_string(i + 1), code(c.sans[i].name), text(c.sans[i].reason)});
    out += "\n";

    std::string endpoints;
    for (const auto& e : c.endpoints) endpoints += (endpoints.empty() ? "" : "<br>") + endpoint_text(e);

    out += "| Property | Value |\n|---|---|\n";
    out += row({"Role", code(model::to_string(c.role))});
    out += row({"Pool", code(c.pool)});
    out += row({"Topology path", code(c.topology_path)});
    out += row({"Subject", text(subject_line(c))});
    out += row({"EKU", list(c.eku)});
    out += row({"Key usage", list(c.key_usage)});
    out += row({"Key", text(key_line(c.key))});
    out += row({"Signature hash", text(c.signature_hash)});
    out += row({"CA", model::to_string(c.ca)});
    out += row({"Lifetime", text(lifetime_line(c))});
    out += row({"Exportable key", std::string(c.exportable_key ? "yes" : "no") +
                                      (c.same_on_all_members ? ", same certificate and key on every member" : "")});
    out += row({"Install on", list(c.install_on)});
    out += row({"Usages", list(c.usages)});
    out += row({"Endpoints", endpoints.empty() ? "-" : endpoints});
    return out + "\n";
}

}  // namespace

std::string render_markdown(const model::Plan& plan) {
    std::string out = "# Certificate plan";
    if (!plan.source.path.empty()) out += " for " + code(plan.source.path);
    out += "\n\n";
    if (!plan.source.sha256.empty()) out += "Topology SHA-256: " + code(plan.source.sha256) + "\n\n";
    out += summary_line(plan) + ".\n\n";

    out += "## Certificates\n\n";
    if (plan.certificates.empty()) {
        out += "No certificates.\n\n";
    } else {
        out += "| ID | Role | Subject | SANs | CA | Install on |\n|---|---|---|---:|---|---|\n";
        for (const auto& c : plan.certificates)
            out += row({code(c.id), text(role_title(c)), text(subject_line(c)), std::to_string(c.sans.size()),
                        model::to_string(c.ca), list(c.install_on)});
        out += "\n";
        for (const auto& c : plan.certificates) out += certificate_section(c);
    }

    out += "## DNS records\n\n";
    if (plan.dns.empty()) {
        out += "None.\n\n";
    } else {
        out += "| Zone | Type | Name | Target | Port | Priority | Weight | Certificate | Reason |\n"
               "|---|---|---|---|---:|---:|---:|---|---|\n";
        for (const auto& r : plan.dns) {
            const bool srv = r.type == "SRV";
            out += row({text(r.zone), text(r.type), code(r.name), code(r.target), srv ? std::to_string(r.port) : "",
                        srv ? std::to_string(r.priority) : "", srv ? std::to_string(r.weight) : "",
                        code(r.certificate), text(r.reason)});
        }
        out += "\n";
    }

    out += "## Findings\n\n";
    if (plan.findings.empty()) {
        out += "None.\n";
    } else {
        out += "| Severity | Code | Path | Certificate | Policy | Message |\n|---|---|---|---|---|---|\n";
        // Errors first, then warnings, then info, each in plan order.
        for (const auto severity : {model::Severity::error, model::Severity::warning, model::Severity::info})
            for (const auto& f : plan.findings)
                if (f.severity == severity)
                    out += row({model::to_string(f.severity), code(f.code), code(f.path), code(f.certificate),
                                text(f.policy), text(f.message)});
    }
    return out;
}

}  // namespace certtool::report
