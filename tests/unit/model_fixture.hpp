// Builds topologies for model tests from Microsoft's documented example
// namespace (contoso.com external, contoso.net internal, fabrikam.com second SIP
// domain), then lets a test change what it is about.
#pragma once

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "plan_date.hpp"
#include "model/plan.hpp"
#include "topology/topology.hpp"

namespace certtool::test {

// CS-NAT / DNS-NAT: single consolidated Edge behind NAT.
inline nlohmann::json edge_single_nat() {
    return nlohmann::json::parse(R"({
      "schema": "certtool.topology/v1",
      "organization": {"organization": "Contoso Ltd", "country": "US"},
      "sip_domains": ["contoso.com", "fabrikam.com"],
      "internal_domains": ["contoso.net"],
      "sites": [{"name": "Redmond", "edge_pools": [{
        "fqdn": "lsedge.contoso.net", "load_balancing": "none", "external_addressing": "nat",
        "external": {"access": "sip.contoso.com", "webconf": "webcon.contoso.com", "av": "av.contoso.com"},
        "federation": true,
        "members": [{"fqdn": "lsedge.contoso.net", "internal_ip": "172.25.33.10",
          "external_ips": {"access": "10.45.16.10", "webconf": "10.45.16.20", "av": "10.45.16.30"},
          "public_ips": {"access": "131.107.155.10", "webconf": "131.107.155.20", "av": "131.107.155.30"}}]
      }]}]
    })");
}

inline nlohmann::json edge_member(int n) {
    const std::string i = std::to_string(10 + n);
    return {{"fqdn", "edge0" + std::to_string(n + 1) + ".contoso.net"},
            {"internal_ip", "172.25.33." + i},
            {"external_ips", {{"access", "10.45.16." + i}, {"webconf", "10.45.16.2" + std::to_string(n)},
                              {"av", "10.45.16.3" + std::to_string(n)}}},
            {"public_ips", {{"access", "131.107.155." + i}, {"webconf", "131.107.155.2" + std::to_string(n)},
                            {"av", "131.107.155.3" + std::to_string(n)}}}};
}

// The contract's enterprise shape: Edge pool, Front End pool, Director, reverse proxy (CS-RP names).
inline nlohmann::json enterprise() {
    auto t = edge_single_nat();
    auto& pool = t["sites"][0]["edge_pools"][0];
    pool["load_balancing"] = "dns";
    pool["members"] = {edge_member(0), edge_member(1)};
    t["simple_urls"] = {{"meet", {"meet.contoso.com", "meet.fabrikam.com"}},
                        {"dialin", "dialin.contoso.com"},
                        {"admin", "admin.contoso.com"}};
    t["office_web_apps"] = {{"external", "officewebapps01.contoso.com"}};
    t["sites"][0]["front_end_pools"] = nlohmann::json::parse(R"([{
        "fqdn": "pool01.contoso.net", "edition": "enterprise",
        "members": [{"fqdn": "fe01.contoso.net", "ip": "192.168.21.11"}, {"fqdn": "fe02.contoso.net", "ip": "192.168.21.12"}],
        "web_services": {"internal": "pool01.contoso.net", "external": "webext.contoso.com"}}])");
    t["sites"][0]["directors"] = nlohmann::json::parse(R"([{
        "fqdn": "dirpool01.contoso.net",
        "members": [{"fqdn": "dir01.contoso.net"}, {"fqdn": "dir02.contoso.net"}],
        "web_services": {"internal": "dirpool01.contoso.net", "external": "webdirext.contoso.com"}}])");
    t["sites"][0]["reverse_proxies"] = nlohmann::json::parse(R"([{
        "name": "rp01", "members": [{"fqdn": "rp01.contoso.com", "ip": "131.107.155.40"}],
        "publishes": ["pool01.contoso.net", "dirpool01.contoso.net"]}])");
    return t;
}

inline model::Plan plan_of(const nlohmann::json& topology_json) {
    const auto topology = topology::parse(topology_json.dump(), "test.json");
    return model::build_plan(topology, {"test.json", ""}, certtool::test::plan_date());
}

// A copy, so that `const auto& c = certificate(plan_of(t), id);` is safe.
inline model::CertificateRequirement certificate(const model::Plan& plan, const std::string& id) {
    const auto* c = plan.find(id);
    if (c == nullptr) throw std::runtime_error("no certificate " + id + " in the plan");
    return *c;
}

inline std::vector<std::string> san_names(const model::CertificateRequirement& c) {
    std::vector<std::string> out;
    for (const auto& s : c.sans) out.push_back(s.name);
    return out;
}

inline std::set<std::string> san_set(const model::CertificateRequirement& c) {
    auto names = san_names(c);
    return {names.begin(), names.end()};
}

// Copies, so that a temporary plan can be inspected safely.
inline std::vector<model::Finding> findings(const model::Plan& plan, const std::string& code) {
    std::vector<model::Finding> out;
    for (const auto& f : plan.findings)
        if (f.code == code) out.push_back(f);
    return out;
}

inline std::vector<std::string> targets(const model::Plan& plan, const std::string& type, const std::string& name,
                                        const std::string& zone = "external") {
    std::vector<std::string> out;
    for (const auto& r : plan.dns)
        if (r.type == type && r.name == name && r.zone == zone) out.push_back(r.target);
    return out;
}

inline const model::DnsRecord* srv(const model::Plan& plan, const std::string& name) {
    for (const auto& r : plan.dns)
        if (r.type == "SRV" && r.name == name) return &r;
    return nullptr;
}

inline std::vector<std::string> ids_with_role(const model::Plan& plan, model::Role role) {
    std::vector<std::string> out;
    for (const auto& c : plan.certificates)
        if (c.role == role) out.push_back(c.id);
    return out;
}

}  // namespace certtool::test
