#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/diagnostic.hpp"
#include "topology/topology.hpp"

using namespace certtool;
using namespace certtool::topology;

namespace {

const std::string kFixtures = std::string(CERTTOOL_SOURCE_DIR) + "/tests/topologies/";

std::string fixture(const std::string& relative) { return kFixtures + relative; }

std::string read_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// The diagnostics of a load that must fail.
std::vector<Diagnostic> failures_of_file(const std::string& path) {
    try {
        load_file(path);
    } catch (const InputError& e) {
        return e.diagnostics();
    }
    FAIL("expected an InputError for " << path);
    return {};
}

std::vector<Diagnostic> failures_of_text(const std::string& text, const std::string& name = "inline.json") {
    try {
        parse(text, name);
    } catch (const InputError& e) {
        return e.diagnostics();
    }
    FAIL("expected an InputError for " << text);
    return {};
}

std::string all(const std::vector<Diagnostic>& diagnostics) {
    std::string out;
    for (const auto& d : diagnostics) out += d.to_string() + "\n";
    return out;
}

const char* kMinimal = R"({"schema": "certtool.topology/v1", "sip_domains": ["contoso.com"], "sites": [{"name": "A"}]})";

}  // namespace

TEST_CASE("topology: the contract example loads with every field", "[topology]") {
    const std::string path = fixture("good/contract-example.json");
    Loaded loaded = load_file(path);
    const Topology& t = loaded.topology;

    CHECK(loaded.source.path == path);
    CHECK(loaded.source.sha256.size() == 64);
    CHECK(t.product == model::Product::lync2013);
    CHECK(t.organization.organization == "Contoso Ltd");
    CHECK(t.organization.organizational_unit == "IT");
    CHECK(t.organization.locality == "Redmond");
    CHECK(t.organization.state == "Washington");
    CHECK(t.organization.country == "US");
    CHECK(t.sip_domains == std::vector<std::string>{"contoso.com", "fabrikam.com"});
    CHECK(t.internal_domains == std::vector<std::string>{"contoso.net"});
    CHECK(t.simple_urls.meet == std::vector<std::string>{"meet.contoso.com", "meet.fabrikam.com"});
    CHECK(t.simple_urls.dialin == "dialin.contoso.com");
    CHECK(t.simple_urls.admin == "admin.contoso.com");
    CHECK(t.office_web_apps.external == "officewebapps01.contoso.com");
    CHECK_FALSE(t.office_web_apps.internal.has_value());
    CHECK(t.autodiscover == Autodiscover::https);
    CHECK(t.xmpp.domains == std::vector<std::string>{"contoso.com"});
    CHECK(t.xmpp.srv_target == "xmpp.contoso.com");
    CHECK_FALSE(t.aol);
    CHECK(t.oauth_subject == "contoso.com");
    CHECK(t.policy.key_algorithm == KeyAlgorithm::rsa);
    CHECK(t.policy.key_bits == 2048);
    CHECK(t.policy.signature_hash == "sha256");
    CHECK(t.policy.validity_days == 365);
    CHECK(t.policy.public_ca_max_sans == 100);

    REQUIRE(t.sites.size() == 1);
    const Site& site = t.sites[0];
    CHECK(site.path == "/sites/0");
    CHECK(site.name == "Redmond");

    REQUIRE(site.edge_pools.size() == 1);
    const EdgePool& edge = site.edge_pools[0];
    CHECK(edge.path == "/sites/0/edge_pools/0");
    CHECK(edge.fqdn == "lsedge.contoso.net");
    CHECK(edge.load_balancing == LoadBalancing::dns);
    CHECK(edge.external_addressing == Addressing::nat);
    CHECK(edge.external.access == "sip.contoso.com");
    CHECK(edge.external.webconf == "webcon.contoso.com");
    CHECK(edge.external.av == "av.contoso.com");
    CHECK(edge.av_certificate == AvCertificate::combined);
    CHECK(edge.federation);
    CHECK_FALSE(edge.xmpp_proxy);
    CHECK(edge.next_hop == "pool01.contoso.net");
    REQUIRE(edge.members.size() == 2);
    CHECK(edge.members[1].path == "/sites/0/edge_pools/0/members/1");
    CHECK(edge.members[1].fqdn == "edge02.contoso.net");
    CHECK(edge.members[1].internal_ips == std::vector<std::string>{"172.25.33.11"});
    CHECK(edge.members[1].external_ips.webconf == std::vector<std::string>{"10.45.16.21"});
    CHECK(edge.members[1].public_ips.av == std::vector<std::string>{"131.107.155.31"});

    REQUIRE(site.front_end_pools.size() == 1);
    const FrontEndPool& fe = site.front_end_pools[0];
    CHECK(fe.path == "/sites/0/front_end_pools/0");
    CHECK(fe.edition == Edition::enterprise);
    REQUIRE(fe.members.size() == 2);
    CHECK(fe.members[0].path == "/sites/0/front_end_pools/0/members/0");
    CHECK(fe.members[0].fqdn == "fe01.contoso.net");
    CHECK(fe.web_services.internal == "pool01.contoso.net");
    CHECK(fe.web_services.external == "webext.contoso.com");
    CHECK(fe.certificate_layout == CertificateLayout::combined);
    CHECK_FALSE(fe.auto_logon);

    REQUIRE(site.directors.size() == 1);
    CHECK(site.directors[0].path == "/sites/0/directors/0");
    CHECK(site.directors[0].fqdn == "dirpool01.contoso.net");
    CHECK(site.directors[0].members.at(0).fqdn == "dir01.contoso.net");
    CHECK(site.directors[0].web_services.external == "webdirext.contoso.com");
    CHECK_FALSE(site.directors[0].sip_target);

    REQUIRE(site.reverse_proxies.size() == 1);
    const ReverseProxy& rp = site.reverse_proxies[0];
    CHECK(rp.path == "/sites/0/reverse_proxies/0");
    CHECK(rp.name == "rp01");
    CHECK(rp.members.at(0).ips == std::vector<std::string>{"131.107.155.40"});
    CHECK(rp.members.at(0).path == "/sites/0/reverse_proxies/0/members/0");
    CHECK(rp.publishes == std::vector<std::string>{"pool01.contoso.net", "dirpool01.contoso.net"});
}

TEST_CASE("topology: the SHA-256 is of the exact bytes read", "[topology]") {
    const std::string path = (std::filesystem::temp_directory_path() / "certtool-topology-sha.json").string();
    {
        std::ofstream out(path, std::ios::binary);
        out << kMinimal;
    }
    Loaded loaded = load_file(path);
    std::remove(path.c_str());
    // printf '%s' "$kMinimal" | sha256sum
    CHECK(loaded.source.sha256 == "985afbace84dc6c3f69ef83e4590f43906fae9aa2f4dc345a75fb813948b7b06");
}

TEST_CASE("topology: standard edition, x- fields, trailing dots, upper case and URLs are normalised", "[topology]") {
    Loaded loaded = load_file(fixture("good/standard-edition-minimal.json"));
    const Topology& t = loaded.topology;
    CHECK(t.sip_domains == std::vector<std::string>{"contoso.com"});
    CHECK(t.simple_urls.meet == std::vector<std::string>{"meet.contoso.com"});
    CHECK(t.simple_urls.dialin == "dialin.contoso.com");
    CHECK(t.simple_urls.admin == "admin.contoso.com");
    CHECK(t.office_web_apps.internal == "owa.contoso.net");
    CHECK(t.policy.key_algorithm == KeyAlgorithm::ecdsa);
    CHECK(t.policy.key_bits == 256);  // ECDSA default is P-256
    REQUIRE(t.sites.size() == 1);
    REQUIRE(t.sites[0].front_end_pools.size() == 1);
    const FrontEndPool& se = t.sites[0].front_end_pools[0];
    CHECK(se.edition == Edition::standard);
    CHECK(se.fqdn == "se01.contoso.net");
    REQUIRE(se.members.size() == 1);  // the server itself is added as the member
    CHECK(se.members[0].fqdn == "se01.contoso.net");
    CHECK(se.web_services.internal == "se01.contoso.net");  // defaults to the pool FQDN
    CHECK_FALSE(se.web_services.external.has_value());
}

TEST_CASE("topology: HLB Edge with VIPs, IPv6 and every policy addition", "[topology]") {
    Loaded loaded = load_file(fixture("good/edge-hlb-ipv6.json"));
    const Topology& t = loaded.topology;
    CHECK(t.product == model::Product::skype2015);
    CHECK(t.organization.country == "DE");
    CHECK(t.policy.key_bits == 4096);
    CHECK(t.policy.signature_hash == "sha384");
    CHECK(t.policy.validity_days == 730);
    CHECK(t.policy.public_ca_max_sans == 50);
    CHECK(t.policy.allow_weak_keys);
    CHECK(t.policy.reverse_proxy_client_auth);
    CHECK(t.policy.autodiscover_on_default);
    CHECK(t.policy.edge_internal_member_sans);
    REQUIRE(t.sites.size() == 3);
    const EdgePool& edge = t.sites[0].edge_pools.at(0);
    CHECK(edge.load_balancing == LoadBalancing::hlb);
    CHECK(edge.vips.internal == std::vector<std::string>{"10.1.0.10"});
    CHECK(edge.vips.external.access == std::vector<std::string>{"2001:db8::10"});
    CHECK(edge.vips.external.av == std::vector<std::string>{"2001:db8::12"});
    CHECK(edge.av_certificate == AvCertificate::separate);
    CHECK(edge.internal_extra_sans == std::vector<std::string>{"*.edge.fabrikam.net", "edgepool-old.fabrikam.net"});
    CHECK(edge.members.at(0).internal_ips == std::vector<std::string>{"fd00::1"});
    const Director& director = t.sites[1].directors.at(0);
    CHECK(director.certificate_layout == CertificateLayout::split);
    CHECK(director.sip_target);
    CHECK(director.members.at(0).ips == std::vector<std::string>{"10.2.0.5"});
    // A reverse proxy in one site may publish a Director of another; names are normalised.
    CHECK(t.sites[1].reverse_proxies.at(0).publishes == std::vector<std::string>{"dir.fabrikam.net"});
    CHECK(t.sites[2].name == "Empty site");  // a site with no pools is allowed
    CHECK(t.sites[2].edge_pools.empty());
}

namespace {

struct BadCase {
    const char* file;
    const char* code;
    const char* path;
    const char* message_part;  // a piece the message must contain
};

}  // namespace

TEST_CASE("topology: each malformed fixture yields exactly its diagnostic at its JSON path", "[topology]") {
    const std::vector<BadCase> cases = {
        {"unknown-field-suggestion", "topology.unknown-field", "/sites/0/edge_pools/0/federaton", "did you mean 'federation'?"},
        {"unknown-field-no-suggestion", "topology.unknown-field", "/colour", "expected one of: schema, product"},
        {"unknown-field-escaped-key", "topology.unknown-field", "/organization/a~1b~0c", "unknown field 'a/b~c'"},
        {"type-number-for-string", "topology.type", "/sites/0/edge_pools/0/fqdn", "found a number"},
        {"type-string-for-bool", "topology.type", "/sites/0/edge_pools/0/federation", "expected a boolean"},
        {"type-string-for-array", "topology.type", "/sip_domains", "expected an array of DNS names, found a string"},
        {"fqdn-label-too-long", "topology.invalid-fqdn", "/sites/0/edge_pools/0/members/0/fqdn", "is 64 characters long (at most 63)"},
        {"fqdn-name-too-long", "topology.invalid-fqdn", "/sites/0/front_end_pools/0/fqdn", "name is 255 characters long (at most 253)"},
        {"fqdn-underscore", "topology.invalid-fqdn", "/sip_domains/1", "label 'sip_01' contains '_'"},
        {"fqdn-non-ascii", "topology.invalid-fqdn", "/sites/0/edge_pools/0/external/access", "A-labels (xn--...)"},
        {"fqdn-empty-label", "topology.invalid-fqdn", "/sites/0/directors/0/fqdn", "empty label"},
        {"fqdn-leading-hyphen", "topology.invalid-fqdn", "/internal_domains/0", "starts with a hyphen"},
        {"fqdn-single-label", "topology.invalid-fqdn", "/sites/0/edge_pools/0/next_hop", "is a single label"},
        {"fqdn-two-trailing-dots", "topology.invalid-fqdn", "/sites/0/front_end_pools/0/web_services/external", "empty label"},
        {"fqdn-ip-address", "topology.invalid-fqdn", "/sites/0/edge_pools/0/next_hop", "not a DNS name"},
        {"wildcard-member-fqdn", "topology.wildcard-not-allowed", "/sites/0/front_end_pools/0/members/1/fqdn", "'*.contoso.net' is a wildcard"},
        {"wildcard-sip-domain", "topology.wildcard-not-allowed", "/sip_domains/0", "is a wildcard"},
        {"publishes-unknown-pool", "topology.unknown-pool", "/sites/0/reverse_proxies/0/publishes/1", "'dirpool02.contoso.net' is not the FQDN of any"},
        {"duplicate-member-across-pools", "topology.duplicate-member", "/sites/0/directors/0/members/0/fqdn", "already used at /sites/0/front_end_pools/0/members/0/fqdn"},
        {"duplicate-pool-fqdn", "topology.duplicate-pool", "/sites/0/directors/0/fqdn", "already used at /sites/0/front_end_pools/0/fqdn"},
        {"hlb-with-nat", "topology.hlb-nat", "/sites/0/edge_pools/0/external_addressing", "NAT"},
        {"empty-sip-domains", "topology.empty-sip-domains", "/sip_domains", "at least one SIP domain"},
        {"duplicate-sip-domain", "topology.duplicate-sip-domain", "/sip_domains/2", "first at /sip_domains/0"},
        {"duplicate-key", "topology.duplicate-key", "/sites/0/name", "key 'name' appears more than once"},
        {"bad-schema", "topology.schema", "/schema", "'certtool.topology/v2'"},
        {"missing-schema", "topology.missing-field", "/schema", "required field 'schema' is missing"},
        {"missing-sites", "topology.missing-field", "/sites", "required field 'sites' is missing"},
        {"empty-sites", "topology.no-sites", "/sites", "at least one site"},
        {"missing-external-av", "topology.missing-field", "/sites/0/edge_pools/0/external/av", "'av'"},
        {"director-missing-web-services", "topology.missing-field", "/sites/0/directors/0/web_services", "'web_services'"},
        {"bad-enum-load-balancing", "topology.invalid-value", "/sites/0/edge_pools/0/load_balancing", "(allowed: 'none', 'dns', 'hlb')"},
        {"bad-enum-autodiscover", "topology.invalid-value", "/mobility/autodiscover", "(allowed: 'https', 'http', 'off')"},
        {"bad-key-bits-rsa", "topology.invalid-value", "/policy/key_bits", "key_bits 2000 is not valid for RSA (allowed: 1024, 2048, 3072, 4096)"},
        {"bad-key-bits-ecdsa", "topology.invalid-value", "/policy/key_bits", "(allowed: 256, 384, 521)"},
        {"bad-validity-days", "topology.out-of-range", "/policy/validity_days", "expected 1 to 3650"},
        {"bad-country", "topology.invalid-value", "/organization/country", "'USA'"},
        {"bad-ipv4", "topology.invalid-ip", "/sites/0/edge_pools/0/members/1/external_ips/av", "'10.45.16.311' is not an IPv4 or IPv6 address"},
        {"bad-ipv6", "topology.invalid-ip", "/sites/0/reverse_proxies/0/members/0/ip", "'2001:db8::g1'"},
        {"edge-no-members", "topology.no-members", "/sites/0/edge_pools/0/members", "at least one member"},
        {"edge-single-with-two-members", "topology.too-many-members", "/sites/0/edge_pools/0/members", "2 members"},
        {"vips-without-hlb", "topology.vips-without-hlb", "/sites/0/edge_pools/0/vips", "'hlb'"},
        {"standard-edition-two-members", "topology.standard-edition", "/sites/0/front_end_pools/0/members", "pool of one"},
        {"standard-edition-member-mismatch", "topology.standard-edition", "/sites/0/front_end_pools/0/members/0/fqdn", "'se01.contoso.net'"},
        {"simple-url-bad-scheme", "topology.invalid-url", "/simple_urls/meet/0", "scheme 'ftp'"},
        {"top-level-array", "topology.type", "", "expected an object, found an array"},
    };
    REQUIRE(cases.size() >= 30);
    for (const BadCase& c : cases) {
        const std::string path = fixture(std::string("bad/") + c.file + ".json");
        SECTION(c.file) {
            std::vector<Diagnostic> diagnostics = failures_of_file(path);
            INFO(all(diagnostics));
            REQUIRE(diagnostics.size() == 1);
            const Diagnostic& d = diagnostics[0];
            CHECK(d.code == c.code);
            CHECK(d.path == c.path);
            CHECK(d.file == path);
            CHECK(d.line == 0);
            CHECK(d.message.find(c.message_part) != std::string::npos);
        }
    }
}

TEST_CASE("topology: another certtool document is one error saying what it is and what to give", "[topology]") {
    SECTION("a plan (certtool plan --format json)") {
        const auto diagnostics = failures_of_file(std::string(CERTTOOL_SOURCE_DIR) + "/tests/golden/edge-single-nat.json");
        INFO(all(diagnostics));
        REQUIRE(diagnostics.size() == 1);
        const Diagnostic& d = diagnostics[0];
        CHECK(d.code == "topology.not-a-topology");
        CHECK(d.path == "/schema");
        CHECK(d.message.find("certtool.plan/v1 document (a plan)") != std::string::npos);
        CHECK(d.message.find("give the topology (certtool.topology/v1)") != std::string::npos);
    }
    struct Other {
        const char* schema;
        const char* what;
    };
    for (const Other& other : {Other{"certtool.audit/v1", "(an audit report)"}, Other{"certtool.csr-manifest/v1", "(a CSR manifest)"},
                               Other{"certtool.renew/v1", "(a renewal report)"}, Other{"certtool.verify/v1", "(a verify report)"}}) {
        SECTION(other.schema) {
            const std::string text = std::string(R"({"schema": ")") + other.schema +
                                     R"(", "topology": "site.json", "certificates": [], "findings": [], "summary": {}})";
            const auto diagnostics = failures_of_text(text);
            INFO(all(diagnostics));
            REQUIRE(diagnostics.size() == 1);
            CHECK(diagnostics[0].code == "topology.not-a-topology");
            CHECK(diagnostics[0].message.find(std::string(other.schema) + " document " + other.what) != std::string::npos);
        }
    }
    SECTION("an unknown schema is still the schema error, with the rest of the document checked") {
        const auto diagnostics = failures_of_text(R"({"schema": "certtool.topology/v2", "sip_domains": ["contoso.com"], "sites": [{"name": "A"}], "extra": 1})");
        INFO(all(diagnostics));
        REQUIRE(diagnostics.size() == 2);
    }
}

TEST_CASE("topology: syntax errors carry line and column", "[topology]") {
    struct SyntaxCase {
        const char* file;
        int line;
        int column;
    };
    const std::vector<SyntaxCase> cases = {
        {"syntax-missing-comma", 3, 15},   // the last byte of the unexpected token "sip_domains"
        {"syntax-trailing-comma", 3, 33},  // the ']' after the trailing comma
    };
    for (const SyntaxCase& c : cases) {
        SECTION(c.file) {
            const std::string path = fixture(std::string("bad/") + c.file + ".json");
            std::vector<Diagnostic> diagnostics = failures_of_file(path);
            INFO(all(diagnostics));
            REQUIRE(diagnostics.size() == 1);
            CHECK(diagnostics[0].code == "topology.syntax");
            CHECK(diagnostics[0].path.empty());
            CHECK(diagnostics[0].line == c.line);
            CHECK(diagnostics[0].column == c.column);
            CHECK(diagnostics[0].message.rfind("invalid JSON: ", 0) == 0);
            CHECK(diagnostics[0].message.find("json.exception") == std::string::npos);
        }
    }
    SECTION("truncated document: the error is at the end") {
        const std::string path = fixture("bad/syntax-truncated.json");
        const std::string text = read_text(path);
        std::vector<Diagnostic> diagnostics = failures_of_file(path);
        REQUIRE(diagnostics.size() == 1);
        CHECK(diagnostics[0].code == "topology.syntax");
        const int lines = static_cast<int>(std::count(text.begin(), text.end(), '\n')) + 1;
        CHECK(diagnostics[0].line == lines);
    }
    SECTION("empty input is at 1:1") {
        auto diagnostics = failures_of_text("");
        REQUIRE(diagnostics.size() == 1);
        CHECK(diagnostics[0].code == "topology.syntax");
        CHECK(diagnostics[0].line == 1);
        CHECK(diagnostics[0].column == 1);
    }
    SECTION("a number too large for a double is a syntax error, not an escaping exception (fuzz_topology)") {
        auto diagnostics = failures_of_text("{\"policy\": {\"key_bits\": 3E322}}");
        REQUIRE(diagnostics.size() == 1);
        CHECK(diagnostics[0].code == "topology.syntax");
        CHECK(diagnostics[0].message == "invalid JSON: number overflow parsing '3E322'");
    }
    SECTION("to_string shows file:line:column") {
        auto diagnostics = failures_of_text("{\n  \"a\": tru\n}", "site.json");
        REQUIRE(diagnostics.size() == 1);
        CHECK(diagnostics[0].line == 2);
        CHECK(diagnostics[0].to_string().rfind("site.json:2:", 0) == 0);
    }
}

TEST_CASE("topology: nesting deeper than 64 levels is rejected while parsing", "[topology]") {
    auto diagnostics = failures_of_file(fixture("bad/nesting-too-deep.json"));
    INFO(all(diagnostics));
    REQUIRE(diagnostics.size() == 1);
    CHECK(diagnostics[0].code == "topology.too-deep");
    CHECK(diagnostics[0].path.rfind("/x-deep/0/0/0", 0) == 0);
    CHECK(diagnostics[0].message.find("64") != std::string::npos);

    // A million levels must not crash either.
    const std::string huge = std::string(1000000, '[') + std::string(1000000, ']');
    auto deep = failures_of_text(huge);
    REQUIRE(deep.size() == 1);
    CHECK(deep[0].code == "topology.too-deep");

    // 64 levels are fine (here inside an ignored x- field).
    const std::string ok = std::string(R"({"schema": "certtool.topology/v1", "sip_domains": ["contoso.com"], "sites": [{"name": "A"}], "x-deep": )") +
                           std::string(63, '[') + std::string(63, ']') + "}";
    CHECK_NOTHROW(parse(ok, "ok.json"));
}

TEST_CASE("topology: all problems are collected in one throw", "[topology]") {
    auto diagnostics = failures_of_file(fixture("bad/multiple-errors.json"));
    INFO(all(diagnostics));
    std::vector<std::pair<std::string, std::string>> found;
    for (const auto& d : diagnostics) found.emplace_back(d.code, d.path);
    std::sort(found.begin(), found.end());
    std::vector<std::pair<std::string, std::string>> expected = {
        {"topology.invalid-fqdn", "/sites/0/edge_pools/0/fqdn"},
        {"topology.invalid-value", "/policy/key_bits"},
        {"topology.missing-field", "/schema"},
        {"topology.type", "/sites/0/front_end_pools/0/members/0/fqdn"},
        {"topology.unknown-field", "/sites/0/nmae"},
        {"topology.unknown-pool", "/sites/0/reverse_proxies/0/publishes/2"},
    };
    CHECK(found == expected);

    try {
        load_file(fixture("bad/multiple-errors.json"));
        FAIL("expected an InputError");
    } catch (const InputError& e) {
        CHECK(std::string(e.what()).find("(and 5 more)") != std::string::npos);
    }
}

TEST_CASE("topology: duplicate keys are found at any depth, alongside other errors", "[topology]") {
    auto diagnostics = failures_of_text(
        R"({"schema": "certtool.topology/v1", "sip_domains": ["contoso.com"],
            "sites": [{"name": "A"}, {"name": "B", "edge_pools": [{"fqdn": "a.contoso.net", "fqdn": "b.contoso.net"}]}],
            "policy": {"strict_dns": true, "strict_dns": false}})");
    INFO(all(diagnostics));
    auto has = [&](const std::string& code, const std::string& path) {
        return std::any_of(diagnostics.begin(), diagnostics.end(),
                           [&](const Diagnostic& d) { return d.code == code && d.path == path; });
    };
    CHECK(has("topology.duplicate-key", "/sites/1/edge_pools/0/fqdn"));
    CHECK(has("topology.duplicate-key", "/policy/strict_dns"));
    // The Edge pool is also missing its required fields.
    CHECK(has("topology.missing-field", "/sites/1/edge_pools/0/load_balancing"));
    CHECK(has("topology.missing-field", "/sites/1/edge_pools/0/members"));
}

TEST_CASE("topology: x- fields are ignored anywhere", "[topology]") {
    Topology t = parse(R"({"schema": "certtool.topology/v1", "x-a": 1, "sip_domains": ["contoso.com"],
        "policy": {"x-why": "because"}, "sites": [{"name": "A", "x-b": [true],
        "front_end_pools": [{"fqdn": "pool.contoso.net", "x-c": null, "web_services": {"internal": "pool.contoso.net", "x-d": {}},
                             "members": [{"fqdn": "fe1.contoso.net", "x-e": "f"}]}]}]})",
                       "x.json");
    CHECK(t.sites.at(0).front_end_pools.at(0).members.at(0).fqdn == "fe1.contoso.net");
    // "X-" (upper case) is not the x- prefix.
    auto diagnostics = failures_of_text(R"({"schema": "certtool.topology/v1", "X-a": 1, "sip_domains": ["contoso.com"], "sites": [{}]})");
    REQUIRE(diagnostics.size() == 1);
    CHECK(diagnostics[0].code == "topology.unknown-field");
    CHECK(diagnostics[0].path == "/X-a");
}

TEST_CASE("topology: wildcards are accepted syntactically where the model judges them", "[topology]") {
    Topology t = parse(R"({"schema": "certtool.topology/v1", "sip_domains": ["contoso.com"],
        "simple_urls": {"meet": ["https://*.contoso.com/meet"]}, "oauth": {"subject": "*.contoso.com"},
        "xmpp": {"srv_target": "*.contoso.com"},
        "sites": [{"edge_pools": [{"fqdn": "edge.contoso.net", "load_balancing": "none", "external_addressing": "public",
           "external": {"access": "*.contoso.com", "webconf": "webconf.contoso.com", "av": "av.contoso.com"},
           "members": [{"fqdn": "edge.contoso.net"}]}]}]})",
                       "w.json");
    CHECK(t.simple_urls.meet == std::vector<std::string>{"*.contoso.com"});
    CHECK(t.oauth_subject == "*.contoso.com");
    CHECK(t.sites.at(0).edge_pools.at(0).external.access == "*.contoso.com");

    auto diagnostics = failures_of_text(R"({"schema": "certtool.topology/v1", "sip_domains": ["contoso.com"],
        "sites": [{"edge_pools": [{"fqdn": "edge.contoso.net", "load_balancing": "none", "external_addressing": "public",
           "external": {"access": "sip.contoso.com", "webconf": "webconf.contoso.com", "av": "av.contoso.com"},
           "next_hop": "*.contoso.net", "members": [{"fqdn": "edge.contoso.net"}]}]}]})");
    REQUIRE(diagnostics.size() == 1);
    CHECK(diagnostics[0].code == "topology.wildcard-not-allowed");
    CHECK(diagnostics[0].path == "/sites/0/edge_pools/0/next_hop");
}

TEST_CASE("topology: standard edition member rules", "[topology]") {
    const std::string head = R"({"schema": "certtool.topology/v1", "sip_domains": ["contoso.com"], "sites": [{"front_end_pools": [)";
    SECTION("one member equal to the pool FQDN is kept") {
        Topology t = parse(head + R"({"fqdn": "se.contoso.net", "edition": "standard", "members": [{"fqdn": "SE.contoso.net", "ip": "10.0.0.5"}]}]}]})", "s.json");
        const FrontEndPool& pool = t.sites.at(0).front_end_pools.at(0);
        REQUIRE(pool.members.size() == 1);
        CHECK(pool.members[0].ips == std::vector<std::string>{"10.0.0.5"});
        CHECK(pool.members[0].path == "/sites/0/front_end_pools/0/members/0");
    }
    SECTION("an empty member list gets the server itself") {
        Topology t = parse(head + R"({"fqdn": "se.contoso.net", "edition": "standard", "members": []}]}]})", "s.json");
        const FrontEndPool& pool = t.sites.at(0).front_end_pools.at(0);
        REQUIRE(pool.members.size() == 1);
        CHECK(pool.members[0].fqdn == "se.contoso.net");
    }
    SECTION("an enterprise pool needs web_services") {
        auto diagnostics = failures_of_text(head + R"({"fqdn": "pool.contoso.net", "members": [{"fqdn": "fe.contoso.net"}]}]}]})");
        REQUIRE(diagnostics.size() == 1);
        CHECK(diagnostics[0].code == "topology.missing-field");
        CHECK(diagnostics[0].path == "/sites/0/front_end_pools/0/web_services");
    }
    SECTION("a standard server's FQDN cannot also be another pool's member") {
        auto diagnostics = failures_of_text(head + R"({"fqdn": "se.contoso.net", "edition": "standard"},
            {"fqdn": "pool.contoso.net", "members": [{"fqdn": "se.contoso.net"}], "web_services": {"internal": "pool.contoso.net"}}]}]})");
        REQUIRE(diagnostics.size() == 1);
        CHECK(diagnostics[0].code == "topology.duplicate-member");
        CHECK(diagnostics[0].path == "/sites/0/front_end_pools/1/members/0/fqdn");
    }
}

TEST_CASE("topology: wrong types and ranges name the expected kind", "[topology]") {
    auto diagnostics = failures_of_text(R"({"schema": 1, "sip_domains": [7], "policy": {"validity_days": 36.5, "key_bits": "2048",
        "public_ca_max_sans": 0}, "public_im": {"aol": 1}, "sites": {}})");
    INFO(all(diagnostics));
    REQUIRE(diagnostics.size() == 7);
    CHECK(diagnostics[0].code == "topology.type");
    CHECK(diagnostics[0].path == "/schema");
    CHECK(diagnostics[0].message == "expected a string, found a number");
    CHECK(diagnostics[1].path == "/sip_domains/0");
    CHECK(diagnostics[2].path == "/public_im/aol");
    CHECK(diagnostics[3].path == "/policy/key_bits");
    CHECK(diagnostics[4].path == "/policy/validity_days");
    CHECK(diagnostics[4].message == "expected an integer, found a fractional number");
    CHECK(diagnostics[5].code == "topology.out-of-range");
    CHECK(diagnostics[5].path == "/policy/public_ca_max_sans");
    CHECK(diagnostics[6].path == "/sites");
    CHECK(diagnostics[6].message == "expected an array, found an object");
}

TEST_CASE("topology: load_file reports I/O problems and size limits", "[topology]") {
    SECTION("missing file") {
        const std::string path = kFixtures + "does-not-exist.json";
        auto diagnostics = failures_of_file(path);
        REQUIRE(diagnostics.size() == 1);
        CHECK(diagnostics[0].code == "topology.io");
        CHECK(diagnostics[0].file == path);
        CHECK(diagnostics[0].message.find("No such file or directory") != std::string::npos);
    }
    SECTION("a directory") {
        auto diagnostics = failures_of_file(kFixtures + "good");
        REQUIRE(diagnostics.size() == 1);
        CHECK(diagnostics[0].code == "topology.io");
        CHECK(diagnostics[0].message.find("directory") != std::string::npos);
    }
    SECTION("larger than the limit") {
        try {
            load_file(fixture("good/contract-example.json"), 100);
            FAIL("expected an InputError");
        } catch (const InputError& e) {
            REQUIRE(e.diagnostics().size() == 1);
            CHECK(e.diagnostics()[0].code == "topology.too-large");
            CHECK(e.diagnostics()[0].message.find("100 bytes") != std::string::npos);
        }
    }
    SECTION("a stream larger than the limit is not read to the end") {
        try {
            load_file("/dev/zero", 1000);
            FAIL("expected an InputError");
        } catch (const InputError& e) {
            REQUIRE(e.diagnostics().size() == 1);
            CHECK(e.diagnostics()[0].code == "topology.too-large");
        }
    }
}

TEST_CASE("topology: a flood of problems is capped with one final note", "[topology]") {
    std::string text = R"({"schema": "certtool.topology/v1", "sip_domains": ["contoso.com"], "sites": [{"name": "A"}])";
    for (int i = 0; i < 500; ++i) text += ", \"unknown" + std::to_string(i) + "\": 0";
    text += "}";
    auto diagnostics = failures_of_text(text);
    REQUIRE(diagnostics.size() == 201);
    CHECK(diagnostics[0].code == "topology.unknown-field");
    CHECK(diagnostics[0].path == "/unknown0");
    CHECK(diagnostics.back().code == "topology.too-many-errors");
}

TEST_CASE("topology: a reverse proxy cannot publish an Edge pool", "[topology]") {
    std::string text = read_text(fixture("good/contract-example.json"));
    const std::string from = R"("publishes": ["pool01.contoso.net", "dirpool01.contoso.net"])";
    const std::size_t at = text.find(from);
    REQUIRE(at != std::string::npos);
    text.replace(at, from.size(), R"("publishes": ["pool01.contoso.net", "LSEDGE.contoso.net."])");
    auto diagnostics = failures_of_text(text);
    REQUIRE(diagnostics.size() == 1);
    CHECK(diagnostics[0].code == "topology.unknown-pool");
    CHECK(diagnostics[0].path == "/sites/0/reverse_proxies/0/publishes/1");
    CHECK(diagnostics[0].message.find("Edge pool") != std::string::npos);
}

TEST_CASE("topology: product takes lync2013, skype2015, skype2019 and skypese, anything else is refused at /product",
          "[topology][product]") {
    const auto with = [](const std::string& fields) {
        return R"({"schema": "certtool.topology/v1", "sip_domains": ["contoso.com"], "sites": [{"name": "A"}])" + fields +
               "}";
    };
    CHECK(parse(with(""), "t.json").product == model::Product::lync2013);  // the default (contract section 1)
    const std::vector<std::pair<std::string, model::Product>> accepted{{"lync2013", model::Product::lync2013},
                                                                       {"skype2015", model::Product::skype2015},
                                                                       {"skype2019", model::Product::skype2019},
                                                                       {"skypese", model::Product::skypese}};
    for (const auto& [token, product] : accepted) {
        INFO(token);
        CHECK(parse(with(R"(, "product": ")" + token + "\""), "t.json").product == product);
    }
    for (const std::string bad : {"skype2016", "Skype2015", "lync2010", ""}) {
        INFO(bad);
        const auto diagnostics = failures_of_text(with(R"(, "product": ")" + bad + "\""));
        REQUIRE(diagnostics.size() == 1);
        CHECK(diagnostics[0].code == "topology.invalid-value");
        CHECK(diagnostics[0].path == "/product");
        CHECK(diagnostics[0].message.find("(allowed: 'lync2013', 'skype2015', 'skype2019', 'skypese')") != std::string::npos);
    }
    const auto typed = failures_of_text(with(R"(, "product": 2015)"));
    REQUIRE(typed.size() == 1);
    CHECK(typed[0].code == "topology.type");
    CHECK(typed[0].path == "/product");
}

TEST_CASE("topology: windows_server takes a Windows Server release for any product, anything else is refused",
          "[topology][product]") {
    const auto with = [](const std::string& fields) {
        return R"({"schema": "certtool.topology/v1", "sip_domains": ["contoso.com"], "sites": [{"name": "A"}])" + fields +
               "}";
    };
    CHECK_FALSE(parse(with(""), "t.json").windows_server.has_value());  // the plan takes the product's oldest
    const std::vector<std::pair<std::string, model::WindowsServer>> accepted{
        {"2008r2", model::WindowsServer::v2008r2}, {"2012", model::WindowsServer::v2012}, {"2012r2", model::WindowsServer::v2012r2},
        {"2016", model::WindowsServer::v2016},     {"2019", model::WindowsServer::v2019}, {"2022", model::WindowsServer::v2022},
        {"2025", model::WindowsServer::v2025}};
    for (const auto& [token, version] : accepted) {
        INFO(token);
        // Also where the product is not documented on it: that is a plan warning, not a load error.
        const auto t = parse(with(R"(, "product": "lync2013", "windows_server": ")" + token + "\""), "t.json");
        REQUIRE(t.windows_server.has_value());
        CHECK(*t.windows_server == version);
    }
    for (const std::string bad : {"2008", "2012R2", "2012 R2", "Windows Server 2019", "2003"}) {
        INFO(bad);
        const auto diagnostics = failures_of_text(with(R"(, "windows_server": ")" + bad + "\""));
        REQUIRE(diagnostics.size() == 1);
        CHECK(diagnostics[0].code == "topology.invalid-value");
        CHECK(diagnostics[0].path == "/windows_server");
        CHECK(diagnostics[0].message.find("(allowed: '2008r2', '2012', '2012r2', '2016', '2019', '2022', '2025')") !=
              std::string::npos);
    }
    const auto typed = failures_of_text(with(R"(, "windows_server": 2019)"));
    REQUIRE(typed.size() == 1);
    CHECK(typed[0].code == "topology.type");
    CHECK(typed[0].path == "/windows_server");
}
