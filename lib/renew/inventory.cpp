// certtool renew: what is in use now. The inventory is a folder of certificate
// files (lib/inventory reads them) or a certtool.audit/v1 report (lib/report
// reads it); either way, per plan id, one current certificate.
#include <sys/stat.h>

#include <algorithm>
#include <set>

#include "check/check.hpp"
#include "core/diagnostic.hpp"
#include "fs/safe_file.hpp"
#include "inventory/inventory.hpp"
#include "names/names.hpp"
#include "renew/renew.hpp"
#include "report/audit_report.hpp"

namespace certtool::renew {

namespace {

[[noreturn]] void inventory_error(const std::string& file, const std::string& message) {
    throw InputError(Diagnostic{"renew.inventory", file, "", 0, 0, message});
}

void add_once(std::vector<std::string>& list, const std::string& item) {
    if (std::find(list.begin(), list.end(), item) == list.end()) list.push_back(item);
}

// The audit's own validity.* findings were judged at the audit's time; renew judges expiry at --at.
bool is_validity(const std::string& code) { return code.rfind("validity.", 0) == 0; }

// Listing a folder (inventory::files_in, member_folders); unreadable is an inventory error.
std::vector<std::string> listed(std::optional<std::vector<std::string>> found, const std::string& dir) {
    if (!found) inventory_error(dir, "cannot read the folder");
    return std::move(*found);
}

// One candidate certificate for a plan id, from one file.
struct Candidate {
    std::string id;
    CurrentCertificate certificate;
};

void keep_latest(Inventory& inventory, Candidate candidate) {
    auto [it, inserted] = inventory.current.try_emplace(candidate.id, candidate.certificate);
    if (inserted) return;
    CurrentCertificate& current = it->second;
    if (current.sha256 == candidate.certificate.sha256) {
        inventory.ignored.push_back({candidate.certificate.source, candidate.id, "duplicate", current.source});
        return;
    }
    if (candidate.certificate.not_after > current.not_after) {
        inventory.ignored.push_back({current.source, candidate.id, "superseded", candidate.certificate.source});
        // Files superseded earlier now point at the new one.
        for (auto& i : inventory.ignored)
            if (i.id == candidate.id && i.kept == current.source) i.kept = candidate.certificate.source;
        current = std::move(candidate.certificate);
    } else {
        inventory.ignored.push_back({candidate.certificate.source, candidate.id, "superseded", current.source});
    }
}

void read_certificate_file(const model::Plan& plan, const model::Plan& candidates, const std::string& path,
                           const Secret& password, TimePoint at, Inventory& inventory) {
    inventory::CertificateFile file;
    try {
        file = inventory::read_certificate_file(path, password, "renew.inventory");
    } catch (const inventory::NotACertificateFile&) {
        inventory.ignored.push_back({path, "", "not-a-certificate", ""});
        return;
    } catch (const InputError& e) {
        const auto& d = e.diagnostics().front();
        if (d.code.rfind("renew.inventory.", 0) == 0) inventory_error(path, d.message);  // not read at all
        inventory_error(path, "cannot read this certificate file: " + d.message + " (" + d.code + ")");
    }
    const auto& leaf = file.leaf_certificate();

    const auto* matched = check::match_requirement(leaf, candidates);
    if (matched == nullptr) {
        inventory.ignored.push_back({path, "", "unmatched", ""});
        return;
    }
    const auto* requirement = plan.find(matched->id);
    check::Context context;
    context.at = at;
    context.warn_days = 0;  // expiry is judged by decide(), not here
    context.check_chain = false;
    context.key = file.key ? &*file.key : nullptr;
    const auto verdict = check::check_against_plan(leaf, *requirement, context, path);

    Candidate candidate;
    candidate.id = requirement->id;
    candidate.certificate.source = path;
    candidate.certificate.sha256 = leaf.sha256_fingerprint;
    candidate.certificate.public_key_sha256 = leaf.public_key_sha256;
    candidate.certificate.not_before = leaf.not_before;
    candidate.certificate.not_after = leaf.not_after;
    candidate.certificate.sans = leaf.dns_names;
    for (const auto& f : verdict.findings)
        if (f.severity == model::Severity::error && !is_validity(f.code)) add_once(candidate.certificate.error_codes, f.code);
    keep_latest(inventory, std::move(candidate));
}

void load_folder(const model::Plan& plan, const std::string& root, const Secret& password,
                 TimePoint at, Inventory& inventory) {
    // A "<stem>.chain.pem" beside its "<stem>.pem" is the same certificate: the leaf file is the one held.
    for (const auto& file : inventory::without_chain_files(listed(inventory::files_in(root), root)))
        read_certificate_file(plan, plan, file, password, at, inventory);
    for (const auto& folder : listed(inventory::member_folders(root), root)) {
        // A folder named after a member: only what is installed on that member can match.
        const std::string member = names::normalize_fqdn(folder, false, nullptr).value_or("");
        model::Plan candidates;
        for (const auto& r : plan.certificates)
            if (std::find(r.install_on.begin(), r.install_on.end(), member) != r.install_on.end())
                candidates.certificates.push_back(r);
        const model::Plan& match_against = candidates.certificates.empty() ? plan : candidates;
        const std::string member_folder = fs::join(root, folder);
        for (const auto& file : inventory::without_chain_files(listed(inventory::files_in(member_folder), member_folder)))
            read_certificate_file(plan, match_against, file, password, at, inventory);
    }
}

void load_audit(const model::Plan& plan, const std::string& path, Inventory& inventory) {
    inventory.audit_json = true;
    std::set<std::string> not_in_plan;
    std::map<std::string, std::vector<std::string>> codes;  // id -> error codes of all its observations
    for (auto& seen : report::read_audit_report_file(path, "renew.inventory")) {
        const std::string& id = seen.certificate_id;
        if (plan.find(id) == nullptr) {
            if (not_in_plan.insert(id).second) inventory.ignored.push_back({path + seen.pointer, id, "not-in-plan", ""});
            continue;
        }
        CurrentCertificate held;
        held.source = seen.member + " (" + seen.source + ")";
        held.sha256 = seen.sha256;
        held.public_key_sha256 = seen.public_key_sha256;
        held.not_before = seen.not_before;
        held.not_after = seen.not_after;
        held.sans = std::move(seen.sans);
        auto& id_codes = codes[id];
        for (const auto& code : seen.error_codes)
            if (!is_validity(code)) add_once(id_codes, code);
        // Across members the one that expires first decides.
        auto [it, inserted] = inventory.current.try_emplace(id, held);
        if (!inserted && held.not_after < it->second.not_after) it->second = std::move(held);
    }
    for (auto& [id, held] : inventory.current) held.error_codes = codes[id];
}

}  // namespace

Inventory load_inventory(const model::Plan& plan, const std::string& path, const Secret& pkcs12_password, TimePoint at) {
    Inventory inventory;
    inventory.path = path;
    struct stat st {};
    if (path.empty() || ::stat(path.c_str(), &st) != 0)
        inventory_error(path, "cannot read the inventory: no such file or folder");
    if (S_ISDIR(st.st_mode))
        load_folder(plan, path, pkcs12_password, at, inventory);
    else
        load_audit(plan, path, inventory);
    return inventory;
}

}  // namespace certtool::renew
