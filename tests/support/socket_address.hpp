// An IPv4 or IPv6 socket address from a literal and a port (the kit's servers and probes).
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstring>
#include <stdexcept>
#include <string>

namespace certtool::test {

class SocketAddress {
public:
    SocketAddress(const std::string& ip, int port) {
        std::memset(&storage_, 0, sizeof storage_);
        auto* v4 = reinterpret_cast<sockaddr_in*>(&storage_);
        auto* v6 = reinterpret_cast<sockaddr_in6*>(&storage_);
        if (::inet_pton(AF_INET, ip.c_str(), &v4->sin_addr) == 1) {
            v4->sin_family = AF_INET;
            v4->sin_port = htons(static_cast<unsigned short>(port));
            size_ = sizeof(sockaddr_in);
        } else if (::inet_pton(AF_INET6, ip.c_str(), &v6->sin6_addr) == 1) {
            v6->sin6_family = AF_INET6;
            v6->sin6_port = htons(static_cast<unsigned short>(port));
            size_ = sizeof(sockaddr_in6);
        } else {
            throw std::invalid_argument("not an IP address: " + ip);
        }
    }
    [[nodiscard]] int family() const { return storage_.ss_family; }
    [[nodiscard]] const sockaddr* get() const { return reinterpret_cast<const sockaddr*>(&storage_); }
    [[nodiscard]] socklen_t size() const { return size_; }
    // The port a socket bound to this address got (port 0: the kernel chose).
    [[nodiscard]] static int bound_port(int fd) {
        sockaddr_storage s{};
        socklen_t len = sizeof s;
        if (::getsockname(fd, reinterpret_cast<sockaddr*>(&s), &len) != 0) return 0;
        return ntohs(s.ss_family == AF_INET ? reinterpret_cast<sockaddr_in*>(&s)->sin_port
                                            : reinterpret_cast<sockaddr_in6*>(&s)->sin6_port);
    }

private:
    sockaddr_storage storage_{};
    socklen_t size_ = 0;
};

}  // namespace certtool::test
