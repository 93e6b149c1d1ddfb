// certtool renew's results: the certtool.renew/v1 document (renewal.json, and
// --format json) and the table for people.
#pragma once

#include <iosfwd>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "model/plan.hpp"
#include "core/time.hpp"
#include "renew/renew.hpp"

namespace certtool::report {

inline constexpr const char* kRenewSchema = "certtool.renew/v1";

// The certtool.renew/v1 document. `folder` is "" for --dry-run (folder,
// key_file and csr_file are then null).
nlohmann::ordered_json renew_document(const model::Plan& plan, const renew::Decisions& decisions,
                                      const std::map<std::string, renew::NewRequest>& requests, const std::string& folder);

// The document as written to renewal.json and printed by --format json.
std::string renew_json_text(const nlohmann::ordered_json& document);

// renew_json_text(renew_document(...)).
std::string render_renew_json(const model::Plan& plan, const renew::Decisions& decisions,
                              const std::map<std::string, renew::NewRequest>& requests, const std::string& folder);

// renew --acme's outcome in the document: "acme" (null without --acme; with
// it: dry_run, to_order, not_public, and "result", the certtool.acme/v1
// document of the run or null when nothing was ordered), and in each due entry
// "acme": "issued", "in place", "failed" (the outcome of its order),
// "not-public" (request written, not ordered), "dry-run" or "not-ordered" (the run stopped).
void add_acme(nlohmann::ordered_json& document, const renew::AcmeRun& run);

// For people: the check's time, window and inventory; a row per certificate,
// due first (with the certificate held, the names added and removed, the new
// key and request), then the inventory entries ignored and a summary line.
// `folder` is "" for a dry run.
// With `acme` (renew --acme): each due row says what came of its order, and
// the acme table (render_acme_table, at `now`) follows.
void render_renew_table(const renew::Decisions& decisions, const std::map<std::string, renew::NewRequest>& requests,
                        const std::string& folder, const std::string& inventory, std::ostream& out,
                        const renew::AcmeRun* acme = nullptr, TimePoint now = {});

}  // namespace certtool::report
