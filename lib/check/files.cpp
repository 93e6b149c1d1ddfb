#include "check/files.hpp"

#include <algorithm>
#include <atomic>
#include <thread>

#include "core/parallel.hpp"
#include "inventory/inventory.hpp"

namespace certtool::check {

void offer_intermediates(const inventory::CertificateFile& file, const Secret& passphrase, const std::string& code_prefix,
                         Context& context) {
    std::vector<std::string> der;
    std::vector<std::string> from;
    const auto others = file.others();
    for (const auto& c : others) der.push_back(c.der);
    if (!others.empty()) from.push_back(file.path + " itself (" + std::to_string(others.size()) + ")");
    if (const auto chain = inventory::chain_file_beside(file.path)) {
        const auto read = inventory::read_certificate_file(*chain, passphrase, code_prefix);
        std::size_t offered = 0;
        for (const auto& c : read.certificates)
            if (c.der != file.leaf_certificate().der) {
                der.push_back(c.der);
                ++offered;
            }
        from.push_back(*chain + " beside it (" + std::to_string(offered) + ")");
    }
    der.insert(der.end(), context.chain.intermediates_der.begin(), context.chain.intermediates_der.end());
    from.insert(from.end(), context.intermediates_from.begin(), context.intermediates_from.end());
    context.chain.intermediates_der = std::move(der);
    context.intermediates_from = std::move(from);
}

namespace {

Verdict check_one(const std::string& file, const FileChecks& checks, const Context& context, const Secret& passphrase) {
    const auto read = inventory::read_certificate_file(file, passphrase, "verify");
    const auto& leaf = read.leaf_certificate();
    Context ctx = context;
    offer_intermediates(read, passphrase, "verify", ctx);
    ctx.key = checks.key != nullptr ? checks.key : read.key ? &*read.key : nullptr;
    Verdict v;
    if (checks.plan == nullptr) {
        v = check_generic(leaf, checks.generic, ctx, file);
    } else if (const auto* requirement = checks.certificate_id.empty() ? match_requirement(leaf, *checks.plan)
                                                                        : checks.plan->find(checks.certificate_id)) {
        v = check_against_plan(leaf, *requirement, ctx, file);
    } else {
        v = Verdict{file, "", leaf, {}, {}};
        v.findings.push_back({model::Severity::error, "plan.no-match",
                              "this certificate (CN=" + leaf.subject.common_name +
                                  ") carries the names of no certificate in the plan; name one with --cert ID",
                              "", "", ""});
    }
    v.intermediates_from = ctx.intermediates_from;
    // Kept until all files are checked: only what the report shows, not the
    // encoded certificate or its decode (a third of the memory of 10,000 verdicts).
    v.certificate.der = std::string();
    v.certificate.decoded.reset();
    return v;
}

}  // namespace

std::vector<Verdict> check_files(const std::vector<std::string>& files, const FileChecks& checks, const Context& context,
                                 const Secret& passphrase) {
    // One slot per file, filled in place by index (a second copy in file order
    // doubled the memory of 10,000 verdicts).
    std::vector<Verdict> verdicts(files.size());
    // No file after the first unreadable one needs checking: its error ends the run.
    std::atomic<std::size_t> first_error{files.size()};
    parallel_for_each(
        files.size(),
        [&](std::size_t i) {
            if (i > first_error.load()) return;
            try {
                verdicts[i] = check_one(files[i], checks, context, passphrase);
            } catch (...) {
                for (std::size_t seen = first_error.load(); i < seen && !first_error.compare_exchange_weak(seen, i);) {
                }
                throw;
            }
        },
        // One thread per core, at most 16.
        Parallel{std::min(16u, std::max(1u, std::thread::hardware_concurrency())), {}});
    return verdicts;
}

}  // namespace certtool::check
