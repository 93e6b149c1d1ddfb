// kamailio, the real SIP server of the suite: SIP over TLS only, answering
// every request itself, as the Access Edge of the live audit's pool and the
// far end of the SIP OPTIONS probe's tests. The one way the suite starts it.
//
// What it answers (its request_route):
//   OPTIONS           200 OK; a Request-URI host starting with "trying." gets
//                     100 Trying first, one starting with "forbidden." gets
//                     403 Forbidden here instead
//   anything else     404 Not here
// and it logs every request it parsed as one line, "certtool-lab: METHOD
// R-URI from ... via ... max-forwards ... contact ... accept ... content-length
// ...", so that a test can see what it understood of a request.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "daemon.hpp"
#include "temp_dir.hpp"

namespace certtool::test {

// One TLS socket kamailio listens on, and the certificate it serves there.
struct SipTlsListener {
    std::string address;  // IPv4 or IPv6 literal
    int port = 0;
    std::string cert;     // PEM: the leaf, then any intermediates
    std::string key;      // PEM
};

class Kamailio {
public:
    struct Options {
        std::string name = "kamailio";  // its files in the folder: <name>.cfg, <name>-tls.cfg, <name>.log, <name>-run/
        // Not empty: every listener demands a client certificate issued by this
        // CA (PEM) and fails the handshake without one, as a federation peer does.
        std::string client_ca;
        // With client_ca: asks for a client certificate, but carries on without one.
        bool client_certificate_optional = false;
    };

    // Why kamailio cannot run here ("" when it can): the program, or its tls,
    // sl, pv and xlog modules (packages kamailio, kamailio-tls-modules).
    static const std::string& missing();

    // Starts kamailio with its files in `dir`, and waits (20 s at most, REQUIREd)
    // until every listener answers TLS. Stopped when it goes out of scope.
    Kamailio(const TempDir& dir, const std::vector<SipTlsListener>& listeners, const Options& options);
    Kamailio(const TempDir& dir, const std::vector<SipTlsListener>& listeners) : Kamailio(dir, listeners, Options{}) {}

    [[nodiscard]] Daemon& daemon() { return *daemon_; }
    // Its log: the "certtool-lab:" lines of the requests it parsed, among its own.
    [[nodiscard]] std::string log() const { return daemon_->log(); }

private:
    std::unique_ptr<Daemon> daemon_;
};

}  // namespace certtool::test
