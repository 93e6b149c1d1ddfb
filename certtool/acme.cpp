// certtool acme: the plan's public-CA certificates from an ACME CA (RFC 8555),
// validated by DNS-01 through the admin's hook, checked like `verify` does.
#include <csignal>
#include <memory>
#include <nlohmann/json.hpp>

#include "acme/hook.hpp"
#include "acme/issue.hpp"
#include "check_options.hpp"
#include "core/diagnostic.hpp"
#include "core/plural.hpp"
#include "core/time.hpp"
#include "crypto/jose.hpp"
#include "crypto/keys.hpp"
#include "fs/safe_file.hpp"
#include "report/findings.hpp"
#include "report/text.hpp"
#include "topology/topology.hpp"
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
    int warn_days = 30;
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
std::string eab_key(const AcmeOptions& options) {
    std::string text;
    std::string where;
    if (!options.eab_hmac_file.empty()) {
        where = options.eab_hmac_file;
        text = fs::read_file_bounded(options.eab_hmac_file, 4096, "acme.eab-file");
        if (const auto end = text.find_first_of("\r\n"); end != std::string::npos) {
            for (auto i = end; i < text.size(); ++i) text[i] = '\0';  // only the first line counts; wipe the rest
            text.resize(end);
        }
    } else {
        const char* value = std::getenv(options.eab_hmac_env.c_str());
        if (value == nullptr || *value == '\0')
            usage_error("acme.eab-env", "", "environment variable " + options.eab_hmac_env + " is not set or empty");
        text = value;
        where = "$" + options.eab_hmac_env;
    }
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.pop_back();
    std::string key;
    try {
        key = crypto::base64url_decode(text);
    } catch (const crypto::CryptoError&) {
        crypto::cleanse(text);
        usage_error("acme.eab-hmac", options.eab_hmac_file, "the EAB HMAC key is not base64url (as the CA shows it)");
    }
    crypto::cleanse(text);
    if (key.size() < 16) {
        crypto::cleanse(key);
        usage_error("acme.eab-hmac", options.eab_hmac_file, "the EAB HMAC key is shorter than 16 bytes: is this the right value?");
    }
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

using report::text::clean;
using report::text::severity_label;

void render_table(const acme::Result& result, bool color, Terminal& term) {
    auto& out = term.out;
    out << "ACME CA  " << result.directory_url << "\n";
    out << "account  " << result.account_url << (result.account_created ? " (created)" : "") << "; key " << result.account_key_file
        << (result.account_key_created ? " (new, 0600)" : "") << "\n\n";
    std::size_t issued = 0, in_place = 0, failed = 0, failing_checks = 0;
    for (const auto& c : result.certificates) {
        if (c.error) {
            ++failed;
            out << report::text::paint("FAILED", "\033[31m", color) << "  " << c.id << "\n";
            out << "      " << severity_label(model::Severity::error, color) << " " << c.error->code << ": " << c.error->where << ": "
                << c.error->message << "\n";
            for (const auto& w : c.warnings) out << "      " << severity_label(model::Severity::warning, color) << " " << w << "\n";
            continue;
        }
        (c.outcome == "issued" ? issued : in_place) += 1;
        const auto& v = *c.verdict;
        if (!v.passed()) ++failing_checks;
        out << (c.outcome == "issued" ? "ISSUED" : "IN PLACE") << "  " << c.id << "  " << report::text::verdict_label(v.passed(), color)
            << (c.resumed ? "  (order of an earlier run continued)" : "") << "\n";
        const auto days = whole_days_left(std::chrono::system_clock::now(), v.certificate.not_after);
        out << "      CN=" << clean(v.certificate.subject.common_name) << ", " << plural(v.certificate.dns_names.size(), "SAN", "SANs")
            << ", expires " << format_datetime(v.certificate.not_after) << " (" << plural(days, "day", "days") << "), sha256 "
            << v.certificate.sha256_fingerprint.substr(0, 16)
            << "...\n";
        out << "      " << c.certificate_file << (c.chain_file.empty() ? "" : ", " + c.chain_file) << "\n";
        if (!c.order_url.empty()) out << "      order " << c.order_url << "\n";
        for (const auto& r : c.replaced_files) out << "      previous kept as " << r << "\n";
        for (const auto& f : v.findings) out << "      " << report::finding_line(f, color) << "\n";
        for (const auto& w : c.warnings) out << "      " << severity_label(model::Severity::warning, color) << " " << w << "\n";
    }
    if (!result.not_ordered.empty()) {
        out << "\nnot ordered (not planned for a public CA):";
        for (const auto& id : result.not_ordered) out << " " << id;
        out << "\n";
    }
    out << "\n" << result.certificates.size() << " certificate" << (result.certificates.size() == 1 ? "" : "s") << ": " << issued
        << " issued, " << in_place << " in place, " << failed << " failed; " << failing_checks << " with error findings\n";
}

void render_json(const acme::Result& result, std::ostream& out) {
    nlohmann::ordered_json doc;
    doc["schema"] = "certtool.acme/v1";
    doc["directory"] = result.directory_url;
    doc["account"] = {{"url", result.account_url},
                      {"created", result.account_created},
                      {"key_file", result.account_key_file},
                      {"key_created", result.account_key_created}};
    nlohmann::ordered_json certificates = nlohmann::ordered_json::array();
    for (const auto& c : result.certificates) {
        nlohmann::ordered_json j;
        j["id"] = c.id;
        j["outcome"] = c.outcome;
        j["resumed"] = c.resumed;
        j["order"] = c.order_url;
        if (c.error) {
            j["error"] = {{"code", c.error->code}, {"where", c.error->where}, {"message", c.error->message}};
        } else {
            const auto& v = *c.verdict;
            j["certificate_file"] = c.certificate_file;
            j["chain_file"] = c.chain_file;
            j["replaced_files"] = c.replaced_files;
            j["passed"] = v.passed();
            j["subject"] = v.certificate.subject.common_name;
            j["sans"] = v.certificate.dns_names;
            j["not_before_utc"] = format_datetime(v.certificate.not_before);
            j["not_after_utc"] = format_datetime(v.certificate.not_after);
            j["sha256"] = v.certificate.sha256_fingerprint;
            j["thumbprint"] = v.certificate.sha1_thumbprint;
            nlohmann::ordered_json findings = nlohmann::ordered_json::array();
            for (const auto& f : v.findings) findings.push_back(report::finding_json(f));
            j["findings"] = std::move(findings);
        }
        j["warnings"] = c.warnings;
        certificates.push_back(std::move(j));
    }
    doc["certificates"] = std::move(certificates);
    doc["not_ordered"] = result.not_ordered;
    doc["warnings"] = result.warnings;
    out << doc.dump(2) << "\n";
}

ExitCode run_acme(const AcmeOptions& options, Terminal& term) {
    const auto loaded = topology::load_file(options.topology);
    const model::Plan plan = model::build_plan(loaded.topology, loaded.source);
    acme::IssueOptions o = issue_options(options);
    InterruptGuard guard;
    // Progress on stderr only where a person watches.
    acme::Progress progress;
    if (term.err_is_tty) progress = [&term](const std::string& message) { term.err << "certtool: " << message << "\n" << std::flush; };

    acme::Result result;
    try {
        result = acme::issue(plan, o, progress);
    } catch (const acme::Error& e) {
        crypto::cleanse(o.eab_hmac_key);
        term.err << "certtool: error: " << (e.where().empty() ? "" : e.where() + ": ") << e.what() << " [" << e.code() << "]\n";
        if (e.code() == "acme.interrupted") term.err << "certtool: interrupted; the hook's cleanup ran for every record presented\n";
        return ExitCode::problems_found;
    } catch (...) {
        crypto::cleanse(o.eab_hmac_key);
        throw;
    }
    crypto::cleanse(o.eab_hmac_key);
    for (const auto& w : result.warnings) term.err << "certtool: warning: " << w << "\n";
    for (const auto& c : result.certificates)
        if (c.error) term.err << "certtool: error: " << c.id << ": " << c.error->where << ": " << c.error->message << " [" << c.error->code << "]\n";
    if (options.format == "json")
        render_json(result, term.out);
    else
        render_table(result, use_color(options.color, term), term);
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
    command->add_option("--only", options->only, "only certificates with this role or id (public-CA ones); repeatable, or comma-separated")
        ->delimiter(',')
        ->allow_extra_args(false);
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
    command->add_option("--warn-days", options->warn_days, "warn when a certificate expires within this many days")->capture_default_str()->check(CLI::Range(0, 3650));
    command->add_flag("--force", options->force, "order again although a certificate for the request is in place; order despite plan error findings");
    command->add_option("--format", options->format, "table or json (certtool.acme/v1)")->check(CLI::IsMember({"table", "json"}))->capture_default_str();
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
                    "  2  bad usage or bad input (topology, requests, options); nothing was sent to the CA\n"
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
