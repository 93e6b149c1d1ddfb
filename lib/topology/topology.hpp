// The typed form of a certtool.topology/v1 document (../shared/spec/topology-and-plan-v1.md).
// Every FQDN here is already validated and normalised (lower case, no trailing dot).
// Every element remembers its JSON Pointer so that findings can name it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "model/product.hpp"

namespace certtool::topology {

inline constexpr const char* kSchema = "certtool.topology/v1";

struct Organization {
    std::string organization;
    std::string organizational_unit;
    std::string locality;
    std::string state;
    std::string country;  // ISO 3166 two-letter code
};

struct SimpleUrls {
    std::vector<std::string> meet;  // hosts; a URL in the input is reduced to its host
    std::optional<std::string> dialin;
    std::optional<std::string> admin;
};

struct OfficeWebApps {
    std::optional<std::string> external;
    std::optional<std::string> internal;
};

enum class Autodiscover { https, http, off };

struct Xmpp {
    std::vector<std::string> domains;
    std::optional<std::string> srv_target;
};

enum class KeyAlgorithm { rsa, ecdsa };

struct Policy {
    KeyAlgorithm key_algorithm = KeyAlgorithm::rsa;
    int key_bits = 2048;                    // RSA modulus bits, or 256/384/521 for ECDSA curves
    std::string signature_hash = "sha256";  // sha1, sha256, sha384, sha512
    bool simple_url_wildcards = false;      // replace meet/dialin/lyncdiscover SANs by *.<domain> where allowed
    bool strict_dns = false;                // C16: SRV target outside its domain is an error, not a warning
    int validity_days = 365;
    bool validity_days_set = false;         // the topology gave validity_days (else public CAs get their maximum)
    // Additions to the contract (documented in README.md):
    int public_ca_max_sans = 100;           // most public CAs cap SAN certificates; above this is an error
    bool allow_weak_keys = false;           // RSA 1024 is a warning instead of an error (never for OAuth, C7)
    bool reverse_proxy_client_auth = false; // C10: add Client Authentication to the reverse proxy EKU
    bool autodiscover_on_default = false;   // C9: in split layout also put lyncdiscover names on Default (CS-AD)
    bool edge_internal_member_sans = false; // C21: add each Edge member FQDN to the internal certificate
    bool public_client_auth = false;        // ask a public CA for Client Authentication anyway (AOL, C10)
};

enum class LoadBalancing { none, dns, hlb };
enum class Addressing { public_ip, nat };
enum class AvCertificate { combined, separate };
enum class CertificateLayout { combined, split };
enum class Edition { enterprise, standard };

// Every address field is a list: usually one IPv4 address, or an IPv4 and an
// IPv6 address for a dual-stack server (the JSON takes a string or an array);
// empty when the topology does not say.
using Addresses = std::vector<std::string>;

struct ServiceAddresses {  // the addresses of each Edge external service
    Addresses access;
    Addresses webconf;
    Addresses av;
};

struct EdgeExternalNames {
    std::string access;   // Access Edge FQDN (HLB: its VIP FQDN)
    std::string webconf;  // Web Conferencing Edge FQDN
    std::string av;       // A/V Edge FQDN (never on a certificate, C2)
};

struct EdgeVips {  // only with load_balancing = hlb
    Addresses internal;
    ServiceAddresses external;
};

struct EdgeMember {
    std::string path;
    std::string fqdn;
    Addresses internal_ips;
    ServiceAddresses external_ips;  // on the server's external NIC
    ServiceAddresses public_ips;    // what the Internet sees (NAT), if different
};

struct EdgePool {
    std::string path;
    std::string fqdn;  // internal pool FQDN (single Edge: the server; HLB: the internal VIP FQDN)
    LoadBalancing load_balancing = LoadBalancing::none;
    Addressing external_addressing = Addressing::public_ip;
    EdgeExternalNames external;
    EdgeVips vips;
    AvCertificate av_certificate = AvCertificate::combined;
    bool federation = false;
    bool xmpp_proxy = false;
    std::optional<std::string> next_hop;
    std::vector<std::string> internal_extra_sans;  // addition: extra SANs on the internal certificate (C3, C21)
    // Additions for several sites (README "Several sites"); each entry is one of
    // the topology's sip_domains. sign_in_domains: this pool answers external
    // sign-in for them (sip.<domain>, _sip._tls.<domain>). failover_domains: it
    // carries sip.<domain> on its certificate as a failover or geo-DNS target,
    // while DNS normally points at the sign-in pool.
    std::vector<std::string> sign_in_domains;
    std::vector<std::string> failover_domains;
    std::vector<EdgeMember> members;
};

struct ServerMember {
    std::string path;
    std::string fqdn;
    Addresses ips;  // addition (JSON "ip"): used for DNS records and `audit --live`
};

struct WebServices {
    std::string internal;
    std::optional<std::string> external;
};

struct FrontEndPool {
    std::string path;
    std::string fqdn;
    Edition edition = Edition::enterprise;
    std::vector<ServerMember> members;  // Standard Edition: one member, the server itself
    WebServices web_services;
    CertificateLayout certificate_layout = CertificateLayout::combined;
    bool auto_logon = false;
};

struct Director {
    std::string path;
    std::string fqdn;
    std::vector<ServerMember> members;
    WebServices web_services;
    CertificateLayout certificate_layout = CertificateLayout::combined;
    bool sip_target = false;  // addition: internal sip.<domain> points at this Director (C11)
};

struct ReverseProxy {
    std::string path;
    std::string name;
    std::vector<ServerMember> members;
    std::vector<std::string> publishes;  // Front End pool or Director FQDNs
};

struct Site {
    std::string path;
    std::string name;
    std::vector<EdgePool> edge_pools;
    std::vector<FrontEndPool> front_end_pools;
    std::vector<Director> directors;
    std::vector<ReverseProxy> reverse_proxies;
};

struct Topology {
    model::Product product = model::Product::lync2013;
    // Addition: the oldest Windows Server any server of the deployment runs;
    // absent, the oldest the product is documented on (model/product.hpp).
    std::optional<model::WindowsServer> windows_server;
    Organization organization;
    std::vector<std::string> sip_domains;  // never empty; the first is the primary
    std::vector<std::string> internal_domains;
    SimpleUrls simple_urls;
    OfficeWebApps office_web_apps;
    Autodiscover autodiscover = Autodiscover::https;
    Xmpp xmpp;
    bool aol = false;
    std::optional<std::string> oauth_subject;
    Policy policy;
    std::vector<Site> sites;
};

// Where the document came from, for the plan's "topology" field.
struct Source {
    std::string path;    // as given by the user
    std::string sha256;  // hex digest of the exact bytes read
};

struct Loaded {
    Topology topology;
    Source source;
};

// Parse and validate. Throws certtool::InputError carrying every problem found,
// each with the file name and JSON Pointer (line:column for a syntax error).
Topology parse(const std::string& text, const std::string& file_name);

// Read at most `max_bytes` from `path`, then parse. An unreadable or oversized
// file is an InputError too (code topology.io / topology.too-large).
Loaded load_file(const std::string& path, std::size_t max_bytes = 16u << 20);

}  // namespace certtool::topology
