// Renderings of an audit: a table for people (per certificate, one row per
// member and service with PASS/FAIL and days to expiry, then the findings),
// the certtool.audit/v1 JSON for scripts, and JUnit XML for CI pipelines; and
// the one reader of that JSON (renew --inventory, script --current).
#pragma once

#include <cstddef>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "audit/audit.hpp"
#include "core/time.hpp"
#include "model/plan.hpp"

namespace certtool::report {

inline constexpr const char* kAuditSchema = "certtool.audit/v1";
// A report holds about 50 values per observation: room for 20,000 endpoints.
inline constexpr std::size_t kMaxAuditReportFile = 64u << 20;

struct AuditStyle {
    bool color = false;
    model::Severity fail_on = model::Severity::error;  // what counts as failed (JUnit, verdict line)
};

void render_audit_table(const audit::Report& report, const model::Plan& plan, const AuditStyle& style, std::ostream& out);
void render_audit_json(const audit::Report& report, std::ostream& out);
void render_audit_junit(const audit::Report& report, const model::Plan& plan, const AuditStyle& style, std::ostream& out);

// A certificate an audit saw: an observation whose `obtained` is true.
struct AuditedCertificate {
    std::string pointer;            // of the observation, "/observations/3"
    std::string certificate_id;
    std::string member;             // "" when the report does not say
    std::string source;             // the endpoint or file, "" when the report does not say
    std::optional<TimePoint> not_before;  // not_before_utc; nullopt in reports written before it was added
    TimePoint not_after{};
    std::string sha256;
    std::string public_key_sha256;  // "" when the report does not say
    std::string thumbprint;         // SHA-1, upper-case hex; "" when the report does not say
    std::vector<std::string> sans;
    std::vector<std::string> error_codes;  // of its error findings, in order, once each
};

// Reads a certtool.audit/v1 document as certtool audit --format json writes it,
// nesting at most 64 levels and 1,000,000 values (checked while parsing). The
// one strictness: an observation must say whether a certificate was
// `obtained`; one that was must carry its certificate_id, not_after_utc (a
// UTC time), sha256 and sans, which the decisions made from it need; a
// thumbprint, when given, must be a SHA-1 thumbprint. Fields it does not use
// are not looked at. Observations without a certificate are left out.
// Throws InputError naming `file`, with the JSON Pointer of each problem
// (every one, up to 200), all with the code `error_code` (the verb's own:
// renew.inventory, script.current-unreadable).
std::vector<AuditedCertificate> read_audit_report(std::string_view text, const std::string& file,
                                                  const std::string& error_code);

// The same from a file of at most kMaxAuditReportFile bytes; a file that cannot
// be read is `error_code` too.
std::vector<AuditedCertificate> read_audit_report_file(const std::string& path, const std::string& error_code);

}  // namespace certtool::report
