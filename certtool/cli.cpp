// Parsing, dispatch and the one place where outcomes become exit codes.
#include "cli.hpp"

#include <algorithm>
#include <cctype>
#include <set>

#include "core/diagnostic.hpp"
#include "verb.hpp"

namespace certtool::cli {

namespace {

// Every verb, in the order `certtool --help` lists them.
constexpr Verb (*kVerbs[])(CLI::App&) = {
    register_import,
    register_plan,
    register_csr,
    register_verify,
    register_audit,
    register_renew,
    register_ca,
    register_pfx,
    register_script,
    register_acme,
};

int code(ExitCode c) { return static_cast<int>(c); }

// "certtool plan" when the error happened inside a verb, else "certtool".
std::string command_name(const CLI::App& app) {
    const auto chosen = app.get_subcommands();
    return chosen.empty() ? app.get_name() : app.get_name() + " " + chosen.front()->get_name();
}

bool looks_like_option(const std::string& a) { return a.size() > 1 && a[0] == '-'; }

// CLI11 would list the unexpected arguments verbatim, and one of them may be a
// secret typed as an option's value (`--passphrase SECRET`, `--password=SECRET`,
// `-pSECRET`), which must not reach a log. Lists the unknown options by name
// only, and hides every value that follows one.
std::string unexpected_arguments(const std::vector<std::string>& args, const std::vector<std::string>& extras) {
    std::multiset<std::string> unexpected(extras.begin(), extras.end());
    std::set<std::string> hidden;  // values given after an unknown option
    for (std::size_t i = 0; i + 1 < args.size(); ++i)
        if (looks_like_option(args[i]) && args[i].find('=') == std::string::npos && unexpected.count(args[i]) > 0 &&
            !looks_like_option(args[i + 1]))
            hidden.insert(args[i + 1]);
    const std::string not_shown = "<value not shown>";
    std::vector<std::string> listed;
    bool about_passwords = false;
    for (const auto& a : args) {
        const auto it = unexpected.find(a);
        if (it == unexpected.end()) continue;
        unexpected.erase(it);
        if (!looks_like_option(a)) {
            listed.push_back(hidden.count(a) > 0 ? not_shown : a);
            continue;
        }
        std::string name = a;
        if (const auto eq = a.find('='); eq != std::string::npos) {
            name = a.substr(0, eq);
            listed.push_back(name + "=" + not_shown);
        } else if (a.size() > 2 && a[1] != '-') {
            name = a.substr(0, 2);  // -pVALUE
            listed.push_back(name + not_shown);
        } else {
            listed.push_back(a);
        }
        std::string lower = name;
        std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        about_passwords = about_passwords || lower.find("pass") != std::string::npos || lower.find("secret") != std::string::npos;
    }
    std::string text = listed.size() == 1 ? "The following argument was not expected:" : "The following arguments were not expected:";
    for (const auto& l : listed) text += " " + l;
    if (listed.empty()) text = "unexpected arguments (not shown: one may be a secret)";
    if (about_passwords)
        text += "; passphrases are never taken from the command line (every user can read it): use --passphrase-file FILE "
                "or --passphrase-env VAR where the command takes one";
    return text;
}

}  // namespace

int run(const std::vector<std::string>& args, Terminal& term) {
    CLI::App app{"Plans certificates for Microsoft Lync Server 2013 and Skype for Business Server external access.", "certtool"};
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
    } catch (const CLI::ExtrasError&) {
        term.err << "certtool: error: " << unexpected_arguments(args, app.remaining(true)) << "\n"
                 << "Run '" << command_name(app) << " --help' for more information.\n";
        return code(ExitCode::usage);
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
