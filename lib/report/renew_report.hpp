// certtool renew's results: the certtool.renew/v1 document (renewal.json, and
// --format json) and the table for people.
#pragma once

#include <iosfwd>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "model/plan.hpp"
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

// For people: the check's time, window and inventory; a row per certificate,
// due first (with the certificate held, the names added and removed, the new
// key and request), then the inventory entries ignored and a summary line.
// `folder` is "" for a dry run.
void render_renew_table(const renew::Decisions& decisions, const std::map<std::string, renew::NewRequest>& requests,
                        const std::string& folder, const std::string& inventory, std::ostream& out);

}  // namespace certtool::report
