// How a verb plugs into the command line. Each verb lives in its own file
// (plan.cpp, ...) with one registration function that adds its subcommand,
// binds its options and returns what to run if it is the verb chosen. cli.cpp
// holds the list of registration functions and maps every exception to an exit
// code, so a verb only throws (InputError for bad input) or returns a result.
#pragma once

#include <functional>
#include <string>

#include <CLI/CLI.hpp>

#include "cli.hpp"
#include "exit_codes.hpp"

namespace certtool::cli {

struct Verb {
    CLI::App* command = nullptr;             // the subcommand, owned by the app
    std::function<ExitCode(Terminal&)> run;  // runs with the options parsed into it
};

Verb register_plan(CLI::App& app);
Verb register_csr(CLI::App& app);
Verb register_verify(CLI::App& app);
Verb register_audit(CLI::App& app);
Verb register_renew(CLI::App& app);
Verb register_ca(CLI::App& app);
Verb register_pfx(CLI::App& app);
Verb register_script(CLI::App& app);
Verb register_acme(CLI::App& app);

// Options and help text shared by several verbs, defined once.
void add_color_option(CLI::App& command, std::string& mode);   // --color auto|always|never
// For text written to term.out. no-color.org: NO_COLOR only turns the "auto"
// default off; an explicit --color always or never wins. The one place that
// reads term.no_color, so every verb with --color behaves the same.
bool use_color(const std::string& mode, const Terminal& term);
// The "Exit codes:" paragraph of a verb's --help footer, with what 0 and 1 mean for it.
std::string exit_codes_help(const std::string& success, const std::string& problems_found);

}  // namespace certtool::cli
