// Every code certtool can show, in one table: the findings of every verb (plan,
// verify, audit, ca, csr, pfx, renew, script, acme) and the input errors that
// end a run with exit 2. Each code has its severity, what it means in one line,
// the README.md section that documents it, and the old names it replaced, which
// are still understood wherever certtool reads a code back (an audit report).
#pragma once

#include <string_view>
#include <vector>

namespace certtool {

// "varies" when the rule that emits the code chooses: the entry's `rule` says how.
// Input errors are `error`: they end the run with exit 2.
enum class CodeSeverity { error, warning, info, varies };

std::string_view to_string(CodeSeverity severity);

struct CatalogueEntry {
    std::string_view code;
    CodeSeverity severity = CodeSeverity::error;
    std::string_view meaning;  // one line, for people
    std::string_view section;  // the README.md heading (without its #s) the code is documented under
    std::vector<std::string_view> old_names = {};  // codes this one replaced (README "Old names")
    std::string_view rule = {};                    // with CodeSeverity::varies: which severity when
};

// The whole catalogue, grouped by area, each code once.
const std::vector<CatalogueEntry>& finding_catalogue();

// The entry for `code` (a current name, not an old one); nullptr when unknown.
const CatalogueEntry* find_code(std::string_view code);

// The current name of `code`: itself when it is current or unknown, else the code
// that replaced it (key-too-small -> key.too-small).
std::string_view current_code(std::string_view code);

}  // namespace certtool
