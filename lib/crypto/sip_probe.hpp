// Whether an Access Edge speaks SIP over its TLS port: `certtool audit --dns`
// follows the _sipfederationtls._tcp SRV record and the Access Edge A record
// to every address, and there, besides taking the certificate chain, sends one
// SIP OPTIONS request (RFC 3261 11) over the TLS connection and reports the
// answer. Shares fetch_all's event loop (tls_fetch.cpp): many targets at once,
// the same limits, the same connection error codes; nothing is verified here.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "crypto/certificate.hpp"
#include "crypto/tls_fetch.hpp"

namespace certtool::crypto {

struct SipProbeTarget {
    std::string address;  // IPv4 or IPv6 literal (brackets allowed); a DNS name is resolved as fetch_all does
    int port = 5061;
    std::string sni;               // the server name sent in the handshake; "" = none
    std::string request_uri_host;  // OPTIONS sip:<host>; "" = the SNI, or the address without one
};

struct SipProbeResult {
    SipProbeTarget target;
    bool answered = false;      // a final SIP response (200-699) came, whatever its status
    int status = 0;             // its status code
    std::string reason_phrase;  // its reason phrase, made printable (non-ASCII as \xNN)
    std::string server_header;  // its Server header, made printable; "" without one
    std::vector<int> provisional;  // the provisional statuses (1xx) passed over before it, in order
    // The server sent a CertificateRequest during the handshake (mutual TLS, as
    // a federation peer's Access Edge does on 5061). certtool sends no certificate.
    bool client_certificate_requested = false;
    // "" when answered. Otherwise one of fetch_all's codes for the connection and
    // the handshake (tls.refused, tls.connect-timeout, tls.handshake-failed, ...),
    // or, with TLS up:
    //   sip.no-answer    no whole SIP response within answer_timeout (or before the batch deadline)
    //   sip.not-sip      the server sent something that is not a SIP response
    //   sip.closed       the server closed (or reset, or ended with a TLS alert) without a final response
    //   sip.too-much-data  max_answer_bytes (64 KiB) without the end of a final response's headers
    //   sip.client-certificate-required  the server asked for a client certificate and then
    //                    failed the handshake or closed: expected of a federation peer
    //   sip.bad-target   request_uri_host (or the SNI standing for it) is not a host name or address; not connected
    std::string error_code;
    std::string message;             // what happened, for the admin; also on some answers (a client certificate asked for)
    std::vector<Certificate> chain;  // as presented, leaf first (also with most sip.* codes)
    std::string protocol;            // "TLSv1.3", "TLSv1.2", ...
    std::chrono::milliseconds elapsed{0};  // from the start of the target to the end of its answer
};

// Probes every target, concurrently (limits.concurrency at once); results in
// target order. Each connection: TCP connect (connect_timeout), TLS handshake
// with the SNI (handshake_timeout), one OPTIONS with a random branch, tag and
// Call-ID, then reading until the headers of the first final response have
// come (provisional 1xx responses are passed over), for at most answer_timeout
// and max_answer_bytes; the batch ends by limits.deadline. Never throws for a
// target's failure; throws CryptoError("tls.init") only if OpenSSL cannot set
// up a TLS context or random numbers.
std::vector<SipProbeResult> probe_sip_options(const std::vector<SipProbeTarget>& targets, const FetchLimits& limits);

}  // namespace certtool::crypto
