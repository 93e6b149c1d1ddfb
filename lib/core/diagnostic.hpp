// Errors in what the user gave us (a file, a JSON document, a command-line value).
// The library never prints or exits: it returns or throws these, and the CLI maps
// them to text and exit codes in one place (certtool/main.cpp).
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace certtool {

// One problem with an input. `code` is stable (documented in README.md); the
// message is for people and may change wording between releases.
struct Diagnostic {
    std::string code;     // e.g. "topology.unknown-field"
    std::string file;     // the file the problem is in ("" when not from a file)
    std::string path;     // JSON Pointer inside that file ("" for the whole document)
    int line = 0;         // 1-based, only for syntax errors (0 = unknown)
    int column = 0;       // 1-based, only for syntax errors
    std::string message;  // what was found and what was expected

    // "site.json:/sites/0/edge_pools/0/fqdn: message [code]"
    [[nodiscard]] std::string to_string() const;
};

// Thrown by loaders when the input cannot be used at all. Carries every problem
// found, so that an admin can fix all typos in one go rather than one per run.
class InputError : public std::runtime_error {
public:
    explicit InputError(std::vector<Diagnostic> diagnostics);
    explicit InputError(Diagnostic diagnostic);
    [[nodiscard]] const std::vector<Diagnostic>& diagnostics() const noexcept { return diagnostics_; }

private:
    std::vector<Diagnostic> diagnostics_;
};

}  // namespace certtool
