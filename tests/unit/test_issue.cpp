// lib/crypto/issue: CA and leaf certificates and CRLs built with OpenSSL,
// checked by the openssl CLI, GnuTLS certtool and Botan (validate_chain).
#include <catch2/catch.hpp>

#include "shell.hpp"

#include "crypto_errors.hpp"
#include "temp_dir.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include "crypto/certificate.hpp"
#include "crypto/csr.hpp"
#include "crypto/issue.hpp"
#include "crypto/keys.hpp"

using namespace certtool::crypto;
using certtool::test::crypto_error_code;
using certtool::test::TempDir;

namespace {

using namespace std::chrono_literals;

constexpr const char* kGnutlsCerttool = "/usr/bin/certtool";  // not ours, which has the same name

using Output = certtool::test::ShellOutput;
Output run(const std::string& command) { return certtool::test::run_shell(command); }

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

bool contains(const std::string& haystack, const std::string& needle) { return haystack.find(needle) != std::string::npos; }

std::string upper(std::string s) {
    for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
}

// Whole seconds: what a certificate can hold.
TimePoint now() { return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()); }

// Generated once: RSA key generation is the slow part of these tests.
struct Keys {
    PrivateKey root_rsa = generate_key({KeyType::rsa, 2048});
    PrivateKey root_ec = generate_key({KeyType::ec, 256});
    PrivateKey inter = generate_key({KeyType::ec, 256});
    PrivateKey leaf = generate_key({KeyType::rsa, 2048});
    PrivateKey other = generate_key({KeyType::ec, 256});
};

const Keys& keys() {
    static const Keys instance;
    return instance;
}

IssueRequest ca_request(const std::string& common_name, std::optional<int> path_length) {
    IssueRequest r;
    r.subject.country = "US";
    r.subject.organization = "Contoso";
    r.subject.common_name = common_name;
    r.key_usage = {"keyCertSign", "cRLSign"};
    r.is_ca = true;
    r.path_length = path_length;
    r.not_before = now() - 1h;
    r.not_after = now() + 24h * 3650;
    return r;
}

Certificate make_root(const PrivateKey& key) {
    const std::string der = issue_certificate(public_key_der(key), ca_request("Contoso Test Root", std::nullopt), {nullptr, &key});
    return parse_certificate_der(der);
}

const std::vector<std::string> kLeafNames{"sip.contoso.com", "webcon.contoso.com", "av.contoso.com", "access.contoso.com"};

IssueRequest leaf_request() {
    IssueRequest r;
    r.subject.country = "US";
    r.subject.state = "Washington";
    r.subject.locality = "Redmond";
    r.subject.organization = "Contoso";
    r.subject.common_name = "sip.contoso.com";
    r.dns_names = kLeafNames;
    r.eku = {"serverAuth", "clientAuth"};
    r.key_usage = {"digitalSignature", "keyEncipherment"};
    r.crl_urls = {"http://crl.contoso.com/issuing.crl"};
    r.not_before = now() - 1h;
    r.not_after = now() + 24h * 365;
    return r;
}

std::string leaf_csr() {
    CsrRequest csr;
    csr.subject.common_name = "sip.contoso.com";
    csr.subject.organization = "Contoso";
    csr.dns_names = kLeafNames;
    csr.eku = {"serverAuth", "clientAuth"};
    csr.key_usage = {"digitalSignature", "keyEncipherment"};
    return make_csr_pem(keys().leaf, csr);
}

}  // namespace

TEST_CASE("issue: self-signed RSA and EC roots are CAs that openssl accepts", "[issue]") {
    TempDir dir;
    for (const PrivateKey* key : {&keys().root_rsa, &keys().root_ec}) {
        const Certificate root = make_root(*key);
        INFO(root.key_algorithm);
        CHECK(root.is_ca);
        CHECK(root.key_usage == std::vector<std::string>{"keyCertSign", "cRLSign"});
        CHECK(root.subject.common_name == "Contoso Test Root");
        CHECK(root.issuer.common_name == "Contoso Test Root");
        CHECK(root.public_key_sha256 == key->public_key_sha256());
        CHECK(root.signature_algorithm == (key == &keys().root_rsa ? "sha256WithRSAEncryption" : "ecdsa-with-SHA256"));
        CHECK_FALSE(root.has_eku_extension);

        const std::string pem = dir.file("root.pem", certificate_pem(root.der));
        const Output text = run("openssl x509 -noout -text -in " + pem);
        CHECK(text.status == 0);
        CHECK(contains(text.text, "CA:TRUE"));
        CHECK(contains(text.text, "X509v3 Basic Constraints: critical"));
        CHECK(contains(text.text, "X509v3 Key Usage: critical"));
        CHECK(contains(text.text, "Certificate Sign, CRL Sign"));
        CHECK(contains(text.text, "Subject Key Identifier"));
        CHECK(contains(text.text, "Authority Key Identifier"));
        CHECK(contains(text.text, "Subject: C = US, O = Contoso, CN = Contoso Test Root"));
        const Output verify = run("openssl verify -CAfile " + pem + " " + pem);
        CHECK(verify.status == 0);
        CHECK(contains(verify.text, pem + ": OK"));
    }
}

TEST_CASE("issue: intermediate and CSR leaf verify with openssl, GnuTLS and Botan", "[issue]") {
    TempDir dir;
    const Certificate root = make_root(keys().root_rsa);
    const Issuer by_root{&root, &keys().root_rsa};
    const Certificate inter = parse_certificate_der(
        issue_certificate(public_key_der(keys().inter), ca_request("Contoso Issuing CA", 0), by_root));
    const CsrContents csr = read_csr(leaf_csr());
    const IssueRequest request = leaf_request();
    const Issuer by_inter{&inter, &keys().inter};
    const Certificate leaf = parse_certificate_der(issue_certificate(csr.public_key_der, request, by_inter));

    CHECK(inter.is_ca);
    CHECK(inter.issuer.common_name == "Contoso Test Root");
    CHECK(leaf.subject.country == "US");
    CHECK(leaf.subject.state == "Washington");
    CHECK(leaf.subject.locality == "Redmond");
    CHECK(leaf.subject.common_name == "sip.contoso.com");
    CHECK(leaf.issuer.common_name == "Contoso Issuing CA");
    CHECK(leaf.dns_names == kLeafNames);
    CHECK(leaf.eku == std::vector<std::string>{"serverAuth", "clientAuth"});
    CHECK(leaf.key_usage == std::vector<std::string>{"digitalSignature", "keyEncipherment"});
    CHECK(leaf.crl_distribution_points == std::vector<std::string>{"http://crl.contoso.com/issuing.crl"});
    CHECK_FALSE(leaf.is_ca);
    CHECK(leaf.not_before == request.not_before);
    CHECK(leaf.not_after == request.not_after);
    CHECK(leaf.signature_algorithm == "ecdsa-with-SHA256");
    CHECK(leaf.public_key_sha256 == keys().leaf.public_key_sha256());
    // 128-bit positive serials, a fresh one each time.
    CHECK((leaf.serial_hex.size() == 32 || leaf.serial_hex.size() == 31));
    CHECK(leaf.serial_hex.find_first_not_of('0') != std::string::npos);
    const Certificate second = parse_certificate_der(issue_certificate(csr.public_key_der, request, by_inter));
    CHECK(second.serial_hex != leaf.serial_hex);

    const std::string root_pem = dir.file("root.pem", certificate_pem(root.der));
    const std::string inter_pem = dir.file("inter.pem", certificate_pem(inter.der));
    const std::string leaf_pem = dir.file("leaf.pem", certificate_pem(leaf.der));
    const Output inter_text = run("openssl x509 -noout -text -in " + inter_pem);
    CHECK(contains(inter_text.text, "CA:TRUE, pathlen:0"));
    const Output leaf_text = run("openssl x509 -noout -text -in " + leaf_pem);
    CHECK(contains(leaf_text.text, "CA:FALSE"));
    CHECK(contains(leaf_text.text, "DNS:sip.contoso.com, DNS:webcon.contoso.com, DNS:av.contoso.com, DNS:access.contoso.com"));
    CHECK(contains(leaf_text.text, "TLS Web Server Authentication, TLS Web Client Authentication"));
    CHECK(contains(leaf_text.text, "URI:http://crl.contoso.com/issuing.crl"));
    const Output verify = run("openssl verify -CAfile " + root_pem + " -untrusted " + inter_pem + " " + leaf_pem);
    CHECK(verify.status == 0);
    CHECK(contains(verify.text, leaf_pem + ": OK"));

    REQUIRE(access(kGnutlsCerttool, X_OK) == 0);
    const Output gnutls = run(std::string(kGnutlsCerttool) + " --certificate-info --infile " + leaf_pem);
    CHECK(gnutls.status == 0);
    CHECK(contains(gnutls.text, "DNSname: access.contoso.com"));
    CHECK(contains(gnutls.text, "TLS WWW Server."));
    CHECK(contains(gnutls.text, "Certificate Authority (CA): FALSE"));

    ValidationRequest validation;
    validation.trusted_der = {root.der};
    validation.intermediates_der = {inter.der};
    validation.hostname = "av.contoso.com";
    const ValidationResult result = validate_chain(leaf, validation);
    INFO(result.message);
    CHECK(result.valid);
    CHECK(result.code == "chain.ok");
    CHECK(result.chain_sha256 == std::vector<std::string>{leaf.sha256_fingerprint, inter.sha256_fingerprint, root.sha256_fingerprint});
}

TEST_CASE("issue: the issuer key must be the issuer certificate's", "[issue]") {
    const Certificate root = make_root(keys().root_ec);
    const IssueRequest request = ca_request("Contoso Issuing CA", 0);
    CHECK(crypto_error_code([&] { issue_certificate(public_key_der(keys().inter), request, {&root, &keys().other}); }) ==
          "issue.key-mismatch");
    // Self-signed: the key signing must be the certified one.
    CHECK(crypto_error_code([&] { issue_certificate(public_key_der(keys().inter), request, {nullptr, &keys().other}); }) ==
          "issue.key-mismatch");
    CHECK(crypto_error_code([&] { issue_certificate(public_key_der(keys().inter), request, {&root, nullptr}); }) == "issue.failed");
}

TEST_CASE("issue: explicit serials, and requests that cannot be issued", "[issue]") {
    const PrivateKey& key = keys().root_ec;
    const std::string spki = public_key_der(key);
    const Issuer self{nullptr, &key};
    IssueRequest request = ca_request("Contoso Test Root", std::nullopt);
    request.serial = std::string("\x00\x8a\x01", 3);
    CHECK(parse_certificate_der(issue_certificate(spki, request, self)).serial_hex == "8a01");

    auto code_for = [&](const std::function<void(IssueRequest&)>& change) {
        IssueRequest r = ca_request("Contoso Test Root", std::nullopt);
        change(r);
        return crypto_error_code([&] { issue_certificate(spki, r, self); });
    };
    CHECK(code_for([](IssueRequest& r) { r.serial = std::string(2, '\0'); }) == "issue.failed");
    CHECK(code_for([](IssueRequest& r) { r.serial = std::string(20, '\xff'); }) == "issue.failed");
    CHECK(code_for([](IssueRequest& r) { r.not_after = r.not_before; }) == "issue.failed");
    CHECK(code_for([](IssueRequest& r) { r.signature_hash = "md5"; }) == "issue.failed");
    CHECK(code_for([](IssueRequest& r) { r.key_usage = {"everything"}; }) == "issue.failed");
    CHECK(code_for([](IssueRequest& r) { r.eku = {"codeSigning"}; }) == "issue.failed");
    CHECK(code_for([](IssueRequest& r) { r.dns_names = {"bad name.contoso.com"}; }) == "issue.failed");
    CHECK(code_for([](IssueRequest& r) { r.subject.country = "USA"; }) == "issue.failed");
    CHECK(code_for([](IssueRequest& r) {
              r.is_ca = false;
              r.path_length = 0;
          }) == "issue.failed");
    CHECK(crypto_error_code([&] { issue_certificate("not a key", ca_request("x", std::nullopt), self); }) == "issue.failed");
    CHECK(crypto_error_code([&] { certificate_pem("not a certificate"); }) == "cert.unreadable");
}

TEST_CASE("issue: read_csr returns the request's names and key, tampered and garbage CSRs fail", "[issue]") {
    TempDir dir;
    const std::string pem = leaf_csr();
    const CsrContents csr = read_csr(pem);
    CHECK(csr.subject.common_name == "sip.contoso.com");
    CHECK(csr.subject.organization == "Contoso");
    CHECK(csr.dns_names == kLeafNames);
    CHECK(csr.eku == std::vector<std::string>{"serverAuth", "clientAuth"});
    CHECK(csr.key.type == KeyType::rsa);
    CHECK(csr.key.bits == 2048);
    CHECK(csr.public_key_sha256 == keys().leaf.public_key_sha256());
    CHECK(csr.public_key_der == public_key_der(keys().leaf));

    const std::string pem_path = dir.file("leaf.csr", pem);
    REQUIRE(run("openssl req -in " + pem_path + " -outform DER -out " + dir / "leaf.der").status == 0);
    const std::string der = slurp(dir / "leaf.der");
    CHECK(read_csr(der).dns_names == kLeafNames);

    std::string tampered = der;
    tampered[tampered.size() - 10] = static_cast<char>(tampered[tampered.size() - 10] ^ 0x01);  // inside the RSA signature
    CHECK(crypto_error_code([&] { read_csr(tampered); }) == "csr.signature");
    CHECK(crypto_error_code([&] { read_csr("garbage, not a request"); }) == "csr.invalid");
    CHECK(crypto_error_code([&] { read_csr(der.substr(0, der.size() / 2)); }) == "csr.invalid");
    CHECK(crypto_error_code([&] { read_csr(""); }) == "csr.invalid");
}

TEST_CASE("issue: a CRL with two revoked serials verifies and revokes the leaf", "[issue]") {
    TempDir dir;
    const Certificate root = make_root(keys().root_rsa);
    const Issuer by_root{&root, &keys().root_rsa};
    const Certificate revoked = parse_certificate_der(issue_certificate(public_key_der(keys().other), leaf_request(), by_root));
    const Certificate good = parse_certificate_der(issue_certificate(public_key_der(keys().other), leaf_request(), by_root));
    const EncodedCrl encoded = make_crl(by_root, {{revoked.serial_hex, now() - 1h}, {"1234abcd", now() - 2h}}, 42, now() - 1h,
                                        now() + 24h * 7);
    const std::string& crl = encoded.pem;
    CHECK(contains(crl, "-----BEGIN X509 CRL-----"));
    // The DER is the same CRL as the PEM (OpenSSL converts one into the other).
    const std::string crl_der = dir.file("crl.der", encoded.der);
    CHECK(encoded.der.rfind("-----", 0) == std::string::npos);
    const Output converted = run("openssl crl -inform DER -in " + crl_der + " -outform PEM");
    CHECK(converted.status == 0);
    CHECK(converted.text == crl);

    const std::string root_pem = dir.file("root.pem", certificate_pem(root.der));
    const std::string crl_pem = dir.file("crl.pem", crl);
    const Output text = run("openssl crl -in " + crl_pem + " -noout -text -CAfile " + root_pem);
    CHECK(text.status == 0);
    CHECK(contains(text.text, "verify OK"));
    CHECK(contains(text.text, "Version 2 (0x1)"));
    CHECK(contains(text.text, "X509v3 CRL Number"));
    CHECK(contains(text.text, "42"));
    CHECK(contains(text.text, "X509v3 Authority Key Identifier"));
    CHECK(contains(text.text, "Serial Number: " + upper(revoked.serial_hex)));
    CHECK(contains(text.text, "Serial Number: 1234ABCD"));

    const std::string revoked_pem = dir.file("revoked.pem", certificate_pem(revoked.der));
    const Output bad = run("openssl verify -crl_check -CRLfile " + crl_pem + " -CAfile " + root_pem + " " + revoked_pem);
    CHECK(bad.status != 0);
    CHECK(contains(bad.text, "error 23"));
    CHECK(contains(bad.text, "certificate revoked"));
    const std::string good_pem = dir.file("good.pem", certificate_pem(good.der));
    const Output ok = run("openssl verify -crl_check -CRLfile " + crl_pem + " -CAfile " + root_pem + " " + good_pem);
    CHECK(ok.status == 0);

    CHECK(crypto_error_code([&] { make_crl({nullptr, &keys().root_rsa}, {}, 1, now(), now() + 1h); }) == "crl.failed");
    CHECK(crypto_error_code([&] { make_crl({&root, &keys().other}, {}, 1, now(), now() + 1h); }) == "crl.failed");
    CHECK(crypto_error_code([&] { make_crl(by_root, {{"not hex", now()}}, 1, now(), now() + 1h); }) == "crl.failed");
    CHECK(crypto_error_code([&] { make_crl(by_root, {}, 1, now(), now() - 1h); }) == "crl.failed");
}
