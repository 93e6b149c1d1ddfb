// What TLS servers present: `certtool audit --live` connects to every endpoint
// of the plan and records the certificate chain each one sends. Many targets
// are fetched concurrently by one event loop over non-blocking sockets (see
// tls_fetch.cpp, which the SIP probe of sip_probe.hpp shares); nothing here
// verifies anything (that is validate_chain's job, done afterwards with Botan).
// No OpenSSL type leaks out.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "crypto/certificate.hpp"

namespace certtool::crypto {

struct FetchTarget {
    std::string host;  // IP literal (v4, v6, optionally in brackets) or DNS name
    int port = 443;
    std::string sni;   // server name to send; "" = none
};

struct FetchLimits {
    std::chrono::milliseconds connect_timeout{5000};    // per TCP connection attempt
    std::chrono::milliseconds handshake_timeout{5000};  // from TCP established to handshake done
    std::chrono::milliseconds deadline{60000};          // the whole batch
    std::size_t concurrency = 64;                       // connections in flight at most (0 is taken as 1)
    std::size_t max_chain_bytes = 1 << 20;              // bytes read from one server at most, up to the handshake's end
    // After the handshake, for a probe that asks something (probe_sip_options):
    std::chrono::milliseconds answer_timeout{5000};  // from the handshake's end to a whole answer
    std::size_t max_answer_bytes = 64 * 1024;        // bytes of answer taken from one server at most
    // Called on the fetching thread each time a target is finished (fetched,
    // failed or given up): how many are, out of how many, and which one. For
    // a progress line; it must not throw.
    std::function<void(std::size_t finished, std::size_t total, const FetchTarget& target)> progress;
};

struct FetchResult {
    FetchTarget target;
    bool ok = false;
    // Stable: "tls.dns", "tls.refused", "tls.unreachable", "tls.connect-timeout",
    // "tls.handshake-timeout", "tls.handshake-failed", "tls.not-tls", "tls.reset",
    // "tls.too-much-data", "tls.deadline" ("" when ok).
    std::string error_code;
    std::string message;             // what happened, for the admin (also set on some successes, e.g. MTLS)
    std::vector<Certificate> chain;  // as presented, leaf first
    std::string protocol;            // "TLSv1.3", "TLSv1.2", "TLSv1", ...
    std::string cipher;              // OpenSSL cipher name
    std::chrono::milliseconds elapsed{0};  // from name resolution to the end (0 if never started)
};

// Fetches every target; the results are in target order. Server certificates
// are not verified. A server that asks for a client certificate gets none; if
// it then ends the handshake after sending its own chain, the result is still
// ok (with a message saying so). Never throws for a target's failure; throws
// CryptoError("tls.init") only if OpenSSL cannot set up a TLS context at all.
//
// Host names are looked up before the first connection, all at once and
// asynchronously (c-ares, lib/dns: the hosts file, then A and AAAA through
// the system's resolvers), each query within connect_timeout (two tries) and
// the lookups together within the deadline; a name that does not resolve is
// tls.dns with the reason (NXDOMAIN, SERVFAIL, timeout, ...). Every address of
// a name is tried in turn, IPv4 first. IP literals never touch DNS.
std::vector<FetchResult> fetch_all(const std::vector<FetchTarget>& targets, const FetchLimits& limits);

}  // namespace certtool::crypto
