#include "crypto/pbe_limits.hpp"

#include <openssl/objects.h>
#include <openssl/pem.h>

#include <climits>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string_view>

#include "crypto/openssl_util.hpp"

namespace certtool::crypto::pbe {

namespace {

inline void p7_stack_free(STACK_OF(PKCS7) * s) { sk_PKCS7_pop_free(s, PKCS7_free); }
inline void safebag_stack_free(STACK_OF(PKCS12_SAFEBAG) * s) { sk_PKCS12_SAFEBAG_pop_free(s, PKCS12_SAFEBAG_free); }

using Pbe2Ptr = std::unique_ptr<PBE2PARAM, ossl::Deleter<PBE2PARAM, PBE2PARAM_free>>;
using Pbkdf2Ptr = std::unique_ptr<PBKDF2PARAM, ossl::Deleter<PBKDF2PARAM, PBKDF2PARAM_free>>;
using ScryptPtr = std::unique_ptr<SCRYPT_PARAMS, ossl::Deleter<SCRYPT_PARAMS, SCRYPT_PARAMS_free>>;
using PbeParamPtr = std::unique_ptr<PBEPARAM, ossl::Deleter<PBEPARAM, PBEPARAM_free>>;
using P7StackPtr = std::unique_ptr<STACK_OF(PKCS7), ossl::Deleter<STACK_OF(PKCS7), p7_stack_free>>;
using SafeBagStackPtr = std::unique_ptr<STACK_OF(PKCS12_SAFEBAG), ossl::Deleter<STACK_OF(PKCS12_SAFEBAG), safebag_stack_free>>;
using SigPtr = std::unique_ptr<X509_SIG, ossl::Deleter<X509_SIG, X509_SIG_free>>;

constexpr long long kUnreadable = LLONG_MAX;  // a count too large for 64 bits

template <typename T>
T* unpack(const ASN1_ITEM* item, const ASN1_TYPE* parameter) {
    return parameter == nullptr ? nullptr : static_cast<T*>(ASN1_TYPE_unpack_sequence(item, parameter));
}

long long count_of(const ASN1_INTEGER* value) {
    if (value == nullptr) return 1;  // DEFAULT 1
    std::int64_t count = 0;
    return ASN1_INTEGER_get_int64(&count, value) == 1 ? count : kUnreadable;
}

// scrypt's work is N * r * p, saturating.
long long scrypt_cost(const SCRYPT_PARAMS& s) {
    long long cost = 1;
    for (const ASN1_INTEGER* factor : {s.costParameter, s.blockSize, s.parallelizationParameter}) {
        const long long value = count_of(factor);
        if (value < 1) return value;
        cost = value > kUnreadable / cost ? kUnreadable : cost * value;
    }
    return cost;
}

std::string count_text(long long count) {
    return count == kUnreadable ? "an iteration count too large to read" : std::to_string(count) + " iterations";
}

long long check_count(long long count, const std::string& code, const std::string& what) {
    if (count >= 1 && count <= kMaxIterations) return count;
    throw CryptoError(code, what + " asks for " + count_text(count) + "; certtool accepts 1 to " +
                                std::to_string(kMaxIterations) +
                                " (Windows and OpenSSL write a few thousand): the file is damaged or made to keep "
                                "certtool busy");
}

}  // namespace

long long check_algorithm(const X509_ALGOR* algorithm, const std::string& code, const std::string& what) {
    if (algorithm == nullptr) return 0;
    std::optional<long long> cost;  // nullopt: not a PBE certtool knows (OpenSSL refuses those)
    const int nid = OBJ_obj2nid(algorithm->algorithm);
    if (nid == NID_pbes2) {
        const Pbe2Ptr pbes2(unpack<PBE2PARAM>(ASN1_ITEM_rptr(PBE2PARAM), algorithm->parameter));
        const int kdf = pbes2 && pbes2->keyfunc != nullptr ? OBJ_obj2nid(pbes2->keyfunc->algorithm) : NID_undef;
        if (kdf == NID_id_pbkdf2) {
            const Pbkdf2Ptr pbkdf2(unpack<PBKDF2PARAM>(ASN1_ITEM_rptr(PBKDF2PARAM), pbes2->keyfunc->parameter));
            if (pbkdf2) cost = count_of(pbkdf2->iter);
        } else if (kdf == NID_id_scrypt) {
            const ScryptPtr scrypt(unpack<SCRYPT_PARAMS>(ASN1_ITEM_rptr(SCRYPT_PARAMS), pbes2->keyfunc->parameter));
            if (scrypt) cost = scrypt_cost(*scrypt);
        }
    } else if (EVP_PBE_find(EVP_PBE_TYPE_OUTER, nid, nullptr, nullptr, nullptr) == 1) {
        // PKCS#12 PBE (pbeWithSHA1And3-KeyTripleDES-CBC, ...) and PKCS#5 v1.
        const PbeParamPtr pbe(unpack<PBEPARAM>(ASN1_ITEM_rptr(PBEPARAM), algorithm->parameter));
        if (pbe) cost = count_of(pbe->iter);
    }
    ERR_clear_error();
    return cost ? check_count(*cost, code, what) : 0;
}

namespace {

constexpr const char* kPkcs12Code = "cert.pkcs12-iterations";

struct Total {
    long long iterations = 0;
    void add(long long cost) {
        iterations += cost;  // each cost is at most kMaxIterations: no overflow before the check
        if (iterations > kMaxTotalIterations) {
            throw CryptoError(kPkcs12Code, "the PKCS#12 file asks for more than " + std::to_string(kMaxTotalIterations) +
                                               " key derivation iterations in all (MAC, encrypted content and keys); "
                                               "the file is damaged or made to keep certtool busy");
        }
    }
};

void check_bags(const STACK_OF(PKCS12_SAFEBAG) * bags, Total& total) {
    for (int i = 0; i < sk_PKCS12_SAFEBAG_num(bags); ++i) {
        const PKCS12_SAFEBAG* bag = sk_PKCS12_SAFEBAG_value(bags, i);
        switch (PKCS12_SAFEBAG_get_nid(bag)) {
            case NID_pkcs8ShroudedKeyBag:
                if (const X509_SIG* sig = PKCS12_SAFEBAG_get0_pkcs8(bag)) {
                    const X509_ALGOR* algorithm = nullptr;
                    X509_SIG_get0(sig, &algorithm, nullptr);
                    total.add(check_algorithm(algorithm, kPkcs12Code, "a PKCS#12 key bag"));
                }
                break;
            case NID_safeContentsBag: check_bags(PKCS12_SAFEBAG_get0_safes(bag), total); break;
            default: break;
        }
    }
}

}  // namespace

void check_pkcs12(PKCS12* p12, bool decrypt, const char* password, int password_length) {
    Total total;
    if (PKCS12_mac_present(p12) == 1) {
        const ASN1_INTEGER* iterations = nullptr;
        PKCS12_get0_mac(nullptr, nullptr, nullptr, &iterations, p12);
        total.add(check_count(count_of(iterations), kPkcs12Code, "the PKCS#12 integrity check (MAC)"));
    }
    const P7StackPtr safes(PKCS12_unpack_authsafes(p12));
    for (int i = 0; safes && i < sk_PKCS7_num(safes.get()); ++i) {
        PKCS7* p7 = sk_PKCS7_value(safes.get(), i);
        SafeBagStackPtr bags;
        if (OBJ_obj2nid(p7->type) == NID_pkcs7_data) {
            bags.reset(PKCS12_unpack_p7data(p7));
        } else if (OBJ_obj2nid(p7->type) == NID_pkcs7_encrypted && p7->d.encrypted != nullptr &&
                   p7->d.encrypted->enc_data != nullptr) {
            total.add(check_algorithm(p7->d.encrypted->enc_data->algorithm, kPkcs12Code, "the PKCS#12 encrypted content"));
            if (decrypt) bags.reset(PKCS12_unpack_p7encdata(p7, password, password_length));
        }
        if (bags) check_bags(bags.get(), total);
    }
    ERR_clear_error();
}

void check_pem_keys(const char* pem, int length) {
    if (length <= 0 || std::string_view(pem, static_cast<std::size_t>(length)).find(PEM_STRING_PKCS8) == std::string_view::npos)
        return;
    const ossl::BioPtr bio(BIO_new_mem_buf(pem, length));
    if (!bio) return;  // the loader's own BIO will fail the same way
    struct Block {
        char* name = nullptr;
        char* header = nullptr;
        unsigned char* data = nullptr;
        long length = 0;
        ~Block() {
            OPENSSL_free(name);
            OPENSSL_free(header);
            OPENSSL_free(data);
        }
    };
    for (;;) {
        Block block;
        if (PEM_read_bio(bio.get(), &block.name, &block.header, &block.data, &block.length) != 1) break;
        if (std::strcmp(block.name, PEM_STRING_PKCS8) != 0) continue;
        const unsigned char* p = block.data;
        const SigPtr sig(d2i_X509_SIG(nullptr, &p, block.length));
        if (!sig) continue;
        const X509_ALGOR* algorithm = nullptr;
        X509_SIG_get0(sig.get(), &algorithm, nullptr);
        check_algorithm(algorithm, "key.iterations", "the encrypted private key");
    }
    ERR_clear_error();
}

}  // namespace certtool::crypto::pbe
