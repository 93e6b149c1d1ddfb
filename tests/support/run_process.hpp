// Runs the real certtool binary for end-to-end tests and captures what it did.
#pragma once

#include <string>
#include <vector>

namespace certtool::test {

struct ProcessResult {
    int exit_code = -1;  // -1 when killed by a signal
    std::string out;
    std::string err;
};

// Runs `program` with `args`, stdin from /dev/null, with extra environment
// entries ("NAME=value") added to the current environment, in the working
// directory `cwd` (the current one when empty).
ProcessResult run_process(const std::string& program, const std::vector<std::string>& args,
                          const std::vector<std::string>& extra_env = {}, const std::string& cwd = "");

// Runs the certtool binary under test.
ProcessResult run_certtool(const std::vector<std::string>& args, const std::vector<std::string>& extra_env = {},
                           const std::string& cwd = "");

std::string source_path(const std::string& relative);  // path under the source tree
std::string read_file(const std::string& path);

}  // namespace certtool::test
