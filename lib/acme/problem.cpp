#include "acme/problem.hpp"

#include <algorithm>
#include <cctype>
#include <ctime>
#include <map>

#include "core/time.hpp"

namespace certtool::acme {

namespace {

constexpr std::string_view kAcmeNamespace = "urn:ietf:params:acme:error:";

// RFC 8555 section 6.7 (and the drafts CAs already send): what each type means
// for someone ordering Lync certificates, and what to do about it.
const std::map<std::string, std::string, std::less<>>& explanations() {
    static const std::map<std::string, std::string, std::less<>> table = {
        {"accountDoesNotExist", "the CA has no account for this account key"},
        {"alreadyReplaced", "the certificate named as replaced was already replaced by another order"},
        {"alreadyRevoked", "the certificate is already revoked"},
        {"badCSR", "the CA refused the request (CSR): check the key size and the names, and that the request asks for nothing the CA does not issue (such as Client Authentication)"},
        {"badNonce", "the CA refused the request's nonce (certtool retries with a fresh one)"},
        {"badPublicKey", "the CA does not accept the account key's algorithm or size"},
        {"badRevocationReason", "the revocation reason is not allowed"},
        {"badSignatureAlgorithm", "the CA does not accept the signature algorithm of the account key"},
        {"caa", "a CAA record forbids this CA to issue for one of the names: add the CA to the domain's CAA records"},
        {"compound", "several problems (listed below)"},
        {"connection", "the CA could not connect to the server the challenge points at"},
        {"dns", "the CA's DNS lookup of a challenge record failed: check that the zone is delegated and its servers answer"},
        {"externalAccountRequired", "the CA requires external account binding: give --eab-kid and --eab-hmac-file from the CA's account page"},
        {"incorrectResponse", "the CA found a challenge response, but not the expected one (a stale TXT record?)"},
        {"invalidContact", "the CA refused the contact address: check --contact (mailto:...)"},
        {"invalidProfile", "the CA does not offer the profile asked for (--profile)"},
        {"malformed", "the CA could not read a request"},
        {"orderNotReady", "the order is not ready to be finalized yet"},
        {"rateLimited", "the CA's rate limit was reached"},
        {"rejectedIdentifier", "the CA will not issue for one of the names"},
        {"serverInternal", "the CA had an internal error"},
        {"tls", "the CA's TLS connection to the challenge server failed"},
        {"unauthorized", "the CA found the account not authorized for one of the names (the challenge failed, or policy forbids it)"},
        {"unsupportedContact", "the CA does not support the contact's URL scheme: use mailto:"},
        {"unsupportedIdentifier", "the CA does not issue for this kind of name"},
        {"userActionRequired", "the CA needs a person to act first (see the instance URL, often new terms of service)"},
    };
    return table;
}

std::string kebab(std::string_view camel) {
    std::string out;
    for (std::size_t i = 0; i < camel.size(); ++i) {
        const char c = camel[i];
        if (std::isupper(static_cast<unsigned char>(c))) {
            // "badCSR" -> "bad-csr", "rateLimited" -> "rate-limited"
            const bool after_lower = i > 0 && std::islower(static_cast<unsigned char>(camel[i - 1]));
            if (after_lower) out += '-';
            out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        } else {
            out += c;
        }
    }
    return out;
}

Problem read_problem(const nlohmann::json& doc, int http_status, int depth) {
    Problem p;
    if (const auto t = doc.find("type"); t != doc.end() && t->is_string()) p.type = t->get<std::string>();
    if (const auto d = doc.find("detail"); d != doc.end() && d->is_string()) p.detail = printable(d->get<std::string>(), 500);
    p.status = http_status;
    if (const auto s = doc.find("status"); s != doc.end() && s->is_number_integer()) p.status = s->get<int>();
    if (const auto id = doc.find("identifier"); id != doc.end() && id->is_object())
        if (const auto v = id->find("value"); v != id->end() && v->is_string()) p.identifier = printable(v->get<std::string>(), 253);
    if (const auto subs = doc.find("subproblems"); depth == 0 && subs != doc.end() && subs->is_array())
        for (const auto& sub : *subs) {
            if (!sub.is_object()) continue;
            if (p.subproblems.size() == 20) break;  // enough to act on; a hostile CA could send millions
            p.subproblems.push_back(read_problem(sub, http_status, depth + 1));
        }
    return p;
}

}  // namespace

std::optional<Problem> parse_problem(std::string_view body, int http_status) {
    const auto doc = nlohmann::json::parse(body, nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) return std::nullopt;
    const auto t = doc.find("type");
    if (t == doc.end() || !t->is_string()) return std::nullopt;
    return read_problem(doc, http_status, 0);
}

std::string problem_code(const std::string& type) {
    if (type.rfind(kAcmeNamespace, 0) != 0) return "acme.problem";
    const std::string_view name = std::string_view(type).substr(kAcmeNamespace.size());
    if (name == "serverInternal") return "acme.server-error";
    if (name.empty() || name.size() > 40) return "acme.problem";
    for (const char c : name)
        if (!std::isalnum(static_cast<unsigned char>(c))) return "acme.problem";
    return "acme." + kebab(name);
}

std::string problem_message(const Problem& problem) {
    std::string text;
    if (problem.type.rfind(kAcmeNamespace, 0) == 0) {
        const auto name = std::string_view(problem.type).substr(kAcmeNamespace.size());
        const auto it = explanations().find(name);
        text = it != explanations().end() ? it->second : "the CA reported problem " + printable(name, 80);
    } else {
        text = "the CA reported a problem of type '" + printable(problem.type, 200) + "'";
    }
    if (!problem.detail.empty()) text += ": " + problem.detail;
    for (const auto& sub : problem.subproblems) {
        text += "; ";
        if (!sub.identifier.empty()) text += sub.identifier + ": ";
        text += problem_code(sub.type);
        if (!sub.detail.empty()) text += " " + sub.detail;
    }
    return text;
}

std::optional<std::chrono::system_clock::time_point> parse_retry_after(std::string_view value,
                                                                       std::chrono::system_clock::time_point now) {
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t' || value.back() == '\r')) value.remove_suffix(1);
    if (value.empty()) return std::nullopt;
    if (std::all_of(value.begin(), value.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
        if (value.size() > 9) return now + std::chrono::hours(24 * 365 * 10);  // absurd, but "later", not never
        return now + std::chrono::seconds(std::stol(std::string(value)));
    }
    // IMF-fixdate, "Sun, 06 Nov 1994 08:49:37 GMT": the only form RFC 9110 says to send.
    std::tm tm{};
    const std::string text(value);
    const char* end = strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
    if (end == nullptr || *end != '\0') return std::nullopt;
    const auto at = time_point_of(timegm(&tm));
    return at < now ? now : at;
}

}  // namespace certtool::acme
