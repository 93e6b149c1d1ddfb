// certtool script: the PowerShell that imports and assigns the certificates on
// every member. Options, help and dispatch; lib/script does the work.
#include <algorithm>
#include <memory>

#include "check_options.hpp"
#include "core/plural.hpp"
#include "core/time.hpp"
#include "fs/safe_file.hpp"
#include "inventory/inventory.hpp"
#include "model/lifetime.hpp"
#include "passphrase.hpp"
#include "report/script_report.hpp"
#include "script/script.hpp"
#include "plan_policy.hpp"
#include "verb.hpp"

namespace certtool::cli {

namespace {

constexpr int kLeadHoursNotGiven = -2147483647;

struct ScriptOptions {
    std::string topology;
    std::string pfx_dir;
    std::string out;
    std::string current;
    int lead_hours = kLeadHoursNotGiven;
    std::vector<std::string> only;
    std::vector<std::string> immediate;
    bool force = false;
    std::string at;
    std::string ca;
    bool restart_services = false;
    bool export_only = false;
    PassphraseOptions passphrase;
};

ExitCode run_script(const ScriptOptions& options, Terminal& term) {
    if (options.lead_hours != kLeadHoursNotGiven) script::validate_lead_hours(options.lead_hours);
    const auto planned = load_plan(options.topology, PlanUse::write, options.force, term);
    const model::Plan& full = planned.plan;
    const model::Plan plan = options.only.empty() ? full : model::select_certificates(full, options.only);

    script::Options run;
    run.topology = options.topology;
    run.at = at_or_now(options.at);
    run.restart_services = options.restart_services;
    run.export_only = options.export_only;
    if (options.export_only) {
        // Only the export scripts: no PFX, no passphrase.
        const auto files = script::render_export_scripts(plan, run);
        fs::prepare_output_directory(options.out, true);
        const auto written = fs::write_new_files(options.out, script::windows_files(files), 0644);
        for (const auto& file : written) term.out << "wrote " << file << "\n";
        term.out << "Run each <member>.export.ps1 on its member, copy the export folders here, then: certtool audit "
                 << options.topology << " --files <folder>\n";
        term.out.flush();
        return ExitCode::success;
    }
    if (options.pfx_dir.empty())
        usage_error("usage.script-pfx", "", "--pfx DIR is required (or --export-only, for the export scripts alone)");
    if (!options.ca.empty()) run.ca = script::read_ca_folder(options.ca);
    if (options.lead_hours != kLeadHoursNotGiven) run.lead_hours = options.lead_hours;
    for (const auto& id : options.immediate) {
        const auto* c = plan.find(id);
        if (c == nullptr)
            usage_error("usage.unknown-certificate", planned.loaded.source.path,
                        "--immediate " + id + " is not a certificate id of the plan (or of --only)");
        const bool stageable = model::roll_lead_hours(c->usages) > 0;
        if (!stageable)
            usage_error("usage.immediate", "", "--immediate " + id +
                                                   ": this certificate has no usage that is staged with -Roll "
                                                   "(only AudioVideoAuthentication and OAuthTokenIssuer are); it is assigned immediately anyway");
        run.immediate.insert(id);
    }
    // Before asking for the passphrase: a folder that is not there needs none.
    if (!inventory::files_in(options.pfx_dir)) usage_error("script.pfx-folder", options.pfx_dir, "--pfx: no such folder");

    Secret passphrase = passphrase_required(options.passphrase, "Passphrase of the PFX files", false);
    const auto pfx = script::read_pfx_folder(options.pfx_dir, full, plan, passphrase);
    std::vector<std::string> notes = pfx.notes;
    script::CurrentCertificates current;
    if (!options.current.empty()) current = script::read_current(options.current, full, plan, pfx.certificates, passphrase);
    passphrase.wipe();
    notes.insert(notes.end(), current.notes.begin(), current.notes.end());

    const script::Result result = script::generate(plan, pfx.certificates, current.certificates, run);
    notes.insert(notes.end(), result.notes.begin(), result.notes.end());
    if (!result.problems.empty()) {
        for (const auto& f : result.problems)
            term.err << "certtool: " << model::to_string(f.severity) << ": " << f.certificate << ": " << f.message << " [" << f.code
                     << "]\n";
        term.err << "certtool: nothing written: " << plural(result.problems.size(), "certificate", "certificates")
                 << " could not be scripted\n";
        return ExitCode::problems_found;
    }

    if (!result.restarted.empty()) {
        std::string members;
        for (const auto& m : result.restarted) members += (members.empty() ? "" : ", ") + m;
        term.err << "certtool: warning: --restart-services: the scripts of " << plural(result.restarted.size(), "member", "members")
                 << " (" << members << ") stop and start the services after assigning: "
                 << "signed-in users are disconnected and reconnect. Run them in a maintenance window, one pool member at a time.\n";
    }
    fs::prepare_output_directory(options.out, true);
    const auto written = fs::write_new_files(options.out, script::windows_files(result.files), 0644);
    report::render_script_table(result, notes, written, term.out);
    term.out.flush();
    return ExitCode::success;
}

}  // namespace

Verb register_script(CLI::App& app) {
    auto options = std::make_shared<ScriptOptions>();
    CLI::App* command = app.add_subcommand("script", "write the PowerShell that imports and assigns the certificates on every member");
    command->add_option("TOPOLOGY", options->topology, "topology file (certtool.topology/v1 JSON)")->required();
    auto* pfx = command->add_option("--pfx", options->pfx_dir, "folder holding <certificate id>.pfx for the certificates to install (required unless --export-only)");
    command->add_option("--out", options->out, "folder for <member>.ps1, <member>.cleanup.ps1 and README.txt (created if missing; existing files are never replaced)")
        ->required();
    auto* current = command->add_option("--current", options->current,
                        "what is deployed now, for -Roll staging: certtool audit --format json output, or a folder of certificate files");
    auto* lead = command->add_option("--lead-hours", options->lead_hours,
                        "hours between EffectiveDate and the old certificate's expiry (at least 8 for A/V, 24 for OAuth; can only raise them)");
    add_only_option(*command, options->only, "script");
    auto* immediate = command->add_option("--immediate", options->immediate,
                        "assign this certificate id at once, without -Roll, even though the old one is known; repeatable")
        ->delimiter(',')
        ->allow_extra_args(false);
    auto* ca = command->add_option("--ca", options->ca,
                        "folder of certtool ca init (root.pem, intermediate.pem): the scripts import its root into LocalMachine\\Root "
                        "and its intermediate into LocalMachine\\CA, once, before the certificates; writes ca-*.cer beside them");
    auto* restart = command->add_flag("--restart-services", options->restart_services,
                       "after assigning, stop and start the services on the member (Stop-CsWindowsService, Start-CsWindowsService): "
                       "signed-in users are disconnected and reconnect");
    auto* export_only = command->add_flag("--export-only", options->export_only,
                       "write only <member>.export.ps1 (and README.txt): scripts that export each member's current certificates "
                       "for audit --files and --current; needs no PFX");
    for (auto* other : {pfx, ca, restart, current, lead, immediate}) export_only->excludes(other);
    add_at_option(*command, options->at, "script as at");
    add_force_option(*command, options->force, "");
    add_passphrase_options(*command, options->passphrase, "of the PFX files (and of PFX files under --current)");
    command->footer("Arguments:\n"
                    "  TOPOLOGY  the topology the certificates were planned from; its plan says which member gets which\n"
                    "            certificate and Set-CsCertificate -Type usages\n"
                    "\n"
                    "AudioVideoAuthentication and OAuthTokenIssuer are staged with -Roll -EffectiveDate when the current\n"
                    "certificate's expiry is known (--current): EffectiveDate = expiry minus 8 hours (A/V) or 24 hours (OAuth).\n"
                    "OAuthTokenIssuer is assigned once, with -Identity Global, on the first Front End.\n"
                    "\n" +
                    exit_codes_help("the scripts were written", "nothing written: a certificate could not be scripted (e.g. too late to stage)", true) +
                    "\n"
                    "Examples:\n"
                    "  certtool script site.json --pfx pfx/ --out scripts/ --passphrase-file pfx.pass\n"
                    "  certtool audit site.json --files exported/ --format json > now.json\n"
                    "  certtool script site.json --pfx pfx/ --out scripts/ --current now.json --passphrase-env PFX_PASS\n");
    return {command, [options](Terminal& term) { return run_script(*options, term); }};
}

}  // namespace certtool::cli
