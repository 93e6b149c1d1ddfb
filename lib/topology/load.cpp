// Loading and validating a certtool.topology/v1 document
// (../shared/spec/topology-and-plan-v1.md, section 1).
#include "core/diagnostic.hpp"
#include "core/json_reader.hpp"
#include "crypto/digest.hpp"
#include "fs/safe_file.hpp"
#include "names/names.hpp"
#include "topology/topology.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <climits>
#include <map>
#include <set>
#include <string_view>
#include <utility>

namespace certtool::topology {

namespace {

using json = JsonValue;

// The topology schema, on the generic typed reader (core/json_reader.hpp): which
// keys, types and values a certtool.topology/v1 document has, and the checks
// across its parts.
class Loader : public JsonReader {
public:
    explicit Loader(std::string file) : JsonReader(std::move(file), "topology", "a topology") {}

    Topology load(const json& doc);

private:
    // A DNS name given as a string value at `path`.
    std::optional<std::string> name_value(const json& value, const std::string& path, bool wildcard, bool url) {
        if (!value.is_string()) {
            type_error(path, url ? "a string (host name or URL)" : "a string (DNS name)", value);
            return std::nullopt;
        }
        std::string text = value.get<std::string>();
        std::string why;
        if (url) {
            auto host = names::host_of_url_or_name(text, &why);
            if (!host) {
                error("topology.invalid-url", path, "invalid URL '" + printable(text) + "': " + why);
                return std::nullopt;
            }
            text = *host;
        }
        if (!wildcard && names::is_wildcard(text)) {
            error("topology.wildcard-not-allowed", path,
                  "'" + printable(text) + "' is a wildcard; this field needs one exact name (no '*')");
            return std::nullopt;
        }
        auto name = names::normalize_fqdn(text, wildcard, &why);
        if (!name) {
            error("topology.invalid-fqdn", path, "invalid DNS name '" + printable(text) + "': " + why);
            return std::nullopt;
        }
        return name;
    }

    std::optional<std::string> name_field(const json& obj, std::string_view key, const std::string& path,
                                          bool wildcard, bool required = false, bool url = false) {
        const json* value = get(obj, key, path, required);
        if (!value) return std::nullopt;
        return name_value(*value, child(path, key), wildcard, url);
    }

    // An array of DNS names; duplicates are reported with `duplicate_code`.
    std::vector<std::string> name_list(const json& value, const std::string& path, bool wildcard, bool url,
                                       const std::string& duplicate_code = "topology.duplicate-value") {
        std::vector<std::string> out;
        if (!value.is_array()) {
            type_error(path, "an array of DNS names", value);
            return out;
        }
        std::map<std::string, std::string> seen;
        for (std::size_t i = 0; i < value.size(); ++i) {
            const std::string at = child(path, i);
            auto name = name_value(value[i], at, wildcard, url);
            if (!name) continue;
            auto [it, inserted] = seen.emplace(*name, at);
            if (!inserted) {
                error(duplicate_code, at, "'" + *name + "' is listed twice (first at " + it->second + ")");
                continue;
            }
            out.push_back(*name);
        }
        return out;
    }

    // One IP address in canonical text form (IPv6 compressed and lower case), so
    // that one address written two ways is one DNS record and one endpoint.
    std::optional<std::string> ip_value(const json& value, const std::string& at) {
        if (!value.is_string()) {
            type_error(at, "a string (IP address)", value);
            return std::nullopt;
        }
        const std::string text = value.get<std::string>();
        unsigned char buffer[16];
        char canonical[INET6_ADDRSTRLEN] = {};
        if (inet_pton(AF_INET, text.c_str(), buffer) == 1 &&
            inet_ntop(AF_INET, buffer, canonical, sizeof canonical) != nullptr)
            return std::string(canonical);
        if (inet_pton(AF_INET6, text.c_str(), buffer) == 1 &&
            inet_ntop(AF_INET6, buffer, canonical, sizeof canonical) != nullptr)
            return std::string(canonical);
        error("topology.invalid-ip", at, "'" + printable(text) + "' is not an IPv4 or IPv6 address");
        return std::nullopt;
    }

    // An address field: one IP address, or a list of them (a dual-stack server
    // has an IPv4 and an IPv6 address). Absent: an empty list.
    std::vector<std::string> ip_field(const json& obj, std::string_view key, const std::string& path) {
        std::vector<std::string> out;
        const json* value = get(obj, key, path, false);
        if (!value) return out;
        const std::string at = child(path, key);
        if (!value->is_array()) {
            if (!value->is_string()) {
                type_error(at, "an IP address, or an array of them", *value);
                return out;
            }
            if (auto address = ip_value(*value, at)) out.push_back(*address);
            return out;
        }
        if (value->empty()) error("topology.invalid-value", at, "an empty list of addresses: leave the field out instead");
        for (std::size_t i = 0; i < value->size(); ++i) {
            auto address = ip_value((*value)[i], child(at, i));
            if (!address) continue;
            if (std::find(out.begin(), out.end(), *address) != out.end()) {
                error("topology.duplicate-value", child(at, i), "address " + *address + " is listed twice");
                continue;
            }
            out.push_back(*address);
        }
        return out;
    }

    // --- sections ---

    void organization(const json& value, const std::string& path, Organization& out);
    void simple_urls(const json& value, const std::string& path, SimpleUrls& out);
    void policy(const json& value, const std::string& path, Policy& out);
    Site site(const json& value, const std::string& path);
    EdgePool edge_pool(const json& value, const std::string& path);
    void service_addresses(const json& obj, std::string_view key, const std::string& path, ServiceAddresses& out);
    FrontEndPool front_end_pool(const json& value, const std::string& path);
    Director director(const json& value, const std::string& path);
    ReverseProxy reverse_proxy(const json& value, const std::string& path);
    std::vector<ServerMember> server_members(const json& obj, const std::string& path, bool required);
    void web_services(const json& obj, const std::string& path, WebServices& out, const std::string* default_internal);
    void register_pool(const std::string& fqdn, const std::string& path, bool publishable);
    void register_member(const std::string& fqdn, const std::string& path);
    void cross_checks();
    void check_sip_domain_references(const Topology& t);
    void check_pool_of_one(const std::string& pool_fqdn, const std::string& path, const std::vector<std::string>& members,
                           bool single_server, const std::string& kind, const std::string& single_hint);

    std::map<std::string, std::string> pools_;    // pool FQDN -> path of its fqdn field
    std::set<std::string> publishable_;           // Front End pool and Director FQDNs
    std::map<std::string, std::string> members_;  // member FQDN -> path of its fqdn field
    std::vector<std::pair<std::string, std::string>> publishes_;  // name, path
    bool publishable_unknown_ = false;  // a Front End pool or Director FQDN was invalid or missing
    struct SipDomainReference {
        std::string domain;
        std::string path;  // of the array entry
        std::string pool_path;
        bool sign_in = true;  // else failover
    };
    std::vector<SipDomainReference> sip_domain_references_;  // Edge pools' sign_in_domains / failover_domains
};

// The documents certtool writes, which are easily given where a topology is
// asked for: one error naming what was given, not one per unknown field.
constexpr std::pair<std::string_view, std::string_view> kOtherDocuments[] = {
    {"certtool.plan/v1", "a plan"},
    {"certtool.audit/v1", "an audit report"},
    {"certtool.csr-manifest/v1", "a CSR manifest"},
    {"certtool.renew/v1", "a renewal report"},
    {"certtool.verify/v1", "a verify report"},
};

Topology Loader::load(const json& doc) {
    Topology t;
    if (doc.is_object()) {
        const auto schema = doc.find("schema");
        for (const auto& [other, what] : kOtherDocuments) {
            if (schema == doc.end() || !schema->is_string() || schema->get<std::string>() != other) continue;
            error("topology.not-a-topology", "/schema",
                  "this is a " + std::string(other) + " document (" + std::string(what) + "); give the topology (" + kSchema +
                      ") it was made from");
            return t;
        }
    }
    if (!object(doc, "", {"schema", "product", "organization", "sip_domains", "internal_domains", "simple_urls",
                          "office_web_apps", "mobility", "xmpp", "public_im", "oauth", "policy", "sites", "windows_server"}))
        return t;

    if (const json* schema = get(doc, "schema", "", true)) {
        if (!schema->is_string()) {
            type_error("/schema", "a string", *schema);
        } else if (schema->get<std::string>() != kSchema) {
            error("topology.schema", "/schema",
                  "schema is '" + printable(schema->get<std::string>()) + "'; this version of certtool reads '" +
                      kSchema + "'");
        }
    }

    if (auto product = choice_field<model::Product>(doc, "product", "", model::product_choices())) t.product = *product;
    // Any release is accepted: one the product is not documented on is a plan warning, not a load error.
    t.windows_server = choice_field<model::WindowsServer>(doc, "windows_server", "", model::windows_server_choices());

    if (const json* value = get(doc, "organization", "", false)) organization(*value, "/organization", t.organization);

    if (const json* value = get(doc, "sip_domains", "", true)) {
        if (value->is_array() && value->empty()) {
            error("topology.empty-sip-domains", "/sip_domains",
                  "sip_domains is empty; list at least one SIP domain (the first is the primary)");
        } else {
            t.sip_domains = name_list(*value, "/sip_domains", false, false, "topology.duplicate-sip-domain");
        }
    }
    if (const json* value = get(doc, "internal_domains", "", false))
        t.internal_domains = name_list(*value, "/internal_domains", false, false);

    if (const json* value = get(doc, "simple_urls", "", false)) simple_urls(*value, "/simple_urls", t.simple_urls);

    if (const json* value = get(doc, "office_web_apps", "", false)) {
        if (object(*value, "/office_web_apps", {"external", "internal"})) {
            t.office_web_apps.external = name_field(*value, "external", "/office_web_apps", true, false, true);
            t.office_web_apps.internal = name_field(*value, "internal", "/office_web_apps", true, false, true);
        }
    }

    if (const json* value = get(doc, "mobility", "", false)) {
        if (object(*value, "/mobility", {"autodiscover"})) {
            if (auto mode = choice_field<Autodiscover>(
                    *value, "autodiscover", "/mobility",
                    {{"https", Autodiscover::https}, {"http", Autodiscover::http}, {"off", Autodiscover::off}}))
                t.autodiscover = *mode;
        }
    }

    if (const json* value = get(doc, "xmpp", "", false)) {
        if (object(*value, "/xmpp", {"domains", "srv_target"})) {
            if (const json* domains = get(*value, "domains", "/xmpp", false))
                t.xmpp.domains = name_list(*domains, "/xmpp/domains", false, false);
            t.xmpp.srv_target = name_field(*value, "srv_target", "/xmpp", true);
        }
    }

    if (const json* value = get(doc, "public_im", "", false)) {
        if (object(*value, "/public_im", {"aol"})) boolean_field(*value, "aol", "/public_im", t.aol);
    }

    if (const json* value = get(doc, "oauth", "", false)) {
        if (object(*value, "/oauth", {"subject"})) t.oauth_subject = name_field(*value, "subject", "/oauth", true);
    }

    if (const json* value = get(doc, "policy", "", false)) policy(*value, "/policy", t.policy);

    if (const json* sites = array_field(doc, "sites", "", true, true, "topology.no-sites",
                                        "a topology needs at least one site")) {
        std::map<std::string, std::string> site_names;
        for (std::size_t i = 0; i < sites->size(); ++i) {
            const std::string path = child("/sites", i);
            Site s = site((*sites)[i], path);
            if (!s.name.empty()) {
                auto [it, inserted] = site_names.emplace(s.name, child(path, "name"));
                if (!inserted)
                    error("topology.duplicate-name", child(path, "name"),
                          "site name '" + printable(s.name) + "' is already used at " + it->second);
            }
            t.sites.push_back(std::move(s));
        }
    }

    cross_checks();
    check_sip_domain_references(t);

    // Reverse proxy names must be unique across the topology.
    std::map<std::string, std::string> proxy_names;
    for (const Site& s : t.sites) {
        for (const ReverseProxy& proxy : s.reverse_proxies) {
            if (proxy.name.empty()) continue;
            auto [it, inserted] = proxy_names.emplace(proxy.name, child(proxy.path, "name"));
            if (!inserted)
                error("topology.duplicate-name", child(proxy.path, "name"),
                      "reverse proxy name '" + printable(proxy.name) + "' is already used at " + it->second);
        }
    }
    return t;
}

void Loader::organization(const json& value, const std::string& path, Organization& out) {
    if (!object(value, path, {"organization", "organizational_unit", "locality", "state", "country"})) return;
    if (auto v = string_field(value, "organization", path)) out.organization = *v;
    if (auto v = string_field(value, "organizational_unit", path)) out.organizational_unit = *v;
    if (auto v = string_field(value, "locality", path)) out.locality = *v;
    if (auto v = string_field(value, "state", path)) out.state = *v;
    if (auto v = string_field(value, "country", path)) {
        bool ok = v->size() == 2 && std::all_of(v->begin(), v->end(), [](char c) {
                      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
                  });
        if (ok) {
            std::string upper = *v;
            for (char& c : upper)
                if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
            out.country = upper;
        } else {
            error("topology.invalid-value", child(path, "country"),
                  "country '" + printable(*v) + "' is not a two-letter ISO 3166 code (expected e.g. 'US')");
        }
    }
}

void Loader::simple_urls(const json& value, const std::string& path, SimpleUrls& out) {
    if (!object(value, path, {"meet", "dialin", "admin"})) return;
    if (const json* meet = get(value, "meet", path, false)) {
        const std::string at = child(path, "meet");
        if (meet->is_string()) {
            if (auto host = name_value(*meet, at, true, true)) out.meet.push_back(*host);
        } else if (meet->is_array()) {
            out.meet = name_list(*meet, at, true, true);
        } else {
            type_error(at, "a string or an array of strings (host names or URLs)", *meet);
        }
    }
    out.dialin = name_field(value, "dialin", path, true, false, true);
    out.admin = name_field(value, "admin", path, true, false, true);
}

void Loader::policy(const json& value, const std::string& path, Policy& out) {
    if (!object(value, path,
                {"key_algorithm", "key_bits", "signature_hash", "simple_url_wildcards", "strict_dns", "validity_days",
                 "public_ca_max_sans", "allow_weak_keys", "reverse_proxy_client_auth", "autodiscover_on_default",
                 "edge_internal_member_sans", "public_client_auth"}))
        return;
    auto algorithm = choice_field<KeyAlgorithm>(value, "key_algorithm", path,
                                                {{"RSA", KeyAlgorithm::rsa}, {"ECDSA", KeyAlgorithm::ecdsa}});
    if (algorithm) out.key_algorithm = *algorithm;
    if (out.key_algorithm == KeyAlgorithm::ecdsa) out.key_bits = 256;

    if (auto bits = integer_field(value, "key_bits", path, INT_MIN, INT_MAX)) {
        const bool rsa = out.key_algorithm == KeyAlgorithm::rsa;
        const std::vector<int> allowed = rsa ? std::vector<int>{1024, 2048, 3072, 4096} : std::vector<int>{256, 384, 521};
        if (std::find(allowed.begin(), allowed.end(), *bits) != allowed.end()) {
            out.key_bits = *bits;
        } else if (algorithm || !get(value, "key_algorithm", path, false)) {  // no second error for a bad algorithm
            error("topology.invalid-value", child(path, "key_bits"),
                  "key_bits " + std::to_string(*bits) + " is not valid for " + (rsa ? "RSA" : "ECDSA") +
                      (rsa ? " (allowed: 1024, 2048, 3072, 4096)" : " (allowed: 256, 384, 521)"));
        }
    }

    if (auto hash = choice_field<std::string>(
            value, "signature_hash", path,
            {{"sha1", "sha1"}, {"sha256", "sha256"}, {"sha384", "sha384"}, {"sha512", "sha512"}}))
        out.signature_hash = *hash;
    boolean_field(value, "simple_url_wildcards", path, out.simple_url_wildcards);
    boolean_field(value, "strict_dns", path, out.strict_dns);
    if (auto days = integer_field(value, "validity_days", path, 1, 3650)) {
        out.validity_days = *days;
        out.validity_days_set = true;
    }
    if (auto sans = integer_field(value, "public_ca_max_sans", path, 1, 10000)) out.public_ca_max_sans = *sans;
    boolean_field(value, "allow_weak_keys", path, out.allow_weak_keys);
    boolean_field(value, "reverse_proxy_client_auth", path, out.reverse_proxy_client_auth);
    boolean_field(value, "autodiscover_on_default", path, out.autodiscover_on_default);
    boolean_field(value, "edge_internal_member_sans", path, out.edge_internal_member_sans);
    boolean_field(value, "public_client_auth", path, out.public_client_auth);
}

Site Loader::site(const json& value, const std::string& path) {
    Site s;
    s.path = path;
    if (!object(value, path, {"name", "edge_pools", "front_end_pools", "directors", "reverse_proxies"})) return s;
    if (auto name = string_field(value, "name", path)) s.name = *name;

    auto each = [&](std::string_view key, auto&& read) {
        if (const json* list = array_field(value, key, path, false, false, "", "")) {
            for (std::size_t i = 0; i < list->size(); ++i) read((*list)[i], child(child(path, key), i));
        }
    };
    each("edge_pools", [&](const json& v, const std::string& p) { s.edge_pools.push_back(edge_pool(v, p)); });
    each("front_end_pools", [&](const json& v, const std::string& p) { s.front_end_pools.push_back(front_end_pool(v, p)); });
    each("directors", [&](const json& v, const std::string& p) { s.directors.push_back(director(v, p)); });
    each("reverse_proxies", [&](const json& v, const std::string& p) { s.reverse_proxies.push_back(reverse_proxy(v, p)); });
    return s;
}

void Loader::service_addresses(const json& obj, std::string_view key, const std::string& path, ServiceAddresses& out) {
    const json* value = get(obj, key, path, false);
    if (!value) return;
    const std::string at = child(path, key);
    if (!object(*value, at, {"access", "webconf", "av"})) return;
    out.access = ip_field(*value, "access", at);
    out.webconf = ip_field(*value, "webconf", at);
    out.av = ip_field(*value, "av", at);
}

EdgePool Loader::edge_pool(const json& value, const std::string& path) {
    EdgePool pool;
    pool.path = path;
    if (!object(value, path,
                {"fqdn", "load_balancing", "external_addressing", "external", "vips", "av_certificate", "federation",
                 "xmpp_proxy", "next_hop", "internal_extra_sans", "sign_in_domains", "failover_domains", "members"}))
        return pool;

    if (auto fqdn = name_field(value, "fqdn", path, false, true)) {
        pool.fqdn = *fqdn;
        register_pool(pool.fqdn, child(path, "fqdn"), false);
    }
    auto balancing = choice_field<LoadBalancing>(
        value, "load_balancing", path,
        {{"none", LoadBalancing::none}, {"dns", LoadBalancing::dns}, {"hlb", LoadBalancing::hlb}}, true);
    if (balancing) pool.load_balancing = *balancing;
    auto addressing = choice_field<Addressing>(value, "external_addressing", path,
                                               {{"public", Addressing::public_ip}, {"nat", Addressing::nat}}, true);
    if (addressing) pool.external_addressing = *addressing;
    if (balancing == LoadBalancing::hlb && addressing == Addressing::nat) {
        error("topology.hlb-nat", child(path, "external_addressing"),
              "a hardware load balanced Edge pool cannot use NAT for its external addresses in Lync Server 2013 "
              "(use public addresses, or DNS load balancing with NAT)");
    }

    if (const json* external = get(value, "external", path, true)) {
        const std::string at = child(path, "external");
        if (object(*external, at, {"access", "webconf", "av"})) {
            if (auto n = name_field(*external, "access", at, true, true)) pool.external.access = *n;
            if (auto n = name_field(*external, "webconf", at, true, true)) pool.external.webconf = *n;
            if (auto n = name_field(*external, "av", at, true, true)) pool.external.av = *n;
        }
    }

    if (const json* vips = get(value, "vips", path, false)) {
        const std::string at = child(path, "vips");
        if (object(*vips, at, {"internal", "access", "webconf", "av"})) {
            pool.vips.internal = ip_field(*vips, "internal", at);
            pool.vips.external.access = ip_field(*vips, "access", at);
            pool.vips.external.webconf = ip_field(*vips, "webconf", at);
            pool.vips.external.av = ip_field(*vips, "av", at);
            if (balancing && *balancing != LoadBalancing::hlb)
                error("topology.vips-without-hlb", at,
                      "'vips' (load balancer virtual IP addresses) only applies with load_balancing 'hlb'");
        }
    }

    if (auto v = choice_field<AvCertificate>(value, "av_certificate", path,
                                             {{"combined", AvCertificate::combined}, {"separate", AvCertificate::separate}}))
        pool.av_certificate = *v;
    boolean_field(value, "federation", path, pool.federation);
    boolean_field(value, "xmpp_proxy", path, pool.xmpp_proxy);
    pool.next_hop = name_field(value, "next_hop", path, false);
    if (const json* extra = get(value, "internal_extra_sans", path, false))
        pool.internal_extra_sans = name_list(*extra, child(path, "internal_extra_sans"), true, false);
    auto domain_list = [&](std::string_view key, std::vector<std::string>& out, bool sign_in) {
        const json* list = get(value, key, path, false);
        if (!list) return;
        const std::string at = child(path, key);
        out = name_list(*list, at, false, false);
        if (!list->is_array()) return;
        for (std::size_t i = 0; i < list->size(); ++i) {
            std::string why;
            if (!(*list)[i].is_string()) continue;
            if (auto name = names::normalize_fqdn((*list)[i].get<std::string>(), false, &why))
                sip_domain_references_.push_back({*name, child(at, i), path, sign_in});
        }
    };
    domain_list("sign_in_domains", pool.sign_in_domains, true);
    domain_list("failover_domains", pool.failover_domains, false);

    const std::string members_path = child(path, "members");
    if (const json* members = array_field(value, "members", path, true, true, "topology.no-members",
                                          "an Edge pool needs at least one member server")) {
        for (std::size_t i = 0; i < members->size(); ++i) {
            const std::string at = child(members_path, i);
            const json& m = (*members)[i];
            EdgeMember member;
            member.path = at;
            if (object(m, at, {"fqdn", "internal_ip", "external_ips", "public_ips"})) {
                if (auto fqdn = name_field(m, "fqdn", at, false, true)) {
                    member.fqdn = *fqdn;
                    register_member(member.fqdn, child(at, "fqdn"));
                }
                member.internal_ips = ip_field(m, "internal_ip", at);
                service_addresses(m, "external_ips", at, member.external_ips);
                service_addresses(m, "public_ips", at, member.public_ips);
            }
            pool.members.push_back(std::move(member));
        }
        if (balancing == LoadBalancing::none && members->size() > 1) {
            error("topology.too-many-members", members_path,
                  "load_balancing 'none' means a single Edge Server, but " + std::to_string(members->size()) +
                      " members are listed (use 'dns' or 'hlb' for a pool)");
        } else if (balancing) {
            std::vector<std::string> fqdns;
            for (const auto& m : pool.members) fqdns.push_back(m.fqdn);
            check_pool_of_one(pool.fqdn, path, fqdns, *balancing == LoadBalancing::none, "Edge pool",
                              "a single Edge Server (load_balancing 'none')");
        }
    }
    return pool;
}

std::vector<ServerMember> Loader::server_members(const json& obj, const std::string& path, bool required) {
    std::vector<ServerMember> out;
    const std::string members_path = child(path, "members");
    const json* members = array_field(obj, "members", path, required, required, "topology.no-members",
                                      "at least one member server is needed");
    if (!members) return out;
    for (std::size_t i = 0; i < members->size(); ++i) {
        const std::string at = child(members_path, i);
        const json& m = (*members)[i];
        ServerMember member;
        member.path = at;
        if (object(m, at, {"fqdn", "ip"})) {
            if (auto fqdn = name_field(m, "fqdn", at, false, true)) {
                member.fqdn = *fqdn;
                register_member(member.fqdn, child(at, "fqdn"));
            }
            member.ips = ip_field(m, "ip", at);
        }
        out.push_back(std::move(member));
    }
    return out;
}

void Loader::web_services(const json& obj, const std::string& path, WebServices& out,
                          const std::string* default_internal) {
    const json* value = get(obj, "web_services", path, default_internal == nullptr);
    const std::string at = child(path, "web_services");
    if (!value) {
        if (default_internal) out.internal = *default_internal;
        return;
    }
    if (!object(*value, at, {"internal", "external"})) return;
    if (auto n = name_field(*value, "internal", at, true, default_internal == nullptr)) out.internal = *n;
    else if (default_internal && !get(*value, "internal", at, false)) out.internal = *default_internal;
    out.external = name_field(*value, "external", at, true);
}

FrontEndPool Loader::front_end_pool(const json& value, const std::string& path) {
    FrontEndPool pool;
    pool.path = path;
    if (!object(value, path, {"fqdn", "edition", "members", "web_services", "certificate_layout", "auto_logon"}))
        return pool;
    auto fqdn = name_field(value, "fqdn", path, false, true);
    if (fqdn) {
        pool.fqdn = *fqdn;
        register_pool(pool.fqdn, child(path, "fqdn"), true);
    } else {
        publishable_unknown_ = true;
    }
    if (auto edition = choice_field<Edition>(value, "edition", path,
                                             {{"enterprise", Edition::enterprise}, {"standard", Edition::standard}}))
        pool.edition = *edition;
    const bool standard = pool.edition == Edition::standard;

    pool.members = server_members(value, path, false);
    const std::string members_path = child(path, "members");
    if (standard) {
        if (pool.members.size() > 1) {
            error("topology.standard-edition", members_path,
                  "a Standard Edition server is a pool of one, but " + std::to_string(pool.members.size()) +
                      " members are listed (use edition 'enterprise' for a pool)");
        } else if (pool.members.size() == 1) {
            if (fqdn && !pool.members[0].fqdn.empty() && pool.members[0].fqdn != *fqdn)
                error("topology.standard-edition", child(pool.members[0].path, "fqdn"),
                      "the member of a Standard Edition pool must be the server itself ('" + *fqdn + "'), not '" +
                          pool.members[0].fqdn + "'");
        } else if (fqdn) {  // no members (absent or []): the server is the pool
            ServerMember self;
            self.path = path;
            self.fqdn = *fqdn;
            register_member(self.fqdn, child(path, "fqdn"));
            pool.members.push_back(std::move(self));
        }
    }

    if (!standard) {
        std::vector<std::string> fqdns;
        for (const auto& m : pool.members) fqdns.push_back(m.fqdn);
        check_pool_of_one(pool.fqdn, path, fqdns, false, "Front End pool",
                          "a Standard Edition server (edition 'standard')");
    }

    web_services(value, path, pool.web_services, standard ? &pool.fqdn : nullptr);
    if (auto layout = choice_field<CertificateLayout>(
            value, "certificate_layout", path,
            {{"combined", CertificateLayout::combined}, {"split", CertificateLayout::split}}))
        pool.certificate_layout = *layout;
    boolean_field(value, "auto_logon", path, pool.auto_logon);
    return pool;
}

Director Loader::director(const json& value, const std::string& path) {
    Director d;
    d.path = path;
    if (!object(value, path, {"fqdn", "members", "web_services", "certificate_layout", "sip_target"})) return d;
    if (auto fqdn = name_field(value, "fqdn", path, false, true)) {
        d.fqdn = *fqdn;
        register_pool(d.fqdn, child(path, "fqdn"), true);
    } else {
        publishable_unknown_ = true;
    }
    d.members = server_members(value, path, true);
    if (d.members.size() > 1) {  // one member under the pool's own name is a single Director
        std::vector<std::string> fqdns;
        for (const auto& m : d.members) fqdns.push_back(m.fqdn);
        check_pool_of_one(d.fqdn, path, fqdns, false, "Director pool", "a single Director (one member)");
    }
    web_services(value, path, d.web_services, nullptr);
    if (auto layout = choice_field<CertificateLayout>(
            value, "certificate_layout", path,
            {{"combined", CertificateLayout::combined}, {"split", CertificateLayout::split}}))
        d.certificate_layout = *layout;
    boolean_field(value, "sip_target", path, d.sip_target);
    return d;
}

ReverseProxy Loader::reverse_proxy(const json& value, const std::string& path) {
    ReverseProxy proxy;
    proxy.path = path;
    if (!object(value, path, {"name", "members", "publishes"})) return proxy;
    if (auto name = string_field(value, "name", path, true)) {
        if (name->empty())
            error("topology.invalid-value", child(path, "name"), "the reverse proxy name is empty");
        proxy.name = *name;
    }
    proxy.members = server_members(value, path, true);
    if (const json* publishes = array_field(value, "publishes", path, true, true, "topology.empty-publishes",
                                            "list the Front End pool and Director FQDNs this reverse proxy publishes")) {
        const std::string at = child(path, "publishes");
        proxy.publishes = name_list(*publishes, at, false, false);
        // Remember each valid entry with its own path for the cross-check.
        for (std::size_t i = 0; i < publishes->size(); ++i) {
            const json& entry = (*publishes)[i];
            if (!entry.is_string()) continue;
            std::string why;
            if (auto name = names::normalize_fqdn(entry.get<std::string>(), false, &why))
                publishes_.emplace_back(*name, child(at, i));
        }
    }
    return proxy;
}

void Loader::register_pool(const std::string& fqdn, const std::string& path, bool publishable) {
    auto [it, inserted] = pools_.emplace(fqdn, path);
    if (!inserted) {
        error("topology.duplicate-pool", path,
              "pool FQDN '" + fqdn + "' is already used at " + it->second + "; every pool needs its own FQDN");
        return;
    }
    if (publishable) publishable_.insert(fqdn);
}

void Loader::register_member(const std::string& fqdn, const std::string& path) {
    auto [it, inserted] = members_.emplace(fqdn, path);
    if (!inserted)
        error("topology.duplicate-member", path,
              "member FQDN '" + fqdn + "' is already used at " + it->second + "; a server belongs to one pool only");
}

// One-member pools and single servers (Topology Builder's "single computer pool"):
// a single server IS its pool, so its one member must carry the pool FQDN, or the
// plan would install a certificate for a name that is not the server's; a real
// pool's FQDN resolves to all members (DNS load balancing) or to the load
// balancer, so no member may carry it.
void Loader::check_pool_of_one(const std::string& pool_fqdn, const std::string& path,
                               const std::vector<std::string>& members, bool single_server, const std::string& kind,
                               const std::string& single_hint) {
    if (pool_fqdn.empty()) return;
    for (std::size_t i = 0; i < members.size(); ++i) {
        if (members[i].empty()) continue;
        const std::string at = child(child(child(path, "members"), i), "fqdn");
        if (single_server && members[i] != pool_fqdn)
            error("topology.single-server", at,
                  "this is " + single_hint + ", so its member must be the server itself ('" + pool_fqdn + "'), not '" +
                      members[i] + "'; for a pool of servers under the name '" + pool_fqdn +
                      "' choose its load balancing");
        if (!single_server && members[i] == pool_fqdn)
            error("topology.member-is-pool", at,
                  "'" + pool_fqdn + "' is the " + kind +
                      " FQDN, which resolves to every member or to the load balancer; a member needs its own FQDN "
                      "(for one server under one name, use " + single_hint + ")");
    }
}

// sign_in_domains and failover_domains name SIP domains of this topology, and a
// pool is either the sign-in pool of a domain or a failover target for it.
void Loader::check_sip_domain_references(const Topology& t) {
    std::set<std::pair<std::string, std::string>> sign_in;  // pool path, domain
    for (const auto& r : sip_domain_references_)
        if (r.sign_in) sign_in.insert({r.pool_path, r.domain});
    for (const auto& r : sip_domain_references_) {
        if (std::find(t.sip_domains.begin(), t.sip_domains.end(), r.domain) == t.sip_domains.end()) {
            std::string known;
            for (const auto& d : t.sip_domains) known += (known.empty() ? "" : ", ") + d;
            error("topology.unknown-sip-domain", r.path,
                  "'" + r.domain + "' is not one of the topology's sip_domains (" + known + ")");
        } else if (!r.sign_in && sign_in.count({r.pool_path, r.domain}) != 0) {
            error("topology.invalid-value", r.path,
                  "'" + r.domain + "' is also in this pool's sign_in_domains: a pool answers a domain's sign-in or "
                  "stands by for it, not both");
        }
    }
}

void Loader::cross_checks() {
    // A server's FQDN that is also another pool's FQDN: one name, two jobs.
    for (const auto& [fqdn, member_path] : members_) {
        const auto pool = pools_.find(fqdn);
        if (pool == pools_.end()) continue;
        const std::string pool_element = pool->second.substr(0, pool->second.size() - std::string("/fqdn").size());
        if (member_path.rfind(pool_element + "/", 0) == 0) continue;  // its own pool: judged there
        error("topology.duplicate-member", member_path,
              "member FQDN '" + fqdn + "' is the FQDN of another pool (" + pool->second + ")");
    }
    // With a broken pool FQDN already reported, "unknown pool" would mostly repeat it.
    if (publishable_unknown_) return;
    std::set<std::pair<std::string, std::string>> reported;
    for (const auto& [name, path] : publishes_) {
        if (publishable_.count(name)) continue;
        if (!reported.insert({name, path}).second) continue;
        std::string message = "'" + name + "' is not the FQDN of any Front End pool or Director in this topology";
        if (pools_.count(name)) message += " (it is an Edge pool, which a reverse proxy does not publish)";
        error("topology.unknown-pool", path, message);
    }
}

}  // namespace

Topology parse(const std::string& text, const std::string& file_name) {
    Loader loader(file_name);
    const auto doc = loader.parse(text);
    if (!doc) throw InputError(std::move(loader.diagnostics()));
    Topology topology = loader.load(*doc);
    loader.throw_if_problems();
    return topology;
}

Loaded load_file(const std::string& path, std::size_t max_bytes) {
    const std::string data = fs::read_file_bounded(path, max_bytes, "topology");
    Loaded loaded;
    loaded.source.path = path;
    loaded.source.sha256 = crypto::sha256_hex(data);
    loaded.topology = parse(data, path);
    return loaded;
}

}  // namespace certtool::topology
