// The local CA. Every name, EKU and key usage comes from the plan; the CSR
// contributes only its public key (and is checked against the plan).
#include "ca/ca.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <set>
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

// One CA of the directory ("root" or "intermediate"): its certificate and key.
struct Authority {
    crypto::Certificate certificate;
    crypto::PrivateKey key;
};

Authority load_ca(const std::string& dir, const std::string& name, const Secret& passphrase) {
    Authority a{read_certificate(path_in(dir, name + ".pem")), read_key(path_in(dir, name + ".key"), passphrase)};
    if (!crypto::key_matches(a.key, a.certificate))
        fail("ca.corrupt", path_in(dir, name + ".key"), "this key does not belong to " + name + ".pem");
    return a;
}

std::string issuing_of(const nlohmann::ordered_json& config) { return config.value("issuing", "root") == "intermediate" ? "intermediate" : "root"; }

// One CA's CRL as ca.json describes it; a ca.json of an older certtool (no
// root_crl_url) gets the root's URL derived, and says so in `notes`.
struct CrlSpec {
    std::string ca;          // "root" / "intermediate"
    std::string url;
    std::string file_name;   // under DIR/crl/
    std::string number_key;  // the ca.json member with its next CRL number
};

std::vector<CrlSpec> crl_specs(const nlohmann::ordered_json& config, const std::string& config_file, std::vector<std::string>& notes) {
    const std::string issuing = issuing_of(config);
    std::vector<CrlSpec> specs{{issuing, config.value("crl_url", ""), "", "next_crl_number"}};
    if (issuing == "intermediate") {
        CrlSpec root{"root", config.value("root_crl_url", ""), "", "root_next_crl_number"};
        if (!config.contains("root_crl_url") && crl_file_name(specs[0].url)) {
            root.url = derived_root_crl_url(specs[0].url);
            notes.push_back(config_file + " names no CRL URL for the root (a CA made before the root had its own CRL): using " +
                            root.url + ", derived from crl_url");
        }
        specs.push_back(root);
    }
    for (auto& spec : specs) {
        spec.file_name = crl_file_name(spec.url).value_or(spec.ca + ".crl");
        if (!spec.url.empty() && !crl_file_name(spec.url))
            notes.push_back("the " + spec.ca + "'s CRL URL " + spec.url + " ends in no file name: its CRL is written as crl/" + spec.file_name);
    }
    if (specs.size() == 2 && specs[0].file_name == specs[1].file_name) specs[1].file_name = "root-" + specs[1].file_name;
    return specs;
}

}  // namespace

InitResult init(const InitOptions& o) {
    // Bad usage first: a refused init leaves no directory behind.
    const auto check_url = [](const std::string& url, const std::string& option) {
        if (url.empty()) return;
        if (!is_http_url(url)) fail("usage.crl-url", "", option + " takes an http:// URL (Lync fetches CRLs over HTTP), not '" + url + "'");
        if (!crl_file_name(url))
            fail("usage.crl-url", "", option + " " + url + " must end in a file name without ? or # (e.g. http://pki.contoso.net/labca.crl): " +
                                          "ca crl writes the CRL under that name");
    };
    check_url(o.crl_url, "--crl-url");
    check_url(o.root_crl_url, "--root-crl-url");
    if (!o.root_crl_url.empty() && !o.intermediate)
        fail("usage.crl-url", "", "--root-crl-url needs --intermediate: without one the root issues the certificates and its CRL URL is --crl-url");
    std::string root_crl_url = o.root_crl_url;
    const bool derived = o.intermediate && root_crl_url.empty() && !o.crl_url.empty();
    if (derived) root_crl_url = derived_root_crl_url(o.crl_url);
    if (!o.crl_url.empty() && !root_crl_url.empty() && crl_file_name(o.crl_url) == crl_file_name(root_crl_url))
        fail("usage.crl-url", "", "--crl-url and --root-crl-url end in the same file name " + *crl_file_name(o.crl_url) +
                                      ": the two CRLs are different files");
    fs::prepare_output_directory(o.dir, true);
    if (fs::exists(path_in(o.dir, "ca.json")) || fs::exists(path_in(o.dir, "root.key")))
        fail("ca.exists", o.dir, "this directory already holds a CA; certtool never replaces a CA key");
    Lock lock(o.dir);
    InitResult result;

    // The root, a trust anchor, has no CRL distribution point; the intermediate names the root's CRL.
    const auto make_ca = [&](const std::string& name, const std::string& cn, int days, const crypto::Issuer& issuer,
                             std::optional<int> path_length, const std::string& crl_url) {
        auto key = crypto::generate_key(o.key);
        crypto::IssueRequest request;
        request.subject.common_name = cn;
        request.key_usage = {"digitalSignature", "keyCertSign", "cRLSign"};
        request.is_ca = true;
        request.path_length = path_length;
        request.not_before = o.now - std::chrono::minutes(5);
        request.not_after = o.now + std::chrono::hours(24) * days;
        if (!crl_url.empty()) request.crl_urls = {crl_url};
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

    auto [root, root_key] = make_ca("root", o.name, o.root_days, {}, std::nullopt, "");
    result.root_sha256 = result.issuing_sha256 = root.sha256_fingerprint;
    std::string chain = crypto::certificate_pem(root.der);
    std::string issuing = "root";
    if (o.intermediate) {
        auto [inter, inter_key] = make_ca("intermediate", o.name + " Issuing CA", o.intermediate_days, {&root, &root_key}, 0, root_crl_url);
        result.issuing_sha256 = inter.sha256_fingerprint;
        chain = crypto::certificate_pem(inter.der) + chain;
        issuing = "intermediate";
    }
    write_new(path_in(o.dir, "chain.pem"), chain, 0644);
    nlohmann::ordered_json index{{"schema", kIndexSchema}, {"issued", nlohmann::json::array()}};
    write_new(path_in(o.dir, "index.json"), index.dump(2) + "\n", 0644);
    nlohmann::ordered_json config{{"schema", kCaSchema}, {"name", o.name},       {"issuing", issuing},
                                  {"crl_url", o.crl_url}, {"next_crl_number", 1}};
    if (o.intermediate) {
        config["root_crl_url"] = root_crl_url;
        config["root_next_crl_number"] = 1;
    }
    write_new(path_in(o.dir, "ca.json"), config.dump(2) + "\n", 0644);  // last: its presence means "complete"
    result.files.push_back(path_in(o.dir, "chain.pem"));
    result.files.push_back(path_in(o.dir, "index.json"));
    result.files.push_back(path_in(o.dir, "ca.json"));
    result.crl_url = o.crl_url;
    result.root_crl_url = root_crl_url;
    result.root_crl_url_derived = derived;
    return result;
}

std::optional<std::string> crl_file_name(const std::string& url) {
    if (!is_http_url(url) || url.find_first_of("?#") != std::string::npos) return std::nullopt;
    const auto path = url.find('/', url.find("://") + 3);
    if (path == std::string::npos) return std::nullopt;
    std::string name = url.substr(url.rfind('/') + 1);
    if (name.empty() || name.front() == '.') return std::nullopt;
    for (const unsigned char c : name)
        if (std::isalnum(c) == 0 && c != '.' && c != '_' && c != '-') return std::nullopt;
    return name;
}

std::string derived_root_crl_url(const std::string& url) {
    const std::string name = crl_file_name(url).value();
    const auto dot = name.rfind('.');
    const std::string stem = dot == std::string::npos ? name : name.substr(0, dot);
    const std::string extension = dot == std::string::npos ? "" : name.substr(dot);
    return url.substr(0, url.size() - name.size()) + stem + "-root" + extension;
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

namespace {

// The checks of one request against its plan entry, before anything is issued.
struct CheckedRequest {
    crypto::CsrContents csr;
    NameDifference differences;
};

CheckedRequest check_request(const std::string& csr_pem, const std::string& csr_file, const model::CertificateRequirement& r,
                             bool accept_name_differences) {
    CheckedRequest checked;
    try {
        checked.csr = crypto::read_csr(csr_pem);
    } catch (const crypto::CryptoError& e) {
        fail(e.code(), csr_file, e.what());
    }
    const auto& csr = checked.csr;
    checked.differences = compare_names(csr.dns_names, r);
    if (!checked.differences.empty() && !accept_name_differences) {
        // A request may carry thousands of names: list the first few of each kind, count the rest.
        std::string message = "the request's names differ from the plan's for " + r.id + ":";
        const auto list = [&message](const std::vector<std::string>& names, const std::string& what) {
            for (std::size_t i = 0; i < names.size() && i < kNamesListed; ++i) message += " " + what + " " + shown(names[i]) + ";";
            if (names.size() > kNamesListed)
                message += " and " + std::to_string(names.size() - kNamesListed) + " more " + what + ";";
        };
        list(checked.differences.missing, "missing");
        list(checked.differences.extra, "not planned");
        message += " the certificate would carry the plan's names; make a new request with 'certtool csr', or add "
                   "--accept-name-differences to issue with the plan's names";
        fail("ca.names-differ", csr_file, message);
    }
    const bool planned_rsa = r.key.algorithm == topology::KeyAlgorithm::rsa;
    if ((csr.key.type == crypto::KeyType::rsa) != planned_rsa)
        fail("key.algorithm", csr_file, "the request's key is not " + r.key.algorithm_name() + " as the plan says");
    if (csr.key.type == crypto::KeyType::rsa && csr.key.bits < 2048 && (r.key.bits >= 2048 || model::facts(r.role).min_rsa_bits >= 2048))
        fail("key.too-small", csr_file, "RSA " + std::to_string(csr.key.bits) + "-bit key: the plan needs at least 2048");
    return checked;
}

}  // namespace

std::vector<SignResult> sign_batch(const SignOptions& o, const std::vector<SignBatchEntry>& entries) {
    // Every request is checked before the CA is touched: one bad, none issued, every problem listed.
    std::vector<CheckedRequest> checked;
    std::vector<Diagnostic> problems;
    for (const auto& entry : entries) {
        try {
            checked.push_back(check_request(entry.csr_pem, entry.csr_file, *entry.requirement, o.accept_name_differences));
        } catch (const InputError& e) {
            problems.insert(problems.end(), e.diagnostics().begin(), e.diagnostics().end());
        }
    }
    if (!problems.empty()) throw InputError(problems);

    Lock lock(o.dir);
    const auto config = read_json(path_in(o.dir, "ca.json"), kCaSchema);
    const std::string crl_url = o.crl_url.empty() ? config.value("crl_url", "") : o.crl_url;
    if (crl_url.empty())
        fail("ca.no-crl-url", o.dir, "Lync needs a CRL distribution point on every certificate (G2): give --crl-url");
    if (!is_http_url(crl_url)) fail("usage.crl-url", "", "--crl-url takes an http:// URL, not '" + crl_url + "'");
    if (config.contains("intermediate_revoked_at"))
        fail("ca.revoked", path_in(o.dir, "ca.json"),
             "the intermediate of this CA was revoked at " + config.value("intermediate_revoked_at", "") +
                 ": whatever it signs fails revocation checks; create a new CA with 'certtool ca init'");
    const std::string issuing = issuing_of(config);
    const Authority authority = load_ca(o.dir, issuing, o.passphrase);
    const std::string chain_pem = fs::read_file_bounded(path_in(o.dir, "chain.pem"), kMaxFile, "ca");
    const std::string intermediates_pem = issuing == "intermediate" ? crypto::certificate_pem(authority.certificate.der) : "";
    auto index = read_json(path_in(o.dir, "index.json"), kIndexSchema);
    fs::prepare_output_directory(path_in(o.dir, "issued"), true);

    std::vector<SignResult> results;
    for (std::size_t i = 0; i < entries.size(); ++i) {
        const auto& r = *entries[i].requirement;
        crypto::IssueRequest request;
        request.subject = subject_of(r);
        for (const auto& san : r.sans) request.dns_names.push_back(san.name);
        request.eku = r.eku;
        request.key_usage = r.key_usage;
        request.crl_urls = {crl_url};
        request.not_before = o.now - std::chrono::minutes(5);
        request.not_after = std::min(o.now + std::chrono::hours(24) * o.days.value_or(r.validity_days), authority.certificate.not_after);
        request.signature_hash = r.signature_hash;
        const std::string der = crypto::issue_certificate(checked[i].csr.public_key_der, request, {&authority.certificate, &authority.key});
        const auto issued = crypto::parse_certificate_der(der);

        SignResult result;
        result.differences = checked[i].differences;
        result.certificate_pem = crypto::certificate_pem(der);
        result.chain_pem = chain_pem;
        result.intermediates_pem = intermediates_pem;
        result.serial_hex = issued.serial_hex;
        result.not_before = issued.not_before;
        result.not_after = issued.not_after;
        result.sha256 = issued.sha256_fingerprint;
        result.thumbprint = issued.sha1_thumbprint;
        result.file = path_in(path_in(o.dir, "issued"), issued.serial_hex + ".pem");
        write_new(result.file, result.certificate_pem, 0644);
        index["issued"].push_back({{"serial", issued.serial_hex},
                                   {"certificate_id", r.id},
                                   {"subject", r.common_name},
                                   {"sans", request.dns_names},
                                   {"not_before", format_datetime(issued.not_before)},
                                   {"not_after", format_datetime(issued.not_after)},
                                   {"sha256", issued.sha256_fingerprint},
                                   {"file", "issued/" + issued.serial_hex + ".pem"}});
        // After each one: a run that stops halfway has every certificate it issued indexed.
        write_replace(path_in(o.dir, "index.json"), index.dump(2) + "\n");
        results.push_back(std::move(result));
    }
    return results;
}

SignResult sign(const SignOptions& o) { return sign_batch(o, {{o.csr_pem, o.csr_file, o.requirement}}).front(); }

CrlResult crl(const CrlOptions& o) {
    Lock lock(o.dir);
    const std::string config_file = path_in(o.dir, "ca.json");
    auto config = read_json(config_file, kCaSchema);
    auto index = read_json(path_in(o.dir, "index.json"), kIndexSchema);
    CrlResult result;
    const auto specs = crl_specs(config, config_file, result.notes);
    const bool has_intermediate = specs.size() == 2;
    const crypto::Certificate root_certificate = read_certificate(path_in(o.dir, "root.pem"));
    std::optional<crypto::Certificate> intermediate;
    if (has_intermediate) intermediate = read_certificate(path_in(o.dir, "intermediate.pem"));

    // Every serial is resolved before anything changes: one unknown, and none is revoked.
    std::set<std::string> asked;  // the CAs whose CRL a --revoke names
    for (const auto& serial : o.revoke) {
        const std::string wanted = lower(serial);
        if (wanted == root_certificate.serial_hex)
            fail("ca.revoke-root", path_in(o.dir, "root.pem"),
                 "serial " + serial + " is the root's own: no CRL revokes a trust anchor; remove root.pem from the trust stores instead");
        if (intermediate && wanted == intermediate->serial_hex) {
            if (!config.contains("intermediate_revoked_at")) {
                config["intermediate_revoked_at"] = format_datetime(o.now);
                result.intermediate_revoked_now = true;
            }
            asked.insert("root");
            continue;
        }
        auto& issued = index["issued"];
        const auto it = std::find_if(issued.begin(), issued.end(), [&](const nlohmann::ordered_json& e) { return e.value("serial", "") == wanted; });
        if (it == issued.end()) fail("ca.unknown-serial", path_in(o.dir, "index.json"), "this CA never issued serial " + serial);
        if (!it->contains("revoked_at")) (*it)["revoked_at"] = format_datetime(o.now);
        asked.insert(specs.front().ca);
    }

    // What each CRL lists: the issuing CA's, the leaves revoked; the root's (with an intermediate), the intermediate.
    const auto revoked_by = [&](const std::string& ca) {
        std::vector<crypto::RevokedEntry> revoked;
        if (ca == specs.front().ca) {
            for (const auto& e : index["issued"])
                if (e.contains("revoked_at"))
                    revoked.push_back({e.value("serial", ""), parse_utc(e.value("revoked_at", "")).value_or(o.now)});
        } else if (config.contains("intermediate_revoked_at")) {
            revoked.push_back({intermediate->serial_hex, parse_utc(config.value("intermediate_revoked_at", "")).value_or(o.now)});
        }
        return revoked;
    };

    struct Pending {
        std::size_t status;
        crypto::EncodedCrl encoded;
    };
    std::vector<Pending> pending;
    for (const auto& spec : specs) {
        CrlStatus status;
        status.ca = spec.ca;
        status.url = spec.url;
        status.file = path_in(path_in(o.dir, "crl"), spec.file_name);
        status.pem_file = status.file + ".pem";
        const auto revoked = revoked_by(spec.ca);
        status.revoked = revoked.size();
        const nlohmann::ordered_json last = config.contains("crl_published") ? config["crl_published"].value(spec.ca, nlohmann::ordered_json()) : nlohmann::ordered_json();
        // The last CRL: when it was made and until when it holds (none: never written, or forgotten).
        TimePoint last_this{}, last_next{};
        bool have_last = false;
        if (last.is_object()) {
            const auto made = parse_utc(last.value("this_update", ""));
            const auto until = parse_utc(last.value("next_update", ""));
            have_last = made.has_value() && until.has_value();
            if (have_last) last_this = *made, last_next = *until;
        }
        const TimePoint halfway = last_this + (last_next - last_this) / 2;
        if (o.all) status.why = "--all";
        else if (!have_last || !fs::exists(status.file) || !fs::exists(status.pem_file)) status.why = "none written yet";
        else if (asked.count(spec.ca) != 0) status.why = "--revoke";
        else if (last.value("revoked", std::size_t{0}) != revoked.size()) status.why = "revocations since the last one";
        else if (o.now >= halfway) status.why = "half of its validity has passed";
        if (status.why.empty()) {
            status.number = last.value("number", 0L);
            status.next_update = last_next;
            status.why = "not due before " + format_datetime(halfway);
            result.crls.push_back(status);
            continue;
        }
        const Authority authority = load_ca(o.dir, spec.ca, o.passphrase);
        status.written = true;
        status.number = config.value(spec.number_key, 1L);
        status.next_update = o.now + std::chrono::hours(24) * o.days;
        pending.push_back({result.crls.size(), crypto::make_crl({&authority.certificate, &authority.key}, revoked, status.number,
                                                                o.now, status.next_update)});
        result.crls.push_back(status);
    }

    // The index first (a revocation is never lost), then the CRLs, then the counters.
    write_replace(path_in(o.dir, "index.json"), index.dump(2) + "\n");
    if (!pending.empty()) fs::prepare_output_directory(path_in(o.dir, "crl"), true);
    for (const auto& p : pending) {
        const auto& status = result.crls[p.status];
        write_replace(status.file, p.encoded.der);
        write_replace(status.pem_file, p.encoded.pem);
    }
    std::string combined;
    for (const auto& status : result.crls)
        if (fs::exists(status.pem_file)) combined += fs::read_file_bounded(status.pem_file, kMaxFile, "ca");
    result.combined_file = path_in(o.dir, "crl.pem");
    if (!combined.empty()) write_replace(result.combined_file, combined);
    for (const auto& spec : specs) {
        const auto it = std::find_if(result.crls.begin(), result.crls.end(), [&](const CrlStatus& c) { return c.ca == spec.ca; });
        if (!it->written) continue;
        config[spec.number_key] = it->number + 1;
        config["crl_published"][spec.ca] = {{"number", it->number},
                                            {"file", "crl/" + spec.file_name},
                                            {"this_update", format_datetime(o.now)},
                                            {"next_update", format_datetime(it->next_update)},
                                            {"revoked", it->revoked}};
    }
    write_replace(config_file, config.dump(2) + "\n");

    // A CA made by an older certtool: its intermediate names the leaves' CRL, which the root does not sign.
    if (intermediate && !specs[1].url.empty()) {
        const auto& points = intermediate->crl_distribution_points;
        if (std::find(points.begin(), points.end(), specs[1].url) == points.end())
            result.notes.push_back("intermediate.pem names " + (points.empty() ? std::string("no CRL distribution point") : points.front()) +
                                   ", not the root's CRL " + specs[1].url +
                                   ": clients that check revocation (Windows, Lync) cannot check the intermediate; this CA was made by an "
                                   "older certtool: create a new one with 'certtool ca init --intermediate' and reissue");
    }
    return result;
}

}  // namespace certtool::ca
