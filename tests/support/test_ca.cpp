#include "test_ca.hpp"

#include <fcntl.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <functional>
#include <memory>
#include <stdexcept>

#include "run_process.hpp"

namespace certtool::test {

namespace {

template <typename T, void (*F)(T*)>
struct Freer {
    void operator()(T* p) const { F(p); }
};
using Key = std::unique_ptr<EVP_PKEY, Freer<EVP_PKEY, EVP_PKEY_free>>;
using Cert = std::unique_ptr<X509, Freer<X509, X509_free>>;
using Request = std::unique_ptr<X509_REQ, Freer<X509_REQ, X509_REQ_free>>;
using Bio = std::unique_ptr<BIO, Freer<BIO, BIO_free_all>>;

[[noreturn]] void fail(const std::string& what) { throw std::runtime_error("test CA: " + what); }

Key new_key(const KeySpec& spec) {
    EVP_PKEY* k = spec.type == KeySpec::Type::ec ? EVP_EC_gen("P-256")
                                                 : EVP_RSA_gen(static_cast<unsigned>(spec.bits));
    if (k == nullptr) fail("key generation");
    return Key(k);
}

std::string pem_of(const std::function<int(BIO*)>& write) {
    Bio bio(BIO_new(BIO_s_mem()));
    if (!bio || write(bio.get()) != 1) fail("PEM encoding");
    char* data = nullptr;
    const long n = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(n));
}

// Private keys are written 0600, as `openssl req -keyout` does.
void write_file(const std::string& path, const std::string& content, mode_t mode) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0) fail("cannot write " + path);
    const bool ok = ::write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size());
    ::close(fd);
    if (!ok) fail("cannot write " + path);
}

std::string write_key(const std::string& path, EVP_PKEY* key) {
    write_file(path, pem_of([&](BIO* b) { return PEM_write_bio_PrivateKey(b, key, nullptr, nullptr, 0, nullptr, nullptr); }),
               0600);
    return path;
}

std::string write_cert(const std::string& path, X509* cert) {
    write_file(path, pem_of([&](BIO* b) { return PEM_write_bio_X509(b, cert); }), 0644);
    return path;
}

// "/O=Contoso Ltd/CN=x" -> an X509_NAME (set on `cert` as its subject).
void set_subject(X509* cert, const std::string& text) {
    X509_NAME* name = X509_get_subject_name(cert);
    std::size_t at = 0;
    while (at < text.size()) {
        if (text[at] == '/') ++at;
        const auto end = std::min(text.find('/', at), text.size());
        const std::string part = text.substr(at, end - at);
        const auto eq = part.find('=');
        if (eq == std::string::npos) fail("bad subject " + text);
        const std::string value = part.substr(eq + 1);
        if (X509_NAME_add_entry_by_txt(name, part.substr(0, eq).c_str(), MBSTRING_UTF8,
                                       reinterpret_cast<const unsigned char*>(value.c_str()), -1, -1, 0) != 1)
            fail("bad subject " + text);
        at = end;
    }
}

void add_extension(X509* cert, X509* issuer, int nid, const std::string& value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
    if (ext == nullptr) fail("extension " + std::string(OBJ_nid2sn(nid)) + " = " + value);
    const int index = X509_get_ext_by_NID(cert, nid, -1);
    if (index >= 0) X509_EXTENSION_free(X509_delete_ext(cert, index));
    X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
}

std::string joined(const std::vector<std::string>& items, const std::string& prefix) {
    std::string out;
    for (const auto& i : items) out += (out.empty() ? "" : ",") + prefix + i;
    return out;
}

// A version 3 certificate for `key`, its dates and serial set, not yet signed.
Cert new_cert(EVP_PKEY* key, const CertOptions& o) {
    Cert cert(X509_new());
    X509_set_version(cert.get(), 2);
    BIGNUM* serial = BN_new();
    BN_rand(serial, 120, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY);
    BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(cert.get()));
    BN_free(serial);
    const std::time_t from = o.not_before.value_or(std::time(nullptr));
    const std::time_t to = o.not_after.value_or(from + static_cast<std::time_t>(o.days) * 86400);
    ASN1_TIME_set(X509_getm_notBefore(cert.get()), from);
    ASN1_TIME_set(X509_getm_notAfter(cert.get()), to);
    X509_set_pubkey(cert.get(), key);
    return cert;
}

void sign(X509* cert, EVP_PKEY* issuer_key, const CertOptions& o) {
    EVP_MD_CTX* md = EVP_MD_CTX_new();
    EVP_PKEY_CTX* pctx = nullptr;
    bool ok = EVP_DigestSignInit(md, &pctx, o.sha1 ? EVP_sha1() : EVP_sha256(), nullptr, issuer_key) == 1;
    if (ok && o.rsa_pss)
        ok = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 && EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 32) == 1;
    ok = ok && X509_sign_ctx(cert, md) > 0;
    EVP_MD_CTX_free(md);
    if (!ok) fail("signing");
}

std::string hex(const unsigned char* data, unsigned n, bool upper) {
    static const char* lower_digits = "0123456789abcdef";
    static const char* upper_digits = "0123456789ABCDEF";
    const char* digits = upper ? upper_digits : lower_digits;
    std::string out;
    for (unsigned i = 0; i < n; ++i) {
        out += digits[data[i] >> 4];
        out += digits[data[i] & 15];
    }
    return out;
}

std::time_t seconds_of(const ASN1_TIME* t) {
    std::tm tm{};
    if (ASN1_TIME_to_tm(t, &tm) != 1) fail("bad time");
    return ::timegm(&tm);
}

}  // namespace

struct TestCa::Keys {
    Key root_key, issuer_key;
    Cert root, issuer;  // issuer: the intermediate, or the root
};

CertFacts read_certificate(const std::string& file) {
    const std::string bytes = read_file(file);
    Bio bio(BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size())));
    Cert cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (!cert) {
        const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
        cert.reset(d2i_X509(nullptr, &p, static_cast<long>(bytes.size())));
    }
    if (!cert) fail("not a certificate: " + file);
    CertFacts facts;
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned n = 0;
    X509_digest(cert.get(), EVP_sha256(), md, &n);
    facts.sha256 = hex(md, n, false);
    X509_digest(cert.get(), EVP_sha1(), md, &n);
    facts.sha1 = hex(md, n, true);
    facts.not_before = seconds_of(X509_get0_notBefore(cert.get()));
    facts.not_after = seconds_of(X509_get0_notAfter(cert.get()));
    return facts;
}

std::string write_new_key(const std::string& path, const KeySpec& spec) { return write_key(path, new_key(spec).get()); }

std::time_t utc_time(const std::string& text) {
    std::tm tm{};
    const char* format = text.find('-') != std::string::npos ? "%Y-%m-%d" : "%Y%m%d%H%M%SZ";
    if (::strptime(text.c_str(), format, &tm) == nullptr) fail("bad time " + text);
    return ::timegm(&tm);
}

TestCa::TestCa(const TempDir& dir) : TestCa(dir, Options{}) {}

TestCa::TestCa(const TempDir& dir, const Options& options) : dir_(dir), keys_(new Keys) {
    CertOptions ca;
    ca.days = 3650;
    ca.not_before = std::time(nullptr) - 86400;  // valid already when a leaf is checked in the same second
    keys_->root_key = new_key(options.key);
    keys_->root = new_cert(keys_->root_key.get(), ca);
    set_subject(keys_->root.get(), "/CN=" + options.name);
    X509_set_issuer_name(keys_->root.get(), X509_get_subject_name(keys_->root.get()));
    add_extension(keys_->root.get(), keys_->root.get(), NID_basic_constraints, "critical,CA:TRUE");
    add_extension(keys_->root.get(), keys_->root.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
    add_extension(keys_->root.get(), keys_->root.get(), NID_subject_key_identifier, "hash");
    sign(keys_->root.get(), keys_->root_key.get(), ca);
    root_key_ = write_key(dir_ / "ca.key", keys_->root_key.get());
    root_pem_ = write_cert(dir_ / "ca.pem", keys_->root.get());
    if (!options.intermediate) return;

    Key key = new_key(options.key);
    Cert cert = new_cert(key.get(), ca);
    set_subject(cert.get(), "/CN=" + options.name + " issuing CA");
    X509_set_issuer_name(cert.get(), X509_get_subject_name(keys_->root.get()));
    add_extension(cert.get(), keys_->root.get(), NID_basic_constraints, "critical,CA:TRUE,pathlen:0");
    add_extension(cert.get(), keys_->root.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
    add_extension(cert.get(), keys_->root.get(), NID_subject_key_identifier, "hash");
    add_extension(cert.get(), keys_->root.get(), NID_authority_key_identifier, "keyid:always");
    sign(cert.get(), keys_->root_key.get(), ca);
    (void)write_key(dir_ / "intermediate.key", key.get());
    intermediate_pem_ = write_cert(dir_ / "intermediate.pem", cert.get());
    write_file(dir_ / "chain.pem", read_file(intermediate_pem_) + read_file(root_pem_), 0644);
    keys_->issuer_key = std::move(key);
    keys_->issuer = std::move(cert);
}

TestCa::~TestCa() { delete keys_; }

std::string TestCa::chain() const { return intermediate_pem_; }

namespace {

// What every leaf gets from the CA: issuer, key identifiers, CDP; then the signature.
void finish_leaf(X509* cert, X509* issuer, EVP_PKEY* issuer_key, const CertOptions& o) {
    X509_set_issuer_name(cert, X509_get_subject_name(issuer));
    if (X509_get_ext_by_NID(cert, NID_subject_key_identifier, -1) < 0)
        add_extension(cert, issuer, NID_subject_key_identifier, "hash");
    add_extension(cert, issuer, NID_authority_key_identifier, "keyid:always");
    if (!o.crl_url.empty()) add_extension(cert, issuer, NID_crl_distribution_points, "URI:" + o.crl_url);
    sign(cert, issuer_key, o);
}

}  // namespace

Issued TestCa::issue(const std::string& csr_file, const std::string& key, const std::string& name,
                     const CertOptions& options) const {
    const std::string bytes = read_file(csr_file);
    Bio bio(BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size())));
    Request req(PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr));
    if (!req) fail("not a request: " + csr_file);
    Cert cert = new_cert(X509_REQ_get0_pubkey(req.get()), options);
    if (options.subject.empty())
        X509_set_subject_name(cert.get(), X509_REQ_get_subject_name(req.get()));
    else
        set_subject(cert.get(), options.subject);
    STACK_OF(X509_EXTENSION)* extensions = X509_REQ_get_extensions(req.get());
    for (int i = 0; i < sk_X509_EXTENSION_num(extensions); ++i) X509_add_ext(cert.get(), sk_X509_EXTENSION_value(extensions, i), -1);
    sk_X509_EXTENSION_pop_free(extensions, X509_EXTENSION_free);
    X509* issuer = keys_->issuer ? keys_->issuer.get() : keys_->root.get();
    if (!options.dns_names.empty()) add_extension(cert.get(), issuer, NID_subject_alt_name, joined(options.dns_names, "DNS:"));
    finish_leaf(cert.get(), issuer, keys_->issuer ? keys_->issuer_key.get() : keys_->root_key.get(), options);
    return {write_cert(dir_ / (name + ".pem"), cert.get()), key};
}

Issued TestCa::issue(const std::string& name, const CertOptions& options) const {
    if (options.dns_names.empty() && options.subject.empty()) fail("a certificate from names needs a name");
    Key key = new_key(options.key);
    Cert cert = new_cert(key.get(), options);
    set_subject(cert.get(), options.subject.empty() ? "/CN=" + options.dns_names.front() : options.subject);
    X509* issuer = keys_->issuer ? keys_->issuer.get() : keys_->root.get();
    if (!options.dns_names.empty()) add_extension(cert.get(), issuer, NID_subject_alt_name, joined(options.dns_names, "DNS:"));
    add_extension(cert.get(), issuer, NID_key_usage,
                  options.key.type == KeySpec::Type::ec ? "critical,digitalSignature" : "critical,digitalSignature,keyEncipherment");
    if (!options.eku.empty()) add_extension(cert.get(), issuer, NID_ext_key_usage, joined(options.eku, ""));
    finish_leaf(cert.get(), issuer, keys_->issuer ? keys_->issuer_key.get() : keys_->root_key.get(), options);
    return {write_cert(dir_ / (name + ".pem"), cert.get()), write_key(dir_ / (name + ".key"), key.get())};
}

std::string TestCa::pfx(const Issued& leaf, const std::string& name, const std::string& passphrase,
                        const std::string& friendly_name) const {
    const std::string cert_bytes = read_file(leaf.cert), key_bytes = read_file(leaf.key);
    Bio cb(BIO_new_mem_buf(cert_bytes.data(), static_cast<int>(cert_bytes.size())));
    Bio kb(BIO_new_mem_buf(key_bytes.data(), static_cast<int>(key_bytes.size())));
    Cert cert(PEM_read_bio_X509(cb.get(), nullptr, nullptr, nullptr));
    Key key(PEM_read_bio_PrivateKey(kb.get(), nullptr, nullptr, nullptr));
    if (!cert || !key) fail("cannot read " + leaf.cert + " or " + leaf.key);
    STACK_OF(X509)* cas = sk_X509_new_null();
    if (keys_->issuer) sk_X509_push(cas, keys_->issuer.get());
    sk_X509_push(cas, keys_->root.get());
    PKCS12* p12 = PKCS12_create(passphrase.c_str(), friendly_name.empty() ? nullptr : friendly_name.c_str(), key.get(),
                                cert.get(), cas, 0, 0, PKCS12_DEFAULT_ITER, PKCS12_DEFAULT_ITER, 0);
    sk_X509_free(cas);  // the certificates stay ours
    if (p12 == nullptr) fail("PKCS12_create");
    unsigned char* der = nullptr;
    const int n = i2d_PKCS12(p12, &der);
    PKCS12_free(p12);
    if (n <= 0) fail("PKCS#12 encoding");
    const std::string bytes(reinterpret_cast<const char*>(der), static_cast<std::size_t>(n));
    OPENSSL_free(der);
    write_file(dir_ / name, bytes, 0600);
    return dir_ / name;
}

}  // namespace certtool::test
