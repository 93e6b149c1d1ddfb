// The TLS endpoint of the end-to-end tests: a server in this process (the
// OpenSSL API, one thread, a worker per connection) listening on one or more
// loopback addresses, ready when the constructor returns and stopped when it
// goes out of scope, also when the test fails. It either completes the
// handshake with a certificate, key and chain, or misbehaves in one of the
// ways a live audit must survive. Tests that prove interoperability with a
// real server use daemon.hpp (OpensslServer, or nginx and kamailio) instead.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace certtool::test {

using Endpoint = std::pair<std::string, int>;  // IPv4 or IPv6 literal, port (0: a free one)

class TlsServer {
public:
    enum class Behaviour {
        handshake,          // a real TLS handshake with the identity, then reads until the client leaves
        silent,             // accepts TCP and never says anything
        endless_handshake,  // ServerHello, then a Certificate message continued by 16 KiB records forever
        huge_certificate,   // ServerHello, then a Certificate message announced at 16 MiB, sent forever
        slowloris,          // a handshake record header, then one byte per 100 ms
        reset,              // reads the ClientHello, then closes with SO_LINGER 0 (RST)
        plain_text,         // reads the ClientHello, answers a SIP 400 in plain text (SIP over TCP, not TLS) and closes
    };
    struct Identity {
        std::string cert;                // PEM, the leaf (and intermediates after it, if any)
        std::string key;                 // PEM
        std::vector<std::string> chain;  // more PEM files whose certificates are sent after the leaf
    };
    // What a handshaking server sends once the client has sent something after the handshake.
    struct Answer {
        std::string bytes;    // "": nothing, ever
        bool repeat = false;  // sent again and again until the client leaves: an answer that never ends
    };

    // Completes handshakes with `identity` on every endpoint (then answers with `answer`).
    TlsServer(const std::vector<Endpoint>& endpoints, const Identity& identity, Answer answer);
    TlsServer(const std::vector<Endpoint>& endpoints, const Identity& identity) : TlsServer(endpoints, identity, Answer{"", false}) {}
    // Misbehaves on every endpoint (any Behaviour but handshake).
    TlsServer(Behaviour behaviour, const std::vector<Endpoint>& endpoints);
    ~TlsServer();
    TlsServer(const TlsServer&) = delete;
    TlsServer& operator=(const TlsServer&) = delete;

    // The endpoints as bound (a port 0 replaced by the kernel's choice).
    [[nodiscard]] const std::vector<Endpoint>& endpoints() const { return endpoints_; }
    [[nodiscard]] int port() const { return endpoints_.front().second; }
    [[nodiscard]] std::size_t accepted() const { return accepted_; }
    [[nodiscard]] std::size_t handshakes() const { return handshakes_; }
    [[nodiscard]] unsigned long long bytes_sent() const { return sent_; }

private:
    struct Context;
    void listen_on(const std::vector<Endpoint>& endpoints);
    void serve();
    void handle(int fd);
    void handshake(int fd);
    bool wait(int fd, short events, int ms) const;
    bool send_all(int fd, const std::string& data);

    Behaviour behaviour_;
    Answer answer_;
    std::unique_ptr<Context> context_;
    std::vector<Endpoint> endpoints_;
    std::vector<int> listening_;
    std::atomic<bool> stop_{false};
    std::atomic<std::size_t> accepted_{0};
    std::atomic<std::size_t> handshakes_{0};
    std::atomic<unsigned long long> sent_{0};
    std::thread thread_;
};

}  // namespace certtool::test
