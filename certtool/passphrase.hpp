// Where a verb gets a passphrase: --passphrase-file, --passphrase-env, or (only
// when neither is given and one is needed) a prompt on the terminal. Never argv.
#pragma once

#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "core/secret.hpp"

namespace certtool::cli {

struct PassphraseOptions {
    std::string file;
    std::string env;
};

// Adds --passphrase-file and --passphrase-env (mutually exclusive) to a verb.
void add_passphrase_options(CLI::App& command, PassphraseOptions& options, const std::string& purpose);

// The passphrase from the file or variable given; none when neither was.
Secret passphrase_given(const PassphraseOptions& options);

// The same, but prompts on /dev/tty (twice when `confirm`) when neither was
// given; throws InputError "passphrase.missing" when there is no terminal.
Secret passphrase_required(const PassphraseOptions& options, const std::string& prompt, bool confirm);

}  // namespace certtool::cli
