// The verify checks (rules sections 1 and 12). Each finding code is stable and
// documented in README.md ("certtool verify").
#include "check/check.hpp"

#include <algorithm>

#include "core/plural.hpp"
#include "core/time.hpp"
#include "model/lifetime.hpp"
#include "model/roles.hpp"
#include "names/names.hpp"

namespace certtool::check {

namespace {

using model::Finding;
using model::Role;
using model::Severity;

class Findings {
public:
    Findings(std::vector<Finding>& out, std::string path, std::string certificate_id)
        : out_(out), path_(std::move(path)), id_(std::move(certificate_id)) {}
    void add(Severity severity, const std::string& code, const std::string& message, const std::string& policy = {}) {
        out_.push_back({severity, code, message, path_, id_, policy});
    }

private:
    std::vector<Finding>& out_;
    std::string path_;
    std::string id_;
};

bool has(const std::vector<std::string>& list, const std::string& item) {
    return std::find(list.begin(), list.end(), item) != list.end();
}

// Whether `name` is covered by one of the certificate's SANs (RFC 9525: no CN
// fallback; an IP address only by an iPAddress entry; a wildcard only as the
// whole leftmost label, and only if allowed).
bool covered(const crypto::Certificate& c, const std::string& name, bool wildcard_allowed) {
    return names::sans_cover(c.dns_names, c.ip_addresses, name, wildcard_allowed);
}

// A span of whole days as the tables count it (core/time.hpp whole_days_left);
// 0 is a part of a day.
std::string days_text(long days) {
    return days == 0 ? "less than a day" : plural(days, "day", "days");
}

void check_validity(const crypto::Certificate& c, const Context& ctx, int lead_hours, Findings& f) {
    if (ctx.at < c.not_before) {
        f.add(Severity::error, "validity.not-yet-valid",
              "not valid until " + days_text(whole_days_left(ctx.at, c.not_before)) + " from the check time");
        return;
    }
    const long left = whole_days_left(ctx.at, c.not_after);
    // notAfter is the last second of the validity period (RFC 5280 4.1.2.5).
    if (ctx.at > c.not_after) {
        f.add(Severity::error, "validity.expired", "expired " + days_text(-left) + " before the check time");
    } else if (ctx.warn_days) {
        if (left < *ctx.warn_days)
            f.add(Severity::warning, "validity.expiring",
                  "expires in " + days_text(left) + " (warning window " + plural(*ctx.warn_days, "day", "days") + ")");
    } else if (c.not_after - ctx.at <= model::renewal_window(c.not_before, c.not_after, lead_hours)) {
        f.add(Severity::warning, "validity.expiring",
              "expires in " + days_text(left) + " (warning window: " +
                  model::renewal_window_reason(c.not_before, c.not_after, lead_hours) + ")");
    }
}

void check_signature(const crypto::Certificate& c, Findings& f) {
    // G3: SHA-1 or SHA-2; RSASSA-PSS breaks sign-in and call forwarding [INFRA].
    if (c.signature_is_pss)
        f.add(Severity::error, "signature.pss", "signed with RSASSA-PSS, which Lync does not support (INFRA)");
    else if (c.signature_hash == "md5" || c.signature_hash == "md2" || c.signature_hash == "md4")
        f.add(Severity::error, "signature.weak", "signed with " + c.signature_algorithm + ", which no one accepts any more");
    else if (c.signature_hash == "sha1")
        f.add(Severity::warning, "signature.sha1", "signed with SHA-1: Lync accepts it (INFRA), clients and browsers may not");
}

void check_eku(const crypto::Certificate& c, const std::vector<std::string>& required, Findings& f) {
    for (const auto& eku : required) {
        const bool ok = !c.has_eku_extension || has(c.eku, eku) || has(c.eku, "anyExtendedKeyUsage");
        if (ok) continue;
        const bool client = eku == "clientAuth";
        f.add(Severity::error, client ? "eku.client-auth" : "eku.server-auth",
              std::string("the EKU lacks ") + (client ? "Client Authentication, which the plan asks for (AOL public IM or policy, forced by "
                                                                  "policy.public_client_auth)"
                                                      : "Server Authentication (G1)"));
    }
}

void check_key_usage(const crypto::Certificate& c, Findings& f) {
    if (!c.has_key_usage_extension) return;
    if (!has(c.key_usage, "digitalSignature"))
        f.add(Severity::error, "key-usage", "key usage lacks digitalSignature, which TLS server authentication needs");
    if (c.key.type == crypto::KeyType::rsa && !has(c.key_usage, "keyEncipherment"))
        f.add(Severity::warning, "key-usage", "RSA key usage lacks keyEncipherment: clients using RSA key exchange will fail");
}

// CA/Browser Forum BR 7.1.4.3: a subject CN repeats one of the SANs, character
// for character (G6 says the same for Lync). TLS clients read only the SANs
// (RFC 9525), so the CN misleads only where it names another server: a host
// name that no dNSName covers and that is not the parent domain of one, or an
// IP address that is not among the iPAddress entries. That is an error; a CN
// that names no other server (a friendly name, the parent domain of the SANs,
// a case variant, a label on a certificate naming its server by address
// only) is a warning.
void check_subject_among_sans(const crypto::Certificate& c, Findings& f) {
    const std::string& cn = c.subject.common_name;
    if (cn.empty() || has(c.dns_names, cn) || has(c.ip_addresses, cn)) return;
    bool other_server = false;
    if (names::ip_octets(cn)) {
        other_server = !names::sans_cover({}, c.ip_addresses, cn);
    } else if (names::normalize_fqdn(cn, false, nullptr) && !c.dns_names.empty()) {
        other_server = std::none_of(c.dns_names.begin(), c.dns_names.end(), [&](const std::string& san) {
            return names::matches(san, cn) || names::is_within(san, cn);
        });
    }
    if (other_server)
        f.add(Severity::error, "subject.not-in-san",
              "the subject " + cn + " is not among the SANs and names another server than they do; the subject must "
                  "repeat one of them (CA/Browser Forum BR 7.1.4.3, G6)");
    else
        f.add(Severity::warning, "subject.not-in-san",
              "the subject " + cn + " is not repeated among the SANs; TLS checks only the SANs (CA/Browser Forum BR 7.1.4.3, G6)");
}

void check_chain_and_key(const crypto::Certificate& c, const Context& ctx, Findings& f) {
    if (ctx.check_chain) {
        const auto result = crypto::validate_chain(c, ctx.chain);
        if (!result.valid) f.add(Severity::error, result.code, result.message);
    }
    if (ctx.key != nullptr && !crypto::key_matches(*ctx.key, c))
        f.add(Severity::error, "key.mismatch", "the private key given does not belong to this certificate");
}

// The verdict keeps the certificate's data for the report, not its decode.
Verdict verdict_for(const crypto::Certificate& c, const std::string& source, const std::string& certificate_id) {
    Verdict v{source, certificate_id, c, {}, {}};
    v.certificate.decoded.reset();
    return v;
}

}  // namespace

bool Verdict::passed() const {
    return std::none_of(findings.begin(), findings.end(), [](const Finding& f) { return f.severity == Severity::error; });
}

const model::CertificateRequirement* match_requirement(const crypto::Certificate& c, const model::Plan& plan) {
    const model::CertificateRequirement* best = nullptr;
    std::size_t best_score = 0;
    for (const auto& r : plan.certificates) {
        std::size_t score = 0;
        for (const auto& san : r.sans)
            if (covered(c, san.name, model::wildcard_may_cover(r, san.name))) ++score;
        if (score == 0) continue;
        // Prefer the entry whose subject the certificate carries, then more names,
        // then the entry with fewer names left uncovered.
        const bool subject = c.subject.common_name == r.common_name;
        const std::size_t weighted = score * 4 + (subject ? 2 : 0) + (score == r.sans.size() ? 1 : 0);
        if (weighted > best_score) {
            best_score = weighted;
            best = &r;
        }
    }
    return best;
}

Verdict check_against_plan(const crypto::Certificate& c, const model::CertificateRequirement& r, const Context& ctx,
                           const std::string& source) {
    Verdict v = verdict_for(c, source, r.id);
    Findings f(v.findings, r.topology_path, r.id);

    // Names (rules 12.5): every planned SAN present; RFC 9525, no CN fallback.
    for (const auto& san : r.sans) {
        if (covered(c, san.name, model::wildcard_may_cover(r, san.name))) continue;
        const bool only_by_forbidden_wildcard = covered(c, san.name, true);
        f.add(Severity::error, "name.missing",
              san.name + " is not among the certificate's SANs" +
                  (only_by_forbidden_wildcard ? " (a wildcard covers it, but not where Lync allows wildcards: WILDCARD, C3)"
                                              : "") +
                  "; it is needed because: " + san.reason);
    }
    // G5, G6, C13, C14.
    if (names::is_wildcard(c.subject.common_name))
        f.add(Severity::error, "subject.wildcard", "the subject is a wildcard, which no Lync role accepts (G5)");
    if (!c.subject.common_name.empty() && !has(c.dns_names, c.subject.common_name)) {
        const bool lenient = model::facts(r.role).subject_san_optional;
        f.add(lenient ? Severity::warning : Severity::error, "subject.not-in-san",
              "the subject " + c.subject.common_name + " is not repeated among the SANs; TLS checks only the SANs (G6" +
                  std::string(lenient ? ", C13: a warning for internal web certificates)" : ")"),
              lenient ? "C13" : "");
    }
    if (c.subject.common_name != r.common_name && !names::is_wildcard(c.subject.common_name))
        f.add(Severity::warning, "subject.differs",
              "the subject is " + c.subject.common_name + ", the plan's is " + r.common_name +
                  (r.role == Role::edge_external ? " (accepted: C14; OCS 2007 R2 partners expect the Access FQDN)" : ""),
              r.role == Role::edge_external ? "C14" : "");

    check_eku(c, r.eku, f);
    check_key_usage(c, f);

    // G4, C7: key algorithm and size.
    const bool planned_rsa = r.key.algorithm == topology::KeyAlgorithm::rsa;
    if ((c.key.type == crypto::KeyType::rsa) != planned_rsa)
        f.add(Severity::warning, "key.algorithm",
              "the key is " + c.key_algorithm + ", the plan asks for " + r.key.algorithm_name());
    if (c.key.type == crypto::KeyType::rsa) {
        if (c.key.bits < 2048) {
            const bool role_minimum = model::facts(r.role).min_rsa_bits >= 2048;  // C7
            const bool fatal = role_minimum || r.key.bits >= 2048;
            f.add(fatal ? Severity::error : Severity::warning, "key.too-small",
                  "RSA " + std::to_string(c.key.bits) + "-bit key: at least 2048 is required" +
                      (role_minimum ? " for the " + std::string(model::facts(r.role).name) + " certificate (C7)" : std::string(" by the plan (INFRA)")),
                  role_minimum ? "C7" : "");
        } else if (c.key.bits != 2048 && c.key.bits != 4096) {
            f.add(Severity::warning, "key.size-unsupported",
                  "RSA " + std::to_string(c.key.bits) + "-bit key: Lync documents 1024, 2048 and 4096 (INFRA)");
        }
    }
    check_signature(c, f);
    // G2: Lync servers need a CRL distribution point, reachable over HTTP.
    if (c.crl_distribution_points.empty())
        f.add(Severity::error, "crl.missing", "no CRL distribution point: every Lync server certificate needs one (G2)");
    else if (model::facts(r.role).edge &&
             std::none_of(c.crl_distribution_points.begin(), c.crl_distribution_points.end(),
                          [](const std::string& uri) { return uri.rfind("http://", 0) == 0; }))
        f.add(Severity::warning, "crl.not-http",
              "no http:// CRL distribution point: the Access Edge fetches CRLs over HTTP port 80 (PORT-NAT)");
    check_validity(c, ctx, r.roll_lead_hours, f);
    check_chain_and_key(c, ctx, f);
    return v;
}

Verdict check_generic(const crypto::Certificate& c, const GenericRequirement& r, const Context& ctx,
                      const std::string& source) {
    Verdict v = verdict_for(c, source, "");
    Findings f(v.findings, "", "");
    for (const auto& name : r.names) {
        if (covered(c, name, true)) continue;
        if (names::ip_octets(name))
            f.add(Severity::error, "name.missing",
                  name + " is not among the certificate's IP address SANs (RFC 9525: an IP address is matched only "
                         "against iPAddress entries, never a DNS name or the subject CN)");
        else
            f.add(Severity::error, "name.missing",
                  name + " is not covered by the certificate's SANs (RFC 9525; the subject CN does not count)");
    }
    check_subject_among_sans(c, f);
    check_eku(c, r.eku, f);
    check_key_usage(c, f);
    check_signature(c, f);
    check_validity(c, ctx, 0, f);
    check_chain_and_key(c, ctx, f);
    return v;
}

}  // namespace certtool::check
