// Candidate paths from a leaf to a trust anchor. Botan 2's own builder tries
// every path depth-first, which is exponential when many offered CAs share a
// subject, so paths are built here, within fixed bounds, and each is then
// checked by validate_chain.
#include <set>
#include <vector>

#include "crypto/botan_path.hpp"

namespace certtool::crypto::chain {

namespace {

// The budget. The offered intermediates are first cut to those that can lie
// on a path from the leaf to an anchor by name chaining.
constexpr std::size_t kMaxIntermediates = 32;
constexpr std::size_t kMaxPathLength = 12;   // certificates, leaf and anchor included
constexpr std::size_t kMaxCandidatePaths = 32;
constexpr std::size_t kMaxBuildSteps = 4096;

std::vector<CertPtr> useful_intermediates(const Botan::X509_Certificate& leaf, const std::vector<CertPtr>& offered,
                                          const std::vector<CertPtr>& anchors, bool any_anchor) {
    const std::size_t n = offered.size();
    if (n == 0) return {};
    std::set<Botan::X509_DN> reaches_anchor;
    for (const auto& a : anchors) reaches_anchor.insert(a->subject_dn());
    std::vector<bool> up(n, false);
    for (bool changed = true; changed;) {
        changed = false;
        for (std::size_t i = 0; i < n; ++i) {
            if (up[i] || !(any_anchor || reaches_anchor.count(offered[i]->issuer_dn()) != 0)) continue;
            up[i] = true;
            reaches_anchor.insert(offered[i]->subject_dn());
            changed = true;
        }
    }
    std::set<Botan::X509_DN> wanted{leaf.issuer_dn()};
    std::vector<bool> down(n, false);
    for (bool changed = true; changed;) {
        changed = false;
        for (std::size_t i = 0; i < n; ++i) {
            if (down[i] || !up[i] || wanted.count(offered[i]->subject_dn()) == 0) continue;
            down[i] = true;
            wanted.insert(offered[i]->issuer_dn());
            changed = true;
        }
    }
    std::vector<CertPtr> out;
    for (std::size_t i = 0; i < n && out.size() < kMaxIntermediates; ++i) {
        if (down[i]) out.push_back(offered[i]);
    }
    return out;
}

// Whether `issuer` may have issued `subject`, by name and key identifier.
bool may_issue(const Botan::X509_Certificate& issuer, const Botan::X509_Certificate& subject) {
    if (!issued_by_name(subject, issuer)) return false;
    const auto& aki = subject.authority_key_id();
    const auto& ski = issuer.subject_key_id();
    return aki.empty() || ski.empty() || aki == ski;
}

struct Builder {
    const std::vector<CertPtr>& anchors;
    const std::vector<CertPtr>& intermediates;
    const Botan::Certificate_Store* system = nullptr;
    std::vector<Path> paths;
    std::size_t steps = 0;

    void extend(Path& path) {
        if (paths.size() >= kMaxCandidatePaths || ++steps > kMaxBuildSteps) return;
        const Botan::X509_Certificate& last = *path.back();
        std::vector<CertPtr> candidates = anchors;
        if (system != nullptr) {
            for (auto& c : system->find_all_certs(last.issuer_dn(), {})) candidates.push_back(std::move(c));
        }
        for (const auto& a : candidates) {
            if (may_issue(*a, last)) {
                path.push_back(a);
                paths.push_back(path);
                path.pop_back();
                if (paths.size() >= kMaxCandidatePaths) return;
            }
        }
        if (path.size() + 1 >= kMaxPathLength) return;
        for (const auto& c : intermediates) {
            if (!may_issue(*c, last)) continue;
            bool seen = false;
            for (const auto& p : path) seen = seen || *p == *c;
            if (seen) continue;
            path.push_back(c);
            extend(path);
            path.pop_back();
        }
    }
};

}  // namespace

std::vector<Path> build_paths(const CertPtr& leaf, const std::vector<CertPtr>& offered, const std::vector<CertPtr>& anchors,
                              const Botan::Certificate_Store* system) {
    const std::vector<CertPtr> intermediates = useful_intermediates(*leaf, offered, anchors, system != nullptr);
    Builder builder{anchors, intermediates, system, {}, 0};
    Path start{leaf};
    builder.extend(start);
    return std::move(builder.paths);
}

std::size_t intermediate_depth(const Path& path) {
    std::size_t depth = 0;
    for (std::size_t i = 1; i + 1 < path.size(); ++i) {
        if (!self_issued(*path[i])) ++depth;
    }
    return depth;
}

}  // namespace certtool::crypto::chain
