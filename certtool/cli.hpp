// The certtool command line as a function: arguments and a terminal in, an exit
// code out. main.cpp only supplies the real terminal, so that tests can run any
// command in process with string streams and compare exact output.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace certtool::cli {

struct Terminal {
    std::ostream& out;
    std::ostream& err;
    bool out_is_tty = false;
    bool err_is_tty = false;
    bool no_color = false;  // the NO_COLOR environment variable is set and not empty (no-color.org)
};

// `args` are the arguments after the program name. Returns an ExitCode value
// (exit_codes.hpp); never throws.
int run(const std::vector<std::string>& args, Terminal& term);

}  // namespace certtool::cli
