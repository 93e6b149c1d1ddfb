// How a verb plugs into the command line. Each verb lives in its own file
// (plan.cpp, ...) with one registration function that adds its subcommand,
// binds its options and returns what to run if it is the verb chosen. cli.cpp
// holds the list of registration functions and maps every exception to an exit
// code, so a verb only throws (InputError for bad input) or returns a result.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli.hpp"
#include "core/time.hpp"
#include "exit_codes.hpp"

namespace certtool::cli {

struct Verb {
    CLI::App* command = nullptr;             // the subcommand, owned by the app
    std::function<ExitCode(Terminal&)> run;  // runs with the options parsed into it
};

Verb register_import(CLI::App& app);
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
// The "Exit codes:" paragraph of a verb's --help footer, with what 0 and 1 mean
// for it; `writes_from_plan` adds the plan-with-errors refusal to exit 2.
std::string exit_codes_help(const std::string& success, const std::string& problems_found, bool writes_from_plan = false);
// --only ROLE|ID, repeatable or comma-separated; `what` begins its help ("audit").
void add_only_option(CLI::App& command, std::vector<std::string>& only, const std::string& what);
// --format: one of `formats` (name, what it is for), the first the default.
void add_format_option(CLI::App& command, std::string& format, const std::vector<std::pair<std::string, std::string>>& formats);
// --out FILE: the report goes to FILE instead of standard output.
void add_out_option(CLI::App& command, std::string& out);
// Writes a report: to term.out when `path` is "", else to `path` atomically
// (a temporary file beside it, then a rename: a reader such as node_exporter's
// textfile collector sees the old file or the new one, never half), replacing
// the file of an earlier run. Throws InputError (output.*) naming the path.
void write_output(const std::string& path, const std::string& text, Terminal& term);
// --critical-days N for --format nagios (audit, verify).
void add_critical_days_option(CLI::App& command, std::optional<int>& days);

// Runs a verb as a Nagios plugin: bad input or a failure that stops the check
// is "CERTTOOL UNKNOWN - <why>" on standard output and exit 3 (Monitoring
// Plugins guidelines: UNKNOWN for invalid arguments and checks that could not
// run), the usual error lines on standard error. Command-line syntax errors
// are caught before the verb runs and keep exit 2.
ExitCode as_nagios_plugin(Terminal& term, const std::function<ExitCode()>& verb);

// --at TIME; `purpose` begins its help ("check as at").
void add_at_option(CLI::App& command, std::string& at, const std::string& purpose);
// The time --at gave, or now. Throws InputError usage.at, naming the forms accepted.
TimePoint at_or_now(const std::string& at);
// --force: go on despite plan error findings (plan_policy.hpp), and `also` ("" for nothing else).
void add_force_option(CLI::App& command, bool& force, const std::string& also);

}  // namespace certtool::cli
