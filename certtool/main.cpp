// certtool: plans, checks and audits certificates for Lync Server 2013. All the
// command-line logic is in cli.cpp; this only connects it to the real terminal.
#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include "cli.hpp"
#include "crypto/process.hpp"

int main(int argc, char** argv) {
    certtool::crypto::configure_process();
    const char* no_color = std::getenv("NO_COLOR");
    certtool::cli::Terminal term{std::cout, std::cerr, isatty(STDOUT_FILENO) == 1, isatty(STDERR_FILENO) == 1,
                                 no_color != nullptr && *no_color != '\0'};
    return certtool::cli::run(std::vector<std::string>(argv + (argc > 0 ? 1 : 0), argv + argc), term);
}
