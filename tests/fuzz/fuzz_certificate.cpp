// fuzz_certificate: a certificate file as `certtool verify` / `audit` / `renew`
// read it: crypto::load_certificates (PEM with garbage between blocks, DER,
// PKCS#12 with the password "fuzz"), then for every certificate what the checks
// read: names::matches of each SAN, check::check_generic (names, EKU, key usage,
// signature, validity, the file's key, and the chain built by Botan from the
// file's own certificates, the last one as the trust anchor).
// A bug: any crash or sanitizer report, any exception other than CryptoError /
// InputError, a certificate that does not read back the same from its own DER,
// or an input that keeps the loader busy past libFuzzer's -timeout.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "check/check.hpp"
#include "core/diagnostic.hpp"
#include "crypto/certificate.hpp"
#include "names/names.hpp"

using namespace certtool;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    try {
        const crypto::CertificateBundle bundle = crypto::load_certificates(input, std::string("fuzz"));
        check::Context context;
        context.at = std::chrono::system_clock::from_time_t(1767225600);  // 2026-01-01
        context.chain.trusted_der = {bundle.certificates.back().der};
        for (std::size_t i = 0; i + 1 < bundle.certificates.size(); ++i)
            context.chain.intermediates_der.push_back(bundle.certificates[i].der);
        context.chain.at = context.at;
        context.key = bundle.key ? &*bundle.key : nullptr;
        const check::GenericRequirement requirement{{"sip.contoso.com", "lyncdiscover.contoso.com"}, {"serverAuth"}};
        for (const crypto::Certificate& certificate : bundle.certificates) {
            context.check_chain = &certificate == &bundle.certificates.front();  // the leaf's chain only
            for (const std::string& name : certificate.dns_names) {
                (void)names::matches(name, "sip.contoso.com");
                (void)names::matches("sip.contoso.com", name);
                (void)names::publicly_issuable(name);
            }
            if (crypto::parse_certificate_der(certificate.der).sha256_fingerprint != certificate.sha256_fingerprint)
                __builtin_trap();
            (void)check::check_generic(certificate, requirement, context, "fuzz");
        }
    } catch (const crypto::CryptoError&) {
    } catch (const InputError&) {
    }
    return 0;
}
