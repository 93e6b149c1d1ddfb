// Passphrases, from the places certtool accepts them: a file or an environment
// variable (the command line never: argv is visible to every user via ps).
#pragma once

#include <string>

namespace certtool::fs {

// The first line of `path` (a trailing "\n" or "\r\n" removed). Throws
// InputError "passphrase.file" (unreadable, over 4 KiB) or "passphrase.empty".
std::string passphrase_from_file(const std::string& path);

// The value of environment variable `name`. Throws InputError
// "passphrase.env-unset" or "passphrase.empty".
std::string passphrase_from_env(const std::string& name);

}  // namespace certtool::fs
