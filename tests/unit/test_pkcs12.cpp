// lib/crypto/pkcs12: PFX files in the legacy (3DES, SHA-1 MAC) and modern
// (PBES2 AES-256, SHA-256 MAC) profiles, read back by the openssl CLI, GnuTLS
// certtool, inspect_pkcs12 and load_certificates.
#include <catch2/catch.hpp>

#include "shell.hpp"

#include "crypto_errors.hpp"
#include "temp_dir.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "crypto/certificate.hpp"
#include "crypto/issue.hpp"
#include "crypto/keys.hpp"
#include "crypto/pkcs12.hpp"

using namespace certtool::crypto;
using certtool::test::crypto_error_code;
using certtool::test::TempDir;

namespace {

using namespace std::chrono_literals;

constexpr const char* kGnutlsCerttool = "/usr/bin/certtool";  // not ours, which has the same name
constexpr const char* kPassword = "s3cret-Pfx";
constexpr const char* kFriendlyName = "edge-external.lsedge-contoso-net";

using Output = certtool::test::ShellOutput;
Output run(const std::string& command) { return certtool::test::run_shell(command); }

bool contains(const std::string& haystack, const std::string& needle) { return haystack.find(needle) != std::string::npos; }

std::size_t count(const std::string& haystack, const std::string& needle) {
    std::size_t n = 0;
    for (std::size_t pos = haystack.find(needle); pos != std::string::npos; pos = haystack.find(needle, pos + 1)) ++n;
    return n;
}

Certificate issue(const PrivateKey& subject_key, const std::string& common_name, bool is_ca, const Issuer& issuer) {
    IssueRequest r;
    r.subject.organization = "Contoso";
    r.subject.common_name = common_name;
    r.is_ca = is_ca;
    r.key_usage = is_ca ? std::vector<std::string>{"keyCertSign", "cRLSign"}
                        : std::vector<std::string>{"digitalSignature", "keyEncipherment"};
    if (!is_ca) {
        r.dns_names = {common_name};
        r.eku = {"serverAuth", "clientAuth"};
    }
    r.not_before = std::chrono::system_clock::now() - 1h;
    r.not_after = std::chrono::system_clock::now() + 24h * 365;
    return parse_certificate_der(issue_certificate(public_key_der(subject_key), r, issuer));
}

// root -> issuing CA -> Edge leaf (RSA, as Lync wants), an unrelated root, and
// an impostor with the issuing CA's name but another key. Built once.
struct Pki {
    PrivateKey root_key = generate_key({KeyType::ec, 256});
    PrivateKey inter_key = generate_key({KeyType::ec, 256});
    PrivateKey leaf_key = generate_key({KeyType::rsa, 2048});
    PrivateKey other_key = generate_key({KeyType::ec, 256});
    Certificate root = issue(root_key, "Contoso Root", true, {nullptr, &root_key});
    Certificate inter = issue(inter_key, "Contoso Issuing CA", true, {&root, &root_key});
    Certificate leaf = issue(leaf_key, "sip.contoso.com", false, {&inter, &inter_key});
    Certificate other_root = issue(other_key, "Fabrikam Root", true, {nullptr, &other_key});
    Certificate impostor = issue(other_key, "Contoso Issuing CA", true, {&other_root, &other_key});
};

const Pki& pki() {
    static const Pki instance;
    return instance;
}

Pkcs12Request request(Pkcs12Profile profile) {
    Pkcs12Request r;
    r.key = &pki().leaf_key;
    r.certificate = &pki().leaf;
    r.chain = {&pki().inter, &pki().root};
    r.friendly_name = kFriendlyName;
    r.profile = profile;
    return r;
}

Output openssl_info(const std::string& pfx, const std::string& extra) {
    return run("openssl pkcs12 -info -in " + pfx + " " + extra + " -passin pass:" + kPassword);
}

Output gnutls_info(const std::string& pfx) {
    return run(std::string(kGnutlsCerttool) + " --p12-info --inder --infile " + pfx + " --password " + kPassword);
}

}  // namespace

TEST_CASE("pkcs12: legacy profile: 3DES bags and a SHA-1 MAC, as openssl and GnuTLS read them", "[pkcs12]") {
    TempDir dir;
    const std::string pfx = dir.file("legacy.pfx", make_pkcs12(request(Pkcs12Profile::legacy), kPassword));

    // The OpenSSL 3 CLI without -legacy: nothing in the file needs the legacy provider.
    const Output info = openssl_info(pfx, "-noout");
    INFO(info.text);
    CHECK(info.status == 0);
    CHECK(contains(info.text, "MAC: sha1, Iteration 2048"));
    CHECK(contains(info.text, "PKCS7 Encrypted data: pbeWithSHA1And3-KeyTripleDES-CBC, Iteration 2048"));
    CHECK(contains(info.text, "Shrouded Keybag: pbeWithSHA1And3-KeyTripleDES-CBC, Iteration 2048"));
    CHECK_FALSE(contains(info.text, "RC2"));
    const Output certs = openssl_info(pfx, "-nokeys");
    CHECK(count(certs.text, std::string("friendlyName: ") + kFriendlyName) == 1);  // the leaf's bag only
    CHECK(count(certs.text, "localKeyID:") == 1);
    CHECK(count(certs.text, "-----BEGIN CERTIFICATE-----") == 3);

    REQUIRE(access(kGnutlsCerttool, X_OK) == 0);
    const Output gnutls = gnutls_info(pfx);
    INFO(gnutls.text);
    CHECK(gnutls.status == 0);
    CHECK(contains(gnutls.text, "MAC: SHA1 (1.3.14.3.2.26)"));
    CHECK(count(gnutls.text, "Cipher: 3DES-CBC") == 2);
    CHECK(count(gnutls.text, "Schema: PKCS12-3DES-SHA1 (1.2.840.113549.1.12.1.3)") == 2);
    CHECK(count(gnutls.text, "Iteration count: 2048") == 3);
    CHECK(contains(gnutls.text, std::string("Friendly name: ") + kFriendlyName));

    const Pkcs12Info inspected = inspect_pkcs12(make_pkcs12(request(Pkcs12Profile::legacy), kPassword), kPassword);
    CHECK(inspected.mac_digest == "sha1");
    CHECK(inspected.mac_iterations == 2048);
    CHECK(inspected.bag_schemes == std::vector<std::string>{"pbeWithSHA1And3-KeyTripleDES-CBC", "pbeWithSHA1And3-KeyTripleDES-CBC"});
    CHECK(inspected.certificates == 3);
    CHECK(inspected.has_key);
    CHECK(inspected.friendly_name == kFriendlyName);
}

TEST_CASE("pkcs12: modern profile: PBES2 AES-256-CBC bags and a SHA-256 MAC", "[pkcs12]") {
    TempDir dir;
    const std::string der = make_pkcs12(request(Pkcs12Profile::modern), kPassword);
    const std::string pfx = dir.file("modern.pfx", der);

    const Output info = openssl_info(pfx, "-noout");
    INFO(info.text);
    CHECK(info.status == 0);
    CHECK(contains(info.text, "MAC: sha256, Iteration 10000"));
    CHECK(contains(info.text, "PKCS7 Encrypted data: PBES2, PBKDF2, AES-256-CBC, Iteration 10000, PRF hmacWithSHA256"));
    CHECK(contains(info.text, "Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC, Iteration 10000, PRF hmacWithSHA256"));

    REQUIRE(access(kGnutlsCerttool, X_OK) == 0);
    const Output gnutls = gnutls_info(pfx);
    INFO(gnutls.text);
    CHECK(gnutls.status == 0);
    CHECK(contains(gnutls.text, "MAC: SHA256 (2.16.840.1.101.3.4.2.1)"));
    CHECK(count(gnutls.text, "Cipher: AES-256-CBC") == 2);
    CHECK(count(gnutls.text, "Schema: PBES2-AES256-CBC (2.16.840.1.101.3.4.1.42)") == 2);
    CHECK(count(gnutls.text, "Iteration count: 10000") == 3);

    const Pkcs12Info inspected = inspect_pkcs12(der, kPassword);
    CHECK(inspected.mac_digest == "sha256");
    CHECK(inspected.mac_iterations == 10000);
    CHECK(inspected.bag_schemes == std::vector<std::string>{"PBES2/aes-256-cbc", "PBES2/aes-256-cbc"});
    CHECK(inspected.certificates == 3);
    CHECK(inspected.has_key);
    CHECK(inspected.friendly_name == kFriendlyName);
}

TEST_CASE("pkcs12: the key bag's Microsoft CSP Name: written as asked, read back, absent when not asked for", "[pkcs12]") {
    constexpr const char* kSchannel = "Microsoft RSA SChannel Cryptographic Provider";
    TempDir dir;
    for (const auto profile : {Pkcs12Profile::legacy, Pkcs12Profile::modern}) {
        Pkcs12Request r = request(profile);
        r.csp_name = kSchannel;
        const std::string der = make_pkcs12(r, kPassword);
        CHECK(inspect_pkcs12(der, kPassword).csp_name == kSchannel);
        const std::string pfx = dir.file(profile == Pkcs12Profile::legacy ? "csp-legacy.pfx" : "csp-modern.pfx", der);
        // OpenSSL names the attribute and shows its value; only the key bag carries it.
        const Output info = openssl_info(pfx, "-nodes");
        INFO(info.text);
        CHECK(info.status == 0);
        CHECK(count(info.text, std::string("Microsoft CSP Name: ") + kSchannel) == 1);
        const Output keys = openssl_info(pfx, "-nodes -nocerts");
        CHECK(count(keys.text, std::string("Microsoft CSP Name: ") + kSchannel) == 1);
        // GnuTLS reads the whole file and (at debug level 2) names the one attribute it does not know.
        REQUIRE(access(kGnutlsCerttool, X_OK) == 0);
        const Output gnutls = run(std::string(kGnutlsCerttool) + " -d 2 --p12-info --inder --infile " + pfx + " --password " + kPassword);
        INFO(gnutls.text);
        CHECK(gnutls.status == 0);
        CHECK(count(gnutls.text, "Unknown PKCS12 Bag Attribute OID '1.3.6.1.4.1.311.17.1'") == 1);
    }

    // Another provider's name, and none.
    Pkcs12Request r = request(Pkcs12Profile::legacy);
    r.csp_name = "Microsoft Enhanced RSA and AES Cryptographic Provider";
    CHECK(inspect_pkcs12(make_pkcs12(r, kPassword), kPassword).csp_name == r.csp_name);
    r.csp_name.clear();
    const std::string none_der = make_pkcs12(r, kPassword);
    const std::string none = dir.file("none.pfx", none_der);
    CHECK(inspect_pkcs12(none_der, kPassword).csp_name.empty());
    CHECK_FALSE(contains(openssl_info(none, "-nodes").text, "CSP"));
    CHECK_FALSE(contains(run(std::string(kGnutlsCerttool) + " -d 2 --p12-info --inder --infile " + none + " --password " + kPassword).text,
                         "1.3.6.1.4.1.311.17.1"));
    // The caller's key is not changed by the attribute: a later PFX of it carries none.
    r.csp_name = kSchannel;
    (void)make_pkcs12(r, kPassword);
    r.csp_name.clear();
    CHECK(inspect_pkcs12(make_pkcs12(r, kPassword), kPassword).csp_name.empty());

    // Names Windows could not hold are refused.
    r.csp_name = std::string(256, 'x');
    CHECK(crypto_error_code([&] { make_pkcs12(r, kPassword); }) == "pfx.failed");
    r.csp_name = "Microsoft\nProvider";
    r.csp_name[9] = '\n';
    CHECK(crypto_error_code([&] { make_pkcs12(r, kPassword); }) == "pfx.failed");
    r.csp_name = "\xF0\x9F\x94\x91 provider";  // U+1F511: outside the BMP
    CHECK(crypto_error_code([&] { make_pkcs12(r, kPassword); }) == "pfx.failed");
    r.csp_name = "Fournisseur \xC3\xA9tendu";  // within the BMP: written and read back as UTF-8
    CHECK(inspect_pkcs12(make_pkcs12(r, kPassword), kPassword).csp_name == r.csp_name);
}

TEST_CASE("pkcs12: iteration counts: the profile's default, a chosen one, and the limit", "[pkcs12]") {
    Pkcs12Request r = request(Pkcs12Profile::legacy);
    r.iterations = 4000;
    r.friendly_name.clear();
    r.chain.clear();
    const Pkcs12Info info = inspect_pkcs12(make_pkcs12(r, kPassword), kPassword);
    CHECK(info.mac_iterations == 4000);
    CHECK(info.certificates == 1);
    CHECK(info.friendly_name.empty());
    r.iterations = 600001;
    CHECK(crypto_error_code([&] { make_pkcs12(r, kPassword); }) == "pfx.failed");
    r.iterations = -1;
    CHECK(crypto_error_code([&] { make_pkcs12(r, kPassword); }) == "pfx.failed");
    r.iterations = 0;
    CHECK(crypto_error_code([&] { make_pkcs12(r, std::string("pass\0word", 9)); }) == "pfx.failed");
}

TEST_CASE("pkcs12: a key that is not the certificate's, or a chain that does not lead to it, is refused", "[pkcs12]") {
    auto failure = [](const Pkcs12Request& r) -> std::pair<std::string, std::string> {
        try {
            make_pkcs12(r, kPassword);
        } catch (const CryptoError& e) {
            return {e.code(), e.what()};
        }
        return {"(no error)", ""};
    };
    Pkcs12Request r = request(Pkcs12Profile::legacy);
    r.key = &pki().other_key;
    CHECK(failure(r).first == "key.mismatch");

    r = request(Pkcs12Profile::legacy);
    r.chain = {&pki().other_root};
    auto [code, message] = failure(r);
    CHECK(code == "pfx.chain");
    CHECK(contains(message, "chain element 0 (\"Fabrikam Root\") did not issue the certificate (\"sip.contoso.com\")"));

    r.chain = {&pki().root, &pki().inter};  // wrong order
    std::tie(code, message) = failure(r);
    CHECK(code == "pfx.chain");
    CHECK(contains(message, "chain element 0"));

    r.chain = {&pki().inter, &pki().other_root};
    std::tie(code, message) = failure(r);
    CHECK(code == "pfx.chain");
    CHECK(contains(message, "chain element 1 (\"Fabrikam Root\") did not issue chain element 0 (\"Contoso Issuing CA\")"));

    r.chain = {&pki().impostor};  // the right name, another key
    std::tie(code, message) = failure(r);
    CHECK(code == "pfx.chain");
    CHECK(contains(message, "signature does not verify"));

    r = request(Pkcs12Profile::modern);
    r.key = nullptr;
    CHECK(failure(r).first == "pfx.failed");
}

TEST_CASE("pkcs12: inspect tells a wrong password, a damaged MAC and non-PKCS#12 data apart", "[pkcs12]") {
    for (Pkcs12Profile profile : {Pkcs12Profile::legacy, Pkcs12Profile::modern}) {
        const std::string der = make_pkcs12(request(profile), kPassword);
        CHECK(crypto_error_code([&] { inspect_pkcs12(der, "wrong"); }) == "cert.pkcs12-password");
        // The file ends with the MAC's salt and iteration count (2 + 2 bytes):
        // a changed salt byte breaks the MAC and nothing else.
        std::string damaged = der;
        damaged[damaged.size() - 5] = static_cast<char>(damaged[damaged.size() - 5] ^ 0x01);
        CHECK(crypto_error_code([&] { inspect_pkcs12(damaged, kPassword); }) == "cert.pkcs12-mac");
        CHECK(crypto_error_code([&] { load_certificates(damaged, std::string(kPassword)); }) == "cert.pkcs12-mac");
    }
    CHECK(crypto_error_code([&] { inspect_pkcs12("not a PFX", kPassword); }) == "cert.unreadable");
    CHECK(crypto_error_code([&] { inspect_pkcs12("", kPassword); }) == "cert.unreadable");
    CHECK(crypto_error_code([&] { inspect_pkcs12(pki().leaf.der, kPassword); }) == "cert.unreadable");
}

TEST_CASE("pkcs12: load_certificates reads both profiles back with the key and the chain", "[pkcs12]") {
    for (Pkcs12Profile profile : {Pkcs12Profile::legacy, Pkcs12Profile::modern}) {
        const CertificateBundle bundle = load_certificates(make_pkcs12(request(profile), kPassword), std::string(kPassword));
        CHECK(bundle.format == "PKCS#12");
        REQUIRE(bundle.certificates.size() == 3);
        CHECK(bundle.certificates[0].der == pki().leaf.der);
        CHECK(bundle.certificates[1].der == pki().inter.der);
        CHECK(bundle.certificates[2].der == pki().root.der);
        REQUIRE(bundle.key.has_value());
        CHECK(key_matches(*bundle.key, pki().leaf));
        CHECK(crypto_error_code([&] { load_certificates(make_pkcs12(request(profile), kPassword), std::string("wrong")); }) ==
              "cert.pkcs12-password");
    }
}

namespace {

// The message of the CryptoError an action throws ("" when none).
std::string crypto_error_message(const std::function<void()>& action) {
    try {
        action();
    } catch (const CryptoError& e) {
        return e.what();
    }
    return "";
}

// A PFX of the leaf and its key written by the openssl CLI with `options`
// (iteration counts certtool pfx would never write).
std::string openssl_pfx(const TempDir& dir, const std::string& options) {
    const std::string key = dir.file("leaf.key", to_pkcs8_pem(pki().leaf_key, std::nullopt));
    const std::string cert = dir.file("leaf.pem", certificate_pem(pki().leaf.der));
    const std::string out = dir.path("openssl.pfx");
    const Output made = run("openssl pkcs12 -export -inkey " + key + " -in " + cert + " -passout pass:" + kPassword + " " +
                            options + " -out " + out + " 2>&1");
    INFO(made.text);
    REQUIRE(made.status == 0);
    std::ifstream in(out, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

TEST_CASE("pkcs12: a file asking for more than 1,000,000 iterations is refused before any is computed", "[pkcs12]") {
    TempDir dir;
    const std::string password = kPassword;
    SECTION("MAC and both bags at 2,000,000 (the MAC is checked first, with or without a password)") {
        const std::string der = openssl_pfx(dir, "-iter 2000000");
        CHECK(crypto_error_code([&] { load_certificates(der, password); }) == "cert.pkcs12-iterations");
        CHECK(crypto_error_code([&] { load_certificates(der, std::nullopt); }) == "cert.pkcs12-iterations");
        CHECK(crypto_error_code([&] { inspect_pkcs12(der, password); }) == "cert.pkcs12-iterations");
        const std::string message = crypto_error_message([&] { load_certificates(der, password); });
        CHECK(contains(message, "the PKCS#12 integrity check (MAC) asks for 2000000 iterations; certtool accepts 1 to 1000000"));
    }
    SECTION("a 3DES key bag at 1,000,001 (MAC of 1 iteration, certificates not encrypted)") {
        const std::string der = openssl_pfx(dir, "-iter 1000001 -nomaciter -keypbe PBE-SHA1-3DES -certpbe NONE");
        CHECK(crypto_error_code([&] { load_certificates(der, password); }) == "cert.pkcs12-iterations");
        CHECK(crypto_error_code([&] { inspect_pkcs12(der, password); }) == "cert.pkcs12-iterations");
        CHECK(contains(crypto_error_message([&] { load_certificates(der, password); }), "a PKCS#12 key bag asks for 1000001 iterations"));
    }
    SECTION("the encrypted certificates at 1,000,001 (PBES2), the key not encrypted") {
        const std::string der = openssl_pfx(dir, "-iter 1000001 -nomaciter -keypbe NONE");
        CHECK(crypto_error_code([&] { load_certificates(der, password); }) == "cert.pkcs12-iterations");
        CHECK(crypto_error_code([&] { inspect_pkcs12(der, password); }) == "cert.pkcs12-iterations");
        CHECK(contains(crypto_error_message([&] { inspect_pkcs12(der, password); }),
                       "the PKCS#12 encrypted content asks for 1000001 iterations"));
    }
    SECTION("exactly 1,000,000 is read") {
        const std::string der = openssl_pfx(dir, "-iter 1000000 -nomaciter -certpbe NONE");
        const CertificateBundle bundle = load_certificates(der, password);
        CHECK(bundle.certificates.size() == 1);
        CHECK(bundle.key.has_value());
    }
}

TEST_CASE("keys: an encrypted PEM key asking for more than 1,000,000 PBKDF2 iterations is refused", "[pkcs12]") {
    TempDir dir;
    const std::string plain = dir.file("plain.key", to_pkcs8_pem(pki().root_key, std::nullopt));
    const Output made = run("openssl pkcs8 -topk8 -v2 aes-256-cbc -iter 2000000 -in " + plain + " -passout pass:" +
                            kPassword + " 2>&1");
    INFO(made.text);
    REQUIRE(made.status == 0);
    const std::string pem = made.text;
    CHECK(crypto_error_code([&] { load_private_key_pem(pem, std::string(kPassword)); }) == "key.iterations");
    CHECK(crypto_error_code([&] { load_private_key_pem(pem, std::nullopt); }) == "key.encrypted");
    // Beside a certificate in one PEM file, as verify and audit read it.
    const std::string bundle = certificate_pem(pki().root.der) + pem;
    CHECK(crypto_error_code([&] { load_certificates(bundle, std::string(kPassword)); }) == "key.iterations");
}

TEST_CASE("pkcs12: an encrypted safe without its (OPTIONAL) content is unreadable, not a crash", "[pkcs12]") {
    // Found by reasoning while writing fuzz_pkcs12: PFX { 3, data { SEQUENCE { ContentInfo { encryptedData } } } }.
    const std::string hex = "3023020103301e06092a864886f70d010701a011040f300d300b06092a864886f70d010706";
    std::string der;
    for (std::size_t i = 0; i < hex.size(); i += 2) der += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
    CHECK(crypto_error_code([&] { inspect_pkcs12(der, kPassword); }) == "cert.unreadable");
    CHECK(crypto_error_code([&] { load_certificates(der, std::string(kPassword)); }) != "(no error)");
}
