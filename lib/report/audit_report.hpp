// Renderings of an audit: a table for people (per certificate, one row per
// member and service with PASS/FAIL and days to expiry, then the findings),
// the certtool.audit/v1 JSON for scripts, and JUnit XML for CI pipelines.
#pragma once

#include <iosfwd>

#include "audit/audit.hpp"
#include "model/plan.hpp"

namespace certtool::report {

struct AuditStyle {
    bool color = false;
    model::Severity fail_on = model::Severity::error;  // what counts as failed (JUnit, verdict line)
};

void render_audit_table(const audit::Report& report, const model::Plan& plan, const AuditStyle& style, std::ostream& out);
void render_audit_json(const audit::Report& report, std::ostream& out);
void render_audit_junit(const audit::Report& report, const model::Plan& plan, const AuditStyle& style, std::ostream& out);

}  // namespace certtool::report
