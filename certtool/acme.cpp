// certtool acme: the plan's public-CA certificates from an ACME CA (RFC 8555),
// validated by DNS-01 through the admin's hook, checked like `verify` does.
#include <memory>

#include "acme/issue.hpp"
#include "acme_options.hpp"
#include "check_options.hpp"
#include "core/diagnostic.hpp"
#include "core/time.hpp"
#include "crypto/jose.hpp"
#include "crypto/keys.hpp"
#include "fs/safe_file.hpp"
#include "plan_policy.hpp"
#include "report/acme_report.hpp"
#include "verb.hpp"

namespace certtool::cli {

namespace {

struct AcmeVerbOptions {
    std::string topology;
    std::string requests;
    std::string out;
    std::vector<std::string> only;
    AcmeOptions acme;
    bool force = false;
    std::string format = "table";
    std::string color = "auto";
};

ExitCode run_acme(const AcmeVerbOptions& options, Terminal& term) {
    const model::Plan plan = load_plan(options.topology, PlanUse::write, options.force, term).plan;
    acme::IssueOptions o = issue_options(options.acme, options.force);
    o.requests_dir = options.requests;
    o.out_dir = options.out;
    o.only = options.only;
    InterruptGuard guard;
    // Progress on stderr only where a person watches.
    acme::Progress progress;
    if (term.err_is_tty) progress = [&term](const std::string& message) { term.err << "certtool: " << message << "\n" << std::flush; };

    acme::Result result;
    try {
        result = acme::issue(plan, o, progress);
    } catch (const acme::Error& e) {
        print_acme_error(e, term.err);
        return ExitCode::problems_found;
    }
    o.eab_hmac_key.wipe();
    print_acme_problems(result, term.err);
    if (options.format == "json")
        report::render_acme_json(result, term.out);
    else
        report::render_acme_table(result, std::chrono::system_clock::now(), use_color(options.color, term), term.out);
    term.out.flush();
    return result.all_passed() ? ExitCode::success : ExitCode::problems_found;
}

}  // namespace

Verb register_acme(CLI::App& app) {
    auto options = std::make_shared<AcmeVerbOptions>();
    CLI::App* command = app.add_subcommand("acme", "order the plan's public-CA certificates from an ACME CA (DNS-01 through a hook)");

    command->add_option("TOPOLOGY", options->topology, "topology file (certtool.topology/v1 JSON)")->required();
    for (auto* option : add_acme_options(*command, options->acme, "<out>/acme-account.key"))
        if (option->get_name() == "--server" || option->get_name() == "--dns-hook") option->required();
    command->add_option("--requests", options->requests, "folder of the requests certtool csr wrote (<id>.csr)")->required();
    command->add_option("--out", options->out, "folder for <id>.pem, <id>.chain.pem, acme-state.json and the account key (created 0700)")->required();
    add_only_option(*command, options->only, "order (public-CA ones)");
    add_force_option(*command, options->force, "order again although a certificate for the request is in place");
    add_format_option(*command, options->format, {{"table", "for people"}, {"json", "certtool.acme/v1"}});
    add_color_option(*command, options->color);

    command->footer("Arguments:\n"
                    "  TOPOLOGY  the topology (certtool.topology/v1); only its public-CA certificates are ordered, one order each\n"
                    "\n"
                    "Reads <requests>/<id>.csr (certtool csr); writes into --out, each file atomically:\n"
                    "  <id>.pem        the certificate          <id>.chain.pem  certificate and intermediates\n"
                    "  acme-state.json directory, account and order URLs, so that a rerun continues instead of ordering twice\n"
                    "  acme-account.key (unless --account-key) ECDSA P-256, 0600, reused\n"
                    "A certificate in place for the same request and names is not ordered again (--force orders anyway);\n"
                    "a replaced one is kept as <id>.pem.replaced-<UTC>. The hook's cleanup always runs.\n"
                    "\n"
                    "Exit codes:\n"
                    "  0  every certificate is in place and passes the verify checks (warnings allowed)\n"
                    "  1  an order failed (the CA, the hook, DNS: code and message printed), or a certificate fails a check\n"
                    "  2  bad usage or bad input (topology, requests, options), or a plan with error findings and no --force\n"
                    "     (README \"A plan with errors\"); nothing was sent to the CA\n"
                    "  3  internal error (a bug: please report it)\n"
                    "\n"
                    "Examples:\n"
                    "  certtool csr site.json --out req/\n"
                    "  certtool acme site.json --server https://acme-v02.api.letsencrypt.org/directory --requests req/ --out issued/ \\\n"
                    "      --dns-hook /etc/certtool/dns-hook --contact mailto:pki@contoso.com --agree-tos --profile classic\n"
                    "  CERTTOOL_NSUPDATE_SERVER=192.0.2.53 CERTTOOL_NSUPDATE_KEYFILE=/etc/certtool/tsig.key \\\n"
                    "    certtool acme site.json --server https://ca.contoso.com/acme/directory --ca-bundle root.pem --requests req/ \\\n"
                    "      --out issued/ --dns-hook templates/dns-hook-nsupdate.sh --dns-resolver 192.0.2.53 --trust root.pem\n");

    return {command, [options](Terminal& term) { return run_acme(*options, term); }};
}

}  // namespace certtool::cli
