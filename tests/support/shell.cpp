#include "shell.hpp"

#include <sys/wait.h>

#include <array>
#include <cstdio>

namespace certtool::test {

ShellOutput run_shell(const std::string& command) {
    ShellOutput out;
    FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
    if (pipe == nullptr) return out;
    std::array<char, 4096> buf{};
    std::size_t n = 0;
    while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0) out.text.append(buf.data(), n);
    const int rc = ::pclose(pipe);
    out.status = (rc != -1 && WIFEXITED(rc)) ? WEXITSTATUS(rc) : -1;
    return out;
}

}  // namespace certtool::test
