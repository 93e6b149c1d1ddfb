// certtool import (import.hpp). The research behind every mapping below is
// ../shared/research/topology-xml.md; section numbers in comments refer to it.
#include "import/import.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "core/json_bounded.hpp"
#include "crypto/digest.hpp"
#include "fs/safe_file.hpp"
#include "model/product.hpp"
#include "topology/topology.hpp"
#include "xml/xml_reader.hpp"

namespace certtool::import {

namespace {

using model::Finding;
using model::Severity;
using xml::Element;

// The namespaces of the two formats (3.1, 3.12), all "urn:schema:Microsoft.Rtc.Management." + ...
constexpr std::string_view kTopo = "urn:schema:Microsoft.Rtc.Management.Deploy.Topology.2008";
constexpr std::string_view kRoles = "urn:schema:Microsoft.Rtc.Management.Deploy.ServiceRoles.2008";
constexpr std::string_view kBuilder = "urn:schema:Microsoft.Rtc.Management.Deploy.TopologyBuilder.2008";
constexpr std::string_view kWritable = "urn:schema:Microsoft.Rtc.Management.Deploy.WritableTopology.2008";
constexpr std::string_view kSimpleUrl = "urn:schema:Microsoft.Rtc.Management.Settings.SimpleUrl.2008";

constexpr const char* kMissing = "import.missing-field";
constexpr const char* kAssumed = "import.assumed";
constexpr const char* kNotInSource = "import.not-in-source";
constexpr const char* kDefaultApplies = "import.default-applies";
constexpr const char* kDerived = "import.derived";
constexpr const char* kSkipped = "import.skipped";
constexpr const char* kProductMixed = "import.product-mixed";

constexpr const char* kPowerShell = "(Get-CsTopology -AsXml).ToString() | Out-File topology.xml";

[[noreturn]] void fail(const std::string& code, const std::string& file, int line, const std::string& message) {
    Diagnostic d;
    d.code = code;
    d.file = file;
    d.line = line;
    d.message = message;
    throw InputError(std::move(d));
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

std::string trimmed(const std::string& s) {
    const auto b = s.find_first_not_of(" \t\r\n");
    const auto e = s.find_last_not_of(" \t\r\n");
    return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

// FQDNs as the topology keeps them: lower case, no trailing dot (the loader validates them).
std::string fqdn_of(const std::string& s) {
    std::string out = lower(trimmed(s));
    if (!out.empty() && out.back() == '.') out.pop_back();
    return out;
}

// "0.0.0.0" (and "::") mean "not given" in the topology (3.5).
std::string address_of(const std::optional<std::string>& s) {
    if (!s) return {};
    const std::string a = trimmed(*s);
    return a == "0.0.0.0" || a == "::" ? std::string() : a;
}

// ---- the document, normalised: both formats read into one model (pitfall 3) ----

struct NetInterface {
    std::string side;    // Primary, Internal, External, Pstn
    std::string number;  // InterfaceNumber
    std::string ip, ipv6, public_ip, public_ipv6;  // IPAddress, IPv6Address, ConfiguredIPAddress, ConfiguredIPv6Address
};

struct Machine {
    std::string fqdn;
    std::vector<NetInterface> interfaces;
};

struct Cluster {
    std::string key;   // "SiteId:Number" (format A) or UniqueId (format B)
    std::string site;  // SiteId
    std::string fqdn;
    int line = 0;
    std::vector<Machine> machines;
};

struct Port {
    std::string owner, usage, side, number, configured_fqdn;
};

struct Service {
    std::string key;  // "SiteId-RoleName-Instance" (format A) or UniqueId (format B)
    std::string role;
    std::string cluster;  // key of the cluster it is installed on ("" for a SQL instance)
    std::optional<int> version;
    std::vector<std::string> depends_on;
    std::vector<Port> ports;
    std::optional<bool> is_director;
    std::optional<std::string> external_web_host;
};

struct SiteEntry {
    std::string id;
    std::string name;
};

struct SimpleUrlEntry {
    std::string component;  // lower case: meet, dialin, admin, cscp
    std::string active_url;
};

struct Document {
    SourceFormat format = SourceFormat::published;
    std::string signature;
    std::string default_domain;
    std::vector<std::string> sip_domains;
    std::vector<SiteEntry> sites;
    std::vector<Cluster> clusters;
    std::vector<Service> services;
    std::optional<std::vector<SimpleUrlEntry>> simple_urls;  // nullopt: the document has none (format A)
    std::vector<std::string> skipped;                         // what was left out, for one info finding
};

class Reader {
public:
    explicit Reader(std::string file) : file_(std::move(file)) {}

    Document read(const Element& root) {
        if (root.ns == kTopo && root.name == "Topology") {
            doc_.format = SourceFormat::published;
            read_published(root);
        } else if (root.ns == kBuilder && root.name == "TopologyBuilder") {
            doc_.format = SourceFormat::topology_builder;
            read_builder(root);
        } else {
            fail("import.wrong-root", file_, root.line,
                 "the root element is <" + root.name + ">" + (root.ns.empty() ? "" : " in namespace " + root.ns) +
                     ", not a Lync topology: expected <Topology> (from " + kPowerShell +
                     ") or <TopologyBuilder> (a Topology Builder .tbxml file)");
        }
        return std::move(doc_);
    }

private:
    std::string file_;
    Document doc_;

    std::string required(const Element& e, std::string_view attribute) {
        auto value = e.attribute(attribute);
        if (!value || trimmed(*value).empty())
            fail("import.structure", file_, e.line,
                 "<" + e.name + "> has no " + std::string(attribute) + " attribute, which a topology always gives it");
        return trimmed(*value);
    }

    void read_domains(const Element* domains) {
        if (domains == nullptr) return;
        doc_.default_domain = fqdn_of(domains->attribute("DefaultDomain").value_or(""));
        for (const Element* d : domains->children_named(kTopo, "InternalDomain")) doc_.sip_domains.push_back(fqdn_of(required(*d, "Name")));
    }

    void read_simple_urls(const Element* config) {
        if (config == nullptr) return;
        std::vector<SimpleUrlEntry> urls;
        for (const Element* u : config->children_named(kSimpleUrl, "SimpleUrl"))
            urls.push_back({lower(trimmed(u->attribute("Component").value_or(""))), trimmed(u->attribute("ActiveUrl").value_or(""))});
        doc_.simple_urls = std::move(urls);
    }

    Machine machine(const Element& m, const std::string& cluster_fqdn) {
        Machine out;
        // A single-role server's <Machine /> has no Fqdn: it is the cluster (3.12).
        out.fqdn = fqdn_of(m.attribute("Fqdn").value_or(cluster_fqdn));
        for (const Element* n : m.children_named(kTopo, "NetInterface"))
            out.interfaces.push_back({trimmed(n->attribute("InterfaceSide").value_or("")), trimmed(n->attribute("InterfaceNumber").value_or("1")),
                                      address_of(n->attribute("IPAddress")), address_of(n->attribute("IPv6Address")),
                                      address_of(n->attribute("ConfiguredIPAddress")),
                                      address_of(n->attribute("ConfiguredIPv6Address"))});
        return out;
    }

    void service_body(const Element& s, Service& out) {
        if (auto v = s.attribute("ServiceVersion")) {
            try {
                out.version = std::stoi(*v);
            } catch (const std::exception&) {
                fail("import.structure", file_, s.line, "ServiceVersion '" + *v + "' is not a number");
            }
        }
        if (const Element* ports = s.child(kRoles, "Ports"))
            for (const Element* p : ports->children_named(kRoles, "Port"))
                out.ports.push_back({p->attribute("Owner").value_or(""), p->attribute("Usage").value_or(""),
                                     p->attribute("InterfaceSide").value_or(""), p->attribute("InterfaceNumber").value_or("1"),
                                     fqdn_of(p->attribute("ConfiguredFqdn").value_or(""))});
        if (const Element* r = s.child(kRoles, "RegistrarService"))
            out.is_director = lower(r->attribute("IsDirector").value_or("false")) == "true";
        if (const Element* w = s.child(kRoles, "WebService"))
            if (const Element* x = w->child(kRoles, "ExternalSettings"))
                if (auto host = x->attribute("Host")) out.external_web_host = fqdn_of(*host);
    }

    // Format A (3.2 - 3.11): natural keys.
    void read_published(const Element& root) {
        doc_.signature = root.attribute("Signature").value_or("");
        read_domains(root.child(kTopo, "InternalDomains"));
        read_simple_urls(root.child(kSimpleUrl, "SimpleUrlConfiguration"));
        if (const Element* sites = root.child(kTopo, "Sites"))
            for (const auto& s : sites->children) {
                if (s.ns == kTopo && s.name == "CentralSite") {
                    const Element* name = s.child(kTopo, "Name");
                    doc_.sites.push_back({required(s, "SiteId"), name != nullptr ? trimmed(name->text) : ""});
                } else {
                    doc_.skipped.push_back("site <" + s.name + "> (line " + std::to_string(s.line) + "): only central sites are read");
                }
            }
        if (const Element* clusters = root.child(kTopo, "Clusters"))
            for (const Element* c : clusters->children_named(kTopo, "Cluster")) {
                const Element* id = c->child(kTopo, "ClusterId");
                if (id == nullptr) fail("import.structure", file_, c->line, "<Cluster> has no <ClusterId>");
                Cluster out;
                out.site = required(*id, "SiteId");
                out.key = out.site + ":" + required(*id, "Number");
                out.fqdn = fqdn_of(required(*c, "Fqdn"));
                out.line = c->line;
                for (const Element* m : c->children_named(kTopo, "Machine")) out.machines.push_back(machine(*m, out.fqdn));
                doc_.clusters.push_back(std::move(out));
            }
        const auto service_key = [&](const Element& id) {
            return required(id, "SiteId") + "-" + required(id, "RoleName") + "-" + required(id, "Instance");
        };
        if (const Element* services = root.child(kTopo, "Services"))
            for (const Element* s : services->children_named(kTopo, "Service")) {
                const Element* id = s->child(kTopo, "ServiceId");
                if (id == nullptr) fail("import.structure", file_, s->line, "<Service> has no <ServiceId>");
                Service out;
                out.key = service_key(*id);
                out.role = required(*id, "RoleName");
                if (const Element* on = s->child(kTopo, "InstalledOn"))
                    if (const Element* cid = on->child(kTopo, "ClusterId"))
                        out.cluster = required(*cid, "SiteId") + ":" + required(*cid, "Number");
                if (const Element* deps = s->child(kTopo, "DependsOn"))
                    for (const Element* d : deps->children_named(kTopo, "Dependency"))
                        if (const Element* target = d->child(kTopo, "ServiceId")) out.depends_on.push_back(service_key(*target));
                service_body(*s, out);
                doc_.services.push_back(std::move(out));
            }
    }

    // Format B (3.12): GUID references, clusters nested in their site.
    void read_builder(const Element& root) {
        const Element* topology = root.child(kBuilder, "NewTopology");
        for (const auto& c : root.children)
            if (!(c.ns == kBuilder && c.name == "NewTopology"))
                fail("import.structure", file_, c.line,
                     "<TopologyBuilder> holds <" + c.name + ">: only <NewTopology> is known (no sample of any other was available); "
                     "export the published topology instead: " + kPowerShell);
        const Element* partial = topology != nullptr ? topology->child(kWritable, "PartialTopology") : nullptr;
        if (partial == nullptr)
            fail("import.structure", file_, root.line, "<TopologyBuilder> has no <NewTopology><PartialTopology>: nothing to import");
        doc_.signature = partial->attribute("Signature").value_or("");
        read_domains(partial->child(kTopo, "InternalDomains"));
        read_simple_urls(partial->child(kSimpleUrl, "SimpleUrlConfiguration"));
        if (!doc_.simple_urls) doc_.simple_urls.emplace();  // a .tbxml keeps them here, so none means none
        if (const Element* sites = partial->child(kWritable, "CentralSites"))
            for (const Element* s : sites->children_named(kWritable, "CentralSite")) {
                const Element* name = s->child(kTopo, "Name");
                const std::string site = required(*s, "SiteId");
                doc_.sites.push_back({site, name != nullptr ? trimmed(name->text) : ""});
                if (const Element* clusters = s->child(kWritable, "Clusters"))
                    for (const Element* c : clusters->children_named(kWritable, "Cluster")) {
                        Cluster out;
                        out.key = required(*c, "UniqueId");
                        out.site = site;
                        out.fqdn = fqdn_of(required(*c, "Fqdn"));
                        out.line = c->line;
                        if (const Element* machines = c->child(kWritable, "Machines"))
                            for (const Element* m : machines->children_named(kWritable, "Machine"))
                                out.machines.push_back(machine(*m, out.fqdn));
                        doc_.clusters.push_back(std::move(out));
                    }
                if (const Element* remote = s->child(kWritable, "RemoteSites"))
                    for (const auto& r : remote->children)
                        doc_.skipped.push_back("branch site <" + r.name + "> (line " + std::to_string(r.line) + ")");
            }
        if (const Element* services = partial->child(kWritable, "Services"))
            for (const Element* s : services->children_named(kWritable, "Service")) {
                Service out;
                out.key = required(*s, "UniqueId");
                out.role = required(*s, "RoleName");
                out.cluster = s->attribute("InstalledOn").value_or("");
                if (const Element* deps = s->child(kWritable, "DependsOn"))
                    for (const Element* d : deps->children_named(kWritable, "Dependency"))
                        out.depends_on.push_back(d->attribute("ServiceUniqueId").value_or(""));
                service_body(*s, out);
                doc_.services.push_back(std::move(out));
            }
    }
};

// ---- the mapping (section 4) ----

// One address, or a list of two for a dual-stack server (README "Topology input").
JsonValue addresses(const std::string& v4, const std::string& v6) {
    if (!v4.empty() && !v6.empty()) return JsonValue::array({v4, v6});
    return JsonValue(v4.empty() ? v6 : v4);
}

class Mapper {
public:
    explicit Mapper(const Document& doc) : doc_(doc) {
        for (std::size_t i = 0; i < doc.clusters.size(); ++i) cluster_index_[doc.clusters[i].key] = i;
        for (std::size_t i = 0; i < doc.services.size(); ++i) service_index_[doc.services[i].key] = i;
    }

    JsonValue map() {
        JsonValue out = JsonValue::object();
        out["schema"] = topology::kSchema;
        out["product"] = nullptr;  // keeps its place in the order; removed below when undetermined
        map_domains(out);
        map_simple_urls(out);
        out["sites"] = JsonValue::array();
        std::set<std::string> mapped_clusters;
        for (const auto& site : doc_.sites) {
            if (lower(site.id).find("backcompat") != std::string::npos || lower(site.name).find("backcompat") != std::string::npos) {
                skipped_.push_back("site " + site.id + " (BackCompatSite: the legacy OCS site)");
                continue;
            }
            const std::string path = "/sites/" + std::to_string(out["sites"].size());
            JsonValue s = JsonValue::object();
            s["name"] = site.name.empty() ? "site " + site.id : site.name;
            if (site.name.empty())
                add(Severity::warning, kAssumed, path + "/name",
                    "site " + site.id + " has no <Name>: named '" + s["name"].get<std::string>() + "'");
            JsonValue edges = JsonValue::array(), front_ends = JsonValue::array(), directors = JsonValue::array();
            for (const auto& c : doc_.clusters) {
                if (c.site != site.id) continue;
                const auto roles = roles_of(c.key);
                const Service* registrar = find_role(roles, "Registrar");
                if (const Service* edge = find_role(roles, "EdgeServer")) {
                    edges.push_back(edge_pool(c, *edge, path + "/edge_pools/" + std::to_string(edges.size())));
                } else if (find_role(roles, "UserServices") != nullptr && registrar != nullptr && registrar->is_director != true) {
                    front_ends.push_back(front_end(c, roles, path + "/front_end_pools/" + std::to_string(front_ends.size())));
                } else if (registrar != nullptr && registrar->is_director == true && find_role(roles, "UserServices") == nullptr) {
                    directors.push_back(director(c, roles));
                } else {
                    skip_cluster(c, roles);
                    continue;
                }
                mapped_clusters.insert(c.key);
                for (const Service* s : roles) note_version(*s);
            }
            if (!edges.empty()) s["edge_pools"] = std::move(edges);
            if (!front_ends.empty()) s["front_end_pools"] = std::move(front_ends);
            if (!directors.empty()) s["directors"] = std::move(directors);
            out["sites"].push_back(std::move(s));
        }
        for (const auto& c : doc_.clusters)
            if (mapped_clusters.count(c.key) == 0 &&
                std::none_of(doc_.sites.begin(), doc_.sites.end(), [&](const SiteEntry& s) { return s.id == c.site; }))
                skipped_.push_back(c.fqdn + " (in site " + c.site + ", which the document does not list as a central site)");
        map_product(out);
        for (const auto& s : doc_.skipped) skipped_.push_back(s);
        if (!skipped_.empty()) {
            std::string text = "not imported (no certificate of the plan concerns them): ";
            for (std::size_t i = 0; i < skipped_.size(); ++i) text += (i == 0 ? "" : "; ") + skipped_[i];
            add(Severity::info, kSkipped, "", text);
        }
        return out;
    }

    std::vector<Finding> findings;

private:
    const Document& doc_;
    std::map<std::string, std::size_t> cluster_index_;
    std::map<std::string, std::size_t> service_index_;
    std::vector<std::string> skipped_;
    std::map<int, std::vector<std::string>> versions_;  // ServiceVersion -> the pools that run it

    void add(Severity severity, const char* code, const std::string& path, const std::string& message) {
        findings.push_back({severity, code, message, path, "", ""});
    }

    std::vector<const Service*> roles_of(const std::string& cluster) const {
        std::vector<const Service*> out;
        for (const auto& s : doc_.services)
            if (s.cluster == cluster) out.push_back(&s);
        return out;
    }

    static const Service* find_role(const std::vector<const Service*>& roles, std::string_view role) {
        for (const Service* s : roles)
            if (s->role == role) return s;
        return nullptr;
    }

    void note_version(const Service& s) {
        static const std::set<std::string> kServerRoles = {"EdgeServer", "Registrar", "UserServices", "WebServices"};
        if (!s.version || kServerRoles.count(s.role) == 0) return;
        auto& pools = versions_[*s.version];
        const std::string fqdn = doc_.clusters[cluster_index_.at(s.cluster)].fqdn;
        if (std::find(pools.begin(), pools.end(), fqdn) == pools.end()) pools.push_back(fqdn);
    }

    void skip_cluster(const Cluster& c, const std::vector<const Service*>& roles) {
        std::string names;
        for (const Service* s : roles) names += (names.empty() ? "" : ", ") + s->role;
        skipped_.push_back(c.fqdn + " (" + (names.empty() ? "no Lync service" : names) + ")");
    }

    void map_domains(JsonValue& out) {
        JsonValue domains = JsonValue::array();
        // The default SIP domain first (3.3); InternalDomains are SIP domains, not internal_domains.
        if (!doc_.default_domain.empty()) domains.push_back(doc_.default_domain);
        for (const auto& d : doc_.sip_domains)
            if (std::find(domains.begin(), domains.end(), d) == domains.end()) domains.push_back(d);
        if (domains.empty()) {
            add(Severity::error, kMissing, "/sip_domains",
                "the document has no <InternalDomains><InternalDomain Name=...>: give \"sip_domains\": [\"contoso.com\"] in the overlay");
            return;
        }
        out["sip_domains"] = std::move(domains);
    }

    void map_simple_urls(JsonValue& out) {
        if (!doc_.simple_urls) return;  // format A: said after the merge, when the overlay has not given them
        JsonValue urls = JsonValue::object();
        JsonValue meet = JsonValue::array();
        for (const auto& u : *doc_.simple_urls) {
            if (u.active_url.empty()) continue;
            if (u.component == "meet") meet.push_back(u.active_url);
            else if (u.component == "dialin" && !urls.contains("dialin")) urls["dialin"] = u.active_url;
            // The admin URL's component is Admin in the documentation, Cscp in scripts (3.11).
            else if ((u.component == "admin" || u.component == "cscp") && !urls.contains("admin")) urls["admin"] = u.active_url;
        }
        if (!meet.empty()) urls["meet"] = std::move(meet);
        if (!urls.empty()) out["simple_urls"] = std::move(urls);
    }

    void map_product(JsonValue& out) {
        if (versions_.empty()) {
            out.erase("product");
            add(Severity::error, kMissing, "/product",
                "no Edge, Director or Front End service has a ServiceVersion: give \"product\" (lync2013, skype2015, skype2019, "
                "skypese) in the overlay");
            return;
        }
        const int lowest = versions_.begin()->first;  // the oldest server decides what the deployment can use
        if (versions_.size() > 1) {
            std::string text = "the servers run different versions (";
            for (const auto& [v, pools] : versions_) {
                text += (v == lowest ? "" : "; ") + std::string("ServiceVersion ") + std::to_string(v) + ": ";
                for (std::size_t i = 0; i < pools.size(); ++i) text += (i == 0 ? "" : ", ") + pools[i];
            }
            add(Severity::warning, kProductMixed, "/product", text + "): planned for the oldest, ServiceVersion " + std::to_string(lowest));
        }
        const auto product = model::product_of_service_version(lowest);
        if (!product) {
            out.erase("product");
            add(Severity::error, kMissing, "/product",
                "ServiceVersion " + std::to_string(lowest) + " is not a product certtool plans" +
                    (lowest == 5 ? " (5 is Lync Server 2010)" : " (6 Lync Server 2013, 7 Skype for Business Server 2015, 8 2019)") +
                    ": give \"product\" in the overlay if the servers run lync2013, skype2015, skype2019 or skypese");
            return;
        }
        out["product"] = std::string(model::facts(*product).id);
        add(Severity::info, kDerived, "/product",
            std::string(model::facts(*product).id) + " from ServiceVersion " + std::to_string(lowest) +
                " of the Edge, Director and Front End services");
    }

    std::string next_hop(const Service& edge) const {
        for (const auto& key : edge.depends_on) {
            const auto it = service_index_.find(key);
            if (it == service_index_.end()) continue;
            const Service& target = doc_.services[it->second];
            if (target.role != "Registrar") continue;
            const auto c = cluster_index_.find(target.cluster);
            if (c != cluster_index_.end()) return doc_.clusters[c->second].fqdn;
        }
        return {};
    }

    static const NetInterface* interface(const Machine& m, std::string_view side, const std::string& number) {
        for (const auto& n : m.interfaces)
            if (n.side == side && n.number == number) return &n;
        return nullptr;
    }

    // An Edge pool (3.10): its external FQDNs from the External ports of each service,
    // each member's addresses from the interface those ports bind to.
    JsonValue edge_pool(const Cluster& c, const Service& edge, const std::string& path) {
        JsonValue pool = JsonValue::object();
        pool["fqdn"] = c.fqdn;
        const bool single = c.machines.size() == 1 && c.machines.front().fqdn == c.fqdn;

        struct ServiceSide {
            const char* key;
            const char* owner;
            const char* what;
            std::string fqdn;
            std::string number;
            bool found = false;
        };
        ServiceSide services[] = {{"access", "urn:component:AccessEdge", "Access Edge", {}, "1"},
                                  {"webconf", "urn:component:DataEdge", "Web Conferencing Edge", {}, "1"},
                                  {"av", "urn:component:MediaRelayEdge", "A/V Edge", {}, "1"}};
        bool federation = false, xmpp = false;
        for (const auto& p : edge.ports) {
            if (p.owner == "urn:component:AccessEdge" && p.usage == "SipServer" && p.side == "External") federation = true;
            if (p.owner == "urn:component:XmppFederationProxy") xmpp = true;
            for (auto& s : services)
                if (p.owner == s.owner && p.side == "External" && !s.found) {
                    s.found = !p.configured_fqdn.empty();
                    s.fqdn = p.configured_fqdn;
                    s.number = p.number;
                }
        }

        bool nat = false;
        for (const auto& m : c.machines)
            for (const auto& n : m.interfaces)
                if (n.side == "External" && (!n.public_ip.empty() || !n.public_ipv6.empty())) nat = true;

        if (single) {
            pool["load_balancing"] = "none";
        } else {
            pool["load_balancing"] = "dns";
            // Hardware load balancing with NAT is not a Lync topology, so with NAT "dns" is no assumption.
            if (!nat)
                add(Severity::warning, kAssumed, path + "/load_balancing",
                    "the topology does not record DNS or hardware load balancing (" + std::to_string(c.machines.size()) +
                        " members): \"dns\" assumed; if " + c.fqdn + " and its external FQDNs are a hardware load balancer's "
                        "VIPs, give \"load_balancing\": \"hlb\" (and \"vips\") for this pool in the overlay");
        }
        pool["external_addressing"] = nat ? "nat" : "public";
        JsonValue external = JsonValue::object();
        for (const auto& s : services) {
            if (s.found) {
                external[s.key] = s.fqdn;
            } else {
                add(Severity::error, kMissing, path + "/external/" + s.key,
                    std::string("the Edge service of ") + c.fqdn + " (line " + std::to_string(c.line) + ") has no external " + s.what +
                        " port with a ConfiguredFqdn: give \"external\": {\"" + s.key + "\": \"...\"} for this pool in the overlay");
            }
        }
        pool["external"] = std::move(external);
        pool["federation"] = federation;
        pool["xmpp_proxy"] = xmpp;
        if (const std::string hop = next_hop(edge); !hop.empty()) pool["next_hop"] = hop;

        JsonValue members = JsonValue::array();
        const ServiceSide& av = services[2];
        for (std::size_t i = 0; i < c.machines.size(); ++i) {
            const Machine& m = c.machines[i];
            const std::string at = path + "/members/" + std::to_string(i);
            JsonValue member = JsonValue::object();
            member["fqdn"] = m.fqdn;
            for (const auto& n : m.interfaces)
                if (n.side == "Internal" && (!n.ip.empty() || !n.ipv6.empty())) {
                    member["internal_ip"] = addresses(n.ip, n.ipv6);
                    break;
                }
            JsonValue external_ips = JsonValue::object(), public_ips = JsonValue::object();
            const NetInterface* av_side = interface(m, "External", av.number);
            for (const auto& s : services) {
                const NetInterface* n = interface(m, "External", s.number);
                if (n != nullptr && (!n->ip.empty() || !n->ipv6.empty())) external_ips[s.key] = addresses(n->ip, n->ipv6);
                if (!nat) continue;
                // Topology Builder asks for the A/V public address only (MS-TB-NAT): it is the other
                // services' public address too when they share the A/V interface; else it is unknown.
                const NetInterface* from = n != nullptr && (!n->public_ip.empty() || !n->public_ipv6.empty()) ? n
                                           : (s.number == av.number ? av_side : nullptr);
                if (from != nullptr && (!from->public_ip.empty() || !from->public_ipv6.empty())) {
                    public_ips[s.key] = addresses(from->public_ip, from->public_ipv6);
                } else {
                    add(Severity::error, kMissing, at + "/public_ips/" + s.key,
                        std::string("NAT: the topology holds the public address of the A/V Edge only, and the ") + s.what +
                            " of " + m.fqdn + " has an interface of its own: give its public address in the overlay "
                            "(members matched by \"fqdn\": \"" + m.fqdn + "\")");
                }
            }
            if (!external_ips.empty()) member["external_ips"] = std::move(external_ips);
            if (!public_ips.empty()) member["public_ips"] = std::move(public_ips);
            members.push_back(std::move(member));
        }
        pool["members"] = std::move(members);
        return pool;
    }

    static JsonValue server_members(const Cluster& c) {
        JsonValue members = JsonValue::array();
        for (const auto& m : c.machines) {
            JsonValue member = JsonValue::object();
            member["fqdn"] = m.fqdn;
            for (const auto& n : m.interfaces)
                if (n.side == "Primary" && (!n.ip.empty() || !n.ipv6.empty())) {
                    member["ip"] = addresses(n.ip, n.ipv6);
                    break;
                }
            members.push_back(std::move(member));
        }
        return members;
    }

    // Internal web services: the pool FQDN, as in every document seen; where Topology Builder
    // keeps an overridden internal FQDN is not known (3.8), so an override comes from the overlay.
    static void web_services(JsonValue& pool, const std::vector<const Service*>& roles) {
        const Service* web = find_role(roles, "WebServices");
        if (web != nullptr && web->external_web_host && !web->external_web_host->empty())
            pool["web_services"] = JsonValue{{"internal", pool["fqdn"]}, {"external", *web->external_web_host}};
    }

    // A Front End pool or Standard Edition server (3.8): no attribute says which;
    // one server carrying the pool's FQDN is Standard Edition.
    JsonValue front_end(const Cluster& c, const std::vector<const Service*>& roles, const std::string& path) {
        JsonValue pool = JsonValue::object();
        pool["fqdn"] = c.fqdn;
        const bool standard = c.machines.size() == 1 && c.machines.front().fqdn == c.fqdn;
        pool["edition"] = standard ? "standard" : "enterprise";
        if (standard)
            add(Severity::info, kDerived, path + "/edition",
                "standard: one server whose FQDN is the pool's (the document has no edition attribute)");
        pool["members"] = server_members(c);
        web_services(pool, roles);
        return pool;
    }

    // A Director (3.9): a Registrar with IsDirector="true" and no user services.
    static JsonValue director(const Cluster& c, const std::vector<const Service*>& roles) {
        JsonValue pool = JsonValue::object();
        pool["fqdn"] = c.fqdn;
        pool["members"] = server_members(c);
        web_services(pool, roles);
        return pool;
    }
};

// ---- the overlay ----

std::string key_of(const JsonValue& element) {
    if (!element.is_object()) return {};
    if (element.contains("fqdn") && element["fqdn"].is_string()) return "fqdn:" + fqdn_of(element["fqdn"].get<std::string>());
    if (element.contains("name") && element["name"].is_string()) return "name:" + element["name"].get<std::string>();
    return {};
}

bool named_array(const JsonValue& a) {
    return a.is_array() && !a.empty() && std::all_of(a.begin(), a.end(), [](const JsonValue& e) { return !key_of(e).empty(); });
}

std::string escape_pointer(const std::string& key) {
    std::string out;
    for (char c : key) out += c == '~' ? "~0" : c == '/' ? "~1" : std::string(1, c);
    return out;
}

void merge_into(JsonValue& base, const JsonValue& overlay, const std::string& path, std::vector<std::string>* written) {
    for (auto it = overlay.begin(); it != overlay.end(); ++it) {
        const std::string at = path + "/" + escape_pointer(it.key());
        const JsonValue& value = it.value();
        if (value.is_null()) {
            base.erase(it.key());
            if (written != nullptr) written->push_back(at);
            continue;
        }
        if (!base.contains(it.key())) {
            base[it.key()] = value;
            if (written != nullptr) written->push_back(at);
            continue;
        }
        JsonValue& target = base[it.key()];
        if (value.is_object() && target.is_object()) {
            merge_into(target, value, at, written);
        } else if (value.is_array() && target.is_array() && named_array(value) && (target.empty() || named_array(target))) {
            for (const auto& element : value) {
                const std::string key = key_of(element);
                std::size_t i = 0;
                while (i < target.size() && key_of(target[i]) != key) ++i;
                const std::string element_at = at + "/" + std::to_string(i);
                if (i < target.size()) {
                    JsonValue rest = element;  // the key matched: the imported spelling stays
                    rest.erase(key.rfind("fqdn:", 0) == 0 ? "fqdn" : "name");
                    merge_into(target[i], rest, element_at, written);
                } else {
                    target.push_back(element);
                    if (written != nullptr) written->push_back(element_at);
                }
            }
        } else {
            target = value;
            if (written != nullptr) written->push_back(at);
        }
    }
}

bool answered(const std::string& path, const std::vector<std::string>& written) {
    return std::any_of(written.begin(), written.end(), [&](const std::string& w) {
        return w == path || path.rfind(w + "/", 0) == 0 || w.rfind(path + "/", 0) == 0;
    });
}

// The fields no topology XML holds (section 4), said when the overlay has not given them.
void not_in_source(const JsonValue& t, const Document& doc, std::vector<Finding>& out) {
    const auto add = [&](Severity s, const char* code, const std::string& path, const std::string& message) {
        out.push_back({s, code, message, path, "", ""});
    };
    if (!t.contains("organization"))
        add(Severity::warning, kNotInSource, "/organization",
            "the topology holds no organization: give \"organization\": {\"organization\": ..., \"locality\": ..., \"state\": ..., "
            "\"country\": ...} in the overlay for the certificates' subject");
    if (!t.contains("simple_urls"))
        add(Severity::warning, kNotInSource, "/simple_urls",
            std::string(doc.format == SourceFormat::published
                            ? "a published topology holds no simple URLs (Get-CsSimpleUrlConfiguration does)"
                            : "the Topology Builder file has no simple URLs") +
                ": give \"simple_urls\": {\"meet\": [...], \"dialin\": ..., \"admin\": ...} in the overlay");
    bool external_web = false, reverse_proxy = false, xmpp_proxy = false;
    if (t.contains("sites") && t["sites"].is_array())
        for (const auto& s : t["sites"]) {
            if (!s.is_object()) continue;
            reverse_proxy = reverse_proxy || s.contains("reverse_proxies");
            for (const char* kind : {"front_end_pools", "directors"})
                if (s.contains(kind) && s[kind].is_array())
                    for (const auto& p : s[kind]) external_web = external_web || (p.is_object() && p.contains("web_services"));
            if (s.contains("edge_pools") && s["edge_pools"].is_array())
                for (const auto& p : s["edge_pools"]) xmpp_proxy = xmpp_proxy || (p.is_object() && p.value("xmpp_proxy", false) == true);
        }
    if (external_web && !reverse_proxy)
        add(Severity::warning, kNotInSource, "/sites/0/reverse_proxies",
            "the reverse proxy is not part of a Lync topology: give the site's \"reverse_proxies\": [{\"name\": ..., \"members\": "
            "[...], \"publishes\": [...]}] in the overlay (sites matched by \"name\")");
    if (xmpp_proxy && !(t.contains("xmpp") && t["xmpp"].is_object() && t["xmpp"].contains("domains")))
        add(Severity::warning, kNotInSource, "/xmpp/domains",
            "an Edge pool runs the XMPP proxy, and the XMPP partner domains are not in the topology: give \"xmpp\": {\"domains\": "
            "[...], \"srv_target\": ...} in the overlay");
    for (const auto& [field, what] : std::initializer_list<std::pair<const char*, const char*>>{
             {"policy", "key algorithm and size, signature hash, validity: the defaults (RSA 2048, SHA-256) apply"},
             {"mobility", "mobility: autodiscover over https (lyncdiscover names on certificates) applies"},
             {"oauth", "OAuth: the OAuthTokenIssuer certificate is planned with the plan's default subject, the first SIP "
                       "domain (C7); give \"oauth\": {\"subject\": ...} for another"},
             {"internal_domains", "internal_domains: the AD DNS domains of the servers are not listed"}})
        if (!t.contains(field))
            add(Severity::info, kDefaultApplies, std::string("/") + field, std::string("not in the topology XML; ") + what);
}

// The first byte that is not a BOM, whitespace or a UTF-16 NUL must open a tag (pitfall 5).
void check_looks_like_xml(std::string_view bytes, const std::string& file) {
    std::size_t i = 0;
    if (bytes.substr(0, 3) == "\xEF\xBB\xBF") i = 3;
    else if (bytes.substr(0, 2) == "\xFF\xFE" || bytes.substr(0, 2) == "\xFE\xFF") i = 2;
    while (i < bytes.size() && (bytes[i] == '\0' || bytes[i] == ' ' || bytes[i] == '\t' || bytes[i] == '\r' || bytes[i] == '\n')) ++i;
    if (i == bytes.size())
        fail("import.not-xml", file, 0, "empty: expected the topology XML, made by " + std::string(kPowerShell));
    if (bytes[i] != '<')
        fail("import.not-xml", file, 0,
             std::string("not XML (it does not begin with '<'): a topology piped to Out-File without .ToString() is "
                         "PowerShell's table view, not the XML; make it with: ") + kPowerShell);
}

}  // namespace

bool Result::has_errors() const {
    return std::any_of(findings.begin(), findings.end(), [](const Finding& f) { return f.severity == Severity::error; });
}

Overlay parse_overlay(std::string_view text, const std::string& file_name) {
    const StrictJson parsed = parse_json_strict(text);
    const auto bad = [&](int line, int column, const std::string& message) {
        Diagnostic d;
        d.code = "import.overlay-invalid";
        d.file = file_name;
        d.line = line;
        d.column = column;
        d.message = message;
        throw InputError(std::move(d));
    };
    if (!parsed.ok && parsed.too_deep) bad(0, 0, "nested more than 64 levels deep (at " + parsed.too_deep_at + ")");
    if (!parsed.ok) bad(parsed.line, parsed.column, "invalid JSON: " + parsed.syntax_problem);
    if (!parsed.duplicate_keys.empty())
        bad(0, 0, "the key '" + parsed.duplicate_keys.front().second + "' twice in one object (at " + parsed.duplicate_keys.front().first + ")");
    if (!parsed.document.is_object()) bad(0, 0, "not a JSON object: an overlay holds the topology's own fields, {\"organization\": ...}");
    return {parsed.document, file_name, crypto::sha256_hex(text)};
}

JsonValue merge_overlay(const JsonValue& imported, const JsonValue& overlay, std::vector<std::string>* written) {
    JsonValue out = imported;
    if (overlay.is_object()) merge_into(out, overlay, "", written);
    return out;
}

Result import_topology(std::string_view bytes, const std::string& file_name, const std::optional<Overlay>& overlay) {
    const xml::Limits limits;
    if (bytes.size() > limits.max_bytes)
        fail("import.source.too-large", file_name, 0, "larger than " + std::to_string(limits.max_bytes >> 20) + " MiB: refused before parsing");
    check_looks_like_xml(bytes, file_name);
    const Element root = xml::parse(bytes, file_name, limits);
    const Document doc = Reader(file_name).read(root);
    Mapper mapper(doc);
    JsonValue imported = mapper.map();

    JsonValue source = JsonValue::object();
    source["file"] = fs::base_name(file_name);
    source["sha256"] = crypto::sha256_hex(bytes);
    source["format"] = doc.format == SourceFormat::published ? "published topology (Get-CsTopology -AsXml)" : "Topology Builder (.tbxml)";
    if (!doc.signature.empty()) source["signature"] = doc.signature;
    if (overlay) source["overlay"] = JsonValue{{"file", fs::base_name(overlay->file)}, {"sha256", overlay->sha256}};
    JsonValue ordered = JsonValue::object();
    for (auto it = imported.begin(); it != imported.end(); ++it) {
        ordered[it.key()] = it.value();
        if (it.key() == "schema") ordered["x-imported-from"] = source;
    }

    Result result;
    result.format = doc.format;
    std::vector<std::string> written;
    result.topology = overlay ? merge_overlay(ordered, overlay->document, &written) : ordered;
    for (auto& f : mapper.findings)
        if (f.path.empty() || !answered(f.path, written)) result.findings.push_back(std::move(f));
    not_in_source(result.topology, doc, result.findings);
    return result;
}

std::string overlay_path(const JsonValue& topology, const std::string& pointer) {
    std::string out;
    const JsonValue* at = &topology;
    std::size_t i = 1;
    while (i <= pointer.size() && !pointer.empty()) {
        const std::size_t end = std::min(pointer.find('/', i), pointer.size());
        std::string token = pointer.substr(i, end - i);
        for (std::size_t p = 0; (p = token.find('~', p)) != std::string::npos; ++p)
            token.replace(p, 2, token.compare(p, 2, "~1") == 0 ? "/" : "~");
        i = end + 1;
        if (at != nullptr && at->is_array() && !token.empty() && token.size() < 10 &&
            std::all_of(token.begin(), token.end(), [](unsigned char c) { return std::isdigit(c) != 0; })) {
            const std::size_t index = std::stoul(token);
            const JsonValue* element = index < at->size() ? &(*at)[index] : nullptr;
            const std::string key = element != nullptr ? key_of(*element) : std::string();
            out += key.empty() ? "[" + token + "]" : "[" + key.substr(0, key.find(':')) + "=" + key.substr(key.find(':') + 1) + "]";
            at = element;
            continue;
        }
        out += (out.empty() ? "" : ".") + token;
        at = at != nullptr && at->is_object() && at->contains(token) ? &(*at)[token] : nullptr;
    }
    return out;
}

std::vector<Finding> plan_errors(const JsonValue& topology, const std::string& file_name, TimePoint at) {
    std::vector<Finding> out;
    try {
        const topology::Topology t = topology::parse(topology.dump(), file_name);
        const model::Plan plan = model::build_plan(t, {file_name, ""}, at);
        for (const auto& f : plan.findings)
            if (f.severity == Severity::error) out.push_back(f);
    } catch (const InputError& e) {
        for (const auto& d : e.diagnostics()) out.push_back({Severity::error, d.code, d.message, d.path, "", ""});
    }
    return out;
}

}  // namespace certtool::import
