// certtool pfx: key, certificate and chain into a PFX Windows can import; one
// file, or one per request of a `certtool csr` folder.
#include <iomanip>
#include <memory>

#include "check_options.hpp"
#include "core/plural.hpp"
#include "passphrase.hpp"
#include "pfx/pfx.hpp"
#include "plan_policy.hpp"
#include "verb.hpp"

namespace certtool::cli {

namespace {

struct PfxCliOptions {
    // One file.
    std::string key;
    std::string cert;
    std::string name;
    // One per request of a csr folder.
    std::string requests;
    std::string certs;
    std::vector<std::string> only;
    // Both.
    std::vector<std::string> chain;
    std::string out;
    PassphraseOptions passphrase;
    PassphraseOptions key_passphrase;
    bool modern = false;
    bool legacy = false;
    std::string csp;
    bool no_csp = false;
    std::string topology;
    bool force = false;
};

const char* kForms =
    "certtool pfx builds one PFX (--key K --cert C --out F.pfx) or one per request of a csr folder "
    "(--requests DIR --certs DIR --out DIR --topology T)";

// The two forms, told apart before anything is read.
bool bulk_form(const PfxCliOptions& o) {
    const bool one = !o.key.empty() || !o.cert.empty() || !o.name.empty();
    const bool bulk = !o.requests.empty() || !o.certs.empty() || !o.only.empty();
    if (one && bulk)
        usage_error("usage.pfx-form", "",
                    std::string(kForms) + ": give the options of one form, not both (--key, --cert, --name are of the first; "
                                          "--requests, --certs, --only of the second)");
    if (!one && !bulk) usage_error("usage.pfx-form", "", std::string(kForms) + ": give --key and --cert, or --requests and --certs");
    if (one && (o.key.empty() || o.cert.empty()))
        usage_error("usage.pfx-form", "", std::string("one PFX needs both --key and --cert (") + kForms + ")");
    if (bulk && (o.requests.empty() || o.certs.empty() || o.topology.empty()))
        usage_error("usage.pfx-form", "",
                    "PFX files from a csr folder need --requests DIR (the folder certtool csr --out wrote), --certs DIR (the issued "
                    "certificates) and --topology T (each certificate is checked against its plan entry)");
    return bulk;
}

// --modern / --legacy decide; else the topology's oldest Windows Server; else
// the profile every Windows Server imports. Returns why.
std::string choose_profile(const PfxCliOptions& o, const model::Plan* plan, pfx::Settings& s) {
    if (o.modern || o.legacy) {
        s.profile = o.modern ? crypto::Pkcs12Profile::modern : crypto::Pkcs12Profile::legacy;
        return o.modern ? "--modern" : "--legacy";
    }
    if (plan != nullptr) {
        s.profile = pfx::default_profile(plan->platform);
        return "the topology's oldest Windows Server is " + std::string(plan->platform.windows_facts().name);
    }
    s.profile = crypto::Pkcs12Profile::legacy;
    return "the default without --topology";
}

std::string csp_text(const pfx::Result& r) { return r.info.csp_name.empty() ? "none" : "\"" + r.info.csp_name + "\""; }

void print_encryption(const pfx::Result& r, crypto::Pkcs12Profile profile, const std::string& why, Terminal& term) {
    term.out << "encryption: ";
    for (std::size_t i = 0; i < r.info.bag_schemes.size(); ++i) term.out << (i ? ", " : "") << r.info.bag_schemes[i];
    term.out << "; MAC " << r.info.mac_digest << ", " << r.info.mac_iterations << " iterations ("
             << (profile == crypto::Pkcs12Profile::modern ? "imports on Windows Server 2019 and later"
                                                           : "imports on Windows Server 2008 R2, 2012 R2 and later")
             << "; " << why << ")\n";
}

ExitCode run_one(const PfxCliOptions& o, pfx::Settings settings, const std::string& why, const model::Plan* plan, Terminal& term) {
    pfx::Options options;
    options.key_file = o.key;
    options.cert_file = o.cert;
    options.chain_files = o.chain;
    options.out = o.out;
    options.friendly_name = o.name;
    options.plan = plan;
    options.settings = std::move(settings);
    const pfx::Result result = pfx::write_pfx(options);
    options.settings.password.wipe();
    options.settings.key_passphrase.wipe();

    if (!result.replaced.empty()) term.out << "kept the previous " << result.out << " as " << result.replaced << "\n";
    term.out << "wrote " << result.out << " (0600): " << result.friendly_name << ", thumbprint " << result.thumbprint << ", "
             << plural(result.chain_certificates, "chain certificate", "chain certificates") << "\n"
             << "key provider (Microsoft CSP Name): " << csp_text(result) << "\n";
    if (!result.csp_note.empty()) term.out << "note: " << result.csp_note << "\n";
    print_encryption(result, options.settings.profile, why, term);
    return ExitCode::success;
}

ExitCode run_bulk(const PfxCliOptions& o, pfx::Settings settings, const std::string& why, const model::Plan& plan, Terminal& term) {
    pfx::BulkOptions options;
    options.requests_dir = o.requests;
    options.certs_dir = o.certs;
    options.chain_files = o.chain;
    options.out_dir = o.out;
    options.only = o.only;
    options.plan = &plan;
    options.settings = std::move(settings);
    const pfx::BulkResult result = pfx::write_pfx_folder(options);
    options.settings.password.wipe();
    options.settings.key_passphrase.wipe();

    std::size_t width = 2;
    for (const auto& r : result.written) width = std::max(width, r.id.size());
    const int w = static_cast<int>(width);
    term.out << std::left << std::setw(w) << "ID" << "  " << std::setw(40) << "THUMBPRINT" << "  CHAIN  KEY PROVIDER (CSP NAME)\n";
    for (const auto& r : result.written)
        term.out << std::setw(w) << r.id << "  " << std::setw(40) << r.thumbprint << "  " << std::setw(5) << r.chain_certificates
                 << "  " << csp_text(r) << "\n";
    term.out << std::right << "\n"
             << plural(result.written.size(), "PFX file", "PFX files") << " written to " << o.out
             << " as <id>.pfx (0600, friendly name the id), from the keys of " << result.manifest_file << " and the certificates in "
             << o.certs << "\n";
    for (const auto& r : result.written) {
        if (!r.replaced.empty()) term.out << "kept the previous " << r.out << " as " << r.replaced << "\n";
        if (!r.csp_note.empty()) term.out << "note: " << r.id << ": " << r.csp_note << "\n";
    }
    print_encryption(result.written.front(), options.settings.profile, why, term);
    for (const auto& n : result.notes) term.out << "note: " << n << "\n";
    if (result.missing.empty()) return ExitCode::success;
    term.out << "\nno certificate yet for " << plural(result.missing.size(), "request", "requests")
             << " (looked for <id>.pem, <id>.crt, <id>.cer, <id>.chain.pem in " << o.certs << "), no PFX written for:\n";
    for (const auto& id : result.missing) term.out << "  " << id << "\n";
    return ExitCode::problems_found;
}

ExitCode run_pfx(const PfxCliOptions& o, Terminal& term) {
    const bool bulk = bulk_form(o);
    std::optional<model::Plan> plan;
    if (!o.topology.empty()) plan = load_plan(o.topology, PlanUse::write, o.force, term).plan;

    pfx::Settings settings;
    const std::string why = choose_profile(o, plan ? &*plan : nullptr, settings);
    settings.csp = o.no_csp ? pfx::Csp::none : o.csp.empty() ? pfx::Csp::by_key : pfx::Csp::named;
    settings.csp_name = o.csp;
    settings.replace_existing = o.force;
    settings.password = passphrase_required(o.passphrase, bulk ? "Password for the PFX files" : "Password for the PFX", true);
    settings.key_passphrase = passphrase_given(o.key_passphrase);
    return bulk ? run_bulk(o, std::move(settings), why, *plan, term) : run_one(o, std::move(settings), why, plan ? &*plan : nullptr, term);
}

}  // namespace

Verb register_pfx(CLI::App& app) {
    auto o = std::make_shared<PfxCliOptions>();
    CLI::App* command = app.add_subcommand("pfx", "bundle key, certificate and chain into PFX files that Windows Server imports");
    command->add_option("--key", o->key, "one PFX: the private key (PEM)");
    command->add_option("--cert", o->cert, "one PFX: the certificate (PEM or DER; further certificates in the file count as chain)");
    command->add_option("--name", o->name, "one PFX: friendly name in the Windows store (default: the plan id with --topology, else the subject)");
    command->add_option("--requests", o->requests, "PFX files per request: the folder certtool csr --out wrote (manifest.json and the keys)");
    command->add_option("--certs", o->certs,
                        "PFX files per request: the issued certificates, <id>.pem, <id>.crt or <id>.cer (PEM or DER, maybe with "
                        "the chain) and/or <id>.chain.pem (leaf, then intermediates), as certtool ca sign --manifest writes them");
    add_only_option(*command, o->only, "PFX files per request: build");
    command->add_option("--chain", o->chain,
                        "intermediate and root certificates, any order (repeatable); per request: added to each certificate whose "
                        "path they are on (e.g. the root)");
    command->add_option("--out", o->out, "one PFX: the file to write; per request: the folder for <id>.pfx (created 0700)")->required();
    add_passphrase_options(*command, o->passphrase, "that protects the PFX files (their one password)");
    command->add_option("--key-passphrase-file", o->key_passphrase.file, "passphrase of encrypted keys, from this file");
    command->add_option("--key-passphrase-env", o->key_passphrase.env, "passphrase of encrypted keys, from this environment variable");
    auto* modern = command->add_flag("--modern", o->modern, "AES-256 and a SHA-256 MAC, which only Windows Server 2019 and later import");
    command->add_flag("--legacy", o->legacy, "3DES and a SHA-1 MAC, which Windows Server 2008 R2 to 2016 need")->excludes(modern);
    auto* csp = command->add_option("--csp", o->csp,
                                    "the key provider Windows imports the key into, named in the key bag (Microsoft CSP Name); default "
                                    "for an RSA key: Microsoft RSA SChannel Cryptographic Provider, for an ECDSA key: none");
    command->add_flag("--no-csp", o->no_csp, "name no key provider: Windows picks its default (a CNG key storage provider on 2012 and later)")
        ->excludes(csp);
    command->add_option("--topology", o->topology,
                        "the topology: per request (required), each certificate is checked against its plan entry; one PFX is "
                        "named by its plan id; without --modern or --legacy, its windows_server decides (2019 or later: modern; "
                        "else legacy)");
    add_force_option(*command, o->force, "replace an existing PFX, keeping it as <file>.replaced-<UTC time>");
    command->footer("\n"
                    "Per request, writes OUT/<id>.pfx: what certtool script --pfx OUT reads. Requests without a certificate\n"
                    "in --certs are listed, and the exit code is then 1.\n\n" +
                    exit_codes_help("every PFX was written and read back", "PFX files per request: some requests have no certificate yet (listed); the others were written", true) +
                    "\n"
                    "Examples:\n"
                    "  certtool pfx --key req/edge-external.lsedge-contoso-net.key --cert edge.cer --chain ca-chain.pem \\\n"
                    "      --out edge-external.pfx --passphrase-file pfx.pass --topology site.json\n"
                    "  certtool pfx --requests req/ --certs issued/ --chain labca/root.pem --out pfx/ \\\n"
                    "      --passphrase-file pfx.pass --topology site.json\n");
    return {command, [o](Terminal& term) { return run_pfx(*o, term); }};
}

}  // namespace certtool::cli
