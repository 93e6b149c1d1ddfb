// The DNS-01 hook: an admin's program that publishes and removes the TXT record,
// called the way lego's exec provider calls one, so existing hooks work:
//   PROGRAM present _acme-challenge.<name>. <value>
//   PROGRAM cleanup _acme-challenge.<name>. <value>
// The program is run directly (no shell, no word splitting), in its own process
// group, stdin from /dev/null, stdout and stderr captured; when it outlives its
// time limit the whole group is killed (SIGTERM, then SIGKILL a second later).
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace certtool::acme {

struct HookRun {
    int exit_code = -1;     // -1 when it did not exit normally
    int signal = 0;         // the signal that ended it, if one did
    bool timed_out = false; // killed by us at the time limit
    bool cancelled = false; // killed by us because the run was interrupted
    std::string output;     // stdout and stderr, interleaved, the last 64 KiB
    std::chrono::milliseconds elapsed{0};
    [[nodiscard]] bool ok() const { return exit_code == 0 && !timed_out && !cancelled; }
};

// The program a --dns-hook value names: a path as given, or a bare name looked
// up in PATH as a shell would. "" when there is no such executable file.
std::string find_hook_program(const std::string& name);

// Runs `program` with `args`. `hidden_env`: environment variables the hook must
// not inherit (the one holding the EAB key). `cancelled` is polled; true ends
// the hook as a timeout would. Never throws for what the hook does.
HookRun run_hook(const std::string& program, const std::vector<std::string>& args, std::chrono::milliseconds timeout,
                 const std::vector<std::string>& hidden_env = {}, const std::function<bool()>& cancelled = {});

// The end of a hook's output, for an error message: the last `max_lines`
// lines, control characters made visible, each indented by "    ".
std::string output_tail(const std::string& output, std::size_t max_lines = 12);

}  // namespace certtool::acme
