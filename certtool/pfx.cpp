// certtool pfx: key, certificate and chain into a PFX Windows can import.
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
    std::string key;
    std::string cert;
    std::vector<std::string> chain;
    std::string out;
    PassphraseOptions passphrase;
    PassphraseOptions key_passphrase;
    bool modern = false;
    bool legacy = false;
    std::string name;
    std::string topology;
    bool force = false;
};

ExitCode run_pfx(const PfxCliOptions& o, Terminal& term) {
    pfx::Options options;
    options.key_file = o.key;
    options.cert_file = o.cert;
    options.chain_files = o.chain;
    options.out = o.out;
    options.friendly_name = o.name;
    std::optional<model::Plan> plan;
    if (!o.topology.empty()) {
        plan = load_plan(o.topology, PlanUse::write, o.force, term).plan;
        options.plan = &*plan;
    }
    // --modern / --legacy decide; else the topology's oldest Windows Server; else the
    // profile every Windows Server imports.
    std::string why;
    if (o.modern || o.legacy) {
        options.profile = o.modern ? crypto::Pkcs12Profile::modern : crypto::Pkcs12Profile::legacy;
        why = o.modern ? "--modern" : "--legacy";
    } else if (plan) {
        options.profile = pfx::default_profile(plan->platform);
        why = "the topology's oldest Windows Server is " + std::string(plan->platform.windows_facts().name);
    } else {
        options.profile = crypto::Pkcs12Profile::legacy;
        why = "the default without --topology";
    }
    options.password = passphrase_required(o.passphrase, "Password for the PFX", true);
    options.key_passphrase = passphrase_given(o.key_passphrase);
    const pfx::Result result = pfx::write_pfx(options);
    options.password.wipe();
    options.key_passphrase.wipe();

    term.out << "wrote " << result.out << " (0600): " << result.friendly_name << ", thumbprint " << result.thumbprint << ", "
             << plural(result.chain_certificates, "chain certificate", "chain certificates") << "\n"
             << "encryption: ";
    for (std::size_t i = 0; i < result.info.bag_schemes.size(); ++i) term.out << (i ? ", " : "") << result.info.bag_schemes[i];
    term.out << "; MAC " << result.info.mac_digest << ", " << result.info.mac_iterations << " iterations ("
             << (options.profile == crypto::Pkcs12Profile::modern ? "imports on Windows Server 2019 and later"
                                                                   : "imports on Windows Server 2008 R2, 2012 R2 and later")
             << "; " << why << ")\n";
    return ExitCode::success;
}

}  // namespace

Verb register_pfx(CLI::App& app) {
    auto o = std::make_shared<PfxCliOptions>();
    CLI::App* command = app.add_subcommand("pfx", "bundle key, certificate and chain into a PFX that Windows Server imports");
    command->add_option("--key", o->key, "private key (PEM)")->required();
    command->add_option("--cert", o->cert, "certificate (PEM or DER; further certificates in the file count as chain)")->required();
    command->add_option("--chain", o->chain, "intermediate and root certificates, any order (repeatable)");
    command->add_option("--out", o->out, "the PFX to write (mode 0600, never overwritten)")->required();
    add_passphrase_options(*command, o->passphrase, "that protects the PFX (its password)");
    command->add_option("--key-passphrase-file", o->key_passphrase.file, "passphrase of an encrypted key, from this file");
    command->add_option("--key-passphrase-env", o->key_passphrase.env, "passphrase of an encrypted key, from this environment variable");
    auto* modern = command->add_flag("--modern", o->modern, "AES-256 and a SHA-256 MAC, which only Windows Server 2019 and later import");
    command->add_flag("--legacy", o->legacy, "3DES and a SHA-1 MAC, which Windows Server 2008 R2 to 2016 need")->excludes(modern);
    command->add_option("--name", o->name, "friendly name in the Windows store (default: the plan id with --topology, else the subject)");
    command->add_option("--topology", o->topology,
                        "name the PFX after the certificate's plan id; without --modern or --legacy, its windows_server "
                        "decides (2019 or later: modern; else legacy)");
    add_force_option(*command, o->force, "");
    command->footer("\n" + exit_codes_help("the PFX was written and read back", "not used", true) +
                    "\n"
                    "Examples:\n"
                    "  certtool pfx --key req/edge-external.lsedge-contoso-net.key --cert edge.cer --chain ca-chain.pem \\\n"
                    "      --out edge-external.pfx --passphrase-file pfx.pass --topology site.json\n");
    return {command, [o](Terminal& term) { return run_pfx(*o, term); }};
}

}  // namespace certtool::cli
