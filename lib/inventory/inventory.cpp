#include "inventory/inventory.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "fs/safe_file.hpp"

namespace certtool::inventory {

namespace {

// A PEM file holding only keys, requests or CRLs: not a certificate file.
bool only_other_pem(const std::string& data) {
    bool other = false;
    for (std::size_t at = data.find("-----BEGIN "); at != std::string::npos; at = data.find("-----BEGIN ", at + 1)) {
        const auto end = data.find("-----", at + 11);
        if (end == std::string::npos) break;
        const std::string label = data.substr(at + 11, end - at - 11);
        if (label == "CERTIFICATE" || label == "X509 CERTIFICATE" || label == "TRUSTED CERTIFICATE" || label == "PKCS7")
            return false;
        other = true;
    }
    return other;
}

}  // namespace

std::vector<crypto::Certificate> CertificateFile::others() const {
    std::vector<crypto::Certificate> out;
    for (std::size_t i = 0; i < certificates.size(); ++i)
        if (i != leaf) out.push_back(certificates[i]);
    return out;
}

std::size_t leaf_index(const std::vector<crypto::Certificate>& certificates, const crypto::PrivateKey* key) {
    const auto begin = certificates.begin();
    auto leaf = std::find_if(begin, certificates.end(), [&](const auto& c) { return key && crypto::key_matches(*key, c); });
    if (leaf == certificates.end()) leaf = std::find_if(begin, certificates.end(), [](const auto& c) { return !c.is_ca; });
    if (leaf == certificates.end()) leaf = begin;
    return static_cast<std::size_t>(leaf - begin);
}

CertificateFile read_certificate_file(const std::string& path, const Secret& passphrase, const std::string& code_prefix) {
    const std::string data = fs::read_file_bounded(path, kMaxCertificateFile, code_prefix);
    crypto::CertificateBundle bundle;
    try {
        bundle = crypto::load_certificates(data, passphrase.value());
    } catch (const crypto::CryptoError& e) {
        Diagnostic d{e.code(), path, "", 0, 0, e.what()};
        if ((e.code() == "cert.unreadable" || e.code() == "cert.empty") && only_other_pem(data)) throw NotACertificateFile(d);
        throw InputError(d);
    }
    if (bundle.certificates.empty()) throw InputError(Diagnostic{"cert.empty", path, "", 0, 0, "holds no certificate"});
    CertificateFile file;
    file.path = path;
    file.format = bundle.format;
    file.certificates = std::move(bundle.certificates);
    file.key = std::move(bundle.key);
    file.leaf = leaf_index(file.certificates, file.key ? &*file.key : nullptr);
    return file;
}

namespace {

// certtool's own indexes and reports (issued.json, manifest.json,
// acme-state.json, renewal.json, an audit report) sit beside the certificates
// it writes; no certificate file is JSON.
bool is_json_file_name(const std::string& name) {
    constexpr std::string_view kJson = ".json";
    return name.size() > kJson.size() && name.compare(name.size() - kJson.size(), kJson.size(), kJson) == 0;
}

}  // namespace

std::optional<std::vector<std::string>> files_in(const std::string& dir) {
    const auto names = fs::list_directory(dir, false);
    if (!names) return std::nullopt;
    std::vector<std::string> paths;
    for (const auto& name : *names)
        if (!is_json_file_name(name)) paths.push_back(fs::join(dir, name));
    return paths;
}

std::optional<std::vector<std::string>> member_folders(const std::string& dir) { return fs::list_directory(dir, true); }

namespace {

constexpr std::string_view kLeafSuffix = ".pem";
constexpr std::string_view kChainSuffix = ".chain.pem";

bool ends_with(const std::string& s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

std::optional<std::string> chain_file_beside(const std::string& path) {
    if (!ends_with(path, kLeafSuffix) || ends_with(path, kChainSuffix)) return std::nullopt;
    const std::string chain = path.substr(0, path.size() - kLeafSuffix.size()) + std::string(kChainSuffix);
    struct stat st {};
    if (::stat(chain.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
    return chain;
}

std::string chain_file_for(const std::string& path) {
    return std::filesystem::path(path).replace_extension().string() + std::string(kChainSuffix);
}

IssuedFiles issued_files(const std::string& dir, const std::string& id) {
    IssuedFiles files;
    files.certificate = fs::join(dir, id + std::string(kLeafSuffix));
    files.chain = chain_file_for(files.certificate);
    return files;
}

std::vector<std::string> without_chain_files(const std::vector<std::string>& files) {
    const std::set<std::string> listed(files.begin(), files.end());
    std::vector<std::string> kept;
    for (const auto& f : files) {
        if (ends_with(f, kChainSuffix) && listed.count(f.substr(0, f.size() - kChainSuffix.size()) + std::string(kLeafSuffix)) != 0) continue;
        kept.push_back(f);
    }
    return kept;
}

}  // namespace certtool::inventory
