// certtool renew: inventory in, decisions out, then requests and renewal.json.
// Codes are documented in README.md ("certtool renew").
#include "renew/renew.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <set>

#include "check/check.hpp"
#include "core/diagnostic.hpp"
#include "core/json_bounded.hpp"
#include "crypto/certificate.hpp"
#include "crypto/keys.hpp"
#include "fs/safe_file.hpp"
#include "inventory/inventory.hpp"
#include "names/names.hpp"
#include "report/audit_report.hpp"
#include "request/requests.hpp"

namespace certtool::renew {

namespace {

constexpr std::size_t kMaxKeyFile = 1 << 20;
constexpr long kMaxWithinHours = 3650L * 24;
constexpr std::size_t kMaxReportFile = 64 << 20;

[[noreturn]] void fail(const std::string& code, const std::string& file, const std::string& message,
                       const std::string& pointer = "", int line = 0, int column = 0) {
    throw InputError(Diagnostic{code, file, pointer, line, column, message});
}

[[noreturn]] void inventory_error(const std::string& file, const std::string& message, const std::string& pointer = "",
                                  int line = 0, int column = 0) {
    fail("renew.inventory", file, message, pointer, line, column);
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

void add_once(std::vector<std::string>& list, const std::string& item) {
    if (std::find(list.begin(), list.end(), item) == list.end()) list.push_back(item);
}

bool is_validity(const std::string& code) { return code.rfind("validity.", 0) == 0; }

// Listing a folder (inventory::files_in, member_folders); unreadable is an inventory error.
std::vector<std::string> listed(std::optional<std::vector<std::string>> found, const std::string& dir) {
    if (!found) inventory_error(dir, "cannot read the folder");
    return std::move(*found);
}

// One candidate certificate for a plan id, from one file.
struct Candidate {
    std::string id;
    Held held;
};

void keep_latest(Inventory& inventory, Candidate candidate) {
    auto [it, inserted] = inventory.held.try_emplace(candidate.id, candidate.held);
    if (inserted) return;
    Held& current = it->second;
    if (current.sha256 == candidate.held.sha256) {
        inventory.ignored.push_back({candidate.held.source, candidate.id, "duplicate", current.source});
        return;
    }
    if (candidate.held.not_after > current.not_after) {
        inventory.ignored.push_back({current.source, candidate.id, "superseded", candidate.held.source});
        // Files superseded earlier now point at the new one.
        for (auto& i : inventory.ignored)
            if (i.id == candidate.id && i.kept == current.source) i.kept = candidate.held.source;
        current = std::move(candidate.held);
    } else {
        inventory.ignored.push_back({candidate.held.source, candidate.id, "superseded", current.source});
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
    context.warn_days = 0;
    context.check_chain = false;
    context.key = file.key ? &*file.key : nullptr;
    const auto verdict = check::check_against_plan(leaf, *requirement, context, path);

    Candidate candidate;
    candidate.id = requirement->id;
    candidate.held.source = path;
    candidate.held.sha256 = leaf.sha256_fingerprint;
    candidate.held.public_key_sha256 = leaf.public_key_sha256;
    candidate.held.not_after = leaf.not_after;
    candidate.held.sans = leaf.dns_names;
    for (const auto& f : verdict.findings)
        if (f.severity == model::Severity::error && !is_validity(f.code)) add_once(candidate.held.error_codes, f.code);
    keep_latest(inventory, std::move(candidate));
}

void load_folder(const model::Plan& plan, const std::string& root, const Secret& password,
                 TimePoint at, Inventory& inventory) {
    for (const auto& file : listed(inventory::files_in(root), root)) read_certificate_file(plan, plan, file, password, at, inventory);
    for (const auto& folder : listed(inventory::member_folders(root), root)) {
        // A folder named after a member: only what is installed on that member can match.
        const std::string member = names::normalize_fqdn(folder, false, nullptr).value_or("");
        model::Plan candidates;
        for (const auto& r : plan.certificates)
            if (std::find(r.install_on.begin(), r.install_on.end(), member) != r.install_on.end())
                candidates.certificates.push_back(r);
        const model::Plan& match_against = candidates.certificates.empty() ? plan : candidates;
        const std::string member_folder = fs::join(root, folder);
        for (const auto& file : listed(inventory::files_in(member_folder), member_folder))
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
        Held held;
        held.source = seen.member + " (" + seen.source + ")";
        held.sha256 = seen.sha256;
        held.public_key_sha256 = seen.public_key_sha256;
        held.not_after = seen.not_after;
        held.sans = std::move(seen.sans);
        auto& id_codes = codes[id];
        for (const auto& code : seen.error_codes)
            if (!is_validity(code)) add_once(id_codes, code);
        // Across members the one that expires first decides.
        auto [it, inserted] = inventory.held.try_emplace(id, held);
        if (!inserted && held.not_after < it->second.not_after) it->second = std::move(held);
    }
    for (auto& [id, held] : inventory.held) held.error_codes = codes[id];
}

std::vector<std::string> plan_names(const model::CertificateRequirement& r) {
    std::vector<std::string> out;
    for (const auto& san : r.sans) out.push_back(san.name);
    return out;
}

// Items of `from` not in `other` (case-insensitive), in the order of `from`.
std::vector<std::string> difference(const std::vector<std::string>& from, const std::vector<std::string>& other) {
    std::set<std::string> have;
    for (const auto& s : other) have.insert(lower(s));
    std::vector<std::string> out;
    for (const auto& s : from)
        if (have.count(lower(s)) == 0) add_once(out, s);
    return out;
}

std::string key_path(const WriteOptions& options, const std::string& id) { return fs::join(options.keys_dir, id + ".key"); }

nlohmann::ordered_json string_or_null(const std::string& s) { return s.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(s); }

using Json = nlohmann::ordered_json;

Json report_document(const model::Plan& plan, const Decisions& decisions, const std::map<std::string, Files>& files,
                     const std::string& folder) {
    Json doc;
    doc["schema"] = kRenewSchema;
    doc["topology"] = plan.source.path;
    doc["at"] = format_datetime(decisions.at);
    doc["within_hours"] = decisions.within.count();
    doc["dry_run"] = folder.empty();
    doc["folder"] = string_or_null(folder);
    Json due = Json::array();
    for (const auto& d : decisions.due) {
        Json j;
        j["id"] = d.id;
        j["reasons"] = d.reasons;
        if (d.old) {
            j["old"] = {{"source", d.old->source},
                        {"sha256", d.old->sha256},
                        {"not_after_utc", format_datetime(d.old->not_after)},
                        {"days_left", d.old->days_left},
                        {"sans", d.old->sans}};
        } else {
            j["old"] = nullptr;
        }
        j["names_added"] = d.names_added;
        j["names_removed"] = d.names_removed;
        const auto f = files.find(d.id);
        j["key"] = f == files.end() ? "new" : f->second.key;
        j["key_file"] = string_or_null(f == files.end() ? "" : f->second.key_file);
        j["csr_file"] = string_or_null(f == files.end() ? "" : f->second.csr_file);
        due.push_back(std::move(j));
    }
    doc["due"] = std::move(due);
    Json not_due = Json::array();
    for (const auto& d : decisions.not_due)
        not_due.push_back({{"id", d.id}, {"not_after_utc", format_datetime(d.old->not_after)}, {"days_left", d.old->days_left}});
    doc["not_due"] = std::move(not_due);
    Json ignored = Json::array();
    for (const auto& i : decisions.ignored)
        ignored.push_back({{"source", i.source}, {"id", string_or_null(i.id)}, {"reason", i.reason}, {"kept", string_or_null(i.kept)}});
    doc["ignored"] = std::move(ignored);
    return doc;
}

std::string dump(const Json& doc) {
    // Names and paths from files may hold invalid UTF-8: replaced, never a throw.
    return doc.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

// The renewal.json an earlier run of the same day left in the folder, if any.
// It is certtool's own file, so one that cannot be used is replaced, with a
// warning, rather than stopping the renewal.
std::optional<Json> earlier_report(const std::string& path, std::vector<std::string>& warnings) {
    if (!fs::exists(path)) return std::nullopt;
    const auto unusable = [&](const std::string& why) {
        warnings.push_back(path + " " + why + "; it is replaced, and the certificates it listed are no longer listed");
        return std::nullopt;
    };
    std::string text;
    try {
        text = fs::read_file_bounded(path, kMaxReportFile, "renew.report");
    } catch (const InputError& e) {
        return unusable("cannot be read (" + e.diagnostics().front().message + ")");
    }
    if (!parse_json_bounded(text).ok) return unusable("is not JSON");
    Json doc = Json::parse(text, nullptr, false);  // within the limits just checked
    const auto schema = doc.is_object() ? doc.find("schema") : doc.end();
    if (schema == doc.end() || *schema != kRenewSchema) return unusable(std::string("is not a ") + kRenewSchema + " document");
    return doc;
}

// A second run on the same day writes into the same folder. The entries of the
// certificates it did not decide on (another --only, say) stay: their keys and
// requests are still there. For a certificate decided again, the new entry wins.
void keep_earlier_entries(Json& doc, const Json& earlier, const model::Plan& plan) {
    std::set<std::string> decided;
    for (const char* list : {"due", "not_due"})
        for (const auto& e : doc[list]) decided.insert(e["id"].get<std::string>());
    auto rank = [&](const Json& e) {
        const std::string id = e["id"].get<std::string>();
        for (std::size_t i = 0; i < plan.certificates.size(); ++i)
            if (plan.certificates[i].id == id) return i;
        return plan.certificates.size();
    };
    for (const char* list : {"due", "not_due"}) {
        const auto kept = earlier.find(list);
        if (kept == earlier.end() || !kept->is_array()) continue;
        for (const auto& e : *kept)
            if (e.is_object() && e.contains("id") && e["id"].is_string() && decided.insert(e["id"].get<std::string>()).second)
                doc[list].push_back(e);
        std::stable_sort(doc[list].begin(), doc[list].end(), [&](const Json& a, const Json& b) { return rank(a) < rank(b); });
    }
}

}  // namespace

std::optional<std::chrono::hours> parse_within(const std::string& text) {
    std::size_t digits = 0;
    while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits])) != 0) ++digits;
    if (digits == 0 || digits > 7) return std::nullopt;
    const std::string unit = text.substr(digits);
    long factor = 0;
    if (unit.empty() || unit == "d") factor = 24;
    else if (unit == "h") factor = 1;
    else if (unit == "w") factor = 7 * 24;
    else return std::nullopt;
    const long hours = std::stol(text.substr(0, digits)) * factor;
    if (hours > kMaxWithinHours) return std::nullopt;
    return std::chrono::hours(hours);
}

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

Decisions decide(const model::Plan& plan, const Inventory& inventory, const Options& options) {
    Decisions out;
    out.at = options.at;
    out.within = options.within;
    const TimePoint edge = options.at + options.within;
    for (const auto& r : plan.certificates) {
        Decision d;
        d.id = r.id;
        const auto held = inventory.held.find(r.id);
        if (held == inventory.held.end()) {
            d.reasons.push_back("missing");
            d.names_added = plan_names(r);
            out.due.push_back(std::move(d));
            continue;
        }
        const Held& h = held->second;
        d.old = Old{h.source, h.sha256, h.public_key_sha256, h.not_after, whole_days_left(options.at, h.not_after), h.sans};
        if (h.not_after <= options.at)
            d.reasons.push_back("expired");
        else if (h.not_after <= edge)
            d.reasons.push_back("expiring");
        for (const auto& code : h.error_codes) add_once(d.reasons, code);
        d.names_added = difference(plan_names(r), h.sans);
        d.names_removed = difference(h.sans, plan_names(r));
        (d.due() ? out.due : out.not_due).push_back(std::move(d));
    }
    for (const auto& i : inventory.ignored)
        if (i.id.empty() || i.reason == "not-in-plan" || plan.find(i.id) != nullptr) out.ignored.push_back(i);
    return out;
}

std::string dated_folder(const std::string& out_dir, TimePoint at) {
    return fs::join(out_dir, format_date(at));
}

std::map<std::string, std::string> keys_to_reuse(const Decisions& decisions, const WriteOptions& options) {
    std::map<std::string, std::string> reuse;
    if (!options.reuse_key) return reuse;
    if (options.keys_dir.empty()) fail("usage.keys", "", "--reuse-key needs --keys DIR, the folder holding <id>.key");
    for (const auto& d : decisions.due) {
        const std::string path = key_path(options, d.id);
        if (fs::is_symlink(path)) fail("output.symlink", path, "is a symbolic link; refusing to read through it");
        if (!fs::exists(path)) {
            if (!d.old) continue;  // nothing held yet and no key: a new one
            fail("renew.key-missing", path, "--reuse-key: there is no key for " + d.id + " to reuse");
        }
        std::string pem = fs::read_file_bounded(path, kMaxKeyFile, "key");
        std::optional<crypto::PrivateKey> key;
        try {
            key = crypto::load_private_key_pem(pem, options.passphrase.value());
        } catch (const crypto::CryptoError& e) {
            crypto::cleanse(pem);
            if (e.code() == "key.encrypted")
                fail("key.encrypted", path, "this key is encrypted; give its passphrase with --passphrase-file or --passphrase-env");
            if (e.code() == "key.wrong-passphrase") fail("key.wrong-passphrase", path, "the passphrase does not open this key");
            fail(e.code(), path, std::string("is not a usable private key (PEM): ") + e.what());
        }
        crypto::cleanse(pem);
        if (d.old && !d.old->public_key_sha256.empty() && key->public_key_sha256() != d.old->public_key_sha256)
            fail("renew.key-mismatch", path,
                 "is not the key of the certificate being renewed (" + d.old->source + ", SHA-256 " + d.old->sha256.substr(0, 16) +
                     "...); give the --keys folder its request was made from, or renew without --reuse-key");
        reuse[d.id] = path;
    }
    return reuse;
}

std::map<std::string, Files> planned_keys(const Decisions& decisions, const WriteOptions& options) {
    const auto reuse = keys_to_reuse(decisions, options);
    // An earlier run of the day left its keys in the dated folder, and
    // certtool csr reuses a key it finds there.
    const std::string folder = options.out_dir.empty() ? "" : dated_folder(options.out_dir, decisions.at);
    std::map<std::string, Files> files;
    for (const auto& d : decisions.due) {
        const bool reused = reuse.count(d.id) != 0 || (!folder.empty() && fs::exists(fs::join(folder, d.id + ".key")));
        files[d.id] = {reused ? "reused" : "new", "", ""};
    }
    return files;
}

Written write_renewal(const model::Plan& plan, const Decisions& decisions, const WriteOptions& options) {
    Written written;
    if (decisions.due.empty()) return written;
    if (options.out_dir.empty()) fail("usage.out", "", "--out DIR is required (or --dry-run)");
    const auto reuse = keys_to_reuse(decisions, options);

    // --out: checked like certtool csr's, created (0700) when only it is missing.
    const bool out_existed = fs::exists(options.out_dir);
    if (out_existed) {
        fs::prepare_output_directory(options.out_dir, false);
    } else if (!fs::exists(fs::parent_of(options.out_dir))) {
        fail("output.missing", options.out_dir, "neither --out nor its parent " + fs::parent_of(options.out_dir) + " exists");
    }
    written.folder = dated_folder(options.out_dir, decisions.at);
    written.report_file = fs::join(written.folder, kReportFile);
    if (fs::is_symlink(written.report_file))
        fail("output.symlink", written.report_file, "is a symbolic link; refusing to write through it");
    const auto earlier = earlier_report(written.report_file, written.warnings);

    request::Options req;
    req.out_dir = written.folder;
    for (const auto& d : decisions.due) req.only.push_back(d.id);
    req.passphrase = options.passphrase.copy();
    req.encrypt_keys = options.encrypt_keys;
    req.jobs = options.jobs;
    req.existing_key_files = reuse;

    request::Result result;
    if (!out_existed) fs::prepare_output_directory(options.out_dir, true);
    try {
        result = request::write_requests(plan, req);
    } catch (...) {
        // write_requests writes nothing when it throws; leave no empty --out behind.
        if (!out_existed) ::rmdir(options.out_dir.c_str());
        throw;
    }
    written.manifest_file = result.manifest_file;
    written.warnings.insert(written.warnings.end(), result.warnings.begin(), result.warnings.end());
    for (const auto& w : result.written) written.files[w.id] = {w.key_reused ? "reused" : "new", w.key_file, w.csr_file};
    auto doc = report_document(plan, decisions, written.files, written.folder);
    if (earlier) keep_earlier_entries(doc, *earlier, plan);
    written.report = dump(doc);
    fs::write_file_atomic(written.report_file, written.report, {0644, true});
    return written;
}

std::string render_json(const model::Plan& plan, const Decisions& decisions, const std::map<std::string, Files>& files,
                        const std::string& folder) {
    return dump(report_document(plan, decisions, files, folder));
}

}  // namespace certtool::renew
