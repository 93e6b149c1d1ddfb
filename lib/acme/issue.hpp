// `certtool acme`: orders the plan's public-CA certificates from an ACME CA,
// one order per certificate of the plan (so once per pool), finalized with
// the CSR `certtool csr` (or `renew`) wrote, so that subject and SAN order are
// the plan's. DNS-01 through the admin's hook; the certificate and its chain
// written atomically; the verify checks run on what the CA issued.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "acme/client.hpp"
#include "check/check.hpp"
#include "dns/resolver.hpp"
#include "model/plan.hpp"

namespace certtool::acme {

struct IssueOptions {
    std::string directory_url;
    std::string requests_dir;  // <id>.csr from certtool csr
    std::string out_dir;       // <id>.pem, <id>.chain.pem, acme-state.json (created 0700 when missing)
    std::string hook;          // the DNS hook program, already resolved (find_hook_program)
    std::vector<std::string> only;
    std::string account_key_file;  // "" = <out_dir>/acme-account.key
    std::vector<std::string> contact;
    bool agree_to_terms = false;
    std::string eab_kid;
    Secret eab_hmac_key;               // decoded bytes; none = no binding
    std::vector<std::string> hidden_env;  // variables the hook must not see
    std::string ca_bundle;
    std::string profile;
    std::optional<dns::Server> dns_resolver;
    std::chrono::milliseconds dns_wait{std::chrono::seconds(120)};  // for the TXT records to show at dns_resolver
    std::chrono::milliseconds hook_timeout{std::chrono::seconds(60)};
    std::chrono::milliseconds http_timeout{std::chrono::seconds(30)};
    std::chrono::milliseconds order_timeout{std::chrono::seconds(300)};  // validation and issuance of one order
    RetryPolicy retry;
    bool force = false;  // order again although a matching certificate is in place
    check::Context check;  // the verify checks' context (trust anchors, time)
    std::string user_agent = "certtool";
    std::function<bool()> cancelled;
};

struct ErrorInfo {
    std::string code;
    std::string where;
    std::string message;
};

struct CertificateResult {
    std::string id;
    std::string outcome;  // "issued", "in place" (nothing ordered), "failed"
    bool resumed = false;  // an order of an earlier run was continued
    std::string order_url;
    std::string certificate_file;  // <out>/<id>.pem
    std::string chain_file;        // <out>/<id>.chain.pem
    std::vector<std::string> replaced_files;  // previous files kept as *.replaced-<UTC>
    std::optional<check::Verdict> verdict;    // the verify checks on the certificate in place
    std::optional<ErrorInfo> error;           // why it failed
    std::vector<std::string> warnings;
};

struct Result {
    std::string directory_url;
    std::string account_url;
    bool account_created = false;
    std::string account_key_file;
    bool account_key_created = false;
    std::vector<CertificateResult> certificates;
    std::vector<std::string> not_ordered;  // plan ids left out because their CA is not public
    std::vector<std::string> warnings;
    [[nodiscard]] bool all_passed() const;  // every certificate in place and without error findings
};

using Progress = std::function<void(const std::string& message)>;

// Throws InputError for bad input, before anything is sent to the CA: the plan
// has errors (unless force), --only names an internal-CA certificate, a CSR is
// missing or was made for other names, the account key or state is unreadable,
// the output folder is unsafe. Throws acme::Error when the CA cannot be used at
// all (directory, account). Failures of one order are in its CertificateResult.
Result issue(const model::Plan& plan, const IssueOptions& options, const Progress& progress = {});

// What certtool knows of a CA profile that the directory only names: whether
// its certificates keep the subject's Common Name and how many names they may
// carry. Let's Encrypt's `classic` and `tlsserver` (the only ones documented
// in certtool's sources); nullopt for any other name.
struct ProfileFacts {
    bool keeps_common_name = true;
    int max_names = 0;
    std::string source;
};
std::optional<ProfileFacts> known_profile(const std::string& name);

// The warnings a profile earns for a certificate of the plan (CN dropped, names capped).
std::vector<std::string> profile_warnings(const std::string& profile, const model::CertificateRequirement& certificate);

}  // namespace certtool::acme
