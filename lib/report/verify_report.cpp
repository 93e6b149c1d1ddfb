#include "report/verify_report.hpp"

#include <nlohmann/json.hpp>
#include <ostream>

#include "core/plural.hpp"
#include "report/findings.hpp"
#include "report/text.hpp"

namespace certtool::report {

std::string sans_summary(const crypto::Certificate& c) {
    constexpr std::size_t kShownAddresses = 4;
    std::string text = plural(c.dns_names.size() + c.ip_addresses.size(), "SAN", "SANs");
    for (std::size_t i = 0; i < c.ip_addresses.size() && i < kShownAddresses; ++i)
        text += (i == 0 ? " (IP " : ", ") + text::clean(c.ip_addresses[i]);
    if (c.ip_addresses.size() > kShownAddresses) text += ", ...";
    if (!c.ip_addresses.empty()) text += ")";
    return text;
}

void render_verify_table(const std::vector<check::Verdict>& verdicts, const std::vector<model::Finding>& general, TimePoint at,
                         bool color, std::ostream& out) {
    std::size_t failed = 0;
    for (const auto& v : verdicts) {
        const bool ok = v.passed();
        failed += ok ? 0 : 1;
        const long days = whole_days_left(at, v.certificate.not_after);
        out << text::verdict_label(ok, color) << "  " << text::clean(v.source);
        if (!v.certificate_id.empty()) out << "  ->  " << v.certificate_id;
        out << "\n      CN=" << text::clean(v.certificate.subject.common_name) << ", " << sans_summary(v.certificate)
            << ", expires " << format_date(v.certificate.not_after) << " (" << plural(days, "day", "days") << "), sha256 "
            << v.certificate.sha256_fingerprint.substr(0, 16) << "...\n";
        if (!v.intermediates_from.empty()) {
            out << "      intermediates from";
            for (std::size_t i = 0; i < v.intermediates_from.size(); ++i) out << (i == 0 ? " " : "; ") << text::clean(v.intermediates_from[i]);
            out << "\n";
        }
        for (const auto& f : v.findings) out << "      " << finding_line(f, color) << "\n";
    }
    if (!general.empty()) out << "\n";
    for (const auto& f : general) out << finding_line(f, color) << "\n";
    out << "\n" << plural(verdicts.size(), "certificate", "certificates") << " checked: " << verdicts.size() - failed
        << " passed, " << failed << " failed\n";
}

void render_verify_json(const std::vector<check::Verdict>& verdicts, const std::vector<model::Finding>& general, TimePoint at,
                        std::ostream& out) {
    nlohmann::ordered_json doc;
    doc["schema"] = kVerifySchema;
    nlohmann::ordered_json results = nlohmann::ordered_json::array();
    std::size_t failed = 0;
    for (const auto& v : verdicts) {
        failed += v.passed() ? 0 : 1;
        nlohmann::ordered_json r;
        r["source"] = v.source;
        r["certificate_id"] = v.certificate_id;
        r["passed"] = v.passed();
        r["subject"] = v.certificate.subject.common_name;
        r["sans"] = v.certificate.dns_names;
        r["ip_addresses"] = v.certificate.ip_addresses;
        r["not_after"] = format_date(v.certificate.not_after);
        r["days_left"] = whole_days_left(at, v.certificate.not_after);
        r["sha256"] = v.certificate.sha256_fingerprint;
        r["thumbprint"] = v.certificate.sha1_thumbprint;
        r["public_key_sha256"] = v.certificate.public_key_sha256;
        r["intermediates_from"] = v.intermediates_from;
        nlohmann::ordered_json findings = nlohmann::ordered_json::array();
        for (const auto& f : v.findings) findings.push_back(finding_json(f));
        r["findings"] = std::move(findings);
        results.push_back(std::move(r));
    }
    doc["results"] = std::move(results);
    nlohmann::ordered_json run_findings = nlohmann::ordered_json::array();
    for (const auto& f : general) run_findings.push_back(finding_json(f));
    doc["findings"] = std::move(run_findings);
    doc["summary"] = {{"checked", verdicts.size()}, {"passed", verdicts.size() - failed}, {"failed", failed}};
    // A certificate's subject may hold bytes that are not UTF-8: replaced, never a throw.
    out << doc.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << "\n";
}

}  // namespace certtool::report
