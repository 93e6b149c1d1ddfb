// The ACME options shared by `certtool acme` and `certtool renew --acme`:
// declared once, converted to acme::IssueOptions once. The EAB HMAC key comes
// from a file or an environment variable only, never from the command line.
#pragma once

#include <csignal>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "acme/issue.hpp"

namespace certtool::cli {

// What the CA, the hook and the checks of the issued certificates need; the
// verbs add their own folders (--requests/--out for acme, the dated folder for renew).
struct AcmeOptions {
    std::string server;
    std::string dns_hook;
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
    std::optional<int> warn_days;  // none: a third of the certificate's lifetime, at least its -Roll lead time
};

// Declares --server, --dns-hook, --account-key, --contact, --agree-tos,
// --eab-kid, --eab-hmac-file|--eab-hmac-env, --ca-bundle, --profile,
// --dns-resolver, --dns-wait, --hook-timeout, --timeout, --order-timeout,
// --max-wait, --trust, --no-chain and --warn-days on `command`.
// `account_key_default` ends the --account-key help ("<out>/acme-account.key").
// Returns the options declared, so a verb can make them need another one.
std::vector<CLI::Option*> add_acme_options(CLI::App& command, AcmeOptions& options, const std::string& account_key_default);

// The options as lib/acme takes them (requests_dir, out_dir and only are the
// verb's to fill in). Throws InputError (usage.*, acme.eab-*) for bad values,
// before anything is sent to the CA. The result's `cancelled` reports SIGINT
// and SIGTERM caught while an InterruptGuard lives.
acme::IssueOptions issue_options(const AcmeOptions& options, bool force);

// SIGINT and SIGTERM end the run at the next wait, after the hook's cleanup
// (a TXT record is never left behind by Ctrl-C); the old handlers come back after.
class InterruptGuard {
public:
    InterruptGuard();
    ~InterruptGuard();
    InterruptGuard(const InterruptGuard&) = delete;
    InterruptGuard& operator=(const InterruptGuard&) = delete;

private:
    struct sigaction old_int_ {};
    struct sigaction old_term_ {};
};

// Prints the error that stopped a run ("certtool: error: WHERE: MESSAGE [CODE]").
void print_acme_error(const acme::Error& e, std::ostream& err);

// Prints the run's warnings and each failed order's error on `err`.
void print_acme_problems(const acme::Result& result, std::ostream& err);

}  // namespace certtool::cli
