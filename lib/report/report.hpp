// Renderings of a certificate plan: JSON for scripts (the certtool.plan/v1
// contract, ../shared/spec/topology-and-plan-v1.md section 2), an aligned text
// table for people at a terminal, and Markdown for a change ticket.
// Like the rest of lib/, nothing here prints or exits: every function returns
// a string (or a value) and the CLI decides where it goes.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/plan.hpp"

namespace certtool::report {

// The plan as the certtool.plan/v1 document, indented by two spaces, with a
// trailing newline, fields in contract order. The same plan always gives the
// same bytes, so that admins can diff plans in change review.
std::string render_json(const model::Plan& plan);

// The same bytes, written to `out` in 64 KiB chunks as they are produced, so
// that memory stays bounded however large the plan.
void write_json(const model::Plan& plan, std::ostream& out);

// render_json parsed back into a tree, for callers that want to look inside.
nlohmann::ordered_json plan_to_json(const model::Plan& plan);

struct TextStyle {
    bool color = false;    // ANSI colours for headers and severities
    bool reasons = false;  // print why each SAN and DNS record is there
};

// The plan for people: one block per certificate, the DNS records, the findings
// grouped by severity and a one-line summary. No line ends in a space.
std::string render_table(const model::Plan& plan, const TextStyle& style);

// The plan for a change ticket (GitHub-flavoured Markdown).
std::string render_markdown(const model::Plan& plan);

// What a certificate of this role is for, in the admin's words, e.g.
// "Edge external (Access, Web Conferencing, A/V Authentication)".
std::string role_title(model::Role role);

// role_title, narrowed by what this certificate actually carries: with
// av_certificate "separate" the Edge external certificate has no A/V usage.
std::string role_title(const model::CertificateRequirement& certificate);

// "CN=sip.contoso.com, O=Contoso Ltd, OU=IT, L=Redmond, S=Washington, C=US",
// leaving out empty attributes.
std::string subject_line(const model::CertificateRequirement& certificate);

// "RSA 2048" / "ECDSA P-256".
std::string key_line(const model::KeySpec& key);

// "200 days (public-CA maximum from 2026-03-15), 2 renewals a year, -Roll lead 8 hours":
// the lifetime columns of a plan certificate (model/lifetime.hpp), for the table and Markdown.
std::string lifetime_line(const model::CertificateRequirement& certificate);

// "12 certificates, 30 DNS records: 0 errors, 2 warnings, 9 info".
std::string summary_line(const model::Plan& plan);
// "0 errors, 2 warnings, 9 info": the findings counted by severity.
std::string severity_counts(const std::vector<model::Finding>& findings);


}  // namespace certtool::report
