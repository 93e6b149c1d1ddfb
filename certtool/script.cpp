// certtool script: the PowerShell that imports and assigns the certificates on
// every member (lib/script does the work; this file reads and writes files).
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <set>

#include "check/check.hpp"
#include "check_options.hpp"
#include "core/diagnostic.hpp"
#include "core/plural.hpp"
#include "core/time.hpp"
#include "fs/safe_file.hpp"
#include "inventory/inventory.hpp"
#include "passphrase.hpp"
#include "script/script.hpp"
#include "topology/topology.hpp"
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
    std::string at;
    PassphraseOptions passphrase;
};

bool is_directory(const std::string& path) {
    std::error_code ec;
    return std::filesystem::is_directory(path, ec);
}

// The files of a --current folder: those in it and those one level down (the
// layout of certtool audit --files: DIR/<member FQDN>/...), in name order.
std::vector<std::string> certificate_files(const std::string& dir) {
    auto out = inventory::files_in(dir);
    const auto folders = inventory::member_folders(dir);
    if (!out || !folders) usage_error("script.current-unreadable", dir, "cannot read the folder");
    for (const auto& folder : *folders) {
        const auto inside = inventory::files_in(fs::join(dir, folder));
        if (!inside) usage_error("script.current-unreadable", fs::join(dir, folder), "cannot read the folder");
        out->insert(out->end(), inside->begin(), inside->end());
    }
    std::sort(out->begin(), out->end());
    return std::move(*out);
}

// What is deployed now, from an audit JSON file or a folder of certificate
// files. A certificate equal to the one being installed is not "current".
std::map<std::string, script::Current> read_current(const std::string& path, const model::Plan& full, const model::Plan& plan,
                                                     const std::map<std::string, script::Pfx>& installing,
                                                     const Secret& password,
                                                     std::vector<std::string>& notes) {
    std::map<std::string, script::Current> current;
    const auto is_new = [&](const std::string& id, const std::string& thumbprint) {
        const auto it = installing.find(id);
        return it != installing.end() && !thumbprint.empty() && it->second.thumbprint == thumbprint;
    };
    if (!is_directory(path)) {
        if (!fs::is_regular_file(path)) usage_error("script.current-unreadable", path, "no such file or folder");
        std::string text;
        try {
            text = fs::read_file_bounded(path, 64u << 20, "script.current");
        } catch (const InputError&) {
            usage_error("script.current-unreadable", path, "cannot read the file");
        }
        for (auto& [id, seen] : script::current_from_audit_json(text, path, plan)) {
            if (is_new(id, seen.thumbprint)) {
                notes.push_back(id + ": " + seen.source + " already shows the new certificate; not taken as the current one");
                continue;
            }
            current[id] = seen;
        }
        return current;
    }
    for (const auto& file : certificate_files(path)) {
        inventory::CertificateFile read;
        try {
            read = inventory::read_certificate_file(file, password, "script.current");
        } catch (const InputError& e) {
            const auto& d = e.diagnostics().front();
            if (d.code.rfind("script.current.", 0) == 0) usage_error("script.current-unreadable", file, "--current: cannot read the file");
            usage_error(d.code == "cert.unreadable" ? std::string("script.current-unreadable") : d.code, file, "--current: " + d.message);
        }
        const auto& leaf = read.leaf_certificate();
        // Matched against the whole plan: a certificate of an entry --only left out is not current for another.
        const auto* requirement = check::match_requirement(leaf, full);
        if (requirement == nullptr) {
            notes.push_back(file + ": carries the names of no planned certificate; ignored");
            continue;
        }
        if (plan.find(requirement->id) == nullptr) continue;
        std::string thumbprint = leaf.sha1_thumbprint;
        std::transform(thumbprint.begin(), thumbprint.end(), thumbprint.begin(), [](unsigned char c) { return std::toupper(c); });
        if (is_new(requirement->id, thumbprint)) continue;  // the new certificate itself
        script::add_current(current, requirement->id, {leaf.not_after, thumbprint, file});
    }
    return current;
}

std::string pad(const std::string& text, std::size_t width) {
    return text + std::string(width > text.size() ? width - text.size() : 0, ' ');
}

void print_table(const script::Result& result, Terminal& term) {
    struct Row {
        std::string member, id, thumbprint, usages, assignment;
    };
    std::vector<Row> rows;
    for (const auto& inst : result.installations) {
        if (inst.commands.empty()) rows.push_back({inst.member, inst.certificate_id, inst.thumbprint, "-", "import only"});
        for (const auto& c : inst.commands) {
            std::string usages;
            for (const auto& t : c.types) usages += (usages.empty() ? "" : ",") + t;
            if (c.global) usages += " (global)";
            const std::string assignment =
                c.effective ? "staged, EffectiveDate " + format_datetime(*c.effective) : "immediate";
            rows.push_back({inst.member, inst.certificate_id, inst.thumbprint, usages, assignment});
        }
    }
    // Grouped by member, in the order members first appear in the plan.
    const auto members = result.members();
    std::stable_sort(rows.begin(), rows.end(), [&](const Row& a, const Row& b) {
        return std::find(members.begin(), members.end(), a.member) < std::find(members.begin(), members.end(), b.member);
    });
    Row widths_row{"MEMBER", "CERTIFICATE", "THUMBPRINT", "USAGES", "ASSIGNMENT"};
    std::size_t w[4] = {widths_row.member.size(), widths_row.id.size(), widths_row.thumbprint.size(), widths_row.usages.size()};
    for (const auto& r : rows) {
        w[0] = std::max(w[0], r.member.size());
        w[1] = std::max(w[1], r.id.size());
        w[2] = std::max(w[2], r.thumbprint.size());
        w[3] = std::max(w[3], r.usages.size());
    }
    const auto line = [&](const Row& r) {
        term.out << pad(r.member, w[0]) << "  " << pad(r.id, w[1]) << "  " << pad(r.thumbprint, w[2]) << "  " << pad(r.usages, w[3])
                 << "  " << r.assignment << "\n";
    };
    line(widths_row);
    for (const auto& r : rows) line(r);
}

ExitCode run_script(const ScriptOptions& options, Terminal& term) {
    if (options.lead_hours != kLeadHoursNotGiven) script::validate_lead_hours(options.lead_hours);
    const auto loaded = topology::load_file(options.topology);
    const model::Plan full = model::build_plan(loaded.topology, loaded.source);
    const model::Plan plan = options.only.empty() ? full : model::select_certificates(full, options.only);
    if (full.has_errors())
        term.err << "certtool: warning: the topology's plan has errors of its own; run certtool plan " << options.topology << "\n";

    script::Options run;
    run.topology = options.topology;
    run.at = std::chrono::system_clock::now();
    if (!options.at.empty()) {
        const auto at = parse_utc(options.at);
        if (!at) usage_error("usage.at", "", "--at takes a UTC time such as 2026-11-23 or 2026-11-23T12:00:00Z, not '" + options.at + "'");
        run.at = *at;
    }
    if (options.lead_hours != kLeadHoursNotGiven) run.lead_hours = options.lead_hours;
    for (const auto& id : options.immediate) {
        const auto* c = plan.find(id);
        if (c == nullptr)
            usage_error("usage.unknown-certificate", loaded.source.path,
                        "--immediate " + id + " is not a certificate id of the plan (or of --only)");
        const bool stageable = std::any_of(c->usages.begin(), c->usages.end(),
                                           [](const std::string& u) { return script::minimum_lead_hours(u) > 0; });
        if (!stageable)
            usage_error("usage.immediate", "", "--immediate " + id +
                                                   ": this certificate has no usage that is staged with -Roll "
                                                   "(only AudioVideoAuthentication and OAuthTokenIssuer are); it is assigned immediately anyway");
        run.immediate.insert(id);
    }
    if (!is_directory(options.pfx_dir)) usage_error("script.pfx-folder", options.pfx_dir, "--pfx: no such folder");

    // The PFX files: <pfx>/<id>.pfx for the selected plan ids.
    Secret password = passphrase_required(options.passphrase, "Passphrase of the PFX files", false);
    std::map<std::string, script::Pfx> pfx;
    std::vector<std::string> notes;
    std::map<std::string, script::Current> current;
    for (const auto& c : plan.certificates) {
        if (c.id.find('/') != std::string::npos || c.id.empty() || c.id.front() == '.') continue;
        const std::string file = fs::join(options.pfx_dir, c.id + ".pfx");
        if (!fs::exists(file)) continue;
        pfx[c.id] = script::inspect_pfx(inventory::read_certificate_file(file, password, "script"), c, full);
    }
    for (const auto& file : inventory::files_in(options.pfx_dir).value_or(std::vector<std::string>{})) {
        const std::string name = file.substr(file.find_last_of('/') + 1);
        const auto dot = name.rfind('.');
        if (dot != std::string::npos && dot != 0 && name.substr(dot) == ".pfx" && full.find(name.substr(0, dot)) == nullptr)
            notes.push_back(name + " in " + options.pfx_dir + " is not named after a certificate id of the plan; ignored");
    }
    std::sort(notes.begin(), notes.end());
    if (pfx.empty())
        usage_error("script.no-pfx", options.pfx_dir,
                    "holds no <certificate id>.pfx for the " + std::string(options.only.empty() ? "planned" : "selected") +
                        " certificates (see certtool plan for the ids; certtool pfx writes them)");
    if (!options.current.empty()) current = read_current(options.current, full, plan, pfx, password, notes);
    password.wipe();

    const script::Result result = script::generate(plan, pfx, current, run);
    notes.insert(notes.end(), result.notes.begin(), result.notes.end());

    if (!result.problems.empty()) {
        for (const auto& p : result.problems)
            term.err << "certtool: error: " << p.certificate_id << ": " << p.message << " [script.too-late-to-stage]\n";
        term.err << "certtool: nothing written: " << plural(result.problems.size(), "certificate", "certificates")
                 << " could not be scripted\n";
        return ExitCode::problems_found;
    }

    // Nothing is written unless every file can be: then each atomically; a
    // failure part-way removes what this run wrote.
    fs::prepare_output_directory(options.out, true);
    std::vector<std::string> existing;
    for (const auto& [name, content] : result.files)
        if (fs::exists(fs::join(options.out, name))) existing.push_back(fs::join(options.out, name));
    if (!existing.empty()) {
        std::vector<Diagnostic> diagnostics;
        for (const auto& path : existing)
            diagnostics.push_back({"output.exists", path, "", 0, 0, "already exists; certtool script never overwrites: use a new --out folder"});
        throw InputError(std::move(diagnostics));
    }
    std::vector<std::string> written;
    try {
        for (const auto& [name, content] : result.files) {
            const std::string path = fs::join(options.out, name);
            fs::write_file_atomic(path, content, {0644, false});
            written.push_back(path);
        }
    } catch (...) {
        for (const auto& path : written) ::unlink(path.c_str());
        throw;
    }

    print_table(result, term);
    if (!result.skipped.empty()) {
        term.out << "\nnot scripted:\n";
        for (const auto& s : result.skipped) term.out << "  " << s.certificate_id << ": " << s.reason << "\n";
    }
    if (!notes.empty()) {
        term.out << "\nnotes:\n";
        for (const auto& n : notes) term.out << "  " << n << "\n";
    }
    term.out << "\nwritten:\n";
    for (const auto& path : written) term.out << "  " << path << "\n";
    term.out.flush();
    return ExitCode::success;
}

}  // namespace

Verb register_script(CLI::App& app) {
    auto options = std::make_shared<ScriptOptions>();
    CLI::App* command = app.add_subcommand("script", "write the PowerShell that imports and assigns the certificates on every member");
    command->add_option("TOPOLOGY", options->topology, "topology file (certtool.topology/v1 JSON)")->required();
    command->add_option("--pfx", options->pfx_dir, "folder holding <certificate id>.pfx for the certificates to install")->required();
    command->add_option("--out", options->out, "folder for <member>.ps1, <member>.cleanup.ps1 and README.txt (created if missing; existing files are never replaced)")
        ->required();
    command->add_option("--current", options->current,
                        "what is deployed now, for -Roll staging: certtool audit --format json output, or a folder of certificate files");
    command->add_option("--lead-hours", options->lead_hours,
                        "hours between EffectiveDate and the old certificate's expiry (at least 8 for A/V, 24 for OAuth; can only raise them)");
    command->add_option("--only", options->only, "script only certificates with this role or id; repeatable, or comma-separated")
        ->delimiter(',')
        ->allow_extra_args(false);
    command->add_option("--immediate", options->immediate,
                        "assign this certificate id at once, without -Roll, even though the old one is known; repeatable")
        ->delimiter(',')
        ->allow_extra_args(false);
    command->add_option("--at", options->at, "UTC time taken as now (default: now), e.g. 2026-11-23T12:00:00Z");
    add_passphrase_options(*command, options->passphrase, "of the PFX files (and of PFX files under --current)");
    command->footer("Arguments:\n"
                    "  TOPOLOGY  the topology the certificates were planned from; its plan says which member gets which\n"
                    "            certificate and Set-CsCertificate -Type usages\n"
                    "\n"
                    "AudioVideoAuthentication and OAuthTokenIssuer are staged with -Roll -EffectiveDate when the current\n"
                    "certificate's expiry is known (--current): EffectiveDate = expiry minus 8 hours (A/V) or 24 hours (OAuth).\n"
                    "OAuthTokenIssuer is assigned once, with -Identity Global, on the first Front End.\n"
                    "\n" +
                    exit_codes_help("the scripts were written", "nothing written: a certificate could not be scripted (e.g. too late to stage)") +
                    "\n"
                    "Examples:\n"
                    "  certtool script site.json --pfx pfx/ --out scripts/ --passphrase-file pfx.pass\n"
                    "  certtool audit site.json --files exported/ --format json > now.json\n"
                    "  certtool script site.json --pfx pfx/ --out scripts/ --current now.json --passphrase-env PFX_PASS\n");
    return {command, [options](Terminal& term) { return run_script(*options, term); }};
}

}  // namespace certtool::cli
