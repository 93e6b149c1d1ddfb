// Private to lib/crypto: the event loop of tls_fetch.cpp, shared by its two
// users. fetch_all (tls_fetch.hpp) connects, handshakes and keeps the chain;
// probe_sip_options (sip_probe.hpp) does the same and then holds a
// Conversation over the connection: it sends a request and reads the answer,
// under a timeout of its own (FetchLimits::answer_timeout) and a byte limit
// (FetchLimits::max_answer_bytes). Never include this header outside lib/crypto.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/tls_fetch.hpp"

namespace certtool::crypto::session {

// What is said over a connection once its handshake is done. One object for
// the batch; each call names the target by its index in the batch.
class Conversation {
public:
    virtual ~Conversation() = default;
    // The bytes to send to target `index` once its handshake is done; `local_host`
    // ("192.0.2.1", "[2001:db8::1]") and `local_port` are this end of the connection.
    virtual std::string opening(std::size_t index, const std::string& local_host, int local_port) = 0;
    // The next bytes target `index` sent after the handshake; true when no more are wanted.
    virtual bool answered(std::size_t index, std::string_view bytes) = 0;
};

// How a conversation ended.
enum class Ending {
    not_started,    // no conversation: none was asked for, or the handshake did not complete
    answered,       // Conversation::answered said enough
    timeout,        // nothing that ended it within answer_timeout
    deadline,       // the batch deadline passed during the conversation
    closed,         // the server closed the connection (close_notify or a bare TCP close)
    reset,          // the server reset the connection
    alert,          // the server sent a TLS alert (e.g. TLS 1.3 certificate_required)
    too_much_data,  // max_answer_bytes received and the conversation still wanted more
    failed,         // any other TLS or socket error
};

struct Outcome {
    FetchResult fetch;  // the connection and the handshake, as fetch_all reports them
    bool client_certificate_requested = false;  // the server sent a CertificateRequest
    bool handshake_completed = false;  // false also when fetch.ok because a server that wanted MTLS ended it
    Ending ending = Ending::not_started;
    std::size_t answer_bytes = 0;  // received after the handshake
    std::string detail;            // what ended the conversation (OpenSSL's reasons, the socket error), without the address
};

// Runs the batch; with a conversation, holds it over every completed
// handshake. Outcomes in target order; throws only as fetch_all does.
std::vector<Outcome> run(const std::vector<FetchTarget>& targets, const FetchLimits& limits, Conversation* conversation);

}  // namespace certtool::crypto::session
