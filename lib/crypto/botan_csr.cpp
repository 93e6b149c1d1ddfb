// Reads a PKCS#10 request back with Botan 2, an implementation independent of
// the OpenSSL code that built it.
#include <botan/asn1_obj.h>
#include <botan/ber_dec.h>
#include <botan/data_src.h>
#include <botan/exceptn.h>
#include <botan/pk_keys.h>
#include <botan/pkcs10.h>
#include <botan/pkix_enums.h>
#include <botan/pkix_types.h>
#include <botan/pubkey.h>
#include <botan/x509_ext.h>

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>

#include "crypto/csr.hpp"
#include "crypto/digest.hpp"

namespace certtool::crypto {

namespace {

const Botan::OID kSanOid("2.5.29.17");
const Botan::OID kTemplateOid("1.3.6.1.4.1.311.20.2");

// The dNSName entries of a subjectAltName extension value, in encoding
// order. Botan's AlternativeName keeps them in a multimap that drops
// duplicates, so the order and count are taken from the DER itself.
std::vector<std::string> san_dns_names(const std::vector<uint8_t>& extension_value) {
    std::vector<std::string> names;
    Botan::BER_Decoder outer(extension_value);
    Botan::BER_Decoder seq = outer.start_cons(Botan::SEQUENCE, Botan::UNIVERSAL);
    while (seq.more_items()) {
        const Botan::BER_Object obj = seq.get_next_object();
        if (obj.is_a(2, Botan::CONTEXT_SPECIFIC)) {  // dNSName [2] IMPLICIT IA5String
            names.emplace_back(reinterpret_cast<const char*>(obj.bits()), obj.length());
        }
    }
    seq.end_cons();
    outer.verify_end();
    return names;
}

std::string template_name(const std::vector<uint8_t>& extension_value) {
    Botan::ASN1_String name;
    Botan::BER_Decoder(extension_value).decode(name).verify_end();
    return name.value();
}

std::string eku_name(const Botan::OID& oid) {
    const std::string dotted = oid.to_string();
    if (dotted == "1.3.6.1.5.5.7.3.1") return "serverAuth";
    if (dotted == "1.3.6.1.5.5.7.3.2") return "clientAuth";
    return dotted;
}

std::vector<std::string> key_usage_names(Botan::Key_Constraints constraints) {
    static const std::array<std::pair<Botan::Key_Constraints, const char*>, 9> kNames{{
        {Botan::DIGITAL_SIGNATURE, "digitalSignature"},
        {Botan::NON_REPUDIATION, "nonRepudiation"},
        {Botan::KEY_ENCIPHERMENT, "keyEncipherment"},
        {Botan::DATA_ENCIPHERMENT, "dataEncipherment"},
        {Botan::KEY_AGREEMENT, "keyAgreement"},
        {Botan::KEY_CERT_SIGN, "keyCertSign"},
        {Botan::CRL_SIGN, "cRLSign"},
        {Botan::ENCIPHER_ONLY, "encipherOnly"},
        {Botan::DECIPHER_ONLY, "decipherOnly"},
    }};
    std::vector<std::string> out;
    for (const auto& [bit, name] : kNames) {
        if ((constraints & bit) != 0) out.emplace_back(name);
    }
    return out;
}

}  // namespace

ParsedCsr parse_csr_independently(std::string_view csr) {
    try {
        Botan::DataSource_Memory source(reinterpret_cast<const uint8_t*>(csr.data()), csr.size());
        Botan::PKCS10_Request request(source);

        ParsedCsr out;
        const std::unique_ptr<Botan::Public_Key> public_key(request.subject_public_key());
        out.signature_valid = public_key && request.check_signature(*public_key);
        out.signature_algorithm = request.signature_algorithm().get_oid().to_formatted_string();

        const Botan::X509_DN& dn = request.subject_dn();
        out.subject.common_name = dn.get_first_attribute("CN");
        out.subject.organization = dn.get_first_attribute("O");
        out.subject.organizational_unit = dn.get_first_attribute("OU");
        out.subject.locality = dn.get_first_attribute("L");
        out.subject.state = dn.get_first_attribute("ST");
        out.subject.country = dn.get_first_attribute("C");

        const Botan::Extensions& extensions = request.extensions();
        if (extensions.extension_set(kSanOid)) {
            out.dns_names = san_dns_names(extensions.get_extension_bits(kSanOid));
        }
        for (const Botan::OID& oid : request.ex_constraints()) out.eku.push_back(eku_name(oid));
        out.key_usage = key_usage_names(request.constraints());
        if (extensions.extension_set(kTemplateOid)) {
            out.ms_template = template_name(extensions.get_extension_bits(kTemplateOid));
        }

        // raw_public_key() is the DER SubjectPublicKeyInfo as it appears in the request.
        const std::vector<uint8_t>& spki = request.raw_public_key();
        out.public_key_sha256 = sha256_hex(std::string_view(reinterpret_cast<const char*>(spki.data()), spki.size()));
        return out;
    } catch (const CryptoError&) {
        throw;
    } catch (const std::exception& e) {
        // Botan::Exception and the standard exceptions it lets through.
        throw CryptoError("csr.invalid", std::string("the certificate request cannot be read: ") + e.what());
    }
}

}  // namespace certtool::crypto
