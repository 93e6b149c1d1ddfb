// Issuing certificates and CRLs with OpenSSL 3. Every extension is built as
// its ASN.1 structure rather than from openssl.cnf-style strings, so a value
// holding a comma or a colon cannot change what gets encoded.
#include "crypto/issue.hpp"

#include <openssl/bn.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <climits>
#include <ctime>
#include <memory>
#include <string>
#include <utility>

#include "crypto/digest.hpp"
#include "crypto/openssl_util.hpp"

namespace certtool::crypto {

namespace {

using X509Ptr = std::unique_ptr<X509, ossl::Deleter<X509, X509_free>>;
using CrlPtr = std::unique_ptr<X509_CRL, ossl::Deleter<X509_CRL, X509_CRL_free>>;
using RevokedPtr = std::unique_ptr<X509_REVOKED, ossl::Deleter<X509_REVOKED, X509_REVOKED_free>>;
using NamePtr = std::unique_ptr<X509_NAME, ossl::Deleter<X509_NAME, X509_NAME_free>>;
using BnPtr = std::unique_ptr<BIGNUM, ossl::Deleter<BIGNUM, BN_free>>;
using IntegerPtr = std::unique_ptr<ASN1_INTEGER, ossl::Deleter<ASN1_INTEGER, ASN1_INTEGER_free>>;
using TimePtr = std::unique_ptr<ASN1_TIME, ossl::Deleter<ASN1_TIME, ASN1_TIME_free>>;
using AkidPtr = std::unique_ptr<AUTHORITY_KEYID, ossl::Deleter<AUTHORITY_KEYID, AUTHORITY_KEYID_free>>;
using BasicConstraintsPtr = std::unique_ptr<BASIC_CONSTRAINTS, ossl::Deleter<BASIC_CONSTRAINTS, BASIC_CONSTRAINTS_free>>;
using DistPointsPtr = std::unique_ptr<CRL_DIST_POINTS, ossl::Deleter<CRL_DIST_POINTS, CRL_DIST_POINTS_free>>;
using DistPointPtr = std::unique_ptr<DIST_POINT, ossl::Deleter<DIST_POINT, DIST_POINT_free>>;

constexpr const char* kIssueFailed = "issue.failed";
constexpr const char* kCrlFailed = "crl.failed";

[[noreturn]] void fail(const char* code, const std::string& what) { throw ossl::error(code, what); }

// ---- small conversions ---------------------------------------------------

int checked_len(const std::string& s, const char* code) {
    if (s.size() > static_cast<std::size_t>(INT_MAX)) fail(code, "a value is too long");
    return static_cast<int>(s.size());
}

template <typename T>
std::string to_der(const T* object, int (*encode)(const T*, unsigned char**), const char* code, const std::string& what) {
    unsigned char* der = nullptr;
    const int len = encode(object, &der);
    if (len <= 0 || der == nullptr) fail(code, "cannot encode " + what);
    std::string out(reinterpret_cast<const char*>(der), static_cast<std::size_t>(len));
    OPENSSL_free(der);
    return out;
}

// The OpenSSL digest name for one of the hashes we allow; empty if unknown.
std::string digest_name(const std::string& hash) {
    std::string lower;
    for (char c : hash) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower == "sha1") return "SHA1";
    if (lower == "sha256") return "SHA256";
    if (lower == "sha384") return "SHA384";
    if (lower == "sha512") return "SHA512";
    return {};
}

// Exactly one DER certificate filling all of `der`.
X509Ptr decode_certificate(std::string_view der, const char* code, const std::string& what) {
    const auto* p = reinterpret_cast<const unsigned char*>(der.data());
    X509Ptr x(der.empty() || der.size() > static_cast<std::size_t>(LONG_MAX)
                  ? nullptr
                  : d2i_X509(nullptr, &p, static_cast<long>(der.size())));
    if (!x || p != reinterpret_cast<const unsigned char*>(der.data()) + der.size()) {
        fail(code, what + " cannot be decoded");
    }
    return x;
}

EVP_PKEY* issuer_key(const Issuer& issuer, const char* code) {
    if (issuer.key == nullptr || issuer.key->impl().pkey == nullptr) fail(code, "the issuer has no private key");
    return issuer.key->impl().pkey.get();
}

TimePtr asn1_time(TimePoint when, const char* code) {
    // ASN1_TIME_set picks UTCTime up to 2049 and GeneralizedTime after, as RFC 5280 asks.
    TimePtr t(ASN1_TIME_set(nullptr, std::chrono::system_clock::to_time_t(when)));
    if (!t) fail(code, "a date is out of range");
    return t;
}

// ---- names and key identifiers -------------------------------------------

// C, ST, L, O, OU, CN: the order Windows and the Lync wizard write them.
NamePtr build_name(const DistinguishedName& dn) {
    NamePtr name(X509_NAME_new());
    if (!name) fail(kIssueFailed, "out of memory");
    const std::array<std::pair<const char*, const std::string*>, 6> fields{{
        {"C", &dn.country},
        {"ST", &dn.state},
        {"L", &dn.locality},
        {"O", &dn.organization},
        {"OU", &dn.organizational_unit},
        {"CN", &dn.common_name},
    }};
    for (const auto& [field, value] : fields) {
        if (value->empty()) continue;
        // The country is a PrintableString (RFC 5280); everything else UTF8String.
        const int type = std::string_view(field) == "C" ? MBSTRING_ASC : MBSTRING_UTF8;
        if (X509_NAME_add_entry_by_txt(name.get(), field, type, reinterpret_cast<const unsigned char*>(value->data()),
                                       checked_len(*value, kIssueFailed), -1, 0) != 1) {
            fail(kIssueFailed, std::string("invalid subject field ") + field + " \"" + *value + "\"");
        }
    }
    return name;
}

std::string name_entry(const X509_NAME* name, int nid) {
    const int index = X509_NAME_get_index_by_NID(name, nid, -1);
    if (index < 0) return {};
    unsigned char* utf8 = nullptr;
    const int len = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, index)));
    if (len < 0 || utf8 == nullptr) return {};
    std::string out(reinterpret_cast<const char*>(utf8), static_cast<std::size_t>(len));
    OPENSSL_free(utf8);
    return out;
}

DistinguishedName read_name(const X509_NAME* name) {
    DistinguishedName dn;
    dn.country = name_entry(name, NID_countryName);
    dn.state = name_entry(name, NID_stateOrProvinceName);
    dn.locality = name_entry(name, NID_localityName);
    dn.organization = name_entry(name, NID_organizationName);
    dn.organizational_unit = name_entry(name, NID_organizationalUnitName);
    dn.common_name = name_entry(name, NID_commonName);
    return dn;
}

// RFC 5280 4.2.1.2 method 1: SHA-1 of the subjectPublicKey BIT STRING, what
// Windows and `openssl x509 -addext subjectKeyIdentifier=hash` compute.
ossl::OctetStringPtr key_id_of(const X509* x, const char* code) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    ossl::OctetStringPtr id(ASN1_OCTET_STRING_new());
    if (!id || X509_pubkey_digest(x, EVP_sha1(), md, &len) != 1 || ASN1_OCTET_STRING_set(id.get(), md, static_cast<int>(len)) != 1) {
        fail(code, "cannot compute a key identifier");
    }
    return id;
}

// The signer's own SKI, so that path builders match AKI to SKI byte for byte;
// only a signer certificate without one gets the identifier computed from its key.
ossl::OctetStringPtr signer_key_id(X509* signer_cert, const char* code) {
    if (const ASN1_OCTET_STRING* ski = X509_get0_subject_key_id(signer_cert)) {
        ossl::OctetStringPtr copy(ASN1_OCTET_STRING_dup(ski));
        if (!copy) fail(code, "out of memory");
        return copy;
    }
    return key_id_of(signer_cert, code);
}

AkidPtr authority_key_id(ossl::OctetStringPtr key_id, const char* code) {
    AkidPtr akid(AUTHORITY_KEYID_new());
    if (!akid) fail(code, "out of memory");
    akid->keyid = key_id.release();
    return akid;
}

// ---- extensions ------------------------------------------------------------

void add_extension(X509* x, int nid, void* value, bool critical, const std::string& what) {
    if (X509_add1_ext_i2d(x, nid, value, critical ? 1 : 0, X509V3_ADD_DEFAULT) != 1) {
        fail(kIssueFailed, "cannot add the " + what + " extension");
    }
}

ossl::Ia5StringPtr ia5(const std::string& value, const std::string& what) {
    // IA5 holds ASCII; non-printable bytes or spaces would only confuse clients.
    if (value.empty() || std::any_of(value.begin(), value.end(), [](char c) {
            return static_cast<unsigned char>(c) > 0x7e || static_cast<unsigned char>(c) < 0x21;
        })) {
        fail(kIssueFailed, what + " \"" + value + "\" is not printable ASCII (use the A-label of an IDN)");
    }
    ossl::Ia5StringPtr s(ASN1_IA5STRING_new());
    if (!s || ASN1_STRING_set(s.get(), value.data(), checked_len(value, kIssueFailed)) != 1) fail(kIssueFailed, "out of memory");
    return s;
}

ossl::GeneralNamesPtr general_names(const std::vector<std::string>& values, int type, const std::string& what) {
    ossl::GeneralNamesPtr names(GENERAL_NAMES_new());
    if (!names) fail(kIssueFailed, "out of memory");
    for (const std::string& value : values) {
        ossl::Ia5StringPtr text = ia5(value, what);
        ossl::GeneralNamePtr gn(GENERAL_NAME_new());
        if (!gn) fail(kIssueFailed, "out of memory");
        GENERAL_NAME_set0_value(gn.get(), type, text.release());
        if (sk_GENERAL_NAME_push(names.get(), gn.get()) <= 0) fail(kIssueFailed, "out of memory");
        (void)gn.release();
    }
    return names;
}

void add_basic_constraints(X509* x, const IssueRequest& request) {
    BasicConstraintsPtr bc(BASIC_CONSTRAINTS_new());
    if (!bc) fail(kIssueFailed, "out of memory");
    bc->ca = request.is_ca ? 0xFF : 0;  // cA FALSE is the DEFAULT, so it encodes as an empty SEQUENCE
    if (request.path_length) {
        bc->pathlen = ASN1_INTEGER_new();
        if (bc->pathlen == nullptr || ASN1_INTEGER_set(bc->pathlen, *request.path_length) != 1) fail(kIssueFailed, "out of memory");
    }
    add_extension(x, NID_basic_constraints, bc.get(), true, "basicConstraints");
}

void add_key_usage(X509* x, const std::vector<std::string>& key_usage) {
    // RFC 5280 4.2.1.3 bit numbers.
    static constexpr std::array<std::pair<const char*, int>, 9> kBits{{
        {"digitalSignature", 0}, {"nonRepudiation", 1}, {"keyEncipherment", 2},
        {"dataEncipherment", 3}, {"keyAgreement", 4},   {"keyCertSign", 5},
        {"cRLSign", 6},          {"encipherOnly", 7},   {"decipherOnly", 8},
    }};
    ossl::BitStringPtr bits(ASN1_BIT_STRING_new());
    if (!bits) fail(kIssueFailed, "out of memory");
    for (const std::string& name : key_usage) {
        auto it = std::find_if(kBits.begin(), kBits.end(), [&](const auto& entry) { return name == entry.first; });
        if (it == kBits.end()) fail(kIssueFailed, "unknown key usage \"" + name + "\"");
        if (ASN1_BIT_STRING_set_bit(bits.get(), it->second, 1) != 1) fail(kIssueFailed, "out of memory");
    }
    add_extension(x, NID_key_usage, bits.get(), true, "keyUsage");
}

void add_eku(X509* x, const std::vector<std::string>& eku) {
    ossl::EkuPtr usages(sk_ASN1_OBJECT_new_null());
    if (!usages) fail(kIssueFailed, "out of memory");
    for (const std::string& name : eku) {
        ossl::ObjectPtr obj;
        if (name == "serverAuth") {
            obj.reset(OBJ_nid2obj(NID_server_auth));
        } else if (name == "clientAuth") {
            obj.reset(OBJ_nid2obj(NID_client_auth));
        } else if (!name.empty() && std::all_of(name.begin(), name.end(), [](char c) { return c == '.' || (c >= '0' && c <= '9'); })) {
            obj.reset(OBJ_txt2obj(name.c_str(), 1));
        }
        if (!obj) fail(kIssueFailed, "unknown extended key usage \"" + name + "\"");
        if (sk_ASN1_OBJECT_push(usages.get(), obj.get()) <= 0) fail(kIssueFailed, "out of memory");
        (void)obj.release();
    }
    add_extension(x, NID_ext_key_usage, usages.get(), false, "extendedKeyUsage");
}

// One DistributionPoint per URL, each a fullName URI (as openssl's
// "crlDistributionPoints=URI:a,URI:b" writes them).
void add_crl_distribution_points(X509* x, const std::vector<std::string>& urls) {
    DistPointsPtr points(sk_DIST_POINT_new_null());
    if (!points) fail(kIssueFailed, "out of memory");
    for (const std::string& url : urls) {
        DistPointPtr point(DIST_POINT_new());
        if (!point || (point->distpoint = DIST_POINT_NAME_new()) == nullptr) fail(kIssueFailed, "out of memory");
        point->distpoint->type = 0;  // fullName
        point->distpoint->name.fullname = general_names({url}, GEN_URI, "CRL URL").release();
        if (sk_DIST_POINT_push(points.get(), point.get()) <= 0) fail(kIssueFailed, "out of memory");
        (void)point.release();
    }
    add_extension(x, NID_crl_distribution_points, points.get(), false, "cRLDistributionPoints");
}

void add_extensions(X509* x, const IssueRequest& request, X509* signer_cert) {
    add_basic_constraints(x, request);
    if (!request.key_usage.empty()) add_key_usage(x, request.key_usage);
    if (!request.eku.empty()) add_eku(x, request.eku);
    if (!request.dns_names.empty()) {
        ossl::GeneralNamesPtr san = general_names(request.dns_names, GEN_DNS, "DNS name");
        add_extension(x, NID_subject_alt_name, san.get(), false, "subjectAltName");
    }
    if (!request.crl_urls.empty()) add_crl_distribution_points(x, request.crl_urls);
    ossl::OctetStringPtr ski = key_id_of(x, kIssueFailed);
    add_extension(x, NID_subject_key_identifier, ski.get(), false, "subjectKeyIdentifier");
    // Self-signed: the certificate is its own signer, so the AKI repeats the SKI.
    AkidPtr akid = authority_key_id(signer_cert != nullptr ? signer_key_id(signer_cert, kIssueFailed) : std::move(ski), kIssueFailed);
    add_extension(x, NID_authority_key_identifier, akid.get(), false, "authorityKeyIdentifier");
}

// ---- fields and signing ------------------------------------------------------

// Caller-given bytes are taken as is; random ones are 16 bytes with the first
// byte in 1..127, so the INTEGER is positive, nonzero and always 16 octets
// (126.9 bits of randomness, well above the CA/B Forum's 64).
IntegerPtr serial_number(const std::string& requested) {
    std::string bytes = requested;
    if (bytes.empty()) {
        bytes.resize(16);
        do {
            if (RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()), 16) != 1) fail(kIssueFailed, "no random serial number");
            bytes[0] = static_cast<char>(bytes[0] & 0x7F);
        } while (bytes[0] == 0);
    }
    BnPtr bn(BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes.data()), checked_len(bytes, kIssueFailed), nullptr));
    if (!bn) fail(kIssueFailed, "out of memory");
    // RFC 5280 4.1.2.2: positive, nonzero, at most 20 octets once encoded.
    if (BN_is_zero(bn.get()) || BN_num_bits(bn.get()) > 159) {
        throw CryptoError(kIssueFailed, "the serial number must be nonzero and at most 159 bits");
    }
    IntegerPtr serial(BN_to_ASN1_INTEGER(bn.get(), nullptr));
    if (!serial) fail(kIssueFailed, "cannot encode the serial number");
    return serial;
}

void check_request(const IssueRequest& request) {
    if (request.path_length && (!request.is_ca || *request.path_length < 0)) {
        throw CryptoError(kIssueFailed, "a path length needs a CA certificate and must not be negative");
    }
    if (request.not_after <= request.not_before) {
        throw CryptoError(kIssueFailed, "the certificate would expire before it becomes valid");
    }
}

void set_fields(X509* x, const IssueRequest& request, EVP_PKEY* subject_key, X509* signer_cert) {
    NamePtr subject = build_name(request.subject);
    IntegerPtr serial = serial_number(request.serial);
    TimePtr not_before = asn1_time(request.not_before, kIssueFailed);
    TimePtr not_after = asn1_time(request.not_after, kIssueFailed);
    const X509_NAME* issuer_name = signer_cert != nullptr ? X509_get_subject_name(signer_cert) : subject.get();
    if (X509_set_version(x, X509_VERSION_3) != 1 || X509_set_serialNumber(x, serial.get()) != 1 ||
        X509_set_issuer_name(x, issuer_name) != 1 || X509_set_subject_name(x, subject.get()) != 1 ||
        X509_set1_notBefore(x, not_before.get()) != 1 || X509_set1_notAfter(x, not_after.get()) != 1 ||
        X509_set_pubkey(x, subject_key) != 1) {
        fail(kIssueFailed, "cannot set the certificate fields");
    }
}

// PKCS#1 v1.5 for RSA (Lync cannot use RSASSA-PSS), ECDSA for EC.
ossl::MdCtxPtr signing_context(EVP_PKEY* key, const std::string& hash, const char* code) {
    const std::string md = digest_name(hash);
    if (md.empty()) throw CryptoError(code, "unsupported signature hash \"" + hash + "\" (use sha1, sha256, sha384 or sha512)");
    ossl::MdCtxPtr mctx(EVP_MD_CTX_new());
    EVP_PKEY_CTX* pctx = nullptr;  // owned by mctx
    if (!mctx || EVP_DigestSignInit_ex(mctx.get(), &pctx, md.c_str(), nullptr, nullptr, key, nullptr) != 1) {
        fail(code, "cannot start signing with " + md);
    }
    if (EVP_PKEY_is_a(key, "RSA") && EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) <= 0) {
        fail(code, "cannot select PKCS#1 v1.5 padding");
    }
    return mctx;
}

ossl::PkeyPtr decode_public_key(std::string_view spki) {
    const auto* p = reinterpret_cast<const unsigned char*>(spki.data());
    ossl::PkeyPtr key(spki.empty() || spki.size() > static_cast<std::size_t>(LONG_MAX)
                          ? nullptr
                          : d2i_PUBKEY(nullptr, &p, static_cast<long>(spki.size())));
    if (!key || p != reinterpret_cast<const unsigned char*>(spki.data()) + spki.size()) {
        fail(kIssueFailed, "the subject public key is not a DER SubjectPublicKeyInfo");
    }
    return key;
}

// ---- CSR reading -----------------------------------------------------------

ossl::ReqPtr decode_csr(std::string_view data) {
    if (data.empty() || data.size() > static_cast<std::size_t>(INT_MAX)) throw CryptoError("csr.invalid", "the CSR is empty or too large");
    ossl::ReqPtr req;
    if (data.find("-----BEGIN") != std::string_view::npos) {
        ossl::BioPtr bio(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
        if (bio) req.reset(PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr));
    } else {
        const auto* p = reinterpret_cast<const unsigned char*>(data.data());
        req.reset(d2i_X509_REQ(nullptr, &p, static_cast<long>(data.size())));
        if (p != reinterpret_cast<const unsigned char*>(data.data()) + data.size()) req.reset();
    }
    if (!req) fail("csr.invalid", "the data is not a PKCS#10 certificate request (PEM or DER)");
    return req;
}

void read_csr_extensions(X509_REQ* req, CsrContents& out) {
    ossl::ExtStackPtr exts(X509_REQ_get_extensions(req));
    if (!exts) return;
    ossl::GeneralNamesPtr san(static_cast<GENERAL_NAMES*>(X509V3_get_d2i(exts.get(), NID_subject_alt_name, nullptr, nullptr)));
    for (int i = 0; san && i < sk_GENERAL_NAME_num(san.get()); ++i) {
        const GENERAL_NAME* name = sk_GENERAL_NAME_value(san.get(), i);
        if (name->type != GEN_DNS) continue;
        const ASN1_STRING* s = name->d.dNSName;
        out.dns_names.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)), static_cast<std::size_t>(ASN1_STRING_length(s)));
    }
    ossl::EkuPtr eku(static_cast<EXTENDED_KEY_USAGE*>(X509V3_get_d2i(exts.get(), NID_ext_key_usage, nullptr, nullptr)));
    for (int i = 0; eku && i < sk_ASN1_OBJECT_num(eku.get()); ++i) {
        const ASN1_OBJECT* obj = sk_ASN1_OBJECT_value(eku.get(), i);
        const int nid = OBJ_obj2nid(obj);
        if (nid == NID_server_auth || nid == NID_client_auth) {
            out.eku.emplace_back(nid == NID_server_auth ? "serverAuth" : "clientAuth");
        } else {
            char buf[128];
            const int len = OBJ_obj2txt(buf, sizeof buf, obj, 1);
            if (len > 0 && static_cast<std::size_t>(len) < sizeof buf) out.eku.emplace_back(buf, static_cast<std::size_t>(len));
        }
    }
}

KeyParams csr_key_params(const EVP_PKEY* key) {
    KeyParams params;
    if (EVP_PKEY_is_a(key, "RSA")) {
        params.type = KeyType::rsa;
        params.bits = EVP_PKEY_get_bits(key);
    } else if (EVP_PKEY_is_a(key, "EC")) {
        params.type = KeyType::ec;
        params.bits = EVP_PKEY_get_bits(key);  // 256 / 384 / 521 for the NIST curves
    } else {
        throw CryptoError("csr.invalid", "the CSR's key is neither RSA nor EC");
    }
    return params;
}

}  // namespace

CsrContents read_csr(std::string_view pem_or_der) {
    ERR_clear_error();
    ossl::ReqPtr req = decode_csr(pem_or_der);
    EVP_PKEY* key = X509_REQ_get0_pubkey(req.get());  // owned by req
    if (key == nullptr) fail("csr.invalid", "the CSR's public key cannot be decoded");
    if (X509_REQ_verify(req.get(), key) != 1) fail("csr.signature", "the CSR's signature does not verify with its own key");

    CsrContents out;
    out.subject = read_name(X509_REQ_get_subject_name(req.get()));
    read_csr_extensions(req.get(), out);
    out.key = csr_key_params(key);
    out.public_key_der = to_der<EVP_PKEY>(key, i2d_PUBKEY, "csr.invalid", "the CSR's public key");
    out.public_key_sha256 = sha256_hex(out.public_key_der);
    ERR_clear_error();
    return out;
}

std::string issue_certificate(std::string_view subject_public_key_der, const IssueRequest& request, const Issuer& issuer) {
    ERR_clear_error();
    EVP_PKEY* signer = issuer_key(issuer, kIssueFailed);
    ossl::PkeyPtr subject_key = decode_public_key(subject_public_key_der);
    X509Ptr signer_cert = issuer.certificate != nullptr ? decode_certificate(issuer.certificate->der, kIssueFailed, "the issuer certificate") : nullptr;
    // A signature by any other key would not verify with the key the issuer
    // certificate (or, self-signed, the certificate itself) names.
    const EVP_PKEY* expected = signer_cert ? X509_get0_pubkey(signer_cert.get()) : subject_key.get();
    if (expected == nullptr || EVP_PKEY_eq(signer, expected) != 1) {
        ERR_clear_error();
        throw CryptoError("issue.key-mismatch", signer_cert ? "the issuer key is not the key of the issuer certificate"
                                                            : "a self-signed certificate must be signed with its own key");
    }
    check_request(request);

    X509Ptr x(X509_new());
    if (!x) fail(kIssueFailed, "out of memory");
    set_fields(x.get(), request, subject_key.get(), signer_cert.get());
    add_extensions(x.get(), request, signer_cert.get());
    ossl::MdCtxPtr mctx = signing_context(signer, request.signature_hash, kIssueFailed);
    if (X509_sign_ctx(x.get(), mctx.get()) <= 0) fail(kIssueFailed, "cannot sign the certificate");
    if (X509_verify(x.get(), signer) != 1) fail(kIssueFailed, "the signed certificate does not verify");

    std::string out = to_der<X509>(x.get(), i2d_X509, kIssueFailed, "the certificate");
    ERR_clear_error();
    return out;
}

std::string public_key_der(const PrivateKey& key) {
    const EVP_PKEY* pkey = key.impl().pkey.get();
    if (pkey == nullptr) throw CryptoError("key.empty", "the private key object holds no key");
    return to_der<EVP_PKEY>(pkey, i2d_PUBKEY, "key.encode", "the public key");
}

namespace {

RevokedPtr revoked_entry(const RevokedEntry& entry) {
    BIGNUM* raw = nullptr;
    const bool hex_ok = !entry.serial_hex.empty() && entry.serial_hex.size() <= 40 &&
                        BN_hex2bn(&raw, entry.serial_hex.c_str()) == static_cast<int>(entry.serial_hex.size());
    BnPtr bn(raw);
    if (!hex_ok || BN_is_zero(bn.get())) {
        throw CryptoError(kCrlFailed, "\"" + entry.serial_hex + "\" is not a serial number in hex");
    }
    IntegerPtr serial(BN_to_ASN1_INTEGER(bn.get(), nullptr));
    TimePtr when = asn1_time(entry.revoked_at, kCrlFailed);
    RevokedPtr revoked(X509_REVOKED_new());
    if (!serial || !revoked || X509_REVOKED_set_serialNumber(revoked.get(), serial.get()) != 1 ||
        X509_REVOKED_set_revocationDate(revoked.get(), when.get()) != 1) {
        fail(kCrlFailed, "cannot build a revoked entry");
    }
    return revoked;
}

void add_crl_extensions(X509_CRL* crl, long crl_number, X509* signer_cert) {
    IntegerPtr number(ASN1_INTEGER_new());
    if (!number || ASN1_INTEGER_set(number.get(), crl_number) != 1 ||
        X509_CRL_add1_ext_i2d(crl, NID_crl_number, number.get(), 0, X509V3_ADD_DEFAULT) != 1) {
        fail(kCrlFailed, "cannot add the CRL number");
    }
    AkidPtr akid = authority_key_id(signer_key_id(signer_cert, kCrlFailed), kCrlFailed);
    if (X509_CRL_add1_ext_i2d(crl, NID_authority_key_identifier, akid.get(), 0, X509V3_ADD_DEFAULT) != 1) {
        fail(kCrlFailed, "cannot add the authority key identifier");
    }
}

}  // namespace

EncodedCrl make_crl(const Issuer& issuer, const std::vector<RevokedEntry>& revoked, long crl_number, TimePoint this_update,
                    TimePoint next_update, const std::string& signature_hash) {
    ERR_clear_error();
    EVP_PKEY* signer = issuer_key(issuer, kCrlFailed);
    if (issuer.certificate == nullptr) throw CryptoError(kCrlFailed, "a CRL needs the issuer certificate (its name and key identifier)");
    X509Ptr signer_cert = decode_certificate(issuer.certificate->der, kCrlFailed, "the issuer certificate");
    if (EVP_PKEY_eq(signer, X509_get0_pubkey(signer_cert.get())) != 1) {
        ERR_clear_error();
        throw CryptoError(kCrlFailed, "the issuer key is not the key of the issuer certificate");
    }
    if (crl_number < 0) throw CryptoError(kCrlFailed, "the CRL number must not be negative");
    if (next_update <= this_update) throw CryptoError(kCrlFailed, "the next update must come after this update");

    CrlPtr crl(X509_CRL_new());
    TimePtr last = asn1_time(this_update, kCrlFailed);
    TimePtr next = asn1_time(next_update, kCrlFailed);
    if (!crl || X509_CRL_set_version(crl.get(), X509_CRL_VERSION_2) != 1 ||
        X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(signer_cert.get())) != 1 ||
        X509_CRL_set1_lastUpdate(crl.get(), last.get()) != 1 || X509_CRL_set1_nextUpdate(crl.get(), next.get()) != 1) {
        fail(kCrlFailed, "cannot set the CRL fields");
    }
    for (const RevokedEntry& entry : revoked) {
        RevokedPtr item = revoked_entry(entry);
        if (X509_CRL_add0_revoked(crl.get(), item.get()) != 1) fail(kCrlFailed, "cannot add a revoked entry");
        (void)item.release();
    }
    (void)X509_CRL_sort(crl.get());  // by serial, as readers may binary-search the list
    add_crl_extensions(crl.get(), crl_number, signer_cert.get());

    ossl::MdCtxPtr mctx = signing_context(signer, signature_hash, kCrlFailed);
    if (X509_CRL_sign_ctx(crl.get(), mctx.get()) <= 0) fail(kCrlFailed, "cannot sign the CRL");
    ossl::BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_X509_CRL(bio.get(), crl.get()) != 1) fail(kCrlFailed, "cannot write the CRL as PEM");
    EncodedCrl out;
    out.der = to_der<X509_CRL>(crl.get(), i2d_X509_CRL, kCrlFailed, "the CRL");
    out.pem = ossl::bio_to_string(bio.get(), false);
    ERR_clear_error();
    return out;
}

std::string certificate_pem(std::string_view der) {
    ERR_clear_error();
    X509Ptr x = decode_certificate(der, "cert.unreadable", "the certificate");
    ossl::BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_X509(bio.get(), x.get()) != 1) fail("cert.unreadable", "cannot write the certificate as PEM");
    return ossl::bio_to_string(bio.get(), false);
}

}  // namespace certtool::crypto
