// Checks of a real certificate against what the plan requires (the Lync rules)
// or, without a topology, against names and an EKU given by the admin (the
// generic checks). Findings are data; the CLI decides the exit code.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "crypto/certificate.hpp"
#include "model/plan.hpp"

namespace certtool::check {

struct Context {
    crypto::TimePoint at;                      // "now" for validity checks
    // Expiring within this many days is a warning. nullopt (the default): within
    // a third of the certificate's own lifetime, never less than the -Roll lead
    // time of its plan entry (model/lifetime.hpp renewal_window).
    std::optional<int> warn_days;
    crypto::ValidationRequest chain;           // anchors, intermediates, time; hostname left empty
    bool check_chain = true;
    const crypto::PrivateKey* key = nullptr;   // the private key given with the certificate, if any
    // Where chain.intermediates_der came from, for the report: "--untrusted FILE (N)".
    std::vector<std::string> intermediates_from;
};

// The certificate, the file it came from and what was found.
struct Verdict {
    std::string source;          // file (or host:port) the certificate came from
    std::string certificate_id;  // plan entry it was checked against ("" in generic mode)
    crypto::Certificate certificate;
    std::vector<model::Finding> findings;
    std::vector<std::string> intermediates_from;  // where the intermediates offered came from (Context, offer_intermediates)
    [[nodiscard]] bool passed() const;  // no error finding
};

// The plan entry a certificate is for: explicitly by id, or else the entry whose
// subject it carries and whose SANs it covers best (per-member certificates
// differ by the member FQDN). nullptr when nothing fits.
const model::CertificateRequirement* match_requirement(const crypto::Certificate& certificate, const model::Plan& plan);

// The Lync checks: names (RFC 9525, wildcards only where the plan's role allows
// them, never for SIP names), subject, EKU, key usage, key, signature, CRL
// distribution point, validity, chain, private key.
Verdict check_against_plan(const crypto::Certificate& certificate, const model::CertificateRequirement& requirement,
                           const Context& context, const std::string& source);

struct GenericRequirement {
    std::vector<std::string> names;  // each must be covered by a SAN (no CN fallback)
    std::vector<std::string> eku;    // e.g. {"serverAuth"}
};

// Names, EKU, key usage, signature, validity and chain: no Lync role rules.
Verdict check_generic(const crypto::Certificate& certificate, const GenericRequirement& requirement,
                      const Context& context, const std::string& source);

}  // namespace certtool::check
