#include "fs/secrets.hpp"

#include <cstdlib>

#include "core/diagnostic.hpp"
#include "fs/safe_file.hpp"

namespace certtool::fs {

namespace {
[[noreturn]] void fail(const std::string& code, const std::string& where, const std::string& message) {
    throw InputError(Diagnostic{code, where, "", 0, 0, message});
}
}  // namespace

std::string passphrase_from_file(const std::string& path) {
    std::string text = read_file_bounded(path, 4096, "passphrase.file");
    const auto end = text.find_first_of("\r\n");
    if (end != std::string::npos) {
        // Only the first line counts; wipe the rest before it is dropped.
        for (auto i = end; i < text.size(); ++i) text[i] = '\0';
        text.resize(end);
    }
    if (text.empty()) fail("passphrase.empty", path, "the passphrase file is empty");
    return text;
}

std::string passphrase_from_env(const std::string& name) {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) fail("passphrase.env-unset", "", "environment variable " + name + " is not set");
    if (*value == '\0') fail("passphrase.empty", "", "environment variable " + name + " is empty");
    return value;
}

}  // namespace certtool::fs
