// The certtool.audit/v1 reader, beside its writer (audit_report.cpp): what
// renew and script take from an audit report, read one way.
#include <algorithm>

#include "core/finding_catalogue.hpp"
#include "core/json_bounded.hpp"
#include "core/json_reader.hpp"
#include "core/thumbprint.hpp"
#include "fs/safe_file.hpp"
#include "report/audit_report.hpp"

namespace certtool::report {

namespace {

class AuditReader : public JsonReader {
public:
    AuditReader(const std::string& file, const std::string& error_code) : JsonReader(file, error_code, "an audit report") {
        use_one_code(error_code);
    }

    std::vector<AuditedCertificate> read(const JsonValue& doc) {
        std::vector<AuditedCertificate> out;
        const auto schema = doc.is_object() ? doc.find("schema") : doc.end();
        if (schema == doc.end() || !schema->is_string() || schema->get<std::string>() != kAuditSchema) {
            error("", "/schema", std::string("is not a ") + kAuditSchema + " report (write one with certtool audit --format json)");
            return out;
        }
        const JsonValue* observations = array_field(doc, "observations", "", true, false, "", "");
        if (observations == nullptr) return out;
        for (std::size_t i = 0; i < observations->size(); ++i) {
            if (auto seen = observation((*observations)[i], child("/observations", i))) out.push_back(std::move(*seen));
        }
        return out;
    }

private:
    std::optional<AuditedCertificate> observation(const JsonValue& o, const std::string& at) {
        if (!o.is_object()) {
            type_error(at, "an observation (an object)", o);
            return std::nullopt;
        }
        const JsonValue* obtained = get(o, "obtained", at, true);
        if (obtained == nullptr) return std::nullopt;
        if (!obtained->is_boolean()) {
            type_error(child(at, "obtained"), "a boolean (true or false)", *obtained);
            return std::nullopt;
        }
        if (!obtained->get<bool>()) return std::nullopt;  // nothing was read there: no certificate to judge

        AuditedCertificate seen;
        seen.pointer = at;
        const std::size_t problems = diagnostics().size();
        const auto id = string_field(o, "certificate_id", at, true);
        const auto when = string_field(o, "not_after_utc", at, true);
        const auto sha256 = string_field(o, "sha256", at, true);
        if (when) {
            if (const auto not_after = parse_utc(*when))
                seen.not_after = *not_after;
            else
                error("", child(at, "not_after_utc"), "not_after_utc is not a UTC time: '" + printable(*when) + "'");
        }
        if (const auto since = string_field(o, "not_before_utc", at)) {
            if (const auto not_before = parse_utc(*since))
                seen.not_before = *not_before;
            else
                error("", child(at, "not_before_utc"), "not_before_utc is not a UTC time: '" + printable(*since) + "'");
        }
        if (const JsonValue* sans = get(o, "sans", at, true)) {
            if (!sans->is_array()) type_error(child(at, "sans"), "an array of names", *sans);
            for (std::size_t i = 0; sans->is_array() && i < sans->size(); ++i) {
                if ((*sans)[i].is_string())
                    seen.sans.push_back((*sans)[i].get<std::string>());
                else
                    type_error(child(child(at, "sans"), i), "a string", (*sans)[i]);
            }
        }
        if (const auto thumbprint = string_field(o, "thumbprint", at)) {
            if (const auto normalised = windows_thumbprint(*thumbprint))
                seen.thumbprint = *normalised;
            else
                error("", child(at, "thumbprint"), "'" + printable(*thumbprint) + "' is not a SHA-1 thumbprint");
        }
        seen.member = string_field(o, "member", at).value_or("");
        seen.source = string_field(o, "source", at).value_or("");
        seen.public_key_sha256 = string_field(o, "public_key_sha256", at).value_or("");
        findings(o, at, seen.error_codes);
        if (diagnostics().size() != problems) return std::nullopt;
        seen.certificate_id = *id;
        seen.sha256 = *sha256;
        return seen;
    }

    void findings(const JsonValue& o, const std::string& at, std::vector<std::string>& error_codes) {
        const JsonValue* list = array_field(o, "findings", at, false, false, "", "");
        for (std::size_t i = 0; list != nullptr && i < list->size(); ++i) {
            const JsonValue& f = (*list)[i];
            const std::string where = child(child(at, "findings"), i);
            if (!f.is_object()) {
                type_error(where, "a finding (an object)", f);
                continue;
            }
            auto code = string_field(f, "code", where, true);
            const auto severity = string_field(f, "severity", where, true);
            // A report an older certtool wrote may carry a code by its old name: it
            // is read as the code that replaced it (README "Old names").
            if (code) *code = std::string(current_code(*code));
            if (code && severity && *severity == "error" &&
                std::find(error_codes.begin(), error_codes.end(), *code) == error_codes.end())
                error_codes.push_back(*code);
        }
    }
};

}  // namespace

std::vector<AuditedCertificate> read_audit_report(std::string_view text, const std::string& file,
                                                  const std::string& error_code) {
    AuditReader reader(file, error_code);
    // A report nests 5 levels; the limits stop a hostile file while it is parsed.
    auto parsed = parse_json_bounded(text, JsonLimits{64, 1'000'000});
    if (!parsed.ok) {
        reader.error("", "", std::string("is not a ") + kAuditSchema + " report: its JSON " + parsed.problem, parsed.line,
                     parsed.column);
        reader.throw_if_problems();
    }
    auto certificates = reader.read(parsed.document);
    reader.throw_if_problems();
    return certificates;
}

std::vector<AuditedCertificate> read_audit_report_file(const std::string& path, const std::string& error_code) {
    std::string text;
    try {
        text = fs::read_file_bounded(path, kMaxAuditReportFile, error_code);
    } catch (const InputError& e) {
        throw InputError(Diagnostic{error_code, path, "", 0, 0, e.diagnostics().front().message});
    }
    return read_audit_report(text, path, error_code);
}

}  // namespace certtool::report
