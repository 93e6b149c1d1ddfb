// What can go wrong while talking to an ACME CA, as data: one error type with
// a stable code (README "certtool acme", error codes) and the place it is
// about (the CA's URL, the hook's path), the RFC 8555 / RFC 7807 problem
// documents the CA sends mapped onto those codes, and Retry-After.
#pragma once

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/printable.hpp"  // printable(), for the CA's texts

namespace certtool::acme {

// Something the CA, the network, the DNS hook or the DNS wait made impossible.
// Not bad input (that is certtool::InputError): a rerun later may succeed.
// Messages never contain the account key, the EAB key, nonces or JWS bodies.
class Error : public std::runtime_error {
public:
    Error(std::string code, std::string where, const std::string& message)
        : std::runtime_error(message), code_(std::move(code)), where_(std::move(where)) {}
    [[nodiscard]] const std::string& code() const noexcept { return code_; }
    [[nodiscard]] const std::string& where() const noexcept { return where_; }
    // When the CA said when to try again (rate limits, 503).
    std::optional<std::chrono::system_clock::time_point> retry_after;

private:
    std::string code_;
    std::string where_;
};

// An RFC 7807 problem document as ACME uses it (RFC 8555 section 6.7).
struct Problem {
    std::string type;    // "urn:ietf:params:acme:error:rateLimited", or anything the CA chose
    std::string detail;  // the CA's words, cleaned of control characters and cut to a sane length
    int status = 0;      // "status" member, else the HTTP status
    std::vector<Problem> subproblems;  // RFC 8555 section 6.7.1, with the identifier each is about
    std::string identifier;            // of a subproblem: its DNS name
};

// Reads a problem document; nullopt when `body` is not one (not JSON, no type).
std::optional<Problem> parse_problem(std::string_view body, int http_status);

// The stable code for a problem type: "acme.rate-limited" for rateLimited,
// "acme.bad-csr" for badCSR, ...; "acme.problem" for a type outside the ACME
// namespace. The ACME types are listed in README's table.
std::string problem_code(const std::string& type);

// A one-line explanation of what the problem type means for the admin and what
// to do, followed by the CA's own detail and subproblems.
std::string problem_message(const Problem& problem);

// Retry-After (RFC 9110 section 10.2.3): delay-seconds or an HTTP-date, relative
// to `now`. nullopt when absent or unreadable; a date in the past is `now`.
std::optional<std::chrono::system_clock::time_point> parse_retry_after(std::string_view value,
                                                                       std::chrono::system_clock::time_point now);

}  // namespace certtool::acme
