// fuzz_pkcs12: a PFX as `certtool pfx --inspect`, `verify` and `renew` read it:
// crypto::inspect_pkcs12 and crypto::load_certificates with the password "fuzz",
// and load_certificates without a password (which tries "" and no password).
// A PKCS#12 file states its own MAC and PBE iteration counts; the loaders must
// refuse absurd ones ("cert.pkcs12-iterations") rather than spin on them.
// A bug: any crash or sanitizer report, any exception other than CryptoError,
// or an input that takes longer than libFuzzer's -timeout.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "crypto/certificate.hpp"
#include "crypto/pkcs12.hpp"

using namespace certtool;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    try {
        (void)crypto::inspect_pkcs12(input, "fuzz");
    } catch (const crypto::CryptoError&) {
    }
    try {
        (void)crypto::load_certificates(input, std::string("fuzz"));
    } catch (const crypto::CryptoError&) {
    }
    try {
        (void)crypto::load_certificates(input, std::nullopt);
    } catch (const crypto::CryptoError&) {
    }
    return 0;
}
