// Runs a shell command line in a unit test (openssl, GnuTLS certtool) and
// captures what it printed. The command's arguments are temp paths the test
// made, so no quoting is needed.
#pragma once

#include <string>

namespace certtool::test {

struct ShellOutput {
    int status = -1;   // exit status, -1 when it did not exit normally
    std::string text;  // stdout and stderr together
};

ShellOutput run_shell(const std::string& command);

}  // namespace certtool::test
