// The options and help text several verbs share, each defined once (verb.hpp).
#include "check_options.hpp"
#include "core/diagnostic.hpp"
#include "core/time.hpp"
#include "fs/safe_file.hpp"
#include "plan_policy.hpp"
#include "verb.hpp"

namespace certtool::cli {

void add_color_option(CLI::App& command, std::string& mode) {
    command.add_option("--color", mode,
                       "colour the output: auto (when writing to a terminal and NO_COLOR is unset), always, never "
                       "(always and never win over NO_COLOR)")
        ->check(CLI::IsMember({"auto", "always", "never"}))
        ->capture_default_str();
}

bool use_color(const std::string& mode, const Terminal& term) {
    if (mode == "always") return true;
    if (mode == "never") return false;
    return term.out_is_tty && !term.no_color;
}

std::string exit_codes_help(const std::string& success, const std::string& problems_found, bool writes_from_plan) {
    return "Exit codes:\n"
           "  0  " + success + "\n"
           "  1  " + problems_found + "\n"
           "  2  bad usage or bad input (every problem is printed with its file and JSON path)" +
           (writes_from_plan ? ", or a plan with\n     error findings and no --force (README \"A plan with errors\"): nothing was written" : "") + "\n"
           "  3  internal error (a bug: please report it)\n";
}

void add_only_option(CLI::App& command, std::vector<std::string>& only, const std::string& what) {
    command.add_option("--only", only, what + " only certificates with this role (e.g. edge-external) or id; repeatable, or comma-separated")
        ->delimiter(',')
        ->allow_extra_args(false);
}

void add_format_option(CLI::App& command, std::string& format, const std::vector<std::pair<std::string, std::string>>& formats) {
    std::string help = "output format: ";
    std::vector<std::string> names;
    for (const auto& [name, what] : formats) {
        help += (names.empty() ? "" : ", ") + name + (what.empty() ? "" : " (" + what + ")");
        names.push_back(name);
    }
    format = names.front();
    command.add_option("--format", format, help)->check(CLI::IsMember(names))->capture_default_str();
}

void add_out_option(CLI::App& command, std::string& out) {
    command.add_option("--out", out,
                       "write the report to this file (atomically, replacing an earlier run's) instead of standard output");
}

void write_output(const std::string& path, const std::string& text, Terminal& term) {
    if (path.empty()) {
        term.out << text;
        term.out.flush();
        return;
    }
    fs::write_file_atomic(path, text, {0644, true});
}

void add_critical_days_option(CLI::App& command, std::optional<int>& days) {
    command
        .add_option("--critical-days", days,
                    "nagios: CRITICAL with fewer days left (default: half of each certificate's renewal window, never under its -Roll lead)")
        ->check(CLI::Range(0, 3650));
}

ExitCode as_nagios_plugin(Terminal& term, const std::function<ExitCode()>& verb) {
    std::string why;
    try {
        return verb();
    } catch (const InputError& e) {
        for (const auto& d : e.diagnostics()) {
            term.err << "certtool: error: " << d.to_string() << "\n";
            why += (why.empty() ? "" : "; ") + d.to_string();
        }
    } catch (const std::exception& e) {
        term.err << "certtool: internal error: " << e.what() << "\n";
        why = std::string("internal error: ") + e.what();
    }
    std::string line;
    for (const char ch : why) line += (ch == '|' || static_cast<unsigned char>(ch) < 0x20) ? ' ' : ch;
    term.out << "CERTTOOL UNKNOWN - " << line << "\n";
    term.out.flush();
    return ExitCode::internal;  // 3, UNKNOWN
}

namespace {
constexpr const char* kAtFormats = "2026-12-01, 2026-12-01T08:00:00Z, 2026-12-01 08:00:00.5+01:00";
}

void add_at_option(CLI::App& command, std::string& at, const std::string& purpose) {
    command.add_option("--at", at, purpose + " this time instead of now: ISO 8601, UTC unless an offset is given, e.g. " + kAtFormats);
}

TimePoint at_or_now(const std::string& at) {
    if (at.empty()) return std::chrono::system_clock::now();
    const auto parsed = parse_utc(at);
    if (!parsed)
        usage_error("usage.at", "", "--at takes an ISO 8601 time (a date, or a date and time with optional fractional seconds and "
                                    "an offset; UTC unless an offset is given) such as " + std::string(kAtFormats) + ", not '" + at + "'");
    return *parsed;
}

void add_force_option(CLI::App& command, bool& force, const std::string& also) {
    command.add_flag("--force", force, force_help(also));
}

}  // namespace certtool::cli
