// DNS lookups with c-ares: every query of a batch in flight at once, each with
// its own timeout and retries, the batch bounded by one deadline, sent to the
// servers given (IP[:PORT], IPv4 or IPv6) or to the system's resolvers. Every
// outcome is data, not an exception: an answer, no data, NXDOMAIN, SERVFAIL,
// REFUSED, a timeout, an unreachable server. `acme --dns-resolver` asks for
// TXT records; `audit --dns` for SRV, A, AAAA and CNAME, with the CNAME chain
// each answer went through (followed by further queries where the server did
// not follow it, and a loop told as such).
#pragma once

#include <chrono>
#include <cstddef>
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

struct Srv {
    int priority = 0;
    int weight = 0;
    int port = 0;
    std::string target;  // lower case, without the final dot
    bool operator==(const Srv&) const = default;
};

struct Cname {
    std::string name;    // lower case, without the final dot
    std::string target;
};

struct Answer {
    Query query;
    Status status = Status::error;
    std::string detail;             // what c-ares said, for people
    std::vector<std::string> txt;   // TXT: each record's character-strings joined
    std::vector<std::string> addresses;  // A / AAAA: the addresses (inet_ntop text), in answer order
    std::vector<Srv> srv;           // SRV records, in answer order
    // The CNAMEs from the name asked to `canonical`, in order (also for a
    // CNAME query: then the chain is the answer). Empty when the name itself
    // holds the records.
    std::vector<Cname> chain;
    std::string canonical;          // the name the records belong to (the query name without a chain)
    bool cname_loop = false;        // the chain came back to a name it had passed (or was too long)
    bool authoritative = false;     // the AA bit of the (last) response
    std::chrono::milliseconds elapsed{0};
};

struct Options {
    std::vector<Server> servers;  // empty: the system's (/etc/resolv.conf)
    std::chrono::milliseconds query_timeout{std::chrono::seconds(2)};  // per try
    int tries = 2;
    std::chrono::milliseconds deadline{std::chrono::seconds(10)};  // for the whole batch
    // Ask again for the end of a CNAME chain the server did not follow (an
    // authoritative server answering for another zone's target), up to 8 links.
    bool follow_cnames = true;
};

// Longest CNAME chain followed; a longer one is reported as a loop.
inline constexpr std::size_t kMaxCnameChain = 8;

// Answers in the order of `queries`. Throws std::runtime_error only when
// c-ares cannot be set up at all. With several servers, c-ares asks the next
// when one does not answer (failover); to ask each server, call once per server.
std::vector<Answer> resolve(const std::vector<Query>& queries, const Options& options);

// The addresses of `name` (IPv4 first, then IPv6) as a program connecting to
// it finds them: the hosts file (/etc/hosts) first, then DNS (A and AAAA
// through the system's resolvers, or `options.servers`), each name of the
// batch once, all at once. A name that does not resolve maps to no addresses,
// with `why` saying why ("NXDOMAIN", "timeout", ...).
struct HostAddresses {
    std::vector<std::string> addresses;
    std::string why;
};
std::vector<HostAddresses> resolve_hosts(const std::vector<std::string>& names, const Options& options);

// Reads one DNS response (the bytes c-ares hands over) into `answer`: the
// records of `answer.query.type` and the CNAME chain. Returns false, with
// `answer.detail` set, for a message it cannot read. Public for the tests and
// the fuzz target.
bool read_response(const unsigned char* buffer, std::size_t length, Answer& answer);

}  // namespace certtool::dns
