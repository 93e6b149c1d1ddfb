// lib/audit's pool check on observations made by hand: which member is blamed
// when the members of a pool disagree, and what is said when none can be.
#include <catch2/catch.hpp>

#include <sstream>
#include <string>
#include <vector>

#include "audit/audit.hpp"
#include "report/audit_report.hpp"

namespace audit = certtool::audit;
namespace model = certtool::model;

namespace {

// Fingerprints and public-key hashes, as lower-case hex like the real ones.
const std::string kX = "aaaaaaaaaaaaaaaa" + std::string(48, '1');
const std::string kY = "bbbbbbbbbbbbbbbb" + std::string(48, '2');
const std::string kZ = "cccccccccccccccc" + std::string(48, '3');
const std::string kKey1 = std::string(64, 'd');
const std::string kKey2 = std::string(64, 'e');

model::CertificateRequirement edge_external(const std::vector<std::string>& members) {
    model::CertificateRequirement r;
    r.id = "edge-external.lsedge-contoso-net";
    r.role = model::Role::edge_external;
    r.pool = "lsedge.contoso.net";
    r.topology_path = "/sites/0/edge_pools/0";
    r.common_name = "sip.contoso.com";
    r.same_on_all_members = true;
    r.install_on = members;
    return r;
}

audit::Observation seen(const model::CertificateRequirement& r, const std::string& member, const std::string& service,
                        const std::string& fingerprint, const std::string& key = kKey1) {
    audit::Observation o;
    o.certificate_id = r.id;
    o.pool = r.pool;
    o.member = member;
    o.service = service;
    o.source = service == "file" ? "exported/" + member + "/external.pem" : "127.0.0.1:443";
    o.obtained = true;
    o.certificate.emplace();
    o.certificate->sha256_fingerprint = fingerprint;
    o.certificate->public_key_sha256 = key;
    return o;
}

std::vector<std::string> codes(const std::vector<model::Finding>& findings) {
    std::vector<std::string> out;
    for (const auto& f : findings) out.push_back(f.code);
    return out;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

std::string prefix(const std::string& fingerprint) { return fingerprint.substr(0, 16) + "..."; }

const std::vector<std::string> kPool{"edge01.contoso.net", "edge02.contoso.net", "edge03.contoso.net"};

}  // namespace

TEST_CASE("audit pool: with a majority, the members that differ from it are blamed", "[audit][pool]") {
    const auto r = edge_external(kPool);
    audit::Report report;
    for (const auto& m : kPool)
        for (const char* service : {"access-sip", "webconf"})
            report.observations.push_back(seen(r, m, service, m == kPool[2] ? kY : kX, m == kPool[2] ? kKey2 : kKey1));

    audit::check_same_certificate(r, report);

    CHECK(report.findings.empty());
    for (const auto& o : report.observations) {
        INFO(o.member << " " << o.service);
        CHECK(codes(o.findings) == (o.member == kPool[2] ? std::vector<std::string>{"pool.different-certificate"}
                                                         : std::vector<std::string>{}));
    }
    const auto& message = report.observations.back().findings.at(0).message;
    INFO(message);
    CHECK(contains(message, "edge03.contoso.net presents certificate " + prefix(kY)));
    CHECK(contains(message, prefix(kX) + " (edge01.contoso.net, edge02.contoso.net: 2 of 3 members)"));
    CHECK(contains(message, "public key differs too"));
}

TEST_CASE("audit pool: a member that holds the majority's certificate on one service and another on the next is blamed for "
          "that service only",
          "[audit][pool]") {
    const auto r = edge_external(kPool);
    audit::Report report;
    for (const auto& m : kPool) {
        report.observations.push_back(seen(r, m, "access-sip", kX));
        report.observations.push_back(seen(r, m, "webconf", m == kPool[1] ? kY : kX));
    }
    audit::check_same_certificate(r, report);
    CHECK(report.findings.empty());
    for (const auto& o : report.observations) {
        INFO(o.member << " " << o.service);
        CHECK(o.findings.size() == (o.member == kPool[1] && o.service == "webconf" ? 1U : 0U));
    }
    CHECK(contains(report.observations[3].findings.at(0).message, "(the public key is the same)"));
}

TEST_CASE("audit pool: two members, two certificates: no majority, said once for the pool with both groups", "[audit][pool]") {
    const std::vector<std::string> members{"edge01.contoso.net", "edge02.contoso.net"};
    const auto r = edge_external(members);
    audit::Report report;
    for (const auto& m : members)
        for (const char* service : {"access-sip", "webconf"}) report.observations.push_back(seen(r, m, service, m == members[0] ? kX : kY));

    audit::check_same_certificate(r, report);

    for (const auto& o : report.observations) CHECK(o.findings.empty());  // no member is the odd one
    REQUIRE(report.findings.size() == 1);
    const auto& f = report.findings[0];
    CHECK(f.severity == model::Severity::error);
    CHECK(f.code == "pool.different-certificate");
    CHECK(f.certificate == r.id);
    CHECK(f.path == r.topology_path);
    INFO(f.message);
    CHECK(contains(f.message, "no majority"));
    CHECK(contains(f.message, prefix(kX) + " on edge01.contoso.net (access-sip, webconf)"));
    CHECK(contains(f.message, prefix(kY) + " on edge02.contoso.net (access-sip, webconf)"));
    CHECK(contains(f.message, "every member of the pool needs the same certificate (the public key is the same)"));
    CHECK_FALSE(contains(f.message, "most members"));
}

TEST_CASE("audit pool: a 2/2/1 split has no majority either: the three groups, once", "[audit][pool]") {
    const std::vector<std::string> members{"edge01.contoso.net", "edge02.contoso.net", "edge03.contoso.net", "edge04.contoso.net",
                                           "edge05.contoso.net"};
    const auto r = edge_external(members);
    audit::Report report;
    report.observations.push_back(seen(r, members[0], "file", kX));
    report.observations.push_back(seen(r, members[1], "file", kX));
    report.observations.push_back(seen(r, members[2], "file", kY, kKey2));
    report.observations.push_back(seen(r, members[3], "file", kY, kKey2));
    report.observations.push_back(seen(r, members[4], "file", kZ));

    audit::check_same_certificate(r, report);

    for (const auto& o : report.observations) CHECK(o.findings.empty());
    REQUIRE(report.findings.size() == 1);
    const std::string& message = report.findings[0].message;
    INFO(message);
    CHECK(contains(message, "no majority among the 5 members of lsedge.contoso.net"));
    CHECK(contains(message, prefix(kX) + " on edge01.contoso.net (file external.pem), edge02.contoso.net (file external.pem); " +
                                prefix(kY) + " on edge03.contoso.net (file external.pem), edge04.contoso.net (file external.pem); " +
                                prefix(kZ) + " on edge05.contoso.net (file external.pem)"));
    CHECK(contains(message, "and the same private key (the public key differs too)"));
}

TEST_CASE("audit pool: a single server whose services present different certificates is told which services, not about a pool",
          "[audit][pool]") {
    const auto r = edge_external({"lsedge.contoso.net"});
    audit::Report report;
    report.observations.push_back(seen(r, "lsedge.contoso.net", "access-sip", kX));
    report.observations.push_back(seen(r, "lsedge.contoso.net", "access-federation", kX));
    report.observations.push_back(seen(r, "lsedge.contoso.net", "webconf", kY, kKey2));

    audit::check_same_certificate(r, report);

    for (const auto& o : report.observations) CHECK(o.findings.empty());
    REQUIRE(report.findings.size() == 1);
    const auto& f = report.findings[0];
    CHECK(f.code == "pool.different-certificate");
    CHECK(f.certificate == r.id);
    INFO(f.message);
    CHECK(contains(f.message, "lsedge.contoso.net presents 2 different certificates for edge-external.lsedge-contoso-net"));
    CHECK(contains(f.message, prefix(kX) + " on access-sip, access-federation; " + prefix(kY) + " on webconf"));
    CHECK(contains(f.message, "public key differs too"));
    CHECK_FALSE(contains(f.message, "member"));
    CHECK_FALSE(contains(f.message, "pool"));
}

TEST_CASE("audit pool: a per-member certificate is one certificate on all services of its member", "[audit][pool]") {
    model::CertificateRequirement r;
    r.id = "front-end.pool01-contoso-net.fe01-contoso-net";
    r.role = model::Role::front_end;
    r.pool = "pool01.contoso.net";
    r.same_on_all_members = false;
    r.install_on = {"fe01.contoso.net"};
    audit::Report report;
    report.observations.push_back(seen(r, "fe01.contoso.net", "web-internal", kX));
    report.observations.push_back(seen(r, "fe01.contoso.net", "sip", kY));

    audit::check_same_certificate(r, report);

    REQUIRE(report.findings.size() == 1);
    INFO(report.findings[0].message);
    CHECK(contains(report.findings[0].message, "fe01.contoso.net presents 2 different certificates for " + r.id));
    CHECK(contains(report.findings[0].message, prefix(kX) + " on web-internal; " + prefix(kY) + " on sip"));
}

TEST_CASE("audit pool: per-member certificates of different members may differ", "[audit][pool]") {
    model::CertificateRequirement r;
    r.id = "front-end.pool01-contoso-net";
    r.role = model::Role::front_end;
    r.same_on_all_members = false;
    audit::Report report;
    report.observations.push_back(seen(r, "fe01.contoso.net", "sip", kX));
    report.observations.push_back(seen(r, "fe02.contoso.net", "sip", kY));
    audit::check_same_certificate(r, report);
    CHECK(report.findings.empty());
    for (const auto& o : report.observations) CHECK(o.findings.empty());
}

TEST_CASE("audit pool: the table says a pool's finding under its certificate, after the members' rows", "[audit][pool]") {
    const std::vector<std::string> members{"edge01.contoso.net", "edge02.contoso.net"};
    const auto r = edge_external(members);
    model::Plan plan;
    plan.certificates.push_back(r);
    audit::Report report;
    report.topology = "site.json";
    for (const auto& m : members) report.observations.push_back(seen(r, m, "access-sip", m == members[0] ? kX : kY));
    audit::check_same_certificate(r, report);
    report.findings.push_back({model::Severity::warning, "files.unknown-member", "exported/x is not named after a member", "", "", ""});

    std::ostringstream out;
    certtool::report::render_audit_table(report, plan, {}, out);
    const std::string table = out.str();
    INFO(table);
    const auto row2 = table.find("  PASS    edge02.contoso.net");
    const auto pool = table.find("\n  error pool.different-certificate: no majority among the 2 members");
    const auto heading = table.find("\nPlan coverage and files\n");
    const auto unknown = table.find("  warning files.unknown-member: ");
    REQUIRE(row2 != std::string::npos);
    REQUIRE(pool != std::string::npos);
    REQUIRE(heading != std::string::npos);
    REQUIRE(unknown != std::string::npos);
    CHECK(row2 < pool);
    CHECK(pool < heading);
    CHECK(heading < unknown);
    CHECK(table.find("pool.different-certificate", heading) == std::string::npos);  // said once
    CHECK(contains(table, "\n2 observations: 2 passed, 0 failed; 1 error, 1 warning, 0 info\n"));
}
