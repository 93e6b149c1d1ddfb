// Private to lib/crypto: RAII owners for OpenSSL objects, the OpenSSL error
// helper, and the definition of PrivateKey::Impl. Never include this header
// outside lib/crypto.
#pragma once

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <string>

#include "crypto/keys.hpp"

namespace certtool::crypto {

namespace ossl {

template <typename T, void (*Free)(T*)>
struct Deleter {
    void operator()(T* p) const noexcept {
        if (p != nullptr) Free(p);
    }
};

// BIO_free returns int; wrap it so that it fits Deleter.
inline void bio_free(BIO* b) { BIO_free(b); }
inline void asn1_object_free(ASN1_OBJECT* o) { ASN1_OBJECT_free(o); }
inline void general_names_free(GENERAL_NAMES* n) { GENERAL_NAMES_free(n); }
inline void eku_free(EXTENDED_KEY_USAGE* e) { sk_ASN1_OBJECT_pop_free(e, ASN1_OBJECT_free); }
inline void extensions_free(STACK_OF(X509_EXTENSION) * s) { sk_X509_EXTENSION_pop_free(s, X509_EXTENSION_free); }

using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX, EVP_PKEY_CTX_free>>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX, EVP_MD_CTX_free>>;
using MdPtr = std::unique_ptr<EVP_MD, Deleter<EVP_MD, EVP_MD_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO, bio_free>>;
using ReqPtr = std::unique_ptr<X509_REQ, Deleter<X509_REQ, X509_REQ_free>>;
using ExtPtr = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION, X509_EXTENSION_free>>;
using ExtStackPtr = std::unique_ptr<STACK_OF(X509_EXTENSION), Deleter<STACK_OF(X509_EXTENSION), extensions_free>>;
using GeneralNamesPtr = std::unique_ptr<GENERAL_NAMES, Deleter<GENERAL_NAMES, general_names_free>>;
using GeneralNamePtr = std::unique_ptr<GENERAL_NAME, Deleter<GENERAL_NAME, GENERAL_NAME_free>>;
using EkuPtr = std::unique_ptr<EXTENDED_KEY_USAGE, Deleter<EXTENDED_KEY_USAGE, eku_free>>;
using ObjectPtr = std::unique_ptr<ASN1_OBJECT, Deleter<ASN1_OBJECT, asn1_object_free>>;
using BitStringPtr = std::unique_ptr<ASN1_BIT_STRING, Deleter<ASN1_BIT_STRING, ASN1_BIT_STRING_free>>;
using StringPtr = std::unique_ptr<ASN1_STRING, Deleter<ASN1_STRING, ASN1_STRING_free>>;
using OctetStringPtr = std::unique_ptr<ASN1_OCTET_STRING, Deleter<ASN1_OCTET_STRING, ASN1_OCTET_STRING_free>>;
using Ia5StringPtr = std::unique_ptr<ASN1_IA5STRING, Deleter<ASN1_IA5STRING, ASN1_IA5STRING_free>>;

// Drains this thread's OpenSSL error queue into one line ("; "-separated
// reason strings). OpenSSL's reason strings never hold key material.
inline std::string drain_errors() {
    std::string out;
    unsigned long e = 0;
    while ((e = ERR_get_error()) != 0) {
        char buf[256];
        ERR_error_string_n(e, buf, sizeof buf);
        if (!out.empty()) out += "; ";
        out += buf;
    }
    return out;
}

// A CryptoError whose message is `what` followed by the drained OpenSSL errors.
[[nodiscard]] inline CryptoError error(const std::string& code, const std::string& what) {
    std::string details = drain_errors();
    return CryptoError(code, details.empty() ? what : what + " (OpenSSL: " + details + ")");
}

// Copies a memory BIO's contents into a string; with `cleanse`, the BIO's
// buffer is wiped afterwards (for PEM text of private keys).
inline std::string bio_to_string(BIO* bio, bool cleanse) {
    char* data = nullptr;
    long len = BIO_get_mem_data(bio, &data);
    if (len <= 0 || data == nullptr) return {};
    std::string out(data, static_cast<std::size_t>(len));
    if (cleanse) OPENSSL_cleanse(data, static_cast<std::size_t>(len));
    return out;
}

}  // namespace ossl

struct PrivateKey::Impl {
    ossl::PkeyPtr pkey;
};

}  // namespace certtool::crypto
