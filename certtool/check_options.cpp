#include "check_options.hpp"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>

#include "core/diagnostic.hpp"
#include "core/time.hpp"
#include "crypto/certificate.hpp"
#include "fs/safe_file.hpp"

namespace certtool::cli {

void usage_error(const std::string& code, const std::string& file, const std::string& message) {
    throw InputError(Diagnostic{code, file, "", 0, 0, message});
}

void add_check_options(CLI::App& command, CheckOptions& options) {
    command.add_option("--trust", options.trust, "PEM file of trusted roots (repeatable); default: the system store");
    command.add_option("--at", options.at, "check as at this UTC time, e.g. 2026-12-01 or 2026-12-01T08:00:00Z");
    command.add_option("--warn-days", options.warn_days, "warn when a certificate expires within this many days")
        ->capture_default_str()
        ->check(CLI::Range(0, 3650));
    command.add_flag("--no-chain", options.no_chain, "skip chain validation");
}

namespace {

std::vector<std::string> trust_anchors(const std::vector<std::string>& files) {
    std::vector<std::string> der;
    for (const auto& file : files) {
        try {
            const auto bundle = crypto::load_certificates(fs::read_file_bounded(file, kMaxCertificateFile, "trust"), std::nullopt);
            for (const auto& c : bundle.certificates) der.push_back(c.der);
        } catch (const crypto::CryptoError& e) {
            usage_error(e.code(), file, std::string("cannot read the trust anchors: ") + e.what());
        }
    }
    return der;
}

}  // namespace

check::Context make_context(const CheckOptions& options) {
    check::Context context;
    if (options.at.empty()) {
        context.at = std::chrono::system_clock::now();
    } else {
        const auto at = parse_utc(options.at);
        if (!at) usage_error("usage.at", "", "--at takes a UTC time such as 2026-11-23 or 2026-11-23T12:00:00Z, not '" + options.at + "'");
        context.at = *at;
    }
    context.warn_days = options.warn_days;
    context.check_chain = !options.no_chain;
    context.chain.at = context.at;
    context.chain.trusted_der = trust_anchors(options.trust);
    context.chain.use_system_store = options.trust.empty();
    return context;
}

std::vector<std::string> expand_files(const std::vector<std::string>& paths, const std::string& code) {
    std::vector<std::string> files;
    for (const auto& path : paths) {
        struct stat st {};
        if (::stat(path.c_str(), &st) != 0) usage_error(code, path, "cannot read: no such file or directory");
        if (!S_ISDIR(st.st_mode)) {
            files.push_back(path);
            continue;
        }
        std::vector<std::string> inside;
        DIR* d = ::opendir(path.c_str());
        if (d == nullptr) usage_error(code, path, "cannot read the directory");
        while (const dirent* e = ::readdir(d)) {
            const std::string name = e->d_name;
            if (name.empty() || name[0] == '.') continue;
            const std::string full = fs::join(path, name);
            struct stat fst {};
            if (::stat(full.c_str(), &fst) == 0 && S_ISREG(fst.st_mode)) inside.push_back(full);
        }
        ::closedir(d);
        std::sort(inside.begin(), inside.end());
        files.insert(files.end(), inside.begin(), inside.end());
    }
    return files;
}

}  // namespace certtool::cli
