// fuzz_tls_server: whatever reads what a TLS server sends, i.e. crypto::fetch_all
// (`certtool audit --live`): OpenSSL's client handshake driven by certtool's
// socket BIO, event loop and error classification, and the chain parsing after it.
// One loopback listener thread (127.0.0.1, an ephemeral port) answers every
// connection with the current input, then shuts down its sending side, then reads
// and discards until the client closes. The seeds (corpus/tls_server/) are real
// first flights of `openssl s_server -tls1_2` recorded on loopback (see
// record_server_flight.py), with and without a CertificateRequest.
// A bug: any crash or sanitizer report, an exception (fetch_all never throws for a
// target's failure), or a result that is not sane: ok with an empty chain, or
// not ok with an error code outside the documented list, or one that cannot
// happen here (the server is always there, and always ends its side promptly).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "crypto/tls_fetch.hpp"

using namespace certtool;

namespace {

void require(bool sane) {
    if (!sane) __builtin_trap();
}

class Server {
public:
    Server() {
        fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t length = sizeof address;
        require(fd_ >= 0 && ::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
                ::listen(fd_, 16) == 0 && ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) == 0);
        port_ = ntohs(address.sin_port);
        std::thread([this] { serve(); }).detach();
    }

    [[nodiscard]] int port() const { return port_; }

    void answer_with(std::string bytes) {
        const std::lock_guard<std::mutex> lock(mutex_);
        answer_ = std::move(bytes);
    }

private:
    void serve() {
        for (;;) {
            const int client = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
            if (client < 0) continue;
            std::string bytes;
            {
                const std::lock_guard<std::mutex> lock(mutex_);
                bytes = answer_;
            }
            const timeval timeout{5, 0};  // never stuck on a client that neither reads nor closes
            ::setsockopt(client, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
            ::setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
            for (std::size_t sent = 0; sent < bytes.size();) {
                const ssize_t n = ::send(client, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
                if (n <= 0) break;  // the client gave up (read limit) or closed
                sent += static_cast<std::size_t>(n);
            }
            ::shutdown(client, SHUT_WR);
            char sink[4096];
            while (::recv(client, sink, sizeof sink, 0) > 0) {
            }
            ::close(client);
        }
    }

    int fd_ = -1;
    int port_ = 0;
    std::mutex mutex_;
    std::string answer_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static Server* server = new Server();  // lives as long as the process; its thread never ends
    server->answer_with(std::string(reinterpret_cast<const char*>(data), size));

    crypto::FetchLimits limits;
    limits.connect_timeout = std::chrono::milliseconds(1000);
    limits.handshake_timeout = std::chrono::milliseconds(1000);
    limits.deadline = std::chrono::milliseconds(3000);
    limits.max_chain_bytes = 256 * 1024;
    const std::vector<crypto::FetchResult> results =
        crypto::fetch_all({crypto::FetchTarget{"127.0.0.1", server->port(), "sip.contoso.com"}}, limits);

    require(results.size() == 1);
    const crypto::FetchResult& r = results.front();
    if (r.ok) {
        require(r.error_code.empty() && !r.chain.empty() && !r.protocol.empty());
    } else {
        // What a server that answers and then closes can cause (no dns, refused,
        // unreachable, connect-timeout; and no handshake-timeout or deadline: its
        // end of the stream always comes at once).
        static const std::set<std::string> possible = {"tls.handshake-failed", "tls.not-tls", "tls.reset",
                                                       "tls.too-much-data"};
        require(possible.count(r.error_code) == 1 && r.chain.empty() && !r.message.empty());
    }
    return 0;
}
