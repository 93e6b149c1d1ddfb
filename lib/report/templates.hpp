// Text the tool renders, from the files in templates/ (embedded into the binary
// at build time, so an installed certtool does not need the source tree).
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace certtool::report {

// The text of templates/<name>.in ("certreq.inf"). Throws std::logic_error for
// an unknown name (a bug, not an input error).
std::string_view template_text(std::string_view name);

// Replaces every {{key}} with its value. A placeholder without a value, or a
// value without a placeholder, is a bug: std::logic_error.
std::string render_template(std::string_view text, const std::map<std::string, std::string>& values);

}  // namespace certtool::report
