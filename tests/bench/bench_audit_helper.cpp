// Helper of tests/bench/bench_audit.sh (a benchmark, not a test), using OpenSSL
// directly:
//
//   bench_audit_helper issue DIR SPEC.tsv [KEYS]
//       Makes DIR/ca.pem + DIR/ca.key (an RSA 2048 root, unless present) and,
//       for every line of SPEC.tsv, a leaf certificate signed by it:
//         OUT.pem \t CN \t O \t OU \t L \t ST \t C \t SAN,SAN,... \t EKU,EKU \t KU,KU
//       OUT.pem is written relative to DIR. Leaf keys are RSA 2048, KEYS of
//       them (default 8) reused round-robin: key generation is the slow part,
//       and each certificate still gets its own random serial and validity.
//       With an eleventh column (KEYFILE, relative to DIR) the leaf gets a key
//       of its own, written there (for the TLS server).
//       Signing runs on every core.
//
//   bench_audit_helper serve ENDPOINTS.tsv [THREADS]
//       Serves TLS on every ADDRESS \t PORT \t CERT.pem \t KEY.pem line (the
//       certificate file may hold the chain), THREADS event loops (default 2),
//       each owning a share of the listening sockets. Prints "ready N" on
//       stdout once all N sockets listen; runs until stdin reaches EOF or
//       SIGTERM. Each connection: TLS handshake, then the server waits for
//       the peer to close (or 10 s) and closes.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace {

[[noreturn]] void die(const std::string& message) {
    std::cerr << "bench_audit_helper: " << message << "\n";
    ERR_print_errors_fp(stderr);
    std::exit(2);
}

std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> out;
    std::string item;
    std::istringstream in(s);
    while (std::getline(in, item, sep)) out.push_back(item);
    if (!s.empty() && s.back() == sep) out.emplace_back();
    return out;
}

bool exists(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0;
}

EVP_PKEY* new_rsa_key() {
    EVP_PKEY* key = EVP_RSA_gen(2048);
    if (key == nullptr) die("RSA key generation failed");
    return key;
}

void write_key(const std::string& path, EVP_PKEY* key) {
    FILE* f = std::fopen(path.c_str(), "w");
    if (f == nullptr) die("cannot write " + path);
    if (PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr) != 1) die("cannot write " + path);
    std::fclose(f);
}

void write_cert(const std::string& path, X509* cert, X509* ca) {
    FILE* f = std::fopen(path.c_str(), "w");
    if (f == nullptr) die("cannot write " + path);
    if (PEM_write_X509(f, cert) != 1) die("cannot write " + path);
    if (ca != nullptr && PEM_write_X509(f, ca) != 1) die("cannot write " + path);
    std::fclose(f);
}

X509* read_cert(const std::string& path) {
    FILE* f = std::fopen(path.c_str(), "r");
    if (f == nullptr) die("cannot read " + path);
    X509* x = PEM_read_X509(f, nullptr, nullptr, nullptr);
    std::fclose(f);
    if (x == nullptr) die("no certificate in " + path);
    return x;
}

EVP_PKEY* read_key(const std::string& path) {
    FILE* f = std::fopen(path.c_str(), "r");
    if (f == nullptr) die("cannot read " + path);
    EVP_PKEY* k = PEM_read_PrivateKey(f, nullptr, nullptr, nullptr);
    std::fclose(f);
    if (k == nullptr) die("no key in " + path);
    return k;
}

void add_ext(X509* cert, X509* issuer, int nid, const std::string& value) {
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
    if (ext == nullptr) die("bad extension value " + value);
    X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
}

void random_serial(X509* cert) {
    unsigned char bytes[16];
    if (RAND_bytes(bytes, sizeof bytes) != 1) die("RAND_bytes failed");
    bytes[0] = static_cast<unsigned char>((bytes[0] & 0x7f) | 0x10);  // positive, never zero
    BIGNUM* bn = BN_bin2bn(bytes, sizeof bytes, nullptr);
    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert));
    BN_free(bn);
}

void name_add(X509_NAME* name, const char* field, const std::string& value) {
    if (value.empty()) return;
    if (X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(value.c_str()), -1,
                                   -1, 0) != 1)
        die(std::string("bad subject field ") + field);
}

void make_ca(const std::string& dir) {
    EVP_PKEY* key = new_rsa_key();
    X509* ca = X509_new();
    X509_set_version(ca, 2);
    random_serial(ca);
    X509_NAME* name = X509_get_subject_name(ca);
    name_add(name, "C", "US");
    name_add(name, "O", "Contoso Ltd");
    name_add(name, "CN", "Contoso Benchmark Root CA");
    X509_set_issuer_name(ca, name);
    X509_gmtime_adj(X509_getm_notBefore(ca), -86400L);
    X509_gmtime_adj(X509_getm_notAfter(ca), 10L * 365 * 86400);
    X509_set_pubkey(ca, key);
    add_ext(ca, ca, NID_basic_constraints, "critical,CA:TRUE");
    add_ext(ca, ca, NID_key_usage, "critical,keyCertSign,cRLSign");
    add_ext(ca, ca, NID_subject_key_identifier, "hash");
    if (X509_sign(ca, key, EVP_sha256()) <= 0) die("cannot sign the CA certificate");
    write_key(dir + "/ca.key", key);
    write_cert(dir + "/ca.pem", ca, nullptr);
    X509_free(ca);
    EVP_PKEY_free(key);
}

struct Leaf {
    std::string out, cn, o, ou, l, st, c, sans, eku, ku, keyfile;
};

std::string join_prefixed(const std::string& list, const char* prefix) {
    std::string out;
    for (const auto& item : split(list, ',')) {
        if (item.empty()) continue;
        if (!out.empty()) out += ",";
        out += prefix + item;
    }
    return out;
}

void issue_one(const Leaf& leaf, X509* ca, EVP_PKEY* ca_key, EVP_PKEY* key, const std::string& dir) {
    X509* x = X509_new();
    X509_set_version(x, 2);
    random_serial(x);
    X509_NAME* name = X509_get_subject_name(x);
    name_add(name, "C", leaf.c);
    name_add(name, "ST", leaf.st);
    name_add(name, "L", leaf.l);
    name_add(name, "O", leaf.o);
    name_add(name, "OU", leaf.ou);
    name_add(name, "CN", leaf.cn);
    X509_set_issuer_name(x, X509_get_subject_name(ca));
    X509_gmtime_adj(X509_getm_notBefore(x), -3600L);
    X509_gmtime_adj(X509_getm_notAfter(x), 365L * 86400);
    X509_set_pubkey(x, key);
    add_ext(x, ca, NID_basic_constraints, "CA:FALSE");
    if (!leaf.ku.empty()) add_ext(x, ca, NID_key_usage, "critical," + leaf.ku);
    if (!leaf.eku.empty()) add_ext(x, ca, NID_ext_key_usage, leaf.eku);
    add_ext(x, ca, NID_subject_alt_name, join_prefixed(leaf.sans, "DNS:"));
    add_ext(x, ca, NID_subject_key_identifier, "hash");
    add_ext(x, ca, NID_authority_key_identifier, "keyid:always");
    add_ext(x, ca, NID_crl_distribution_points, "URI:http://pki.contoso.com/crl/benchmark-root.crl");
    if (X509_sign(x, ca_key, EVP_sha256()) <= 0) die("cannot sign " + leaf.out);
    write_cert(dir + "/" + leaf.out, x, nullptr);
    X509_free(x);
}

int issue(const std::string& dir, const std::string& spec_path, int key_count) {
    if (!exists(dir + "/ca.pem") || !exists(dir + "/ca.key")) make_ca(dir);
    X509* ca = read_cert(dir + "/ca.pem");
    EVP_PKEY* ca_key = read_key(dir + "/ca.key");

    std::vector<Leaf> leaves;
    std::ifstream spec(spec_path);
    if (!spec) die("cannot read " + spec_path);
    for (std::string line; std::getline(spec, line);) {
        if (line.empty()) continue;
        auto f = split(line, '\t');
        if (f.size() < 10) die("short line in " + spec_path + ": " + line);
        leaves.push_back({f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8], f[9], f.size() > 10 ? f[10] : ""});
    }
    if (key_count < 1) key_count = 1;
    std::vector<EVP_PKEY*> keys;
    std::vector<EVP_PKEY*> own_keys(leaves.size(), nullptr);
    std::size_t plain = 0;
    for (const auto& l : leaves) plain += l.keyfile.empty() ? 1 : 0;
    const std::size_t shared = std::min<std::size_t>(static_cast<std::size_t>(key_count), plain);

    const unsigned threads = std::max(1U, std::thread::hardware_concurrency());
    // Keys first (on every core), then certificates.
    keys.resize(shared, nullptr);
    {
        std::vector<std::thread> pool;
        std::atomic<std::size_t> next{0};
        const std::size_t total = shared + leaves.size();
        for (unsigned t = 0; t < threads; ++t)
            pool.emplace_back([&] {
                for (std::size_t i; (i = next++) < total;) {
                    if (i < shared) {
                        keys[i] = new_rsa_key();
                    } else if (!leaves[i - shared].keyfile.empty()) {
                        own_keys[i - shared] = new_rsa_key();
                        write_key(dir + "/" + leaves[i - shared].keyfile, own_keys[i - shared]);
                    }
                }
            });
        for (auto& t : pool) t.join();
    }
    {
        std::vector<std::thread> pool;
        std::atomic<std::size_t> next{0};
        std::atomic<std::size_t> plain_index{0};
        for (unsigned t = 0; t < threads; ++t)
            pool.emplace_back([&] {
                for (std::size_t i; (i = next++) < leaves.size();) {
                    EVP_PKEY* key = own_keys[i] != nullptr ? own_keys[i] : keys[plain_index++ % keys.size()];
                    issue_one(leaves[i], ca, ca_key, key, dir);
                }
            });
        for (auto& t : pool) t.join();
    }
    for (auto* k : keys) EVP_PKEY_free(k);
    for (auto* k : own_keys) EVP_PKEY_free(k);
    X509_free(ca);
    EVP_PKEY_free(ca_key);
    std::cout << "issued " << leaves.size() << " certificates with " << shared << " shared keys\n";
    return 0;
}

// ---- serve ------------------------------------------------------------------

std::atomic<bool> g_stop{false};

struct Listener {
    int fd;
    SSL_CTX* ctx;
};

struct Conn {
    int fd;
    SSL* ssl;
    bool handshaken = false;
    std::chrono::steady_clock::time_point since;
};

void event_loop(std::vector<Listener> listeners, std::atomic<unsigned long>& handshakes) {
    const int ep = ::epoll_create1(0);
    if (ep < 0) die("epoll_create1");
    // Listener events carry index | high bit; connections carry their fd.
    constexpr std::uint64_t kListenerBit = 1ULL << 62;
    for (std::size_t i = 0; i < listeners.size(); ++i) {
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.u64 = kListenerBit | i;
        if (::epoll_ctl(ep, EPOLL_CTL_ADD, listeners[i].fd, &ev) != 0) die("epoll_ctl");
    }
    std::unordered_map<int, Conn> conns;
    auto close_conn = [&](int fd) {
        auto it = conns.find(fd);
        if (it == conns.end()) return;
        SSL_free(it->second.ssl);
        ::epoll_ctl(ep, EPOLL_CTL_DEL, fd, nullptr);
        ::close(fd);
        conns.erase(it);
    };
    auto want = [&](Conn& c, int ssl_error) {
        epoll_event ev{};
        ev.events = ssl_error == SSL_ERROR_WANT_WRITE ? EPOLLOUT : EPOLLIN;
        ev.data.u64 = static_cast<std::uint64_t>(c.fd);
        ::epoll_ctl(ep, EPOLL_CTL_MOD, c.fd, &ev);
    };
    auto drive = [&](Conn& c) {
        ERR_clear_error();
        if (!c.handshaken) {
            const int r = SSL_accept(c.ssl);
            if (r == 1) {
                c.handshaken = true;
                ++handshakes;
            } else {
                const int e = SSL_get_error(c.ssl, r);
                if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
                    want(c, e);
                    return;
                }
                ERR_clear_error();
                close_conn(c.fd);
                return;
            }
        }
        // After the handshake: read (and discard) until the peer closes.
        char buf[4096];
        for (;;) {
            const int r = SSL_read(c.ssl, buf, sizeof buf);
            if (r > 0) continue;
            const int e = SSL_get_error(c.ssl, r);
            if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
                want(c, e);
                return;
            }
            ERR_clear_error();
            close_conn(c.fd);
            return;
        }
    };
    std::vector<epoll_event> events(256);
    auto last_sweep = std::chrono::steady_clock::now();
    while (!g_stop.load()) {
        const int n = ::epoll_wait(ep, events.data(), static_cast<int>(events.size()), 200);
        for (int i = 0; i < n; ++i) {
            const std::uint64_t tag = events[static_cast<std::size_t>(i)].data.u64;
            if ((tag & kListenerBit) != 0) {
                const Listener& l = listeners[tag & ~kListenerBit];
                for (;;) {
                    const int fd = ::accept4(l.fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
                    if (fd < 0) break;
                    SSL* ssl = SSL_new(l.ctx);
                    SSL_set_fd(ssl, fd);
                    Conn c{fd, ssl, false, std::chrono::steady_clock::now()};
                    epoll_event ev{};
                    ev.events = EPOLLIN;
                    ev.data.u64 = static_cast<std::uint64_t>(fd);
                    ::epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
                    auto [it, _] = conns.emplace(fd, c);
                    drive(it->second);
                }
            } else {
                auto it = conns.find(static_cast<int>(tag));
                if (it != conns.end()) drive(it->second);
            }
        }
        const auto now = std::chrono::steady_clock::now();
        if (now - last_sweep > std::chrono::seconds(1)) {
            last_sweep = now;
            std::vector<int> stale;
            for (const auto& [fd, c] : conns)
                if (now - c.since > std::chrono::seconds(10)) stale.push_back(fd);
            for (int fd : stale) close_conn(fd);
        }
    }
    for (auto& [fd, c] : conns) {
        SSL_free(c.ssl);
        ::close(fd);
    }
    ::close(ep);
}

int serve(const std::string& endpoints_path, int thread_count) {
    ::signal(SIGPIPE, SIG_IGN);
    ::signal(SIGTERM, [](int) { g_stop = true; });
    std::map<std::pair<std::string, std::string>, SSL_CTX*> contexts;
    std::vector<Listener> listeners;
    std::ifstream in(endpoints_path);
    if (!in) die("cannot read " + endpoints_path);
    for (std::string line; std::getline(in, line);) {
        if (line.empty()) continue;
        const auto f = split(line, '\t');
        if (f.size() < 4) die("short line in " + endpoints_path + ": " + line);
        SSL_CTX*& ctx = contexts[{f[2], f[3]}];
        if (ctx == nullptr) {
            ctx = SSL_CTX_new(TLS_server_method());
            if (ctx == nullptr) die("SSL_CTX_new");
            SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
            if (SSL_CTX_use_certificate_chain_file(ctx, f[2].c_str()) != 1) die("cannot load " + f[2]);
            if (SSL_CTX_use_PrivateKey_file(ctx, f[3].c_str(), SSL_FILETYPE_PEM) != 1) die("cannot load " + f[3]);
            SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
            SSL_CTX_set_num_tickets(ctx, 0);
        }
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(static_cast<uint16_t>(std::stoi(f[1])));
        if (::inet_pton(AF_INET, f[0].c_str(), &addr.sin_addr) != 1) die("bad address " + f[0]);
        const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0) die("socket");
        const int one = 1;
        ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
            die("cannot bind " + f[0] + ":" + f[1] + ": " + std::strerror(errno));
        if (::listen(fd, 256) != 0) die("listen");
        listeners.push_back({fd, ctx});
    }
    if (thread_count < 1) thread_count = 1;
    std::vector<std::vector<Listener>> shares(static_cast<std::size_t>(thread_count));
    for (std::size_t i = 0; i < listeners.size(); ++i) shares[i % shares.size()].push_back(listeners[i]);
    std::atomic<unsigned long> handshakes{0};
    std::vector<std::thread> loops;
    for (auto& share : shares) loops.emplace_back(event_loop, share, std::ref(handshakes));
    std::cout << "ready " << listeners.size() << std::endl;
    // Stop when stdin closes (the script ends) or on SIGTERM.
    std::thread([] {
        char c;
        while (::read(0, &c, 1) > 0) {
        }
        g_stop = true;
    }).detach();
    for (auto& t : loops) t.join();
    for (const auto& l : listeners) ::close(l.fd);
    for (auto& [_, ctx] : contexts) SSL_CTX_free(ctx);
    std::cerr << "bench_audit_helper: served " << handshakes.load() << " handshakes\n";
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    const std::string usage = "usage: bench_audit_helper issue DIR SPEC.tsv [KEYS] | serve ENDPOINTS.tsv [THREADS]";
    if (argc < 3) die(usage);
    const std::string mode = argv[1];
    if (mode == "issue" && argc >= 4) return issue(argv[2], argv[3], argc > 4 ? std::atoi(argv[4]) : 8);
    if (mode == "serve") return serve(argv[2], argc > 3 ? std::atoi(argv[3]) : 2);
    die(usage);
}
