// Building and signing PKCS#10 requests with OpenSSL 3. The independent
// read-back with Botan is in botan_csr.cpp.
#include "crypto/csr.hpp"

#include <openssl/asn1.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <climits>
#include <string>
#include <utility>

#include "crypto/openssl_util.hpp"

namespace certtool::crypto {

namespace {

constexpr const char* kTemplateOid = "1.3.6.1.4.1.311.20.2";  // szOID_ENROLL_CERTTYPE_EXTENSION

[[noreturn]] void fail(const std::string& what) { throw ossl::error("csr.build", what); }

int checked_len(const std::string& s) {
    if (s.size() > static_cast<std::size_t>(INT_MAX)) fail("a value is too long");
    return static_cast<int>(s.size());
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

// Key usage names and their bit numbers (RFC 5280 4.2.1.3).
constexpr std::array<std::pair<const char*, int>, 9> kKeyUsageBits{{
    {"digitalSignature", 0},
    {"nonRepudiation", 1},
    {"keyEncipherment", 2},
    {"dataEncipherment", 3},
    {"keyAgreement", 4},
    {"keyCertSign", 5},
    {"cRLSign", 6},
    {"encipherOnly", 7},
    {"decipherOnly", 8},
}};

void add_name_entry(X509_NAME* name, const char* field, const std::string& value, int type) {
    if (value.empty()) return;
    if (X509_NAME_add_entry_by_txt(name, field, type, reinterpret_cast<const unsigned char*>(value.data()),
                                   checked_len(value), -1, 0) != 1) {
        fail(std::string("invalid subject field ") + field + " \"" + value + "\"");
    }
}

ossl::ExtPtr san_extension(const std::vector<std::string>& dns_names) {
    ossl::GeneralNamesPtr names(GENERAL_NAMES_new());
    if (!names) fail("out of memory");
    for (const std::string& dns : dns_names) {
        if (dns.empty() || std::any_of(dns.begin(), dns.end(), [](char c) {
                return static_cast<unsigned char>(c) > 0x7e || static_cast<unsigned char>(c) < 0x21;
            })) {
            fail("DNS name \"" + dns + "\" is not printable ASCII (use the A-label of an IDN)");
        }
        ossl::Ia5StringPtr ia5(ASN1_IA5STRING_new());
        if (!ia5 || ASN1_STRING_set(ia5.get(), dns.data(), checked_len(dns)) != 1) fail("out of memory");
        ossl::GeneralNamePtr gn(GENERAL_NAME_new());
        if (!gn) fail("out of memory");
        GENERAL_NAME_set0_value(gn.get(), GEN_DNS, ia5.release());
        if (sk_GENERAL_NAME_push(names.get(), gn.get()) <= 0) fail("out of memory");
        (void)gn.release();
    }
    ossl::ExtPtr ext(X509V3_EXT_i2d(NID_subject_alt_name, 0, names.get()));
    if (!ext) fail("cannot encode subjectAltName");
    return ext;
}

ossl::ExtPtr eku_extension(const std::vector<std::string>& eku) {
    ossl::EkuPtr usages(sk_ASN1_OBJECT_new_null());
    if (!usages) fail("out of memory");
    for (const std::string& name : eku) {
        ossl::ObjectPtr obj;
        if (name == "serverAuth") {
            obj.reset(OBJ_nid2obj(NID_server_auth));
        } else if (name == "clientAuth") {
            obj.reset(OBJ_nid2obj(NID_client_auth));
        } else if (!name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
                       return c == '.' || (c >= '0' && c <= '9');
                   })) {
            obj.reset(OBJ_txt2obj(name.c_str(), 1));
        }
        if (!obj) fail("unknown extended key usage \"" + name + "\"");
        if (sk_ASN1_OBJECT_push(usages.get(), obj.get()) <= 0) fail("out of memory");
        (void)obj.release();
    }
    ossl::ExtPtr ext(X509V3_EXT_i2d(NID_ext_key_usage, 0, usages.get()));
    if (!ext) fail("cannot encode extendedKeyUsage");
    return ext;
}

ossl::ExtPtr key_usage_extension(const std::vector<std::string>& key_usage) {
    ossl::BitStringPtr bits(ASN1_BIT_STRING_new());
    if (!bits) fail("out of memory");
    for (const std::string& name : key_usage) {
        auto it = std::find_if(kKeyUsageBits.begin(), kKeyUsageBits.end(),
                               [&](const auto& entry) { return name == entry.first; });
        if (it == kKeyUsageBits.end()) fail("unknown key usage \"" + name + "\"");
        if (ASN1_BIT_STRING_set_bit(bits.get(), it->second, 1) != 1) fail("out of memory");
    }
    ossl::ExtPtr ext(X509V3_EXT_i2d(NID_key_usage, 1, bits.get()));
    if (!ext) fail("cannot encode keyUsage");
    return ext;
}

// The Microsoft "Certificate Template Name" extension: its value is the DER
// of a BMPString holding the template name.
ossl::ExtPtr template_extension(const std::string& template_name) {
    if (template_name.empty()) fail("the certificate template name is empty");
    ASN1_STRING* raw_bmp = nullptr;
    if (ASN1_mbstring_copy(&raw_bmp, reinterpret_cast<const unsigned char*>(template_name.data()),
                           checked_len(template_name), MBSTRING_UTF8, B_ASN1_BMPSTRING) < 0) {
        fail("the certificate template name is not valid UTF-8 in the Basic Multilingual Plane");
    }
    ossl::StringPtr bmp(raw_bmp);
    if (ASN1_STRING_type(bmp.get()) != V_ASN1_BMPSTRING) fail("cannot encode the template name as a BMPString");

    unsigned char* der = nullptr;
    const int der_len = i2d_ASN1_BMPSTRING(bmp.get(), &der);
    if (der_len <= 0 || der == nullptr) fail("cannot encode the template name");
    ossl::OctetStringPtr value(ASN1_OCTET_STRING_new());
    const bool set = value && ASN1_OCTET_STRING_set(value.get(), der, der_len) == 1;
    OPENSSL_free(der);
    if (!set) fail("out of memory");

    ossl::ObjectPtr oid(OBJ_txt2obj(kTemplateOid, 1));
    if (!oid) fail("cannot create the template extension OID");
    ossl::ExtPtr ext(X509_EXTENSION_create_by_OBJ(nullptr, oid.get(), 0, value.get()));
    if (!ext) fail("cannot create the template extension");
    return ext;
}

void push(STACK_OF(X509_EXTENSION) * stack, ossl::ExtPtr ext) {
    if (sk_X509_EXTENSION_push(stack, ext.get()) <= 0) fail("out of memory");
    (void)ext.release();
}

}  // namespace

std::string make_csr_pem(const PrivateKey& key, const CsrRequest& request) {
    EVP_PKEY* pkey = key.impl().pkey.get();
    if (pkey == nullptr) throw CryptoError("key.empty", "the private key object holds no key");
    const std::string md = digest_name(request.signature_hash);
    if (md.empty()) {
        throw CryptoError("csr.build", "unsupported signature hash \"" + request.signature_hash +
                                           "\" (use sha1, sha256, sha384 or sha512)");
    }
    ERR_clear_error();

    ossl::ReqPtr req(X509_REQ_new());
    if (!req) fail("out of memory");
    if (X509_REQ_set_version(req.get(), X509_REQ_VERSION_1) != 1) fail("cannot set the request version");

    // Subject, in the order C, ST, L, O, OU, CN.
    {
        std::unique_ptr<X509_NAME, ossl::Deleter<X509_NAME, X509_NAME_free>> name(X509_NAME_new());
        if (!name) fail("out of memory");
        const DistinguishedName& dn = request.subject;
        add_name_entry(name.get(), "C", dn.country, MBSTRING_ASC);
        add_name_entry(name.get(), "ST", dn.state, MBSTRING_UTF8);
        add_name_entry(name.get(), "L", dn.locality, MBSTRING_UTF8);
        add_name_entry(name.get(), "O", dn.organization, MBSTRING_UTF8);
        add_name_entry(name.get(), "OU", dn.organizational_unit, MBSTRING_UTF8);
        add_name_entry(name.get(), "CN", dn.common_name, MBSTRING_UTF8);
        if (X509_REQ_set_subject_name(req.get(), name.get()) != 1) fail("cannot set the subject");
    }
    if (X509_REQ_set_pubkey(req.get(), pkey) != 1) fail("cannot set the public key");

    // Extensions, requested through the PKCS#9 extensionRequest attribute.
    ossl::ExtStackPtr exts(sk_X509_EXTENSION_new_null());
    if (!exts) fail("out of memory");
    if (!request.dns_names.empty()) push(exts.get(), san_extension(request.dns_names));
    if (!request.eku.empty()) push(exts.get(), eku_extension(request.eku));
    if (!request.key_usage.empty()) push(exts.get(), key_usage_extension(request.key_usage));
    if (request.ms_template) push(exts.get(), template_extension(*request.ms_template));
    if (sk_X509_EXTENSION_num(exts.get()) > 0 && X509_REQ_add_extensions(req.get(), exts.get()) != 1) {
        fail("cannot add the extension request");
    }

    // Sign: PKCS#1 v1.5 for RSA (never PSS), ECDSA for EC.
    ossl::MdCtxPtr mctx(EVP_MD_CTX_new());
    if (!mctx) fail("out of memory");
    EVP_PKEY_CTX* pctx = nullptr;  // owned by mctx
    if (EVP_DigestSignInit_ex(mctx.get(), &pctx, md.c_str(), nullptr, nullptr, pkey, nullptr) != 1) {
        fail("cannot start signing with " + md);
    }
    if (EVP_PKEY_is_a(pkey, "RSA") && EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) <= 0) {
        fail("cannot select PKCS#1 v1.5 padding");
    }
    if (X509_REQ_sign_ctx(req.get(), mctx.get()) <= 0) fail("cannot sign the request");
    if (X509_REQ_verify(req.get(), pkey) != 1) fail("the signed request does not verify");

    ossl::BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_X509_REQ(bio.get(), req.get()) != 1) fail("cannot write the request as PEM");
    return ossl::bio_to_string(bio.get(), false);
}

}  // namespace certtool::crypto
