// fetch_all against real servers on 127.0.0.1: openssl s_server for the good
// cases, and hostile servers written here with plain sockets (silent, HTTP,
// random bytes, endless TLS handshake, reset), plus a counting TCP proxy for
// the concurrency limit. Every server is stopped at the end of its test.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "bytes.hpp"
#include "crypto/tls_fetch.hpp"

namespace {

using namespace certtool::crypto;
using certtool::test::put16;
using certtool::test::put24;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

bool have_openssl() { return std::system("command -v openssl >/dev/null 2>&1") == 0; }

std::string capture(const std::string& command) {
    std::string out;
    FILE* p = ::popen(command.c_str(), "r");
    if (p == nullptr) return out;
    char buf[512];
    std::size_t n = 0;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    ::pclose(p);
    return out;
}

struct TempDir {
    fs::path path;
    TempDir() {
        std::string tmpl = (fs::temp_directory_path() / "certtool-tls-XXXXXX").string();
        if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
        path = tmpl;
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
};

struct Pem {
    std::string cert;
    std::string key;
};

Pem make_cert(const fs::path& dir, const std::string& name) {
    Pem p{(dir / (name + ".crt")).string(), (dir / (name + ".key")).string()};
    std::string cmd = "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout '" + p.key +
                      "' -out '" + p.cert + "' -days 2 -subj '/CN=" + name + "' -addext 'subjectAltName=DNS:" + name +
                      "' >/dev/null 2>&1";
    REQUIRE(std::system(cmd.c_str()) == 0);
    return p;
}

// `openssl x509 -fingerprint -sha256`, as lower-case hex without colons.
std::string openssl_fingerprint(const std::string& cert) {
    std::string out = capture("openssl x509 -in '" + cert + "' -noout -fingerprint -sha256");
    std::string hex;
    auto eq = out.find('=');
    REQUIRE(eq != std::string::npos);
    for (char c : out.substr(eq + 1)) {
        if (std::isxdigit(static_cast<unsigned char>(c))) hex += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    REQUIRE(hex.size() == 64);
    return hex;
}

int listen_socket(int* port) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    REQUIRE(fd >= 0);
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    REQUIRE(::listen(fd, 256) == 0);
    socklen_t len = sizeof a;
    REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0);
    *port = ntohs(a.sin_port);
    return fd;
}

int free_port() {
    int port = 0;
    int fd = listen_socket(&port);
    ::close(fd);
    return port;
}

int connect_loopback(int port) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(static_cast<uint16_t>(port));
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

// An `openssl s_server` child process, killed and reaped on destruction.
class SServer {
public:
    SServer(const Pem& pem, std::vector<std::string> extra) : port_(free_port()) {
        std::vector<std::string> args = {"openssl", "s_server", "-accept", std::to_string(port_), "-cert", pem.cert,
                                         "-key", pem.key, "-www"};
        args.insert(args.end(), extra.begin(), extra.end());
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        pid_ = ::fork();
        REQUIRE(pid_ >= 0);
        if (pid_ == 0) {
            int null = ::open("/dev/null", O_RDWR);
            ::dup2(null, 0);
            ::dup2(null, 1);
            ::dup2(null, 2);
            ::execvp("openssl", argv.data());
            ::_exit(127);
        }
        // Wait until it listens (the probe costs s_server one failed handshake).
        auto until = Clock::now() + std::chrono::seconds(10);
        while (Clock::now() < until) {
            int fd = connect_loopback(port_);
            if (fd >= 0) {
                ::close(fd);
                return;
            }
            int status = 0;
            if (::waitpid(pid_, &status, WNOHANG) == pid_) {
                pid_ = -1;
                FAIL("openssl s_server exited early");
            }
            std::this_thread::sleep_for(milliseconds(20));
        }
        FAIL("openssl s_server did not start listening");
    }
    ~SServer() {
        if (pid_ > 0) {
            ::kill(pid_, SIGTERM);
            ::waitpid(pid_, nullptr, 0);
        }
    }
    SServer(const SServer&) = delete;
    SServer& operator=(const SServer&) = delete;
    [[nodiscard]] int port() const { return port_; }

private:
    int port_;
    pid_t pid_ = -1;
};

bool wait_readable(int fd, int ms) {
    pollfd p{fd, POLLIN, 0};
    return ::poll(&p, 1, ms) > 0;
}

// Reads whatever the client sent first (its ClientHello).
void read_client_hello(int fd) {
    char buf[4096];
    if (wait_readable(fd, 2000)) (void)::recv(fd, buf, sizeof buf, 0);
}

// A TLS 1.2 ServerHello record (ECDHE-RSA-AES128-GCM-SHA256, no extensions),
// then the type byte of a Certificate message (the caller adds its length).
std::string fake_tls_start() {
    std::string body;
    body += "\x03\x03";
    body += std::string(32, '\x42');  // server random
    body += '\0';                     // no session id
    body += "\xc0\x2f";               // cipher suite
    body += '\0';                     // no compression
    std::string hs = "\x02";
    put24(hs, body.size());
    hs += body;
    std::string out = "\x16\x03\x03";
    put16(out, hs.size());
    out += hs;
    return out + std::string("\x0b", 1);  // the caller appends the 24-bit length
}

class HostileServer {
public:
    enum class Kind { silent, http, random, reset, tls_endless, tls_huge, one_byte };

    explicit HostileServer(Kind kind, std::size_t certificate_length = 0)
        : kind_(kind), certificate_length_(certificate_length) {
        listen_fd_ = listen_socket(&port_);
        thread_ = std::thread([this] { loop(); });
    }
    ~HostileServer() {
        stop_ = true;
        thread_.join();
        ::close(listen_fd_);
    }
    HostileServer(const HostileServer&) = delete;
    HostileServer& operator=(const HostileServer&) = delete;
    [[nodiscard]] int port() const { return port_; }
    [[nodiscard]] std::size_t accepted() const { return accepted_; }

private:
    void loop() {
        std::vector<int> held;
        std::vector<std::thread> workers;
        while (!stop_) {
            if (!wait_readable(listen_fd_, 50)) continue;
            int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
            if (fd < 0) continue;
            ++accepted_;
            switch (kind_) {
            case Kind::silent: held.push_back(fd); break;
            case Kind::http: {
                read_client_hello(fd);
                const std::string reply =
                    "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nContent-Length: 11\r\n\r\nBad Request";
                (void)::send(fd, reply.data(), reply.size(), MSG_NOSIGNAL);
                ::shutdown(fd, SHUT_WR);
                held.push_back(fd);  // no close: a close with unread data would be a reset
                break;
            }
            case Kind::one_byte: {
                read_client_hello(fd);
                (void)::send(fd, "\x16", 1, MSG_NOSIGNAL);  // the start of a TLS record, and no more
                ::shutdown(fd, SHUT_WR);
                held.push_back(fd);
                break;
            }
            case Kind::reset: {
                read_client_hello(fd);
                linger l{1, 0};
                ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
                ::close(fd);
                break;
            }
            case Kind::random:
            case Kind::tls_endless:
            case Kind::tls_huge: workers.emplace_back([this, fd] { stream(fd); }); break;
            }
        }
        for (auto& w : workers) w.join();
        for (int fd : held) ::close(fd);
    }

    // Sends until the client goes away or the test ends.
    void stream(int fd) {
        std::string head;
        if (kind_ != Kind::random) {
            read_client_hello(fd);
            std::size_t length = kind_ == Kind::tls_huge ? 0xffffff : certificate_length_;
            head = fake_tls_start();
            put24(head, length);
        }
        ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
        std::mt19937 rng(12345);
        std::string chunk;
        bool first = true;
        while (!stop_) {
            if (chunk.empty()) {
                if (kind_ == Kind::random) {
                    chunk.resize(16384);
                    for (auto& c : chunk) c = static_cast<char>(rng() & 0xff);
                } else {
                    // Handshake records full of certificate bytes, forever.
                    std::string payload = first ? head.substr(head.size() - 4) : std::string();
                    payload += std::string(16384 - payload.size(), '\x30');
                    chunk = first ? head.substr(0, head.size() - 4) : std::string();
                    chunk += "\x16\x03\x03";
                    put16(chunk, payload.size());
                    chunk += payload;
                    first = false;
                }
            }
            pollfd p{fd, POLLOUT, 0};
            if (::poll(&p, 1, 50) <= 0) continue;
            ssize_t n = ::send(fd, chunk.data(), chunk.size(), MSG_NOSIGNAL);
            if (n < 0) {
                if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) continue;
                break;
            }
            chunk.erase(0, static_cast<std::size_t>(n));
        }
        ::close(fd);
    }

    Kind kind_;
    std::size_t certificate_length_;
    int listen_fd_ = -1;
    int port_ = 0;
    std::atomic<bool> stop_{false};
    std::atomic<std::size_t> accepted_{0};
    std::thread thread_;
};

// A TCP proxy in front of backends that records how many client connections
// were open at once. At each accept it asks the kernel which of the connections
// it holds are still open on the client's side (POLLRDHUP), so a close it has
// not processed yet is not counted.
class CountingProxy {
public:
    explicit CountingProxy(const std::vector<int>& backend_ports) : backends_(backend_ports) {
        for (std::size_t i = 0; i < backends_.size(); ++i) {
            int port = 0;
            listeners_.push_back(listen_socket(&port));
            ports_.push_back(port);
        }
        thread_ = std::thread([this] { loop(); });
    }
    ~CountingProxy() {
        stop_ = true;
        thread_.join();
        for (int fd : listeners_) ::close(fd);
    }
    CountingProxy(const CountingProxy&) = delete;
    CountingProxy& operator=(const CountingProxy&) = delete;
    [[nodiscard]] const std::vector<int>& ports() const { return ports_; }
    [[nodiscard]] std::size_t max_open() const { return max_open_; }
    [[nodiscard]] std::size_t accepted() const { return accepted_; }

private:
    struct Pair {
        int client = -1;
        int backend = -1;
    };

    static bool relay(int from, int to) {
        char buf[16384];
        ssize_t n = ::recv(from, buf, sizeof buf, 0);
        if (n <= 0) return false;
        ssize_t off = 0;
        while (off < n) {
            ssize_t w = ::send(to, buf + off, static_cast<std::size_t>(n - off), MSG_NOSIGNAL);
            if (w <= 0) return false;
            off += w;
        }
        return true;
    }

    void loop() {
        std::vector<Pair> pairs;
        std::vector<pollfd> fds;
        while (!stop_) {
            fds.clear();
            for (int l : listeners_) fds.push_back(pollfd{l, POLLIN, 0});
            for (const Pair& p : pairs) {
                fds.push_back(pollfd{p.client, POLLIN, 0});
                fds.push_back(pollfd{p.backend, POLLIN, 0});
            }
            if (::poll(fds.data(), fds.size(), 50) <= 0) continue;
            std::vector<bool> dead(pairs.size(), false);
            for (std::size_t i = 0; i < pairs.size(); ++i) {
                const pollfd& c = fds[listeners_.size() + 2 * i];
                const pollfd& b = fds[listeners_.size() + 2 * i + 1];
                if (c.revents != 0 && !relay(pairs[i].client, pairs[i].backend)) dead[i] = true;
                if (!dead[i] && b.revents != 0 && !relay(pairs[i].backend, pairs[i].client)) dead[i] = true;
            }
            for (std::size_t i = pairs.size(); i-- > 0;) {
                if (dead[i]) {
                    ::close(pairs[i].client);
                    ::close(pairs[i].backend);
                    pairs.erase(pairs.begin() + static_cast<std::ptrdiff_t>(i));
                }
            }
            for (std::size_t l = 0; l < listeners_.size(); ++l) {
                if (fds[l].revents == 0) continue;
                int client = ::accept4(listeners_[l], nullptr, nullptr, SOCK_CLOEXEC);
                if (client < 0) continue;
                ++accepted_;
                std::size_t open = 1;
                for (const Pair& p : pairs) {
                    pollfd q{p.client, POLLRDHUP, 0};
                    if (::poll(&q, 1, 0) == 0) ++open;  // no hang-up seen: still open
                }
                max_open_ = std::max<std::size_t>(max_open_, open);
                int backend = connect_loopback(backends_[l]);
                if (backend < 0) {
                    ::close(client);
                    continue;
                }
                pairs.push_back(Pair{client, backend});
            }
        }
        for (const Pair& p : pairs) {
            ::close(p.client);
            ::close(p.backend);
        }
    }

    std::vector<int> backends_;
    std::vector<int> listeners_;
    std::vector<int> ports_;
    std::atomic<bool> stop_{false};
    std::atomic<std::size_t> max_open_{0};
    std::atomic<std::size_t> accepted_{0};
    std::thread thread_;
};

FetchTarget local(int port, std::string sni = "") { return FetchTarget{"127.0.0.1", port, std::move(sni)}; }

FetchResult fetch_one(const FetchTarget& target, const FetchLimits& limits = {}) {
    auto results = fetch_all({target}, limits);
    REQUIRE(results.size() == 1);
    return results.front();
}

long long ms_since(Clock::time_point start) {
    return std::chrono::duration_cast<milliseconds>(Clock::now() - start).count();
}

#define SKIP_WITHOUT_OPENSSL()                                          \
    if (!have_openssl()) {                                              \
        WARN("the openssl command is not installed; test skipped");     \
        return;                                                         \
    }

}  // namespace

TEST_CASE("tls: fetch_all gets the leaf an openssl s_server presents", "[tls]") {
    SKIP_WITHOUT_OPENSSL();
    TempDir dir;
    Pem pem = make_cert(dir.path, "a.example");
    SServer server(pem, {});
    FetchResult r = fetch_one(local(server.port()));
    INFO(r.error_code << ": " << r.message);
    REQUIRE(r.ok);
    CHECK(r.error_code.empty());
    REQUIRE(r.chain.size() == 1);
    CHECK(r.chain[0].sha256_fingerprint == openssl_fingerprint(pem.cert));
    CHECK(r.chain[0].dns_names == std::vector<std::string>{"a.example"});
    CHECK(r.protocol == "TLSv1.3");
    CHECK_FALSE(r.cipher.empty());
    CHECK(r.target.port == server.port());

    SECTION("by name too (localhost: /etc/hosts, and the next address if the first is refused)") {
        FetchResult byname = fetch_one(FetchTarget{"localhost", server.port(), ""});
        INFO(byname.error_code << ": " << byname.message);
        CHECK(byname.ok);
    }
}

TEST_CASE("tls: a name that does not resolve is tls.dns with the reason, in bounded time, and the others go on", "[tls]") {
    SKIP_WITHOUT_OPENSSL();
    TempDir dir;
    Pem pem = make_cert(dir.path, "a.example");
    SServer server(pem, {});
    FetchLimits limits;
    limits.connect_timeout = milliseconds(700);
    const auto start = Clock::now();
    // .invalid never resolves (RFC 6761): NXDOMAIN from a resolver, or a timeout without one.
    const auto results = fetch_all({FetchTarget{"no-such-host.invalid", 443, ""}, local(server.port())}, limits);
    CHECK(ms_since(start) < 5000);
    REQUIRE(results.size() == 2);
    CHECK(results[0].error_code == "tls.dns");
    CHECK(results[0].message.find("cannot resolve no-such-host.invalid: ") == 0);
    CHECK(results[1].ok);
}

TEST_CASE("tls: fetch_all sends SNI and the server's choice shows", "[tls]") {
    SKIP_WITHOUT_OPENSSL();
    TempDir dir;
    Pem one = make_cert(dir.path, "one.example");
    Pem two = make_cert(dir.path, "two.example");
    SServer server(one, {"-servername", "two.example", "-cert2", two.cert, "-key2", two.key});
    auto results = fetch_all({local(server.port(), "two.example"), local(server.port()),
                              local(server.port(), "other.example"), local(server.port(), "two.example")},
                             FetchLimits{});
    REQUIRE(results.size() == 4);
    for (const auto& r : results) {
        INFO(r.target.sni << " -> " << r.error_code << ": " << r.message);
        REQUIRE(r.ok);
        REQUIRE_FALSE(r.chain.empty());
    }
    CHECK(results[0].chain[0].sha256_fingerprint == openssl_fingerprint(two.cert));
    CHECK(results[1].chain[0].sha256_fingerprint == openssl_fingerprint(one.cert));
    CHECK(results[2].chain[0].sha256_fingerprint == openssl_fingerprint(one.cert));
    CHECK(results[3].chain[0].sha256_fingerprint == openssl_fingerprint(two.cert));
    CHECK(results[0].target.sni == "two.example");
}

TEST_CASE("tls: fetch_all reports the whole chain, leaf first, as sent", "[tls]") {
    SKIP_WITHOUT_OPENSSL();
    TempDir dir;
    Pem ca = make_cert(dir.path, "ca.example");
    std::string leaf_key = (dir.path / "leaf.key").string();
    std::string leaf_csr = (dir.path / "leaf.csr").string();
    std::string leaf_crt = (dir.path / "leaf.crt").string();
    REQUIRE(std::system(("openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout '" + leaf_key +
                         "' -out '" + leaf_csr + "' -subj /CN=leaf.example >/dev/null 2>&1")
                            .c_str()) == 0);
    REQUIRE(std::system(("openssl x509 -req -in '" + leaf_csr + "' -CA '" + ca.cert + "' -CAkey '" + ca.key +
                         "' -CAcreateserial -days 2 -out '" + leaf_crt + "' >/dev/null 2>&1")
                            .c_str()) == 0);
    SServer server(Pem{leaf_crt, leaf_key}, {"-cert_chain", ca.cert});
    FetchResult r = fetch_one(local(server.port()));
    INFO(r.error_code << ": " << r.message);
    REQUIRE(r.ok);
    REQUIRE(r.chain.size() == 2);
    CHECK(r.chain[0].sha256_fingerprint == openssl_fingerprint(leaf_crt));
    CHECK(r.chain[1].sha256_fingerprint == openssl_fingerprint(ca.cert));
}

TEST_CASE("tls: fetch_all talks TLS 1.0 to old servers", "[tls]") {
    SKIP_WITHOUT_OPENSSL();
    TempDir dir;
    Pem pem = make_cert(dir.path, "old.example");
    SServer server(pem, {"-tls1", "-cipher", "DEFAULT:@SECLEVEL=0"});
    FetchResult r = fetch_one(local(server.port()));
    INFO(r.error_code << ": " << r.message);
    REQUIRE(r.ok);
    CHECK(r.protocol == "TLSv1");
    REQUIRE(r.chain.size() == 1);
    CHECK(r.chain[0].sha256_fingerprint == openssl_fingerprint(pem.cert));
}

TEST_CASE("tls: fetch_all still gets the chain when the server demands a client certificate", "[tls]") {
    SKIP_WITHOUT_OPENSSL();
    TempDir dir;
    Pem pem = make_cert(dir.path, "mtls.example");
    std::string protocol = GENERATE(std::string("-tls1_2"), std::string("-tls1_3"));
    SServer server(pem, {"-Verify", "1", protocol});
    FetchResult r = fetch_one(local(server.port()));
    INFO(protocol << " -> " << r.error_code << ": " << r.message);
    REQUIRE(r.ok);
    REQUIRE(r.chain.size() == 1);
    CHECK(r.chain[0].sha256_fingerprint == openssl_fingerprint(pem.cert));
    if (protocol == "-tls1_2") CHECK(r.message.find("client certificate") != std::string::npos);
}

TEST_CASE("tls: a closed port is tls.refused, a missing host tls.dns", "[tls]") {
    auto results = fetch_all({local(free_port()), FetchTarget{"", 443, ""}, FetchTarget{"127.0.0.1", 0, ""}},
                             FetchLimits{});
    REQUIRE(results.size() == 3);
    CHECK_FALSE(results[0].ok);
    CHECK(results[0].error_code == "tls.refused");
    CHECK(results[1].error_code == "tls.dns");
    CHECK_FALSE(results[2].ok);
    CHECK(fetch_all({}, FetchLimits{}).empty());
}

TEST_CASE("tls: a server that accepts and never answers is tls.handshake-timeout", "[tls]") {
    HostileServer server(HostileServer::Kind::silent);
    FetchLimits limits;
    limits.handshake_timeout = milliseconds(1000);
    auto start = Clock::now();
    FetchResult r = fetch_one(local(server.port()), limits);
    auto took = ms_since(start);
    INFO(r.message << " after " << took << " ms");
    CHECK_FALSE(r.ok);
    CHECK(r.error_code == "tls.handshake-timeout");
    CHECK(took >= 950);
    CHECK(took < 2500);
    CHECK(r.elapsed.count() >= 950);
}

TEST_CASE("tls: an HTTP server on plain TCP is tls.not-tls", "[tls]") {
    HostileServer server(HostileServer::Kind::http);
    FetchResult r = fetch_one(local(server.port()));
    INFO(r.error_code << ": " << r.message);
    CHECK_FALSE(r.ok);
    CHECK(r.error_code == "tls.not-tls");
    CHECK(r.message.find("HTTP/") != std::string::npos);
    CHECK(r.elapsed.count() < 2000);
}

TEST_CASE("tls: a server streaming random bytes is cut off", "[tls]") {
    HostileServer server(HostileServer::Kind::random);
    FetchLimits limits;
    limits.handshake_timeout = milliseconds(2000);
    limits.max_chain_bytes = 64 * 1024;
    auto start = Clock::now();
    FetchResult r = fetch_one(local(server.port()), limits);
    auto took = ms_since(start);
    INFO(r.error_code << ": " << r.message << " after " << took << " ms");
    CHECK_FALSE(r.ok);
    CHECK(std::set<std::string>{"tls.not-tls", "tls.handshake-failed", "tls.too-much-data"}.count(r.error_code) == 1);
    CHECK(took < 2000 + 1000);
}

TEST_CASE("tls: a TLS handshake that never ends stops at max_chain_bytes", "[tls]") {
    FetchLimits limits;
    limits.handshake_timeout = milliseconds(5000);
    limits.max_chain_bytes = 64 * 1024;
    SECTION("records keep coming for a message that fits the limit on its own") {
        HostileServer server(HostileServer::Kind::tls_endless, limits.max_chain_bytes - 8);
        auto start = Clock::now();
        FetchResult r = fetch_one(local(server.port()), limits);
        auto took = ms_since(start);
        INFO(r.error_code << ": " << r.message << " after " << took << " ms");
        CHECK_FALSE(r.ok);
        CHECK(r.error_code == "tls.too-much-data");
        // Exactly the limit was read, never more.
        CHECK(r.message.find("(" + std::to_string(limits.max_chain_bytes) + " bytes read") != std::string::npos);
        CHECK(took < 2000);
    }
    SECTION("a certificate message announced larger than the limit") {
        HostileServer server(HostileServer::Kind::tls_huge);
        FetchResult r = fetch_one(local(server.port()), limits);
        INFO(r.error_code << ": " << r.message);
        CHECK_FALSE(r.ok);
        CHECK(r.error_code == "tls.too-much-data");
        CHECK(r.elapsed.count() < 2000);
    }
}

TEST_CASE("tls: a server that sends one byte and closes: the message counts 1 byte", "[tls]") {
    HostileServer server(HostileServer::Kind::one_byte);
    FetchResult r = fetch_one(local(server.port()));
    INFO(r.error_code << ": " << r.message);
    CHECK_FALSE(r.ok);
    CHECK(r.error_code == "tls.handshake-failed");
    CHECK(r.message.find("(1 byte received)") != std::string::npos);
}

TEST_CASE("tls: a reset after the ClientHello is tls.reset", "[tls]") {
    HostileServer server(HostileServer::Kind::reset);
    FetchResult r = fetch_one(local(server.port()));
    INFO(r.error_code << ": " << r.message);
    CHECK_FALSE(r.ok);
    CHECK(r.error_code == "tls.reset");
    CHECK(server.accepted() == 1);
}

TEST_CASE("tls: 200 targets, 4 servers, never more than 16 connections at once", "[tls]") {
    SKIP_WITHOUT_OPENSSL();
    TempDir dir;
    Pem pem = make_cert(dir.path, "busy.example");
    std::vector<std::unique_ptr<SServer>> servers;
    std::vector<int> backend_ports;
    for (int i = 0; i < 4; ++i) {
        servers.push_back(std::make_unique<SServer>(pem, std::vector<std::string>{}));
        backend_ports.push_back(servers.back()->port());
    }
    CountingProxy proxy(backend_ports);
    std::vector<FetchTarget> targets;
    for (int i = 0; i < 200; ++i) targets.push_back(local(proxy.ports()[static_cast<std::size_t>(i % 4)]));
    FetchLimits limits;
    limits.concurrency = 16;
    limits.handshake_timeout = milliseconds(10000);
    auto start = Clock::now();
    auto results = fetch_all(targets, limits);
    auto took = ms_since(start);
    REQUIRE(results.size() == 200);
    std::size_t ok = 0;
    for (std::size_t i = 0; i < results.size(); ++i) {
        INFO(i << ": " << results[i].error_code << ": " << results[i].message);
        CHECK(results[i].ok);
        CHECK(results[i].target.port == targets[i].port);
        if (results[i].ok) ++ok;
    }
    REQUIRE_FALSE(results[0].chain.empty());
    CHECK(results[0].chain[0].sha256_fingerprint == openssl_fingerprint(pem.cert));
    INFO("max simultaneous connections seen: " << proxy.max_open() << ", took " << took << " ms");
    CHECK(ok == 200);
    CHECK(proxy.accepted() == 200);
    CHECK(proxy.max_open() <= 16);
    CHECK(proxy.max_open() > 1);
}

TEST_CASE("tls: the batch deadline ends everything unfinished as tls.deadline", "[tls]") {
    HostileServer server(HostileServer::Kind::silent);
    std::vector<FetchTarget> targets(20, local(server.port()));
    FetchLimits limits;
    limits.handshake_timeout = milliseconds(10000);
    limits.deadline = milliseconds(1000);
    SECTION("all in flight") {}
    SECTION("most waiting their turn") { limits.concurrency = 3; }
    auto start = Clock::now();
    auto results = fetch_all(targets, limits);
    auto took = ms_since(start);
    INFO("took " << took << " ms");
    REQUIRE(results.size() == 20);
    for (const auto& r : results) {
        INFO(r.error_code << ": " << r.message);
        CHECK_FALSE(r.ok);
        CHECK(r.error_code == "tls.deadline");
    }
    CHECK(took >= 950);
    CHECK(took < 1800);
}
