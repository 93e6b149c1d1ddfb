// The local CA. Every name, EKU and key usage comes from the plan; the CSR
// contributes only its public key (and is checked against the plan).
#include "ca/ca.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/diagnostic.hpp"
#include "crypto/certificate.hpp"
#include "crypto/issue.hpp"
#include "fs/safe_file.hpp"
#include "inventory/key_file.hpp"
#include "inventory/inventory.hpp"
#include "model/roles.hpp"

namespace certtool::ca {

namespace {

constexpr const char* kCaSchema = "certtool.ca/v1";
constexpr const char* kIndexSchema = "certtool.ca-index/v1";
constexpr std::size_t kMaxFile = 64 << 20;
constexpr std::size_t kNamesListed = 20;  // per kind, in a ca.names-differ message

[[noreturn]] void fail(const std::string& code, const std::string& file, const std::string& message) {
    throw InputError(Diagnostic{code, file, "", 0, 0, message});
}

std::string path_in(const std::string& dir, const std::string& name) { return fs::join(dir, name); }

// A name from a request, for a message: a DNS name has at most 253 characters, a request's may have any number.
std::string shown(const std::string& name) {
    if (name.size() <= 253) return name;
    return name.substr(0, 253) + "... (" + std::to_string(name.size()) + " characters)";
}

// Holds DIR/.lock exclusively while the CA's files change.
class Lock {
public:
    explicit Lock(const std::string& dir) : fd_(::open(path_in(dir, ".lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600)) {
        if (fd_ < 0 || ::flock(fd_, LOCK_EX) != 0) fail("ca.lock", path_in(dir, ".lock"), "cannot lock the CA directory");
    }
    ~Lock() {
        if (fd_ >= 0) ::close(fd_);
    }
    Lock(const Lock&) = delete;
    Lock& operator=(const Lock&) = delete;

private:
    int fd_;
};

void write_new(const std::string& path, const std::string& content, mode_t mode) {
    fs::write_file_atomic(path, content, {mode, false});
}

void write_replace(const std::string& path, const std::string& content) { fs::write_file_atomic(path, content, {0644, true}); }

nlohmann::ordered_json read_json(const std::string& path, const std::string& schema) {
    const std::string text = fs::read_file_bounded(path, kMaxFile, "ca");
    auto doc = nlohmann::ordered_json::parse(text, nullptr, false);
    if (doc.is_discarded() || !doc.is_object() || !doc.contains("schema") || !doc["schema"].is_string() ||
        doc["schema"] != schema)
        fail("ca.corrupt", path, "not a " + schema + " file; was this directory made by 'certtool ca init'?");
    return doc;
}

crypto::Certificate read_certificate(const std::string& path) {
    return inventory::read_certificate_file(path, {}, "ca").leaf_certificate();
}

crypto::PrivateKey read_key(const std::string& path, const Secret& passphrase) {
    try {
        return inventory::read_key_file(path, passphrase, "ca").key;
    } catch (const crypto::CryptoError& e) {
        fail(e.code(), path,
             e.code() == "key.encrypted" ? "the CA key is encrypted: give --passphrase-file or --passphrase-env" : e.what());
    }
}

bool is_http_url(const std::string& url) {
    return (url.rfind("http://", 0) == 0 && url.size() > 7) || (url.rfind("https://", 0) == 0 && url.size() > 8);
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

crypto::DistinguishedName subject_of(const model::CertificateRequirement& r) {
    return {r.common_name, r.organization.organization, r.organization.organizational_unit, r.organization.locality,
            r.organization.state, r.organization.country};
}

// The issuing CA (the intermediate when there is one) and the chain file.
struct Authority {
    crypto::Certificate certificate;
    crypto::PrivateKey key;
    std::string chain_pem;
};

Authority load_authority(const std::string& dir, const Secret& passphrase) {
    const auto config = read_json(path_in(dir, "ca.json"), kCaSchema);
    const std::string issuing = config.value("issuing", "root");
    Authority a{read_certificate(path_in(dir, issuing + ".pem")), read_key(path_in(dir, issuing + ".key"), passphrase),
                fs::read_file_bounded(path_in(dir, "chain.pem"), kMaxFile, "ca")};
    if (!crypto::key_matches(a.key, a.certificate))
        fail("ca.corrupt", path_in(dir, issuing + ".key"), "this key does not belong to " + issuing + ".pem");
    return a;
}

}  // namespace

InitResult init(const InitOptions& o) {
    // Bad usage first: a refused init leaves no directory behind.
    if (!o.crl_url.empty() && !is_http_url(o.crl_url))
        fail("usage.crl-url", "", "--crl-url takes an http:// URL (Lync fetches CRLs over HTTP), not '" + o.crl_url + "'");
    fs::prepare_output_directory(o.dir, true);
    if (fs::exists(path_in(o.dir, "ca.json")) || fs::exists(path_in(o.dir, "root.key")))
        fail("ca.exists", o.dir, "this directory already holds a CA; certtool never replaces a CA key");
    Lock lock(o.dir);
    InitResult result;

    const auto make_ca = [&](const std::string& name, const std::string& cn, int days, const crypto::Issuer& issuer,
                             std::optional<int> path_length) {
        auto key = crypto::generate_key(o.key);
        crypto::IssueRequest request;
        request.subject.common_name = cn;
        request.key_usage = {"digitalSignature", "keyCertSign", "cRLSign"};
        request.is_ca = true;
        request.path_length = path_length;
        request.not_before = o.now - std::chrono::minutes(5);
        request.not_after = o.now + std::chrono::hours(24) * days;
        if (issuer.certificate != nullptr && !o.crl_url.empty()) request.crl_urls = {o.crl_url};
        const crypto::Issuer self{nullptr, &key};
        const std::string der =
            crypto::issue_certificate(crypto::public_key_der(key), request, issuer.key == nullptr ? self : issuer);
        const Secret key_pem(crypto::to_pkcs8_pem(key, o.passphrase.value()));
        write_new(path_in(o.dir, name + ".key"), *key_pem, 0600);
        write_new(path_in(o.dir, name + ".pem"), crypto::certificate_pem(der), 0644);
        result.files.push_back(path_in(o.dir, name + ".key"));
        result.files.push_back(path_in(o.dir, name + ".pem"));
        return std::make_pair(crypto::parse_certificate_der(der), std::move(key));
    };

    auto [root, root_key] = make_ca("root", o.name, o.root_days, {}, std::nullopt);
    result.root_sha256 = result.issuing_sha256 = root.sha256_fingerprint;
    std::string chain = crypto::certificate_pem(root.der);
    std::string issuing = "root";
    if (o.intermediate) {
        auto [inter, inter_key] = make_ca("intermediate", o.name + " Issuing CA", o.intermediate_days, {&root, &root_key}, 0);
        result.issuing_sha256 = inter.sha256_fingerprint;
        chain = crypto::certificate_pem(inter.der) + chain;
        issuing = "intermediate";
    }
    write_new(path_in(o.dir, "chain.pem"), chain, 0644);
    nlohmann::ordered_json index{{"schema", kIndexSchema}, {"issued", nlohmann::json::array()}};
    write_new(path_in(o.dir, "index.json"), index.dump(2) + "\n", 0644);
    nlohmann::ordered_json config{{"schema", kCaSchema}, {"name", o.name},       {"issuing", issuing},
                                  {"crl_url", o.crl_url}, {"next_crl_number", 1}};
    write_new(path_in(o.dir, "ca.json"), config.dump(2) + "\n", 0644);  // last: its presence means "complete"
    result.files.push_back(path_in(o.dir, "chain.pem"));
    result.files.push_back(path_in(o.dir, "index.json"));
    result.files.push_back(path_in(o.dir, "ca.json"));
    return result;
}

NameDifference compare_names(const std::vector<std::string>& csr_names, const model::CertificateRequirement& r) {
    NameDifference d;
    std::vector<std::string> asked;
    for (const auto& n : csr_names) asked.push_back(lower(n));
    for (const auto& san : r.sans)
        if (std::find(asked.begin(), asked.end(), san.name) == asked.end()) d.missing.push_back(san.name);
    for (const auto& n : asked)
        if (!r.has_san(n)) d.extra.push_back(n);
    return d;
}

SignResult sign(const SignOptions& o) {
    const auto& r = *o.requirement;
    crypto::CsrContents csr;
    try {
        csr = crypto::read_csr(o.csr_pem);
    } catch (const crypto::CryptoError& e) {
        fail(e.code(), o.csr_file, e.what());
    }

    SignResult result;
    result.differences = compare_names(csr.dns_names, r);
    if (!result.differences.empty() && !o.accept_name_differences) {
        // A request may carry thousands of names: list the first few of each kind, count the rest.
        std::string message = "the request's names differ from the plan's for " + r.id + ":";
        const auto list = [&message](const std::vector<std::string>& names, const std::string& what) {
            for (std::size_t i = 0; i < names.size() && i < kNamesListed; ++i) message += " " + what + " " + shown(names[i]) + ";";
            if (names.size() > kNamesListed)
                message += " and " + std::to_string(names.size() - kNamesListed) + " more " + what + ";";
        };
        list(result.differences.missing, "missing");
        list(result.differences.extra, "not planned");
        message += " the certificate would carry the plan's names; make a new request with 'certtool csr', or add "
                   "--accept-name-differences to issue with the plan's names";
        fail("ca.names-differ", o.csr_file, message);
    }
    const bool planned_rsa = r.key.algorithm == topology::KeyAlgorithm::rsa;
    if ((csr.key.type == crypto::KeyType::rsa) != planned_rsa)
        fail("key.algorithm", o.csr_file, "the request's key is not " + r.key.algorithm_name() + " as the plan says");
    if (csr.key.type == crypto::KeyType::rsa && csr.key.bits < 2048 && (r.key.bits >= 2048 || model::facts(r.role).min_rsa_bits >= 2048))
        fail("key.too-small", o.csr_file, "RSA " + std::to_string(csr.key.bits) + "-bit key: the plan needs at least 2048");

    Lock lock(o.dir);
    const auto config = read_json(path_in(o.dir, "ca.json"), kCaSchema);
    const std::string crl_url = o.crl_url.empty() ? config.value("crl_url", "") : o.crl_url;
    if (crl_url.empty())
        fail("ca.no-crl-url", o.dir, "Lync needs a CRL distribution point on every certificate (G2): give --crl-url");
    if (!is_http_url(crl_url)) fail("usage.crl-url", "", "--crl-url takes an http:// URL, not '" + crl_url + "'");
    const Authority authority = load_authority(o.dir, o.passphrase);

    crypto::IssueRequest request;
    request.subject = subject_of(r);
    for (const auto& san : r.sans) request.dns_names.push_back(san.name);
    request.eku = r.eku;
    request.key_usage = r.key_usage;
    request.crl_urls = {crl_url};
    request.not_before = o.now - std::chrono::minutes(5);
    request.not_after = std::min(o.now + std::chrono::hours(24) * o.days.value_or(o.policy_days), authority.certificate.not_after);
    request.signature_hash = r.signature_hash;
    const std::string der = crypto::issue_certificate(csr.public_key_der, request, {&authority.certificate, &authority.key});
    const auto issued = crypto::parse_certificate_der(der);

    result.certificate_pem = crypto::certificate_pem(der);
    result.chain_pem = authority.chain_pem;
    result.serial_hex = issued.serial_hex;
    result.not_after = issued.not_after;
    result.file = path_in(path_in(o.dir, "issued"), issued.serial_hex + ".pem");
    fs::prepare_output_directory(path_in(o.dir, "issued"), true);
    write_new(result.file, result.certificate_pem, 0644);

    auto index = read_json(path_in(o.dir, "index.json"), kIndexSchema);
    index["issued"].push_back({{"serial", issued.serial_hex},
                               {"certificate_id", r.id},
                               {"subject", r.common_name},
                               {"sans", request.dns_names},
                               {"not_before", format_datetime(issued.not_before)},
                               {"not_after", format_datetime(issued.not_after)},
                               {"sha256", issued.sha256_fingerprint},
                               {"file", "issued/" + issued.serial_hex + ".pem"}});
    write_replace(path_in(o.dir, "index.json"), index.dump(2) + "\n");
    return result;
}

CrlResult crl(const CrlOptions& o) {
    Lock lock(o.dir);
    auto config = read_json(path_in(o.dir, "ca.json"), kCaSchema);
    auto index = read_json(path_in(o.dir, "index.json"), kIndexSchema);
    for (const auto& serial : o.revoke) {
        const std::string wanted = lower(serial);
        auto& issued = index["issued"];
        const auto it = std::find_if(issued.begin(), issued.end(), [&](const nlohmann::ordered_json& e) { return e.value("serial", "") == wanted; });
        if (it == issued.end()) fail("ca.unknown-serial", path_in(o.dir, "index.json"), "this CA never issued serial " + serial);
        if (!it->contains("revoked_at")) (*it)["revoked_at"] = format_datetime(o.now);
    }
    const Authority authority = load_authority(o.dir, o.passphrase);
    std::vector<crypto::RevokedEntry> revoked;
    for (const auto& e : index["issued"])
        if (e.contains("revoked_at"))
            revoked.push_back({e.value("serial", ""), parse_utc(e.value("revoked_at", "")).value_or(o.now)});

    CrlResult result;
    result.number = config.value("next_crl_number", 1L);
    result.revoked = revoked.size();
    result.file = path_in(o.dir, "crl.pem");
    const std::string pem = crypto::make_crl_pem({&authority.certificate, &authority.key}, revoked, result.number, o.now,
                                                 o.now + std::chrono::hours(24) * o.days);
    // The index first (a revocation is never lost), then the CRL, then the counter.
    write_replace(path_in(o.dir, "index.json"), index.dump(2) + "\n");
    write_replace(result.file, pem);
    config["next_crl_number"] = result.number + 1;
    write_replace(path_in(o.dir, "ca.json"), config.dump(2) + "\n");
    return result;
}

}  // namespace certtool::ca
