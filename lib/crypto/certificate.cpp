// Certificates read: PEM / DER / PKCS#12 sniffing (OpenSSL 3), each
// certificate decoded once by Botan and its fields read from that decode
// (botan_certificate.cpp), or by OpenSSL where that reading needs it (keys
// other than RSA, RSASSA-PSS signatures, what Botan cannot decode). Chain
// validation is in botan_path.cpp.
#include "crypto/certificate.hpp"

#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/provider.h>

#include <algorithm>
#include <array>
#include <climits>
#include <cstring>
#include <ctime>
#include <mutex>
#include <string>
#include <utility>

#include "core/time.hpp"
#include "crypto/botan_certificate.hpp"
#include "crypto/digest.hpp"
#include "crypto/openssl_util.hpp"
#include "crypto/pbe_limits.hpp"

namespace certtool::crypto {

namespace {

// Bounds on what one file may hold.
constexpr std::size_t kMaxCertificates = 1000;
constexpr std::size_t kMaxInputBytes = 64U * 1024U * 1024U;

inline void pkcs12_free_(PKCS12* p) { PKCS12_free(p); }
inline void x509_stack_free(STACK_OF(X509) * s) { sk_X509_pop_free(s, X509_free); }
inline void dist_points_free(CRL_DIST_POINTS* d) { CRL_DIST_POINTS_free(d); }
inline void basic_constraints_free(BASIC_CONSTRAINTS* b) { BASIC_CONSTRAINTS_free(b); }
inline void asn1_type_free(ASN1_TYPE* t) { ASN1_TYPE_free(t); }
inline void asn1_sequence_any_free(ASN1_SEQUENCE_ANY* s) { sk_ASN1_TYPE_pop_free(s, ASN1_TYPE_free); }
inline void p7_stack_free(STACK_OF(PKCS7) * s) { sk_PKCS7_pop_free(s, PKCS7_free); }
inline void safebag_stack_free(STACK_OF(PKCS12_SAFEBAG) * s) { sk_PKCS12_SAFEBAG_pop_free(s, PKCS12_SAFEBAG_free); }

using X509Ptr = std::unique_ptr<X509, ossl::Deleter<X509, X509_free>>;
using X509StackPtr = std::unique_ptr<STACK_OF(X509), ossl::Deleter<STACK_OF(X509), x509_stack_free>>;
using Pkcs12Ptr = std::unique_ptr<PKCS12, ossl::Deleter<PKCS12, pkcs12_free_>>;
using DistPointsPtr = std::unique_ptr<CRL_DIST_POINTS, ossl::Deleter<CRL_DIST_POINTS, dist_points_free>>;
using BasicConstraintsPtr = std::unique_ptr<BASIC_CONSTRAINTS, ossl::Deleter<BASIC_CONSTRAINTS, basic_constraints_free>>;
using TypePtr = std::unique_ptr<ASN1_TYPE, ossl::Deleter<ASN1_TYPE, asn1_type_free>>;
using SequenceAnyPtr = std::unique_ptr<ASN1_SEQUENCE_ANY, ossl::Deleter<ASN1_SEQUENCE_ANY, asn1_sequence_any_free>>;
using P7StackPtr = std::unique_ptr<STACK_OF(PKCS7), ossl::Deleter<STACK_OF(PKCS7), p7_stack_free>>;
using SafeBagStackPtr = std::unique_ptr<STACK_OF(PKCS12_SAFEBAG), ossl::Deleter<STACK_OF(PKCS12_SAFEBAG), safebag_stack_free>>;
using BnPtr = std::unique_ptr<BIGNUM, ossl::Deleter<BIGNUM, BN_free>>;

std::string lower(std::string s) {
    for (char& c : s) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return s;
}

std::string oid_text(const ASN1_OBJECT* obj) {
    if (obj == nullptr) return {};
    char buf[128];
    const int len = OBJ_obj2txt(buf, sizeof buf, obj, 1);
    if (len <= 0) return {};
    if (static_cast<std::size_t>(len) < sizeof buf) return std::string(buf, static_cast<std::size_t>(len));
    std::string big(static_cast<std::size_t>(len) + 1, '\0');
    OBJ_obj2txt(big.data(), len + 1, obj, 1);
    big.resize(static_cast<std::size_t>(len));
    return big;
}

std::string asn1_string_utf8(const ASN1_STRING* s) {
    if (s == nullptr) return {};
    unsigned char* utf8 = nullptr;
    const int len = ASN1_STRING_to_UTF8(&utf8, s);
    if (len < 0 || utf8 == nullptr) {
        ERR_clear_error();
        return {};
    }
    std::string out(reinterpret_cast<const char*>(utf8), static_cast<std::size_t>(len));
    OPENSSL_free(utf8);
    return out;
}

// The first value of `nid` in the name, as UTF-8 ("" when absent).
std::string name_entry(const X509_NAME* name, int nid) {
    if (name == nullptr) return {};
    const int index = X509_NAME_get_index_by_NID(name, nid, -1);
    if (index < 0) return {};
    const X509_NAME_ENTRY* entry = X509_NAME_get_entry(name, index);
    return asn1_string_utf8(X509_NAME_ENTRY_get_data(entry));
}

DistinguishedName read_name(const X509_NAME* name) {
    DistinguishedName dn;
    dn.common_name = name_entry(name, NID_commonName);
    dn.organization = name_entry(name, NID_organizationName);
    dn.organizational_unit = name_entry(name, NID_organizationalUnitName);
    dn.locality = name_entry(name, NID_localityName);
    dn.state = name_entry(name, NID_stateOrProvinceName);
    dn.country = name_entry(name, NID_countryName);
    return dn;
}

// Linear in the number of entries: each one is appended once.
void read_san(X509* x, Certificate& out) {
    int crit = 0;
    ossl::GeneralNamesPtr names(static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(x, NID_subject_alt_name, &crit, nullptr)));
    if (!names) return;
    const int count = sk_GENERAL_NAME_num(names.get());
    for (int i = 0; i < count; ++i) {
        const GENERAL_NAME* name = sk_GENERAL_NAME_value(names.get(), i);
        if (name->type == GEN_DNS) {
            const ASN1_IA5STRING* s = name->d.dNSName;
            out.dns_names.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                                       static_cast<std::size_t>(ASN1_STRING_length(s)));
        } else if (name->type == GEN_IPADD) {
            out.ip_addresses.push_back(ip_address_text(ASN1_STRING_get0_data(name->d.iPAddress),
                                                       static_cast<std::size_t>(std::max(0, ASN1_STRING_length(name->d.iPAddress)))));
        }
    }
}

void read_eku(X509* x, Certificate& out) {
    out.has_eku_extension = X509_get_ext_by_NID(x, NID_ext_key_usage, -1) >= 0;
    if (!out.has_eku_extension) return;
    int crit = 0;
    ossl::EkuPtr eku(static_cast<EXTENDED_KEY_USAGE*>(X509_get_ext_d2i(x, NID_ext_key_usage, &crit, nullptr)));
    if (!eku) return;
    const int count = sk_ASN1_OBJECT_num(eku.get());
    for (int i = 0; i < count; ++i) {
        const ASN1_OBJECT* obj = sk_ASN1_OBJECT_value(eku.get(), i);
        switch (OBJ_obj2nid(obj)) {
            case NID_server_auth: out.eku.emplace_back("serverAuth"); break;
            case NID_client_auth: out.eku.emplace_back("clientAuth"); break;
            case NID_anyExtendedKeyUsage: out.eku.emplace_back("anyExtendedKeyUsage"); break;
            default: out.eku.push_back(oid_text(obj)); break;
        }
    }
}

void read_key_usage(X509* x, Certificate& out) {
    out.has_key_usage_extension = X509_get_ext_by_NID(x, NID_key_usage, -1) >= 0;
    const uint32_t bits = X509_get_key_usage(x);
    if (!out.has_key_usage_extension || bits == UINT32_MAX) return;
    static const std::pair<uint32_t, const char*> kNames[] = {
        {KU_DIGITAL_SIGNATURE, "digitalSignature"}, {KU_NON_REPUDIATION, "nonRepudiation"},
        {KU_KEY_ENCIPHERMENT, "keyEncipherment"},   {KU_DATA_ENCIPHERMENT, "dataEncipherment"},
        {KU_KEY_AGREEMENT, "keyAgreement"},         {KU_KEY_CERT_SIGN, "keyCertSign"},
        {KU_CRL_SIGN, "cRLSign"},                   {KU_ENCIPHER_ONLY, "encipherOnly"},
        {KU_DECIPHER_ONLY, "decipherOnly"},
    };
    for (const auto& [bit, name] : kNames) {
        if ((bits & bit) != 0) out.key_usage.emplace_back(name);
    }
}

void read_crl_dps(X509* x, Certificate& out) {
    int crit = 0;
    DistPointsPtr dps(static_cast<CRL_DIST_POINTS*>(X509_get_ext_d2i(x, NID_crl_distribution_points, &crit, nullptr)));
    if (!dps) return;
    const int count = sk_DIST_POINT_num(dps.get());
    for (int i = 0; i < count; ++i) {
        const DIST_POINT* dp = sk_DIST_POINT_value(dps.get(), i);
        if (dp->distpoint == nullptr || dp->distpoint->type != 0) continue;  // fullName only
        const GENERAL_NAMES* names = dp->distpoint->name.fullname;
        const int n = sk_GENERAL_NAME_num(names);
        for (int j = 0; j < n; ++j) {
            const GENERAL_NAME* name = sk_GENERAL_NAME_value(names, j);
            if (name->type != GEN_URI) continue;
            const ASN1_IA5STRING* uri = name->d.uniformResourceIdentifier;
            out.crl_distribution_points.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(uri)),
                                                     static_cast<std::size_t>(ASN1_STRING_length(uri)));
        }
    }
}

void read_basic_constraints(X509* x, Certificate& out) {
    int crit = 0;
    BasicConstraintsPtr bc(static_cast<BASIC_CONSTRAINTS*>(X509_get_ext_d2i(x, NID_basic_constraints, &crit, nullptr)));
    out.is_ca = bc && bc->ca != 0;
}

int bits_for_group(const std::string& group) {
    if (group == "prime256v1" || group == "P-256" || group == "secp256r1") return 256;
    if (group == "secp384r1" || group == "P-384") return 384;
    if (group == "secp521r1" || group == "P-521") return 521;
    return 0;
}

void read_key(X509* x, Certificate& out) {
    EVP_PKEY* pkey = X509_get0_pubkey(x);  // owned by the certificate
    if (pkey == nullptr) {
        ERR_clear_error();
        out.key_algorithm = oid_text([&] {
            ASN1_OBJECT* alg = nullptr;
            X509_PUBKEY_get0_param(&alg, nullptr, nullptr, nullptr, X509_get_X509_PUBKEY(x));
            return alg;
        }());
        out.key.bits = 0;
        return;
    }
    if (EVP_PKEY_is_a(pkey, "RSA") || EVP_PKEY_is_a(pkey, "RSA-PSS")) {
        out.key_algorithm = EVP_PKEY_is_a(pkey, "RSA") ? "RSA" : "RSASSA-PSS";
        out.key.type = KeyType::rsa;
        out.key.bits = EVP_PKEY_get_bits(pkey);
    } else if (EVP_PKEY_is_a(pkey, "EC")) {
        out.key_algorithm = "EC";
        out.key.type = KeyType::ec;
        char group[80] = {0};
        std::size_t len = 0;
        int bits = 0;
        if (EVP_PKEY_get_group_name(pkey, group, sizeof group, &len) == 1) bits = bits_for_group(std::string(group, len));
        out.key.bits = bits != 0 ? bits : EVP_PKEY_get_bits(pkey);
    } else {
        const char* sn = OBJ_nid2sn(EVP_PKEY_get_base_id(pkey));
        out.key_algorithm = sn != nullptr ? sn : EVP_PKEY_get0_type_name(pkey);
        out.key.bits = EVP_PKEY_get_bits(pkey);
    }
    ERR_clear_error();
}

void read_signature(X509* x, Certificate& out) {
    const int sig_nid = X509_get_signature_nid(x);
    if (sig_nid != NID_undef) {
        const char* ln = OBJ_nid2ln(sig_nid);
        out.signature_algorithm = ln != nullptr ? ln : "";
    } else {
        const X509_ALGOR* alg = nullptr;
        X509_get0_signature(nullptr, &alg, x);
        const ASN1_OBJECT* obj = nullptr;
        if (alg != nullptr) X509_ALGOR_get0(&obj, nullptr, nullptr, alg);
        out.signature_algorithm = oid_text(obj);
    }
    out.signature_is_pss = sig_nid == NID_rsassaPss;

    int md_nid = NID_undef;
    int pk_nid = NID_undef;
    // Reads the digest from the RSASSA-PSS parameters too.
    if (X509_get_signature_info(x, &md_nid, &pk_nid, nullptr, nullptr) != 1) {
        md_nid = NID_undef;
        if (sig_nid != NID_undef) OBJ_find_sigid_algs(sig_nid, &md_nid, &pk_nid);
    }
    if (md_nid != NID_undef) {
        const char* ln = OBJ_nid2ln(md_nid);
        out.signature_hash = ln != nullptr ? lower(ln) : "";
    }
    ERR_clear_error();
}

TimePoint to_time_point(const ASN1_TIME* t) {
    std::tm tm{};
    if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) {
        ERR_clear_error();
        return TimePoint{};
    }
    return time_point_of(timegm(&tm));  // clamped: "valid forever" is 9999-12-31
}

std::string read_serial(X509* x) {
    BnPtr bn(ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), nullptr));
    if (!bn) {
        ERR_clear_error();
        return {};
    }
    char* hex = BN_bn2hex(bn.get());
    if (hex == nullptr) return {};
    std::string out = lower(hex);
    OPENSSL_free(hex);
    return out;
}

// 1.3.6.1.4.1.311.20.2 (a BMPString template name), else the OID of a v2
// template (1.3.6.1.4.1.311.21.7: SEQUENCE { templateID OID, major, minor }).
std::string read_ms_template(X509* x) {
    auto extension_value = [&](const char* dotted) -> const ASN1_OCTET_STRING* {
        ossl::ObjectPtr oid(OBJ_txt2obj(dotted, 1));
        if (!oid) return nullptr;
        const int index = X509_get_ext_by_OBJ(x, oid.get(), -1);
        if (index < 0) return nullptr;
        return X509_EXTENSION_get_data(X509_get_ext(x, index));
    };
    if (const ASN1_OCTET_STRING* v1 = extension_value("1.3.6.1.4.1.311.20.2")) {
        const unsigned char* p = ASN1_STRING_get0_data(v1);
        TypePtr value(d2i_ASN1_TYPE(nullptr, &p, ASN1_STRING_length(v1)));
        if (value && value->type != V_ASN1_OBJECT && value->type != V_ASN1_SEQUENCE && value->type != V_ASN1_NULL &&
            value->type != V_ASN1_BOOLEAN) {
            std::string name = asn1_string_utf8(value->value.asn1_string);
            if (!name.empty()) return name;
        }
    }
    if (const ASN1_OCTET_STRING* v2 = extension_value("1.3.6.1.4.1.311.21.7")) {
        const unsigned char* p = ASN1_STRING_get0_data(v2);
        SequenceAnyPtr seq(d2i_ASN1_SEQUENCE_ANY(nullptr, &p, ASN1_STRING_length(v2)));
        if (seq && sk_ASN1_TYPE_num(seq.get()) > 0) {
            const ASN1_TYPE* first = sk_ASN1_TYPE_value(seq.get(), 0);
            if (first->type == V_ASN1_OBJECT) return oid_text(first->value.object);
        }
    }
    ERR_clear_error();
    return {};
}

std::string spki_sha256(X509* x) {
    unsigned char* der = nullptr;
    const int len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &der);
    if (len <= 0 || der == nullptr) {
        ERR_clear_error();
        return {};
    }
    std::string hash = sha256_hex(std::string_view(reinterpret_cast<const char*>(der), static_cast<std::size_t>(len)));
    OPENSSL_free(der);
    return hash;
}

std::string der_of(X509* x) {
    unsigned char* der = nullptr;
    const int len = i2d_X509(x, &der);
    if (len <= 0 || der == nullptr) throw ossl::error("cert.unreadable", "cannot encode a certificate");
    std::string out(reinterpret_cast<const char*>(der), static_cast<std::size_t>(len));
    OPENSSL_free(der);
    return out;
}

Certificate from_x509(X509* x, std::string der) {
    Certificate out;
    out.der = std::move(der);
    out.sha256_fingerprint = sha256_hex(out.der);
    out.sha1_thumbprint = sha1_hex(out.der);
    out.public_key_sha256 = spki_sha256(x);
    out.subject = read_name(X509_get_subject_name(x));
    out.issuer = read_name(X509_get_issuer_name(x));
    out.serial_hex = read_serial(x);
    read_san(x, out);
    read_eku(x, out);
    read_key_usage(x, out);
    read_crl_dps(x, out);
    read_basic_constraints(x, out);
    read_key(x, out);
    read_signature(x, out);
    out.not_before = to_time_point(X509_get0_notBefore(x));
    out.not_after = to_time_point(X509_get0_notAfter(x));
    out.ms_template = read_ms_template(x);
    ERR_clear_error();
    return out;
}

// Exactly one DER certificate filling all of `der`, or null.
X509Ptr decode_der(std::string_view der) {
    if (der.empty() || der.size() > static_cast<std::size_t>(LONG_MAX)) return nullptr;
    const auto* p = reinterpret_cast<const unsigned char*>(der.data());
    X509Ptr x(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
    if (!x || p != reinterpret_cast<const unsigned char*>(der.data()) + der.size()) {
        ERR_clear_error();
        return nullptr;
    }
    return x;
}

// One certificate from its DER (all of it): decoded by Botan and read from
// that decode, or read by OpenSSL where read_fields leaves it (then Botan's
// decode, if any, is still kept for validate_chain). nullopt when neither
// reads it.
std::optional<Certificate> read_certificate(std::string der) {
    std::shared_ptr<const DecodedCertificate> decoded = decode_certificate(der);
    Certificate out;
    if (decoded && read_fields(decoded->x509, out)) {
        out.sha256_fingerprint = sha256_hex(der);
        out.sha1_thumbprint = sha1_hex(der);
        const std::vector<uint8_t>& spki = decoded->x509.subject_public_key_info();
        out.public_key_sha256 = sha256_hex(std::string_view(reinterpret_cast<const char*>(spki.data()), spki.size()));
        out.der = std::move(der);
    } else {
        X509Ptr x = decode_der(der);
        if (!x) return std::nullopt;
        out = from_x509(x.get(), std::move(der));
    }
    out.decoded = std::move(decoded);
    return out;
}

// ---- PEM ------------------------------------------------------------------

struct PemBlock {
    std::string_view label;
    std::string_view text;  // from "-----BEGIN" to the end of the "-----END ...-----" line
};

// Finds the next complete block at or after `pos`. Garbage before it is
// skipped. Returns false when there is no further "-----BEGIN "; throws on a
// block that is never closed. Each byte is looked at a bounded number of
// times, so the scan is linear in the input.
bool next_pem_block(std::string_view data, std::size_t& pos, PemBlock& block) {
    static constexpr std::string_view kBegin = "-----BEGIN ";
    static constexpr std::string_view kDashes = "-----";
    const std::size_t begin = data.find(kBegin, pos);
    if (begin == std::string_view::npos) return false;
    const std::size_t label_start = begin + kBegin.size();
    const std::size_t label_end = data.find(kDashes, label_start);
    const std::size_t eol = data.find('\n', label_start);
    if (label_end == std::string_view::npos || (eol != std::string_view::npos && eol < label_end)) {
        throw CryptoError("cert.unreadable", "a PEM \"-----BEGIN\" line is malformed");
    }
    block.label = data.substr(label_start, label_end - label_start);
    const std::string end_marker = "-----END " + std::string(block.label) + "-----";
    const std::size_t end = data.find(end_marker, label_end + kDashes.size());
    if (end == std::string_view::npos) {
        throw CryptoError("cert.unreadable", "the PEM block \"" + std::string(block.label) +
                                                 "\" is truncated (no \"" + end_marker + "\" line)");
    }
    const std::size_t stop = end + end_marker.size();
    block.text = data.substr(begin, stop - begin);
    pos = stop;
    return true;
}

bool is_private_key_label(std::string_view label) {
    return label == "PRIVATE KEY" || label == "ENCRYPTED PRIVATE KEY" || label == "RSA PRIVATE KEY" ||
           label == "EC PRIVATE KEY";
}

// The body of a plain PEM block: lines of base64 only, padded at the end,
// no headers, no blank or indented line. Every such body reads the same with
// PEM_read_bio, which is slower than all else done with a certificate file
// but for Botan's decode and the signature check. nullopt for any other
// block, which PEM_read_bio reads (or refuses) as before.
std::optional<std::string> plain_pem_body(std::string_view text) {
    const std::size_t line_end = text.find('\n');
    const std::size_t end = text.rfind("\n-----END ");
    if (line_end == std::string_view::npos || end == std::string_view::npos || end < line_end) return std::nullopt;
    std::string_view begin_line = text.substr(0, line_end);
    if (!begin_line.empty() && begin_line.back() == '\r') begin_line.remove_suffix(1);
    if (begin_line.size() < 10 || begin_line.substr(begin_line.size() - 5) != "-----") return std::nullopt;
    const std::string_view body = text.substr(line_end + 1, end + 1 - (line_end + 1));
    // Each octet's value in base64, -1 for any other character.
    static const std::array<int8_t, 256> kValue = [] {
        std::array<int8_t, 256> table{};
        table.fill(-1);
        const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        for (int i = 0; i < 64; ++i) table[static_cast<unsigned char>(alphabet[i])] = static_cast<int8_t>(i);
        return table;
    }();
    std::string der(body.size() * 3 / 4 + 3, '\0');
    std::size_t out = 0;
    uint32_t bits = 0;
    std::size_t sextets = 0;
    std::size_t padding = 0;
    bool line_start = true;
    for (const char c : body) {
        int value = kValue[static_cast<unsigned char>(c)];
        if (c == '\n' || c == '\r') {
            if (line_start && c == '\n') return std::nullopt;  // a blank line
            line_start = c == '\n';
            continue;
        }
        line_start = false;
        if (c == '=') {
            ++padding;
            value = 0;
        } else if (value < 0 || padding > 0) {
            return std::nullopt;  // not base64, or data after the padding
        }
        bits = (bits << 6) | static_cast<uint32_t>(value);
        if (++sextets % 4 == 0) {
            der[out++] = static_cast<char>((bits >> 16) & 0xFF);
            der[out++] = static_cast<char>((bits >> 8) & 0xFF);
            der[out++] = static_cast<char>(bits & 0xFF);
            bits = 0;
        }
    }
    if (sextets % 4 != 0 || padding > 2) return std::nullopt;
    der.resize(out - padding);
    return der;
}

// The DER inside one PEM block (base64 and the block's headers handled by OpenSSL).
std::string pem_block_der(std::string_view text) {
    if (std::optional<std::string> der = plain_pem_body(text)) return std::move(*der);
    ossl::BioPtr bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
    if (!bio) throw ossl::error("cert.unreadable", "cannot allocate a memory BIO");
    char* name = nullptr;
    char* header = nullptr;
    unsigned char* data = nullptr;
    long len = 0;
    if (PEM_read_bio(bio.get(), &name, &header, &data, &len) != 1) {
        throw ossl::error("cert.unreadable", "a PEM CERTIFICATE block has bad base64 content");
    }
    std::string der(reinterpret_cast<const char*>(data), static_cast<std::size_t>(len));
    OPENSSL_free(name);
    OPENSSL_free(header);
    OPENSSL_free(data);
    return der;
}

CertificateBundle load_pem(std::string_view data, const std::optional<std::string>& password) {
    CertificateBundle bundle;
    bundle.format = "PEM";
    std::size_t pos = 0;
    PemBlock block;
    while (next_pem_block(data, pos, block)) {
        if (block.label == "CERTIFICATE") {
            if (bundle.certificates.size() >= kMaxCertificates) {
                throw CryptoError("cert.unreadable",
                                  "the file holds more than " + std::to_string(kMaxCertificates) + " certificates");
            }
            std::optional<Certificate> certificate = read_certificate(pem_block_der(block.text));
            if (!certificate) {
                throw CryptoError("cert.unreadable", "certificate " + std::to_string(bundle.certificates.size() + 1) +
                                                         " of the PEM file is not a valid X.509 certificate");
            }
            bundle.certificates.push_back(std::move(*certificate));
        } else if (is_private_key_label(block.label) && !bundle.key) {
            bundle.key = load_private_key_pem(block.text, password);
        }
        // Anything else (parameters, CSRs, CRLs, a second key) is skipped.
    }
    return bundle;
}

// ---- PKCS#12 --------------------------------------------------------------

// PKCS#12 files made with -legacy (RC2-40 / 3DES) need the legacy provider.
// Loaded once, with the default provider kept active beside it, for the whole
// process: the handles stay in statics (reachable, so LeakSanitizer does not
// take them for leaks), and OpenSSL's own exit handler unloads them.
void load_legacy_provider() {
    [[maybe_unused]] static OSSL_PROVIDER* default_provider = nullptr;  // only kept: clang's -Wunused-but-set-variable
    [[maybe_unused]] static OSSL_PROVIDER* legacy_provider = nullptr;
    static std::once_flag once;
    std::call_once(once, [] {
        default_provider = OSSL_PROVIDER_load(nullptr, "default");
        legacy_provider = OSSL_PROVIDER_load(nullptr, "legacy");
        ERR_clear_error();
    });
}

// Whether `password` decrypts the first password-encrypted safe of the file.
// nullopt when the file has no encrypted safe to try it on.
std::optional<bool> password_decrypts(PKCS12* p12, const char* pass, int passlen) {
    P7StackPtr safes(PKCS12_unpack_authsafes(p12));
    if (!safes) return std::nullopt;
    const int n = sk_PKCS7_num(safes.get());
    for (int i = 0; i < n; ++i) {
        PKCS7* p7 = sk_PKCS7_value(safes.get(), i);
        if (OBJ_obj2nid(p7->type) != NID_pkcs7_encrypted) continue;
        SafeBagStackPtr bags(PKCS12_unpack_p7encdata(p7, pass, passlen));
        ERR_clear_error();
        return bags != nullptr;
    }
    // Shrouded key bags in a plain data safe.
    for (int i = 0; i < n; ++i) {
        PKCS7* p7 = sk_PKCS7_value(safes.get(), i);
        if (OBJ_obj2nid(p7->type) != NID_pkcs7_data) continue;
        SafeBagStackPtr bags(PKCS12_unpack_p7data(p7));
        if (!bags) continue;
        for (int j = 0; j < sk_PKCS12_SAFEBAG_num(bags.get()); ++j) {
            const PKCS12_SAFEBAG* bag = sk_PKCS12_SAFEBAG_value(bags.get(), j);
            if (PKCS12_SAFEBAG_get_nid(bag) != NID_pkcs8ShroudedKeyBag) continue;
            PKCS8_PRIV_KEY_INFO* p8 = PKCS12_decrypt_skey(bag, pass, passlen);
            const bool ok = p8 != nullptr;
            PKCS8_PRIV_KEY_INFO_free(p8);
            ERR_clear_error();
            return ok;
        }
    }
    ERR_clear_error();
    return std::nullopt;
}

// How a wrong password is told from a broken MAC: the MAC alone cannot say
// (both make the HMAC differ). When the MAC check fails, the same password is
// tried on the encrypted content (the certificate safe, or a shrouded key).
// If it decrypts, the password is right and the MAC is broken
// ("cert.pkcs12-mac"); if it does not, the password is wrong
// ("cert.pkcs12-password"). With nothing encrypted to try, a MAC failure is
// reported as a wrong password, the likelier cause.
CertificateBundle load_pkcs12(PKCS12* p12, const std::optional<std::string>& password) {
    load_legacy_provider();
    const char* pass = nullptr;
    int passlen = 0;
    if (password) {
        if (password->size() > static_cast<std::size_t>(INT_MAX)) throw CryptoError("cert.pkcs12-password", "the password is too long");
        pass = password->c_str();
        passlen = static_cast<int>(password->size());
    }
    // The file states its own iteration counts: checked before any is used
    // ("cert.pkcs12-iterations"), what needs the password once it is known.
    pbe::check_pkcs12(p12, false, nullptr, 0);
    if (PKCS12_mac_present(p12) == 1) {
        bool mac_ok = false;
        if (password) {
            mac_ok = PKCS12_verify_mac(p12, pass, passlen) == 1;
        } else {
            // No password given: files exported "without" one use "" or no password.
            if (PKCS12_verify_mac(p12, "", 0) == 1) {
                mac_ok = true;
                pass = "";
            } else if (PKCS12_verify_mac(p12, nullptr, 0) == 1) {
                mac_ok = true;
            }
        }
        ERR_clear_error();
        if (!mac_ok) {
            if (!password) {
                throw CryptoError("cert.pkcs12-password", "the PKCS#12 file is protected by a password and none was given");
            }
            const std::optional<bool> decrypts = password_decrypts(p12, pass, passlen);
            if (decrypts.value_or(false)) {
                throw CryptoError("cert.pkcs12-mac",
                                  "the PKCS#12 integrity check (MAC) fails although the password decrypts the "
                                  "content: the file is damaged or was altered");
            }
            throw CryptoError("cert.pkcs12-password", "the password for the PKCS#12 file is wrong");
        }
    }

    pbe::check_pkcs12(p12, true, pass, passlen);
    EVP_PKEY* raw_key = nullptr;
    X509* raw_cert = nullptr;
    STACK_OF(X509)* raw_ca = nullptr;
    const int parsed = PKCS12_parse(p12, pass, &raw_key, &raw_cert, &raw_ca);
    ossl::PkeyPtr key(raw_key);
    X509Ptr cert(raw_cert);
    X509StackPtr ca(raw_ca);
    if (parsed != 1) {
        if (PKCS12_mac_present(p12) != 1) {
            throw ossl::error("cert.pkcs12-password", "the PKCS#12 file cannot be decrypted with this password");
        }
        throw ossl::error("cert.unreadable", "the PKCS#12 file cannot be decoded");
    }
    ERR_clear_error();

    CertificateBundle bundle;
    bundle.format = "PKCS#12";
    const int extra = ca ? sk_X509_num(ca.get()) : 0;
    if (static_cast<std::size_t>(extra) + (cert ? 1 : 0) > kMaxCertificates) {
        throw CryptoError("cert.unreadable", "the file holds more than " + std::to_string(kMaxCertificates) + " certificates");
    }
    // Already decoded by OpenSSL (PKCS12_parse): read from that decode, with
    // Botan's kept for validate_chain.
    auto read = [](X509* x) {
        Certificate c = from_x509(x, der_of(x));
        c.decoded = decode_certificate(c.der);
        return c;
    };
    if (cert) bundle.certificates.push_back(read(cert.get()));
    for (int i = 0; i < extra; ++i) bundle.certificates.push_back(read(sk_X509_value(ca.get(), i)));
    if (key) {
        PrivateKey pk;
        pk.impl().pkey = std::move(key);
        bundle.key = std::move(pk);
    }
    return bundle;
}

}  // namespace

Certificate parse_certificate_der(std::string_view der) {
    std::optional<Certificate> certificate = read_certificate(std::string(der));
    if (!certificate) throw CryptoError("cert.unreadable", "the data is not a DER X.509 certificate");
    return std::move(*certificate);
}

CertificateBundle load_certificates(std::string_view data, const std::optional<std::string>& pkcs12_password) {
    if (data.size() > kMaxInputBytes) {
        throw CryptoError("cert.unreadable", "the certificate file is larger than " +
                                                 std::to_string(kMaxInputBytes / (1024 * 1024)) + " MiB");
    }
    ERR_clear_error();
    CertificateBundle bundle;
    if (data.find("-----BEGIN") != std::string_view::npos) {
        bundle = load_pem(data, pkcs12_password);
    } else if (std::optional<Certificate> certificate = read_certificate(std::string(data))) {
        bundle.format = "DER";
        bundle.certificates.push_back(std::move(*certificate));
    } else {
        const auto* p = reinterpret_cast<const unsigned char*>(data.data());
        Pkcs12Ptr p12(data.empty() ? nullptr : d2i_PKCS12(nullptr, &p, static_cast<long>(data.size())));
        if (!p12) {
            ERR_clear_error();
            throw CryptoError("cert.unreadable", "the data is neither PEM, DER X.509 nor PKCS#12");
        }
        bundle = load_pkcs12(p12.get(), pkcs12_password);
    }
    ERR_clear_error();
    if (bundle.certificates.empty()) throw CryptoError("cert.empty", "the " + bundle.format + " data holds no certificate");
    return bundle;
}

bool key_matches(const PrivateKey& key, const Certificate& certificate) {
    const EVP_PKEY* pkey = key.impl().pkey.get();
    if (pkey == nullptr) throw CryptoError("key.empty", "the private key object holds no key");
    X509Ptr x = decode_der(certificate.der);
    if (!x) throw CryptoError("cert.unreadable", "the certificate cannot be decoded");
    const EVP_PKEY* cert_key = X509_get0_pubkey(x.get());
    const bool same = cert_key != nullptr && EVP_PKEY_eq(pkey, cert_key) == 1;
    ERR_clear_error();
    return same;
}

}  // namespace certtool::crypto
