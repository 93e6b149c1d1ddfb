// audit --live over IPv6: a dual-stack single Edge Server whose Access and Web
// Conferencing services have an IPv4 and an IPv6 address is audited on both,
// against the kit's TLS server listening on 127.0.0.1 and on ::1.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "cert_lab.hpp"
#include "loopback.hpp"
#include "tls_server.hpp"

using namespace certtool::test;
using nlohmann::json;

TEST_CASE("audit live: a dual-stack Edge is audited on its IPv4 and its IPv6 address", "[audit][live][ipv6][e2e]") {
    TempDir tmp("certtool-ipv6");
    json topology = json::parse(read_file(source_path("templates/examples/edge-single-public.json")));
    auto& member = topology["sites"][0]["edge_pools"][0]["members"][0];
    member["external_ips"]["access"] = json::array({"127.0.0.1", "::1"});
    member["external_ips"]["webconf"] = json::array({"127.0.0.1", "::1"});
    const std::string topology_file = tmp.file("topology.json", topology.dump(2));

    // The plan: AAAA beside A, and endpoints on both addresses.
    const auto plan = run_guarded({"plan", topology_file, "--format", "json"});
    REQUIRE(plan.exit_code == 0);
    const json planned = json::parse(plan.out);
    std::set<std::string> records;
    for (const auto& r : planned["dns"])
        records.insert(r["type"].get<std::string>() + " " + r["name"].get<std::string>() + " " + r["target"].get<std::string>());
    CHECK(records.count("A sip.contoso.com 127.0.0.1") == 1);
    CHECK(records.count("AAAA sip.contoso.com ::1") == 1);
    CHECK(records.count("AAAA webcon.contoso.com ::1") == 1);

    CertLab lab("certtool-ipv6-lab", topology_file);
    const std::string cert = lab.issue(CertLab::kExternal, "external.pem");
    const int port = free_port("::1");
    TlsServer server({{"127.0.0.1", port}, {"::1", port}}, {cert, lab.key(CertLab::kExternal), {lab.ca + "/chain.pem"}});

    const std::string mapped = std::to_string(port);
    const std::vector<std::string> args{"audit", topology_file, "--live", "--only", "edge-external", "--trust", lab.root(),
                                        "--map-port", "443:" + mapped, "--map-port", "5061:" + mapped, "--format", "json"};
    const auto r = run_guarded(args);
    INFO(transcript(args, r));
    REQUIRE(r.exit_code == 0);
    const auto report = json::parse(r.out);
    std::set<std::string> seen;
    for (const auto& o : report["observations"]) {
        INFO(o.dump());
        CHECK(o["obtained"] == true);
        CHECK(o["passed"] == true);
        seen.insert(o["service"].get<std::string>() + " " + o["source"].get<std::string>());
    }
    CHECK(seen == std::set<std::string>{"access-sip 127.0.0.1:" + mapped, "access-sip [::1]:" + mapped,
                                        "access-federation 127.0.0.1:" + mapped, "access-federation [::1]:" + mapped,
                                        "webconf 127.0.0.1:" + mapped, "webconf [::1]:" + mapped});
    CHECK(server.accepted() >= 6);
}
