// Renderings of `certtool acme`: a table for people (per certificate: issued,
// in place or failed, its checks, files and order) and the certtool.acme/v1 JSON.
#pragma once

#include <iosfwd>
#include <nlohmann/json.hpp>

#include "acme/issue.hpp"
#include "core/time.hpp"

namespace certtool::report {

inline constexpr const char* kAcmeSchema = "certtool.acme/v1";

// `now` counts the days left of each certificate.
void render_acme_table(const acme::Result& result, TimePoint now, bool color, std::ostream& out);
// The certtool.acme/v1 document (also the "acme" member of certtool.renew/v1).
nlohmann::ordered_json acme_document(const acme::Result& result);
void render_acme_json(const acme::Result& result, std::ostream& out);

}  // namespace certtool::report
