// A finding as every JSON document and table of certtool shows it: one shape
// for the plan, verify, audit and acme (the plan's streaming writer follows the
// same field order).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "model/plan.hpp"

namespace certtool::report {

// {"severity", "code", "message", ["certificate",] ["policy"]}: the certificate
// only where a document lists findings of several certificates together.
nlohmann::ordered_json finding_json(const model::Finding& finding, bool with_certificate = false);

// "error code: message" (message cleaned of control characters), severity
// coloured when `color`.
std::string finding_line(const model::Finding& finding, bool color);

}  // namespace certtool::report
