#include "loopback.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <random>

#include "bytes.hpp"
#include "socket_address.hpp"

namespace certtool::test {

namespace {

// A TLS 1.2 ClientHello (fixed random, SNI, ECDHE-RSA and RSA AES-GCM/CBC
// suites), enough to make any of the test servers answer with its ServerHello.
std::string client_hello(const std::string& sni) {
    std::string ext;
    std::string names(1, '\0');  // host_name
    put16(names, sni.size());
    names += sni;
    put16(ext, 0x0000);  // server_name
    put16(ext, names.size() + 2);
    put16(ext, names.size());
    ext += names;
    put16(ext, 0x000a);  // supported_groups: x25519, secp256r1, secp384r1
    put16(ext, 8);
    put16(ext, 6);
    for (const std::size_t g : {0x001d, 0x0017, 0x0018}) put16(ext, g);
    put16(ext, 0x000b);  // ec_point_formats: uncompressed
    put16(ext, 2);
    ext += std::string("\x01\x00", 2);
    put16(ext, 0x000d);  // signature_algorithms: rsa_pss_rsae_sha256, rsa_pkcs1_sha256, ecdsa_secp256r1_sha256
    put16(ext, 8);
    put16(ext, 6);
    for (const std::size_t a : {0x0804, 0x0401, 0x0403}) put16(ext, a);
    put16(ext, 0xff01);  // renegotiation_info, empty
    put16(ext, 1);
    ext.push_back('\0');
    std::string body;
    put16(body, 0x0303);
    body += std::string(32, '\x2a');  // random
    body.push_back('\0');              // no session id
    put16(body, 8);
    for (const std::size_t suite : {0xc02f, 0xc030, 0x009c, 0x002f}) put16(body, suite);
    body += std::string("\x01\x00", 2);  // null compression only
    put16(body, ext.size());
    body += ext;
    std::string handshake(1, '\x01');  // client_hello, 24-bit length
    put24(handshake, body.size());
    handshake += body;
    std::string record(1, '\x16');  // handshake record, TLS 1.0 record version
    put16(record, 0x0301);
    put16(record, handshake.size());
    return record + handshake;
}

}  // namespace

bool can_listen(const std::string& ip, int port, bool udp) {
    SocketAddress a(ip, port);
    const int fd = ::socket(a.family(), (udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    const int one = 1;
    if (!udp) ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    const bool ok = ::bind(fd, a.get(), a.size()) == 0 || errno == EACCES;
    ::close(fd);
    return ok;
}

bool tcp_connects(const std::string& ip, int port) {
    SocketAddress a(ip, port);
    const int fd = ::socket(a.family(), SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    const bool ok = ::connect(fd, a.get(), a.size()) == 0;
    ::close(fd);
    return ok;
}

bool answers_tls(const std::string& ip, int port, const std::string& sni) {
    SocketAddress a(ip, port);
    const int fd = ::socket(a.family(), SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    bool ok = false;
    if (::connect(fd, a.get(), a.size()) == 0) {
        const std::string hello = client_hello(sni);
        if (::send(fd, hello.data(), hello.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(hello.size())) {
            pollfd p{fd, POLLIN, 0};
            char first = 0;
            ok = ::poll(&p, 1, 2000) == 1 && ::recv(fd, &first, 1, 0) == 1 && first == '\x16';
        }
    }
    ::close(fd);
    return ok;
}

int free_port(const std::string& ip) {
    SocketAddress a(ip, 0);
    const int fd = ::socket(a.family(), SOCK_STREAM | SOCK_CLOEXEC, 0);
    REQUIRE(fd >= 0);
    REQUIRE(::bind(fd, a.get(), a.size()) == 0);
    const int port = a.bound_port(fd);
    ::close(fd);
    return port;
}

LoopbackBlock loopback_block(const LoopbackNeeds& needs) {
    std::mt19937 random{std::random_device{}()};
    std::uniform_int_distribution<int> b(16, 254), c(0, 255);
    for (int attempt = 0; attempt < 100; ++attempt) {
        LoopbackBlock block{"127." + std::to_string(b(random)) + "." + std::to_string(c(random)) + "."};
        bool free = true;
        for (const auto& [host, port] : needs.host_ports) {
            free = free && can_listen(block.address(host), port) && (!needs.udp || can_listen(block.address(host), port, true));
            if (!free) break;
        }
        if (free) return block;
    }
    FAIL("no free 127.B.C.0/24 block on this host");
    return {};
}

bool high_ports() {
    const char* forced = std::getenv("CERTTOOL_TEST_HIGH_PORTS");
    return ::geteuid() != 0 || (forced != nullptr && *forced != '\0' && std::string(forced) != "0");
}

}  // namespace certtool::test
