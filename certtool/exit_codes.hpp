// certtool's exit codes: the same meaning for every verb, so that scripts can
// branch on them. Mapped from results and exceptions in one place (cli.cpp).
#pragma once

namespace certtool::cli {

enum class ExitCode : int {
    success = 0,         // the job ran and found nothing wrong
    problems_found = 1,  // the job ran and found problems (e.g. a plan with error findings)
    usage = 2,           // bad usage or bad input (command line, unreadable or invalid file): nothing was done
    internal = 3,        // an unexpected internal error: a bug in certtool
};

}  // namespace certtool::cli
