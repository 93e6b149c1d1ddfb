// certtool renew: the keys and requests for what is due (request::write_requests,
// as certtool csr writes them) in a dated folder, then renewal.json.
#include <unistd.h>

#include <algorithm>
#include <set>

#include "core/diagnostic.hpp"
#include "core/json_bounded.hpp"
#include "crypto/keys.hpp"
#include "fs/safe_file.hpp"
#include "inventory/key_file.hpp"
#include "renew/renew.hpp"
#include "report/renew_report.hpp"
#include "request/requests.hpp"

namespace certtool::renew {

namespace {

using Json = nlohmann::ordered_json;

constexpr std::size_t kMaxReportFile = 64 << 20;

[[noreturn]] void fail(const std::string& code, const std::string& file, const std::string& message) {
    throw InputError(Diagnostic{code, file, "", 0, 0, message});
}

std::string key_path(const WriteOptions& options, const std::string& id) { return fs::join(options.keys_dir, id + ".key"); }

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
    if (schema == doc.end() || *schema != report::kRenewSchema) return unusable(std::string("is not a ") + report::kRenewSchema + " document");
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
            fail("key.missing", path, "--reuse-key: there is no key for " + d.id + " to reuse");
        }
        std::optional<crypto::PrivateKey> key;
        try {
            key = inventory::read_key_file(path, options.passphrase, "key").key;
        } catch (const crypto::CryptoError& e) {
            if (e.code() == "key.encrypted")
                fail("key.encrypted", path, "this key is encrypted; give its passphrase with --passphrase-file or --passphrase-env");
            if (e.code() == "key.wrong-passphrase") fail("key.wrong-passphrase", path, "the passphrase does not open this key");
            fail(e.code(), path, std::string("is not a usable private key (PEM): ") + e.what());
        }
        if (d.old && !d.old->public_key_sha256.empty() && key->public_key_sha256() != d.old->public_key_sha256)
            fail("key.mismatch", path,
                 "is not the key of the certificate being renewed (" + d.old->source + ", SHA-256 " + d.old->sha256.substr(0, 16) +
                     "...); give the --keys folder its request was made from, or renew without --reuse-key");
        reuse[d.id] = path;
    }
    return reuse;
}

std::map<std::string, NewRequest> planned_keys(const Decisions& decisions, const WriteOptions& options) {
    const auto reuse = keys_to_reuse(decisions, options);
    // An earlier run of the day left its keys in the dated folder, and
    // certtool csr reuses a key it finds there.
    const std::string folder = options.out_dir.empty() ? "" : dated_folder(options.out_dir, decisions.at);
    std::map<std::string, NewRequest> files;
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
    for (const auto& w : result.written) written.requests[w.id] = {w.key_reused ? "reused" : "new", w.key_file, w.csr_file};
    auto doc = report::renew_document(plan, decisions, written.requests, written.folder);
    if (earlier) keep_earlier_entries(doc, *earlier, plan);
    written.report = report::renew_json_text(doc);
    fs::write_file_atomic(written.report_file, written.report, {0644, true});
    return written;
}

}  // namespace certtool::renew
