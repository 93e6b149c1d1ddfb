// PKCS#12 files written and inspected with OpenSSL 3. Both profiles use only
// algorithms of OpenSSL's default provider: PBE-SHA1-3DES and the PKCS#12 KDF
// are there (RC2-40, which needs the legacy provider, is never written).
#include "crypto/pkcs12.hpp"

#include <openssl/objects.h>
#include <openssl/pkcs12.h>

#include <climits>
#include <cstring>
#include <memory>
#include <string>

#include "crypto/openssl_util.hpp"
#include "crypto/pbe_limits.hpp"

namespace certtool::crypto {

namespace {

inline void x509_stack_free(STACK_OF(X509) * s) { sk_X509_pop_free(s, X509_free); }
inline void p7_stack_free(STACK_OF(PKCS7) * s) { sk_PKCS7_pop_free(s, PKCS7_free); }
inline void safebag_stack_free(STACK_OF(PKCS12_SAFEBAG) * s) { sk_PKCS12_SAFEBAG_pop_free(s, PKCS12_SAFEBAG_free); }

using X509Ptr = std::unique_ptr<X509, ossl::Deleter<X509, X509_free>>;
using X509StackPtr = std::unique_ptr<STACK_OF(X509), ossl::Deleter<STACK_OF(X509), x509_stack_free>>;
using Pkcs12Ptr = std::unique_ptr<PKCS12, ossl::Deleter<PKCS12, PKCS12_free>>;
using P7StackPtr = std::unique_ptr<STACK_OF(PKCS7), ossl::Deleter<STACK_OF(PKCS7), p7_stack_free>>;
using SafeBagStackPtr = std::unique_ptr<STACK_OF(PKCS12_SAFEBAG), ossl::Deleter<STACK_OF(PKCS12_SAFEBAG), safebag_stack_free>>;
using P8Ptr = std::unique_ptr<PKCS8_PRIV_KEY_INFO, ossl::Deleter<PKCS8_PRIV_KEY_INFO, PKCS8_PRIV_KEY_INFO_free>>;
using Pbe2ParamPtr = std::unique_ptr<PBE2PARAM, ossl::Deleter<PBE2PARAM, PBE2PARAM_free>>;

constexpr int kMaxIterations = 600000;
constexpr std::size_t kMaxCspName = 255;  // Windows' provider names are far shorter

struct ProfileSettings {
    int pbe_nid;        // for the key bag and the certificate safe alike
    const EVP_MD* mac;  // HMAC digest over the whole file
    int iterations;
};

ProfileSettings settings_for(Pkcs12Profile profile) {
    if (profile == Pkcs12Profile::legacy) return {NID_pbe_WithSHA1And3_Key_TripleDES_CBC, EVP_sha1(), 2048};
    // A cipher NID makes PKCS12_create write PBES2 with PBKDF2-HMAC-SHA256.
    return {NID_aes_256_cbc, EVP_sha256(), 10000};
}

[[noreturn]] void fail(const std::string& what) { throw ossl::error("pfx.failed", what); }

X509Ptr decode_certificate(const Certificate& certificate, const std::string& what) {
    const auto* p = reinterpret_cast<const unsigned char*>(certificate.der.data());
    X509Ptr x(certificate.der.empty() || certificate.der.size() > static_cast<std::size_t>(LONG_MAX)
                  ? nullptr
                  : d2i_X509(nullptr, &p, static_cast<long>(certificate.der.size())));
    if (!x) fail(what + " cannot be decoded");
    return x;
}

std::string describe(const std::string& role, const Certificate& certificate) {
    return role + " (\"" + certificate.subject.common_name + "\")";
}

// Each element must be the issuer of the one before it: by name (what path
// builders look up) and by signature (what proves it).
void check_issued(const Certificate& parent, const std::string& parent_role, const Certificate& child,
                  const std::string& child_role) {
    X509Ptr parent_x = decode_certificate(parent, parent_role);
    X509Ptr child_x = decode_certificate(child, child_role);
    const std::string who = describe(parent_role, parent) + " did not issue " + describe(child_role, child);
    if (X509_NAME_cmp(X509_get_issuer_name(child_x.get()), X509_get_subject_name(parent_x.get())) != 0) {
        throw CryptoError("pfx.chain", who + ": the issuer name differs from its subject name");
    }
    EVP_PKEY* parent_key = X509_get0_pubkey(parent_x.get());
    const bool verified = parent_key != nullptr && X509_verify(child_x.get(), parent_key) == 1;
    ERR_clear_error();
    if (!verified) throw CryptoError("pfx.chain", who + ": the signature does not verify with its key");
}

void check_chain(const Pkcs12Request& request) {
    for (std::size_t i = 0; i < request.chain.size(); ++i) {
        if (request.chain[i] == nullptr) fail("chain element " + std::to_string(i) + " is missing");
        const std::string role = "chain element " + std::to_string(i);
        if (i == 0) {
            check_issued(*request.chain[0], role, *request.certificate, "the certificate");
        } else {
            check_issued(*request.chain[i], role, *request.chain[i - 1], "chain element " + std::to_string(i - 1));
        }
    }
}

X509StackPtr chain_stack(const Pkcs12Request& request) {
    X509StackPtr stack(sk_X509_new_null());
    if (!stack) fail("out of memory");
    for (std::size_t i = 0; i < request.chain.size(); ++i) {
        X509Ptr x = decode_certificate(*request.chain[i], "chain element " + std::to_string(i));
        if (sk_X509_push(stack.get(), x.get()) <= 0) fail("out of memory");
        (void)x.release();
    }
    return stack;
}

void check_request(const Pkcs12Request& request, const std::string& password) {
    if (request.key == nullptr || request.key->impl().pkey == nullptr || request.certificate == nullptr) {
        throw CryptoError("pfx.failed", "a PFX needs the private key and its certificate");
    }
    if (request.iterations < 0 || request.iterations > kMaxIterations) {
        throw CryptoError("pfx.failed", "invalid argument: iterations must be between 1 and " + std::to_string(kMaxIterations));
    }
    // OpenSSL takes the password as a C string: a NUL would silently cut it short.
    if (password.find('\0') != std::string::npos || password.size() > static_cast<std::size_t>(INT_MAX)) {
        throw CryptoError("pfx.failed", "invalid argument: the password holds a NUL character or is too long");
    }
    if (!key_matches(*request.key, *request.certificate)) {
        throw CryptoError("key.mismatch", "the private key is not the key of the certificate");
    }
    if (request.csp_name.size() > kMaxCspName) {
        throw CryptoError("pfx.failed", "invalid argument: the CSP name is longer than " + std::to_string(kMaxCspName) + " characters");
    }
    for (const char c : request.csp_name)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
            throw CryptoError("pfx.failed", "invalid argument: the CSP name holds a control character");
    check_chain(request);
}

// PKCS12_create copies the Microsoft CSP Name attribute from the key's own
// attributes onto the key bag (the way `openssl pkcs12 -export -CSP` sets it),
// so the attribute goes on a copy: the caller's key stays as it was. OpenSSL's
// string table makes the value a BMPString, as Windows expects.
ossl::PkeyPtr key_with_csp(EVP_PKEY* key, const std::string& csp_name) {
    ossl::PkeyPtr copy(EVP_PKEY_dup(key));
    if (!copy) fail("cannot copy the private key");
    if (EVP_PKEY_add1_attr_by_NID(copy.get(), NID_ms_csp_name, MBSTRING_UTF8,
                                  reinterpret_cast<const unsigned char*>(csp_name.data()), static_cast<int>(csp_name.size())) != 1) {
        throw ossl::error("pfx.failed", "invalid argument: the CSP name cannot be written as a BMPString (UTF-8 within the BMP)");
    }
    return copy;
}

std::string pkcs12_der(PKCS12* p12) {
    unsigned char* der = nullptr;
    const int len = i2d_PKCS12(p12, &der);
    if (len <= 0 || der == nullptr) fail("cannot encode the PFX");
    std::string out(reinterpret_cast<const char*>(der), static_cast<std::size_t>(len));
    OPENSSL_free(der);
    return out;
}

}  // namespace

std::string make_pkcs12(const Pkcs12Request& request, const std::string& password) {
    ERR_clear_error();
    check_request(request, password);
    const ProfileSettings settings = settings_for(request.profile);
    const int iterations = request.iterations != 0 ? request.iterations : settings.iterations;
    X509Ptr certificate = decode_certificate(*request.certificate, "the certificate");
    X509StackPtr chain = chain_stack(request);
    ossl::PkeyPtr key_copy;
    EVP_PKEY* key = request.key->impl().pkey.get();
    if (!request.csp_name.empty()) {
        key_copy = key_with_csp(key, request.csp_name);
        key = key_copy.get();
    }

    // PKCS12_create names the key and leaf bags and links them by localKeyID.
    // Its MAC is skipped (-1) because OpenSSL 3 would pick SHA-256; the
    // profile's digest is set just after.
    const char* name = request.friendly_name.empty() ? nullptr : request.friendly_name.c_str();
    Pkcs12Ptr p12(PKCS12_create(password.c_str(), name, key, certificate.get(), chain.get(),
                                settings.pbe_nid, settings.pbe_nid, iterations, -1, 0));
    if (!p12) fail("cannot build the PFX");
    if (PKCS12_set_mac(p12.get(), password.c_str(), -1, nullptr, 0, iterations, settings.mac) != 1) {
        fail("cannot add the PFX integrity check (MAC)");
    }
    std::string out = pkcs12_der(p12.get());
    ERR_clear_error();
    return out;
}

namespace {

std::string algorithm_name(const ASN1_OBJECT* obj) {
    const int nid = OBJ_obj2nid(obj);
    if (nid != NID_undef) return OBJ_nid2ln(nid);
    char buf[128];
    const int len = OBJ_obj2txt(buf, sizeof buf, obj, 1);
    return len > 0 && static_cast<std::size_t>(len) < sizeof buf ? std::string(buf, static_cast<std::size_t>(len)) : "unknown";
}

// PBES2 only says "see the parameters"; the cipher inside is what tells the
// profiles (and what old Windows cannot read) apart.
std::string scheme_name(const X509_ALGOR* alg) {
    if (alg == nullptr) return "unknown";
    if (OBJ_obj2nid(alg->algorithm) != NID_pbes2) return algorithm_name(alg->algorithm);
    Pbe2ParamPtr pbe2(static_cast<PBE2PARAM*>(ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(PBE2PARAM), alg->parameter)));
    if (!pbe2 || pbe2->encryption == nullptr) return "PBES2/unknown";
    return "PBES2/" + algorithm_name(pbe2->encryption->algorithm);
}

// A bag attribute's string value as UTF-8 (a BMPString for the CSP name).
std::string attribute_text(const ASN1_TYPE* value, const std::string& what) {
    unsigned char* utf8 = nullptr;
    const int length = value->type == V_ASN1_BMPSTRING || value->type == V_ASN1_UTF8STRING || value->type == V_ASN1_IA5STRING ||
                               value->type == V_ASN1_PRINTABLESTRING
                           ? ASN1_STRING_to_UTF8(&utf8, value->value.asn1_string)
                           : -1;
    if (length < 0 || utf8 == nullptr) {
        ERR_clear_error();
        throw CryptoError("cert.unreadable", "the key bag's " + what + " attribute is not a readable string");
    }
    std::string out(reinterpret_cast<const char*>(utf8), static_cast<std::size_t>(length));
    OPENSSL_free(utf8);
    return out;
}

struct Password {
    const char* text;
    int length;
};

// Reads one bag (recursing into nested safe contents). Returns false when
// the password does not decrypt a shrouded key.
bool read_bag(const PKCS12_SAFEBAG* bag, const Password& pass, Pkcs12Info& info) {
    switch (PKCS12_SAFEBAG_get_nid(bag)) {
        case NID_certBag: ++info.certificates; return true;
        case NID_keyBag: break;
        case NID_pkcs8ShroudedKeyBag: {
            const X509_ALGOR* alg = nullptr;
            X509_SIG_get0(PKCS12_SAFEBAG_get0_pkcs8(bag), &alg, nullptr);
            info.bag_schemes.push_back(scheme_name(alg));
            if (!P8Ptr(PKCS12_decrypt_skey(bag, pass.text, pass.length))) return false;
            break;
        }
        case NID_safeContentsBag: {
            bool ok = true;
            const STACK_OF(PKCS12_SAFEBAG)* inner = PKCS12_SAFEBAG_get0_safes(bag);
            for (int i = 0; i < sk_PKCS12_SAFEBAG_num(inner); ++i) ok = read_bag(sk_PKCS12_SAFEBAG_value(inner, i), pass, info) && ok;
            return ok;
        }
        default: return true;  // CRL, secret and unknown bags are not counted
    }
    info.has_key = true;
    if (char* name = PKCS12_get_friendlyname(const_cast<PKCS12_SAFEBAG*>(bag))) {
        info.friendly_name = name;
        OPENSSL_free(name);
    }
    if (const ASN1_TYPE* csp = PKCS12_SAFEBAG_get0_attr(bag, NID_ms_csp_name)) info.csp_name = attribute_text(csp, "Microsoft CSP Name");
    return true;
}

// Reads every safe. Returns false when some content did not decrypt.
bool read_safes(PKCS12* p12, const Password& pass, Pkcs12Info& info) {
    P7StackPtr safes(PKCS12_unpack_authsafes(p12));
    if (!safes) throw ossl::error("cert.unreadable", "the PKCS#12 content cannot be decoded");
    bool decrypted = true;
    for (int i = 0; i < sk_PKCS7_num(safes.get()); ++i) {
        PKCS7* p7 = sk_PKCS7_value(safes.get(), i);
        SafeBagStackPtr bags;
        switch (OBJ_obj2nid(p7->type)) {
            case NID_pkcs7_data: bags.reset(PKCS12_unpack_p7data(p7)); break;
            case NID_pkcs7_encrypted:
                // The content is OPTIONAL in the ASN.1: an encryptedData safe may have none.
                if (p7->d.encrypted == nullptr || p7->d.encrypted->enc_data == nullptr)
                    throw CryptoError("cert.unreadable", "a PKCS#12 encrypted safe has no content");
                info.bag_schemes.push_back(scheme_name(p7->d.encrypted->enc_data->algorithm));
                bags.reset(PKCS12_unpack_p7encdata(p7, pass.text, pass.length));
                break;
            default: throw CryptoError("cert.unreadable", "the PKCS#12 file uses public-key encrypted content");
        }
        if (!bags) {
            decrypted = false;
            continue;
        }
        for (int j = 0; j < sk_PKCS12_SAFEBAG_num(bags.get()); ++j) {
            decrypted = read_bag(sk_PKCS12_SAFEBAG_value(bags.get(), j), pass, info) && decrypted;
        }
    }
    return decrypted;
}

void read_mac(const PKCS12* p12, Pkcs12Info& info) {
    const X509_ALGOR* alg = nullptr;
    const ASN1_INTEGER* iterations = nullptr;
    PKCS12_get0_mac(nullptr, &alg, nullptr, &iterations, p12);
    if (alg == nullptr) return;
    const int nid = OBJ_obj2nid(alg->algorithm);
    const char* sn = nid != NID_undef ? OBJ_nid2sn(nid) : nullptr;
    for (const char* c = sn != nullptr ? sn : "unknown"; *c != '\0'; ++c) {
        info.mac_digest += static_cast<char>(*c >= 'A' && *c <= 'Z' ? *c - 'A' + 'a' : *c);
    }
    info.mac_iterations = iterations != nullptr ? static_cast<int>(ASN1_INTEGER_get(iterations)) : 1;  // DEFAULT 1
}

}  // namespace

Pkcs12Info inspect_pkcs12(std::string_view der, const std::string& password) {
    ERR_clear_error();
    const auto* p = reinterpret_cast<const unsigned char*>(der.data());
    Pkcs12Ptr p12(der.empty() || der.size() > static_cast<std::size_t>(LONG_MAX)
                      ? nullptr
                      : d2i_PKCS12(nullptr, &p, static_cast<long>(der.size())));
    if (!p12 || p != reinterpret_cast<const unsigned char*>(der.data()) + der.size()) {
        ERR_clear_error();
        throw CryptoError("cert.unreadable", "the data is not a PKCS#12 file");
    }
    if (password.size() > static_cast<std::size_t>(INT_MAX)) throw CryptoError("cert.pkcs12-password", "the password is too long");
    const Password pass{password.c_str(), static_cast<int>(password.size())};
    pbe::check_pkcs12(p12.get(), true, pass.text, pass.length);  // "cert.pkcs12-iterations" before any key derivation

    Pkcs12Info info;
    read_mac(p12.get(), info);
    const bool has_mac = PKCS12_mac_present(p12.get()) == 1;
    const bool mac_ok = !has_mac || PKCS12_verify_mac(p12.get(), pass.text, pass.length) == 1;
    const bool decrypted = read_safes(p12.get(), pass, info);
    // A wrong password and a damaged MAC both make the MAC differ; whether the
    // same password decrypts the content tells which one it is.
    if (!mac_ok) {
        ERR_clear_error();
        if (decrypted) throw CryptoError("cert.pkcs12-mac", "the PKCS#12 integrity check (MAC) fails although the password decrypts the content: the file is damaged or was altered");
        throw CryptoError("cert.pkcs12-password", "the password for the PKCS#12 file is wrong");
    }
    if (!decrypted) {
        // With a verified MAC the password is right: the algorithm is what fails.
        if (has_mac) throw ossl::error("cert.unreadable", "the PKCS#12 content cannot be decrypted");
        ERR_clear_error();
        throw CryptoError("cert.pkcs12-password", "the password does not decrypt the PKCS#12 content");
    }
    ERR_clear_error();
    return info;
}

}  // namespace certtool::crypto
