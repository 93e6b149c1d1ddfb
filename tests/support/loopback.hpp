// Loopback addresses for tests that serve on them. Every test that listens on
// a fixed address collides with a copy of itself when suites run at once
// (tests/run runs the plain and the sanitized suite in parallel, ctest -j runs
// test cases in parallel), so addresses come from here: a random
// 127.B.C.0/24 block (B in 16..254, so never 127.0.x.x) in which the given
// hosts and ports are free right now (a bind probe).
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace certtool::test {

struct LoopbackBlock {
    std::string prefix;  // "127.B.C."
    [[nodiscard]] std::string address(int host) const { return prefix + std::to_string(host); }
};

struct LoopbackNeeds {
    std::vector<std::pair<int, int>> host_ports;  // (host in the block, port) that must be free
    bool udp = false;                             // the ports must be free for UDP too
};

// A block where every (host, port) of `needs` can be bound now (ports below
// 1024 count as free when only root may bind them). REQUIREs that one is found.
LoopbackBlock loopback_block(const LoopbackNeeds& needs);

// Whether `ip`:`port` (IPv4 or IPv6 literal) could be bound now, as servers bind (SO_REUSEADDR).
bool can_listen(const std::string& ip, int port, bool udp = false);

// Whether a TCP connection to ip:port is accepted.
bool tcp_connects(const std::string& ip, int port);

// Whether a TLS server answers on ip:port (IPv4 or IPv6): it accepts the
// connection and replies to a TLS 1.2 ClientHello carrying `sni` with a
// handshake record within 2 s. A TCP accept alone is not enough: kamailio
// listens before its TLS workers are ready, and the first handshakes would
// then take most of a second.
bool answers_tls(const std::string& ip, int port, const std::string& sni);

// Whether servers must listen on high ports (10443 for 443, 15061 for 5061,
// audit told with --map-port): when not root, or CERTTOOL_TEST_HIGH_PORTS is set and not 0.
bool high_ports();

// A TCP port nobody listens on at `ip` right now (from the kernel's ephemeral range).
int free_port(const std::string& ip);

}  // namespace certtool::test
