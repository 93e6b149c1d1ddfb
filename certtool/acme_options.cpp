#include "acme_options.hpp"

#include <cstdlib>
#include <ostream>

#include "acme/hook.hpp"
#include "check_options.hpp"
#include "crypto/jose.hpp"
#include "fs/safe_file.hpp"

namespace certtool::cli {

namespace {

volatile std::sig_atomic_t g_interrupted = 0;
extern "C" void on_interrupt(int) { g_interrupted = 1; }

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

}  // namespace

InterruptGuard::InterruptGuard() {
    struct sigaction action {};
    action.sa_handler = on_interrupt;
    sigemptyset(&action.sa_mask);
    ::sigaction(SIGINT, &action, &old_int_);
    ::sigaction(SIGTERM, &action, &old_term_);
    g_interrupted = 0;
}

InterruptGuard::~InterruptGuard() {
    ::sigaction(SIGINT, &old_int_, nullptr);
    ::sigaction(SIGTERM, &old_term_, nullptr);
}

std::vector<CLI::Option*> add_acme_options(CLI::App& command, AcmeOptions& options, const std::string& account_key_default) {
    std::vector<CLI::Option*> added;
    const auto add = [&](CLI::Option* o) {
        added.push_back(o);
        return o;
    };
    add(command.add_option("--server", options.server, "the CA's ACME directory URL (https)"));
    add(command.add_option("--dns-hook", options.dns_hook, "program run as: CMD present|cleanup _acme-challenge.<name>. <value> (no shell)"));
    add(command.add_option("--account-key", options.account_key,
                           "account key (PEM); created (ECDSA P-256, 0600) when missing; default " + account_key_default));
    add(command.add_option("--contact", options.contact, "contact for a new account, mailto:...; repeatable")->allow_extra_args(false));
    add(command.add_flag("--agree-tos", options.agree_tos, "agree to the CA's terms of service when a new account is created"));
    add(command.add_option("--eab-kid", options.eab_kid, "external account binding: the key id the CA gave"));
    auto* eab_file = add(command.add_option("--eab-hmac-file", options.eab_hmac_file,
                                            "external account binding: file whose first line is the HMAC key (base64url)"));
    auto* eab_env = add(command.add_option("--eab-hmac-env", options.eab_hmac_env,
                                           "external account binding: environment variable holding the HMAC key"));
    eab_file->excludes(eab_env);
    add(command.add_option("--ca-bundle", options.ca_bundle,
                           "PEM roots for the CA's own TLS certificate (a private or test CA); default: the system store"));
    add(command.add_option("--profile", options.profile, "certificate profile to ask for, when the CA's directory offers profiles"));
    add(command.add_option("--dns-resolver", options.dns_resolver,
                           "wait until the TXT records are visible at this DNS server, IP[:PORT], before answering"));
    add(command.add_option("--dns-wait", options.dns_wait, "seconds to wait for the TXT records at --dns-resolver")
            ->capture_default_str()
            ->check(CLI::Range(1, 3600)));
    add(command.add_option("--hook-timeout", options.hook_timeout, "seconds one hook run may take; then its process group is killed")
            ->capture_default_str()
            ->check(CLI::Range(1, 3600)));
    add(command.add_option("--timeout", options.timeout, "seconds one request to the CA may take, answer included")
            ->capture_default_str()
            ->check(CLI::Range(1, 600)));
    add(command.add_option("--order-timeout", options.order_timeout, "seconds to wait for the CA to validate and issue one certificate")
            ->capture_default_str()
            ->check(CLI::Range(1, 3600)));
    add(command.add_option("--max-wait", options.max_wait, "longest Retry-After (seconds) certtool waits before a retry; longer is an error")
            ->capture_default_str()
            ->check(CLI::Range(0, 3600)));
    add(command.add_option("--trust", options.trust, "PEM roots for checking the issued chain (repeatable); default: the system store"));
    add(command.add_flag("--no-chain", options.no_chain, "do not validate the issued chain"));
    add(command.add_option("--warn-days", options.warn_days,
                           "warn when an issued certificate expires within this many days (default: a third of its lifetime, at least its -Roll lead time)")
            ->check(CLI::Range(0, 3650)));
    return added;
}

acme::IssueOptions issue_options(const AcmeOptions& options, bool force) {
    acme::IssueOptions o;
    o.directory_url = options.server;
    o.hook = acme::find_hook_program(options.dns_hook);
    if (o.hook.empty())
        usage_error("usage.dns-hook", options.dns_hook, "the DNS hook is not an executable file (it is run directly, without a shell)");
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
    o.force = force;
    CheckOptions check;
    check.trust = options.trust;
    check.no_chain = options.no_chain;
    check.warn_days = options.warn_days;
    o.check = make_context(check);
    o.user_agent = std::string("certtool/") + CERTTOOL_VERSION;
    o.cancelled = [] { return g_interrupted != 0; };
    return o;
}

void print_acme_error(const acme::Error& e, std::ostream& err) {
    err << "certtool: error: " << (e.where().empty() ? "" : e.where() + ": ") << e.what() << " [" << e.code() << "]\n";
    if (e.code() == "acme.interrupted") err << "certtool: interrupted; the hook's cleanup ran for every record presented\n";
}

void print_acme_problems(const acme::Result& result, std::ostream& err) {
    for (const auto& w : result.warnings) err << "certtool: warning: " << w << "\n";
    for (const auto& c : result.certificates)
        if (c.error) err << "certtool: error: " << c.id << ": " << c.error->where << ": " << c.error->message << " [" << c.error->code << "]\n";
}

}  // namespace certtool::cli
