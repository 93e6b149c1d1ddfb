// The pre-deployment audit: what every pool member actually serves (live TLS)
// or has installed (files exported from it), checked against the plan, plus
// the checks no single certificate can answer: every Edge pool member holds
// the same certificate and key, per-member Front End/Director certificates
// share the pool subject, and every planned certificate was seen on every
// member it belongs to. Findings are data; the CLI renders them and decides
// the exit code.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "audit/dns_audit.hpp"
#include "check/check.hpp"
#include "core/secret.hpp"
#include "crypto/tls_fetch.hpp"
#include "model/plan.hpp"

namespace certtool::audit {

struct Options {
    check::Context context;  // check time, warning window, trust anchors (key is ignored)
    bool live = false;       // connect to every endpoint of the plan
    // Folder with one sub-folder per member FQDN holding files exported from
    // that member (PEM, DER, PKCS#12); "" = none.
    std::string files_dir;
    Secret pkcs12_password;  // for the exported PFX files
    crypto::FetchLimits limits;
    // Connect to another port than the plan's (e.g. 443 -> 8443 through a tunnel
    // or in a lab without root); the SNI and the checks stay the same.
    std::map<int, int> port_map;
    // Audit only these certificate ids (empty: all). Files are still matched
    // against the whole plan, so that another certificate's file is not
    // mistaken for a selected one.
    std::vector<std::string> only_ids;
};

// One planned certificate as seen on one member: one live endpoint, or one
// exported file. Observations are in plan order (certificate, then endpoint),
// files after the live endpoints.
struct Observation {
    std::string certificate_id;
    std::string pool;
    std::string member;
    std::string service;   // the endpoint's service ("access-sip", ...), or "file"
    std::string source;    // "127.0.0.11:5061" or the file path
    std::string sni;       // live only
    bool obtained = false; // a certificate was fetched or read
    std::optional<crypto::Certificate> certificate;  // the leaf, when obtained
    std::string protocol;  // live only, e.g. "TLSv1.3"
    std::chrono::milliseconds elapsed{0};  // live only
    // Everything found: the connection failure (tls.*), the verify checks and
    // the pool checks about this observation.
    std::vector<model::Finding> findings;
    std::vector<std::string> intermediates_from;  // where the intermediates offered came from (check::Context)
    [[nodiscard]] bool passed() const;  // no error finding
};

struct Summary {
    std::size_t observations = 0, passed = 0, failed = 0;
    std::size_t errors = 0, warnings = 0, info = 0;  // of observations, findings and DNS steps
    std::size_t dns_checks = 0, dns_passed = 0, dns_failed = 0;  // audit --dns
};

struct Report {
    std::string topology;  // the topology file
    crypto::TimePoint at;
    std::optional<int> warn_days;  // check::Context::warn_days: nullopt is the lifetime rule
    std::vector<Observation> observations;
    // Findings about no single observation: a certificate not seen on a member,
    // files that belong to nothing, a pool whose members disagree.
    std::vector<model::Finding> findings;
    std::optional<DnsAudit> dns;  // audit --dns (dns_audit.hpp)
    [[nodiscard]] Summary summary() const;
    // The worst severity found anywhere (info when nothing was found).
    [[nodiscard]] bool has(model::Severity at_least) const;
};

// The pool check of one planned certificate over the report's observations
// (run() calls it for each), adding pool.different-certificate findings. A
// certificate the same on every member: the one more than half of the members
// seen hold is the pool's and each observation showing another is blamed;
// without such a majority no member is, and one finding for the certificate
// lists who shows what. One member seen, or a per-member certificate: one
// finding for each member whose services show different certificates, naming
// which services show which. Public so that it can be tested on observations
// made by hand.
void check_same_certificate(const model::CertificateRequirement& r, Report& report);

// Runs the audit. Throws InputError only for bad input (an unreadable files
// folder); every problem with a member or a file it holds is a finding.
Report run(const model::Plan& plan, const Options& options);

}  // namespace certtool::audit
