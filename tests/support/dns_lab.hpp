// Knot DNS (knotd) as the tests' authoritative DNS server, the one way the
// suite starts it: zone files given as text, served on a loopback address and
// port (loopback.hpp picks a free block), ready when it answers an
// authoritative SOA query for every zone, stopped when it goes out of scope
// (daemon.hpp), also when the test fails. Optionally the zones take RFC 2136
// updates signed with a TSIG key (the acme tests' DNS-01 hook), kept in
// Knot's journal, never written back to the zone files.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "daemon.hpp"

namespace certtool::test {

struct DnsZoneFile {
    std::string zone;  // "contoso.com"
    std::string text;  // the whole zone file, SOA and NS included (soa_and_ns gives them)
};

// An HMAC-SHA256 TSIG key: its name and base64 secret.
struct TsigKey {
    std::string name;
    std::string secret;
};

struct KnotConfig {
    std::string ip;  // an IPv4 loopback address, 127.B.C.x
    int port = 5353;
    std::vector<DnsZoneFile> zones;
    std::optional<TsigKey> update_key;  // with it, every zone accepts updates signed by this key
};

// The knotd program; "" when package knot is not installed.
std::string knotd_program();

// The head of a minimal zone: $ORIGIN, $TTL, an SOA and one NS, ns1.<zone>,
// with its A record `ns_ip`. Zone-file data for the zone may follow it.
std::string soa_and_ns(const std::string& zone, const std::string& ns_ip);

// Whether ip:port answers a SOA query for `zone` over TCP authoritatively
// (NOERROR, AA set, one answer at least) within about a second.
bool answers_soa(const std::string& ip, int port, const std::string& zone);

class KnotServer {
public:
    // Writes the configuration, zones and database into `dir` (an existing,
    // empty folder the test owns), starts knotd and waits (REQUIRE, with its
    // log) until every zone answers. knotd must be installed (knotd_program).
    KnotServer(const std::string& dir, KnotConfig config);

    [[nodiscard]] const std::string& ip() const { return config_.ip; }
    [[nodiscard]] int port() const { return config_.port; }
    [[nodiscard]] std::string log() const { return daemon_->log(); }

private:
    KnotConfig config_;
    std::unique_ptr<Daemon> daemon_;
};

}  // namespace certtool::test
