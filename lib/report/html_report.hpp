// The audit and the plan as one self-contained HTML page (issue 16): for the
// admin who wants the whole estate at a glance, and for change review.
//
// The page has inline CSS and an inline SVG timeline and nothing else: no
// script, no font, image or style sheet from anywhere, and a Content Security
// Policy that forbids them, so it can be mailed, archived or printed as it is.
// Colours are the Okabe-Ito palette, and no state is shown by colour alone: each
// carries a word (EXPIRED, DUE, OK) and a pattern or shape too.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "audit/audit.hpp"
#include "core/time.hpp"
#include "model/plan.hpp"
#include "report/audit_report.hpp"

namespace certtool::report {

// Where a certificate stands at the audit's time, as the timeline and the
// estate table say it (the same rule as check_validity: the renewal window is
// --warn-days when given, else model::renewal_window).
enum class Standing { ok, due, expired, not_yet_valid, not_seen };
const char* to_string(Standing standing);  // "OK", "DUE", "EXPIRED", "NOT YET VALID", "NOT SEEN"

// One row of the timeline: one planned certificate on one member, with the
// dates the chart draws. A member whose services show several certificates is
// one row for the one that expires first (the others are counted).
struct TimelineRow {
    std::string certificate_id;
    std::string pool;
    std::string member;
    Standing standing = Standing::not_seen;
    bool seen = false;  // a certificate was obtained; the dates below are set only then
    TimePoint not_before{}, not_after{};
    TimePoint renewal_from{};                // not_after minus the renewal window
    std::optional<TimePoint> roll_effective;  // not_after minus the -Roll lead, for staged usages
    std::optional<TimePoint> br_maximum;      // not_before plus BR 6.3.2's maximum then (not for internal-CA certificates)
    int br_maximum_days = 0;
    long days_left = 0;
    std::size_t other_certificates = 0;  // more certificates seen for it on this member
};

// The rows in report order (certificate, then member), one per certificate and member.
std::vector<TimelineRow> timeline_rows(const audit::Report& report, const model::Plan& plan);

// The audit page: header (plan, time, verdict and counts), the estate per pool
// and member, the timeline with a data table of its dates, the findings, and
// the DNS checks of audit --dns.
void render_audit_html(const audit::Report& report, const model::Plan& plan, const AuditStyle& style, std::ostream& out);

// The plan page for change review: every certificate with its subject, every
// SAN with its reason, EKU, key, CA, exportability, servers and usages, the
// DNS records and the findings.
std::string render_plan_html(const model::Plan& plan);

}  // namespace certtool::report
