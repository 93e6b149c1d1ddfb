// What the certtool acme end-to-end tests share beyond the kit (daemon.hpp runs
// Pebble, dns_lab.hpp Knot, loopback.hpp gives the free block): the time scale, the
// checks every run must pass (bounded time, no partial files, no secret in the
// output), and the lab of real servers: Pebble (the ACME test CA, with its own
// TLS certificate made here, issuing 47-day certificates) validating DNS-01
// against Knot DNS, authoritative for contoso.com and fabrikam.com and taking
// RFC 2136 updates signed with a TSIG key, as the shipped hook
// templates/dns-hook-nsupdate.sh makes them.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <ctime>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "daemon.hpp"
#include "dns_lab.hpp"
#include "loopback.hpp"
#include "run_process.hpp"
#include "temp_dir.hpp"

namespace certtool::test::acme {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// Under AddressSanitizer certtool runs slower: the time bounds of these tests scale.
#if defined(__SANITIZE_ADDRESS__)
inline constexpr int kTimeScale = 3;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
inline constexpr int kTimeScale = 3;
#else
inline constexpr int kTimeScale = 1;
#endif
#else
inline constexpr int kTimeScale = 1;
#endif

// Files in `dir` a failed run must not leave: certificates, chains, temporaries.
inline std::vector<std::string> partial_files(const std::string& dir) {
    std::vector<std::string> found;
    std::error_code ignored;
    for (const auto& e : std::filesystem::directory_iterator(dir, ignored)) {
        const std::string name = e.path().filename().string();
        if (name.find(".pem") != std::string::npos || name.rfind(".certtool-tmp", 0) == 0) found.push_back(name);
    }
    return found;
}

// The lines of a PEM private key file that carry key material.
inline std::vector<std::string> secret_lines(const std::string& pem_file) {
    std::vector<std::string> lines;
    std::stringstream in(read_file(pem_file));
    for (std::string line; std::getline(in, line);)
        if (!line.empty() && line.rfind("-----", 0) != 0) lines.push_back(line);
    return lines;
}

inline constexpr int kAcmePort = 14000;
inline constexpr int kManagementPort = 15000;
inline constexpr int kDnsPort = 5353;
inline constexpr long kLifetimeSeconds = 47L * 86400;  // certificateValidityPeriod

struct Programs {
    std::string pebble, knotd, nsupdate, dig, curl, openssl, missing;
};

inline const Programs& programs() {
    static const Programs found = [] {
        Programs p;
        p.pebble = find_program("pebble");
        p.knotd = knotd_program();
        p.nsupdate = find_program("nsupdate");
        p.dig = find_program("dig");
        p.curl = find_program("curl");
        p.openssl = find_program("openssl");
        std::vector<std::string> missing;
        if (p.pebble.empty()) missing.emplace_back("pebble (package pebble)");
        if (p.knotd.empty()) missing.emplace_back("knotd (package knot)");
        if (p.nsupdate.empty() || p.dig.empty()) missing.emplace_back("nsupdate and dig (package bind9-dnsutils)");
        if (p.curl.empty()) missing.emplace_back("curl (package curl)");
        if (p.openssl.empty()) missing.emplace_back("openssl (package openssl)");
        for (std::size_t i = 0; i < missing.size(); ++i) p.missing += (i ? ", " : "") + missing[i];
        return p;
    }();
    return found;
}

#define SKIP_WITHOUT_ACME_SERVERS()                                                              \
    do {                                                                                         \
        if (!programs().missing.empty()) {                                                       \
            WARN("skipped: the ACME end-to-end tests need real servers; not found: " << programs().missing); \
            return;                                                                              \
        }                                                                                        \
    } while (false)

inline std::string run_ok(const std::string& program, const std::vector<std::string>& args, const std::string& cwd = "") {
    const auto r = run_process(program, args, {}, cwd);
    INFO("$ " << program << " ...\n" << r.out << r.err);
    REQUIRE(r.exit_code == 0);
    return r.out;
}

inline long utc_seconds(const std::string& text) {  // "2026-12-03T16:52:42Z"
    std::tm tm{};
    REQUIRE(::strptime(text.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm) != nullptr);
    return static_cast<long>(::timegm(&tm));
}

// Pebble and Knot on 127.B.C.10 and 127.B.C.53, with everything they need in `dir`.
class Lab {
public:
    TempDir dir{"certtool-acme-e2e"};
    std::string prefix = loopback_block({{{10, kAcmePort}, {10, kManagementPort}, {10, kDnsPort}, {53, kAcmePort}, {53, kManagementPort},
                                          {53, kDnsPort}},
                                         true})
                             .prefix;
    std::string ca_ip = prefix + "10";
    std::string dns_ip = prefix + "53";
    std::string tsig_secret;
    std::string tsig_file = dir / "tsig.key";
    std::string pebble_tls = dir / "pebble-tls.pem";
    std::string root = dir / "pebble-root.pem";
    std::unique_ptr<KnotServer> knot;
    std::unique_ptr<Daemon> pebble;

    Lab() {
        tsig_secret = run_ok(programs().openssl, {"rand", "-base64", "32"});
        while (!tsig_secret.empty() && tsig_secret.back() == '\n') tsig_secret.pop_back();
        start_knot();
        start_pebble();
    }

    [[nodiscard]] std::string directory_url() const { return "https://" + ca_ip + ":" + std::to_string(kAcmePort) + "/dir"; }

    [[nodiscard]] std::vector<std::string> hook_env() const {
        return {"CERTTOOL_NSUPDATE_SERVER=" + dns_ip, "CERTTOOL_NSUPDATE_PORT=" + std::to_string(kDnsPort),
                "CERTTOOL_NSUPDATE_KEYFILE=" + tsig_file, "CERTTOOL_NSUPDATE_TIMEOUT=5"};
    }

    // What every certtool run against this lab gives: the CA, its TLS roots, the
    // shipped RFC 2136 hook (run with hook_env()), the resolver to wait at, the
    // roots of the issued chains, a new account's terms and contact, and timeouts.
    [[nodiscard]] std::vector<std::string> ca_options() const {
        return {"--server",       directory_url(), "--ca-bundle", pebble_tls, "--dns-hook", source_path("templates/dns-hook-nsupdate.sh"),
                "--dns-resolver", dns_ip + ":" + std::to_string(kDnsPort), "--trust", root, "--agree-tos", "--contact",
                "mailto:pki@contoso.com", "--timeout", "10", "--order-timeout", "60"};
    }

    // TXT values of a name at the authoritative server.
    [[nodiscard]] std::string txt(const std::string& name) const {
        return run_ok(programs().dig, {"+short", "+time=3", "+tries=3", "-p", std::to_string(kDnsPort), "@" + dns_ip, name, "TXT"});
    }

private:
    void start_knot() {
        std::filesystem::create_directories(dir / "knot");
        std::vector<DnsZoneFile> zones;
        for (const std::string zone : {"contoso.com", "fabrikam.com"}) zones.push_back({zone, soa_and_ns(zone, dns_ip)});
        knot = std::make_unique<KnotServer>(dir / "knot", KnotConfig{dns_ip, kDnsPort, zones, TsigKey{"acme-update", tsig_secret}});
        (void)dir.file("tsig.key", "key \"acme-update\" {\n  algorithm hmac-sha256;\n  secret \"" + tsig_secret + "\";\n};\n");
        ::chmod(tsig_file.c_str(), 0600);
    }

    void start_pebble() {
        run_ok(programs().openssl, {"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
                                    dir / "pebble-tls.key", "-out", pebble_tls, "-days", "2", "-subj", "/CN=pebble test listener",
                                    "-addext", "subjectAltName=IP:" + ca_ip});
        const nlohmann::json config = {{"pebble",
                              {{"listenAddress", ca_ip + ":" + std::to_string(kAcmePort)},
                               {"managementListenAddress", ca_ip + ":" + std::to_string(kManagementPort)},
                               {"certificate", pebble_tls},
                               {"privateKey", dir / "pebble-tls.key"},
                               {"httpPort", 5002},
                               {"tlsPort", 5001},
                               {"ocspResponderURL", ""},
                               {"externalAccountBindingRequired", false},
                               {"certificateValidityPeriod", kLifetimeSeconds}}}};
        const std::string conf = dir.file("pebble.json", config.dump(2));
        // NOSLEEP: no random 0-15 s wait before each validation; nonces are
        // still refused 5% of the time (Pebble's default), which certtool retries.
        pebble = std::make_unique<Daemon>("pebble", programs().pebble,
                                          std::vector<std::string>{"-config", conf, "-dnsserver", dns_ip + ":" + std::to_string(kDnsPort)},
                                          dir / "pebble.log", std::vector<std::string>{"PEBBLE_VA_NOSLEEP=1"});
        // Pebble makes a new root at every start: fetch it from the management port.
        const bool up = wait_until(
            [&] {
                return run_process(programs().curl, {"-sf", "--max-time", "2", "--cacert", pebble_tls, "-o", root,
                                                     "https://" + ca_ip + ":" + std::to_string(kManagementPort) + "/roots/0"})
                           .exit_code == 0;
            },
            20s);
        INFO(pebble->log());
        REQUIRE(up);
    }
};


// How often Pebble's log says `what`. It logs every request it handles, and
// "Added order" only for an order it created: a POST to /order-plz refused for
// a bad nonce (5% of them) and retried is one order, not two.
inline std::size_t count_in(const std::string& log, const std::string& what) {
    std::size_t n = 0;
    for (auto at = log.find(what); at != std::string::npos; at = log.find(what, at + 1)) ++n;
    return n;
}


}  // namespace certtool::test::acme
