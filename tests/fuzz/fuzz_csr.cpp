// fuzz_csr: a certificate signing request as `certtool ca sign` takes it from a
// user (PEM or DER): crypto::read_csr (OpenSSL, signature verified) and
// crypto::parse_csr_independently (Botan, what `certtool csr` reads back).
// A bug: any crash or sanitizer report, or any exception other than CryptoError
// (Botan's own exceptions must be turned into "csr.invalid").
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "crypto/csr.hpp"
#include "crypto/issue.hpp"

using namespace certtool;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    try {
        (void)crypto::read_csr(input);
    } catch (const crypto::CryptoError&) {
    }
    try {
        (void)crypto::parse_csr_independently(input);
    } catch (const crypto::CryptoError&) {
    }
    return 0;
}
