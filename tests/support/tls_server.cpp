#include "bytes.hpp"
#include "tls_server.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>

#include "socket_address.hpp"

namespace certtool::test {

using namespace std::chrono_literals;

namespace {

// A TLS 1.2 ServerHello record, then a handshake record opening a Certificate
// message of `certificate_length` bytes whose first 16 KiB it carries.
std::string server_hello_and_certificate_start(std::size_t certificate_length) {
    std::string body = "\x03\x03";
    body += std::string(32, '\x42');  // server random
    body += '\0';                     // no session id
    body += "\xc0\x2f";               // ECDHE-RSA-AES128-GCM-SHA256
    body += '\0';                     // no compression
    std::string hello(1, '\x02');
    put24(hello, body.size());
    hello += body;
    std::string out = "\x16\x03\x03";
    put16(out, hello.size());
    out += hello;
    std::string payload(1, '\x0b');  // Certificate
    put24(payload, certificate_length);
    payload += std::string(16384 - payload.size(), '\x30');
    out += "\x16\x03\x03";
    put16(out, payload.size());
    return out + payload;
}

// More of the Certificate message: a full handshake record.
std::string certificate_continuation() {
    std::string out = "\x16\x03\x03";
    put16(out, 16384);
    return out + std::string(16384, '\x30');
}

}  // namespace

struct TlsServer::Context {
    SSL_CTX* ctx = nullptr;
    ~Context() { SSL_CTX_free(ctx); }
};

TlsServer::TlsServer(const std::vector<Endpoint>& endpoints, const Identity& identity, Answer answer)
    : behaviour_(Behaviour::handshake), answer_(std::move(answer)), context_(std::make_unique<Context>()) {
    context_->ctx = SSL_CTX_new(TLS_server_method());
    REQUIRE(context_->ctx != nullptr);
    INFO("TLS server identity " << identity.cert << ", " << identity.key);
    REQUIRE(SSL_CTX_use_certificate_chain_file(context_->ctx, identity.cert.c_str()) == 1);
    REQUIRE(SSL_CTX_use_PrivateKey_file(context_->ctx, identity.key.c_str(), SSL_FILETYPE_PEM) == 1);
    for (const auto& file : identity.chain) {
        BIO* bio = BIO_new_file(file.c_str(), "r");
        REQUIRE(bio != nullptr);
        while (X509* c = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr)) {
            SSL_CTX_add1_chain_cert(context_->ctx, c);
            X509_free(c);
        }
        ERR_clear_error();  // the end of the file
        BIO_free(bio);
    }
    listen_on(endpoints);
}

TlsServer::TlsServer(Behaviour behaviour, const std::vector<Endpoint>& endpoints) : behaviour_(behaviour) {
    REQUIRE(behaviour != Behaviour::handshake);
    listen_on(endpoints);
}

void TlsServer::listen_on(const std::vector<Endpoint>& endpoints) {
    for (const auto& [ip, port] : endpoints) {
        const SocketAddress a(ip, port);
        const int fd = ::socket(a.family(), SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        REQUIRE(fd >= 0);
        listening_.push_back(fd);
        const int one = 1;
        ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (a.family() == AF_INET6) ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
        if (::bind(fd, a.get(), a.size()) != 0 || ::listen(fd, 64) != 0) {
            const std::string why = std::strerror(errno);
            for (const int l : listening_) ::close(l);
            listening_.clear();
            FAIL("cannot listen on " << ip << ":" << port << ": " << why);
        }
        endpoints_.emplace_back(ip, SocketAddress::bound_port(fd));
    }
    thread_ = std::thread([this] { serve(); });
}

TlsServer::~TlsServer() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    for (const int fd : listening_) ::close(fd);
}

void TlsServer::serve() {
    // OpenSSL writes with write(2): a client gone away must be EPIPE for this
    // thread and its workers, not a SIGPIPE that ends the test process. The
    // mask is theirs alone, so programs the tests start keep the default.
    sigset_t pipe;
    sigemptyset(&pipe);
    sigaddset(&pipe, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe, nullptr);
    std::vector<std::thread> workers;
    std::vector<pollfd> fds;
    for (const int fd : listening_) fds.push_back({fd, POLLIN, 0});
    while (!stop_) {
        if (::poll(fds.data(), fds.size(), 20) <= 0) continue;
        for (const auto& p : fds) {
            if ((p.revents & POLLIN) == 0) continue;
            const int c = ::accept4(p.fd, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
            if (c < 0) continue;
            ++accepted_;
            workers.emplace_back([this, c] { handle(c); });
        }
    }
    for (auto& w : workers) w.join();
}

bool TlsServer::wait(int fd, short events, int ms) const {
    pollfd p{fd, events, 0};
    return ::poll(&p, 1, ms) > 0 && (p.revents & events) != 0;
}

// Sends all of `data` unless the client goes away or the test ends.
bool TlsServer::send_all(int fd, const std::string& data) {
    std::size_t done = 0;
    while (done < data.size() && !stop_) {
        if (!wait(fd, POLLOUT, 20)) continue;
        const ssize_t n = ::send(fd, data.data() + done, data.size() - done, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) continue;
            return false;
        }
        done += static_cast<std::size_t>(n);
        sent_ += static_cast<unsigned long long>(n);
    }
    return done == data.size();
}

// The handshake on a non-blocking socket, then whatever the client sends is
// read and dropped until it leaves or the test ends; the answer, if any, goes
// out after the client's first bytes.
void TlsServer::handshake(int fd) {
    SSL* ssl = SSL_new(context_->ctx);
    SSL_set_fd(ssl, fd);
    const auto give_up = std::chrono::steady_clock::now() + 10s;
    bool done = false;
    while (!stop_ && std::chrono::steady_clock::now() < give_up) {
        const int r = SSL_accept(ssl);
        if (r == 1) {
            done = true;
            break;
        }
        const int e = SSL_get_error(ssl, r);
        if (e == SSL_ERROR_WANT_READ) (void)wait(fd, POLLIN, 20);
        else if (e == SSL_ERROR_WANT_WRITE) (void)wait(fd, POLLOUT, 20);
        else break;
    }
    // All of `data` over TLS, unless the client goes away or the test ends.
    const auto write_all = [&](const std::string& data) {
        std::size_t written = 0;
        while (written < data.size() && !stop_) {
            const int n = SSL_write(ssl, data.data() + written, static_cast<int>(data.size() - written));
            if (n > 0) {
                written += static_cast<std::size_t>(n);
                sent_ += static_cast<unsigned long long>(n);
                continue;
            }
            const int e = SSL_get_error(ssl, n);
            if (e == SSL_ERROR_WANT_WRITE) (void)wait(fd, POLLOUT, 20);
            else if (e == SSL_ERROR_WANT_READ) (void)wait(fd, POLLIN, 20);
            else return false;
        }
        return written == data.size();
    };
    if (done) {
        ++handshakes_;
        char buffer[4096];
        bool answered = answer_.bytes.empty();
        while (!stop_) {
            const int n = SSL_read(ssl, buffer, sizeof buffer);
            if (n > 0) {
                if (answered) continue;
                answered = true;
                bool open = write_all(answer_.bytes);
                while (open && answer_.repeat && !stop_) open = write_all(answer_.bytes);
                if (!open) break;
                continue;
            }
            if (SSL_get_error(ssl, n) != SSL_ERROR_WANT_READ) break;
            (void)wait(fd, POLLIN, 20);
        }
        (void)SSL_shutdown(ssl);
    }
    ERR_clear_error();
    SSL_free(ssl);
}

void TlsServer::handle(int fd) {
    char buffer[4096];
    switch (behaviour_) {
        case Behaviour::handshake:
            handshake(fd);
            break;
        case Behaviour::silent:
            while (!stop_) std::this_thread::sleep_for(20ms);  // held open, never read, never written
            break;
        case Behaviour::endless_handshake:
        case Behaviour::huge_certificate: {
            if (wait(fd, POLLIN, 2000)) (void)::recv(fd, buffer, sizeof buffer, 0);  // the ClientHello
            // Fits the client's limit on its own (1 MiB - 8), or far over it.
            const std::size_t length = behaviour_ == Behaviour::huge_certificate ? 0xffffff : (1 << 20) - 8;
            bool open = send_all(fd, server_hello_and_certificate_start(length));
            const std::string more = certificate_continuation();
            while (open && !stop_) open = send_all(fd, more);
            break;
        }
        case Behaviour::slowloris: {
            if (wait(fd, POLLIN, 2000)) (void)::recv(fd, buffer, sizeof buffer, 0);
            bool open = send_all(fd, std::string("\x16\x03\x03\x40\x00", 5));  // a 16 KiB handshake record follows...
            while (open && !stop_) {
                std::this_thread::sleep_for(100ms);
                open = send_all(fd, std::string(1, '\x02'));  // ...one byte at a time
            }
            break;
        }
        case Behaviour::plain_text: {
            if (wait(fd, POLLIN, 2000)) (void)::recv(fd, buffer, sizeof buffer, 0);
            (void)send_all(fd, "SIP/2.0 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
            break;
        }
        case Behaviour::reset: {
            if (wait(fd, POLLIN, 2000)) (void)::recv(fd, buffer, sizeof buffer, 0);
            linger l{1, 0};
            ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
            break;
        }
    }
    ::close(fd);
}

}  // namespace certtool::test
