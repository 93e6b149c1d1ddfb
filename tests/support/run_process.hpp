// Runs the real certtool binary for end-to-end tests and captures what it did.
#pragma once

#include <chrono>
#include <functional>
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

std::string source_path(const std::string& relative);  // path under the source tree
std::string read_file(const std::string& path);

}  // namespace certtool::test
