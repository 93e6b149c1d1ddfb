// DNS lookups with c-ares: every query of a batch in flight at once, each with
// its own timeout and retries, the batch bounded by one deadline, sent to the
// servers given (IP[:PORT], IPv4 or IPv6) or to the system's resolvers. Every
// outcome is data, not an exception: an answer, no data, NXDOMAIN, SERVFAIL,
// REFUSED, a timeout, an unreachable server. Today certtool asks for TXT
// records (acme --dns-resolver); the other types are the shape `audit --dns`
// will fill in.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace certtool::dns {

enum class RecordType { a, aaaa, cname, srv, txt };

enum class Status {
    answered,     // NOERROR with records of the type asked
    no_data,      // NOERROR, the name exists, no record of that type
    nxdomain,     // the name does not exist
    servfail,     // the server could not answer (SERVFAIL)
    refused,      // the server will not answer for this name (REFUSED)
    timeout,      // no answer within the query timeout and retries, or the deadline
    unreachable,  // the server's port refused the query (ICMP), or no route
    error,        // anything else (malformed answer, ...): see Answer::detail
};

std::string to_string(Status status);
std::string to_string(RecordType type);

struct Server {
    std::string address;  // an IPv4 or IPv6 literal
    int port = 53;
    [[nodiscard]] std::string text() const;  // "127.0.0.1:5353", "[::1]:53"
};

// "192.0.2.1", "192.0.2.1:5353", "2001:db8::1", "[2001:db8::1]:5353";
// nullopt for anything else (names are not accepted: a resolver to resolve a
// resolver's name would be the system's, which is what this option avoids).
std::optional<Server> parse_server(const std::string& text);

struct Query {
    std::string name;  // a DNS name, with or without the final dot
    RecordType type = RecordType::txt;
};

struct Answer {
    Query query;
    Status status = Status::error;
    std::string detail;             // what c-ares said, for people
    std::vector<std::string> txt;   // TXT: each record's character-strings joined
    std::chrono::milliseconds elapsed{0};
};

struct Options {
    std::vector<Server> servers;  // empty: the system's (/etc/resolv.conf)
    std::chrono::milliseconds query_timeout{std::chrono::seconds(2)};  // per try
    int tries = 2;
    std::chrono::milliseconds deadline{std::chrono::seconds(10)};  // for the whole batch
};

// Answers in the order of `queries`. Throws std::runtime_error only when
// c-ares cannot be set up at all. Only TXT is implemented today; other types
// come back as Status::error "not implemented".
std::vector<Answer> resolve(const std::vector<Query>& queries, const Options& options);

}  // namespace certtool::dns
