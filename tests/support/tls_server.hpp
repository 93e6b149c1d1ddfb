// One `openssl s_server` on loopback for end-to-end tests: started on an
// address and a free port, ready (it accepts TCP) when the constructor returns,
// stopped when it goes out of scope, also when the test fails.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace certtool::test {

class TlsServer {
public:
    // Serves `cert` (leaf first, then intermediates) with `key` on `address`
    // ("127.0.0.1", "::1") at `port`, or at a free port when 0; `extra` goes
    // to s_server as it is. REQUIREs that it starts within 10 s.
    TlsServer(const std::string& address, int port, const std::string& cert, const std::string& key,
              const std::vector<std::string>& extra = {});
    ~TlsServer();
    TlsServer(const TlsServer&) = delete;
    TlsServer& operator=(const TlsServer&) = delete;

    [[nodiscard]] int port() const { return port_; }

    // A TCP port nobody listens on at `address` right now.
    static int free_port(const std::string& address);

private:
    pid_t pid_ = -1;
    int port_ = 0;
};

}  // namespace certtool::test
