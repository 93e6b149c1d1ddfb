#include "acme/client.hpp"

#include <algorithm>
#include <thread>

#include "acme/jws.hpp"
#include "core/json_bounded.hpp"
#include "core/time.hpp"

namespace certtool::acme {

namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using SystemClock = std::chrono::system_clock;
using SteadyClock = std::chrono::steady_clock;

constexpr const char* kJose = "application/jose+json";
constexpr JsonLimits kLimits{32, 100'000};

std::string where_of(const std::string& url) { return printable(url, 200); }

[[noreturn]] void garbage(const std::string& url, const std::string& what) { throw Error("acme.garbage", where_of(url), what); }

std::string string_member(const nlohmann::json& doc, const char* name, const std::string& url, const std::string& what, bool required = true) {
    const auto it = doc.find(name);
    if (it == doc.end() || it->is_null()) {
        if (required) garbage(url, what + " has no '" + name + "'");
        return {};
    }
    if (!it->is_string()) garbage(url, what + ": '" + name + "' is not a string");
    const auto value = it->get<std::string>();
    if (value.size() > 4096) garbage(url, what + ": '" + name + "' is longer than 4096 characters");
    return value;
}

// A URL the CA gave us for a later request: it must be one we may use.
std::string url_member(const nlohmann::json& doc, const char* name, const std::string& url, const std::string& what, bool required = true) {
    std::string value = string_member(doc, name, url, what, required);
    if (value.empty()) return value;
    if (const auto why = url_refusal(value); !why.empty())
        throw Error("acme.insecure-url", where_of(url), what + ": '" + name + "' is " + printable(value, 200) + ": " + why);
    return value;
}

bool valid_nonce(const std::string& nonce) {
    return !nonce.empty() && nonce.size() <= 512 && std::all_of(nonce.begin(), nonce.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
    });
}

std::string seconds_text(milliseconds ms) { return std::to_string((ms.count() + 999) / 1000) + " s"; }

}  // namespace

Client::Client(HttpClient& http, const crypto::PrivateKey& account_key, std::string directory_url, RetryPolicy retry, Sleep sleep)
    : http_(http),
      key_(account_key),
      jwk_(crypto::public_jwk(account_key)),
      thumbprint_(jwk_thumbprint(jwk_)),
      directory_url_(std::move(directory_url)),
      retry_(retry),
      sleep_(std::move(sleep)) {}

nlohmann::json Client::json_body(const HttpResponse& response, const std::string& url, const std::string& what) {
    const auto parsed = parse_json_bounded(response.body, kLimits);
    if (!parsed.ok || !parsed.document.is_object()) {
        const std::string start = printable(response.body.substr(0, 60), 60);
        garbage(url, what + " is not a JSON object (HTTP " + std::to_string(response.status) + ", " +
                         std::to_string(response.body.size()) + " bytes" + (start.empty() ? "" : ", starting '" + start + "'") + ")");
    }
    return parsed.document;
}

const Directory& Client::directory() {
    if (directory_) return *directory_;
    HttpResponse response;
    for (int attempt = 1;; ++attempt) {
        response = http_.get(directory_url_);
        const bool busy = response.status == 429 || response.status >= 500;
        if (!busy || attempt >= retry_.max_attempts) break;
        sleep_(poll_interval(response, attempt, true));
    }
    if (response.status != 200) {
        if (const auto problem = parse_problem(response.body, static_cast<int>(response.status)))
            throw Error(problem_code(problem->type), where_of(directory_url_), "the directory: " + problem_message(*problem));
        throw Error(response.status >= 500 ? "acme.server-error" : "acme.garbage", where_of(directory_url_),
                    "the directory answered HTTP " + std::to_string(response.status) + ", not 200: is this an ACME directory URL?");
    }
    const auto doc = json_body(response, directory_url_, "the directory");
    Directory d;
    d.url = directory_url_;
    d.new_nonce = url_member(doc, "newNonce", directory_url_, "the directory");
    d.new_account = url_member(doc, "newAccount", directory_url_, "the directory");
    d.new_order = url_member(doc, "newOrder", directory_url_, "the directory");
    if (const auto meta = doc.find("meta"); meta != doc.end() && meta->is_object()) {
        d.terms_of_service = string_member(*meta, "termsOfService", directory_url_, "the directory's meta", false);
        if (const auto ear = meta->find("externalAccountRequired"); ear != meta->end() && ear->is_boolean())
            d.external_account_required = ear->get<bool>();
        if (const auto profiles = meta->find("profiles"); profiles != meta->end() && profiles->is_object()) {
            d.offers_profiles = true;
            for (const auto& [name, description] : profiles->items()) {
                if (d.profiles.size() >= 100) break;
                d.profiles[printable(name, 64)] = description.is_string() ? printable(description.get<std::string>(), 300) : "";
            }
        }
    }
    directory_ = d;
    return *directory_;
}

void Client::keep_nonce(const HttpResponse& response) {
    const std::string nonce = response.header("replay-nonce");
    if (valid_nonce(nonce)) nonce_ = nonce;
}

std::string Client::take_nonce() {
    if (nonce_.empty()) {
        const auto& dir = directory();
        HttpResponse response;
        for (int attempt = 1;; ++attempt) {
            response = http_.head(dir.new_nonce);
            if (!(response.status == 429 || response.status >= 500) || attempt >= retry_.max_attempts) break;
            sleep_(poll_interval(response, attempt, true));
        }
        keep_nonce(response);
        if (nonce_.empty())
            garbage(dir.new_nonce, "newNonce gave no usable Replay-Nonce header (HTTP " + std::to_string(response.status) + ")");
    }
    std::string nonce;
    nonce.swap(nonce_);
    return nonce;
}

std::chrono::milliseconds Client::poll_interval(const HttpResponse& response, int round, bool retrying) const {
    if (const auto at = parse_retry_after(response.header("retry-after"), SystemClock::now())) {
        const auto wait = std::chrono::duration_cast<milliseconds>(*at - SystemClock::now());
        return std::clamp(wait, milliseconds(100), retry_.max_wait);
    }
    if (retrying) {
        auto wait = retry_.first_backoff;
        for (int i = 1; i < round && wait < retry_.max_wait; ++i) wait *= 2;
        return std::min(wait, retry_.max_wait);
    }
    // Polls (round counts from 1) start at a quarter of the retry backoff: a
    // CA validates a DNS record in well under a second once it looks.
    auto wait = std::max<milliseconds>(retry_.first_backoff / 4, milliseconds(50));
    for (int i = 1; i < round && wait < seconds(4); ++i) wait *= 2;
    return std::min<milliseconds>(wait, seconds(4));
}

HttpResponse Client::signed_post(const std::string& url, const std::optional<nlohmann::json>& payload, bool with_jwk) {
    if (!with_jwk && kid_.empty()) throw std::logic_error("ACME request before the account is known");
    for (int attempt = 1;; ++attempt) {
        const std::string body = sign_request(key_, url, take_nonce(), with_jwk ? std::string() : kid_, payload);
        HttpResponse response;
        try {
            response = http_.post(url, body, kJose);
        } catch (const Error& e) {
            // A refused connection may be a restart; a slow or endless answer is not retried.
            if (e.code() != "acme.unreachable" || attempt >= retry_.max_attempts) throw;
            sleep_(poll_interval(HttpResponse{}, attempt, true));
            continue;
        }
        keep_nonce(response);
        if (response.status >= 200 && response.status < 300) return response;

        const auto problem = parse_problem(response.body, static_cast<int>(response.status));
        const std::string code = problem ? problem_code(problem->type) : "";
        const bool last = attempt >= retry_.max_attempts;
        if (code == "acme.bad-nonce" && !last) continue;  // the error carried a fresh nonce

        const bool busy = response.status == 429 || response.status == 503 || code == "acme.rate-limited" ||
                          (response.status >= 500 && response.status < 600);
        const auto retry_at = parse_retry_after(response.header("retry-after"), SystemClock::now());
        const bool too_long = retry_at && *retry_at - SystemClock::now() > retry_.max_wait;
        if (busy && !last && !too_long) {
            sleep_(poll_interval(response, attempt, true));
            continue;
        }

        std::string message;
        std::string error_code;
        if (problem) {
            error_code = code;
            message = problem_message(*problem);
        } else {
            error_code = response.status >= 500 ? "acme.server-error" : "acme.garbage";
            message = "the CA answered HTTP " + std::to_string(response.status) + " without a problem document";
        }
        if (busy && error_code == "acme.garbage") error_code = "acme.rate-limited";
        if (retry_at)
            message += "; the CA says to try again after " + format_datetime(*retry_at) +
                       (too_long ? " (longer than the " + seconds_text(retry_.max_wait) + " certtool waits)" : "");
        else if (busy && last)
            message += "; gave up after " + std::to_string(attempt) + " attempts";
        Error error(error_code, where_of(url), message);
        error.retry_after = retry_at;
        throw error;
    }
}

Account Client::account(const AccountRequest& request) {
    const auto& dir = directory();
    Account account;
    // The key may already have an account (an earlier run, another tool): find it first.
    try {
        const auto found = signed_post(dir.new_account, nlohmann::json{{"onlyReturnExisting", true}}, true);
        account.url = found.header("location");
        if (account.url.empty()) garbage(dir.new_account, "newAccount found the account but gave no Location header");
        account.status = string_member(json_body(found, dir.new_account, "the account"), "status", dir.new_account, "the account", false);
    } catch (const Error& e) {
        if (e.code() != "acme.account-does-not-exist") throw;
    }
    if (account.url.empty()) {
        if (dir.external_account_required && !request.eab_hmac_key)
            throw Error("acme.external-account-required", where_of(dir.url),
                        "the CA requires external account binding: give --eab-kid ID and --eab-hmac-file FILE from the CA");
        if (!dir.terms_of_service.empty() && !request.agree_to_terms)
            throw Error("acme.terms-not-agreed", where_of(dir.url),
                        "a new account must agree to the CA's terms of service at " + printable(dir.terms_of_service, 300) +
                            ": read them, then add --agree-tos");
        nlohmann::json payload = nlohmann::json::object();
        if (!request.contact.empty()) payload["contact"] = request.contact;
        if (!dir.terms_of_service.empty()) payload["termsOfServiceAgreed"] = request.agree_to_terms;
        if (request.eab_hmac_key)
            payload["externalAccountBinding"] = external_account_binding(jwk_, request.eab_kid, *request.eab_hmac_key, dir.new_account);
        const auto created = signed_post(dir.new_account, payload, true);
        account.url = created.header("location");
        if (account.url.empty()) garbage(dir.new_account, "newAccount created the account but gave no Location header");
        account.created = created.status == 201;
        account.status = string_member(json_body(created, dir.new_account, "the account"), "status", dir.new_account, "the account", false);
    }
    if (const auto why = url_refusal(account.url); !why.empty())
        throw Error("acme.insecure-url", where_of(dir.new_account), "the account URL " + printable(account.url, 200) + ": " + why);
    if (!account.status.empty() && account.status != "valid")
        throw Error("acme.account-" + (account.status == "deactivated" || account.status == "revoked" ? account.status : std::string("invalid")),
                    where_of(account.url),
                    "the CA says this account is " + printable(account.status, 40) + ": use another --account-key");
    kid_ = account.url;
    return account;
}

Order Client::read_order(const nlohmann::json& doc, const std::string& url) {
    Order o;
    o.url = url;
    o.status = string_member(doc, "status", url, "the order");
    if (const auto ids = doc.find("identifiers"); ids != doc.end() && ids->is_array())
        for (const auto& id : *ids)
            if (id.is_object() && id.contains("value") && id["value"].is_string() && o.identifiers.size() < 1000)
                o.identifiers.push_back(printable(id["value"].get<std::string>(), 253));
    const auto authz = doc.find("authorizations");
    if (authz == doc.end() || !authz->is_array()) garbage(url, "the order has no list of authorizations");
    if (authz->size() > 1000) garbage(url, "the order lists more than 1000 authorizations");
    for (const auto& a : *authz) {
        if (!a.is_string()) garbage(url, "the order's authorizations are not URLs");
        const auto value = a.get<std::string>();
        if (const auto why = url_refusal(value); !why.empty())
            throw Error("acme.insecure-url", where_of(url), "an authorization URL " + printable(value, 200) + ": " + why);
        o.authorizations.push_back(value);
    }
    o.finalize = url_member(doc, "finalize", url, "the order");
    o.certificate = url_member(doc, "certificate", url, "the order", false);
    if (const auto error = doc.find("error"); error != doc.end() && error->is_object())
        o.error = parse_problem(error->dump(), 0);
    return o;
}

Order Client::new_order(const std::vector<std::string>& dns_names, const std::string& profile) {
    const auto& dir = directory();
    nlohmann::json identifiers = nlohmann::json::array();
    for (const auto& name : dns_names) identifiers.push_back({{"type", "dns"}, {"value", name}});
    nlohmann::json payload = {{"identifiers", identifiers}};
    if (!profile.empty()) payload["profile"] = profile;
    const auto response = signed_post(dir.new_order, payload, false);
    const std::string url = response.header("location");
    if (url.empty()) garbage(dir.new_order, "newOrder gave no Location header for the order");
    if (const auto why = url_refusal(url); !why.empty())
        throw Error("acme.insecure-url", where_of(dir.new_order), "the order URL " + printable(url, 200) + ": " + why);
    return read_order(json_body(response, dir.new_order, "the new order"), url);
}

Order Client::order(const std::string& url) {
    const auto response = signed_post(url, std::nullopt, false);
    return read_order(json_body(response, url, "the order"), url);
}

Authorization Client::authorization(const std::string& url) {
    const auto doc = json_body(signed_post(url, std::nullopt, false), url, "the authorization");
    Authorization a;
    a.url = url;
    a.status = string_member(doc, "status", url, "the authorization");
    const auto id = doc.find("identifier");
    if (id == doc.end() || !id->is_object()) garbage(url, "the authorization has no identifier");
    a.identifier = string_member(*id, "value", url, "the authorization's identifier");
    if (const auto w = doc.find("wildcard"); w != doc.end() && w->is_boolean()) a.wildcard = w->get<bool>();
    const auto challenges = doc.find("challenges");
    if (challenges == doc.end() || !challenges->is_array()) garbage(url, "the authorization has no list of challenges");
    for (const auto& c : *challenges) {
        if (!c.is_object() || a.challenges.size() >= 20) continue;
        Challenge ch;
        ch.type = string_member(c, "type", url, "a challenge");
        ch.url = url_member(c, "url", url, "a challenge");
        ch.status = string_member(c, "status", url, "a challenge");
        ch.token = string_member(c, "token", url, "a challenge", false);
        if (const auto error = c.find("error"); error != c.end() && error->is_object()) ch.error = parse_problem(error->dump(), 0);
        a.challenges.push_back(std::move(ch));
    }
    return a;
}

void Client::respond(const Challenge& challenge) { (void)signed_post(challenge.url, nlohmann::json::object(), false); }

Order Client::finalize(const Order& o, const std::string& csr_der) {
    const auto response = signed_post(o.finalize, nlohmann::json{{"csr", crypto::base64url_encode(csr_der)}}, false);
    return read_order(json_body(response, o.finalize, "the finalized order"), o.url);
}

Order Client::wait_order(const std::string& url, SteadyClock::time_point deadline) {
    for (int round = 1;; ++round) {
        const auto response = signed_post(url, std::nullopt, false);
        Order o = read_order(json_body(response, url, "the order"), url);
        if (o.status != "pending" && o.status != "processing") return o;
        const auto wait = poll_interval(response, round, false);
        if (SteadyClock::now() + wait > deadline)
            throw Error("acme.order-timeout", where_of(url),
                        "the order is still " + printable(o.status, 20) + "; stopped waiting at the deadline");
        sleep_(wait);
    }
}

Authorization Client::wait_authorization(const std::string& url, SteadyClock::time_point deadline) {
    for (int round = 1;; ++round) {
        Authorization a = authorization(url);
        if (a.status != "pending") return a;
        const auto wait = poll_interval(HttpResponse{}, round, false);
        if (SteadyClock::now() + wait > deadline)
            throw Error("acme.order-timeout", where_of(url),
                        "the CA has not validated " + a.identifier + " yet; stopped waiting at the deadline");
        sleep_(wait);
    }
}

std::string Client::certificate_chain(const std::string& url) {
    const auto response = signed_post(url, std::nullopt, false);
    if (response.body.find("-----BEGIN CERTIFICATE-----") == std::string::npos)
        garbage(url, "the certificate download is not a PEM certificate chain (" + std::to_string(response.body.size()) + " bytes)");
    return response.body;
}

}  // namespace certtool::acme
