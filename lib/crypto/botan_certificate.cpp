// The fields of a certificate read from Botan's decode, each as OpenSSL 3
// reads it (certificate.cpp's from_x509 read them all before, and still reads
// what this file leaves to it): OpenSSL's string conversions and algorithm
// names, an extension that is malformed or repeated read as absent. A
// certificate is so decoded once, by the decoder that validates its chain;
// a second decode by OpenSSL cost more than all the checks together.
#include "crypto/botan_certificate.hpp"

#include <arpa/inet.h>
#include <botan/ber_dec.h>
#include <botan/data_src.h>
#include <botan/pkix_types.h>
#include <botan/x509_ext.h>
#include <openssl/objects.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <iterator>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/time.hpp"
#include "crypto/openssl_util.hpp"

namespace certtool::crypto {

namespace {

using Bytes = std::vector<uint8_t>;

const Botan::OID kSanOid("2.5.29.17");
const Botan::OID kEkuOid("2.5.29.37");
const Botan::OID kKeyUsageOid("2.5.29.15");
const Botan::OID kBasicConstraintsOid("2.5.29.19");
const Botan::OID kCrlDistributionPointsOid("2.5.29.31");
const Botan::OID kTemplateNameOid("1.3.6.1.4.1.311.20.2");
const Botan::OID kTemplateOid("1.3.6.1.4.1.311.21.7");
const Botan::OID kServerAuthOid("1.3.6.1.5.5.7.3.1");
const Botan::OID kClientAuthOid("1.3.6.1.5.5.7.3.2");
const Botan::OID kAnyEkuOid("2.5.29.37.0");
const Botan::OID kRsaOid("1.2.840.113549.1.1.1");
const Botan::OID kRsaPssOid("1.2.840.113549.1.1.10");

constexpr unsigned kUniversal = Botan::UNIVERSAL;
constexpr unsigned kContext = Botan::CONTEXT_SPECIFIC;
constexpr unsigned kConstructed = Botan::CONSTRUCTED;

unsigned class_of(const Botan::BER_Object& o) { return static_cast<unsigned>(o.get_class()); }
unsigned tag_of(const Botan::BER_Object& o) { return static_cast<unsigned>(o.type()); }
bool is(const Botan::BER_Object& o, unsigned tag, unsigned cls) { return tag_of(o) == tag && class_of(o) == cls; }

// ---- strings, as ASN1_STRING_to_UTF8 converts them --------------------------

bool unicode_scalar(uint32_t v) { return v <= 0x10FFFF && !(v >= 0xD800 && v <= 0xDFFF); }

void append_utf8(std::string& out, uint32_t v) {
    if (v < 0x80) {
        out += static_cast<char>(v);
    } else if (v < 0x800) {
        out += static_cast<char>(0xC0 | (v >> 6));
        out += static_cast<char>(0x80 | (v & 0x3F));
    } else if (v < 0x10000) {
        out += static_cast<char>(0xE0 | (v >> 12));
        out += static_cast<char>(0x80 | ((v >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (v & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (v >> 18));
        out += static_cast<char>(0x80 | ((v >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((v >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (v & 0x3F));
    }
}

// UTF-8 as OpenSSL's UTF8_getc accepts it: no overlong forms, no surrogates,
// nothing above U+10FFFF.
bool valid_utf8(const uint8_t* p, std::size_t n) {
    for (std::size_t i = 0; i < n;) {
        const uint8_t c = p[i];
        std::size_t length = 1;
        uint32_t v = c;
        uint32_t least = 0;
        if (c >= 0x80) {
            if ((c & 0xE0) == 0xC0) {
                length = 2, v = c & 0x1F, least = 0x80;
            } else if ((c & 0xF0) == 0xE0) {
                length = 3, v = c & 0x0F, least = 0x800;
            } else if ((c & 0xF8) == 0xF0) {
                length = 4, v = c & 0x07, least = 0x10000;
            } else {
                return false;
            }
        }
        if (n - i < length) return false;
        for (std::size_t k = 1; k < length; ++k) {
            if ((p[i + k] & 0xC0) != 0x80) return false;
            v = (v << 6) | (p[i + k] & 0x3F);
        }
        if (v < least || !unicode_scalar(v)) return false;
        i += length;
    }
    return true;
}

// A string of ASN.1 type `tag` as UTF-8, as OpenSSL's ASN1_STRING_to_UTF8
// gives it; "" for a type it does not convert or a value it refuses.
std::string openssl_utf8(unsigned tag, const uint8_t* p, std::size_t n) {
    std::string out;
    switch (tag) {
        case Botan::UTF8_STRING:
            return valid_utf8(p, n) ? std::string(reinterpret_cast<const char*>(p), n) : std::string();
        case Botan::NUMERIC_STRING:
        case Botan::PRINTABLE_STRING:
        case Botan::T61_STRING:
        case Botan::IA5_STRING:
        case Botan::UTC_TIME:
        case Botan::GENERALIZED_TIME:
        case Botan::VISIBLE_STRING:
            // One octet per character, read as Latin-1.
            for (std::size_t i = 0; i < n; ++i) append_utf8(out, p[i]);
            return out;
        case Botan::BMP_STRING:
        case Botan::UNIVERSAL_STRING: {
            const std::size_t width = tag == Botan::BMP_STRING ? 2 : 4;
            if (n % width != 0) return {};
            for (std::size_t i = 0; i < n; i += width) {
                uint32_t v = 0;
                for (std::size_t k = 0; k < width; ++k) v = (v << 8) | p[i + k];
                if (!unicode_scalar(v)) return {};
                append_utf8(out, v);
            }
            return out;
        }
        default:
            return {};
    }
}

// ---- names ----------------------------------------------------------------

const std::pair<Botan::OID, std::string DistinguishedName::*> kNameFields[] = {
    {Botan::OID("2.5.4.3"), &DistinguishedName::common_name},
    {Botan::OID("2.5.4.10"), &DistinguishedName::organization},
    {Botan::OID("2.5.4.11"), &DistinguishedName::organizational_unit},
    {Botan::OID("2.5.4.7"), &DistinguishedName::locality},
    {Botan::OID("2.5.4.8"), &DistinguishedName::state},
    {Botan::OID("2.5.4.6"), &DistinguishedName::country},
};

// The first value of CN, O, OU, L, ST and C in the Name, as OpenSSL's
// X509_NAME_get_index_by_NID finds it (in encoded order), read from its DER.
DistinguishedName read_name(const Bytes& der) {
    const auto& kFields = kNameFields;
    DistinguishedName dn;
    bool seen[std::size(kFields)] = {};
    Botan::BER_Decoder outer(der);
    Botan::BER_Decoder rdns = outer.start_cons(Botan::SEQUENCE, Botan::UNIVERSAL);
    while (rdns.more_items()) {
        Botan::BER_Decoder set = rdns.start_cons(Botan::SET, Botan::UNIVERSAL);
        while (set.more_items()) {
            Botan::BER_Decoder attribute = set.start_cons(Botan::SEQUENCE, Botan::UNIVERSAL);
            Botan::OID type;
            attribute.decode(type);
            const Botan::BER_Object value = attribute.get_next_object();
            for (std::size_t i = 0; i < std::size(kFields); ++i) {
                if (seen[i] || kFields[i].first != type) continue;
                seen[i] = true;
                dn.*kFields[i].second = openssl_utf8(tag_of(value), value.bits(), value.length());
            }
        }
    }
    return dn;
}

// The same from Botan's decode of the Name, where Botan's text of each value
// is OpenSSL's: ASCII in a string type of one octet per character (or
// UTF-8). nullopt when a value is another, for read_name.
std::optional<DistinguishedName> ascii_name(const Botan::X509_DN& name) {
    DistinguishedName dn;
    bool seen[std::size(kNameFields)] = {};
    for (const auto& [type, value] : name.dn_info()) {
        for (std::size_t i = 0; i < std::size(kNameFields); ++i) {
            if (seen[i] || kNameFields[i].first != type) continue;
            const unsigned tag = value.tagging();
            const bool plain = tag == Botan::UTF8_STRING || tag == Botan::PRINTABLE_STRING || tag == Botan::IA5_STRING ||
                               tag == Botan::VISIBLE_STRING || tag == Botan::NUMERIC_STRING;
            const std::string& text = value.value();
            if (!plain || std::any_of(text.begin(), text.end(), [](char c) { return (c & 0x80) != 0; })) return std::nullopt;
            seen[i] = true;
            dn.*kNameFields[i].second = text;
        }
    }
    return dn;
}

std::string hex(const uint8_t* data, std::size_t length) {
    static const char* digits = "0123456789abcdef";
    std::string out;
    out.reserve(length * 2);
    for (std::size_t i = 0; i < length; ++i) {
        out += digits[data[i] >> 4];
        out += digits[data[i] & 15];
    }
    return out;
}

// BN_bn2hex of the serial, lower-cased: whole octets, no leading zero octet,
// "0" for zero, "-" before a negative one.
std::string serial_text(const Botan::X509_Certificate& c) {
    const Bytes& serial = c.serial_number();
    std::size_t first = 0;
    while (first < serial.size() && serial[first] == 0) ++first;
    if (first == serial.size()) return "0";
    return (c.is_serial_negative() ? "-" : "") + hex(serial.data() + first, serial.size() - first);
}

// An INTEGER's content as OpenSSL's c2i_ASN1_INTEGER accepts it: not empty,
// and minimally encoded.
bool openssl_integer(const Botan::BER_Object& o) {
    if (!is(o, Botan::INTEGER, kUniversal) || o.length() == 0) return false;
    if (o.length() == 1) return true;
    const uint8_t* p = o.bits();
    const bool negative = (p[0] & 0x80) != 0;
    bool padded = p[0] == 0;
    if (p[0] == 0xFF) padded = std::any_of(p + 1, p + o.length(), [](uint8_t b) { return b != 0; });
    return !(padded && negative == ((p[1] & 0x80) != 0));
}

// The OBJECT IDENTIFIER whose content octets `o` holds (an implicitly tagged
// one, or a universal one); throws for a malformed one.
Botan::OID oid_from_content(const Botan::BER_Object& o) {
    Bytes encoded{Botan::OBJECT_ID};
    if (o.length() < 128) {
        encoded.push_back(static_cast<uint8_t>(o.length()));
    } else {
        Bytes length;
        for (std::size_t n = o.length(); n != 0; n >>= 8) length.insert(length.begin(), static_cast<uint8_t>(n & 0xFF));
        encoded.push_back(static_cast<uint8_t>(0x80 | length.size()));
        encoded.insert(encoded.end(), length.begin(), length.end());
    }
    encoded.insert(encoded.end(), o.bits(), o.bits() + o.length());
    Botan::OID oid;
    Botan::BER_Decoder(encoded).decode(oid).verify_end();
    return oid;
}

// ---- extensions -------------------------------------------------------------

// The value of an extension the certificate has exactly once: OpenSSL's
// X509_get_ext_d2i reads a repeated extension as absent.
std::optional<Bytes> single_extension(const Botan::Extensions& extensions, const Botan::OID& oid) {
    const auto& oids = extensions.get_extension_oids();
    if (std::count(oids.begin(), oids.end(), oid) != 1) return std::nullopt;
    return extensions.get_extension_bits(oid);
}

// A GeneralName of the form OpenSSL's GENERAL_NAME template decodes; throws
// (as Botan's decoder does) for one it would refuse.
void check_general_name(const Botan::BER_Object& name) {
    const unsigned cls = class_of(name);
    const unsigned tag = tag_of(name);
    const bool constructed = (cls & kConstructed) != 0;
    if ((cls & ~kConstructed) != kContext || tag > 8) throw Botan::Decoding_Error("not a GeneralName");
    switch (tag) {
        case 0: {  // otherName: type-id, [0] EXPLICIT value
            if (!constructed) throw Botan::Decoding_Error("otherName");
            Botan::BER_Decoder other(name);
            Botan::OID type;
            other.decode(type);
            if (!is(other.get_next_object(), 0, kContext | kConstructed)) throw Botan::Decoding_Error("otherName value");
            other.verify_end();
            break;
        }
        case 4: {  // directoryName: [4] EXPLICIT Name
            if (!constructed) throw Botan::Decoding_Error("directoryName");
            Botan::BER_Decoder dir(name);
            Botan::X509_DN dn;
            dir.decode(dn).verify_end();
            break;
        }
        case 3:
        case 5:
            if (!constructed) throw Botan::Decoding_Error("x400Address / ediPartyName");
            break;
        case 8:  // registeredID: an OBJECT IDENTIFIER's content
            if (constructed || name.length() == 0) throw Botan::Decoding_Error("registeredID");
            oid_from_content(name);
            break;
        default:  // rfc822Name, dNSName, URI, iPAddress: primitive strings
            if (constructed) throw Botan::Decoding_Error("GeneralName string");
            break;
    }
}

struct GeneralNames {
    std::vector<std::string> dns;
    std::vector<std::string> ip;
    std::vector<std::string> uri;
};

// The GeneralName entries of `list` (a decoder over their sequence).
GeneralNames read_general_names(Botan::BER_Decoder& list) {
    GeneralNames out;
    while (list.more_items()) {
        const Botan::BER_Object name = list.get_next_object();
        check_general_name(name);
        const std::string text(reinterpret_cast<const char*>(name.bits()), name.length());
        if (tag_of(name) == 2) out.dns.push_back(text);
        if (tag_of(name) == 6) out.uri.push_back(text);
        if (tag_of(name) == 7) out.ip.push_back(ip_address_text(name.bits(), name.length()));
    }
    return out;
}

void read_san(const Botan::Extensions& extensions, Certificate& out) {
    const auto value = single_extension(extensions, kSanOid);
    if (!value) return;
    try {
        Botan::BER_Decoder outer(*value);
        Botan::BER_Decoder list = outer.start_cons(Botan::SEQUENCE, Botan::UNIVERSAL);
        GeneralNames names = read_general_names(list);
        out.dns_names = std::move(names.dns);
        out.ip_addresses = std::move(names.ip);
    } catch (const std::exception&) {
        // Malformed: no SANs, as OpenSSL reads it.
    }
}

void read_eku(const Botan::Extensions& extensions, Certificate& out) {
    out.has_eku_extension = extensions.extension_set(kEkuOid);
    const auto value = single_extension(extensions, kEkuOid);
    if (!value) return;
    try {
        std::vector<std::string> eku;
        Botan::BER_Decoder outer(*value);
        Botan::BER_Decoder list = outer.start_cons(Botan::SEQUENCE, Botan::UNIVERSAL);
        while (list.more_items()) {
            Botan::OID purpose;
            list.decode(purpose);
            eku.push_back(purpose == kServerAuthOid   ? "serverAuth"
                          : purpose == kClientAuthOid ? "clientAuth"
                          : purpose == kAnyEkuOid     ? "anyExtendedKeyUsage"
                                                      : purpose.to_string());
        }
        out.eku = std::move(eku);
    } catch (const std::exception&) {
    }
}

// The first two octets of the BIT STRING, unused bits cleared, as OpenSSL
// caches them; no usage at all when it is malformed, repeated or empty.
void read_key_usage(const Botan::Extensions& extensions, Certificate& out) {
    out.has_key_usage_extension = extensions.extension_set(kKeyUsageOid);
    const auto value = single_extension(extensions, kKeyUsageOid);
    if (!value) return;
    uint32_t bits = 0;
    try {
        Botan::BER_Decoder decoder(*value);
        const Botan::BER_Object bit_string = decoder.get_next_object();
        if (!is(bit_string, Botan::BIT_STRING, kUniversal) || bit_string.length() == 0 || bit_string.bits()[0] > 7) return;
        Bytes data(bit_string.bits() + 1, bit_string.bits() + bit_string.length());
        if (!data.empty()) data.back() = static_cast<uint8_t>(data.back() & (0xFF << bit_string.bits()[0]));
        if (!data.empty()) bits = data[0];
        if (data.size() > 1) bits |= static_cast<uint32_t>(data[1]) << 8;
    } catch (const std::exception&) {
        return;
    }
    static const std::pair<uint32_t, const char*> kNames[] = {
        {0x80, "digitalSignature"}, {0x40, "nonRepudiation"}, {0x20, "keyEncipherment"},
        {0x10, "dataEncipherment"}, {0x08, "keyAgreement"},   {0x04, "keyCertSign"},
        {0x02, "cRLSign"},          {0x01, "encipherOnly"},   {0x8000, "decipherOnly"},
    };
    for (const auto& [bit, name] : kNames) {
        if ((bits & bit) != 0) out.key_usage.emplace_back(name);
    }
}

// The URIs of the fullName of each distribution point.
void read_crl_distribution_points(const Botan::Extensions& extensions, Certificate& out) {
    const auto value = single_extension(extensions, kCrlDistributionPointsOid);
    if (!value) return;
    try {
        std::vector<std::string> uris;
        Botan::BER_Decoder outer(*value);
        Botan::BER_Decoder points = outer.start_cons(Botan::SEQUENCE, Botan::UNIVERSAL);
        while (points.more_items()) {
            Botan::BER_Decoder point = points.start_cons(Botan::SEQUENCE, Botan::UNIVERSAL);
            Botan::BER_Object field = point.get_next_object();
            if (is(field, 0, kContext | kConstructed)) {  // distributionPoint [0] EXPLICIT
                Botan::BER_Decoder explicit_name(field);
                const Botan::BER_Object choice = explicit_name.get_next_object();
                explicit_name.verify_end();
                if (is(choice, 0, kContext | kConstructed)) {  // fullName [0] IMPLICIT GeneralNames
                    Botan::BER_Decoder list(choice);
                    GeneralNames names = read_general_names(list);
                    uris.insert(uris.end(), names.uri.begin(), names.uri.end());
                } else if (!is(choice, 1, kContext | kConstructed)) {
                    throw Botan::Decoding_Error("DistributionPointName");
                }
                field = point.get_next_object();
            }
            if (is(field, 1, kContext)) field = point.get_next_object();  // reasons
            if (is(field, 2, kContext | kConstructed)) {                   // cRLIssuer
                Botan::BER_Decoder list(field);
                read_general_names(list);
                field = point.get_next_object();
            }
            if (field.is_set()) throw Botan::Decoding_Error("DistributionPoint");
        }
        out.crl_distribution_points = std::move(uris);
    } catch (const std::exception&) {
    }
}

// cA of basicConstraints: true for any non-zero octet, as OpenSSL reads a BOOLEAN.
void read_basic_constraints(const Botan::Extensions& extensions, Certificate& out) {
    const auto value = single_extension(extensions, kBasicConstraintsOid);
    if (!value) return;
    try {
        Botan::BER_Decoder outer(*value);
        Botan::BER_Decoder fields = outer.start_cons(Botan::SEQUENCE, Botan::UNIVERSAL);
        Botan::BER_Object field = fields.get_next_object();
        bool ca = false;
        if (is(field, Botan::BOOLEAN, kUniversal)) {
            if (field.length() != 1) return;
            ca = field.bits()[0] != 0;
            field = fields.get_next_object();
        }
        if (field.is_set()) {
            if (!openssl_integer(field)) return;
            field = fields.get_next_object();
        }
        if (field.is_set()) return;
        out.is_ca = ca;
    } catch (const std::exception&) {
    }
}

// 1.3.6.1.4.1.311.20.2 (a template name, usually a BMPString), else the OID
// of a v2 template (1.3.6.1.4.1.311.21.7: SEQUENCE { templateID, ... }).
std::string read_template(const Botan::Extensions& extensions) {
    try {
        if (extensions.extension_set(kTemplateNameOid)) {
            Botan::BER_Decoder decoder(extensions.get_extension_bits(kTemplateNameOid));
            const Botan::BER_Object value = decoder.get_next_object();
            const unsigned tag = tag_of(value);
            if (class_of(value) == kUniversal && tag != Botan::OBJECT_ID && tag != Botan::NULL_TAG && tag != Botan::BOOLEAN) {
                std::string name = openssl_utf8(tag, value.bits(), value.length());
                if (!name.empty()) return name;
            }
        }
    } catch (const std::exception&) {
    }
    try {
        if (extensions.extension_set(kTemplateOid)) {
            Botan::BER_Decoder outer(extensions.get_extension_bits(kTemplateOid));
            Botan::BER_Decoder fields = outer.start_cons(Botan::SEQUENCE, Botan::UNIVERSAL);
            const Botan::BER_Object first = fields.get_next_object();
            if (is(first, Botan::OBJECT_ID, kUniversal)) return oid_from_content(first).to_string();
        }
    } catch (const std::exception&) {
    }
    return {};
}

// ---- key, signature, times --------------------------------------------------

// The modulus size of an rsaEncryption key, as OpenSSL decodes the
// RSAPublicKey (both INTEGERs read as unsigned); nullopt where it fails.
std::optional<int> rsa_bits(const Botan::X509_Certificate& c) {
    try {
        Botan::BER_Decoder outer(c.subject_public_key_bitstring());
        Botan::BER_Decoder key = outer.start_cons(Botan::SEQUENCE, Botan::UNIVERSAL);
        const Botan::BER_Object modulus = key.get_next_object();
        const Botan::BER_Object exponent = key.get_next_object();
        if (!is(modulus, Botan::INTEGER, kUniversal) || !is(exponent, Botan::INTEGER, kUniversal)) return std::nullopt;
        key.verify_end();
        std::size_t first = 0;
        while (first < modulus.length() && modulus.bits()[first] == 0) ++first;
        if (first == modulus.length()) return 0;
        int top = 0;
        for (uint8_t b = modulus.bits()[first]; b != 0; b >>= 1) ++top;
        return static_cast<int>(8 * (modulus.length() - first - 1)) + top;
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

struct SignatureNames {
    std::string algorithm;  // OpenSSL's long name, else the dotted OID
    std::string hash;       // lower-case long name of its digest, "" if none
};

// Looked up once per OID (a run meets a handful) in OpenSSL's object table.
SignatureNames signature_names(const Botan::OID& oid) {
    static std::mutex mutex;
    static std::map<Botan::OID, SignatureNames> known;
    {
        const std::lock_guard<std::mutex> lock(mutex);
        const auto it = known.find(oid);
        if (it != known.end()) return it->second;
    }
    const std::string dotted = oid.to_string();
    SignatureNames names{dotted, ""};
    ossl::ObjectPtr object(OBJ_txt2obj(dotted.c_str(), 1));
    const int nid = object ? OBJ_obj2nid(object.get()) : NID_undef;
    if (nid != NID_undef) {
        const char* ln = OBJ_nid2ln(nid);
        names.algorithm = ln != nullptr ? ln : "";
        int md = NID_undef;
        int pk = NID_undef;
        if (OBJ_find_sigid_algs(nid, &md, &pk) == 1 && md != NID_undef) {
            const char* md_ln = OBJ_nid2ln(md);
            names.hash = md_ln != nullptr ? md_ln : "";
            std::transform(names.hash.begin(), names.hash.end(), names.hash.begin(),
                           [](char ch) { return ch >= 'A' && ch <= 'Z' ? static_cast<char>(ch - 'A' + 'a') : ch; });
        }
    }
    ERR_clear_error();
    const std::lock_guard<std::mutex> lock(mutex);
    known.emplace(oid, names);
    return names;
}

// Botan has checked the time when decoding; its calendar fields, as
// ASN1_TIME_to_tm gives them, to seconds (clamped as time_point_of does).
// Botan's own count of seconds serves from 1970 to 2200 (beyond, it throws or
// overflows); other times, rare, are read from its text.
TimePoint time_of(const Botan::X509_Time& t) {
    static const Botan::X509_Time kEpoch("19700101000000Z", Botan::GENERALIZED_TIME);
    static const Botan::X509_Time kLatest("22000101000000Z", Botan::GENERALIZED_TIME);
    if (t.cmp(kLatest) >= 0) return time_point_of(std::numeric_limits<std::time_t>::max());
    if (t.cmp(kEpoch) >= 0) return time_point_of(static_cast<std::time_t>(t.time_since_epoch()));
    std::tm tm{};
    if (std::sscanf(t.readable_string().c_str(), "%d/%d/%d %d:%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                    &tm.tm_min, &tm.tm_sec) != 6) {
        return TimePoint{};
    }
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return time_point_of(::timegm(&tm));
}

}  // namespace

std::string ip_address_text(const uint8_t* data, std::size_t length) {
    char text[INET6_ADDRSTRLEN] = {0};
    if (length == 4 && inet_ntop(AF_INET, data, text, sizeof text) != nullptr) return text;
    if (length == 16 && inet_ntop(AF_INET6, data, text, sizeof text) != nullptr) return text;
    // Not an address (e.g. an 8-octet name-constraint form): the octets in hex.
    return hex(data, length);
}

std::shared_ptr<const DecodedCertificate> decode_certificate(std::string_view der) {
    // Exactly one certificate: its DER header's length must cover all of `der`.
    const auto* p = reinterpret_cast<const uint8_t*>(der.data());
    if (der.size() < 2 || p[0] != 0x30) return nullptr;
    std::size_t header = 2;
    std::size_t length = p[1];
    if ((p[1] & 0x80) != 0) {
        const std::size_t octets = p[1] & 0x7F;
        if (octets == 0 || octets > 4 || der.size() < 2 + octets) return nullptr;
        length = 0;
        for (std::size_t i = 0; i < octets; ++i) length = (length << 8) | p[2 + i];
        header += octets;
    }
    if (header + length != der.size()) return nullptr;
    try {
        Botan::DataSource_Memory source(p, der.size());
        return std::make_shared<const DecodedCertificate>(DecodedCertificate{Botan::X509_Certificate(source)});
    } catch (const std::exception&) {
        return nullptr;
    }
}

bool read_fields(const Botan::X509_Certificate& x509, Certificate& out) {
    if (x509.subject_public_key_algo().get_oid() != kRsaOid || x509.signature_algorithm().get_oid() == kRsaPssOid) {
        return false;
    }
    try {
        std::optional<DistinguishedName> subject = ascii_name(x509.subject_dn());
        std::optional<DistinguishedName> issuer = ascii_name(x509.issuer_dn());
        out.subject = subject ? std::move(*subject) : read_name(x509.raw_subject_dn());
        out.issuer = issuer ? std::move(*issuer) : read_name(x509.raw_issuer_dn());
    } catch (const std::exception&) {
        return false;
    }
    out.serial_hex = serial_text(x509);
    const Botan::Extensions& extensions = x509.v3_extensions();
    read_san(extensions, out);
    read_eku(extensions, out);
    read_key_usage(extensions, out);
    read_crl_distribution_points(extensions, out);
    read_basic_constraints(extensions, out);
    if (const auto bits = rsa_bits(x509)) {
        out.key_algorithm = "RSA";
        out.key.type = KeyType::rsa;
        out.key.bits = *bits;
    } else {
        out.key_algorithm = kRsaOid.to_string();  // OpenSSL could not decode the key either
        out.key.bits = 0;
    }
    const SignatureNames signature = signature_names(x509.signature_algorithm().get_oid());
    out.signature_algorithm = signature.algorithm;
    out.signature_hash = signature.hash;
    out.signature_is_pss = false;
    out.not_before = time_of(x509.not_before());
    out.not_after = time_of(x509.not_after());
    out.ms_template = read_template(extensions);
    return true;
}

std::shared_ptr<const Botan::X509_Certificate> botan_certificate(const Certificate& c) {
    if (c.decoded) return std::shared_ptr<const Botan::X509_Certificate>(c.decoded, &c.decoded->x509);
    Botan::DataSource_Memory source(reinterpret_cast<const uint8_t*>(c.der.data()), c.der.size());
    return std::make_shared<const Botan::X509_Certificate>(source);
}

}  // namespace certtool::crypto
