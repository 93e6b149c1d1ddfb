// The audit: observations (live endpoints, exported files), the verify checks
// on each, then the checks across members. Codes are documented in README.md
// ("certtool audit").
#include "audit/audit.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <iterator>
#include <map>
#include <set>

#include "check/files.hpp"
#include "core/diagnostic.hpp"
#include "inventory/inventory.hpp"
#include "model/roles.hpp"
#include "names/names.hpp"

namespace certtool::audit {

namespace {

using model::CertificateRequirement;
using model::Finding;
using model::Role;
using model::Severity;

bool selected(const Options& options, const std::string& id) {
    return options.only_ids.empty() || std::find(options.only_ids.begin(), options.only_ids.end(), id) != options.only_ids.end();
}

bool contains(const std::vector<std::string>& list, const std::string& item) {
    return std::find(list.begin(), list.end(), item) != list.end();
}

std::string short_hash(const std::string& hex) { return hex.substr(0, 16); }

Finding finding_for(const CertificateRequirement& r, Severity severity, std::string code, std::string message) {
    return Finding{severity, std::move(code), std::move(message), r.topology_path, r.id, ""};
}

// The observation of `leaf` (with the rest of its chain) as `r` on a member.
// `context` holds the intermediates offered (check::offer_intermediates for a file).
void check_observed(Observation& o, const CertificateRequirement& r, const crypto::Certificate& leaf, check::Context context,
                    const crypto::PrivateKey* key) {
    context.key = key;
    o.intermediates_from = context.intermediates_from;
    auto verdict = check::check_against_plan(leaf, r, context, o.source);
    o.obtained = true;
    o.certificate = leaf;
    o.findings = std::move(verdict.findings);
}

// --live: one observation per endpoint of the plan, fetched all at once.
void observe_live(const model::Plan& plan, const Options& options, Report& report) {
    std::vector<crypto::FetchTarget> targets;
    std::vector<std::pair<const CertificateRequirement*, const model::Endpoint*>> origin;
    for (const auto& r : plan.certificates) {
        if (!selected(options, r.id)) continue;
        for (const auto& e : r.endpoints) {
            const auto mapped = options.port_map.find(e.port);
            targets.push_back({e.address, mapped == options.port_map.end() ? e.port : mapped->second, e.sni});
            origin.emplace_back(&r, &e);
        }
    }
    if (targets.empty()) return;
    const auto results = crypto::fetch_all(targets, options.limits);
    for (std::size_t i = 0; i < results.size(); ++i) {
        const auto& [r, e] = origin[i];
        const auto& result = results[i];
        Observation o;
        o.certificate_id = r->id;
        o.pool = r->pool;
        o.member = e->member;
        o.service = e->service;
        const bool v6 = result.target.host.find(':') != std::string::npos && result.target.host.front() != '[';
        o.source = (v6 ? "[" + result.target.host + "]" : result.target.host) + ":" + std::to_string(result.target.port);
        o.sni = e->sni;
        o.protocol = result.protocol;
        o.elapsed = result.elapsed;
        if (!result.ok || result.chain.empty()) {
            o.findings.push_back(finding_for(*r, Severity::error, result.ok ? "tls.no-certificate" : result.error_code,
                                             e->member + " " + e->service + " at " + o.source + " (SNI " + e->sni +
                                                 "): " + (result.message.empty() ? "no certificate presented" : result.message)));
        } else {
            // What the server sent first, then --untrusted.
            check::Context context = options.context;
            std::vector<std::string> sent;
            for (auto c = result.chain.begin() + 1; c != result.chain.end(); ++c) sent.push_back(c->der);
            context.chain.intermediates_der.insert(context.chain.intermediates_der.begin(), sent.begin(), sent.end());
            if (!sent.empty()) context.intermediates_from.insert(context.intermediates_from.begin(), "sent by the server (" + std::to_string(sent.size()) + ")");
            check_observed(o, *r, result.chain.front(), std::move(context), nullptr);
        }
        report.observations.push_back(std::move(o));
    }
}

// --files DIR: DIR/<member FQDN>/<files exported from that member>.
void observe_files(const model::Plan& plan, const Options& options, Report& report, std::set<std::string>& members_with_folder) {
    std::string root = options.files_dir;
    while (root.size() > 1 && root.back() == '/') root.pop_back();
    struct stat st {};
    if (::stat(root.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
        throw InputError(Diagnostic{"files.not-a-directory", root, "", 0, 0,
                                    "--files takes a folder holding one folder per member FQDN"});
    std::set<std::string> members;
    for (const auto& r : plan.certificates) members.insert(r.install_on.begin(), r.install_on.end());

    for (const auto& folder : inventory::member_folders(root).value_or(std::vector<std::string>{})) {
        const std::string member = names::normalize_fqdn(folder, false, nullptr).value_or("");
        if (member.empty() || members.count(member) == 0) {
            report.findings.push_back({Severity::warning, "files.unknown-member",
                                       root + "/" + folder + " is not named after a member of the plan; its files were not audited",
                                       "", "", ""});
            continue;
        }
        members_with_folder.insert(member);
        model::Plan candidates;  // what may be installed on this member
        for (const auto& r : plan.certificates)
            if (contains(r.install_on, member)) candidates.certificates.push_back(r);

        // A leaf's chain file is read with the leaf, not as a certificate of its own.
        const auto listed = inventory::files_in(root + "/" + folder).value_or(std::vector<std::string>{});
        for (const auto& path : inventory::without_chain_files(listed)) {
            inventory::CertificateFile file;
            check::Context context = options.context;
            try {
                file = inventory::read_certificate_file(path, options.pkcs12_password, "files");
                check::offer_intermediates(file, options.pkcs12_password, "files", context);
            } catch (const InputError& e) {
                const auto& d = e.diagnostics().front();
                report.findings.push_back({Severity::error, d.code, path + ": " + d.message, "", "", ""});
                continue;
            }
            const auto& leaf = file.leaf_certificate();
            const auto* r = check::match_requirement(leaf, candidates);
            if (r == nullptr) {
                report.findings.push_back({Severity::warning, "files.unmatched",
                                           path + " (CN=" + leaf.subject.common_name +
                                               ") carries the names of no certificate planned for " + member,
                                           "", "", ""});
                continue;
            }
            r = plan.find(r->id);
            if (!selected(options, r->id)) continue;
            Observation o;
            o.certificate_id = r->id;
            o.pool = r->pool;
            o.member = member;
            o.service = "file";
            o.source = path;
            check_observed(o, *r, leaf, std::move(context), file.key ? &*file.key : nullptr);
            report.observations.push_back(std::move(o));
        }
    }
}

// Observations of one certificate grouped by the certificate they show, in
// order of first appearance.
struct Holders {
    std::string fingerprint;
    std::vector<Observation*> observations;
    std::vector<std::string> members;  // in order of first appearance, once each
};

std::vector<Holders> group_by_fingerprint(const std::vector<Observation*>& seen) {
    std::vector<Holders> groups;
    for (auto* o : seen) {
        const auto& fp = o->certificate->sha256_fingerprint;
        auto g = std::find_if(groups.begin(), groups.end(), [&](const Holders& h) { return h.fingerprint == fp; });
        if (g == groups.end()) g = groups.insert(groups.end(), Holders{fp, {}, {}});
        g->observations.push_back(o);
        if (!contains(g->members, o->member)) g->members.push_back(o->member);
    }
    return groups;
}

// Where a member shows it: the service, or the exported file.
std::string place(const Observation& o) {
    if (o.service != "file") return o.service;
    const auto slash = o.source.find_last_of('/');
    return "file " + (slash == std::string::npos ? o.source : o.source.substr(slash + 1));
}

std::string places(const std::vector<Observation*>& observations, const std::string& member) {
    std::vector<std::string> out;
    for (const auto* o : observations)
        if (o->member == member && !contains(out, place(*o))) out.push_back(place(*o));
    std::string text;
    for (const auto& p : out) text += (text.empty() ? "" : ", ") + p;
    return text;
}

bool one_public_key(const std::vector<Observation*>& seen) {
    return std::all_of(seen.begin(), seen.end(), [&](const Observation* o) {
        return o->certificate->public_key_sha256 == seen.front()->certificate->public_key_sha256;
    });
}

std::string key_remark(bool same_key) {
    return same_key ? " (the public key is the same)" : " and the same private key (the public key differs too)";
}

// One member shows several certificates for one planned certificate: which of
// its services (or files) shows which. Nothing to compare with, so none of its
// services is blamed on its own.
void check_one_member(const CertificateRequirement& r, const std::string& member, const std::vector<Observation*>& seen,
                      Report& report) {
    const auto groups = group_by_fingerprint(seen);
    if (groups.size() < 2) return;
    std::string listed;
    for (const auto& g : groups)
        listed += (listed.empty() ? "" : "; ") + short_hash(g.fingerprint) + "... on " + places(g.observations, member);
    const bool files = std::any_of(seen.begin(), seen.end(), [](const Observation* o) { return o->service == "file"; });
    report.findings.push_back(finding_for(
        r, Severity::error, "pool.different-certificate",
        member + (files ? " has " : " presents ") + std::to_string(groups.size()) + " different certificates for " + r.id + ": " +
            listed + "; all its services need the same certificate" + key_remark(one_public_key(seen))));
}

// Across the members of a pool, counted by member (a member showing two
// certificates counts for both). A certificate held by more than half of the
// members seen is the pool's, and the observations showing another one are
// blamed. Without such a majority no member is the odd one: the groups are
// listed once, for the pool.
void check_members(const CertificateRequirement& r, const std::vector<std::string>& members, const std::vector<Observation*>& seen,
                   Report& report) {
    const auto groups = group_by_fingerprint(seen);
    if (groups.size() < 2) return;
    const auto most = std::max_element(groups.begin(), groups.end(),
                                       [](const Holders& a, const Holders& b) { return a.members.size() < b.members.size(); });
    const bool tie = std::count_if(groups.begin(), groups.end(), [&](const Holders& h) {
                         return h.members.size() == most->members.size();
                     }) > 1;
    if (!tie && most->members.size() * 2 > members.size()) {
        std::string holders;
        for (const auto& m : most->members) holders += (holders.empty() ? "" : ", ") + m;
        holders += ": " + std::to_string(most->members.size()) + " of " + std::to_string(members.size()) + " members";
        const std::string& reference_key = most->observations.front()->certificate->public_key_sha256;
        for (const auto& g : groups) {
            if (&g == &*most) continue;
            for (auto* o : g.observations) {
                const bool same_key = o->certificate->public_key_sha256 == reference_key;
                o->findings.push_back(finding_for(
                    r, Severity::error, "pool.different-certificate",
                    o->member + " " + (o->service == "file" ? "has" : "presents") + " certificate " + short_hash(g.fingerprint) +
                        "... for " + r.id + ", but the certificate most members hold is " + short_hash(most->fingerprint) +
                        "... (" + holders + "); every member of the pool needs the same certificate" + key_remark(same_key)));
            }
        }
        return;
    }
    std::string listed;
    for (const auto& g : groups) {
        std::string where;
        for (const auto& m : g.members) where += (where.empty() ? "" : ", ") + m + " (" + places(g.observations, m) + ")";
        listed += (listed.empty() ? "" : "; ") + short_hash(g.fingerprint) + "... on " + where;
    }
    report.findings.push_back(finding_for(
        r, Severity::error, "pool.different-certificate",
        "no majority among the " + std::to_string(members.size()) + " members of " + r.pool + " seen: " +
            std::to_string(groups.size()) + " different certificates for " + r.id + ", none held by more than half of them: " +
            listed + "; every member of the pool needs the same certificate" + key_remark(one_public_key(seen))));
}

}  // namespace

void check_same_certificate(const CertificateRequirement& r, Report& report) {
    std::vector<Observation*> seen;
    std::vector<std::string> members;  // in order of first appearance
    for (auto& o : report.observations) {
        if (o.certificate_id != r.id || !o.obtained) continue;
        seen.push_back(&o);
        if (!contains(members, o.member)) members.push_back(o.member);
    }
    if (members.size() == 1) {
        check_one_member(r, members.front(), seen, report);
    } else if (r.same_on_all_members) {
        check_members(r, members, seen, report);
    } else {
        // A certificate of its own on each member: each one's services agree.
        for (const auto& m : members) {
            std::vector<Observation*> mine;
            std::copy_if(seen.begin(), seen.end(), std::back_inserter(mine), [&](const Observation* o) { return o->member == m; });
            check_one_member(r, m, mine, report);
        }
    }
}

namespace {

// Per-member Front End and Director certificates carry the pool FQDN as their
// subject, so that clients reaching the pool by its name accept every member.
void check_pool_subject(const CertificateRequirement& r, Report& report) {
    if (!model::facts(r.role).member_subject_is_pool) return;
    for (auto& o : report.observations) {
        if (o.certificate_id != r.id || !o.obtained) continue;
        const auto& cn = o.certificate->subject.common_name;
        if (cn == r.common_name) continue;
        o.findings.push_back(finding_for(r, Severity::error, "pool.subject-differs",
                                         o.member + "'s certificate has the subject " + (cn.empty() ? "(none)" : cn) +
                                             "; every member of " + r.pool + " needs the pool subject " + r.common_name));
    }
}

// Every planned certificate seen on every member it belongs to, or said why not.
void check_coverage(const model::Plan& plan, const Options& options, const std::set<std::string>& members_with_folder,
                    Report& report) {
    for (const auto& r : plan.certificates) {
        if (!selected(options, r.id)) continue;
        for (const auto& member : r.install_on) {
            bool observed = false;  // an observation exists (maybe a failed connection)
            for (const auto& o : report.observations)
                if (o.certificate_id == r.id && o.member == member) observed = true;
            if (observed) continue;
            if (!options.files_dir.empty()) {
                std::string folder = options.files_dir;
                while (folder.size() > 1 && folder.back() == '/') folder.pop_back();
                folder += "/" + member;
                report.findings.push_back(finding_for(
                    r, Severity::error, "files.missing",
                    members_with_folder.count(member) != 0
                        ? "no file in " + folder + " holds " + r.id + " (" + r.common_name + ")"
                        : "no folder " + folder + ": export " + r.id + " (" + r.common_name + ") from " + member + " there"));
            } else {
                report.findings.push_back(finding_for(
                    r, Severity::info, "audit.not-audited",
                    r.id + " on " + member + ": " +
                        (r.endpoints.empty() ? "no TLS endpoint shows this certificate; export it and audit it with --files"
                                             : "not audited (give --live or --files)")));
            }
        }
    }
}

}  // namespace

bool Observation::passed() const {
    return std::none_of(findings.begin(), findings.end(), [](const Finding& f) { return f.severity == Severity::error; });
}

Summary Report::summary() const {
    Summary s;
    auto count = [&s](const Finding& f) {
        (f.severity == Severity::error ? s.errors : f.severity == Severity::warning ? s.warnings : s.info) += 1;
    };
    for (const auto& o : observations) {
        ++s.observations;
        (o.passed() ? s.passed : s.failed) += 1;
        for (const auto& f : o.findings) count(f);
    }
    for (const auto& f : findings) count(f);
    if (dns)
        for (const auto& c : dns->checks) {
            ++s.dns_checks;
            (c.passed() ? s.dns_passed : s.dns_failed) += 1;
            for (const auto& step : c.steps)
                for (const auto& f : step.findings) count(f);
        }
    return s;
}

bool Report::has(model::Severity at_least) const {
    const auto bad = [at_least](const Finding& f) { return static_cast<int>(f.severity) <= static_cast<int>(at_least); };
    if (std::any_of(findings.begin(), findings.end(), bad)) return true;
    if (dns)
        for (const auto& c : dns->checks)
            for (const auto& step : c.steps)
                if (std::any_of(step.findings.begin(), step.findings.end(), bad)) return true;
    return std::any_of(observations.begin(), observations.end(),
                       [&](const Observation& o) { return std::any_of(o.findings.begin(), o.findings.end(), bad); });
}

Report run(const model::Plan& plan, const Options& options) {
    Report report;
    report.topology = plan.source.path;
    report.at = options.context.at;
    report.warn_days = options.context.warn_days;
    std::set<std::string> members_with_folder;
    if (options.live) observe_live(plan, options, report);
    if (!options.files_dir.empty()) observe_files(plan, options, report, members_with_folder);
    for (const auto& r : plan.certificates) {
        check_same_certificate(r, report);
        check_pool_subject(r, report);
    }
    check_coverage(plan, options, members_with_folder, report);
    // Files after live endpoints, each group in plan order.
    std::map<std::string, std::size_t> plan_index;
    for (std::size_t i = 0; i < plan.certificates.size(); ++i) plan_index[plan.certificates[i].id] = i;
    std::stable_sort(report.observations.begin(), report.observations.end(), [&](const Observation& a, const Observation& b) {
        const bool af = a.service == "file", bf = b.service == "file";
        if (af != bf) return bf;
        return af && plan_index[a.certificate_id] < plan_index[b.certificate_id];
    });
    return report;
}

}  // namespace certtool::audit
