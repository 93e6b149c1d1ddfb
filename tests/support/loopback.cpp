#include "loopback.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <random>

#include "socket_address.hpp"

namespace certtool::test {

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
