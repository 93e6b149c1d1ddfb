#include "tls_server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstring>
#include <thread>

#include "cert_lab.hpp"

namespace certtool::test {

namespace {

// A socket address for `address` (IPv4 or IPv6 literal) and `port`.
socklen_t socket_address(const std::string& address, int port, sockaddr_storage& storage) {
    std::memset(&storage, 0, sizeof storage);
    auto* v4 = reinterpret_cast<sockaddr_in*>(&storage);
    if (inet_pton(AF_INET, address.c_str(), &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons(static_cast<unsigned short>(port));
        return sizeof(sockaddr_in);
    }
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&storage);
    if (inet_pton(AF_INET6, address.c_str(), &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons(static_cast<unsigned short>(port));
        return sizeof(sockaddr_in6);
    }
    FAIL("not an IP address: " << address);
    return 0;
}

bool accepts(const std::string& address, int port) {
    sockaddr_storage storage{};
    const socklen_t len = socket_address(address, port, storage);
    const int fd = ::socket(storage.ss_family, SOCK_STREAM, 0);
    if (fd < 0) return false;
    const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&storage), len) == 0;
    ::close(fd);
    return ok;
}

}  // namespace

int TlsServer::free_port(const std::string& address) {
    sockaddr_storage storage{};
    socklen_t len = socket_address(address, 0, storage);
    const int fd = ::socket(storage.ss_family, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&storage), len) == 0);
    REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&storage), &len) == 0);
    ::close(fd);
    return ntohs(storage.ss_family == AF_INET ? reinterpret_cast<sockaddr_in*>(&storage)->sin_port
                                              : reinterpret_cast<sockaddr_in6*>(&storage)->sin6_port);
}

TlsServer::TlsServer(const std::string& address, int port, const std::string& cert, const std::string& key,
                     const std::vector<std::string>& extra)
    : port_(port != 0 ? port : free_port(address)) {
    const std::string accept = (address.find(':') != std::string::npos ? "[" + address + "]" : address) + ":" +
                               std::to_string(port_);
    std::vector<std::string> args{kOpensslCli, "s_server", "-accept", accept, "-cert", cert, "-key", key, "-quiet", "-www"};
    args.insert(args.end(), extra.begin(), extra.end());
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_ = ::fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
        ::setpgid(0, 0);
        const int null = ::open("/dev/null", O_RDWR);
        ::dup2(null, 0);
        ::dup2(null, 1);
        ::dup2(null, 2);
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!accepts(address, port_)) {
        int status = 0;
        REQUIRE(::waitpid(pid_, &status, WNOHANG) == 0);  // it has not died
        REQUIRE(std::chrono::steady_clock::now() < deadline);
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

TlsServer::~TlsServer() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
}

}  // namespace certtool::test
