// The one process runner of the end-to-end tests: the real certtool binary,
// another program, a shell command line, or certtool's command line in process;
// each returns what it printed and how it ended.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace certtool::test {

struct ProcessResult {
    int exit_code = -1;  // -1 when killed by a signal
    std::string out;
    std::string err;
    bool killed = false;  // true when RunOptions made us send SIGKILL
    long max_rss_kb = 0;  // the child's peak resident set size (ru_maxrss of wait4), in KiB
    std::chrono::milliseconds elapsed{0};  // wall time from spawn to exit
};

// How to run the child, beyond program, arguments, environment and directory.
struct RunOptions {
    // Run the child in a new session (setsid): it has no controlling terminal, so
    // opening /dev/tty fails even when the tests run in a terminal.
    bool new_session = false;
    // SIGKILL the child this long after it started (zero: never by time).
    std::chrono::milliseconds kill_after{0};
    // Polled about every millisecond while the child runs: SIGKILL it as soon as
    // this returns true (for example when a file it writes appears).
    std::function<bool()> kill_when;
    // Give up waiting for the condition (then the child runs to its end).
    std::chrono::milliseconds kill_when_timeout{std::chrono::minutes(5)};
};

// Runs `program` with `args`, stdin from /dev/null, with extra environment
// entries ("NAME=value") added to the current environment, in the working
// directory `cwd` (the current one when empty).
ProcessResult run_process(const std::string& program, const std::vector<std::string>& args,
                          const std::vector<std::string>& extra_env = {}, const std::string& cwd = "");
ProcessResult run_process(const std::string& program, const std::vector<std::string>& args,
                          const std::vector<std::string>& extra_env, const std::string& cwd, const RunOptions& options);

// Runs the certtool binary under test.
ProcessResult run_certtool(const std::vector<std::string>& args, const std::vector<std::string>& extra_env = {},
                           const std::string& cwd = "");
ProcessResult run_certtool(const std::vector<std::string>& args, const std::vector<std::string>& extra_env,
                           const std::string& cwd, const RunOptions& options);

// certtool's command line in this process (certtool::cli::run with string
// streams, no terminal): for tests that read what a verb prints and writes and
// put no process boundary under test (the exit code of main, signals, stdin or
// a terminal, the environment, what crosses exec). Every verb keeps at least
// one test through run_certtool. `elapsed` is set; `max_rss_kb` is not.
ProcessResult run_in_process(const std::vector<std::string>& args);

// /bin/sh -c COMMAND in `cwd` (the current directory when empty).
ProcessResult run_shell_command(const std::string& command, const std::string& cwd = "");
// The same, REQUIREd to exit 0 (the failure shows the command and its output); returns stdout.
std::string shell_ok(const std::string& command, const std::string& cwd = "");

// Runs the certtool binary with stdout and stderr on a new pseudo-terminal (its
// controlling terminal), NO_COLOR set or not; returns what it wrote there, or
// nothing where this system has no pseudo-terminals. Killed after a minute.
std::optional<ProcessResult> run_certtool_on_terminal(const std::vector<std::string>& args, bool no_color);

std::string source_path(const std::string& relative);  // path under the source tree
std::string read_file(const std::string& path);

}  // namespace certtool::test
