// fetch_all and probe_sip_options (through session::run, tls_session.hpp):
// one thread, one poll(2) loop over non-blocking sockets.
//
// Why one thread: the work is waiting on the network; OpenSSL's client side of
// a handshake costs well under a millisecond of CPU, so a single loop keeps up
// with hundreds of servers, and there is no locking, no shared error queue and
// nothing to join when the deadline strikes.
//
// Each target goes pending -> (resolve) -> connecting -> handshaking ->
// [talking] -> done; talking, only with a Conversation, sends its request and
// reads the answer. At most `concurrency` targets are in flight at a time.
// Every in-flight target has its own phase deadline (connect, handshake or
// answer timeout); the batch has one overall deadline after which whatever is
// left is reported as "tls.deadline" (a conversation: Ending::deadline).
//
// Bytes go through a small BIO of our own over the socket instead of
// SSL_set_fd's socket BIO, for three reasons: send() gets MSG_NOSIGNAL (a
// server that resets must not raise SIGPIPE in the caller's process); reads are
// capped so that no more than max_chain_bytes are ever taken from one server
// (OpenSSL without read-ahead asks for exactly the bytes of the record it is
// assembling, so the cap is exact; a conversation raises it by what its
// answer may take); and the first bytes received are kept to tell "not TLS at
// all" from a TLS handshake that failed.
#include "crypto/tls_fetch.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/ssl.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <map>
#include <memory>
#include <utility>

#include "core/plural.hpp"
#include "crypto/openssl_util.hpp"
#include "crypto/tls_session.hpp"
#include "dns/resolver.hpp"

namespace certtool::crypto {

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

using SslCtxPtr = std::unique_ptr<SSL_CTX, ossl::Deleter<SSL_CTX, SSL_CTX_free>>;
using SslPtr = std::unique_ptr<SSL, ossl::Deleter<SSL, SSL_free>>;

// ---------------------------------------------------------------------------
// The socket BIO.

struct Io {
    int fd = -1;
    std::size_t limit = 0;
    std::size_t bytes_read = 0;
    bool over_limit = false;
    bool eof = false;
    int sys_errno = 0;  // the first socket error seen
    std::array<unsigned char, 5> first{};
    std::size_t first_len = 0;
};

int io_write(BIO* bio, const char* data, std::size_t len, std::size_t* written) {
    auto* io = static_cast<Io*>(BIO_get_data(bio));
    BIO_clear_retry_flags(bio);
    ssize_t n = ::send(io->fd, data, len, MSG_NOSIGNAL);
    if (n >= 0) {
        *written = static_cast<std::size_t>(n);
        return 1;
    }
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
        BIO_set_retry_write(bio);
    } else if (io->sys_errno == 0) {
        io->sys_errno = errno;
    }
    *written = 0;
    return 0;
}

int io_read(BIO* bio, char* data, std::size_t len, std::size_t* read) {
    auto* io = static_cast<Io*>(BIO_get_data(bio));
    BIO_clear_retry_flags(bio);
    *read = 0;
    std::size_t allowed = std::min(len, io->limit - io->bytes_read);
    if (allowed == 0) {
        io->over_limit = true;
        return 0;
    }
    ssize_t n = ::recv(io->fd, data, allowed, 0);
    if (n > 0) {
        auto got = static_cast<std::size_t>(n);
        for (std::size_t i = 0; i < got && io->first_len < io->first.size(); ++i) {
            io->first[io->first_len++] = static_cast<unsigned char>(data[i]);
        }
        io->bytes_read += got;
        *read = got;
        return 1;
    }
    if (n == 0) {
        io->eof = true;
    } else if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
        BIO_set_retry_read(bio);
    } else if (io->sys_errno == 0) {
        io->sys_errno = errno;
    }
    return 0;
}

long io_ctrl(BIO* /*bio*/, int cmd, long /*num*/, void* /*ptr*/) {
    return cmd == BIO_CTRL_FLUSH ? 1 : 0;
}

int io_create(BIO* bio) {
    BIO_set_init(bio, 1);
    return 1;
}

const BIO_METHOD* io_method() {
    static BIO_METHOD* method = [] {
        BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "certtool tls_fetch socket");
        if (m != nullptr) {
            BIO_meth_set_write_ex(m, io_write);
            BIO_meth_set_read_ex(m, io_read);
            BIO_meth_set_ctrl(m, io_ctrl);
            BIO_meth_set_create(m, io_create);
        }
        return m;
    }();
    return method;
}

// ---------------------------------------------------------------------------
// The TLS context: for looking, not for trusting.

struct Conn;
Conn* conn_of(SSL* ssl);

int no_client_certificate(SSL* ssl, X509** /*x509*/, EVP_PKEY** /*pkey*/);

SslCtxPtr make_context(const FetchLimits& limits) {
    ERR_clear_error();
    SslCtxPtr ctx(SSL_CTX_new(TLS_client_method()));
    if (!ctx) throw ossl::error("tls.init", "cannot create a TLS client context");
    // Verification is done later by validate_chain (Botan); here we take
    // whatever the server presents, from TLS 1.0 up, with any cipher it may
    // still use (old Lync / Windows Server 2008 R2 servers).
    SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_NONE, nullptr);
    SSL_CTX_set_security_level(ctx.get(), 0);
    if (SSL_CTX_set_min_proto_version(ctx.get(), TLS1_VERSION) != 1 ||
        SSL_CTX_set_max_proto_version(ctx.get(), 0) != 1 ||
        SSL_CTX_set_cipher_list(ctx.get(), "ALL:!aNULL:!eNULL:@SECLEVEL=0") != 1) {
        throw ossl::error("tls.init", "cannot configure the TLS client context");
    }
    SSL_CTX_set_options(ctx.get(), SSL_OP_LEGACY_SERVER_CONNECT | SSL_OP_NO_TICKET);
    SSL_CTX_set_session_cache_mode(ctx.get(), SSL_SESS_CACHE_OFF);
    SSL_CTX_set_max_cert_list(ctx.get(), static_cast<long>(std::min<std::size_t>(limits.max_chain_bytes, 1L << 30)));
    SSL_CTX_set_client_cert_cb(ctx.get(), no_client_certificate);
    return ctx;
}

// ---------------------------------------------------------------------------
// Names and addresses.

struct Address {
    sockaddr_storage storage{};
    socklen_t len = 0;
    [[nodiscard]] std::string text() const {
        char buf[INET6_ADDRSTRLEN] = {};
        const auto* sa = reinterpret_cast<const sockaddr*>(&storage);
        if (sa->sa_family == AF_INET) {
            inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&storage)->sin_addr, buf, sizeof buf);
            return buf;
        }
        inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&storage)->sin6_addr, buf, sizeof buf);
        return std::string("[") + buf + "]";
    }
};

struct Resolved {
    std::vector<Address> addresses;
    std::string error;  // set when addresses is empty
};

std::string strip_brackets(const std::string& host) {
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') return host.substr(1, host.size() - 2);
    return host;
}

// Host names (not IP literals) of the batch -> their addresses, looked up
// together with c-ares before the first connection (dns::resolve_hosts).
using NameTable = std::map<std::string, dns::HostAddresses>;

bool is_ip_literal(const std::string& host) {
    in_addr v4{};
    in6_addr v6{};
    return ::inet_pton(AF_INET, host.c_str(), &v4) == 1 || ::inet_pton(AF_INET6, host.c_str(), &v6) == 1;
}

NameTable resolve_names(const std::vector<FetchTarget>& targets, const FetchLimits& limits) {
    std::vector<std::string> names;
    for (const auto& t : targets) {
        const std::string host = strip_brackets(t.host);
        if (!host.empty() && !is_ip_literal(host) && std::find(names.begin(), names.end(), host) == names.end()) names.push_back(host);
    }
    NameTable table;
    if (names.empty()) return table;
    dns::Options options;
    options.query_timeout = limits.connect_timeout;
    options.deadline = std::min(limits.deadline, 2 * limits.connect_timeout + std::chrono::milliseconds(500));
    auto found = dns::resolve_hosts(names, options);
    for (std::size_t i = 0; i < names.size(); ++i) table.emplace(names[i], std::move(found[i]));
    return table;
}

Resolved resolve(const std::string& host_in, int port, const NameTable& names) {
    Resolved out;
    std::string host = strip_brackets(host_in);
    if (host.empty()) {
        out.error = "no host name or address given";
        return out;
    }
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_protocol = IPPROTO_TCP;
    hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
    std::string service = std::to_string(port);
    addrinfo* list = nullptr;
    if (!is_ip_literal(host)) {
        // A name: its addresses were looked up for the whole batch (resolve_names).
        const auto found = names.find(host);
        if (found == names.end() || found->second.addresses.empty()) {
            out.error = "cannot resolve " + host + ": " + (found == names.end() ? "not looked up" : found->second.why);
            return out;
        }
        for (const auto& address : found->second.addresses) {
            const Resolved one = resolve(address, port, names);
            out.addresses.insert(out.addresses.end(), one.addresses.begin(), one.addresses.end());
        }
        if (out.addresses.empty()) out.error = "no address found for " + host;
        return out;
    }
    const int rc = getaddrinfo(host.c_str(), service.c_str(), &hints, &list);
    if (rc != 0) {
        out.error = "cannot resolve " + host + ": " + gai_strerror(rc);
        return out;
    }
    for (addrinfo* ai = list; ai != nullptr; ai = ai->ai_next) {
        if (ai->ai_addrlen > sizeof(sockaddr_storage)) continue;
        Address a;
        std::memcpy(&a.storage, ai->ai_addr, ai->ai_addrlen);
        a.len = ai->ai_addrlen;
        out.addresses.push_back(a);
    }
    freeaddrinfo(list);
    if (out.addresses.empty()) out.error = "no address found for " + host;
    return out;
}

// ---------------------------------------------------------------------------
// One target in flight.

enum class Phase { connecting, handshaking, talking };

struct Conn {
    std::size_t index = 0;
    Clock::time_point started;
    Phase phase = Phase::connecting;
    std::vector<Address> addresses;
    std::size_t next_address = 0;
    std::string address_text;  // the address being tried
    int fd = -1;
    Io io;
    SslPtr ssl;
    Clock::time_point phase_deadline;
    short events = 0;
    bool client_certificate_requested = false;
    bool done = false;
    std::string request;    // talking: what the conversation sends
    std::size_t sent = 0;   // of it

    Conn() = default;
    Conn(const Conn&) = delete;
    Conn& operator=(const Conn&) = delete;
    ~Conn() { close_socket(); }

    void close_socket() {
        ssl.reset();
        if (fd >= 0) ::close(fd);
        fd = -1;
    }
};

int conn_index() {
    static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
    return index;
}

Conn* conn_of(SSL* ssl) { return static_cast<Conn*>(SSL_get_ex_data(ssl, conn_index())); }

int no_client_certificate(SSL* ssl, X509** /*x509*/, EVP_PKEY** /*pkey*/) {
    if (Conn* c = conn_of(ssl)) c->client_certificate_requested = true;
    return 0;  // continue without a client certificate
}

std::string ms_text(milliseconds ms) { return std::to_string(ms.count()) + " ms"; }

class SessionLoop {
public:
    SessionLoop(const std::vector<FetchTarget>& targets, const FetchLimits& limits, session::Conversation* conversation)
        : targets_(targets), limits_(limits), conversation_(conversation), ctx_(make_context(limits)) {
        results_.resize(targets.size());
        for (std::size_t i = 0; i < targets.size(); ++i) results_[i].fetch.target = targets[i];
        if (limits_.concurrency == 0) limits_.concurrency = 1;
        if (limits_.max_chain_bytes == 0) limits_.max_chain_bytes = 1;
        if (limits_.max_answer_bytes == 0) limits_.max_answer_bytes = 1;
    }

    std::vector<session::Outcome> run() {
        const Clock::time_point batch_deadline = Clock::now() + limits_.deadline;
        names_ = resolve_names(targets_, limits_);
        std::size_t next = 0;
        std::vector<pollfd> fds;
        while (next < targets_.size() || !active_.empty()) {
            if (Clock::now() >= batch_deadline) break;
            while (active_.size() < limits_.concurrency && next < targets_.size() && Clock::now() < batch_deadline) {
                start(next++);
            }
            std::erase_if(active_, [](const std::unique_ptr<Conn>& c) { return c->done; });
            if (active_.empty()) continue;

            Clock::time_point wake = batch_deadline;
            fds.clear();
            for (const auto& c : active_) {
                wake = std::min(wake, c->phase_deadline);
                fds.push_back(pollfd{c->fd, c->events, 0});
            }
            Clock::time_point now = Clock::now();
            int timeout_ms = 0;
            if (wake > now) {
                auto wait = std::chrono::duration_cast<milliseconds>(wake - now) + milliseconds(1);
                timeout_ms = static_cast<int>(std::min<long long>(wait.count(), 60'000));
            }
            int n = ::poll(fds.data(), fds.size(), timeout_ms);
            if (n < 0 && errno != EINTR) {
                int err = errno;
                for (auto& c : active_) finish_error(*c, "tls.unreachable", std::string("poll failed: ") + std::strerror(err));
            }
            now = Clock::now();
            for (std::size_t i = 0; i < active_.size(); ++i) {
                Conn& c = *active_[i];
                if (c.done) continue;
                if (n > 0 && fds[i].revents != 0) {
                    step(c);
                } else if (now >= c.phase_deadline) {
                    timed_out(c);
                }
            }
            std::erase_if(active_, [](const std::unique_ptr<Conn>& c) { return c->done; });
        }

        // The batch deadline: whatever is left.
        const std::string why = "the batch deadline of " + ms_text(limits_.deadline) + " passed ";
        for (auto& c : active_) {
            if (c->phase == Phase::talking) {
                end_conversation(*c, session::Ending::deadline, why + "while waiting for the answer");
                continue;
            }
            finish_error(*c, "tls.deadline",
                         why + (c->phase == Phase::connecting ? "while connecting to " : "during the TLS handshake with ") +
                             c->address_text);
        }
        active_.clear();
        for (; next < targets_.size(); ++next) {
            results_[next].fetch.error_code = "tls.deadline";
            results_[next].fetch.message = why + "before this target's turn came";
        }
        return std::move(results_);
    }

private:
    void start(std::size_t index) {
        auto c = std::make_unique<Conn>();
        c->index = index;
        c->started = Clock::now();
        c->io.limit = limits_.max_chain_bytes;
        const FetchTarget& t = targets_[index];
        if (t.port < 1 || t.port > 65535) {
            finish_error(*c, "tls.unreachable", "port " + std::to_string(t.port) + " is not a TCP port");
            return;
        }
        const std::string key = strip_brackets(t.host) + "|" + std::to_string(t.port);
        auto it = resolved_.find(key);
        if (it == resolved_.end()) it = resolved_.emplace(key, resolve(t.host, t.port, names_)).first;
        if (it->second.addresses.empty()) {
            finish_error(*c, "tls.dns", it->second.error);
            return;
        }
        c->addresses = it->second.addresses;
        Conn& ref = *c;
        active_.push_back(std::move(c));
        connect_next(ref, "tls.unreachable", "");
    }

    // Tries the next address; with none left, finishes with the last failure.
    void connect_next(Conn& c, const std::string& code, const std::string& message) {
        while (c.next_address < c.addresses.size()) {
            c.close_socket();
            const Address& a = c.addresses[c.next_address++];
            c.address_text = a.text() + ":" + std::to_string(targets_[c.index].port);
            const auto* sa = reinterpret_cast<const sockaddr*>(&a.storage);
            c.fd = ::socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
            if (c.fd < 0) {
                int err = errno;
                if (err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM) {
                    finish_error(c, "tls.unreachable", std::string("cannot open a socket: ") + std::strerror(err));
                    return;
                }
                continue;  // e.g. no IPv6 on this host: try the next address
            }
            c.phase = Phase::connecting;
            c.phase_deadline = Clock::now() + limits_.connect_timeout;
            if (::connect(c.fd, sa, a.len) == 0) {
                begin_handshake(c);
                return;
            }
            if (errno == EINPROGRESS || errno == EINTR) {
                c.events = POLLOUT;
                return;
            }
            int err = errno;
            if (c.next_address >= c.addresses.size()) {
                connect_failed(c, err);
                return;
            }
        }
        finish_error(c, code, message.empty() ? "no usable address for " + targets_[c.index].host : message);
    }

    static std::string connect_code(int err) {
        switch (err) {
        case ECONNREFUSED: return "tls.refused";
        case ETIMEDOUT: return "tls.connect-timeout";
        default: return "tls.unreachable";
        }
    }

    void connect_failed(Conn& c, int err) {
        std::string code = connect_code(err);
        std::string message = (err == ECONNREFUSED ? std::string("connection refused by ")
                                                   : std::string("cannot connect to ")) +
                              c.address_text + (err == ECONNREFUSED ? "" : std::string(": ") + std::strerror(err));
        if (c.next_address < c.addresses.size()) {
            connect_next(c, code, message);
        } else {
            finish_error(c, code, message);
        }
    }

    void step(Conn& c) {
        if (c.phase == Phase::connecting) {
            int err = 0;
            socklen_t len = sizeof err;
            if (::getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
            if (err == 0) {
                begin_handshake(c);
            } else {
                connect_failed(c, err);
            }
            return;
        }
        if (c.phase == Phase::talking) {
            drive_conversation(c);
            return;
        }
        drive_handshake(c);
    }

    void timed_out(Conn& c) {
        if (c.phase == Phase::connecting) {
            std::string message = "no TCP answer from " + c.address_text + " within " + ms_text(limits_.connect_timeout);
            if (c.next_address < c.addresses.size()) {
                connect_next(c, "tls.connect-timeout", message);
            } else {
                finish_error(c, "tls.connect-timeout", message);
            }
            return;
        }
        if (c.phase == Phase::talking) {
            end_conversation(c, session::Ending::timeout,
                             "no whole answer within " + ms_text(limits_.answer_timeout) + " (" +
                                 plural(results_[c.index].answer_bytes, "byte", "bytes") + " received)");
            return;
        }
        finish_error(c, "tls.handshake-timeout",
                     "the TLS handshake with " + c.address_text + " did not complete within " +
                         ms_text(limits_.handshake_timeout) + " (" + plural(c.io.bytes_read, "byte", "bytes") +
                         " received)");
    }

    void begin_handshake(Conn& c) {
        c.phase = Phase::handshaking;
        c.phase_deadline = Clock::now() + limits_.handshake_timeout;
        c.io = Io{};
        c.io.fd = c.fd;
        c.io.limit = limits_.max_chain_bytes;
        ERR_clear_error();
        c.ssl.reset(SSL_new(ctx_.get()));
        BIO* bio = c.ssl ? BIO_new(io_method()) : nullptr;
        if (!c.ssl || bio == nullptr) {
            finish_error(c, "tls.handshake-failed", "cannot set up TLS: " + ossl::drain_errors());
            return;
        }
        BIO_set_data(bio, &c.io);
        SSL_set_bio(c.ssl.get(), bio, bio);  // the SSL owns the BIO now
        SSL_set_ex_data(c.ssl.get(), conn_index(), &c);
        SSL_set_connect_state(c.ssl.get());
        const std::string& sni = targets_[c.index].sni;
        if (!sni.empty() && SSL_set_tlsext_host_name(c.ssl.get(), sni.c_str()) != 1) {
            finish_error(c, "tls.handshake-failed", "cannot send the server name '" + sni + "': " + ossl::drain_errors());
            return;
        }
        drive_handshake(c);
    }

    void drive_handshake(Conn& c) {
        ERR_clear_error();
        int rc = SSL_do_handshake(c.ssl.get());
        if (rc == 1) {
            handshake_done(c);
            return;
        }
        int err = SSL_get_error(c.ssl.get(), rc);
        if (!c.io.over_limit) {
            if (err == SSL_ERROR_WANT_READ) {
                c.events = POLLIN;
                return;
            }
            if (err == SSL_ERROR_WANT_WRITE) {
                c.events = POLLOUT;
                return;
            }
        }
        handshake_failed(c);
    }

    static bool looks_like_tls(const Io& io) {
        // A TLS record starts with a content type (change_cipher_spec 20 ...
        // heartbeat 24) and a major version of 3.
        if (io.first_len >= 1 && (io.first[0] < 20 || io.first[0] > 24)) return false;
        if (io.first_len >= 2 && io.first[1] != 3) return false;
        return true;
    }

    void handshake_failed(Conn& c) {
        unsigned long first_error = ERR_peek_error();
        std::string openssl = ossl::drain_errors();
        const std::string with = " with " + c.address_text;
        bool excessive = ERR_GET_LIB(first_error) == ERR_LIB_SSL &&
                         ERR_GET_REASON(first_error) == SSL_R_EXCESSIVE_MESSAGE_SIZE;
        if (c.io.over_limit || excessive) {
            finish_error(c, "tls.too-much-data",
                         "the server sent more than " + std::to_string(limits_.max_chain_bytes) +
                             " bytes without completing the handshake" + with + " (" +
                             plural(c.io.bytes_read, "byte", "bytes") + " read; the limit is max_chain_bytes)");
            return;
        }
        if (!looks_like_tls(c.io)) {
            std::string head;
            for (std::size_t i = 0; i < c.io.first_len; ++i) {
                unsigned char ch = c.io.first[i];
                head += (ch >= 0x20 && ch < 0x7f) ? static_cast<char>(ch) : '.';
            }
            finish_error(c, "tls.not-tls",
                         "the server at " + c.address_text + " does not speak TLS (it answered \"" + head + "...\")");
            return;
        }
        // A server that wants mutual TLS may end the handshake once it sees we
        // have no client certificate; its own chain has arrived by then.
        if (c.client_certificate_requested && SSL_get0_peer_certificate(c.ssl.get()) != nullptr) {
            if (keep_chain(c, "the server asked for a client certificate and ended the handshake when none came (" +
                                  (openssl.empty() ? std::string("connection closed") : openssl) +
                                  "); the chain it presented before that is reported")) {
                finish(c);
            }
            return;
        }
        if (c.io.sys_errno == ECONNRESET || c.io.sys_errno == EPIPE) {
            finish_error(c, "tls.reset",
                         "the server reset the connection during the TLS handshake" + with + " (" +
                             plural(c.io.bytes_read, "byte", "bytes") + " received)");
            return;
        }
        if (c.io.sys_errno != 0) {
            finish_error(c, "tls.handshake-failed",
                         "socket error during the TLS handshake" + with + ": " + std::strerror(c.io.sys_errno));
            return;
        }
        if (c.io.eof && openssl.find("alert") == std::string::npos) {
            finish_error(c, "tls.handshake-failed",
                         "the server closed the connection during the TLS handshake" + with + " (" +
                             plural(c.io.bytes_read, "byte", "bytes") + " received)" +
                             (openssl.empty() ? "" : "; OpenSSL: " + openssl));
            return;
        }
        finish_error(c, "tls.handshake-failed",
                     "the TLS handshake" + with + " failed" + (openssl.empty() ? "" : ": " + openssl));
    }

    void handshake_done(Conn& c) {
        if (!keep_chain(c, "")) return;
        results_[c.index].handshake_completed = true;
        if (conversation_ != nullptr) {
            begin_conversation(c);
            return;
        }
        polite_close(c);
        finish(c);
    }

    // Records what the handshake gave (chain, protocol, cipher) as a success
    // with `message`; false (and finished as an error) when the chain cannot be read.
    bool keep_chain(Conn& c, const std::string& message) {
        FetchResult& r = results_[c.index].fetch;
        SSL* ssl = c.ssl.get();
        std::vector<X509*> certs;
        X509* leaf = SSL_get0_peer_certificate(ssl);
        if (STACK_OF(X509)* chain = SSL_get_peer_cert_chain(ssl)) {
            for (int i = 0; i < sk_X509_num(chain); ++i) certs.push_back(sk_X509_value(chain, i));
        }
        if (leaf != nullptr && (certs.empty() || X509_cmp(certs.front(), leaf) != 0)) certs.insert(certs.begin(), leaf);
        if (certs.empty()) {
            finish_error(c, "tls.handshake-failed", "the server" + std::string(" ") + c.address_text +
                                                        " completed the handshake without a certificate");
            return false;
        }
        std::vector<Certificate> parsed;
        for (std::size_t i = 0; i < certs.size(); ++i) {
            unsigned char* der = nullptr;
            int len = i2d_X509(certs[i], &der);
            if (len <= 0 || der == nullptr) {
                finish_error(c, "tls.handshake-failed", "cannot encode certificate " + std::to_string(i + 1) +
                                                            " from " + c.address_text + ": " + ossl::drain_errors());
                return false;
            }
            std::string bytes(reinterpret_cast<const char*>(der), static_cast<std::size_t>(len));
            OPENSSL_free(der);
            try {
                parsed.push_back(parse_certificate_der(bytes));
            } catch (const CryptoError& e) {
                finish_error(c, "tls.handshake-failed", "certificate " + std::to_string(i + 1) + " sent by " +
                                                            c.address_text + " cannot be read: " + e.what());
                return false;
            }
        }
        r.ok = true;
        r.error_code.clear();
        r.message = message;
        r.chain = std::move(parsed);
        if (const char* v = SSL_get_version(ssl)) r.protocol = v;
        if (const SSL_CIPHER* cipher = SSL_get_current_cipher(ssl)) r.cipher = SSL_CIPHER_get_name(cipher);
        return true;
    }

    // A close_notify (never blocks, never raises SIGPIPE).
    static void polite_close(Conn& c) {
        ERR_clear_error();
        SSL_shutdown(c.ssl.get());
        ERR_clear_error();
    }

    // ---- The conversation (a Conversation was given and the handshake completed).

    void begin_conversation(Conn& c) {
        c.phase = Phase::talking;
        c.phase_deadline = Clock::now() + limits_.answer_timeout;
        // Room for the answer in the socket BIO's cap: its records' headers,
        // MACs and padding, and post-handshake messages (TLS 1.3 tickets).
        c.io.limit = c.io.bytes_read + 2 * limits_.max_answer_bytes + 64 * 1024;
        Address local;
        local.len = sizeof local.storage;
        std::string local_host = "0.0.0.0";
        int local_port = 0;
        if (::getsockname(c.fd, reinterpret_cast<sockaddr*>(&local.storage), &local.len) == 0) {
            local_host = local.text();
            const auto* sa = reinterpret_cast<const sockaddr*>(&local.storage);
            local_port = ntohs(sa->sa_family == AF_INET ? reinterpret_cast<const sockaddr_in*>(sa)->sin_port
                                                        : reinterpret_cast<const sockaddr_in6*>(sa)->sin6_port);
        }
        c.request = conversation_->opening(c.index, local_host, local_port);
        c.sent = 0;
        drive_conversation(c);
    }

    void drive_conversation(Conn& c) {
        SSL* ssl = c.ssl.get();
        session::Outcome& out = results_[c.index];
        ERR_clear_error();
        while (c.sent < c.request.size()) {
            std::size_t written = 0;
            const int rc = SSL_write_ex(ssl, c.request.data() + c.sent, c.request.size() - c.sent, &written);
            if (rc == 1) {
                c.sent += written;
                continue;
            }
            const int err = SSL_get_error(ssl, rc);
            if (!wait_for(c, err)) conversation_failed(c, err, "sending the request");
            return;
        }
        std::array<char, 16 * 1024> buffer{};
        for (;;) {
            const std::size_t room = std::min(buffer.size(), limits_.max_answer_bytes - out.answer_bytes);
            if (room == 0) {
                end_conversation(c, session::Ending::too_much_data,
                                 std::to_string(limits_.max_answer_bytes) +
                                     " bytes without a whole answer (the limit is max_answer_bytes)");
                return;
            }
            std::size_t got = 0;
            const int rc = SSL_read_ex(ssl, buffer.data(), room, &got);
            if (rc == 1) {
                out.answer_bytes += got;
                if (conversation_->answered(c.index, std::string_view(buffer.data(), got))) {
                    polite_close(c);
                    end_conversation(c, session::Ending::answered, "");
                    return;
                }
                continue;
            }
            const int err = SSL_get_error(ssl, rc);
            if (!wait_for(c, err)) conversation_failed(c, err, "reading the answer");
            return;
        }
    }

    // Whether `ssl_error` only means "wait for the socket" (and sets the events to wait for).
    static bool wait_for(Conn& c, int ssl_error) {
        if (c.io.over_limit) return false;
        if (ssl_error == SSL_ERROR_WANT_READ) {
            c.events = POLLIN;
            return true;
        }
        if (ssl_error == SSL_ERROR_WANT_WRITE) {
            c.events = POLLOUT;
            return true;
        }
        return false;
    }

    // `doing`: "sending the request" or "reading the answer".
    void conversation_failed(Conn& c, int ssl_error, const std::string& doing) {
        const std::string openssl = ossl::drain_errors();
        const std::string received = " (" + plural(results_[c.index].answer_bytes, "byte", "bytes") + " of answer received)";
        if (c.io.over_limit) {
            end_conversation(c, session::Ending::too_much_data,
                             "more than an answer may take (" + doing + ")" + received);
        } else if (c.io.sys_errno == ECONNRESET || c.io.sys_errno == EPIPE) {
            end_conversation(c, session::Ending::reset, "the server reset the connection" + received);
        } else if (ssl_error == SSL_ERROR_ZERO_RETURN) {
            end_conversation(c, session::Ending::closed, "the server closed the TLS connection (close_notify)" + received);
        } else if (c.io.eof && openssl.find("alert") == std::string::npos) {
            end_conversation(c, session::Ending::closed, "the server closed the connection" + received);
        } else if (openssl.find("alert") != std::string::npos) {
            end_conversation(c, session::Ending::alert, "the server ended the connection with a TLS alert (" + openssl + ")" + received);
        } else if (c.io.sys_errno != 0) {
            end_conversation(c, session::Ending::failed, std::string("socket error: ") + std::strerror(c.io.sys_errno) + received);
        } else {
            end_conversation(c, session::Ending::failed,
                             "TLS failed while " + doing + (openssl.empty() ? "" : ": " + openssl) + received);
        }
    }

    void end_conversation(Conn& c, session::Ending ending, const std::string& detail) {
        results_[c.index].ending = ending;
        results_[c.index].detail = detail;
        finish(c);
    }

    void finish_error(Conn& c, const std::string& code, const std::string& message) {
        FetchResult& r = results_[c.index].fetch;
        r.ok = false;
        r.error_code = code;
        r.message = message;
        finish(c);
    }

    void finish(Conn& c) {
        session::Outcome& out = results_[c.index];
        out.fetch.elapsed = std::chrono::duration_cast<milliseconds>(Clock::now() - c.started);
        out.client_certificate_requested = c.client_certificate_requested;
        c.close_socket();
        if (c.done) return;
        c.done = true;
        ++finished_;
        if (limits_.progress) limits_.progress(finished_, targets_.size(), targets_[c.index]);
    }

    const std::vector<FetchTarget>& targets_;
    FetchLimits limits_;
    session::Conversation* conversation_;
    std::size_t finished_ = 0;
    SslCtxPtr ctx_;
    std::vector<session::Outcome> results_;
    std::vector<std::unique_ptr<Conn>> active_;
    std::map<std::string, Resolved> resolved_;
    NameTable names_;
};

}  // namespace

std::vector<session::Outcome> session::run(const std::vector<FetchTarget>& targets, const FetchLimits& limits,
                                           Conversation* conversation) {
    if (targets.empty()) return {};
    SessionLoop loop(targets, limits, conversation);
    return loop.run();
}

std::vector<FetchResult> fetch_all(const std::vector<FetchTarget>& targets, const FetchLimits& limits) {
    std::vector<FetchResult> results;
    for (auto& outcome : session::run(targets, limits, nullptr)) results.push_back(std::move(outcome.fetch));
    return results;
}

}  // namespace certtool::crypto
