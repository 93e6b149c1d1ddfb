// probe_sip_options (lib/crypto/sip_probe) against real servers on a random
// 127.B.C.0/24 block (loopback.hpp) and on ::1: kamailio with its TLS module
// answering OPTIONS (sip_lab.hpp), also as a federation peer that demands a
// client certificate; `openssl s_server` demanding one (-Verify 1, TLS 1.3 and
// 1.2), answering nothing (-www), echoing reversed lines (-rev) and closing at
// once; the kit's TLS server answering without end, and in plain text; a
// closed port. Certificates come from the test CA. A missing server program
// skips the test case with a warning.
#include <catch2/catch.hpp>

#include <chrono>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "cert_lab.hpp"
#include "crypto/sip_probe.hpp"
#include "daemon.hpp"
#include "loopback.hpp"
#include "sip_lab.hpp"
#include "test_ca.hpp"
#include "tls_server.hpp"

using namespace certtool::test;
using certtool::crypto::FetchLimits;
using certtool::crypto::probe_sip_options;
using certtool::crypto::SipProbeResult;
using certtool::crypto::SipProbeTarget;
using namespace std::chrono_literals;

namespace {

using Clock = std::chrono::steady_clock;

constexpr int kPort = 15061;  // on every host of the block

// Catch2 v2 has no SKIP: say why and leave the test case (it counts as passed).
#define SKIP_WITHOUT(missing)                                                      \
    do {                                                                           \
        if (const std::string why = (missing); !why.empty()) {                     \
            WARN("skipped: the SIP probe tests need real servers; " << why);       \
            return;                                                                \
        }                                                                          \
    } while (false)

std::string openssl_missing() { return find_program("openssl").empty() ? "not found: openssl (package openssl)" : ""; }
std::string kamailio_missing() { return Kamailio::missing().empty() ? "" : "not found: " + Kamailio::missing(); }

// The certificate every server presents (the Access Edge's names), and the
// addresses: host h of the block listens on kPort.
class SipLab {
public:
    SipLab() : block_(loopback_block(needs())) {
        CertOptions o;
        o.subject = "/O=Contoso Ltd/CN=sip.contoso.com";
        o.dns_names = {"sip.contoso.com", "sip.fabrikam.com"};
        edge_ = ca_.issue("edge", o);
        edge_sha256_ = read_certificate(edge_.cert).sha256;
    }

    [[nodiscard]] std::string ip(int host) const { return block_.address(host); }
    [[nodiscard]] const TempDir& dir() const { return dir_; }
    [[nodiscard]] const Issued& edge() const { return edge_; }
    [[nodiscard]] const std::string& edge_sha256() const { return edge_sha256_; }
    [[nodiscard]] std::string ca() const { return ca_.root(); }
    [[nodiscard]] SipTlsListener listener(const std::string& address, int port) const {
        return {address, port, edge_.cert, edge_.key};
    }
    [[nodiscard]] SipProbeTarget target(int host, const std::string& request_uri_host = "") const {
        return SipProbeTarget{ip(host), kPort, "sip.contoso.com", request_uri_host};
    }

    // `openssl s_server` on host h, serving the Edge certificate.
    std::unique_ptr<OpensslServer> s_server(int host, SServerMode mode, const std::vector<std::string>& extra = {}) const {
        return std::make_unique<OpensslServer>(ip(host), kPort, edge_.cert, edge_.key,
                                               dir_ / ("s_server-" + std::to_string(host) + ".log"), extra, mode);
    }

private:
    static LoopbackNeeds needs() {
        LoopbackNeeds n;
        for (int host = 1; host <= 9; ++host) n.host_ports.emplace_back(host, kPort);
        return n;
    }

    TempDir dir_{"certtool-sip-probe"};  // declared first: removed after the servers are stopped
    TestCa ca_{dir_};
    LoopbackBlock block_;
    Issued edge_;
    std::string edge_sha256_;
};

FetchLimits limits() {
    FetchLimits l;
    l.connect_timeout = std::chrono::milliseconds(5000 * kTimeScale);
    l.handshake_timeout = std::chrono::milliseconds(5000 * kTimeScale);
    l.answer_timeout = std::chrono::milliseconds(5000 * kTimeScale);
    l.deadline = std::chrono::milliseconds(60000 * kTimeScale);
    return l;
}

std::string describe(const SipProbeResult& r) {
    std::string s = r.target.address + ":" + std::to_string(r.target.port) + " -> answered " + (r.answered ? "yes" : "no") +
                    ", status " + std::to_string(r.status) + " '" + r.reason_phrase + "', server '" + r.server_header +
                    "', code '" + r.error_code + "', client certificate requested " +
                    (r.client_certificate_requested ? "yes" : "no") + ", " + std::to_string(r.chain.size()) +
                    " certificates, " + r.protocol + ", " + std::to_string(r.elapsed.count()) + " ms, provisional";
    for (const int p : r.provisional) s += " " + std::to_string(p);
    return s + "\n  message: " + r.message;
}

// TLS came up and the chain is the Edge certificate.
void check_chain(const SipProbeResult& r, const SipLab& lab) {
    REQUIRE_FALSE(r.chain.empty());
    CHECK(r.chain.front().sha256_fingerprint == lab.edge_sha256());
    CHECK(r.protocol.rfind("TLSv1.", 0) == 0);
}

// The "certtool-lab:" lines kamailio logged, one per request it parsed.
std::vector<std::string> parsed_requests(const Kamailio& kamailio) {
    std::vector<std::string> lines;
    const std::string log = kamailio.log();
    for (std::size_t at = log.find("certtool-lab: "); at != std::string::npos; at = log.find("certtool-lab: ", at + 1))
        lines.push_back(log.substr(at, log.find('\n', at) - at));
    return lines;
}

}  // namespace

TEST_CASE("sip probe: kamailio answers OPTIONS with 200 OK over TLS, on IPv4 and IPv6, and parsed a well-formed request",
          "[sip][e2e]") {
    SKIP_WITHOUT(kamailio_missing());
    SipLab lab;
    const int v6_port = free_port("::1");
    Kamailio kamailio(lab.dir(), {lab.listener(lab.ip(1), kPort), lab.listener("::1", v6_port)});

    const auto results = probe_sip_options(
        {lab.target(1), SipProbeTarget{"[::1]", v6_port, "sip.contoso.com", "sip.fabrikam.com"}}, limits());

    REQUIRE(results.size() == 2);
    for (const auto& r : results) {
        INFO(describe(r));
        CHECK(r.error_code.empty());
        CHECK(r.answered);
        CHECK(r.status == 200);
        CHECK(r.reason_phrase == "OK");
        CHECK(r.server_header.find("kamailio") != std::string::npos);
        CHECK(r.provisional.empty());
        CHECK_FALSE(r.client_certificate_requested);
        check_chain(r, lab);
    }
    CHECK(results[0].target.address == lab.ip(1));
    CHECK(results[1].target.address == "[::1]");

    // What kamailio understood of the two requests: every header the probe
    // must send, parsed by a real SIP stack; a random tag and Call-ID each.
    std::vector<std::string> lines;
    wait_until([&] { return (lines = parsed_requests(kamailio)).size() >= 2; }, 5s);
    INFO(kamailio.log());
    REQUIRE(lines.size() == 2);
    const std::regex request(
        "certtool-lab: OPTIONS sip:(sip\\.contoso\\.com|sip\\.fabrikam\\.com) from sip:certtool@([0-9.]+|\\[::1\\]);tag=[0-9a-f]{16} "
        "to sip:\\1 call-id ([0-9a-f]{32}) cseq 1 via SIP/2\\.0/TLS ([0-9.]+|\\[::1\\]):[0-9]+;branch=z9hG4bK[0-9a-f]{24};rport "
        "max-forwards 70 contact <sip:certtool@([0-9.]+|\\[::1\\]):[0-9]+;transport=tls> accept application/sdp content-length 0");
    std::set<std::string> call_ids, uris;
    for (const auto& line : lines) {
        INFO(line);
        std::smatch m;
        REQUIRE(std::regex_match(line, m, request));
        uris.insert(m[1]);
        call_ids.insert(m[3]);
    }
    CHECK(uris == std::set<std::string>{"sip.contoso.com", "sip.fabrikam.com"});
    CHECK(call_ids.size() == 2);
    // The two probes run at once, so kamailio may log either first; what
    // matters is that each names its own side of the connection throughout:
    // one request is IPv6 in From, Via and Contact, the other IPv4 in all three.
    std::size_t ipv6_requests = 0;
    for (const auto& line : lines) {
        INFO(line);
        std::smatch m;
        REQUIRE(std::regex_match(line, m, request));
        const bool v6 = m[2] == "[::1]";
        ipv6_requests += v6 ? 1 : 0;
        CHECK((m[4] == "[::1]") == v6);
        CHECK((m[5] == "[::1]") == v6);
    }
    CHECK(ipv6_requests == 1);
}

TEST_CASE("sip probe: kamailio's 100 Trying is passed over to its 200; a 403 is an answer too", "[sip][e2e]") {
    SKIP_WITHOUT(kamailio_missing());
    SipLab lab;
    Kamailio kamailio(lab.dir(), {lab.listener(lab.ip(1), kPort)});

    const auto results = probe_sip_options({lab.target(1, "trying.contoso.com"), lab.target(1, "forbidden.contoso.com")}, limits());

    REQUIRE(results.size() == 2);
    INFO(describe(results[0]) << "\n" << describe(results[1]));
    CHECK(results[0].answered);
    CHECK(results[0].status == 200);
    CHECK(results[0].provisional == std::vector<int>{100});
    CHECK(results[0].error_code.empty());
    CHECK(results[1].answered);
    CHECK(results[1].status == 403);
    CHECK(results[1].reason_phrase == "Forbidden here");
    CHECK(results[1].provisional.empty());
    CHECK(results[1].error_code.empty());
}

TEST_CASE("sip probe: a federation peer demanding a client certificate is sip.client-certificate-required, chain kept",
          "[sip][e2e]") {
    SKIP_WITHOUT(openssl_missing());
    SKIP_WITHOUT(kamailio_missing());
    SipLab lab;
    const auto tls13 = lab.s_server(1, SServerMode::status_page, {"-Verify", "1", "-CAfile", lab.ca(), "-tls1_3"});
    const auto tls12 = lab.s_server(2, SServerMode::status_page, {"-Verify", "1", "-CAfile", lab.ca(), "-tls1_2"});
    Kamailio::Options peer;
    peer.client_ca = lab.ca();
    Kamailio kamailio(lab.dir(), {lab.listener(lab.ip(3), kPort)}, peer);

    const auto results = probe_sip_options({lab.target(1), lab.target(2), lab.target(3)}, limits());

    REQUIRE(results.size() == 3);
    for (const auto& r : results) {
        INFO(describe(r));
        CHECK(r.error_code == "sip.client-certificate-required");
        CHECK(r.client_certificate_requested);
        CHECK_FALSE(r.answered);
        CHECK(r.message.find(r.target.address + ":" + std::to_string(kPort)) != std::string::npos);
        CHECK(r.message.find("expected of a federation peer") != std::string::npos);
        CHECK(r.message.find("not a failure of the Edge") != std::string::npos);
        check_chain(r, lab);
    }
    CHECK(results[0].protocol == "TLSv1.3");  // refused after the handshake: the alert comes when the answer is read
    CHECK(results[1].protocol == "TLSv1.2");  // refused within the handshake
}

TEST_CASE("sip probe: a server that asks for a client certificate but answers without one: answered, and said", "[sip][e2e]") {
    SKIP_WITHOUT(kamailio_missing());
    SipLab lab;
    Kamailio::Options asks;
    asks.client_ca = lab.ca();
    asks.client_certificate_optional = true;
    Kamailio kamailio(lab.dir(), {lab.listener(lab.ip(1), kPort)}, asks);

    const auto results = probe_sip_options({lab.target(1)}, limits());

    REQUIRE(results.size() == 1);
    const auto& r = results[0];
    INFO(describe(r));
    CHECK(r.error_code.empty());
    CHECK(r.answered);
    CHECK(r.status == 200);
    CHECK(r.client_certificate_requested);
    CHECK(r.message.find("asked for a client certificate and answered without one") != std::string::npos);
    check_chain(r, lab);
}

TEST_CASE("sip probe: a TLS server that answers nothing is sip.no-answer after the answer timeout, or the batch deadline",
          "[sip][e2e]") {
    SKIP_WITHOUT(openssl_missing());
    SipLab lab;
    const auto silent = lab.s_server(1, SServerMode::status_page);  // an OPTIONS is not "GET /": s_server waits for more

    auto l = limits();
    l.answer_timeout = 800ms;
    auto started = Clock::now();
    auto results = probe_sip_options({lab.target(1)}, l);
    auto took = Clock::now() - started;

    REQUIRE(results.size() == 1);
    INFO(describe(results[0]));
    CHECK(results[0].error_code == "sip.no-answer");
    CHECK(results[0].message.find("within 800 ms") != std::string::npos);
    CHECK_FALSE(results[0].answered);
    check_chain(results[0], lab);
    CHECK(took >= 800ms);
    CHECK(took < 800ms + std::chrono::milliseconds(4000 * kTimeScale));

    // The batch deadline ends the wait too, long before the answer timeout.
    l.answer_timeout = 60s;
    l.deadline = 1s;
    started = Clock::now();
    results = probe_sip_options({lab.target(1)}, l);
    took = Clock::now() - started;
    REQUIRE(results.size() == 1);
    INFO(describe(results[0]));
    CHECK(results[0].error_code == "sip.no-answer");
    CHECK(results[0].message.find("batch deadline of 1000 ms") != std::string::npos);
    CHECK(took < 1s + std::chrono::milliseconds(4000 * kTimeScale));
}

TEST_CASE("sip probe: a TLS server that echoes reversed lines is sip.not-sip; one that closes at once sip.closed", "[sip][e2e]") {
    SKIP_WITHOUT(openssl_missing());
    SipLab lab;
    const auto reverser = lab.s_server(1, SServerMode::reversed_lines);
    const auto closer = lab.s_server(2, SServerMode::close_at_once);

    const auto results = probe_sip_options({lab.target(1), lab.target(2)}, limits());

    REQUIRE(results.size() == 2);
    INFO(describe(results[0]) << "\n" << describe(results[1]));
    CHECK(results[0].error_code == "sip.not-sip");
    CHECK(results[0].message.find("does not speak SIP over TLS") != std::string::npos);
    CHECK(results[0].message.find("0.2/PIS") != std::string::npos);  // "SIP/2.0" reversed: quoted as it came
    check_chain(results[0], lab);
    CHECK(results[1].error_code == "sip.closed");
    CHECK(results[1].message.find("did not answer the OPTIONS request") != std::string::npos);
    check_chain(results[1], lab);
    for (const auto& r : results) {
        CHECK_FALSE(r.answered);
        CHECK_FALSE(r.client_certificate_requested);
    }
}

TEST_CASE("sip probe: SIP in plain text where TLS is expected is tls.not-tls; a closed port tls.refused", "[sip][e2e]") {
    SipLab lab;
    TlsServer plain(TlsServer::Behaviour::plain_text, {{lab.ip(1), kPort}});

    const auto results = probe_sip_options({lab.target(1), lab.target(2)}, limits());

    REQUIRE(results.size() == 2);
    INFO(describe(results[0]) << "\n" << describe(results[1]));
    CHECK(results[0].error_code == "tls.not-tls");
    CHECK(results[0].message.find("SIP/2") != std::string::npos);
    CHECK(results[1].error_code == "tls.refused");
    for (const auto& r : results) {
        CHECK_FALSE(r.answered);
        CHECK(r.chain.empty());
    }
    CHECK(plain.accepted() == 1);
}

TEST_CASE("sip probe: an answer that never ends is cut at 64 KiB as sip.too-much-data", "[sip][e2e]") {
    SipLab lab;
    TlsServer server({{lab.ip(1), kPort}}, {lab.edge().cert, lab.edge().key, {}},
                     TlsServer::Answer{"SIP/2.0 100 Trying\r\nContent-Length: 0\r\n\r\n", true});

    const auto started = Clock::now();
    const auto results = probe_sip_options({lab.target(1)}, limits());
    const auto took = Clock::now() - started;

    REQUIRE(results.size() == 1);
    INFO(describe(results[0]));
    CHECK(results[0].error_code == "sip.too-much-data");
    CHECK(results[0].message.find("65536 bytes") != std::string::npos);
    check_chain(results[0], lab);
    CHECK(took < std::chrono::milliseconds(5000 * kTimeScale));  // cut by size, not by the answer timeout
}

TEST_CASE("sip probe: a Request-URI host that could add a header is sip.bad-target, and nothing connects", "[sip][e2e]") {
    SipLab lab;
    TlsServer silent(TlsServer::Behaviour::silent, {{lab.ip(1), kPort}});
    SipProbeTarget no_uri_but_bad_sni = lab.target(1);
    no_uri_but_bad_sni.sni = "sip.contoso.com\r\nX-Injected: 1";

    const auto results = probe_sip_options(
        {lab.target(1, "sip.contoso.com\r\nX-Injected: 1"), no_uri_but_bad_sni, lab.target(2)}, limits());

    REQUIRE(results.size() == 3);
    for (std::size_t i = 0; i < 2; ++i) {
        INFO(describe(results[i]));
        CHECK(results[i].error_code == "sip.bad-target");
        CHECK(results[i].message.find("sip.contoso.com\\x0d\\x0aX-Injected: 1") != std::string::npos);
        CHECK(results[i].elapsed.count() == 0);
    }
    INFO(describe(results[2]));
    CHECK(results[2].error_code == "tls.refused");  // the good target keeps its place
    std::this_thread::sleep_for(100ms);
    CHECK(silent.accepted() == 0);
}

TEST_CASE("sip probe: every kind of server in one batch, three at a time: each its own result, in target order",
          "[sip][e2e]") {
    SKIP_WITHOUT(openssl_missing());
    SKIP_WITHOUT(kamailio_missing());
    SipLab lab;
    Kamailio kamailio(lab.dir(), {lab.listener(lab.ip(1), kPort)});
    const auto mtls = lab.s_server(2, SServerMode::status_page, {"-Verify", "1", "-CAfile", lab.ca()});
    const auto silent = lab.s_server(3, SServerMode::status_page);
    const auto reverser = lab.s_server(4, SServerMode::reversed_lines);
    const auto closer = lab.s_server(5, SServerMode::close_at_once);
    TlsServer plain(TlsServer::Behaviour::plain_text, {{lab.ip(6), kPort}});

    auto l = limits();
    l.concurrency = 3;
    l.answer_timeout = 1s;
    const std::vector<std::string> expected = {"",           "sip.client-certificate-required", "sip.no-answer", "sip.not-sip",
                                               "sip.closed", "tls.not-tls",                     "tls.refused",   ""};
    std::vector<SipProbeTarget> targets;
    for (int host = 1; host <= 7; ++host) targets.push_back(lab.target(host));
    targets.push_back(lab.target(1, "trying.contoso.com"));

    const auto started = Clock::now();
    const auto results = probe_sip_options(targets, l);
    const auto took = Clock::now() - started;

    REQUIRE(results.size() == expected.size());
    for (std::size_t i = 0; i < results.size(); ++i) {
        INFO(describe(results[i]));
        CHECK(results[i].target.address == targets[i].address);
        CHECK(results[i].target.request_uri_host == targets[i].request_uri_host);
        CHECK(results[i].error_code == expected[i]);
        CHECK(results[i].answered == expected[i].empty());
    }
    CHECK(results[7].provisional == std::vector<int>{100});
    CHECK(took < std::chrono::milliseconds(15000 * kTimeScale));
}
