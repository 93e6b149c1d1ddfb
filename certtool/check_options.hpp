// Options shared by the verbs that check certificates (verify, audit): the
// trust anchors, the check time, the warning window and chain validation, and
// the reading of certificate files named on the command line.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include <optional>

#include "check/check.hpp"

namespace certtool::cli {

struct CheckOptions {
    std::vector<std::string> trust;      // PEM/DER files of trusted roots; empty = the system store
    std::vector<std::string> untrusted;  // PEM/DER files of intermediates, offered for path building, never trusted
    std::string at;                  // UTC check time, "" = now
    std::optional<int> warn_days;    // nullopt: a third of each certificate's lifetime (check::Context)
    bool no_chain = false;
};

// --trust, --untrusted, --at, --warn-days, --no-chain.
void add_check_options(CLI::App& command, CheckOptions& options);

// The check context these options describe. Throws InputError: usage.at for a
// time it cannot read, the loader's code (with the file) for a bad trust file.
check::Context make_context(const CheckOptions& options);

// The files named and, for each folder named, the files in it as lib/inventory
// lists them (README "Certificate files"). Throws InputError `code` naming the
// path when one does not exist.
std::vector<std::string> expand_files(const std::vector<std::string>& paths, const std::string& code);

// Throws InputError with one diagnostic.
[[noreturn]] void usage_error(const std::string& code, const std::string& file, const std::string& message);

}  // namespace certtool::cli
