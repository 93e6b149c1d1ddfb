// The one table of codes (README.md "Finding codes" says how it is kept). A code
// added anywhere in lib/ or certtool/ must be added here and documented in the
// README section named beside it: tests/unit/test_finding_catalogue.cpp fails
// otherwise.
#include "core/finding_catalogue.hpp"

#include <map>

namespace certtool {

namespace {

using S = CodeSeverity;

// README.md headings.
constexpr std::string_view kPlan = "Finding codes";
constexpr std::string_view kOldNames = "Old names";
constexpr std::string_view kPlanVerb = "`certtool plan`";
constexpr std::string_view kCsr = "`certtool csr`";
constexpr std::string_view kVerify = "`certtool verify`";
constexpr std::string_view kAudit = "`certtool audit`";
constexpr std::string_view kAuditDns = "`audit --dns`: the records, followed to the servers";
constexpr std::string_view kCa = "`certtool ca`";
constexpr std::string_view kPfx = "`certtool pfx`";
constexpr std::string_view kRenew = "`certtool renew`";
constexpr std::string_view kScript = "`certtool script`";
constexpr std::string_view kAcme = "`certtool acme`";
constexpr std::string_view kImport = "`certtool import`";
constexpr std::string_view kFiles = "Certificate files";
constexpr std::string_view kInput = "Exit codes";
constexpr std::string_view kPlanWithErrors = "A plan with errors";
constexpr std::string_view kTopology = "Topology input: `certtool.topology/v1`";
constexpr std::string_view kCrypto = "Codes of the cryptographic layer";

std::vector<CatalogueEntry> entries() {
    return {
        // certtool plan: the Lync rules applied to the topology (lib/model).
        {"wildcard-forbidden", S::error, "a wildcard where Lync forbids one", kPlan},
        {"wildcard-edge-internal", S::warning, "a wildcard SAN on the Edge internal certificate", kPlan},
        {"public-ca-unissuable-name", S::error, "a public-CA certificate carries a name no public CA issues", kPlan},
        {"internal-ca-required", S::info, "a name only an internal CA issues: the certificate comes from the internal CA", kPlan},
        {"san-count-over-limit", S::error, "more SANs than policy.public_ca_max_sans on a public-CA certificate", kPlan},
        {"edge-pool-too-large", S::error, "more than 12 Edge pool members", kPlan},
        {"federation-route-multiple", S::error, "more than one Edge pool with federation on", kPlan},
        {"xmpp-route-multiple", S::error, "more than one Edge pool with the XMPP proxy", kPlan, {"xmpp-multiple-sites"}},
        {"sign-in-pool-undecided", S::error, "several Edge pools and none named for a SIP domain's external sign-in", kPlan},
        {"sign-in-pool-multiple", S::error, "two Edge pools list one SIP domain in sign_in_domains", kPlan},
        {"failover-is-sign-in-pool", S::warning, "a pool lists as failover a domain it already answers", kPlan},
        {"sign-in-failover", S::info, "a pool stands by for sip.<domain>: the records to switch", kPlan},
        {"auto-logon-multiple", S::warning, "several Front End pools have auto_logon", kPlan},
        {"auto-logon-undecided", S::warning, "several Front End pools and none has auto_logon", kPlan},
        {"web-target-undecided", S::warning, "several pools could serve the internal simple URLs; the lowest FQDN is used", kPlan},
        {"public-ca-organizational-unit", S::warning, "the OU is left off public-CA certificates", kPlan},
        {"xmpp-without-proxy", S::warning, "XMPP domains without an Edge pool running the XMPP proxy", kPlan},
        {"xmpp-proxy-without-domains", S::warning, "an XMPP proxy without XMPP domains", kPlan},
        {"aol-without-federation", S::error, "AOL public IM without a federation Edge pool", kPlan},
        {"aol-public-im-ended", S::warning, "AOL public IM ended in 2017; public CAs no longer issue Client Authentication", kPlan},
        {"public-ca-client-auth", S::warning, "Client Authentication asked of a public CA is left off unless forced", kPlan},
        {"validity-above-maximum", S::warning, "policy.validity_days is above what a public CA may issue at the plan's date", kPlan},
        {"fqdn-shared-by-services", S::varies, "one FQDN used for two services that cannot share it", kPlan, {},
         "warning for Access and Web Conferencing sharing one, else error"},
        {"srv-target-outside-domain", S::varies, "an SRV record targets a host outside its domain", kPlan, {},
         "warning, error with policy.strict_dns"},
        {"srv-target-not-on-certificate", S::error, "an SRV target is not a SAN of the certificate on its port", kPlan},
        {"meet-url-missing", S::warning, "a SIP domain has no meet simple URL", kPlan},
        {"no-reverse-proxy", S::warning, "Edge and external web services but no reverse proxy", kPlan},
        {"next-hop-unknown", S::warning, "an Edge pool's next hop is not a pool of the topology", kPlan},
        {"published-pool-without-external-web", S::error, "a reverse proxy publishes a pool without external web services", kPlan},
        {"reverse-proxy-publishes-nothing", S::error, "a reverse proxy with nothing to publish", kPlan},
        {"pool-without-members", S::error, "a Front End pool without members", kPlan},
        {"av-fqdn-not-needed", S::info, "the A/V Edge FQDN is left off the certificate", kPlan},
        {"edge-av-not-served", S::info, "the separate A/V certificate is on no TLS port: audit it from files", kPlan},
        {"autodiscover-over-http", S::info, "lyncdiscover is published on port 80 and left off the certificate", kPlan},
        {"dns-address-unknown", S::info, "an A record is left out: the topology has no address for it", kPlan},
        {"dns-address-partial", S::warning, "a pool member lacks an address its peers have", kPlan},
        {"policy-applied", S::info, "a section-11 policy that shaped the plan", kPlan},
        {"xmpp-not-in-product", S::error, "the XMPP proxy on a product without it", kPlan},
        {"ecdsa-not-in-product", S::error, "ECDSA keys for Skype for Business Server 2015", kPlan},
        {"windows-server-undocumented", S::warning, "a Windows Server the product is not documented on", kPlan},
        {"windows-server-in-place-upgrade", S::info, "Skype for Business Server 2015 on Windows Server 2008 R2", kPlan},

        // One fact, one name: the plan, verify, audit, ca and csr share these.
        {"key.too-small", S::varies, "an RSA key below 2048 bits", kOldNames, {"key-too-small", "ca.key-too-small", "csr.weak-key"},
         "error; a warning in a plan with allow_weak_keys, and in verify and audit where the plan itself asks for less than 2048 "
         "bits; refused (exit 2) by ca sign, and by csr without --allow-weak-keys"},
        {"key.size-unsupported", S::warning, "an RSA key size Lync does not document (3072)", kOldNames, {"key-size-unsupported"}},
        {"key.algorithm", S::varies, "a key of another algorithm than the plan's", kOldNames, {"ca.key-algorithm"},
         "warning in verify and audit; refused (exit 2) by ca sign"},
        {"key.mismatch", S::error, "a private key that does not belong to the certificate", kOldNames,
         {"pfx.key-mismatch", "renew.key-mismatch"}},
        {"key.missing", S::error, "the key to reuse does not exist", kOldNames, {"renew.key-missing"}},
        {"signature.sha1", S::warning, "a SHA-1 signature", kOldNames, {"sha1-signature"}},

        // certtool verify (lib/check), also run by audit and acme.
        {"name.missing", S::error, "a planned name or --name no SAN covers", kVerify},
        {"subject.wildcard", S::error, "a wildcard subject", kVerify},
        {"subject.not-in-san", S::varies, "the subject is not repeated as a SAN", kVerify, {},
         "error; warning on internal web certificates (C13) and, with --name, for a CN that names no other server"},
        {"subject.differs", S::warning, "the subject is not the planned one", kVerify},
        {"eku.server-auth", S::error, "the EKU lacks Server Authentication", kVerify},
        {"eku.client-auth", S::error, "the EKU lacks Client Authentication, which the plan asks for", kVerify},
        {"key-usage", S::varies, "key usage without digitalSignature, or RSA without keyEncipherment", kVerify, {},
         "error without digitalSignature, warning without keyEncipherment"},
        {"signature.pss", S::error, "an RSASSA-PSS signature, which Lync does not support", kVerify},
        {"signature.weak", S::error, "an MD5 (or MD2, MD4) signature", kVerify},
        {"crl.missing", S::error, "no CRL distribution point", kVerify},
        {"crl.not-http", S::warning, "no CRL distribution point over HTTP on an Edge certificate", kVerify},
        {"validity.not-yet-valid", S::error, "not valid yet at the check time", kVerify},
        {"validity.expired", S::error, "expired at the check time", kVerify},
        {"validity.expiring", S::warning, "expires within --warn-days, or else within a third of its lifetime (at least its -Roll lead time)", kVerify},
        {"chain.untrusted", S::error, "no path to a trusted root", kVerify},
        {"chain.expired", S::error, "a certificate of the path has expired", kVerify},
        {"chain.not-yet-valid", S::error, "a certificate of the path is not valid yet", kVerify},
        {"chain.signature", S::error, "a signature of the path does not verify", kVerify},
        {"chain.weak-algorithm", S::error, "the path uses a weak algorithm or key", kVerify},
        {"chain.eku", S::error, "an EKU of the path does not allow server authentication", kVerify},
        {"chain.key-usage", S::error, "a CA of the path may not sign certificates", kVerify},
        {"chain.name-constraints", S::error, "a name is outside a CA's name constraints", kVerify},
        {"chain.name-mismatch", S::error, "the names do not match the path validation's host name", kVerify},
        {"chain.basic-constraints", S::error, "a CA of the path is not a CA, or the path is too long", kVerify},
        {"chain.invalid", S::error, "any other path validation failure", kVerify},
        {"plan.no-match", S::error, "the certificate carries the names of no plan entry", kVerify},
        {"usage.verify", S::error, "verify given neither a topology nor --name, or --cert without a topology", kVerify},
        {"verify.io", S::error, "a certificate or key file cannot be read", kVerify},
        {"verify.too-large", S::error, "a certificate or key file over its size limit", kVerify},
        {"trust.io", S::error, "a --trust file cannot be read", kVerify},
        {"trust.too-large", S::error, "a --trust file over 16 MiB", kVerify},

        // certtool audit (lib/audit).
        {"tls.refused", S::error, "nothing listens on the endpoint", kAudit},
        {"tls.unreachable", S::error, "no route to the endpoint", kAudit},
        {"tls.connect-timeout", S::error, "no TCP connection within --timeout", kAudit},
        {"tls.handshake-timeout", S::error, "no TLS handshake within --timeout", kAudit},
        {"tls.handshake-failed", S::error, "the TLS handshake failed", kAudit},
        {"tls.not-tls", S::error, "the endpoint does not speak TLS", kAudit},
        {"tls.reset", S::error, "the connection was reset", kAudit},
        {"tls.too-much-data", S::error, "more than 1 MiB before the certificate", kAudit},
        {"tls.deadline", S::error, "the run's --deadline passed", kAudit},
        {"tls.dns", S::error, "the endpoint's name does not resolve", kAudit},
        {"tls.no-certificate", S::error, "the server sent no certificate", kAudit},
        // The SIP OPTIONS probe of an Access Edge (lib/crypto/sip_probe), after its TLS handshake.
        {"sip.no-answer", S::warning, "TLS up, but no SIP response within the timeout", kAudit},
        {"sip.not-sip", S::error, "the server answered something that is not SIP", kAudit},
        {"sip.closed", S::warning, "the server closed the connection without a SIP response", kAudit},
        {"sip.too-much-data", S::error, "more than 64 KiB without a final SIP response", kAudit},
        {"sip.client-certificate-required", S::info,
         "the server asked for a client certificate and refused the probe without one: expected of a federation peer", kAudit},
        {"sip.bad-target", S::error, "a Request-URI host that is not a host name or address: not probed", kAudit},
        {"pool.different-certificate", S::error, "members of a pool show different certificates", kAudit},
        {"pool.subject-differs", S::error, "a per-member certificate whose subject is not the pool FQDN", kAudit},
        {"files.missing", S::error, "a planned certificate not seen on a member", kAudit},
        {"audit.not-audited", S::info, "a planned certificate no endpoint shows", kAudit},
        {"files.unknown-member", S::warning, "a --files folder not named after a member", kAudit},
        {"files.unmatched", S::warning, "a file carrying the names of nothing planned for its member", kAudit},
        {"files.io", S::error, "a file under --files cannot be read", kAudit},
        {"files.too-large", S::error, "a file under --files over 16 MiB", kAudit},
        {"files.not-a-directory", S::error, "--files is not a directory", kAudit},
        {"plan.has-errors", S::varies, "the topology's own plan has error findings", kPlanWithErrors,
         {"csr.plan-has-errors", "renew.plan-has-errors", "acme.plan-has-errors"},
         "a warning from verify and audit, and from the writing verbs with --force; without it they refuse (exit 2)"},
        {"usage.audit", S::error, "none of --live, --files and --dns", kAudit},
        {"usage.resolver", S::error, "a --resolver that is not IP[:PORT]", kAuditDns},

        // audit --dns (lib/audit/dns_audit).
        {"dns.missing", S::error, "a planned record that DNS does not have (NXDOMAIN, or the name without that record)", kAuditDns},
        {"dns.servfail", S::error, "the DNS server answered SERVFAIL", kAuditDns},
        {"dns.refused", S::error, "the DNS server answered REFUSED", kAuditDns},
        {"dns.timeout", S::error, "the DNS server did not answer within --timeout (two tries) or --deadline", kAuditDns},
        {"dns.unreachable", S::error, "the DNS server's port is closed", kAuditDns},
        {"dns.error", S::error, "a DNS answer certtool cannot read", kAuditDns},
        {"dns.wrong-target", S::error, "an SRV or CNAME record points elsewhere than the plan says", kAuditDns},
        {"dns.srv-port", S::error, "an SRV record gives another port than the plan", kAuditDns},
        {"dns.srv-priority", S::warning, "an SRV record gives another priority or weight than the plan", kAuditDns},
        {"dns.srv-target-outside-domain", S::varies, "an SRV record in DNS targets a host outside its domain (C16)", kAuditDns, {},
         "a warning; an error with policy.strict_dns"},
        {"dns.address-unplanned", S::error, "a name gives an address the plan does not know", kAuditDns},
        {"dns.address-missing", S::error, "a name lacks an address the plan gives it", kAuditDns},
        {"dns.cname-loop", S::error, "a CNAME chain that loops or is longer than 8 links", kAuditDns},
        {"dns.cname-chain", S::info, "a name the plan gives address records is reached through CNAMEs", kAuditDns},
        {"dns.cname-expected", S::info, "a name the plan makes a CNAME has its own address records", kAuditDns},
        {"dns.wildcard", S::warning, "a wildcard record answers for names nobody created", kAuditDns},
        {"dns.unexpected-record", S::warning, "an internal-only sign-in or Autodiscover name resolves in the external view", kAuditDns},
        {"dns.name-not-on-certificate", S::error, "the server a record leads to presents a certificate without the record's name", kAuditDns},
        {"dns.not-plan-certificate", S::error, "the server a record leads to presents a certificate other than the plan's", kAuditDns},
        {"usage.map-port", S::error, "a --map-port that is not FROM:TO", kAudit},

        // Certificate files, whichever verb reads them (lib/inventory).
        {"cert.unreadable", S::error, "not a certificate in PEM, DER or PKCS#12", kFiles},
        {"cert.empty", S::error, "a file that holds no certificate", kFiles},
        {"cert.pkcs12-password", S::error, "a PKCS#12 file the passphrase does not open", kFiles},
        {"cert.pkcs12-mac", S::error, "a PKCS#12 file whose MAC is broken", kFiles},
        {"cert.pkcs12-iterations", S::error, "a PKCS#12 file asking for too many iterations", kFiles},
        {"key.iterations", S::error, "an encrypted PEM key asking for too many iterations", kFiles},

        // certtool csr (lib/request) and the output files of every writing verb (lib/fs).
        {"csr.nothing-to-do", S::error, "the plan has no certificate to request", kCsr},
        {"csr.key-mismatch", S::error, "an existing key is not of the planned algorithm and size", kCsr},
        {"usage.dns-option", S::error, "plan --view or --zone without --format zone or dns-powershell", kPlanVerb},
        {"usage.unknown-zone", S::error, "plan --zone names no DNS zone of the view's records", kPlanVerb},
        {"usage.key-bits", S::error, "a key size Lync does not support", kCsr},
        {"usage.unknown-certificate", S::error, "--only names no role or certificate id of the plan", kCsr},
        {"key.not-a-key", S::error, "an existing key file is not a private key", kCsr},
        {"key.encrypted", S::error, "an encrypted key and no passphrase", kCsr},
        {"key.wrong-passphrase", S::error, "the passphrase does not open the key", kCsr},
        {"key.io", S::error, "a key file cannot be read", kCsr},
        {"key.too-large", S::error, "a key file over its size limit", kCsr},
        {"output.missing", S::error, "neither the output directory nor its parent exists", kCsr},
        {"output.not-a-directory", S::error, "--out is not a directory", kCsr},
        {"output.unsafe-directory", S::error, "other users can write to the output directory", kCsr},
        {"output.symlink", S::error, "a file to write is a symbolic link", kCsr},
        {"output.exists", S::error, "a file to write exists already", kCsr},
        {"output.io", S::error, "a file cannot be written (or read back)", kCsr},
        {"output.too-large", S::error, "a file certtool wrote before is over its size limit", kCsr},
        {"passphrase.missing", S::error, "a passphrase is needed and none was given", kCsr},
        {"passphrase.empty", S::error, "the passphrase given is empty", kCsr},
        {"passphrase.env-unset", S::error, "--passphrase-env names an unset variable", kCsr},
        {"passphrase.file.io", S::error, "the passphrase file cannot be read", kCsr},
        {"passphrase.file.too-large", S::error, "the passphrase file is over 4 KiB", kCsr},

        // certtool ca (lib/ca).
        {"ca.exists", S::error, "ca init into a directory that holds a CA", kCa},
        {"ca.names-differ", S::error, "the request's names differ from the plan's", kCa},
        {"ca.no-crl-url", S::error, "no CRL URL: neither --crl-url nor the CA's default", kCa},
        {"ca.corrupt", S::error, "the CA directory is not what ca init wrote", kCa},
        {"ca.lock", S::error, "the CA directory cannot be locked", kCa},
        {"ca.unknown-serial", S::error, "--revoke names a serial the CA never issued", kCa},
        {"ca.revoke-root", S::error, "--revoke names the root's own serial, which no CRL revokes", kCa},
        {"ca.revoked", S::error, "the CA's intermediate is revoked: it issues no more", kCa},
        {"usage.ca-sign", S::error, "ca sign given both forms (CSR --cert, --manifest) or neither, or --manifest without --out", kCa},
        {"usage.public-ca", S::error, "ca sign --manifest --only picks a certificate the plan gives to a public CA, without --lab-public", kCa},
        {"ca.manifest", S::error, "ca sign --manifest: the csr manifest cannot be read, is not one, or an entry names no request", kCa},
        {"ca.io", S::error, "a file of the CA cannot be read", kCa},
        {"ca.too-large", S::error, "a file of the CA over its size limit", kCa},
        {"csr.invalid", S::error, "not a certificate request (PEM or DER)", kCa},
        {"csr.signature", S::error, "the request's signature does not verify", kCa},
        {"csr.io", S::error, "the request to sign cannot be read", kCa},
        {"csr.too-large", S::error, "the request to sign is over 1 MiB", kCa},
        {"usage.crl-url", S::error, "a CRL URL that is not http:// or names no file, or two with one file name", kCa},

        // certtool pfx (lib/pfx).
        {"pfx.chain", S::error, "a chain certificate that is not on the leaf's path", kPfx},
        {"pfx.io", S::error, "a key or certificate file cannot be read", kPfx},
        {"pfx.too-large", S::error, "a key or certificate file over its size limit", kPfx},
        {"pfx.csp-key", S::error, "--csp names a CryptoAPI provider for an ECDSA key, which none can hold", kPfx},
        {"usage.pfx-form", S::error, "options of both forms of pfx (one file, per request), or of neither, or one short", kPfx},
        {"pfx.manifest", S::error, "the manifest.json of --requests cannot be used", kPfx},
        {"pfx.nothing-to-do", S::error, "the manifest lists no request (that --only selects)", kPfx},
        {"pfx.not-in-plan", S::error, "a request of the manifest whose id the plan does not have", kPfx},
        {"pfx.ambiguous", S::error, "two certificate files for one request in --certs", kPfx},
        {"pfx.no-certificates", S::error, "--certs holds a certificate for none of the selected requests", kPfx},
        {"pfx.plan-mismatch", S::error, "a certificate without its plan entry's names, or that is another id's", kPfx},

        // certtool renew (lib/renew).
        {"renew.inventory", S::error, "an inventory file or audit report that cannot be used", kRenew},
        {"usage.within", S::error, "a --within that is not 30d, 12h, 2w or days", kRenew},
        {"usage.keys", S::error, "--reuse-key without --keys, or the other way round", kRenew},
        {"usage.out", S::error, "no --out, or an --out that cannot be used", kRenew},
        {"usage.acme", S::error, "renew --acme without --server or --dns-hook", kRenew},
        {"usage.at", S::error, "an --at that is not an ISO 8601 time", kVerify},

        // certtool script (lib/script).
        {"script.too-late-to-stage", S::error, "a certificate's EffectiveDate would be past: nothing written", kScript},
        {"script.pfx-mismatch", S::error, "a PFX that is not the plan's certificate", kScript},
        {"script.pfx-no-key", S::error, "a PFX without the certificate's private key", kScript},
        {"script.no-pfx", S::error, "no PFX for any planned certificate", kScript},
        {"script.pfx-folder", S::error, "--pfx is not a readable folder", kScript},
        {"script.current-unreadable", S::error, "a --current file or report that cannot be read", kScript},
        {"script.unsafe-name", S::error, "a certificate id or member name that cannot be a file name", kScript},
        {"script.io", S::error, "a PFX or --ca file cannot be read", kScript},
        {"script.too-large", S::error, "a PFX or --ca file over 16 MiB", kScript},
        {"script.ca-folder", S::error, "--ca is not a folder certtool ca init wrote (no root.pem, not a CA, not its root)", kScript},
        {"usage.script-pfx", S::error, "neither --pfx nor --export-only given to certtool script", kScript},
        {"usage.lead-hours", S::error, "a --lead-hours out of range", kScript},
        {"usage.immediate", S::error, "--immediate names no certificate of the plan", kScript},

        // certtool acme (lib/acme).
        {"acme.unreachable", S::error, "no connection to the CA", kAcme},
        {"acme.tls-failed", S::error, "TLS with the CA failed", kAcme},
        {"acme.timeout", S::error, "no complete answer within --timeout", kAcme},
        {"acme.too-large", S::error, "an answer over 4 MiB", kAcme},
        {"acme.garbage", S::error, "an answer that is not what RFC 8555 says", kAcme},
        {"acme.insecure-url", S::error, "a URL that is not https", kAcme},
        {"acme.server-error", S::error, "HTTP 5xx or serverInternal, after the retries", kAcme},
        {"acme.rate-limited", S::error, "rateLimited or HTTP 429, after the retries", kAcme},
        {"acme.bad-nonce", S::error, "the CA refused four nonces in a row", kAcme},
        {"acme.problem", S::error, "a problem type outside the ACME namespace", kAcme},
        {"acme.account-does-not-exist", S::error, "the CA has no account for the key", kAcme},
        {"acme.already-revoked", S::error, "the CA's problem alreadyRevoked", kAcme},
        {"acme.bad-csr", S::error, "the CA refused the request", kAcme},
        {"acme.bad-public-key", S::error, "the CA refused the key", kAcme},
        {"acme.bad-revocation-reason", S::error, "the CA's problem badRevocationReason", kAcme},
        {"acme.bad-signature-algorithm", S::error, "the CA refused the signature algorithm", kAcme},
        {"acme.caa", S::error, "a CAA record forbids the CA", kAcme},
        {"acme.compound", S::error, "several problems (the subproblems are shown)", kAcme},
        {"acme.connection", S::error, "the CA could not connect for validation", kAcme},
        {"acme.dns", S::error, "the CA's DNS lookup failed", kAcme},
        {"acme.incorrect-response", S::error, "the CA found the wrong response", kAcme},
        {"acme.invalid-contact", S::error, "the CA refused a --contact", kAcme},
        {"acme.malformed", S::error, "the CA found the request malformed", kAcme},
        {"acme.order-not-ready", S::error, "the order was not ready to finalize", kAcme},
        {"acme.rejected-identifier", S::error, "the CA will not issue for a name", kAcme},
        {"acme.tls", S::error, "the CA's TLS validation failed", kAcme},
        {"acme.unauthorized", S::error, "the CA refused the authorization", kAcme},
        {"acme.unsupported-contact", S::error, "the CA does not support a contact's scheme", kAcme},
        {"acme.unsupported-identifier", S::error, "the CA does not support a name's type", kAcme},
        {"acme.user-action-required", S::error, "the CA needs the admin to act (its terms)", kAcme},
        {"acme.already-replaced", S::error, "the certificate was replaced already (RFC 9773)", kAcme},
        {"acme.terms-not-agreed", S::error, "a new account needs --agree-tos", kAcme},
        {"acme.external-account-required", S::error, "a new account needs external account binding", kAcme},
        {"acme.account-deactivated", S::error, "the CA says the account is deactivated", kAcme},
        {"acme.account-revoked", S::error, "the CA says the account is revoked", kAcme},
        {"acme.account-invalid", S::error, "the CA will not use the account", kAcme},
        {"acme.invalid-profile", S::error, "--profile is not among the CA's profiles", kAcme},
        {"acme.no-dns-challenge", S::error, "the CA offers no dns-01 challenge for a name", kAcme},
        {"acme.authorization-invalid", S::error, "the authorization is invalid already", kAcme},
        {"acme.authorization-unusable", S::error, "the authorization is expired, revoked or deactivated", kAcme},
        {"acme.challenge-invalid", S::error, "the CA looked and refused the challenge", kAcme},
        {"acme.order-invalid", S::error, "the order failed", kAcme},
        {"acme.order-timeout", S::error, "the order was not done within --order-timeout", kAcme},
        {"acme.certificate-mismatch", S::error, "the CA's certificate is not for the request's key", kAcme},
        {"acme.hook-failed", S::varies, "the DNS hook exited non-zero", kAcme, {}, "error; warning for a cleanup call"},
        {"acme.hook-timeout", S::varies, "the DNS hook was killed at --hook-timeout", kAcme, {}, "error; warning for a cleanup call"},
        {"acme.dns-not-visible", S::error, "the TXT records were not seen at --dns-resolver in time", kAcme},
        {"acme.interrupted", S::error, "SIGINT or SIGTERM", kAcme},
        {"acme.csr-missing", S::error, "no REQ_DIR/<id>.csr", kAcme},
        {"acme.csr-invalid", S::error, "REQ_DIR/<id>.csr is not a valid request", kAcme},
        {"acme.csr-differs", S::error, "the request's CN and SANs are not the plan's", kAcme},
        {"acme.csr.io", S::error, "REQ_DIR/<id>.csr cannot be read", kAcme},
        {"acme.csr.too-large", S::error, "REQ_DIR/<id>.csr is over its size limit", kAcme},
        {"acme.not-public", S::error, "--only names a certificate not planned for a public CA", kAcme},
        {"acme.nothing-to-order", S::error, "the plan has no public-CA certificate to order", kAcme},
        {"acme.account-key", S::error, "the account key cannot be used", kAcme},
        {"acme.account-key.io", S::error, "the account key cannot be read", kAcme},
        {"acme.account-key.too-large", S::error, "the account key file is over its size limit", kAcme},
        {"acme.state", S::error, "acme-state.json cannot be used", kAcme},
        {"acme.state.io", S::error, "acme-state.json cannot be read", kAcme},
        {"acme.state.too-large", S::error, "acme-state.json is over 16 MiB", kAcme},
        {"acme.eab-file.io", S::error, "--eab-hmac-file cannot be read", kAcme},
        {"acme.eab-file.too-large", S::error, "--eab-hmac-file is over 4 KiB", kAcme},
        {"acme.eab-env", S::error, "--eab-hmac-env names an unset or empty variable", kAcme},
        {"acme.eab-hmac", S::error, "the EAB HMAC key is not base64url", kAcme},
        {"usage.server", S::error, "--server is not https (plain http only on loopback)", kAcme},
        {"usage.dns-hook", S::error, "--dns-hook is not an executable file", kAcme},
        {"usage.contact", S::error, "a --contact that is not mailto:", kAcme},
        {"usage.eab", S::error, "--eab-kid without its HMAC key, or the other way round", kAcme},
        {"usage.ca-bundle", S::error, "--ca-bundle cannot be read", kAcme},
        {"usage.dns-resolver", S::error, "--dns-resolver is not IP[:PORT]", kAcme},
        {"usage.requests", S::error, "--requests is not a folder", kAcme},

        // certtool import (lib/import, lib/xml): findings on standard error, then input errors (exit 2).
        {"import.missing-field", S::error, "a field the plan needs that neither the topology XML nor the overlay gives", kImport},
        {"import.assumed", S::warning, "a value the XML does not record, chosen by a stated rule: check it", kImport},
        {"import.not-in-source", S::warning, "a field no topology XML holds (organization, simple URLs, reverse proxies, XMPP domains)", kImport},
        {"import.default-applies", S::info, "a field no topology XML holds whose default applies (policy, mobility, OAuth)", kImport},
        {"import.derived", S::info, "a value derived by a rule, not read from one attribute (product, edition)", kImport},
        {"import.skipped", S::info, "what the XML holds that no certificate concerns (SQL, file stores, gateways, BackCompatSite)", kImport},
        {"import.product-mixed", S::warning, "servers of several versions: planned for the oldest", kImport},
        {"import.source.io", S::error, "the topology XML cannot be read", kImport},
        {"import.source.too-large", S::error, "the topology XML is larger than 32 MiB", kImport},
        {"import.not-xml", S::error, "the file is empty or not XML (PowerShell's table view)", kImport},
        {"import.xml-syntax", S::error, "not well-formed XML (truncated, a tag mismatch): with the line", kImport},
        {"import.xml-encoding", S::error, "neither UTF-8 nor UTF-16 with a byte-order mark", kImport},
        {"import.xml-doctype", S::error, "a DOCTYPE (where entities are declared): refused unread", kImport},
        {"import.xml-too-deep", S::error, "elements nested more than 64 levels deep", kImport},
        {"import.wrong-root", S::error, "the root element is neither Topology nor TopologyBuilder in its namespace", kImport},
        {"import.structure", S::error, "a required element or attribute is missing", kImport},
        {"import.overlay.io", S::error, "the overlay cannot be read", kImport},
        {"import.overlay.too-large", S::error, "the overlay is larger than 16 MiB", kImport},
        {"import.overlay-invalid", S::error, "the overlay is not a strict JSON object", kImport},

        // The topology (lib/topology on lib/core's JSON reader).
        {"topology.syntax", S::error, "invalid JSON", kInput},
        {"topology.too-deep", S::error, "nesting deeper than 64 levels", kInput},
        {"topology.duplicate-key", S::error, "the same key twice in one object", kInput},
        {"topology.type", S::error, "a value of the wrong JSON type", kInput},
        {"topology.unknown-field", S::error, "a key the contract does not define", kInput},
        {"topology.missing-field", S::error, "a required field is absent", kInput},
        {"topology.schema", S::error, "schema is not certtool.topology/v1", kInput},
        {"topology.not-a-topology", S::error, "another certtool document given as the topology", kInput},
        {"topology.invalid-value", S::error, "a value outside its allowed set", kInput},
        {"topology.out-of-range", S::error, "a number outside its range", kInput},
        {"topology.invalid-fqdn", S::error, "not a valid DNS name", kInput},
        {"topology.wildcard-not-allowed", S::error, "a wildcard where the topology takes none", kInput},
        {"topology.invalid-url", S::error, "a malformed URL, or one not http/https", kInput},
        {"topology.invalid-ip", S::error, "not an IPv4 or IPv6 address", kInput},
        {"topology.empty-sip-domains", S::error, "no SIP domain", kInput},
        {"topology.no-sites", S::error, "no site", kInput},
        {"topology.no-members", S::error, "a pool without members", kInput},
        {"topology.empty-publishes", S::error, "a reverse proxy's publishes is empty", kInput},
        {"topology.duplicate-sip-domain", S::error, "a SIP domain given twice", kInput},
        {"topology.duplicate-value", S::error, "a value given twice in one list", kInput},
        {"topology.duplicate-member", S::error, "a member in two places", kInput},
        {"topology.duplicate-pool", S::error, "a pool FQDN given twice", kInput},
        {"topology.duplicate-name", S::error, "a name given twice", kInput},
        {"topology.too-many-members", S::error, "load_balancing none with more than one member", kInput},
        {"topology.standard-edition", S::error, "a Standard Edition pool with several members or another FQDN", kInput},
        {"topology.single-server", S::error, "a single-server pool whose member is not the pool", kTopology},
        {"topology.member-is-pool", S::error, "a member FQDN equal to its pool's in a multi-member pool", kTopology},
        {"topology.unknown-sip-domain", S::error, "a domain list names a domain that is not a SIP domain", kInput},
        {"topology.hlb-nat", S::error, "hardware load balancing with NAT", kInput},
        {"topology.vips-without-hlb", S::error, "vips without load_balancing hlb", kInput},
        {"topology.unknown-pool", S::error, "a reverse proxy publishes an unknown pool", kInput},
        {"topology.too-many-errors", S::error, "more than 200 problems", kInput},
        {"topology.io", S::error, "the topology cannot be read", kInput},
        {"topology.too-large", S::error, "the topology is over 16 MiB", kInput},

        // lib/crypto's own codes: most reach the admin only in an internal error.
        {"csr.build", S::error, "OpenSSL could not build a request", kCrypto},
        {"key.generate", S::error, "OpenSSL could not generate a key", kCrypto},
        {"key.params", S::error, "a key size or curve OpenSSL is not asked for", kCrypto},
        {"key.encode", S::error, "a key could not be encoded", kCrypto},
        {"key.load", S::error, "a key could not be read into OpenSSL", kCrypto},
        {"key.empty", S::error, "a key object without a key", kCrypto},
        {"key.empty-passphrase", S::error, "an empty passphrase for a key to encrypt", kCrypto},
        {"key.unsupported-type", S::error, "a key that is neither RSA nor EC on P-256, P-384 or P-521", kCrypto},
        {"key.invalid", S::error, "a public key that cannot be written as a JWK", kCrypto},
        {"issue.failed", S::error, "OpenSSL could not issue a certificate", kCrypto},
        {"issue.key-mismatch", S::error, "the issuer key is not the issuer certificate's", kCrypto},
        {"crl.failed", S::error, "OpenSSL could not write a CRL", kCrypto},
        {"pfx.failed", S::error, "OpenSSL could not write or read a PKCS#12 file", kCrypto},
        {"tls.init", S::error, "OpenSSL could not set up a TLS client", kCrypto},
        {"digest.failed", S::error, "a SHA-256 digest failed", kCrypto},
        {"hmac.failed", S::error, "an HMAC failed", kCrypto},
        {"jws.sign", S::error, "a JWS could not be signed", kCrypto},
        {"jws.too-large", S::error, "a JWS input too large to sign", kCrypto},
        {"base64url.invalid", S::error, "text that is not base64url", kCrypto},
    };
}

}  // namespace

std::string_view to_string(CodeSeverity severity) {
    switch (severity) {
        case CodeSeverity::error: return "error";
        case CodeSeverity::warning: return "warning";
        case CodeSeverity::info: return "info";
        case CodeSeverity::varies: return "varies";
    }
    return "error";
}

const std::vector<CatalogueEntry>& finding_catalogue() {
    static const std::vector<CatalogueEntry> table = entries();
    return table;
}

const CatalogueEntry* find_code(std::string_view code) {
    static const auto by_code = [] {
        std::map<std::string_view, const CatalogueEntry*, std::less<>> index;
        for (const auto& entry : finding_catalogue()) index.emplace(entry.code, &entry);
        return index;
    }();
    const auto it = by_code.find(code);
    return it == by_code.end() ? nullptr : it->second;
}

std::string_view current_code(std::string_view code) {
    static const auto by_old_name = [] {
        std::map<std::string_view, std::string_view, std::less<>> index;
        for (const auto& entry : finding_catalogue())
            for (const auto old : entry.old_names) index.emplace(old, entry.code);
        return index;
    }();
    const auto it = by_old_name.find(code);
    return it == by_old_name.end() ? code : it->second;
}

}  // namespace certtool
