// `certtool audit --dns`: the plan's DNS records of one view checked against
// what real DNS answers, and followed to the servers they send clients to.
// For every planned name: resolved through each resolver (SRV, A, AAAA, the
// CNAME chain), compared with the plan; then every address a record gives is
// connected to with the SNI a client would send, the certificate presented is
// checked for the name and against the plan's certificate, and the federation
// route (`_sipfederationtls._tcp`, the Access Edge on 5061) is asked a SIP
// OPTIONS. Names that must not resolve in the view (the internal sign-in and
// Autodiscover names from outside) and wildcard records are probed too.
// Every check is a sequence of steps, each with its result, time and findings,
// the way the Remote Connectivity Analyzer shows a test. Codes: README
// "certtool audit" ("Live DNS").
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "crypto/tls_fetch.hpp"
#include "dns/resolver.hpp"
#include "model/plan.hpp"

namespace certtool::audit {

struct DnsStep {
    std::string step;    // "resolve", "connect", "certificate", "sip"
    std::string target;  // what was asked or connected to: "SRV via 127.0.0.1:53", "127.0.0.2:5061 (SNI sip.contoso.com)"
    std::string result;  // one line, for people
    std::chrono::milliseconds elapsed{0};
    std::vector<model::Finding> findings;
    // "FAIL" (an error finding), "WARN" (a warning), "PASS".
    [[nodiscard]] std::string status() const;
};

struct DnsCheck {
    std::string name;         // the record's name
    std::string type;         // "SRV", "A", "CNAME", or "absent" (a name that must not resolve, a wildcard probe)
    std::string certificate;  // id of the plan's certificate that answers for it ("" none)
    std::string reason;       // why the plan has it (or why it must be absent)
    std::vector<DnsStep> steps;
    [[nodiscard]] bool passed() const;  // no error finding in any step
};

struct DnsOptions {
    std::string view = "external";        // "external" or "internal": the plan's dns[].zone
    std::vector<dns::Server> resolvers;   // each asked on its own; empty: the system's
    std::chrono::milliseconds query_timeout{std::chrono::seconds(5)};  // per try (2 tries)
    crypto::FetchLimits limits;           // connections: timeouts, deadline, concurrency
    std::map<int, int> port_map;          // connect to port TO where DNS or the plan says FROM
    bool strict_dns = false;              // policy.strict_dns: C16 is an error, not a warning
    bool sip_options = true;              // ask the federation route a SIP OPTIONS
    // The wildcard probe's first label ("" = "certtool-probe-" and a random
    // part); a test may fix it.
    std::string probe_label;
};

struct DnsAudit {
    std::string view;
    std::vector<std::string> resolvers;  // as given ("127.0.0.1:5300"), or "system"
    std::vector<DnsCheck> checks;
};

// Runs the DNS audit of `plan`'s records in `options.view`. Throws
// std::runtime_error only when the resolver cannot be set up at all.
DnsAudit run_dns(const model::Plan& plan, const DnsOptions& options);

}  // namespace certtool::audit
