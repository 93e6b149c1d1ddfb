#include "report/findings.hpp"

#include "report/text.hpp"

namespace certtool::report {

nlohmann::ordered_json finding_json(const model::Finding& f, bool with_certificate) {
    nlohmann::ordered_json j;
    j["severity"] = model::to_string(f.severity);
    j["code"] = f.code;
    j["message"] = f.message;
    if (with_certificate) j["certificate"] = f.certificate;
    if (!f.policy.empty()) j["policy"] = f.policy;
    return j;
}

std::string finding_line(const model::Finding& f, bool color) {
    return text::severity_label(f.severity, color) + " " + f.code + ": " + text::clean(f.message);
}

}  // namespace certtool::report
