// The test CA of the end-to-end tests, in process (the OpenSSL API): a root,
// optionally an issuing intermediate, and leaf certificates issued from a
// request file (its extensions kept, as `openssl x509 -req -copy_extensions
// copyall` does) or from names, each written as PEM into a TempDir. What the
// tests vary is an option of CertOptions: dates, EKU, SANs, the CRL
// distribution point, the key, the signature (SHA-1, RSA-PSS), the subject.
//
// The openssl CLI stays where a test proves that certtool's files work with an
// independent implementation (`openssl x509 -req` on certtool's request,
// `openssl pkcs12 -legacy`, `openssl verify`); those call sites say so.
#pragma once

#include <ctime>
#include <optional>
#include <string>
#include <vector>

#include "temp_dir.hpp"

namespace certtool::test {

struct KeySpec {
    enum class Type { rsa, ec };  // ec: P-256
    Type type = Type::rsa;
    int bits = 2048;
};

struct CertOptions {
    // "/O=Contoso Ltd/CN=sip.contoso.com"; empty: the request's subject, or
    // CN=<first DNS name> for a certificate issued from names.
    std::string subject;
    // subjectAltName dNSNames (from names; from a request they replace the request's SANs when given).
    std::vector<std::string> dns_names;
    // extendedKeyUsage of a certificate issued from names ("serverAuth", "clientAuth"); empty: none.
    std::vector<std::string> eku = {"serverAuth"};
    // crlDistributionPoints; empty: none.
    std::string crl_url = "http://crl.contoso.com/root.crl";
    int days = 365;                       // notAfter = notBefore + days, unless not_after is given
    std::optional<std::time_t> not_before;  // default: now
    std::optional<std::time_t> not_after;
    bool sha1 = false;     // sha1WithRSAEncryption instead of SHA-256
    bool rsa_pss = false;  // RSASSA-PSS (SHA-256, salt 32)
    KeySpec key;           // the new key of a certificate issued from names
};

// A certificate and its key, as files.
struct Issued {
    std::string cert;
    std::string key;
};

// What the tests read back from a certificate file (PEM or DER).
struct CertFacts {
    std::string sha256;  // lower-case hex of the DER
    std::string sha1;    // upper-case hex: what Windows shows as the thumbprint
    std::time_t not_before = 0;
    std::time_t not_after = 0;
};
CertFacts read_certificate(const std::string& file);

// A new private key (PEM, PKCS#8, unencrypted) written 0600 to `path`; returns the path.
std::string write_new_key(const std::string& path, const KeySpec& spec = {});

// UTC "YYYYMMDDHHMMSSZ" or "YYYY-MM-DD" -> seconds since the epoch.
std::time_t utc_time(const std::string& text);

class TestCa {
public:
    struct Options {
        std::string name = "certtool test root";  // the root's CN
        bool intermediate = false;                 // issue leaves from an intermediate under the root
        KeySpec key;
    };

    // Writes ca.key and ca.pem (the root) into `dir`, and with an intermediate
    // intermediate.key, intermediate.pem and chain.pem (intermediate, then root).
    explicit TestCa(const TempDir& dir);
    TestCa(const TempDir& dir, const Options& options);
    ~TestCa();
    TestCa(const TestCa&) = delete;
    TestCa& operator=(const TestCa&) = delete;

    [[nodiscard]] const std::string& root() const { return root_pem_; }
    [[nodiscard]] const std::string& root_key() const { return root_key_; }
    // The issuing chain a server sends after its leaf: intermediate.pem, or nothing (empty) without one.
    [[nodiscard]] std::string chain() const;

    // dir/<name>.pem issued for the request in `csr_file`; `key` is returned as given.
    Issued issue(const std::string& csr_file, const std::string& key, const std::string& name,
                 const CertOptions& options = {}) const;
    // dir/<name>.key (new) and dir/<name>.pem for `options.dns_names`.
    Issued issue(const std::string& name, const CertOptions& options) const;

    // dir/<name> as PKCS#12 (OpenSSL 3 defaults: AES-256, SHA-256 MAC) with the
    // key, the certificate, the CA certificates and a friendly name.
    std::string pfx(const Issued& leaf, const std::string& name, const std::string& passphrase,
                    const std::string& friendly_name = "") const;

private:
    struct Keys;
    const TempDir& dir_;
    std::string root_pem_, root_key_, intermediate_pem_;
    Keys* keys_;
};

}  // namespace certtool::test
