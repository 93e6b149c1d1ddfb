// What certtool script tells the admin: per member the certificates it
// installs, their usages and when each is assigned; then what was not
// scripted, the notes, and the files written.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "script/script.hpp"

namespace certtool::report {

void render_script_table(const script::Result& result, const std::vector<std::string>& notes,
                         const std::vector<std::string>& written, std::ostream& out);

}  // namespace certtool::report
