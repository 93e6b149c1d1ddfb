#include "passphrase.hpp"

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include "core/diagnostic.hpp"
#include "fs/secrets.hpp"

namespace certtool::cli {

namespace {

[[noreturn]] void missing(const std::string& why) {
    throw InputError(Diagnostic{"passphrase.missing", "", "", 0, 0, why});
}

// Reads one line from the terminal with echo off.
Secret ask(int tty, const std::string& prompt) {
    (void)!::write(tty, prompt.data(), prompt.size());
    termios saved{};
    const bool is_terminal = ::tcgetattr(tty, &saved) == 0;
    if (is_terminal) {
        termios quiet = saved;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        ::tcsetattr(tty, TCSAFLUSH, &quiet);
    }
    // Room for any passphrase a person types: growing leaves copies in freed memory.
    std::string line;
    line.reserve(4096);
    char c = 0;
    while (::read(tty, &c, 1) == 1 && c != '\n') line += c;
    if (is_terminal) ::tcsetattr(tty, TCSAFLUSH, &saved);
    (void)!::write(tty, "\n", 1);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return Secret(std::move(line));
}

}  // namespace

void add_passphrase_options(CLI::App& command, PassphraseOptions& options, const std::string& purpose) {
    auto* file = command.add_option("--passphrase-file", options.file,
                                    "read the passphrase " + purpose + " from the first line of this file");
    auto* env = command.add_option("--passphrase-env", options.env,
                                   "read the passphrase " + purpose + " from this environment variable");
    file->excludes(env);
}

Secret passphrase_given(const PassphraseOptions& options) {
    if (!options.file.empty()) return Secret(fs::passphrase_from_file(options.file));
    if (!options.env.empty()) return Secret(fs::passphrase_from_env(options.env));
    return {};
}

Secret passphrase_required(const PassphraseOptions& options, const std::string& prompt, bool confirm) {
    if (Secret given = passphrase_given(options)) return given;
    const int tty = ::open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (tty < 0) missing("a passphrase is needed: give --passphrase-file FILE or --passphrase-env VAR (no terminal to ask on)");
    Secret first = ask(tty, prompt + ": ");
    if (confirm && *ask(tty, "Again: ") != *first) {
        ::close(tty);
        missing("the two passphrases differ");
    }
    ::close(tty);
    if ((*first).empty()) missing("the passphrase is empty");
    return first;
}

}  // namespace certtool::cli
