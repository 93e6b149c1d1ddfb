#include "check_options.hpp"

#include <sys/stat.h>

#include "core/diagnostic.hpp"
#include "core/time.hpp"
#include "inventory/inventory.hpp"
#include "verb.hpp"

namespace certtool::cli {

void usage_error(const std::string& code, const std::string& file, const std::string& message) {
    throw InputError(Diagnostic{code, file, "", 0, 0, message});
}

void add_check_options(CLI::App& command, CheckOptions& options) {
    command.add_option("--trust", options.trust, "PEM file of trusted roots (repeatable); default: the system store");
    command.add_option("--untrusted", options.untrusted,
                       "PEM/DER file of intermediate CAs offered to build the chain, not trusted (repeatable); "
                       "<stem>.chain.pem beside <stem>.pem is read without it");
    add_at_option(command, options.at, "check as at");
    command.add_option("--warn-days", options.warn_days,
                       "warn when a certificate expires within this many days; default: when a third of its own "
                       "lifetime (notBefore to notAfter) remains, never less than its -Roll lead time (8 h A/V, 24 h OAuth)")
        ->check(CLI::Range(0, 3650));
    command.add_flag("--no-chain", options.no_chain, "skip chain validation");
}

namespace {

// The certificates of --trust or --untrusted files (`what` for messages), and per file how many.
std::vector<std::string> certificates_of(const std::vector<std::string>& files, const std::string& what,
                                         std::vector<std::size_t>* counts = nullptr) {
    std::vector<std::string> der;
    for (const auto& file : files) {
        try {
            const auto read = inventory::read_certificate_file(file, Secret(), "trust");
            for (const auto& c : read.certificates) der.push_back(c.der);
            if (counts != nullptr) counts->push_back(read.certificates.size());
        } catch (const InputError& e) {
            const auto& d = e.diagnostics().front();
            usage_error(d.code, file, "cannot read the " + what + ": " + d.message);
        }
    }
    return der;
}

}  // namespace

check::Context make_context(const CheckOptions& options) {
    check::Context context;
    context.at = at_or_now(options.at);
    context.warn_days = options.warn_days;
    context.check_chain = !options.no_chain;
    context.chain.at = context.at;
    context.chain.trusted_der = certificates_of(options.trust, "trust anchors");
    std::vector<std::size_t> counts;
    context.chain.intermediates_der = certificates_of(options.untrusted, "intermediates (--untrusted)", &counts);
    for (std::size_t i = 0; i < options.untrusted.size(); ++i)
        context.intermediates_from.push_back("--untrusted " + options.untrusted[i] + " (" + std::to_string(counts[i]) + ")");
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
        const auto inside = inventory::files_in(path);
        if (!inside) usage_error(code, path, "cannot read the directory");
        const auto leaves = inventory::without_chain_files(*inside);  // a chain file is read with its leaf
        files.insert(files.end(), leaves.begin(), leaves.end());
    }
    return files;
}

}  // namespace certtool::cli
