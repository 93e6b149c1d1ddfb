// audit --dns: resolve, compare, follow. See dns_audit.hpp; the codes are in
// lib/core/finding_catalogue.cpp and README "certtool audit".
#include "audit/dns_audit.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <random>
#include <set>

#include "core/finding_catalogue.hpp"
#include "core/time.hpp"
#include "crypto/sip_probe.hpp"
#include "names/names.hpp"

namespace certtool::audit {

namespace {

using dns::RecordType;
using dns::Status;
using model::Finding;
using model::Severity;
using std::chrono::milliseconds;

Finding finding(Severity severity, std::string code, std::string message, const std::string& certificate = "", std::string policy = "") {
    return Finding{severity, std::move(code), std::move(message), "", certificate, std::move(policy)};
}

std::string join(const std::vector<std::string>& items, const std::string& separator = ", ") {
    std::string out;
    for (const auto& item : items) out += (out.empty() ? "" : separator) + item;
    return out;
}

bool contains(const std::vector<std::string>& list, const std::string& item) {
    return std::find(list.begin(), list.end(), item) != list.end();
}

std::string srv_text(const dns::Srv& s) {
    return std::to_string(s.priority) + " " + std::to_string(s.weight) + " " + std::to_string(s.port) + " " + s.target;
}

std::string endpoint_text(const std::string& address, int port) {
    return (address.find(':') != std::string::npos ? "[" + address + "]" : address) + ":" + std::to_string(port);
}

// What the plan says about one name of the view.
struct Planned {
    std::string name;
    std::string type;  // "SRV", "A", "CNAME", "absent"
    std::vector<dns::Srv> srv;
    std::vector<std::string> addresses;
    std::string cname_target;
    std::string certificate;
    std::string reason;
    bool wildcard_probe = false;
};

std::vector<Planned> planned_names(const model::Plan& plan, const std::string& view) {
    std::vector<Planned> out;
    const auto find = [&](const std::string& name, const std::string& family) -> Planned& {
        for (auto& p : out)
            if (p.name == name && (p.type == "SRV") == (family == "SRV")) return p;
        Planned p;
        p.name = name;
        p.type = family;
        out.push_back(std::move(p));
        return out.back();
    };
    for (const auto& r : plan.dns) {
        if (r.zone != view) continue;
        const std::string name = names::lower_ascii(r.name);
        const std::string target = names::lower_ascii(r.target);
        if (r.type == "SRV") {
            Planned& p = find(name, "SRV");
            p.srv.push_back({r.priority, r.weight, r.port, target});
            if (p.certificate.empty()) p.certificate = r.certificate;
            if (p.reason.empty()) p.reason = r.reason;
        } else {
            Planned& p = find(name, "A");
            if (r.type == "CNAME") {
                p.type = "CNAME";
                p.cname_target = target;
            } else if (!contains(p.addresses, target)) {
                p.addresses.push_back(target);
            }
            if (p.certificate.empty()) p.certificate = r.certificate;
            if (p.reason.empty()) p.reason = r.reason;
        }
    }
    return out;
}

// The SIP domains of the view: the domains of its `_sip._tls` and
// `_sipfederationtls._tcp` records (external), `_sipinternaltls._tcp` (internal).
std::vector<std::string> sip_domains(const std::vector<Planned>& planned) {
    std::vector<std::string> out;
    for (const auto& p : planned) {
        for (const char* prefix : {"_sip._tls.", "_sipfederationtls._tcp.", "_sipinternaltls._tcp."}) {
            const std::string pre(prefix);
            if (p.type == "SRV" && p.name.rfind(pre, 0) == 0 && !contains(out, p.name.substr(pre.size()))) out.push_back(p.name.substr(pre.size()));
        }
    }
    return out;
}

// The names a client outside tries before the external ones, which must not
// resolve from outside: it would wait on an internal address (Lync sign-in
// order: _sipinternaltls._tcp, _sip._tls, sipinternal, sip, sipexternal;
// Autodiscover: lyncdiscoverinternal before lyncdiscover).
void add_absent_names(std::vector<Planned>& planned, const std::vector<std::string>& domains, const std::string& view) {
    if (view != "external") return;
    const auto planned_already = [&](const std::string& name) {
        return std::any_of(planned.begin(), planned.end(), [&](const Planned& p) { return p.name == name; });
    };
    std::vector<Planned> more;
    for (const auto& d : domains) {
        const std::vector<std::pair<std::string, std::string>> names = {
            {"_sipinternaltls._tcp." + d, "SRV"}, {"sipinternal." + d, "A"}, {"lyncdiscoverinternal." + d, "A"}};
        for (const auto& [name, family] : names) {
            if (planned_already(name)) continue;
            Planned p;
            p.name = name;
            p.type = "absent";
            p.srv = family == "SRV" ? std::vector<dns::Srv>{{}} : std::vector<dns::Srv>{};
            p.reason = "internal-only name: a client outside tries it first and must get no answer";
            more.push_back(std::move(p));
        }
    }
    planned.insert(planned.end(), more.begin(), more.end());
}

std::string random_label() {
    std::random_device device;
    std::uniform_int_distribution<int> hex(0, 15);
    std::string out = "certtool-probe-";
    for (int i = 0; i < 10; ++i) out += "0123456789abcdef"[hex(device)];
    return out;
}

// One probe per domain the view's names live in: a name nobody would create.
void add_wildcard_probes(std::vector<Planned>& planned, const std::string& label) {
    std::vector<std::string> domains;
    for (const auto& p : planned) {
        if (p.type == "absent") continue;
        const std::string host = p.type == "SRV" ? names::parent_of(names::parent_of(p.name)) : names::parent_of(p.name);
        if (!host.empty() && host.find('.') != std::string::npos && !contains(domains, host)) domains.push_back(host);
    }
    for (const auto& d : domains) {
        Planned p;
        p.name = label + "." + d;
        p.type = "absent";
        p.wildcard_probe = true;
        p.reason = "wildcard probe: a name nobody created must not resolve in " + d;
        planned.push_back(std::move(p));
    }
}

using Key = std::pair<std::string, RecordType>;
using Answers = std::map<Key, dns::Answer>;

// The answers of one resolver, asked for `queries` (each once).
void ask(const std::vector<Key>& queries, const dns::Server* server, const DnsOptions& options, milliseconds budget, Answers& into) {
    std::vector<dns::Query> batch;
    for (const auto& k : queries)
        if (!into.count(k)) batch.push_back({k.first, k.second});
    if (batch.empty()) return;
    dns::Options o;
    if (server) o.servers = {*server};
    o.query_timeout = options.query_timeout;
    o.tries = 2;
    o.deadline = std::max(milliseconds(1), budget);
    for (auto& a : dns::resolve(batch, o)) into[{a.query.name, a.query.type}] = std::move(a);
}

std::string status_text(const dns::Answer& a) {
    switch (a.status) {
        case Status::nxdomain: return "NXDOMAIN (the name does not exist)";
        case Status::no_data: return "no " + dns::to_string(a.query.type) + " record (the name exists)";
        case Status::servfail: return "SERVFAIL (the server could not answer)";
        case Status::refused: return "REFUSED (the server will not answer for this name)";
        case Status::timeout: return "no answer (timeout" + (a.detail.empty() ? std::string() : ": " + a.detail) + ")";
        case Status::unreachable: return "the DNS server's port is closed (" + a.detail + ")";
        case Status::error: return "error: " + a.detail;
        case Status::answered: return "answered";
    }
    return "error";
}

bool failed(const dns::Answer& a) {
    return a.status == Status::servfail || a.status == Status::refused || a.status == Status::timeout || a.status == Status::unreachable ||
           a.status == Status::error;
}

// The finding for an answer that is not an answer (a server failure), by status.
Finding server_failure(const dns::Answer& a, const std::string& via, const std::string& certificate) {
    const std::string what = dns::to_string(a.query.type) + " " + a.query.name + " via " + via + ": ";
    switch (a.status) {
        case Status::servfail: return finding(Severity::error, "dns.servfail", what + "SERVFAIL: the server could not answer (a broken delegation or zone)", certificate);
        case Status::refused: return finding(Severity::error, "dns.refused", what + "REFUSED: this server does not answer for the name (not its zone, or recursion is off)", certificate);
        case Status::timeout: return finding(Severity::error, "dns.timeout", what + "no answer within the timeout: the server does not answer", certificate);
        case Status::unreachable: return finding(Severity::error, "dns.unreachable", what + "the server's port is closed (" + a.detail + ")", certificate);
        default: return finding(Severity::error, "dns.error", what + "an answer certtool cannot read (" + a.detail + ")", certificate);
    }
}

std::string chain_text(const dns::Answer& a) {
    std::string out;
    for (const auto& link : a.chain) out += (out.empty() ? link.name : std::string()) + " -> " + link.target;
    return out;
}

// Where a record's name is served, to connect to.
struct Connection {
    std::size_t check = 0;
    std::string address;
    int port = 0;
    std::string sni;
    bool sip = false;
};

// The ports a client uses with an address record `name` of certificate `r`:
// the plan's endpoints with that SNI; none when SRV records lead to the name
// (their check connects); else 443 when the certificate is served there.
std::vector<std::pair<int, bool>> ports_for(const std::string& name, const model::CertificateRequirement* r, const std::set<std::string>& srv_targets) {
    std::vector<std::pair<int, bool>> out;  // port, SIP
    if (!r) return out;
    for (const auto& e : r->endpoints) {
        if (names::lower_ascii(e.sni) != name) continue;
        const bool sip = e.service == "access-federation";
        if (std::none_of(out.begin(), out.end(), [&](const auto& p) { return p.first == e.port; })) out.emplace_back(e.port, sip);
    }
    if (!out.empty() || srv_targets.count(name)) return out;
    if (std::any_of(r->endpoints.begin(), r->endpoints.end(), [](const model::Endpoint& e) { return e.port == 443; })) out.emplace_back(443, false);
    return out;
}

// The certificate that answers for `name`: the record's, else the one with an endpoint of that SNI.
const model::CertificateRequirement* certificate_for(const model::Plan& plan, const Planned& p) {
    if (!p.certificate.empty()) return plan.find(p.certificate);
    for (const auto& r : plan.certificates)
        for (const auto& e : r.endpoints)
            if (names::lower_ascii(e.sni) == p.name) return &r;
    // Else a served certificate that carries the name (lyncdiscoverinternal on
    // the Front End's, a member's own FQDN on its certificate).
    for (const auto& r : plan.certificates)
        if (!r.endpoints.empty() && r.has_san(p.name)) return &r;
    return nullptr;
}

class Auditor {
public:
    Auditor(const model::Plan& plan, const DnsOptions& options) : plan_(plan), options_(options) {
        if (options.resolvers.empty()) {
            vias_.push_back("system");
        } else {
            for (const auto& s : options.resolvers) vias_.push_back(s.text());
        }
        answers_.resize(vias_.size());
    }

    DnsAudit run() {
        const auto start = Clock::now();
        const auto budget = [&] { return std::chrono::duration_cast<milliseconds>(options_.limits.deadline - (Clock::now() - start)); };
        planned_ = planned_names(plan_, options_.view);
        const auto domains = sip_domains(planned_);
        add_wildcard_probes(planned_, options_.probe_label.empty() ? random_label() : options_.probe_label);
        add_absent_names(planned_, domains, options_.view);

        std::vector<Key> first;
        for (const auto& p : planned_) {
            if (p.type == "SRV" || (p.type == "absent" && !p.srv.empty())) {
                first.push_back({p.name, RecordType::srv});
            } else {
                first.push_back({p.name, RecordType::a});
                first.push_back({p.name, RecordType::aaaa});
            }
        }
        for (std::size_t r = 0; r < vias_.size(); ++r) ask(first, server(r), options_, budget(), answers_[r]);
        // The SRV targets' addresses.
        for (std::size_t r = 0; r < vias_.size(); ++r) {
            std::vector<Key> second;
            for (const auto& p : planned_) {
                if (p.type != "SRV") continue;
                const auto& a = answers_[r][{p.name, RecordType::srv}];
                for (const auto& s : a.srv) {
                    second.push_back({s.target, RecordType::a});
                    second.push_back({s.target, RecordType::aaaa});
                }
            }
            ask(second, server(r), options_, budget(), answers_[r]);
        }
        for (const auto& p : planned_)
            if (p.type == "SRV")
                for (const auto& s : p.srv) srv_targets_.insert(s.target);

        DnsAudit audit;
        audit.view = options_.view;
        audit.resolvers = vias_;
        for (const auto& p : planned_) {
            DnsCheck check{p.name, p.type, p.certificate, p.reason, {}};
            if (p.type == "SRV") judge_srv(p, check);
            else if (p.type == "absent") judge_absent(p, check);
            else judge_address(p, check);
            audit.checks.push_back(std::move(check));
        }
        connect(audit);
        return audit;
    }

private:
    using Clock = std::chrono::steady_clock;

    const dns::Server* server(std::size_t r) const { return options_.resolvers.empty() ? nullptr : &options_.resolvers[r]; }

    const dns::Answer& answer(std::size_t r, const std::string& name, RecordType type) {
        auto& a = answers_[r][{name, type}];
        if (a.query.name.empty()) {  // never asked (the deadline passed first)
            a.query = {name, type};
            a.status = Status::timeout;
            a.detail = "the deadline passed before it was asked";
        }
        return a;
    }

    // Adds `address` (to connect to) for the check, once.
    void remember(std::size_t check, const std::string& address) {
        auto& list = addresses_[check];
        if (!contains(list, address)) list.push_back(address);
    }

    void judge_srv(const Planned& p, DnsCheck& check) {
        const std::size_t index = &p - planned_.data();
        const std::string domain = names::parent_of(names::parent_of(p.name));
        const auto* cert = certificate_for(plan_, p);
        for (std::size_t r = 0; r < vias_.size(); ++r) {
            const auto& a = answer(r, p.name, RecordType::srv);
            DnsStep step{"resolve", "SRV " + p.name + " via " + vias_[r], {}, a.elapsed, {}};
            if (a.status != Status::answered) {
                step.result = status_text(a);
                if (failed(a)) {
                    step.findings.push_back(server_failure(a, vias_[r], p.certificate));
                } else {
                    std::vector<std::string> planned;
                    for (const auto& s : p.srv) planned.push_back(srv_text(s));
                    step.findings.push_back(finding(Severity::error, "dns.missing",
                                                    "SRV " + p.name + " via " + vias_[r] + ": " + status_text(a) + "; the plan has " + join(planned, "; "),
                                                    p.certificate));
                }
                check.steps.push_back(std::move(step));
                continue;
            }
            std::vector<std::string> found;
            for (const auto& s : a.srv) found.push_back(srv_text(s));
            step.result = join(found, "; ");
            std::vector<std::string> planned_targets;
            for (const auto& s : p.srv) planned_targets.push_back(s.target);
            for (const auto& s : a.srv) {
                const auto plan_it = std::find_if(p.srv.begin(), p.srv.end(), [&](const dns::Srv& x) { return x.target == s.target; });
                if (plan_it == p.srv.end()) {
                    step.findings.push_back(finding(Severity::error, "dns.wrong-target",
                                                    "SRV " + p.name + " sends clients to " + s.target + ", which the plan does not: the plan's target is " +
                                                        join(planned_targets) + (cert && !cert->has_san(s.target) ? "; " + s.target + " is not on " + cert->id : ""),
                                                    p.certificate));
                } else {
                    if (plan_it->port != s.port)
                        step.findings.push_back(finding(Severity::error, "dns.srv-port",
                                                        "SRV " + p.name + " -> " + s.target + " gives port " + std::to_string(s.port) + ", the plan " +
                                                            std::to_string(plan_it->port) + ": clients connect where nothing of Lync listens",
                                                        p.certificate));
                    if (plan_it->priority != s.priority || plan_it->weight != s.weight)
                        step.findings.push_back(finding(Severity::warning, "dns.srv-priority",
                                                        "SRV " + p.name + " -> " + s.target + " has priority " + std::to_string(s.priority) + " and weight " +
                                                            std::to_string(s.weight) + ", the plan " + std::to_string(plan_it->priority) + " and " +
                                                            std::to_string(plan_it->weight),
                                                        p.certificate));
                }
                if (!names::is_within(s.target, domain))
                    step.findings.push_back(finding(options_.strict_dns ? Severity::error : Severity::warning, "dns.srv-target-outside-domain",
                                                    "SRV " + p.name + " targets " + s.target + ", outside " + domain +
                                                        ": Lync 2010 and later clients show a trust prompt (DNS-REQ, C16)" +
                                                        (options_.strict_dns ? "; policy strict_dns makes this an error" : ""),
                                                    p.certificate, "C16"));
            }
            for (const auto& t : planned_targets)
                if (std::none_of(a.srv.begin(), a.srv.end(), [&](const dns::Srv& s) { return s.target == t; }) &&
                    std::none_of(step.findings.begin(), step.findings.end(), [](const Finding& f) { return f.code == "dns.wrong-target"; }))
                    step.findings.push_back(finding(Severity::error, "dns.missing", "SRV " + p.name + " has no record for the plan's target " + t, p.certificate));
            check.steps.push_back(std::move(step));

            // Each target's addresses.
            for (const auto& s : a.srv) {
                std::vector<std::string> addresses;
                DnsStep host{"resolve", "A/AAAA " + s.target + " via " + vias_[r], {}, {}, {}};
                resolve_addresses(s.target, r, host, addresses, p.certificate);
                const std::string planned_addresses = join(planned_addresses_of(s.target));
                if (!addresses.empty() && !planned_addresses_of(s.target).empty())
                    compare_addresses(s.target, planned_addresses_of(s.target), addresses, host, p.certificate);
                check.steps.push_back(std::move(host));
                for (const auto& address : addresses) {
                    if (std::none_of(connections_.begin(), connections_.end(), [&](const Connection& c) {
                            return c.check == index && c.address == address && c.port == s.port && c.sni == s.target;
                        }))
                        connections_.push_back({index, address, s.port, s.target, p.name.rfind("_sipfederationtls._tcp.", 0) == 0});
                }
            }
        }
    }

    std::vector<std::string> planned_addresses_of(const std::string& name) const {
        for (const auto& p : planned_)
            if (p.name == name && (p.type == "A" || p.type == "CNAME")) {
                if (p.type == "CNAME") return planned_addresses_of(p.cname_target);
                return p.addresses;
            }
        return {};
    }

    // The A and AAAA answers for `name` through resolver `r`: the addresses
    // found, the step's result, and the findings of a failed or looping lookup.
    // Returns false when the name did not resolve at all.
    bool resolve_addresses(const std::string& name, std::size_t r, DnsStep& step, std::vector<std::string>& found, const std::string& certificate,
                           bool want_v4 = true, bool want_v6 = false, bool report_missing = true) {
        const auto& a4 = answer(r, name, RecordType::a);
        const auto& a6 = answer(r, name, RecordType::aaaa);
        step.elapsed = std::max(a4.elapsed, a6.elapsed);
        for (const auto* a : {&a4, &a6})
            for (const auto& x : a->addresses) found.push_back(x);
        const dns::Answer& shown = a4.chain.empty() ? a6 : a4;
        std::string text = found.empty() ? status_text(a4.status == Status::answered ? a6 : a4) : join(found);
        if (!shown.chain.empty()) text += " (CNAME " + chain_text(shown) + ")";
        step.result = text;
        if (a4.cname_loop || a6.cname_loop) {
            step.findings.push_back(finding(Severity::error, "dns.cname-loop",
                                            name + " via " + vias_[r] + ": the CNAME chain " + chain_text(a4.cname_loop ? a4 : a6) +
                                                (shown.chain.size() > dns::kMaxCnameChain ? " is longer than " + std::to_string(dns::kMaxCnameChain) + " links"
                                                                                          : " comes back to a name it passed") +
                                                ": the name resolves to nothing",
                                            certificate));
            return false;
        }
        for (const auto* a : {&a4, &a6}) {
            const bool wanted = a == &a4 ? want_v4 : want_v6;
            if (failed(*a) && (wanted || a->status != Status::error)) step.findings.push_back(server_failure(*a, vias_[r], certificate));
        }
        if (found.empty() && report_missing && !failed(a4) && !failed(a6))
            step.findings.push_back(finding(Severity::error, "dns.missing",
                                            name + " via " + vias_[r] + ": " + status_text(a4) +
                                                (shown.chain.empty() ? "" : " at the end of the CNAME chain " + chain_text(shown)),
                                            certificate));
        return !found.empty();
    }

    void compare_addresses(const std::string& name, const std::vector<std::string>& planned, const std::vector<std::string>& found, DnsStep& step,
                           const std::string& certificate) {
        for (const auto& x : found)
            if (!contains(planned, x))
                step.findings.push_back(finding(Severity::error, "dns.address-unplanned",
                                                name + " gives " + x + ", an address the plan does not know (the plan: " + join(planned) +
                                                    "): clients sent there reach no planned server",
                                                certificate));
        for (const auto& x : planned)
            if (!contains(found, x))
                step.findings.push_back(finding(Severity::error, "dns.address-missing",
                                                name + " lacks the plan's address " + x + ": no client is sent to that server", certificate));
    }

    void judge_address(const Planned& p, DnsCheck& check) {
        const std::size_t index = &p - planned_.data();
        const auto* cert = certificate_for(plan_, p);
        if (check.certificate.empty() && cert) check.certificate = cert->id;
        const auto expected = p.type == "CNAME" ? planned_addresses_of(p.cname_target) : p.addresses;
        const bool v6 = std::any_of(expected.begin(), expected.end(), [](const std::string& x) { return x.find(':') != std::string::npos; });
        const bool v4 = expected.empty() || std::any_of(expected.begin(), expected.end(), [](const std::string& x) { return x.find(':') == std::string::npos; });
        for (std::size_t r = 0; r < vias_.size(); ++r) {
            DnsStep step{"resolve", (p.type == "CNAME" ? "CNAME, A/AAAA " : "A/AAAA ") + p.name + " via " + vias_[r], {}, {}, {}};
            std::vector<std::string> found;
            const bool resolved = resolve_addresses(p.name, r, step, found, check.certificate, v4, v6);
            const auto& a4 = answer(r, p.name, RecordType::a);
            const auto& shown = a4.chain.empty() ? answer(r, p.name, RecordType::aaaa) : a4;
            if (p.type == "CNAME") {
                if (!shown.chain.empty() && shown.chain.front().target != p.cname_target)
                    step.findings.push_back(finding(Severity::error, "dns.wrong-target",
                                                    p.name + " is a CNAME to " + shown.chain.front().target + ", the plan's is " + p.cname_target,
                                                    check.certificate));
                else if (shown.chain.empty() && resolved)
                    step.findings.push_back(finding(Severity::info, "dns.cname-expected",
                                                    p.name + " has its own address records where the plan has a CNAME to " + p.cname_target +
                                                        (expected.empty() ? "" : ": compared with " + p.cname_target + "'s planned addresses"),
                                                    check.certificate));
            } else if (!shown.chain.empty() && resolved) {
                step.findings.push_back(finding(Severity::info, "dns.cname-chain",
                                                p.name + " is reached through the CNAME chain " + chain_text(shown) + ", where the plan has address records",
                                                check.certificate));
            }
            if (resolved && !expected.empty()) compare_addresses(p.name, expected, found, step, check.certificate);
            check.steps.push_back(std::move(step));
            for (const auto& address : found) remember(index, address);
        }
        for (const auto& [port, sip] : ports_for(p.name, cert, srv_targets_))
            for (const auto& address : addresses_[index]) connections_.push_back({index, address, port, p.name, sip});
    }

    void judge_absent(const Planned& p, DnsCheck& check) {
        for (std::size_t r = 0; r < vias_.size(); ++r) {
            const bool srv = !p.srv.empty();
            DnsStep step{"resolve", (srv ? "SRV " : "A/AAAA ") + p.name + " via " + vias_[r], {}, {}, {}};
            std::vector<std::string> found;
            if (srv) {
                const auto& a = answer(r, p.name, RecordType::srv);
                step.elapsed = a.elapsed;
                for (const auto& s : a.srv) found.push_back(srv_text(s));
                step.result = found.empty() ? status_text(a) : join(found, "; ");
                if (failed(a)) step.findings.push_back(server_failure(a, vias_[r], ""));
            } else {
                resolve_addresses(p.name, r, step, found, "", true, false, false);
            }
            if (!found.empty()) {
                if (p.wildcard_probe) {
                    wildcard_[r][names::parent_of(p.name)] = found;
                    step.findings.push_back(finding(Severity::warning, "dns.wildcard",
                                                    "*." + names::parent_of(p.name) + " answers via " + vias_[r] + " (" + p.name + " gives " + join(found) +
                                                        "): every name, also a missing or mistyped Lync record and the sign-in fallbacks (sipinternal, "
                                                        "sipexternal), resolves there, so a wrong record fails late and far from its cause"));
                } else {
                    const auto w = wildcard_[r].find(names::parent_of(p.name));
                    const bool through = !srv && w != wildcard_[r].end() && w->second == found;
                    step.findings.push_back(finding(Severity::warning, "dns.unexpected-record",
                                                    p.name + " resolves via " + vias_[r] + " (" + join(found) + ")" +
                                                        (through ? ", through the wildcard *." + w->first : "") +
                                                        ": it is internal-only; a client outside tries it before the external names and waits on it"));
                }
            } else if (step.findings.empty()) {
                step.result += p.wildcard_probe ? ": no wildcard" : ": as it should";
            }
            check.steps.push_back(std::move(step));
        }
    }

    void connect(DnsAudit& audit) {
        if (connections_.empty()) return;
        std::vector<crypto::FetchTarget> targets;
        for (const auto& c : connections_) {
            const auto mapped = options_.port_map.find(c.port);
            targets.push_back({c.address, mapped == options_.port_map.end() ? c.port : mapped->second, c.sni});
        }
        const auto fetched = crypto::fetch_all(targets, options_.limits);
        std::vector<crypto::SipProbeTarget> sip_targets;
        std::vector<std::size_t> sip_of;
        for (std::size_t i = 0; i < connections_.size(); ++i) {
            if (!connections_[i].sip || !fetched[i].ok || !options_.sip_options) continue;
            sip_targets.push_back({targets[i].host, targets[i].port, targets[i].sni, targets[i].sni});
            sip_of.push_back(i);
        }
        std::vector<crypto::SipProbeResult> probed;
        if (!sip_targets.empty()) probed = crypto::probe_sip_options(sip_targets, options_.limits);

        for (std::size_t i = 0; i < connections_.size(); ++i) {
            const auto& c = connections_[i];
            const auto& f = fetched[i];
            DnsCheck& check = audit.checks[c.check];
            const std::string where = endpoint_text(targets[i].host, targets[i].port) + " (SNI " + c.sni + ")";
            DnsStep connect{"connect", where, {}, f.elapsed, {}};
            if (!f.ok) {
                connect.result = f.message;
                connect.findings.push_back(finding(Severity::error, f.error_code, where + ": " + f.message, check.certificate));
                check.steps.push_back(std::move(connect));
                continue;
            }
            connect.result = f.protocol + (f.message.empty() ? "" : "; " + f.message);
            check.steps.push_back(std::move(connect));
            if (f.chain.empty()) continue;
            check.steps.push_back(judge_certificate(f.chain.front(), c, where, check.certificate));
            const auto s = std::find(sip_of.begin(), sip_of.end(), i);
            if (s != sip_of.end()) check.steps.push_back(judge_sip(probed[static_cast<std::size_t>(s - sip_of.begin())], where, check.certificate));
        }
    }

    DnsStep judge_certificate(const crypto::Certificate& leaf, const Connection& c, const std::string& where, const std::string& certificate) const {
        DnsStep step{"certificate", where, {}, {}, {}};
        step.result = "CN=" + leaf.subject.common_name + ", " + std::to_string(leaf.dns_names.size()) + " DNS names, expires " + format_date(leaf.not_after) +
                      ", SHA-256 " + leaf.sha256_fingerprint.substr(0, 16);
        if (!names::sans_cover(leaf.dns_names, leaf.ip_addresses, c.sni)) {
            step.findings.push_back(finding(Severity::error, "dns.name-not-on-certificate",
                                            where + " presents CN=" + leaf.subject.common_name + " without " + c.sni + " among its names (" +
                                                join(leaf.dns_names) + "): a client that looked up " + c.sni + " refuses it",
                                            certificate));
        } else {
            step.result += "; carries " + c.sni;
        }
        if (const auto* r = plan_.find(certificate)) {
            // A pool whose members each have their own certificate (Front End,
            // Director: C20) answers with any of them: the one the record names
            // or a pool peer's.
            std::vector<const model::CertificateRequirement*> candidates{r};
            if (!r->same_on_all_members)
                for (const auto& other : plan_.certificates)
                    if (&other != r && other.role == r->role && other.pool == r->pool) candidates.push_back(&other);
            const model::CertificateRequirement* best = nullptr;
            std::vector<std::string> best_lacking;
            bool best_subject = false;
            for (const auto* c : candidates) {
                std::vector<std::string> lacking;
                for (const auto& san : c->sans) {
                    const std::string want = names::lower_ascii(san.name);
                    if (std::none_of(leaf.dns_names.begin(), leaf.dns_names.end(), [&](const std::string& n) { return names::lower_ascii(n) == want; }))
                        lacking.push_back(want);
                }
                const bool subject_ok = names::lower_ascii(leaf.subject.common_name) == names::lower_ascii(c->common_name);
                if (best == nullptr || (subject_ok && !best_subject) ||
                    (subject_ok == best_subject && lacking.size() < best_lacking.size())) {
                    best = c;
                    best_lacking = std::move(lacking);
                    best_subject = subject_ok;
                }
            }
            if (!best_lacking.empty() || !best_subject)
                step.findings.push_back(finding(Severity::error, "dns.not-plan-certificate",
                                                where + " does not present the plan's " + best->id + ": " +
                                                    (best_subject ? "" : "its subject is CN=" + leaf.subject.common_name + ", the plan's CN=" +
                                                                             best->common_name + (best_lacking.empty() ? "" : "; ")) +
                                                    (best_lacking.empty() ? "" : "it lacks " + join(best_lacking)),
                                                certificate));
            else
                step.result += "; the plan's " + best->id;
        }
        return step;
    }

    static DnsStep judge_sip(const crypto::SipProbeResult& s, const std::string& where, const std::string& certificate) {
        DnsStep step{"sip", "OPTIONS " + where, {}, s.elapsed, {}};
        if (s.answered) {
            step.result = "SIP/2.0 " + std::to_string(s.status) + " " + s.reason_phrase + (s.server_header.empty() ? "" : " (Server: " + s.server_header + ")");
            return step;
        }
        step.result = s.message;
        // The catalogue's severity: a peer demanding a client certificate is
        // info, no answer or a close is a warning, the rest errors.
        const auto* entry = find_code(s.error_code);
        const Severity severity = entry == nullptr || entry->severity == CodeSeverity::error ? Severity::error
                                  : entry->severity == CodeSeverity::warning                 ? Severity::warning
                                                                                             : Severity::info;
        step.findings.push_back(finding(severity, s.error_code, s.message, certificate));
        return step;
    }

    const model::Plan& plan_;
    const DnsOptions& options_;
    std::vector<std::string> vias_;
    std::vector<Answers> answers_;
    std::vector<Planned> planned_;
    std::set<std::string> srv_targets_;
    std::map<std::size_t, std::vector<std::string>> addresses_;
    std::vector<Connection> connections_;
    std::map<std::size_t, std::map<std::string, std::vector<std::string>>> wildcard_;
};

}  // namespace

std::string DnsStep::status() const {
    if (std::any_of(findings.begin(), findings.end(), [](const Finding& f) { return f.severity == Severity::error; })) return "FAIL";
    if (std::any_of(findings.begin(), findings.end(), [](const Finding& f) { return f.severity == Severity::warning; })) return "WARN";
    return "PASS";
}

bool DnsCheck::passed() const {
    return std::none_of(steps.begin(), steps.end(), [](const DnsStep& s) { return s.status() == "FAIL"; });
}

DnsAudit run_dns(const model::Plan& plan, const DnsOptions& options) { return Auditor(plan, options).run(); }

}  // namespace certtool::audit
