// Parsing, dispatch and the one place where outcomes become exit codes.
#include "cli.hpp"

#include <algorithm>

#include "core/diagnostic.hpp"
#include "verb.hpp"

namespace certtool::cli {

namespace {

// Every verb, in the order `certtool --help` lists them.
constexpr Verb (*kVerbs[])(CLI::App&) = {
    register_plan,
    register_csr,
    register_verify,
    register_audit,
    register_renew,
    register_ca,
    register_pfx,
    register_script,
};

int code(ExitCode c) { return static_cast<int>(c); }

// "certtool plan" when the error happened inside a verb, else "certtool".
std::string command_name(const CLI::App& app) {
    const auto chosen = app.get_subcommands();
    return chosen.empty() ? app.get_name() : app.get_name() + " " + chosen.front()->get_name();
}

}  // namespace

void add_color_option(CLI::App& command, std::string& mode) {
    command.add_option("--color", mode, "colour the output: auto (when writing to a terminal and NO_COLOR is unset), always, never")
        ->check(CLI::IsMember({"auto", "always", "never"}))
        ->capture_default_str();
}

bool use_color(const std::string& mode, const Terminal& term) {
    if (mode == "always") return true;
    if (mode == "never") return false;
    return term.out_is_tty && !term.no_color;
}

std::string exit_codes_help(const std::string& success, const std::string& problems_found) {
    return "Exit codes:\n"
           "  0  " + success + "\n"
           "  1  " + problems_found + "\n"
           "  2  bad usage or bad input (every problem is printed with its file and JSON path)\n"
           "  3  internal error (a bug: please report it)\n";
}

int run(const std::vector<std::string>& args, Terminal& term) {
    CLI::App app{"Plans certificates for Microsoft Lync Server 2013 external access.", "certtool"};
    app.set_version_flag("--version", std::string("certtool ") + CERTTOOL_VERSION, "print the version and exit");
    app.require_subcommand(0, 1);
    app.footer("Run 'certtool <command> --help' for a command's arguments, exit codes and examples.");

    std::vector<Verb> verbs;
    for (const auto add : kVerbs) verbs.push_back(add(app));

    try {
        std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 consumes from the back
        app.parse(reversed);

        const auto chosen = std::find_if(verbs.begin(), verbs.end(), [](const Verb& v) { return v.command->parsed(); });
        if (chosen == verbs.end()) {
            term.err << app.help() << "certtool: error: no command given\n";
            return code(ExitCode::usage);
        }
        return code(chosen->run(term));
    } catch (const CLI::ParseError& e) {
        // --help and --version arrive here too, with exit code 0.
        if (e.get_exit_code() == 0) return app.exit(e, term.out, term.err);
        term.err << "certtool: error: " << e.what() << "\n"
                 << "Run '" << command_name(app) << " --help' for more information.\n";
        return code(ExitCode::usage);
    } catch (const InputError& e) {
        for (const auto& d : e.diagnostics()) term.err << "certtool: error: " << d.to_string() << "\n";
        return code(ExitCode::usage);
    } catch (const std::exception& e) {
        term.err << "certtool: internal error: " << e.what() << "\n";
        return code(ExitCode::internal);
    } catch (...) {
        term.err << "certtool: internal error: unknown exception\n";
        return code(ExitCode::internal);
    }
}

}  // namespace certtool::cli
