// certtool csr: keys, PKCS#10 requests and certreq INFs for the whole plan.
#include <iomanip>
#include <memory>

#include "core/plural.hpp"
#include "model/plan.hpp"
#include "passphrase.hpp"
#include "request/requests.hpp"
#include "plan_policy.hpp"
#include "verb.hpp"

namespace certtool::cli {

namespace {

struct CsrOptions {
    std::string topology;
    std::string out;
    std::vector<std::string> only;
    int key_bits = 0;
    bool new_key = false;
    bool encrypt_keys = false;
    PassphraseOptions passphrase;
    std::string ms_template;
    bool force = false;
    bool allow_weak_keys = false;
    unsigned jobs = 0;
};

void print_written(const request::Result& result, const std::string& out_dir, Terminal& term) {
    std::size_t width = 2;
    for (const auto& w : result.written) width = std::max(width, w.id.size());
    term.out << std::left << std::setw(static_cast<int>(width)) << "ID" << "  KEY\n";
    for (const auto& w : result.written) {
        std::string key = w.key_reused ? "reused" : !w.replaced_key_file.empty() ? "new, previous kept as " + w.replaced_key_file : "new";
        if (w.key_encrypted) key += " (encrypted)";
        term.out << std::setw(static_cast<int>(width)) << w.id << "  " << key << "\n";
    }
    term.out << std::right << "\n"
             << plural(result.written.size(), "request", "requests") << " in " << out_dir << ": <id>.key (0600), <id>.csr, <id>.inf; manifest "
             << result.manifest_file << "\n";
}

ExitCode run_csr(CsrOptions& options, Terminal& term) {
    const model::Plan plan = load_plan(options.topology, PlanUse::write, options.force, term).plan;

    request::Options req;
    req.out_dir = options.out;
    req.only = options.only;
    if (options.key_bits != 0) req.key_bits = options.key_bits;
    req.new_key = options.new_key;
    req.encrypt_keys = options.encrypt_keys;
    req.passphrase = options.encrypt_keys ? passphrase_required(options.passphrase, "Passphrase for the new keys", true)
                                          : passphrase_given(options.passphrase);
    if (!options.ms_template.empty()) req.ms_template = options.ms_template;
    req.force = options.force;
    req.allow_weak_keys = options.allow_weak_keys;
    req.jobs = options.jobs;

    // Progress only where a person watches it.
    request::Progress progress;
    if (term.err_is_tty)
        progress = [&term](std::size_t done, std::size_t total, const std::string& id) {
            term.err << "\r\033[K[" << done << "/" << total << "] " << id << std::flush;
            if (done == total) term.err << "\r\033[K" << std::flush;
        };

    const request::Result result = request::write_requests(plan, req, progress);
    req.passphrase.wipe();
    for (const auto& w : result.warnings) term.err << "certtool: warning: " << w << "\n";
    print_written(result, options.out, term);
    term.out.flush();
    return ExitCode::success;
}

}  // namespace

Verb register_csr(CLI::App& app) {
    auto options = std::make_shared<CsrOptions>();
    CLI::App* command = app.add_subcommand("csr", "generate the private keys and certificate requests (CSRs) the plan needs");

    command->add_option("TOPOLOGY", options->topology, "topology file (certtool.topology/v1 JSON)")->required();
    command->add_option("--out", options->out, "directory for the keys, requests and manifest (created 0700 if missing)")->required();
    add_only_option(*command, options->only, "request");
    command->add_option("--key-bits", options->key_bits, "key size instead of the topology policy's: RSA 2048, 3072, 4096 (1024 with --allow-weak-keys); ECDSA 256, 384, 521");
    command->add_flag("--new-key", options->new_key, "generate new keys even where a key file exists (the old key is kept as <id>.key.replaced-<time>)");
    command->add_flag("--encrypt-keys", options->encrypt_keys, "write new keys encrypted (PKCS#8, AES-256) with the passphrase");
    add_passphrase_options(*command, options->passphrase, "for --encrypt-keys and for existing encrypted keys");
    command->add_option("--ms-template", options->ms_template, "Microsoft certificate template name to request (an enterprise CA applies it), e.g. WebServer");
    add_force_option(*command, options->force, "");
    command->add_flag("--allow-weak-keys", options->allow_weak_keys, "accept RSA 1024 (public CAs refuse it)");
    command->add_option("--jobs", options->jobs, "key generation threads (default: one per core)")->check(CLI::Range(1u, 256u));

    command->footer("Arguments:\n"
                    "  TOPOLOGY  the topology as a certtool.topology/v1 JSON file\n"
                    "\n"
                    "Writes, per certificate of the plan, into --out:\n"
                    "  <id>.key   PKCS#8 private key, mode 0600; reused on the next run unless --new-key\n"
                    "  <id>.csr   PKCS#10 request (subject, SANs in plan order, EKU, key usage)\n"
                    "  <id>.inf   certreq INF, for generating the key on the Windows server instead\n"
                    "  manifest.json  plan hash and, per certificate, its files, subject, SANs and public-key SHA-256\n"
                    "Every request is read back with Botan and compared with the plan before anything is written.\n"
                    "\n" +
                    exit_codes_help("every request was written", "not used", true) +
                    "\n"
                    "Examples:\n"
                    "  certtool csr site.json --out requests/\n"
                    "  certtool csr site.json --out requests/ --only edge-external --ms-template WebServer\n"
                    "  certtool csr site.json --out requests/ --encrypt-keys --passphrase-file ~/.certtool-pass\n");

    return {command, [options](Terminal& term) { return run_csr(*options, term); }};
}

}  // namespace certtool::cli
