// lib/crypto: keys, PKCS#8, CSRs built with OpenSSL and read back with Botan,
// and interop with the openssl and GnuTLS certtool command-line programs.
#include <catch2/catch.hpp>

#include "bytes.hpp"
#include "shell.hpp"

#include "crypto_errors.hpp"

#include "temp_dir.hpp"

#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "crypto/csr.hpp"
#include "crypto/keys.hpp"

using namespace certtool::crypto;

namespace {

using certtool::test::base64_decode;
using certtool::test::TempDir;

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

using Output = certtool::test::ShellOutput;
Output run(const std::string& command) { return certtool::test::run_shell(command); }

bool contains(const std::string& haystack, const std::string& needle) {
    return haystack.find(needle) != std::string::npos;
}

// GnuTLS's certtool (not ours, which has the same name): /usr/bin first,
// then PATH; only a program whose --help says GnuTLS counts.
std::optional<std::string> gnutls_certtool() {
    std::vector<std::string> candidates{"/usr/bin/certtool"};
    if (const char* path = std::getenv("PATH")) {
        std::stringstream dirs(path);
        std::string dir;
        while (std::getline(dirs, dir, ':')) {
            if (!dir.empty()) candidates.push_back(dir + "/certtool");
        }
    }
    for (const std::string& c : candidates) {
        if (access(c.c_str(), X_OK) != 0) continue;
        if (contains(run(c + " --help").text, "GnuTLS")) return c;
    }
    return std::nullopt;
}

// The DER inside a PEM block.
std::string pem_to_der(const std::string& pem) {
    const auto begin = pem.find("-----\n");
    const auto end = pem.find("-----END");
    REQUIRE(begin != std::string::npos);
    REQUIRE(end != std::string::npos);
    return base64_decode(pem.substr(begin + 6, end - begin - 6));
}

bool is_hex64(const std::string& s) {
    return s.size() == 64 && s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

// One RSA 2048 key shared by the CSR tests (generation is the slow part).
const PrivateKey& shared_rsa_key() {
    static const PrivateKey key = generate_key({KeyType::rsa, 2048});
    return key;
}

CsrRequest lync_request() {
    CsrRequest r;
    r.subject.common_name = "pool01.contoso.com";
    r.subject.organization = "Contoso Bücher Ltd";
    r.subject.organizational_unit = "IT";
    r.subject.locality = "Redmond";
    r.subject.state = "Washington";
    r.subject.country = "US";
    // Deliberately not alphabetical.
    r.dns_names = {"sip.contoso.com", "pool01.contoso.com", "lyncdiscover.contoso.com"};
    r.eku = {"serverAuth", "clientAuth"};
    r.key_usage = {"digitalSignature", "keyEncipherment"};
    r.ms_template = "WebServer";
    return r;
}


}  // namespace

TEST_CASE("crypto: RSA 2048 key generation", "[crypto]") {
    const PrivateKey a = generate_key({KeyType::rsa, 2048});
    const PrivateKey b = generate_key({KeyType::rsa, 2048});
    CHECK(a.params().type == KeyType::rsa);
    CHECK(a.params().bits == 2048);
    const std::string hash = a.public_key_sha256();
    CHECK(is_hex64(hash));
    CHECK(a.public_key_sha256() == hash);
    CHECK(b.public_key_sha256() != hash);
}

TEST_CASE("crypto: EC P-256 and P-384 key generation", "[crypto]") {
    for (int bits : {256, 384}) {
        INFO("bits " << bits);
        const PrivateKey a = generate_key({KeyType::ec, bits});
        const PrivateKey b = generate_key({KeyType::ec, bits});
        CHECK(a.params().type == KeyType::ec);
        CHECK(a.params().bits == bits);
        CHECK(is_hex64(a.public_key_sha256()));
        CHECK(a.public_key_sha256() == a.public_key_sha256());
        CHECK(a.public_key_sha256() != b.public_key_sha256());
    }
}

TEST_CASE("crypto: bad key parameters and empty keys are refused", "[crypto]") {
    CHECK(certtool::test::crypto_error_code([] { (void)generate_key({KeyType::ec, 255}); }) == "key.params");
    CHECK(certtool::test::crypto_error_code([] { (void)generate_key({KeyType::rsa, 512}); }) == "key.params");
    PrivateKey empty;
    CHECK(certtool::test::crypto_error_code([&] { (void)empty.params(); }) == "key.empty");
    PrivateKey moved = generate_key({KeyType::ec, 256});
    PrivateKey target = std::move(moved);
    CHECK(target.params().bits == 256);
    CHECK(certtool::test::crypto_error_code([&] { (void)to_pkcs8_pem(moved, std::nullopt); }) == "key.empty");  // NOLINT(bugprone-use-after-move)
}

TEST_CASE("crypto: PKCS#8 round trip, plain and encrypted", "[crypto]") {
    const PrivateKey& key = shared_rsa_key();
    const PrivateKey ec = generate_key({KeyType::ec, 384});

    SECTION("plain") {
        for (const PrivateKey* k : {&key, &ec}) {
            const std::string pem = to_pkcs8_pem(*k, std::nullopt);
            CHECK(contains(pem, "-----BEGIN PRIVATE KEY-----"));
            const PrivateKey back = load_private_key_pem(pem, std::nullopt);
            CHECK(back.public_key_sha256() == k->public_key_sha256());
            CHECK(back.params().type == k->params().type);
            CHECK(back.params().bits == k->params().bits);
            // A passphrase given for a plain key is not needed and does no harm.
            CHECK(load_private_key_pem(pem, std::string("unused")).public_key_sha256() == k->public_key_sha256());
        }
    }
    SECTION("encrypted") {
        const std::string pass = "Correct-Horse-Battery-Staple-2013";
        const std::string pem = to_pkcs8_pem(key, pass);
        CHECK(contains(pem, "-----BEGIN ENCRYPTED PRIVATE KEY-----"));
        CHECK_FALSE(contains(pem, pass));
        CHECK(load_private_key_pem(pem, pass).public_key_sha256() == key.public_key_sha256());

        CHECK(certtool::test::crypto_error_code([&] { (void)load_private_key_pem(pem, std::nullopt); }) == "key.encrypted");
        CHECK(certtool::test::crypto_error_code([&] { (void)load_private_key_pem(pem, std::string("wrong-passphrase")); }) ==
              "key.wrong-passphrase");
        // A message never repeats the passphrase.
        try {
            (void)load_private_key_pem(pem, std::string("wrong-passphrase"));
        } catch (const CryptoError& e) {
            CHECK_FALSE(contains(e.what(), "wrong-passphrase"));
        }
        const std::string ec_pem = to_pkcs8_pem(ec, pass);
        CHECK(load_private_key_pem(ec_pem, pass).public_key_sha256() == ec.public_key_sha256());
    }
    SECTION("not a key") {
        CHECK(certtool::test::crypto_error_code([] { (void)load_private_key_pem("garbage, not PEM at all", std::nullopt); }) ==
              "key.not-a-key");
        CHECK(certtool::test::crypto_error_code([] { (void)load_private_key_pem("", std::string("x")); }) == "key.not-a-key");
        const std::string csr = make_csr_pem(key, lync_request());
        CHECK(certtool::test::crypto_error_code([&] { (void)load_private_key_pem(csr, std::nullopt); }) == "key.not-a-key");
    }
    SECTION("empty passphrase is refused") {
        CHECK(certtool::test::crypto_error_code([&] { (void)to_pkcs8_pem(key, std::string()); }) == "key.empty-passphrase");
    }
}

TEST_CASE("crypto: CSR read back by Botan matches the request", "[crypto]") {
    const PrivateKey& key = shared_rsa_key();
    const CsrRequest request = lync_request();
    const std::string pem = make_csr_pem(key, request);
    CHECK(contains(pem, "-----BEGIN CERTIFICATE REQUEST-----"));

    const ParsedCsr parsed = parse_csr_independently(pem);
    CHECK(parsed.signature_valid);
    CHECK(parsed.signature_algorithm == "RSA/EMSA3(SHA-256)");
    CHECK(parsed.subject.common_name == request.subject.common_name);
    CHECK(parsed.subject.organization == request.subject.organization);
    CHECK(parsed.subject.organizational_unit == request.subject.organizational_unit);
    CHECK(parsed.subject.locality == request.subject.locality);
    CHECK(parsed.subject.state == request.subject.state);
    CHECK(parsed.subject.country == request.subject.country);
    CHECK(parsed.dns_names == request.dns_names);
    CHECK(parsed.eku == std::vector<std::string>{"serverAuth", "clientAuth"});
    CHECK(parsed.key_usage == std::vector<std::string>{"digitalSignature", "keyEncipherment"});
    REQUIRE(parsed.ms_template.has_value());
    CHECK(*parsed.ms_template == "WebServer");
    CHECK(parsed.public_key_sha256 == key.public_key_sha256());

    // DER is accepted too.
    const std::string der = pem_to_der(pem);
    CHECK(parse_csr_independently(der).dns_names == request.dns_names);

    SECTION("a duplicated SAN entry is reported as it is encoded") {
        CsrRequest dup = request;
        dup.dns_names = {"b.contoso.com", "a.contoso.com", "b.contoso.com"};
        CHECK(parse_csr_independently(make_csr_pem(key, dup)).dns_names == dup.dns_names);
    }
    SECTION("minimal request: no extensions, empty fields skipped") {
        CsrRequest minimal;
        minimal.subject.common_name = "edge.contoso.com";
        const ParsedCsr p = parse_csr_independently(make_csr_pem(key, minimal));
        CHECK(p.signature_valid);
        CHECK(p.subject.common_name == "edge.contoso.com");
        CHECK(p.subject.organization.empty());
        CHECK(p.subject.country.empty());
        CHECK(p.dns_names.empty());
        CHECK(p.eku.empty());
        CHECK(p.key_usage.empty());
        CHECK_FALSE(p.ms_template.has_value());
    }
}

TEST_CASE("crypto: a tampered CSR signature is rejected by Botan with csr.invalid", "[crypto]") {
    const std::string pem = make_csr_pem(shared_rsa_key(), lync_request());
    std::string der = pem_to_der(pem);
    REQUIRE(parse_csr_independently(der).signature_valid);
    // The signature BIT STRING is the last element of the DER: flip its last byte.
    der.back() = static_cast<char>(der.back() ^ 0x01);
    // Botan 2 checks the self-signature while decoding a PKCS#10 request and
    // throws, so a bad signature never comes back as signature_valid=false.
    CHECK(certtool::test::crypto_error_code([&] { (void)parse_csr_independently(der); }) == "csr.invalid");
    CHECK(certtool::test::crypto_error_code([] { (void)parse_csr_independently("not a CSR"); }) == "csr.invalid");
    CHECK(certtool::test::crypto_error_code([] { (void)parse_csr_independently(""); }) == "csr.invalid");
}

TEST_CASE("crypto: signature hashes and ECDSA", "[crypto]") {
    const PrivateKey& key = shared_rsa_key();
    CsrRequest request = lync_request();

    request.signature_hash = "sha384";
    CHECK(parse_csr_independently(make_csr_pem(key, request)).signature_algorithm == "RSA/EMSA3(SHA-384)");
    request.signature_hash = "sha512";
    CHECK(parse_csr_independently(make_csr_pem(key, request)).signature_algorithm == "RSA/EMSA3(SHA-512)");
    request.signature_hash = "sha1";
    CHECK(parse_csr_independently(make_csr_pem(key, request)).signature_algorithm == "RSA/EMSA3(SHA-160)");

    request.signature_hash = "md5";
    CHECK(certtool::test::crypto_error_code([&] { (void)make_csr_pem(key, request); }) == "csr.build");
    request.signature_hash = "sha256-pss";
    CHECK(certtool::test::crypto_error_code([&] { (void)make_csr_pem(key, request); }) == "csr.build");

    request.signature_hash = "sha256";
    const PrivateKey ec = generate_key({KeyType::ec, 256});
    const ParsedCsr p = parse_csr_independently(make_csr_pem(ec, request));
    CHECK(p.signature_valid);
    CHECK(p.signature_algorithm == "ECDSA/EMSA1(SHA-256)");
    CHECK(p.public_key_sha256 == ec.public_key_sha256());
}

TEST_CASE("crypto: bad CSR input gives csr.build", "[crypto]") {
    const PrivateKey& key = shared_rsa_key();
    CsrRequest request = lync_request();
    request.eku = {"codeSigningPlease"};
    CHECK(certtool::test::crypto_error_code([&] { (void)make_csr_pem(key, request); }) == "csr.build");
    request = lync_request();
    request.key_usage = {"everything"};
    CHECK(certtool::test::crypto_error_code([&] { (void)make_csr_pem(key, request); }) == "csr.build");
    request = lync_request();
    request.subject.country = "USA";  // countryName is two letters
    CHECK(certtool::test::crypto_error_code([&] { (void)make_csr_pem(key, request); }) == "csr.build");
    request = lync_request();
    request.dns_names = {"bücher.contoso.com"};  // must be the A-label
    CHECK(certtool::test::crypto_error_code([&] { (void)make_csr_pem(key, request); }) == "csr.build");
    PrivateKey empty;
    CHECK(certtool::test::crypto_error_code([&] { (void)make_csr_pem(empty, lync_request()); }) == "key.empty");
}

TEST_CASE("crypto: CSRs and keys interoperate with the openssl CLI", "[crypto]") {
    const TempDir dir;
    const PrivateKey& key = shared_rsa_key();
    const CsrRequest request = lync_request();

    SECTION("RSA sha256 CSR") {
        const std::string f = dir.file("rsa.csr", make_csr_pem(key, request));
        const Output verify = run("openssl req -in " + f + " -noout -verify");
        INFO(verify.text);
        CHECK(verify.status == 0);
        CHECK(contains(verify.text, "verify OK"));

        const Output text = run("openssl req -in " + f + " -noout -text");
        INFO(text.text);
        REQUIRE(text.status == 0);
        CHECK(contains(text.text, "DNS:sip.contoso.com, DNS:pool01.contoso.com, DNS:lyncdiscover.contoso.com"));
        CHECK(contains(text.text, "TLS Web Server Authentication, TLS Web Client Authentication"));
        CHECK(contains(text.text, "Signature Algorithm: sha256WithRSAEncryption"));
        CHECK_FALSE(contains(text.text, "rsassaPss"));
        CHECK(contains(text.text, "X509v3 Key Usage: critical"));
        CHECK(contains(text.text, "Digital Signature, Key Encipherment"));
        CHECK(contains(text.text, "1.3.6.1.4.1.311.20.2"));
        CHECK(contains(text.text, "Version: 1 (0x0)"));
        CHECK(contains(text.text, "CN = pool01.contoso.com"));

        // String types: PrintableString for the country, UTF8String elsewhere.
        const Output asn1 = run("openssl asn1parse -in " + f);
        INFO(asn1.text);
        CHECK(contains(asn1.text, "PRINTABLESTRING   :US"));
        CHECK(contains(asn1.text, "UTF8STRING        :pool01.contoso.com"));
        CHECK(contains(asn1.text, "UTF8STRING        :Redmond"));

        // The SPKI hash as the openssl CLI computes it.
        const Output spki = run("openssl req -in " + f + " -noout -pubkey | openssl pkey -pubin -outform DER | "
                                "openssl dgst -sha256 -r");
        INFO(spki.text);
        CHECK(spki.text.rfind(key.public_key_sha256(), 0) == 0);
    }
    SECTION("RSA sha384 CSR") {
        CsrRequest r = request;
        r.signature_hash = "sha384";
        const std::string f = dir.file("rsa384.csr", make_csr_pem(key, r));
        CHECK(run("openssl req -in " + f + " -noout -verify").status == 0);
        const Output text = run("openssl req -in " + f + " -noout -text");
        INFO(text.text);
        CHECK(contains(text.text, "Signature Algorithm: sha384WithRSAEncryption"));
        CHECK_FALSE(contains(text.text, "rsassaPss"));
    }
    SECTION("ECDSA CSR") {
        const PrivateKey ec = generate_key({KeyType::ec, 256});
        const std::string f = dir.file("ec.csr", make_csr_pem(ec, request));
        const Output verify = run("openssl req -in " + f + " -noout -verify");
        INFO(verify.text);
        CHECK(verify.status == 0);
        const Output text = run("openssl req -in " + f + " -noout -text");
        INFO(text.text);
        CHECK(contains(text.text, "Signature Algorithm: ecdsa-with-SHA256"));
        CHECK(contains(text.text, "ASN1 OID: prime256v1"));
    }
    SECTION("tampered DER fails openssl -verify too") {
        std::string der = pem_to_der(make_csr_pem(key, request));
        der.back() = static_cast<char>(der.back() ^ 0x01);
        const std::string f = dir.file("bad.der", der);
        // OpenSSL 3.0's "req -verify" exits 0 even when the signature does not
        // verify, so the verdict is read from its message.
        const Output verify = run("openssl req -inform DER -in " + f + " -noout -verify");
        INFO(verify.text);
        CHECK(contains(verify.text, "verify failure"));
        CHECK_FALSE(contains(verify.text, "verify OK"));
    }
    SECTION("encrypted PKCS#8 is PBES2 / PBKDF2 hmacWithSHA256 / AES-256-CBC and openssl reads it") {
        const std::string pass = "interop-pass-2013";
        const std::string key_file = dir.file("enc.pem", to_pkcs8_pem(key, pass));
        const std::string pass_file = dir.file("pass.txt", pass + "\n");
        const Output asn1 = run("openssl asn1parse -in " + key_file);
        INFO(asn1.text);
        CHECK(contains(asn1.text, "PBES2"));
        CHECK(contains(asn1.text, "PBKDF2"));
        CHECK(contains(asn1.text, "hmacWithSHA256"));
        CHECK(contains(asn1.text, "aes-256-cbc"));
        const std::string pub = dir.path("pub.pem");
        CHECK(run("openssl pkey -in " + key_file + " -passin file:" + pass_file + " -pubout -out " + pub).status == 0);
        // A public key is not a private key.
        CHECK(certtool::test::crypto_error_code([&] { (void)load_private_key_pem(slurp(pub), std::nullopt); }) == "key.not-a-key");
    }
    SECTION("traditional PEM keys written by openssl load") {
        const std::string plain = dir.file("plain.pem", to_pkcs8_pem(key, std::nullopt));
        const std::string trad = dir.path("trad.pem");
        REQUIRE(run("openssl pkey -in " + plain + " -traditional -out " + trad).status == 0);
        const std::string trad_text = slurp(trad);
        CHECK(contains(trad_text, "BEGIN RSA PRIVATE KEY"));
        CHECK(load_private_key_pem(trad_text, std::nullopt).public_key_sha256() == key.public_key_sha256());

        const std::string trad_enc = dir.path("trad-enc.pem");
        REQUIRE(run("openssl rsa -in " + plain + " -traditional -aes256 -passout pass:tradpass -out " + trad_enc)
                    .status == 0);
        const std::string enc_text = slurp(trad_enc);
        CHECK(contains(enc_text, "Proc-Type: 4,ENCRYPTED"));
        CHECK(load_private_key_pem(enc_text, std::string("tradpass")).public_key_sha256() == key.public_key_sha256());
        CHECK(certtool::test::crypto_error_code([&] { (void)load_private_key_pem(enc_text, std::nullopt); }) == "key.encrypted");
        CHECK(certtool::test::crypto_error_code([&] { (void)load_private_key_pem(enc_text, std::string("nope")); }) ==
              "key.wrong-passphrase");

        const std::string ec_file = dir.path("ec-trad.pem");
        REQUIRE(run("openssl ecparam -name secp384r1 -genkey -noout -out " + ec_file).status == 0);
        const std::string ec_text = slurp(ec_file);
        CHECK(contains(ec_text, "BEGIN EC PRIVATE KEY"));
        const PrivateKey ec = load_private_key_pem(ec_text, std::nullopt);
        CHECK(ec.params().type == KeyType::ec);
        CHECK(ec.params().bits == 384);
    }
}

TEST_CASE("crypto: CSRs interoperate with GnuTLS certtool", "[crypto]") {
    const std::optional<std::string> gnutls = gnutls_certtool();
    if (!gnutls) {
        WARN("GnuTLS certtool (package gnutls-bin) not found: skipping the GnuTLS interop checks");
        return;
    }
    const TempDir dir;
    const CsrRequest request = lync_request();
    const PrivateKey ec = generate_key({KeyType::ec, 384});
    for (const PrivateKey* key : {&shared_rsa_key(), &ec}) {
        const std::string f = dir.file("req.csr", make_csr_pem(*key, request));
        const Output info = run(*gnutls + " --crq-info --infile " + f);
        INFO(info.text);
        CHECK(info.status == 0);
        for (const std::string& dns : request.dns_names) CHECK(contains(info.text, "DNSname: " + dns));
        // RFC 4514 order is the reverse of the encoding order C, ST, L, O, OU, CN.
        CHECK(contains(info.text,
                       "Subject: CN=pool01.contoso.com,OU=IT,O=Contoso Bücher Ltd,L=Redmond,ST=Washington,C=US"));
        CHECK(contains(info.text, "Self signature: verified"));
        CHECK(contains(info.text, "Digital signature."));
        CHECK(contains(info.text, "TLS WWW Server."));
        // GnuTLS's key ID is the SHA-256 of the SubjectPublicKeyInfo too.
        CHECK(contains(info.text, "sha256:" + key->public_key_sha256()));
        // The template extension value is the DER BMPString "WebServer".
        CHECK(contains(info.text, "1e12005700650062005300650072007600650072"));
    }
}

TEST_CASE("crypto: four keys generated on four threads at once", "[crypto]") {
    const std::vector<KeyParams> wanted{{KeyType::rsa, 2048}, {KeyType::ec, 256}, {KeyType::rsa, 2048}, {KeyType::ec, 521}};
    std::vector<std::string> hashes(wanted.size());
    std::vector<KeyParams> got(wanted.size());
    std::vector<std::string> errors(wanted.size());
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < wanted.size(); ++i) {
        threads.emplace_back([&, i] {
            try {
                const PrivateKey k = generate_key(wanted[i]);
                got[i] = k.params();
                hashes[i] = k.public_key_sha256();
                const ParsedCsr p = parse_csr_independently(make_csr_pem(k, lync_request()));
                if (p.public_key_sha256 != hashes[i]) errors[i] = "CSR public key differs";
            } catch (const std::exception& e) {
                errors[i] = e.what();
            }
        });
    }
    for (auto& t : threads) t.join();
    for (std::size_t i = 0; i < wanted.size(); ++i) {
        INFO("thread " << i);
        CHECK(errors[i].empty());
        CHECK(got[i].type == wanted[i].type);
        CHECK(got[i].bits == wanted[i].bits);
        CHECK(is_hex64(hashes[i]));
    }
    CHECK(std::set<std::string>(hashes.begin(), hashes.end()).size() == hashes.size());
}
