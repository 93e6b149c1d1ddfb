// A small RFC 8555 client: the directory, nonces (a refused nonce is retried
// with the fresh one the error carries), JWS-signed POSTs (the JWK for
// newAccount, the account URL as kid after), accounts (found by key, or
// created, with external account binding), orders, authorizations, challenges,
// finalization with a CSR, and the certificate chain. Every answer is checked
// for shape before use; anything else is acme.garbage. Rate limits and 5xx are
// retried a bounded number of times, honouring Retry-After up to a limit.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "acme/http.hpp"
#include "acme/problem.hpp"
#include "core/secret.hpp"
#include "crypto/jose.hpp"
#include "crypto/keys.hpp"

namespace certtool::acme {

struct Directory {
    std::string url;
    std::string new_nonce, new_account, new_order;
    std::string terms_of_service;
    bool external_account_required = false;
    bool offers_profiles = false;
    std::map<std::string, std::string> profiles;  // name -> the CA's description
};

struct Challenge {
    std::string type;  // "dns-01", "http-01", ...
    std::string url;
    std::string token;
    std::string status;  // pending, processing, valid, invalid
    std::optional<Problem> error;
};

struct Authorization {
    std::string url;
    std::string identifier;  // the DNS name (without "*." for a wildcard)
    bool wildcard = false;
    std::string status;  // pending, valid, invalid, deactivated, expired, revoked
    std::vector<Challenge> challenges;
};

struct Order {
    std::string url;
    std::string status;  // pending, ready, processing, valid, invalid
    std::vector<std::string> identifiers;
    std::vector<std::string> authorizations;
    std::string finalize;
    std::string certificate;
    std::optional<Problem> error;
};

struct RetryPolicy {
    int max_attempts = 4;                                  // per request, the first one included
    std::chrono::milliseconds first_backoff{1000};         // doubled after each retry (without Retry-After)
    std::chrono::milliseconds max_wait{std::chrono::seconds(60)};  // a longer Retry-After is an error, not a wait
};

struct AccountRequest {
    std::vector<std::string> contact;  // "mailto:..."
    bool agree_to_terms = false;
    std::string eab_kid;
    Secret eab_hmac_key;  // decoded bytes; none = no binding
};

struct Account {
    std::string url;
    bool created = false;
    std::string status;
};

// How the client waits: a sleep that may end early and throw (interruption).
using Sleep = std::function<void(std::chrono::milliseconds)>;

class Client {
public:
    Client(HttpClient& http, const crypto::PrivateKey& account_key, std::string directory_url, RetryPolicy retry, Sleep sleep);

    const Directory& directory();  // fetched on first use
    // The account of this key: found (onlyReturnExisting), else created.
    Account account(const AccountRequest& request);
    // Uses an account URL known from an earlier run (no request).
    void use_account(const std::string& url) { kid_ = url; }
    [[nodiscard]] const std::string& account_url() const { return kid_; }

    Order new_order(const std::vector<std::string>& dns_names, const std::string& profile);
    Order order(const std::string& url);  // POST-as-GET
    Authorization authorization(const std::string& url);
    void respond(const Challenge& challenge);
    Order finalize(const Order& order, const std::string& csr_der);
    // Polls until the order leaves `pending`/`processing` (whichever it is in),
    // or `deadline` passes (acme.order-timeout).
    Order wait_order(const std::string& url, std::chrono::steady_clock::time_point deadline);
    Authorization wait_authorization(const std::string& url, std::chrono::steady_clock::time_point deadline);
    std::string certificate_chain(const std::string& url);  // PEM, leaf first

    [[nodiscard]] const std::string& thumbprint() const { return thumbprint_; }

private:
    HttpResponse signed_post(const std::string& url, const std::optional<nlohmann::json>& payload, bool with_jwk);
    std::string take_nonce();
    void keep_nonce(const HttpResponse& response);
    nlohmann::json json_body(const HttpResponse& response, const std::string& url, const std::string& what);
    Order read_order(const nlohmann::json& doc, const std::string& url);
    std::chrono::milliseconds poll_interval(const HttpResponse& response, int round, bool retrying) const;

    HttpClient& http_;
    const crypto::PrivateKey& key_;
    crypto::JwkMembers jwk_;
    std::string thumbprint_;
    std::string directory_url_;
    std::optional<Directory> directory_;
    RetryPolicy retry_;
    Sleep sleep_;
    std::string nonce_;
    std::string kid_;
};

}  // namespace certtool::acme
