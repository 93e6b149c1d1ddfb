#include "report/acme_report.hpp"

#include <nlohmann/json.hpp>
#include <ostream>

#include "core/plural.hpp"
#include "report/findings.hpp"
#include "report/text.hpp"

namespace certtool::report {

using text::clean;
using text::severity_label;

void render_acme_table(const acme::Result& result, TimePoint now, bool color, std::ostream& out) {
    out << "ACME CA  " << result.directory_url << "\n";
    out << "account  " << result.account_url << (result.account_created ? " (created)" : "") << "; key " << result.account_key_file
        << (result.account_key_created ? " (new, 0600)" : "") << "\n\n";
    std::size_t issued = 0, in_place = 0, failed = 0, failing_checks = 0;
    for (const auto& c : result.certificates) {
        if (c.error) {
            ++failed;
            out << text::paint("FAILED", "\033[31m", color) << "  " << c.id << "\n";
            out << "      " << severity_label(model::Severity::error, color) << " " << c.error->code << ": " << clean(c.error->where) << ": "
                << clean(c.error->message) << "\n";
            for (const auto& w : c.warnings) out << "      " << severity_label(model::Severity::warning, color) << " " << clean(w) << "\n";
            continue;
        }
        (c.outcome == "issued" ? issued : in_place) += 1;
        const auto& v = *c.verdict;
        if (!v.passed()) ++failing_checks;
        out << (c.outcome == "issued" ? "ISSUED" : "IN PLACE") << "  " << c.id << "  " << text::verdict_label(v.passed(), color)
            << (c.resumed ? "  (order of an earlier run continued)" : "") << "\n";
        const auto days = whole_days_left(now, v.certificate.not_after);
        out << "      CN=" << clean(v.certificate.subject.common_name) << ", " << plural(v.certificate.dns_names.size(), "SAN", "SANs")
            << ", expires " << format_datetime(v.certificate.not_after) << " (" << plural(days, "day", "days") << "), sha256 "
            << v.certificate.sha256_fingerprint.substr(0, 16)
            << "...\n";
        out << "      " << c.certificate_file << (c.chain_file.empty() ? "" : ", " + c.chain_file) << "\n";
        if (!c.order_url.empty()) out << "      order " << c.order_url << "\n";
        for (const auto& r : c.replaced_files) out << "      previous kept as " << r << "\n";
        for (const auto& f : v.findings) out << "      " << finding_line(f, color) << "\n";
        for (const auto& w : c.warnings) out << "      " << severity_label(model::Severity::warning, color) << " " << clean(w) << "\n";
    }
    if (!result.not_ordered.empty()) {
        out << "\nnot ordered (not planned for a public CA):";
        for (const auto& id : result.not_ordered) out << " " << id;
        out << "\n";
    }
    out << "\n" << plural(result.certificates.size(), "certificate", "certificates") << ": " << issued
        << " issued, " << in_place << " in place, " << failed << " failed; " << failing_checks << " with error findings\n";
}

nlohmann::ordered_json acme_document(const acme::Result& result) {
    nlohmann::ordered_json doc;
    doc["schema"] = kAcmeSchema;
    doc["directory"] = result.directory_url;
    doc["account"] = {{"url", result.account_url},
                      {"created", result.account_created},
                      {"key_file", result.account_key_file},
                      {"key_created", result.account_key_created}};
    nlohmann::ordered_json certificates = nlohmann::ordered_json::array();
    for (const auto& c : result.certificates) {
        nlohmann::ordered_json j;
        j["id"] = c.id;
        j["outcome"] = c.outcome;
        j["resumed"] = c.resumed;
        j["order"] = c.order_url;
        if (c.error) {
            j["error"] = {{"code", c.error->code}, {"where", c.error->where}, {"message", c.error->message}};
        } else {
            const auto& v = *c.verdict;
            j["certificate_file"] = c.certificate_file;
            j["chain_file"] = c.chain_file;
            j["replaced_files"] = c.replaced_files;
            j["passed"] = v.passed();
            j["subject"] = v.certificate.subject.common_name;
            j["sans"] = v.certificate.dns_names;
            j["not_before_utc"] = format_datetime(v.certificate.not_before);
            j["not_after_utc"] = format_datetime(v.certificate.not_after);
            j["sha256"] = v.certificate.sha256_fingerprint;
            j["thumbprint"] = v.certificate.sha1_thumbprint;
            nlohmann::ordered_json findings = nlohmann::ordered_json::array();
            for (const auto& f : v.findings) findings.push_back(finding_json(f));
            j["findings"] = std::move(findings);
        }
        j["warnings"] = c.warnings;
        certificates.push_back(std::move(j));
    }
    doc["certificates"] = std::move(certificates);
    doc["not_ordered"] = result.not_ordered;
    doc["warnings"] = result.warnings;
    return doc;
}

void render_acme_json(const acme::Result& result, std::ostream& out) {
    const auto doc = acme_document(result);
    // Names and messages from the CA may hold bytes that are not UTF-8: replaced, never a throw.
    out << doc.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << "\n";
}

}  // namespace certtool::report
