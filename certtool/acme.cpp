// certtool acme: the plan's public-CA certificates from an ACME CA (RFC 8555),
// validated by DNS-01 through the admin's hook, checked like `verify` does.
#include <csignal>
#include <memory>

#include "acme/hook.hpp"
#include "acme/issue.hpp"
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

struct AcmeOptions {
    std::string topology;
    std::string server;
    std::string requests;
    std::string out;
    std::string dns_hook;
    std::vector<std::string> only;
    std::string account_key;
    std::vector<std::string> contact;
    bool agree_tos = false;
    std::string eab_kid;
    std::string eab_hmac_file;
    std::string eab_hmac_env;
    std::string ca_bundle;
    std::string profile;
    std::string dns_resolver;
    int dns_wait = 120;
    int hook_timeout = 60;
    int timeout = 30;
    int order_timeout = 300;
    int max_wait = 60;
    std::vector<std::string> trust;
    bool no_chain = false;
    std::optional<int> warn_days;
    bool force = false;
    std::string format = "table";
    std::string color = "auto";
};

volatile std::sig_atomic_t g_interrupted = 0;
extern "C" void on_interrupt(int) { g_interrupted = 1; }

// SIGINT and SIGTERM end the run at the next wait, after the hook's cleanup
// (a TXT record is never left behind by Ctrl-C); the old handlers come back after.
class InterruptGuard {
public:
    InterruptGuard() {
        struct sigaction action {};
        action.sa_handler = on_interrupt;
        sigemptyset(&action.sa_mask);
        ::sigaction(SIGINT, &action, &old_int_);
        ::sigaction(SIGTERM, &action, &old_term_);
        g_interrupted = 0;
    }
    ~InterruptGuard() {
        ::sigaction(SIGINT, &old_int_, nullptr);
        ::sigaction(SIGTERM, &old_term_, nullptr);
    }
    InterruptGuard(const InterruptGuard&) = delete;
    InterruptGuard& operator=(const InterruptGuard&) = delete;

private:
    struct sigaction old_int_ {};
    struct sigaction old_term_ {};
};

// The EAB key as the CA shows it (base64url), from a file's first line or a
// variable: never from argv.
Secret eab_key(const AcmeOptions& options) {
    Secret line;  // the value as given: every copy below is a Secret, wiped however this ends
    if (!options.eab_hmac_file.empty()) {
        const Secret whole(fs::read_file_bounded(options.eab_hmac_file, 4096, "acme.eab-file"));
        line = Secret(whole->substr(0, whole->find_first_of("\r\n")));  // only the first line counts
    } else {
        const char* value = std::getenv(options.eab_hmac_env.c_str());
        if (value == nullptr || *value == '\0')
            usage_error("acme.eab-env", "", "environment variable " + options.eab_hmac_env + " is not set or empty");
        line = Secret(std::string(value));
    }
    const auto end = line->find_last_not_of(" \t");
    const Secret text(line->substr(0, end == std::string::npos ? 0 : end + 1));
    Secret key;
    try {
        key = Secret(crypto::base64url_decode(*text));
    } catch (const crypto::CryptoError&) {
        usage_error("acme.eab-hmac", options.eab_hmac_file, "the EAB HMAC key is not base64url (as the CA shows it)");
    }
    if (key->size() < 16)
        usage_error("acme.eab-hmac", options.eab_hmac_file, "the EAB HMAC key is shorter than 16 bytes: is this the right value?");
    return key;
}

acme::IssueOptions issue_options(const AcmeOptions& options) {
    acme::IssueOptions o;
    o.directory_url = options.server;
    o.requests_dir = options.requests;
    o.out_dir = options.out;
    o.hook = acme::find_hook_program(options.dns_hook);
    if (o.hook.empty())
        usage_error("usage.dns-hook", options.dns_hook, "the DNS hook is not an executable file (it is run directly, without a shell)");
    o.only = options.only;
    o.account_key_file = options.account_key;
    for (const auto& c : options.contact)
        if (c.rfind("mailto:", 0) != 0 || c.size() <= 7)
            usage_error("usage.contact", "", "--contact takes a mailto: URL (mailto:pki@contoso.com), not '" + c + "'");
    o.contact = options.contact;
    o.agree_to_terms = options.agree_tos;
    if (options.eab_kid.empty() != (options.eab_hmac_file.empty() && options.eab_hmac_env.empty()))
        usage_error("usage.eab", "", "external account binding needs both --eab-kid and --eab-hmac-file (or --eab-hmac-env)");
    if (!options.eab_kid.empty()) {
        o.eab_kid = options.eab_kid;
        o.eab_hmac_key = eab_key(options);
        if (!options.eab_hmac_env.empty()) o.hidden_env.push_back(options.eab_hmac_env);
    }
    if (!options.ca_bundle.empty() && !fs::is_regular_file(options.ca_bundle) && !fs::exists(options.ca_bundle))
        usage_error("usage.ca-bundle", options.ca_bundle, "the CA bundle does not exist");
    o.ca_bundle = options.ca_bundle;
    o.profile = options.profile;
    if (!options.dns_resolver.empty()) {
        o.dns_resolver = dns::parse_server(options.dns_resolver);
        if (!o.dns_resolver)
            usage_error("usage.dns-resolver", "", "--dns-resolver takes IP[:PORT] (192.0.2.53, 192.0.2.53:5353, [2001:db8::53]:53), not '" +
                                                      options.dns_resolver + "'");
    }
    o.dns_wait = std::chrono::seconds(options.dns_wait);
    o.hook_timeout = std::chrono::seconds(options.hook_timeout);
    o.http_timeout = std::chrono::seconds(options.timeout);
    o.order_timeout = std::chrono::seconds(options.order_timeout);
    o.retry.max_wait = std::chrono::seconds(options.max_wait);
    o.force = options.force;
    CheckOptions check;
    check.trust = options.trust;
    check.no_chain = options.no_chain;
    check.warn_days = options.warn_days;
    o.check = make_context(check);
    o.user_agent = std::string("certtool/") + CERTTOOL_VERSION;
    o.cancelled = [] { return g_interrupted != 0; };
    return o;
}

ExitCode run_acme(const AcmeOptions& options, Terminal& term) {
    const model::Plan plan = load_plan(options.topology, PlanUse::write, options.force, term).plan;
    acme::IssueOptions o = issue_options(options);
    InterruptGuard guard;
    // Progress on stderr only where a person watches.
    acme::Progress progress;
    if (term.err_is_tty) progress = [&term](const std::string& message) { term.err << "certtool: " << message << "\n" << std::flush; };

    acme::Result result;
    try {
        result = acme::issue(plan, o, progress);
    } catch (const acme::Error& e) {
        term.err << "certtool: error: " << (e.where().empty() ? "" : e.where() + ": ") << e.what() << " [" << e.code() << "]\n";
        if (e.code() == "acme.interrupted") term.err << "certtool: interrupted; the hook's cleanup ran for every record presented\n";
        return ExitCode::problems_found;
    }
    o.eab_hmac_key.wipe();
    for (const auto& w : result.warnings) term.err << "certtool: warning: " << w << "\n";
    for (const auto& c : result.certificates)
        if (c.error) term.err << "certtool: error: " << c.id << ": " << c.error->where << ": " << c.error->message << " [" << c.error->code << "]\n";
    if (options.format == "json")
        report::render_acme_json(result, term.out);
    else
        report::render_acme_table(result, std::chrono::system_clock::now(), use_color(options.color, term), term.out);
    term.out.flush();
    return result.all_passed() ? ExitCode::success : ExitCode::problems_found;
}

}  // namespace

Verb register_acme(CLI::App& app) {
    auto options = std::make_shared<AcmeOptions>();
    CLI::App* command = app.add_subcommand("acme", "order the plan's public-CA certificates from an ACME CA (DNS-01 through a hook)");

    command->add_option("TOPOLOGY", options->topology, "topology file (certtool.topology/v1 JSON)")->required();
    command->add_option("--server", options->server, "the CA's ACME directory URL (https)")->required();
    command->add_option("--requests", options->requests, "folder of the requests certtool csr wrote (<id>.csr)")->required();
    command->add_option("--out", options->out, "folder for <id>.pem, <id>.chain.pem, acme-state.json and the account key (created 0700)")->required();
    command->add_option("--dns-hook", options->dns_hook, "program run as: CMD present|cleanup _acme-challenge.<name>. <value> (no shell)")->required();
    add_only_option(*command, options->only, "order (public-CA ones)");
    command->add_option("--account-key", options->account_key, "account key (PEM); created (ECDSA P-256, 0600) when missing; default <out>/acme-account.key");
    command->add_option("--contact", options->contact, "contact for a new account, mailto:...; repeatable")->allow_extra_args(false);
    command->add_flag("--agree-tos", options->agree_tos, "agree to the CA's terms of service when a new account is created");
    command->add_option("--eab-kid", options->eab_kid, "external account binding: the key id the CA gave");
    auto* eab_file = command->add_option("--eab-hmac-file", options->eab_hmac_file, "external account binding: file whose first line is the HMAC key (base64url)");
    auto* eab_env = command->add_option("--eab-hmac-env", options->eab_hmac_env, "external account binding: environment variable holding the HMAC key");
    eab_file->excludes(eab_env);
    command->add_option("--ca-bundle", options->ca_bundle, "PEM roots for the CA's own TLS certificate (a private or test CA); default: the system store");
    command->add_option("--profile", options->profile, "certificate profile to ask for, when the CA's directory offers profiles");
    command->add_option("--dns-resolver", options->dns_resolver, "wait until the TXT records are visible at this DNS server, IP[:PORT], before answering");
    command->add_option("--dns-wait", options->dns_wait, "seconds to wait for the TXT records at --dns-resolver")->capture_default_str()->check(CLI::Range(1, 3600));
    command->add_option("--hook-timeout", options->hook_timeout, "seconds one hook run may take; then its process group is killed")
        ->capture_default_str()
        ->check(CLI::Range(1, 3600));
    command->add_option("--timeout", options->timeout, "seconds one request to the CA may take, answer included")->capture_default_str()->check(CLI::Range(1, 600));
    command->add_option("--order-timeout", options->order_timeout, "seconds to wait for the CA to validate and issue one certificate")
        ->capture_default_str()
        ->check(CLI::Range(1, 3600));
    command->add_option("--max-wait", options->max_wait, "longest Retry-After (seconds) certtool waits before a retry; longer is an error")
        ->capture_default_str()
        ->check(CLI::Range(0, 3600));
    command->add_option("--trust", options->trust, "PEM roots for checking the issued chain (repeatable); default: the system store");
    command->add_flag("--no-chain", options->no_chain, "do not validate the issued chain");
    command->add_option("--warn-days", options->warn_days, "warn when a certificate expires within this many days (default: a third of its lifetime, at least its -Roll lead time)")->check(CLI::Range(0, 3650));
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
