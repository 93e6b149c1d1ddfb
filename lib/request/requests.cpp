#include "request/requests.hpp"

#include <algorithm>
#include <ctime>
#include <exception>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>

#include "core/diagnostic.hpp"
#include "core/json_bounded.hpp"
#include "core/json_reader.hpp"
#include "core/parallel.hpp"
#include "core/plural.hpp"
#include "core/time.hpp"
#include "crypto/csr.hpp"
#include "crypto/digest.hpp"
#include "crypto/keys.hpp"
#include "fs/safe_file.hpp"
#include "inventory/key_file.hpp"
#include "model/roles.hpp"
#include "report/certreq_inf.hpp"
#include "report/report.hpp"

namespace certtool::request {

namespace {

constexpr std::size_t kMaxManifestBytes = 64 << 20;
constexpr const char* kManifestSchema = "certtool.csr-manifest/v1";

[[noreturn]] void input_error(const std::string& code, const std::string& file, const std::string& message) {
    throw InputError(Diagnostic{code, file, "", 0, 0, message});
}

std::string key_name(const crypto::KeyParams& p) {
    if (p.type == crypto::KeyType::rsa) return "RSA " + std::to_string(p.bits);
    return "ECDSA P-" + std::to_string(p.bits);
}

// One certificate's work: everything is computed here before anything is written.
struct Job {
    const model::CertificateRequirement* certificate = nullptr;
    crypto::KeyParams params;
    std::string key_path;
    std::string csr_path;
    std::string inf_path;
    std::optional<crypto::PrivateKey> key;  // loaded (reused) or generated
    bool key_reused = false;
    bool key_external = false;  // key_path is an Options::existing_key_files entry
    bool key_encrypted = false;
    Secret previous_key_pem;  // with --new-key: kept beside the new one
    std::string replaced_key_path;
    Secret key_pem;  // only for a new key
    std::string csr_pem;
    std::string inf;
    std::string public_key_sha256;
};

crypto::KeyParams key_params(const model::CertificateRequirement& c, const Options& options) {
    crypto::KeyParams p;
    p.type = c.key.algorithm == topology::KeyAlgorithm::rsa ? crypto::KeyType::rsa : crypto::KeyType::ec;
    p.bits = options.key_bits.value_or(c.key.bits);
    // C7: --key-bits never goes below the role's own minimum (OAuth: 2048).
    if (p.type == crypto::KeyType::rsa) p.bits = std::max(p.bits, model::facts(c.role).min_rsa_bits);
    return p;
}

void check_key_size(const crypto::KeyParams& p, const Options& options, Result& result) {
    if (p.type == crypto::KeyType::ec) {
        if (p.bits != 256 && p.bits != 384 && p.bits != 521)
            input_error("usage.key-bits", "", "ECDSA keys are 256, 384 or 521 bits (P-256, P-384, P-521), not " +
                                                  std::to_string(p.bits));
        return;
    }
    if (p.bits != 1024 && p.bits != 2048 && p.bits != 3072 && p.bits != 4096)
        input_error("usage.key-bits", "", "RSA keys are 1024, 2048, 3072 or 4096 bits, not " + std::to_string(p.bits));
    if (p.bits < 2048) {
        if (!options.allow_weak_keys)
            input_error("key.too-small", "",
                        "RSA " + std::to_string(p.bits) +
                            "-bit keys are refused: public CAs will not sign them and 2048 is the recommended minimum "
                            "(INFRA); add --allow-weak-keys if you really need them");
        result.warnings.push_back("RSA " + std::to_string(p.bits) +
                                  "-bit keys requested with --allow-weak-keys: public CAs will not sign them");
    }
}

// Every path this run will read or write, checked before anything is read or
// written: a symbolic link planted at any of them (the key above all) is refused,
// never followed.
void check_paths(const Job& job, const std::string& manifest_path) {
    for (const auto* path : {&job.key_path, &job.csr_path, &job.inf_path, &manifest_path}) {
        if (fs::is_symlink(*path))
            input_error("output.symlink", *path, "is a symbolic link; refusing to read or write through it");
        if (fs::exists(*path) && !fs::is_regular_file(*path))
            input_error("output.io", *path, "exists and is not a regular file");
    }
}

// An existing key file: reused unless --new-key, and then it must be a key of
// the kind the plan asks for.
void load_existing_key(Job& job, const Options& options) {
    if (!fs::exists(job.key_path)) {
        if (job.key_external) input_error("key.missing", job.key_path, "the key to reuse does not exist");
        return;
    }
    if (options.new_key && !job.key_external) {
        job.previous_key_pem = inventory::read_key_bytes(job.key_path, "key");
        return;
    }
    try {
        auto file = inventory::read_key_file(job.key_path, options.passphrase, "key");
        job.key = std::move(file.key);
        job.key_encrypted = file.encrypted;
    } catch (const crypto::CryptoError& e) {
        if (e.code() == "key.encrypted")
            input_error("key.encrypted", job.key_path,
                        "this existing key is encrypted; give its passphrase with --passphrase-file or --passphrase-env");
        if (e.code() == "key.wrong-passphrase")
            input_error("key.wrong-passphrase", job.key_path, "the passphrase does not open this existing key");
        input_error(e.code() == "key.not-a-key" ? "key.not-a-key" : e.code(), job.key_path,
                    "exists but is not a usable private key (PEM): " + std::string(e.what()) +
                        (job.key_external ? "" : "; move it away, or use --new-key to replace it"));
    }
    const auto found = job.key->params();
    if (found.type != job.params.type || found.bits != job.params.bits)
        input_error("csr.key-mismatch", job.key_path,
                    "holds an " + key_name(found) + " key but the plan asks for " + key_name(job.params) +
                        (job.key_external ? "; it cannot be reused, request a new key instead"
                                          : "; use --new-key to replace it (the old key is kept beside it)"));
    job.key_reused = true;
}

crypto::CsrRequest csr_request(const model::CertificateRequirement& c, const Options& options) {
    crypto::CsrRequest r;
    r.subject = {c.common_name,          c.organization.organization, c.organization.organizational_unit,
                 c.organization.locality, c.organization.state,        c.organization.country};
    for (const auto& san : c.sans) r.dns_names.push_back(san.name);
    r.eku = c.eku;
    r.key_usage = c.key_usage;
    r.signature_hash = c.signature_hash;
    r.ms_template = options.ms_template;
    return r;
}

std::set<std::string> as_set(const std::vector<std::string>& v) { return {v.begin(), v.end()}; }

std::string joined(const std::vector<std::string>& v) {
    std::string out;
    for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
    return out;
}

// Reads the CSR back with Botan and compares it with what was asked for.
// OpenSSL built it; an independent parser must agree before it is written.
void verify_independently(const Job& job, const crypto::CsrRequest& asked) {
    const auto parsed = crypto::parse_csr_independently(job.csr_pem);
    std::vector<std::string> differences;
    auto differ = [&](const std::string& what, const std::string& expected, const std::string& found) {
        if (expected != found) differences.push_back(what + ": expected '" + expected + "', found '" + found + "'");
    };
    if (!parsed.signature_valid) differences.push_back("signature does not verify");
    differ("common name", asked.subject.common_name, parsed.subject.common_name);
    differ("organization", asked.subject.organization, parsed.subject.organization);
    differ("organizational unit", asked.subject.organizational_unit, parsed.subject.organizational_unit);
    differ("locality", asked.subject.locality, parsed.subject.locality);
    differ("state", asked.subject.state, parsed.subject.state);
    differ("country", asked.subject.country, parsed.subject.country);
    differ("SANs (in order)", joined(asked.dns_names), joined(parsed.dns_names));
    if (as_set(asked.eku) != as_set(parsed.eku)) differ("EKU", joined(asked.eku), joined(parsed.eku));
    if (as_set(asked.key_usage) != as_set(parsed.key_usage))
        differ("key usage", joined(asked.key_usage), joined(parsed.key_usage));
    differ("certificate template", asked.ms_template.value_or(""), parsed.ms_template.value_or(""));
    differ("public key", job.public_key_sha256, parsed.public_key_sha256);
    if (!differences.empty())
        throw std::runtime_error("the request for " + job.certificate->id +
                                 " does not read back as planned (nothing was written): " + joined(differences));
}

void prepare(Job& job, const Options& options, const report::InfContext& inf_context) {
    if (!job.key) job.key = crypto::generate_key(job.params);
    job.public_key_sha256 = job.key->public_key_sha256();
    if (!job.key_reused) {
        const bool encrypt = options.encrypt_keys && options.passphrase.has_value();
        job.key_pem = Secret(crypto::to_pkcs8_pem(*job.key, encrypt ? options.passphrase.value() : std::nullopt));
        job.key_encrypted = encrypt;
    }
    const auto asked = csr_request(*job.certificate, options);
    job.csr_pem = crypto::make_csr_pem(*job.key, asked);
    verify_independently(job, asked);
    job.inf = report::render_certreq_inf(*job.certificate, inf_context);
}

// Key generation dominates the run: spread the jobs over the cores.
void prepare_all(std::vector<Job>& jobs, const Options& options, const report::InfContext& inf_context,
                 const Progress& progress) {
    std::size_t done = 0;
    std::mutex progress_mutex;
    // A failed job still counts as done for the progress line, which ends only when all have.
    parallel_for_each(jobs.size(), [&](std::size_t i) {
        std::exception_ptr failure;
        try {
            prepare(jobs[i], options, inf_context);
        } catch (...) {
            failure = std::current_exception();
        }
        if (progress) {
            std::lock_guard lock(progress_mutex);
            progress(++done, jobs.size(), jobs[i].certificate->id);
        }
        if (failure) std::rethrow_exception(failure);
    }, {options.jobs, {}});
}

nlohmann::ordered_json manifest_entry(const Job& job) {
    const auto& c = *job.certificate;
    nlohmann::ordered_json entry;
    entry["id"] = c.id;
    entry["role"] = model::to_string(c.role);
    entry["subject"] = report::windows_subject(c);
    nlohmann::ordered_json sans = nlohmann::ordered_json::array();
    for (const auto& san : c.sans) sans.push_back(san.name);
    entry["sans"] = std::move(sans);
    entry["key"] = {{"algorithm", job.params.type == crypto::KeyType::rsa ? "RSA" : "ECDSA"}, {"bits", job.params.bits}};
    entry["key_file"] = job.key_external ? job.key_path : fs::base_name(job.key_path);
    entry["key_reused"] = job.key_reused;
    entry["key_encrypted"] = job.key_encrypted;
    entry["csr_file"] = fs::base_name(job.csr_path);
    entry["inf_file"] = fs::base_name(job.inf_path);
    entry["public_key_sha256"] = job.public_key_sha256;
    return entry;
}

// The manifest lists every certificate requested into this directory: a run
// with --only updates its entries and keeps the others.
std::string manifest_text(const model::Plan& plan, const std::string& plan_sha256, const std::vector<Job>& jobs,
                          const std::string& manifest_path) {
    std::vector<nlohmann::ordered_json> kept;
    if (fs::exists(manifest_path)) {
        try {
            const auto old = nlohmann::ordered_json::parse(fs::read_file_bounded(manifest_path, kMaxManifestBytes, "manifest"));
            for (const auto& entry : old.at("certificates")) {
                const auto id = entry.at("id").get<std::string>();
                const bool replaced =
                    std::any_of(jobs.begin(), jobs.end(), [&](const Job& j) { return j.certificate->id == id; });
                if (!replaced) kept.push_back(entry);
            }
        } catch (const nlohmann::json::exception&) {
            // An unreadable manifest is rewritten from this run alone.
        }
    }
    nlohmann::ordered_json doc;
    doc["schema"] = kManifestSchema;
    doc["topology"] = {{"path", plan.source.path}, {"sha256", plan.source.sha256}};
    doc["plan_sha256"] = plan_sha256;
    std::vector<nlohmann::ordered_json> entries = kept;
    for (const auto& job : jobs) entries.push_back(manifest_entry(job));
    // Plan order for this plan's certificates, then any others by id.
    auto rank = [&](const nlohmann::ordered_json& e) {
        const auto id = e.at("id").get<std::string>();
        for (std::size_t i = 0; i < plan.certificates.size(); ++i)
            if (plan.certificates[i].id == id) return std::make_pair(i, id);
        return std::make_pair(plan.certificates.size(), id);
    };
    std::stable_sort(entries.begin(), entries.end(), [&](const auto& a, const auto& b) { return rank(a) < rank(b); });
    doc["certificates"] = entries;
    return doc.dump(2) + "\n";
}

void check_parent_exists(const std::string& dir) {
    const std::string parent = fs::parent_of(dir);
    if (!fs::exists(parent))
        input_error("output.missing", dir, "neither the output directory nor its parent " + parent + " exists");
}

}  // namespace

Result write_requests(const model::Plan& plan, const Options& options, const Progress& progress) {
    Result result;
    if (plan.has_errors() && !options.force)
        input_error(model::kPlanHasErrors, plan.source.path,
                    error_summary(plan) + "; run 'certtool plan' to see them all, fix the topology, or use --force");
    if (options.encrypt_keys && !options.passphrase)
        input_error("passphrase.missing", "", "--encrypt-keys needs a passphrase: --passphrase-file FILE or --passphrase-env VAR");
    if (options.out_dir.empty()) input_error("usage.out", "", "--out DIR is required");

    const model::Plan selected = options.only.empty() ? plan : model::select_certificates(plan, options.only);
    if (selected.certificates.empty()) input_error("csr.nothing-to-do", plan.source.path, "the plan has no certificates");

    const bool dir_exists = fs::exists(options.out_dir);
    if (dir_exists) {
        fs::prepare_output_directory(options.out_dir, false);
        fs::remove_stale_temporaries(options.out_dir);
    } else {
        check_parent_exists(options.out_dir);
    }

    // Everything that can fail because of the input fails here, before any write.
    std::vector<Job> jobs(selected.certificates.size());
    const std::string stamp = format_stamp(std::chrono::system_clock::now());
    std::set<std::string> checked_sizes;
    for (std::size_t i = 0; i < jobs.size(); ++i) {
        Job& job = jobs[i];
        job.certificate = &selected.certificates[i];
        job.params = key_params(*job.certificate, options);
        if (checked_sizes.insert(key_name(job.params)).second) check_key_size(job.params, options, result);
        const std::string base = fs::join(options.out_dir, job.certificate->id);
        job.key_path = base + ".key";
        if (const auto external = options.existing_key_files.find(job.certificate->id);
            external != options.existing_key_files.end()) {
            job.key_path = external->second;
            job.key_external = true;
        }
        job.csr_path = base + ".csr";
        job.inf_path = base + ".inf";
        check_paths(job, fs::join(options.out_dir, "manifest.json"));
        load_existing_key(job, options);
        if (job.previous_key_pem) {
            job.replaced_key_path = job.key_path + ".replaced-" + stamp;
            if (fs::exists(job.replaced_key_path))
                input_error("output.exists", job.replaced_key_path, "already exists; run again in a second");
        }
    }

    const std::string plan_sha256 = crypto::sha256_hex(report::render_json(plan));
    prepare_all(jobs, options, {plan.source.path, plan_sha256, options.ms_template, plan.platform.product}, progress);

    // Everything is built and verified: now write, each file atomically, keys 0600
    // from creation. The manifest goes last, so it never names a file not there.
    if (!dir_exists) fs::prepare_output_directory(options.out_dir, true);
    for (auto& job : jobs) {
        if (!job.key_reused) {
            if (job.previous_key_pem) {
                fs::write_file_atomic(job.replaced_key_path, *job.previous_key_pem, {0600, false});
                job.previous_key_pem.wipe();
            }
            fs::write_file_atomic(job.key_path, *job.key_pem, {0600, !job.replaced_key_path.empty()});
            job.key_pem.wipe();
        }
        fs::write_file_atomic(job.csr_path, job.csr_pem, {0644, true});
        fs::write_file_atomic(job.inf_path, job.inf, {0644, true});
        result.written.push_back({job.certificate->id, job.key_path, job.csr_path, job.inf_path, job.key_reused,
                                  job.replaced_key_path, job.key_encrypted, job.public_key_sha256});
    }
    result.manifest_file = fs::join(options.out_dir, "manifest.json");
    fs::write_file_atomic(result.manifest_file, manifest_text(plan, plan_sha256, jobs, result.manifest_file),
                          {0644, true});
    return result;
}

namespace {

class ManifestReader : public JsonReader {
public:
    ManifestReader(const std::string& file, const std::string& error_code) : JsonReader(file, error_code, "a CSR manifest") {
        use_one_code(error_code);
    }

    std::vector<ManifestEntry> read(const JsonValue& doc, const std::string& dir) {
        std::vector<ManifestEntry> out;
        const auto schema = doc.is_object() ? doc.find("schema") : doc.end();
        if (schema == doc.end() || !schema->is_string() || schema->get<std::string>() != kManifestSchema) {
            error("", "/schema", std::string("is not a ") + kManifestSchema + " manifest (certtool csr writes one into its --out folder)");
            return out;
        }
        const JsonValue* list = array_field(doc, "certificates", "", true, false, "", "");
        std::set<std::string> ids;
        for (std::size_t i = 0; list != nullptr && i < list->size(); ++i) {
            const std::string at = child("/certificates", i);
            const JsonValue& c = (*list)[i];
            if (!c.is_object()) {
                type_error(at, "a certificate (an object)", c);
                continue;
            }
            const std::size_t problems = diagnostics().size();
            ManifestEntry entry;
            entry.pointer = at;
            const auto id = string_field(c, "id", at, true);
            const auto key_file = string_field(c, "key_file", at, true);
            const auto csr_file = string_field(c, "csr_file", at);
            entry.role = string_field(c, "role", at).value_or("");
            entry.public_key_sha256 = string_field(c, "public_key_sha256", at).value_or("");
            boolean_field(c, "key_encrypted", at, entry.key_encrypted);
            // An id names files (<id>.key, <id>.pem, <id>.pfx): it must stay in its folder.
            if (id && (id->empty() || id->front() == '.' || id->find('/') != std::string::npos || id->find('\0') != std::string::npos))
                error("", child(at, "id"), "'" + printable(*id) + "' is not a certificate id that can name a file");
            else if (id && !ids.insert(*id).second)
                error("", child(at, "id"), "the certificate " + printable(*id) + " is listed twice");
            if (key_file && (key_file->empty() || key_file->find('\0') != std::string::npos))
                error("", child(at, "key_file"), "is not a file name");
            // csr names its requests by file name, in its folder.
            if (csr_file && (csr_file->empty() || csr_file->front() == '.' || csr_file->find('/') != std::string::npos ||
                             csr_file->find('\0') != std::string::npos))
                error("", child(at, "csr_file"), "'" + printable(*csr_file) + "' is not a file name in the manifest's folder");
            if (diagnostics().size() != problems) continue;
            entry.id = *id;
            // csr names its own keys by file name; a key kept elsewhere (renew --reuse-key) by its path.
            entry.key_file = key_file->find('/') == std::string::npos ? fs::join(dir, *key_file) : *key_file;
            if (csr_file) entry.csr_file = fs::join(dir, *csr_file);
            out.push_back(std::move(entry));
        }
        return out;
    }
};

}  // namespace

Manifest read_manifest(const std::string& dir, const std::string& error_code) {
    Manifest manifest;
    manifest.file = fs::join(dir, "manifest.json");
    ManifestReader reader(manifest.file, error_code);
    std::string text;
    try {
        text = fs::read_file_bounded(manifest.file, kMaxManifestBytes, error_code);
    } catch (const InputError& e) {
        throw InputError(Diagnostic{error_code, manifest.file, "", 0, 0,
                                    e.diagnostics().front().message + " (the folder certtool csr --out wrote holds it)"});
    }
    // A manifest nests 4 levels; the limits stop a hostile file while it is parsed.
    const auto parsed = parse_json_bounded(text, JsonLimits{64, 1'000'000});
    if (!parsed.ok) {
        reader.error("", "", std::string("is not a ") + kManifestSchema + " manifest: its JSON " + parsed.problem, parsed.line,
                     parsed.column);
        reader.throw_if_problems();
    }
    manifest.certificates = reader.read(parsed.document, dir);
    reader.throw_if_problems();
    return manifest;
}

}  // namespace certtool::request
