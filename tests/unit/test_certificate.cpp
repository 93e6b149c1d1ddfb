// Certificates loaded and parsed with OpenSSL, chains validated with Botan.
// Fixtures are made at test time with the openssl CLI in a mkdtemp directory.
#include <catch2/catch.hpp>

#include "crypto_errors.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <stdexcept>
#include <vector>
#include <sstream>
#include <string>

#include "core/time.hpp"
#include "crypto/certificate.hpp"
#include "crypto/keys.hpp"
#include "names/names.hpp"

namespace {

using namespace certtool::crypto;
namespace fs = std::filesystem;

std::string read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

void write_file(const fs::path& p, const std::string& text) {
    std::ofstream out(p, std::ios::binary);
    out << text;
}

// One set of fixtures for the whole run: root -> intermediate -> leaves.
struct Pki {
    fs::path dir;
    bool ok = false;

    void run(const std::string& cmd) {
        const std::string full = "cd '" + dir.string() + "' && " + cmd + " >/dev/null 2>&1";
        if (std::system(full.c_str()) != 0) throw std::runtime_error("fixture command failed: " + cmd);
    }

    // Issues `name` from `ca` with the extension lines given.
    void leaf(const std::string& name, const std::string& keyopt, const std::string& subject, const std::string& ext,
              const std::string& ca = "int", const std::string& extra = "") {
        write_file(dir / (name + ".ext"), ext);
        run("openssl req -new -newkey " + keyopt + " -nodes -keyout " + name + ".key -subj '" + subject + "' -out " +
            name + ".csr");
        run("openssl x509 -req -in " + name + ".csr -CA " + ca + ".pem -CAkey " + ca + ".key -set_serial 0x" +
            std::to_string(1000 + name.size()) + " -sha256 -extfile " + name + ".ext " + extra + " -out " + name + ".pem");
    }

    Pki() {
        char tmpl[] = "/tmp/certtool-cert-XXXXXX";
        const char* made = mkdtemp(tmpl);
        if (made == nullptr) return;
        dir = made;
        write_file(dir / "ca.ext",
                   "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n"
                   "subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid:always\n");
        run("openssl req -x509 -newkey rsa:2048 -nodes -keyout root.key -subj '/CN=Test Root/O=Contoso' -days 3650 "
            "-sha256 -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign -out root.pem");
        run("openssl req -new -newkey rsa:2048 -nodes -keyout int.key -subj '/CN=Test Issuing CA/O=Contoso' -out int.csr");
        run("openssl x509 -req -in int.csr -CA root.pem -CAkey root.key -set_serial 2 -days 3000 -sha256 -extfile ca.ext "
            "-out int.pem");
        const std::string web =
            "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n"
            "extendedKeyUsage=serverAuth,clientAuth\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n";
        leaf("rsa", "rsa:2048",
             "/CN=pool01.contoso.com/O=Contoso Ltd/OU=IT/L=Redmond/ST=Washington/C=US",
             web + "subjectAltName=DNS:pool01.contoso.com,DNS:sip.contoso.com,IP:192.0.2.7,IP:2001:db8::1\n"
                   "crlDistributionPoints=URI:http://crl.contoso.com/int.crl\n"
                   "1.3.6.1.4.1.311.20.2=ASN1:BMPSTRING:WebServer\n",
             "int", "-days 365");
        leaf("ec", "ec -pkeyopt ec_paramgen_curve:P-256", "/CN=ec.contoso.com",
             web + "subjectAltName=DNS:ec.contoso.com\n", "int", "-days 365");
        leaf("pss", "rsa:2048", "/CN=pss.contoso.com", web + "subjectAltName=DNS:pss.contoso.com\n", "int",
             "-days 365 -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32");
        leaf("short", "rsa:2048", "/CN=short.contoso.com", web + "subjectAltName=DNS:short.contoso.com\n", "int",
             "-days 1");
        leaf("wild", "rsa:2048", "/CN=*.contoso.com", web + "subjectAltName=DNS:*.contoso.com\n", "int", "-days 365");
        leaf("client", "rsa:2048", "/CN=client.contoso.com",
             "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n"
             "subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\nsubjectAltName=DNS:client.contoso.com\n",
             "int", "-days 365");
        run("cat rsa.pem int.pem > chain.pem");
        run("openssl x509 -in rsa.pem -outform DER -out rsa.der");
        run("openssl pkcs12 -export -inkey rsa.key -in rsa.pem -certfile int.pem -passout pass:s3cret -out modern.p12");
        run("openssl pkcs12 -export -legacy -inkey rsa.key -in rsa.pem -certfile int.pem -passout pass:s3cret "
            "-out legacy.p12");
        ok = true;
    }
    ~Pki() {
        std::error_code ec;
        if (!dir.empty()) fs::remove_all(dir, ec);
    }
    std::string text(const std::string& name) const { return read_file(dir / name); }
    Certificate cert(const std::string& name) const { return load_certificates(text(name + ".pem"), std::nullopt).certificates.at(0); }
};

Pki& pki() {
    static Pki instance;
    return instance;
}


}  // namespace

TEST_CASE("certificate: RSA leaf: every field parsed", "[certificate]") {
    REQUIRE(pki().ok);
    const Certificate c = pki().cert("rsa");
    CHECK(c.subject.common_name == "pool01.contoso.com");
    CHECK(c.subject.organization == "Contoso Ltd");
    CHECK(c.subject.organizational_unit == "IT");
    CHECK(c.subject.locality == "Redmond");
    CHECK(c.subject.state == "Washington");
    CHECK(c.subject.country == "US");
    CHECK(c.issuer.common_name == "Test Issuing CA");
    CHECK(c.dns_names == std::vector<std::string>{"pool01.contoso.com", "sip.contoso.com"});
    CHECK(c.ip_addresses == std::vector<std::string>{"192.0.2.7", "2001:db8::1"});
    CHECK(c.has_eku_extension);
    CHECK(c.eku == std::vector<std::string>{"serverAuth", "clientAuth"});
    CHECK(c.has_key_usage_extension);
    CHECK(c.key_usage == std::vector<std::string>{"digitalSignature", "keyEncipherment"});
    CHECK(c.crl_distribution_points == std::vector<std::string>{"http://crl.contoso.com/int.crl"});
    CHECK_FALSE(c.is_ca);
    CHECK(c.key_algorithm == "RSA");
    CHECK(c.key.type == KeyType::rsa);
    CHECK(c.key.bits == 2048);
    CHECK(c.signature_algorithm == "sha256WithRSAEncryption");
    CHECK(c.signature_hash == "sha256");
    CHECK_FALSE(c.signature_is_pss);
    CHECK(c.serial_hex == "1003");  // -set_serial 0x1003 (1000 + strlen("rsa"))
    CHECK(c.sha256_fingerprint.size() == 64);
    CHECK(c.sha1_thumbprint.size() == 40);
    CHECK(c.sha1_thumbprint.find_first_of("ABCDEF") == std::string::npos);
    CHECK(c.ms_template == "WebServer");
    const auto days = std::chrono::duration_cast<std::chrono::hours>(c.not_after - c.not_before).count() / 24;
    CHECK(days == 365);
    CHECK(c.not_before <= std::chrono::system_clock::now());

    const PrivateKey key = load_private_key_pem(pki().text("rsa.key"), std::nullopt);
    CHECK(c.public_key_sha256 == key.public_key_sha256());
    CHECK(key_matches(key, c));
    CHECK_FALSE(key_matches(load_private_key_pem(pki().text("ec.key"), std::nullopt), c));

    const Certificate ca = pki().cert("int");
    CHECK(ca.is_ca);
    CHECK(ca.key_usage == std::vector<std::string>{"keyCertSign", "cRLSign"});
    CHECK_FALSE(ca.has_eku_extension);
}

TEST_CASE("certificate: EC and RSASSA-PSS leaves", "[certificate]") {
    REQUIRE(pki().ok);
    const Certificate ec = pki().cert("ec");
    CHECK(ec.key_algorithm == "EC");
    CHECK(ec.key.type == KeyType::ec);
    CHECK(ec.key.bits == 256);
    const Certificate pss = pki().cert("pss");
    CHECK(pss.signature_is_pss);
    CHECK(pss.signature_algorithm == "rsassaPss");
    CHECK(pss.signature_hash == "sha256");
}

TEST_CASE("certificate: formats: PEM with garbage, DER, PKCS#12, broken input", "[certificate]") {
    REQUIRE(pki().ok);
    const std::string rsa = pki().text("rsa.pem");
    const std::string intermediate = pki().text("int.pem");

    const CertificateBundle pem =
        load_certificates("junk before\n" + rsa + "\nrandom text\n" + intermediate + "trailing\n" + pki().text("rsa.key"),
                          std::nullopt);
    CHECK(pem.format == "PEM");
    REQUIRE(pem.certificates.size() == 2);
    CHECK(pem.certificates[0].subject.common_name == "pool01.contoso.com");
    CHECK(pem.certificates[1].subject.common_name == "Test Issuing CA");
    REQUIRE(pem.key.has_value());
    CHECK(key_matches(*pem.key, pem.certificates[0]));

    const std::string der = pki().text("rsa.der");
    const CertificateBundle d = load_certificates(der, std::nullopt);
    CHECK(d.format == "DER");
    CHECK(d.certificates.at(0).der == der);
    CHECK(parse_certificate_der(der).sha256_fingerprint == pem.certificates[0].sha256_fingerprint);

    CHECK(certtool::test::crypto_error_code([&] { load_certificates(der.substr(0, der.size() / 2), std::nullopt); }) == "cert.unreadable");
    CHECK(certtool::test::crypto_error_code([&] { load_certificates(rsa.substr(0, rsa.size() / 2), std::nullopt); }) == "cert.unreadable");
    CHECK(certtool::test::crypto_error_code([&] { load_certificates("-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n", std::nullopt); }) ==
          "cert.unreadable");
    CHECK(certtool::test::crypto_error_code([&] { load_certificates("hello", std::nullopt); }) == "cert.unreadable");
    CHECK(certtool::test::crypto_error_code([&] { load_certificates(pki().text("rsa.key"), std::nullopt); }) == "cert.empty");

    for (const char* file : {"modern.p12", "legacy.p12"}) {
        INFO(file);
        const std::string p12 = pki().text(file);
        const CertificateBundle b = load_certificates(p12, std::string("s3cret"));
        CHECK(b.format == "PKCS#12");
        REQUIRE(b.certificates.size() == 2);
        CHECK(b.certificates[0].subject.common_name == "pool01.contoso.com");
        CHECK(b.certificates[1].subject.common_name == "Test Issuing CA");
        REQUIRE(b.key.has_value());
        CHECK(key_matches(*b.key, b.certificates[0]));
        CHECK(certtool::test::crypto_error_code([&] { load_certificates(p12, std::string("wrong")); }) == "cert.pkcs12-password");
        CHECK(certtool::test::crypto_error_code([&] { load_certificates(p12, std::nullopt); }) == "cert.pkcs12-password");
        // Flip a byte of the MAC value (near the end, inside MacData).
        std::string broken = p12;
        broken[broken.size() - 30] = static_cast<char>(broken[broken.size() - 30] ^ 0x01);
        CHECK(certtool::test::crypto_error_code([&] { load_certificates(broken, std::string("s3cret")); }) == "cert.pkcs12-mac");
    }
}

TEST_CASE("certificate: many certificates and a long SAN list stay bounded", "[certificate]") {
    REQUIRE(pki().ok);
    const std::string one = pki().text("int.pem");
    std::string many;
    for (int i = 0; i < 1001; ++i) many += one;
    CHECK(certtool::test::crypto_error_code([&] { load_certificates(many, std::nullopt); }) == "cert.unreadable");
    std::string ok;
    for (int i = 0; i < 200; ++i) ok += one;
    CHECK(load_certificates(ok, std::nullopt).certificates.size() == 200);

    std::string san = "subjectAltName=DNS:big0.contoso.com";
    for (int i = 1; i < 3000; ++i) san += ",DNS:big" + std::to_string(i) + ".contoso.com";
    pki().leaf("big", "rsa:2048", "/CN=big0.contoso.com", "basicConstraints=CA:FALSE\n" + san + "\n", "int", "-days 30");
    const auto start = std::chrono::steady_clock::now();
    const Certificate big = pki().cert("big");
    CHECK(big.dns_names.size() == 3000);
    CHECK(big.dns_names.back() == "big2999.contoso.com");
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(2));
}

TEST_CASE("certificate: validate_chain with Botan", "[certificate]") {
    REQUIRE(pki().ok);
    const std::string root = parse_certificate_der(load_certificates(pki().text("root.pem"), std::nullopt).certificates.at(0).der).der;
    const std::string intermediate = pki().cert("int").der;
    auto request = [&](std::optional<std::string> host) {
        ValidationRequest r;
        r.trusted_der = {root};
        r.intermediates_der = {intermediate};
        r.hostname = std::move(host);
        return r;
    };

    const ValidationResult ok = validate_chain(pki().cert("rsa"), request("pool01.contoso.com"));
    INFO(ok.message);
    CHECK(ok.valid);
    CHECK(ok.code == "chain.ok");
    CHECK(ok.chain_sha256.size() == 3);
    CHECK(validate_chain(pki().cert("rsa"), request("192.0.2.7")).valid);
    CHECK(validate_chain(pki().cert("rsa"), request("2001:db8:0::1")).valid);
    CHECK(validate_chain(pki().cert("ec"), request("ec.contoso.com")).valid);
    CHECK(validate_chain(pki().cert("pss"), request("pss.contoso.com")).valid);

    ValidationRequest untrusted = request("pool01.contoso.com");
    untrusted.trusted_der.clear();
    untrusted.use_system_store = true;
    CHECK(validate_chain(pki().cert("rsa"), untrusted).code == "chain.untrusted");

    ValidationRequest later = request("short.contoso.com");
    later.at = std::chrono::system_clock::now() + std::chrono::hours(24 * 30);
    CHECK(validate_chain(pki().cert("short"), later).code == "chain.expired");
    CHECK(validate_chain(pki().cert("short"), request("short.contoso.com")).valid);

    CHECK(validate_chain(pki().cert("rsa"), request("other.contoso.com")).code == "chain.name-mismatch");
    CHECK(validate_chain(pki().cert("wild"), request("web.contoso.com")).valid);
    CHECK(validate_chain(pki().cert("wild"), request("a.web.contoso.com")).code == "chain.name-mismatch");
    CHECK(validate_chain(pki().cert("wild"), request("contoso.com")).code == "chain.name-mismatch");

    CHECK(validate_chain(pki().cert("client"), request("client.contoso.com")).code == "chain.eku");
    ValidationRequest any_use = request("client.contoso.com");
    any_use.require_server_auth = false;
    CHECK(validate_chain(pki().cert("client"), any_use).valid);

    ValidationRequest shallow = request("pool01.contoso.com");
    shallow.max_chain_depth = 0;
    CHECK_FALSE(validate_chain(pki().cert("rsa"), shallow).valid);
}

TEST_CASE("certificate: a validity far in the future or the past is clamped to 1950..2200, never overflowed", "[certificate]") {
    // Found by fuzz_certificate: "valid forever" (GeneralizedTime 9999-12-31) overflowed the nanosecond TimePoint.
    REQUIRE(pki().ok);
    pki().run("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout forever.key "
              "-subj /CN=forever.contoso.com -addext subjectAltName=DNS:forever.contoso.com -days 2900000 -out forever.pem");
    const Certificate forever = pki().cert("forever");  // valid until the year 9966
    CHECK(forever.not_after == *certtool::parse_utc("2200-01-01"));
    CHECK(forever.not_before < forever.not_after);

    CHECK(certtool::parse_utc("9999-12-31T23:59:59Z") == certtool::parse_utc("2200-01-01"));
    CHECK(certtool::parse_utc("0000-01-01") == certtool::parse_utc("1950-01-01"));
    CHECK(certtool::format_date(*certtool::parse_utc("2262-04-12")) == "2200-01-01");
    CHECK(certtool::whole_days_left(*certtool::parse_utc("0001-01-01"), *certtool::parse_utc("9999-12-31")) == 91311);
    CHECK(certtool::time_point_of(0) == std::chrono::system_clock::from_time_t(0));
}

TEST_CASE("certificate: validate_chain refuses a keyUsage without a bit and a malformed authorityInfoAccess", "[certificate]") {
    // x509-limbo rfc5280::root-inconsistent-ca-extensions and webpki::malformed-aia,
    // which Botan 2 takes for no keyUsage and for an extension it skips.
    REQUIRE(pki().ok);
    const std::string base =
        "basicConstraints=critical,CA:FALSE\nextendedKeyUsage=serverAuth\nsubjectKeyIdentifier=hash\n"
        "authorityKeyIdentifier=keyid\nsubjectAltName=DNS:profile.contoso.com\n";
    pki().leaf("ku-empty", "rsa:2048", "/CN=profile.contoso.com", base + "keyUsage=DER:03:01:00\n", "int", "-days 365");
    pki().leaf("aia-bad", "rsa:2048", "/CN=profile.contoso.com",
               base + "keyUsage=critical,digitalSignature\nauthorityInfoAccess=DER:6d:61:6c:66:6f:72:6d:65:64\n", "int", "-days 365");
    pki().leaf("aia-good", "rsa:2048", "/CN=profile.contoso.com",
               base + "keyUsage=critical,digitalSignature\n"
                      "authorityInfoAccess=caIssuers;URI:http://pki.contoso.com/int.crt,OCSP;URI:http://ocsp.contoso.com\n",
               "int", "-days 365");
    ValidationRequest r;
    r.trusted_der = {pki().cert("root").der};
    r.intermediates_der = {pki().cert("int").der};
    r.hostname = "profile.contoso.com";

    const ValidationResult empty_usage = validate_chain(pki().cert("ku-empty"), r);
    INFO(empty_usage.message);
    CHECK(empty_usage.code == "chain.key-usage");
    const ValidationResult bad_aia = validate_chain(pki().cert("aia-bad"), r);
    INFO(bad_aia.message);
    CHECK(bad_aia.code == "chain.invalid");
    CHECK(bad_aia.message.find("authorityInfoAccess") != std::string::npos);
    CHECK(validate_chain(pki().cert("aia-good"), r).valid);
}

TEST_CASE("certificate: a wildcard over an ICANN suffix is refused, one over a private suffix matches nothing under it",
          "[certificate]") {
    // x509-limbo online::s3.amazonaws.com (valid for s3.amazonaws.com itself)
    // and webpki::san::public-suffix-private-namespace-wildcard-san.
    REQUIRE(pki().ok);
    const std::string base =
        "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n"
        "subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n";
    pki().leaf("s3", "rsa:2048", "/CN=s3.amazonaws.com", base + "subjectAltName=DNS:s3.amazonaws.com,DNS:*.s3.amazonaws.com\n",
               "int", "-days 365");
    pki().leaf("couk", "rsa:2048", "/CN=contoso.co.uk", base + "subjectAltName=DNS:contoso.co.uk,DNS:*.co.uk\n", "int",
               "-days 365");
    auto check = [&](const std::string& cert, const std::string& host) {
        ValidationRequest r;
        r.trusted_der = {pki().cert("root").der};
        r.intermediates_der = {pki().cert("int").der};
        r.hostname = host;
        return validate_chain(pki().cert(cert), r).code;
    };
    CHECK(check("couk", "contoso.co.uk") == "chain.invalid");
    if (certtool::names::public_suffix_section("s3.amazonaws.com") != certtool::names::SuffixSection::private_domains) {
        WARN("the Public Suffix List in use lacks s3.amazonaws.com: " << certtool::names::public_suffix_list_source());
        return;
    }
    CHECK(check("s3", "s3.amazonaws.com") == "chain.ok");
    CHECK(check("s3", "bucket.s3.amazonaws.com") == "chain.name-mismatch");
}

TEST_CASE("certificate: one decode (Botan) reads every field as OpenSSL read it, and is kept for validate_chain",
          "[certificate]") {
    REQUIRE(pki().ok);
    pki().run("openssl req -x509 -newkey rsa:3072 -nodes -keyout odd.key -utf8 -sha384 -set_serial -12345 "
              "-subj '/CN=p\xc3\xb6\xc3\xb6l.contoso.com/O=Cont\xc3\xb6so/OU=\xe6\x97\xa5\xe6\x9c\xac/C=CH' "
              "-addext 'subjectAltName=DNS:a.contoso.com,IP:2001:db8:0:0:0:0:0:5,URI:http://contoso.com,DNS:b.contoso.com' "
              "-addext 'basicConstraints=critical,CA:TRUE,pathlen:0' "
              "-addext 'extendedKeyUsage=serverAuth,1.3.6.1.4.1.311.10.3.12' "
              "-addext 'crlDistributionPoints=URI:http://crl.contoso.com/a.crl,URI:ldap://dc01/contoso' "
              "-addext '1.3.6.1.4.1.311.21.7=DER:30:0a:06:08:2b:06:01:04:01:82:37:15' -out odd.pem");
    const Certificate c = pki().cert("odd");
    CHECK(c.subject.common_name == "p\xc3\xb6\xc3\xb6l.contoso.com");
    CHECK(c.subject.organization == "Cont\xc3\xb6so");
    CHECK(c.subject.organizational_unit == "\xe6\x97\xa5\xe6\x9c\xac");
    CHECK(c.issuer.country == "CH");
    CHECK(c.serial_hex == "-3039");
    CHECK(c.dns_names == std::vector<std::string>{"a.contoso.com", "b.contoso.com"});
    CHECK(c.ip_addresses == std::vector<std::string>{"2001:db8::5"});
    CHECK(c.is_ca);
    CHECK(c.eku == std::vector<std::string>{"serverAuth", "1.3.6.1.4.1.311.10.3.12"});
    CHECK_FALSE(c.has_key_usage_extension);
    CHECK(c.crl_distribution_points == std::vector<std::string>{"http://crl.contoso.com/a.crl", "ldap://dc01/contoso"});
    CHECK(c.key.bits == 3072);
    CHECK(c.signature_algorithm == "sha384WithRSAEncryption");
    CHECK(c.signature_hash == "sha384");
    CHECK(c.ms_template == "1.3.6.1.4.1.311.21");
    CHECK(c.public_key_sha256 == load_private_key_pem(pki().text("odd.key"), std::nullopt).public_key_sha256());
    CHECK(c.decoded != nullptr);

    // What Botan cannot decode (a notAfter in the year 9999) is read by OpenSSL, as before.
    const std::string forever = read_file(std::string(CERTTOOL_SOURCE_DIR) + "/tests/fuzz/corpus/certificate/regress-not-after-9999.der");
    const Certificate late = parse_certificate_der(forever);
    CHECK(late.decoded == nullptr);
    CHECK(late.not_after == *certtool::parse_utc("2200-01-01"));
}
