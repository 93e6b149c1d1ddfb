// How a run of certtool created its files, read from strace: for every file,
// the open(O_CREAT) that made it (the flags and the mode given at creation),
// following the temporary file renamed onto it, and every chmod-family call.
// This is what "a key is 0600 from creation, never chmod-ed" means on disk:
// the final mode alone cannot tell a file that was briefly 0644.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "run_process.hpp"

namespace certtool::test {

struct Creation {
    std::string opened;  // the path given to open/openat/creat (the temporary, or the file itself)
    std::string flags;   // "O_WRONLY|O_CREAT|O_EXCL|..." as strace prints them
    std::string mode;    // "0600"
    [[nodiscard]] bool exclusive() const;  // O_CREAT and O_EXCL
};

struct SyscallTrace {
    bool available = false;  // false: strace missing or not permitted here (see `why`)
    std::string why;
    ProcessResult result;                   // of the traced certtool run
    std::map<std::string, Creation> files;  // final path -> its creation (renames followed)
    std::set<std::string> chmodded;         // paths chmod-ed (fchmod resolved through the descriptor), temporaries included
    std::vector<std::string> chmod_calls;   // every chmod-family line, for the failure message
    std::string text;                       // the whole trace, for the failure message
};

// Whether /usr/bin/strace exists and may trace here (ptrace can be forbidden in containers).
bool strace_usable(std::string* why);

// Runs certtool ARGS under `strace -f` (one trace file per thread: no interleaved
// lines), tracing open, openat, creat, the chmod family and the rename family.
// `trace_dir` receives the trace files. Paths given to certtool should be
// absolute, so that they match the keys of `files`.
SyscallTrace trace_certtool(const std::vector<std::string>& args, const std::vector<std::string>& env,
                            const std::string& trace_dir);

}  // namespace certtool::test
