// certtool script: the scripts themselves, rendered from templates/*.ps1.in
// (rules 2, 12): per member its script and, where something is staged, its
// cleanup script; and README.txt, what to run where and in which order.
#include <algorithm>
#include <cctype>
#include <stdexcept>

#include "report/templates.hpp"
#include "script/script.hpp"
#include "script/text.hpp"

namespace certtool::script {

using detail::comment;
using detail::join;

namespace {

// A Set-CsCertificate -Type value goes into the script unquoted: only letters.
const std::string& checked_type(const std::string& type) {
    if (type.empty() || !std::all_of(type.begin(), type.end(), [](unsigned char c) { return std::isalpha(c) != 0; }))
        throw std::logic_error("usage '" + type + "' is not a Set-CsCertificate -Type name");
    return type;
}

// The -Type argument: each usage quoted ('Default','WebServicesInternal'), the
// same values as the bare list but one that every PowerShell parser reads as
// an array of strings (tree-sitter-powershell does not know a bare-word list).
std::string types_list(const std::vector<std::string>& types) {
    std::vector<std::string> quoted;
    for (const auto& t : types) quoted.push_back("'" + checked_type(t) + "'");
    return join(quoted, ",");
}

// $env:COMPUTERNAME: the first label, as NetBIOS keeps it (15 characters, upper case).
std::string computer_name(const std::string& fqdn) {
    std::string label = fqdn.substr(0, fqdn.find('.'));
    if (label.size() > 15) label.resize(15);
    for (auto& c : label) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return label;
}

std::string render(const char* name, const std::map<std::string, std::string>& values) {
    return report::render_template(report::template_text(name), values);
}

bool is_staged(const Command& c) { return c.effective.has_value(); }

std::string verify_block(const std::string& id, const Command& c) {
    std::string checks;
    for (const auto& type : c.types) checks += render("verify-type.ps1", {{"type", checked_type(type)}});
    if (!checks.empty() && checks.back() == '\n') checks.pop_back();
    return render("verify-assignment.ps1",
                  {{"step", ps_quote("check with Get-CsCertificate that " + id + " is assigned as " + join(c.types, ","))},
                   {"checks", checks}});
}

std::string command_block(const Installation& inst, const Command& c) {
    const std::string identity = c.global ? "-Identity Global " : "";
    const std::string scope = c.global ? " (global, replicated by the Central Management store)" : "";
    if (!c.effective) {
        return render("assign-immediate.ps1",
                      {{"comment", c.note.empty() ? "" : "# " + comment(c.note) + "\n"},
                       {"step", ps_quote("assign " + inst.certificate_id + " as " + join(c.types, ",") + scope)},
                       {"identity", identity},
                       {"types", types_list(c.types)},
                       {"thumbprint", ps_quote(inst.thumbprint)},
                       {"verify", verify_block(inst.certificate_id, c)}});
    }
    const CurrentCertificate& previous = *inst.previous;
    std::string previous_comment;
    if (!previous.thumbprint.empty()) previous_comment += " " + previous.thumbprint;
    if (!previous.source.empty()) previous_comment += " (seen in " + previous.source + ")";
    const std::string effective = format_datetime(*c.effective);
    return render("assign-staged.ps1",
                  {{"previous_comment", comment(previous_comment)},
                   {"old_expiry", format_datetime(previous.not_after)},
                   {"effective", effective},
                   {"lead", std::to_string(c.lead_hours)},
                   {"step", ps_quote("stage " + inst.certificate_id + " as " + join(c.types, ",") + scope +
                                     " with -Roll, effective " + effective)},
                   {"effective_literal", ps_quote(effective)},
                   {"id", ps_quote(inst.certificate_id)},
                   {"identity", identity},
                   {"types", types_list(c.types)},
                   {"thumbprint", ps_quote(inst.thumbprint)},
                   {"verify", verify_block(inst.certificate_id, c)}});
}

std::string role_text(const Installation& inst) {
    return std::string("role ") + model::to_string(inst.role) + "; private key " +
           (inst.exportable ? "exportable (as the plan requires)" : "not exportable");
}

std::string installation_block(const Installation& inst, const model::ProductFacts& product) {
    std::string assignments;
    for (const auto& c : inst.commands) assignments += command_block(inst, c);
    if (inst.commands.empty() && inst.role == model::Role::reverse_proxy)
        assignments = render("reverse-proxy-bind.ps1",
                             {{"server", std::string(product.server)}, {"thumbprint_comment", inst.thumbprint}});
    else if (inst.commands.empty())
        assignments = render("import-only.ps1", {{"id_comment", comment(inst.certificate_id)},
                                                 {"reason_comment", "the plan gives it no Set-CsCertificate usage (-Type)."},
                                                 {"thumbprint_comment", inst.thumbprint}});
    std::vector<std::string> usages;
    for (const auto& c : inst.commands) usages.push_back(join(c.types, ",") + " " + assignment_text(c));
    return render("install-certificate.ps1",
                  {{"id_comment", comment(inst.certificate_id)},
                   {"what_comment", comment(role_text(inst) + (usages.empty() ? "" : "; " + join(usages, "; ")))},
                   {"thumbprint", ps_quote(inst.thumbprint)},
                   {"import_step", ps_quote("import pfx\\" + inst.certificate_id + ".pfx into Cert:\\LocalMachine\\My")},
                   {"pfx_path", ps_quote("pfx\\" + inst.certificate_id + ".pfx")},
                   {"exportable", inst.exportable ? "true" : "false"},
                   {"assignments", assignments}});
}

struct Common {
    std::string version = CERTTOOL_VERSION;
    std::string topology;
    std::string generated;
    model::Platform platform;
    std::vector<CaCertificate> ca;
    bool restart_services = false;
};

// The shell of a server that runs no Lync or Skype for Business role (the reverse proxy).
constexpr const char* kPlainShell = "Windows PowerShell";

std::string powershell_version(int times_ten) { return std::to_string(times_ten / 10) + "." + std::to_string(times_ten % 10); }

// The values every script shares that depend on the product and its Windows
// Server: the product's name, shell and module (L-SHELL, S-SHELL), and how
// elevation is checked (REQUIRES: #Requires -RunAsAdministrator needs Windows
// PowerShell 4.0; PS-REQ: 2008 R2 and 2012 ship 2.0 and 3.0).
// A server without the product's cmdlets (`load` false) is run from a plain Windows PowerShell.
std::map<std::string, std::string> platform_values(const model::Platform& platform, const std::string& cmdlet, bool load) {
    const auto& product = platform.product_facts();
    const std::string shell = load ? std::string(product.shell) : std::string(kPlainShell);
    std::map<std::string, std::string> values{{"product", std::string(product.name)}, {"shell", shell}};
    if (platform.powershell_requires_administrator()) {
        values["requires"] = "#Requires -RunAsAdministrator\n";
        values["elevation_check"] = "";
    } else {
        values["requires"] = "";
        values["elevation_check"] = render(
            "check-elevated.ps1",
            // A server of the product has what the product requires (L-SW: 3.0); another one (the
            // reverse proxy) only what its Windows Server ships (2.0 on 2008 R2).
            {{"why_comment", "On " + std::string(platform.windows_facts().name) + " with Windows PowerShell " +
                                 powershell_version(load ? platform.powershell() : platform.windows_facts().powershell) +
                                 ", #Requires cannot demand elevation (that needs 4.0): checked here instead."},
             {"message", ps_quote("run this script in an elevated " + shell + " (Run as administrator)")}});
    }
    values["load_cmdlets"] =
        load ? render("load-cmdlets.ps1", {{"step", ps_quote("load the " + std::string(product.server) + " cmdlets")},
                                           {"cmdlet", cmdlet},
                                           {"module", std::string(product.module)}})
             : "";
    return values;
}

std::string cleanup_script(const std::string& member, const std::vector<const Installation*>& staged, const Common& common,
                           TimePoint not_before) {
    std::string guards, removals;
    for (const auto* inst : staged) {
        guards += render("cleanup-guard.ps1",
                         {{"step", ps_quote("check that the previous certificate of " + inst->certificate_id + " has expired")},
                          {"old_expiry_literal", ps_quote(format_datetime(inst->previous->not_after))},
                          {"id", ps_quote(inst->certificate_id)}});
    }
    for (const auto* inst : staged) {
        for (const auto& c : inst->commands) {
            if (!is_staged(c)) continue;
            removals += render("cleanup-remove.ps1",
                               {{"id_comment", comment(inst->certificate_id)},
                                {"types_comment", join(c.types, ",") + (c.global ? " (global)" : "")},
                                {"thumbprint", ps_quote(inst->thumbprint)},
                                {"step", ps_quote("remove the previous " + join(c.types, ",") + " certificate" +
                                                  (c.global ? " (global)" : ""))},
                                {"identity", c.global ? "-Identity Global " : ""},
                                {"types", types_list(c.types)},
                                {"verify", verify_block(inst->certificate_id, c)}});
        }
    }
    auto values = platform_values(common.platform, "Remove-CsCertificate", true);
    values.insert({{"script_name", comment(member + ".cleanup.ps1")},
                   {"member_comment", comment(member)},
                   {"version", common.version},
                   {"topology_comment", comment(common.topology)},
                   {"generated", common.generated},
                   {"not_before", format_datetime(not_before)},
                   {"member", ps_quote(member)},
                   {"computer_name", ps_quote(computer_name(member))},
                   {"guards", guards},
                   {"removals", removals}});
    return render("cleanup.ps1", values);
}

std::string pad(const std::string& text, std::size_t width) {
    return text.size() >= width ? text + "  " : text + std::string(width - text.size() + 2, ' ');
}

struct MemberCleanup {
    std::string file;
    TimePoint after;
};
using Cleanups = std::map<std::string, MemberCleanup>;  // by member

// The steps that import certtool's CA certificates (--ca), root first, and the list of their files.
std::string ca_imports(const std::vector<CaCertificate>& ca) {
    std::string out;
    for (const auto& c : ca) {
        const std::string store = c.root ? "Root" : "CA";
        const std::string store_name = c.root ? "Trusted Root Certification Authorities" : "Intermediate Certification Authorities";
        out += render("import-ca.ps1",
                      {{"what_comment", comment((c.root ? "certtool's root CA (CN=" : "certtool's intermediate CA (CN=") + c.subject + ")" +
                                                ", which issued the certificates below" + (c.root ? " (through the intermediate)" : "") +
                                                ": into " + store_name + ", once")},
                       {"step", ps_quote("import " + c.file + " (" + c.subject + ") into Cert:\\LocalMachine\\" + store)},
                       {"file", ps_quote(c.file)},
                       {"thumbprint", ps_quote(c.thumbprint)},
                       {"store", ps_quote(store)}});
    }
    return out;
}

// What to say, or do, about restarting the services after this member's
// immediate assignments (staged ones take over at their EffectiveDate, no restart).
struct Restart {
    std::string block;   // the script's steps, or its advice
    std::string note;    // for the header
    bool restarts = false;
    std::vector<std::string> recommended;  // the usages after which the rules ask for a restart
};

Restart restart_for(const std::vector<const Installation*>& mine, const model::ProductFacts& product, bool asked) {
    std::vector<std::string> immediate, recommended;
    for (const auto* inst : mine)
        for (const auto& c : inst->commands)
            if (!c.effective)
                for (const auto& t : c.types) {
                    immediate.push_back(t);
                    if (model::restart_recommended(t)) recommended.push_back(t);
                }
    Restart out;
    if (immediate.empty()) return out;
    out.recommended = recommended;
    const std::string server(product.server);
    const std::string why = recommended.empty()
                                ? "the services use the newly assigned certificates from their next start"
                                : "the rules (3.7, XMPP-SETUP) ask for the services to be restarted after " + join(recommended, ",") +
                                      " is assigned";
    if (asked) {
        out.restarts = true;
        out.note = "# With --restart-services: after assigning, it stops and starts the " + server +
                   " services on this server\n# (Stop-CsWindowsService, Start-CsWindowsService): signed-in users are "
                   "disconnected and reconnect.\n";
        out.block = render(
            "restart-services.ps1",
            {{"why_comment", comment(why)},
             {"warning", ps_quote("stopping the " + server +
                                  " services on this server: signed-in users are disconnected and reconnect when they run again")},
             {"stop_step", ps_quote("stop the " + server + " services (Stop-CsWindowsService)")},
             {"start_step", ps_quote("start the " + server + " services (Start-CsWindowsService) and check they run")}});
    } else if (!recommended.empty()) {
        out.note = "# The rules ask for a restart of the services after " + join(recommended, ",") +
                   " is assigned; this script\n# does not restart them (certtool script --restart-services does) and says so at the end.\n";
        out.block = render("restart-advice.ps1",
                           {{"why_comment", comment(why)},
                            {"advice", ps_quote("Restart the " + server + " services on this server now, so that they use the new " +
                                                join(recommended, ",") +
                                                " certificate (rules 3.7): Stop-CsWindowsService, then Start-CsWindowsService. "
                                                "Signed-in users are disconnected and reconnect.")}});
    }
    return out;
}

// <member>.ps1 for each member and, where something is staged, <member>.cleanup.ps1.
Cleanups render_member_scripts(Result& result, const model::Plan& plan, const Common& common,
                               std::map<std::string, std::string>& files) {
    const auto& product = plan.platform.product_facts();
    Cleanups cleanups;
    for (const auto& member : result.members()) {
        std::vector<const Installation*> mine, staged;
        for (const auto& inst : result.installations) {
            if (inst.member != member) continue;
            mine.push_back(&inst);
            if (inst.previous && std::any_of(inst.commands.begin(), inst.commands.end(), is_staged)) staged.push_back(&inst);
        }
        std::string blocks, pfx_list;
        // A server with nothing to assign (the reverse proxy) need not have the Cs cmdlets.
        const bool assigns = std::any_of(mine.begin(), mine.end(), [](const Installation* i) { return !i->commands.empty(); });
        const bool proxy = std::all_of(mine.begin(), mine.end(),
                                       [](const Installation* i) { return i->role == model::Role::reverse_proxy; });
        for (const auto* inst : mine) {
            blocks += installation_block(*inst, product);
            pfx_list += "#   pfx\\" + comment(inst->certificate_id) + ".pfx\n";
        }
        std::string cleanup_note;
        if (!staged.empty()) {
            TimePoint after = staged.front()->previous->not_after;
            for (const auto* inst : staged) after = std::max(after, inst->previous->not_after);
            const std::string file = member + ".cleanup.ps1";
            cleanups[member] = {file, after};
            cleanup_note = "# After " + format_datetime(after) + ", when the replaced certificates have expired, run " +
                           comment(file) + " (Remove-CsCertificate -Previous).\n";
            files[file] = cleanup_script(member, staged, common, after);
        }
        const Restart restart = assigns ? restart_for(mine, product, common.restart_services) : Restart{};
        if (restart.restarts) result.restarted.push_back(member);
        if (!restart.restarts && !restart.recommended.empty())
            result.notes.push_back(member + ": the rules (3.7) ask for the services to be restarted after " +
                                   join(restart.recommended, ",") + " is assigned; " + member +
                                   ".ps1 says so at its end (--restart-services makes it stop and start them)");

        std::string ca_list, functions = render("import-pfx-function.ps1", {});
        if (!common.ca.empty()) {
            ca_list = "# and, beside the script, certtool's CA certificates (imported first, each once):\n";
            for (const auto& c : common.ca) ca_list += "#   " + comment(c.file) + "\n";
            functions = render("import-ca-function.ps1", {}) + functions;
        }
        auto values = platform_values(plan.platform, "Set-CsCertificate", assigns);
        if (assigns) values["load_cmdlets"] += "\n";
        const std::string what = proxy ? "the reverse proxy certificates" : "the " + std::string(product.name) + " certificates";
        values.insert({{"script_name", comment(member + ".ps1")},
                       {"purpose", proxy ? "imports " + what + " of " + comment(member) + " (bind them in the proxy)."
                                         : "imports and assigns " + what + " of " + comment(member) + "."},
                       
                       {"version", common.version},
                       {"topology_comment", comment(common.topology)},
                       {"generated", common.generated},
                       {"pfx_list", pfx_list},
                       {"ca_list", ca_list},
                       {"cleanup_note", cleanup_note},
                       {"restart_note", restart.note},
                       {"functions", functions},
                       {"ca_imports", ca_imports(common.ca)},
                       {"member", ps_quote(member)},
                       {"computer_name", ps_quote(computer_name(member))},
                       {"certificates", blocks},
                       {"restart", restart.block},
                       {"done", ps_quote(proxy ? "Done: the certificates of {0} are imported; bind them in the reverse proxy."
                                               : "Done: the certificates of {0} are imported and assigned.")},
});
        values.erase("product");
        files[member + ".ps1"] = render("member.ps1", values);
    }

    return cleanups;
}

// The members `plan` installs a certificate on, in plan order.
std::vector<std::string> plan_members(const model::Plan& plan) {
    std::vector<std::string> out;
    for (const auto& c : plan.certificates)
        for (const auto& m : c.install_on)
            if (std::find(out.begin(), out.end(), m) == out.end()) out.push_back(m);
    return out;
}

// <member>.export.ps1: the member's current certificates into the audit --files layout.
void add_export_scripts(const model::Plan& plan, const Common& common, std::map<std::string, std::string>& files) {
    const auto& product = plan.platform.product_facts();
    for (const auto& member : plan_members(plan)) {
        std::vector<std::string> names;
        bool lync = false;
        for (const auto& c : plan.certificates) {
            if (std::find(c.install_on.begin(), c.install_on.end(), member) == c.install_on.end()) continue;
            if (c.role != model::Role::reverse_proxy) lync = true;
            if (std::find(names.begin(), names.end(), c.common_name) == names.end()) names.push_back(c.common_name);
        }
        std::string find;
        if (lync) {
            find = render("export-find-assigned.ps1", {});
        } else {
            std::vector<std::string> quoted;
            for (const auto& n : names) quoted.push_back(ps_quote(n));
            find = render("export-find-names.ps1", {{"names", join(quoted, ", ")}});
        }
        auto values = platform_values(plan.platform, "Get-CsCertificate", lync);
        const std::string server(product.server);
        values.insert({{"script_name", comment(member + ".export.ps1")},
                       {"member_comment", comment(member)},
                       {"server", server},
                       {"version", common.version},
                       {"topology_comment", comment(common.topology)},
                       {"generated", common.generated},
                       {"source_comment", lync ? "Get-CsCertificate shows (every assigned usage)"
                                               : "in Cert:\\LocalMachine\\My with a planned subject (" + comment(join(names, ", ")) + ")"},
                       {"member", ps_quote(member)},
                       {"computer_name", ps_quote(computer_name(member))},
                       {"find_step", ps_quote(lync ? "list the assigned certificates with Get-CsCertificate"
                                                   : "find the reverse proxy certificates in Cert:\\LocalMachine\\My")},
                       {"find", find},
                       {"exported_by", ps_quote("Exported by " + member + ".export.ps1 from ")},
                       {"none_found", ps_quote(lync ? "Get-CsCertificate shows no certificate"
                                                    : "no certificate in Cert:\\LocalMachine\\My has a planned subject (" +
                                                          join(names, ", ") + ")")}});
        values.erase("product");
        files[member + ".export.ps1"] = render("export.ps1", values);
    }
}

// README.txt around its install part ("" with --export-only).
std::string readme(const model::Plan& plan, const Common& common, const std::string& install, const std::string& skipped,
                   const std::string& notes) {
    const auto& product = plan.platform.product_facts();
    std::string export_list = "Export scripts\n--------------\n";
    for (const auto& member : plan_members(plan)) export_list += comment(member) + ": " + comment(member) + ".export.ps1\n";
    const std::string title = std::string(install.empty() ? "Certificate export scripts for " : "Certificate installation scripts for ") +
                              std::string(product.name);
    const auto& platform = plan.platform;
    const std::string elevation =
        platform.powershell_requires_administrator()
            ? "#Requires -RunAsAdministrator, which needs 4.0"
            : "Windows PowerShell " + powershell_version(platform.powershell()) + " does not know #Requires -RunAsAdministrator, "
                                                                                 "so the\nscripts check it themselves";
    return render("script-readme.txt", {{"title", title + "\n" + std::string(title.size(), '=')},
                                        {"product", std::string(product.name)},
                                        {"windows", std::string(platform.windows_facts().name)},
                                        {"elevation", elevation},
                                        {"version", common.version},
                                        {"topology", comment(common.topology)},
                                        {"generated", common.generated},
                                        {"install", install},
                                        {"export_list", export_list},
                                        {"export_source",
                                         std::any_of(plan.certificates.begin(), plan.certificates.end(),
                                                     [](const model::CertificateRequirement& c) { return c.role == model::Role::reverse_proxy; })
                                             ? "Get-CsCertificate; on the reverse proxy, the certificates in\nCert:\\LocalMachine\\My with a planned subject"
                                             : "Get-CsCertificate"},
                                        {"skipped", skipped},
                                        {"notes", notes}});
}

// README.txt: what to run where, in which order.
std::string render_readme(const Result& result, const model::Plan& plan, const Common& common, const Cleanups& cleanups) {
    const auto& product = plan.platform.product_facts();
    const auto members = result.members();
    std::string member_text = "Servers and scripts\n-------------------\n";
    for (const auto& member : members) {
        member_text += comment(member) + ": run " + comment(member) + ".ps1";
        if (const auto it = cleanups.find(member); it != cleanups.end())
            member_text += ", then " + comment(it->second.file) + " after " + format_datetime(it->second.after);
        member_text += "\n";
        std::size_t width = 0;
        for (const auto& inst : result.installations)
            if (inst.member == member) width = std::max(width, inst.certificate_id.size() + 8);
        for (const auto& inst : result.installations) {
            if (inst.member != member) continue;
            const std::string file = "pfx\\" + comment(inst.certificate_id) + ".pfx";
            if (inst.commands.empty()) member_text += "    " + pad(file, width) + "import only (no Set-CsCertificate usage)\n";
            for (std::size_t k = 0; k < inst.commands.size(); ++k) {
                const auto& c = inst.commands[k];
                member_text += "    " + pad(k == 0 ? file : "", width) + join(c.types, ",") + (c.global ? " (global)" : "") +
                               ": " + assignment_text(c) + "\n";
            }
        }
        member_text += "\n";
    }

    std::string order =
        "1. Run each server's script on that server. The scripts are independent of each\n"
        "   other; within a pool, run them one server at a time so that the pool keeps serving.\n";
    std::map<std::string, std::pair<TimePoint, std::vector<std::string>>> staged_by_id;
    for (const auto& inst : result.installations)
        for (const auto& c : inst.commands)
            if (c.effective) {
                auto& entry = staged_by_id[inst.certificate_id];
                entry.first = *c.effective;
                if (std::find(entry.second.begin(), entry.second.end(), inst.member) == entry.second.end())
                    entry.second.push_back(inst.member);
            }
    if (!staged_by_id.empty()) {
        order += "   Staged certificates (-Roll) take over at their EffectiveDate; every server\n"
                 "   listed must have run its script before then (rules 3.3):\n";
        for (const auto& [id, entry] : staged_by_id)
            order += "     " + comment(id) + ": " + comment(join(entry.second, ", ")) + " before " +
                     format_datetime(entry.first) + "\n";
        order += "2. After the replaced certificates have expired, run the cleanup scripts\n"
                 "   (Remove-CsCertificate -Previous); they refuse to run earlier:\n";
        for (const auto& [member, cleanup] : cleanups)
            order += "     " + comment(cleanup.file) + " on " + comment(member) + " after " + format_datetime(cleanup.after) +
                     "\n";
    } else {
        order += "2. Nothing is staged with -Roll, so there is no cleanup script.\n";
    }

    std::string skipped;
    if (!result.skipped.empty()) {
        skipped = "\nNot scripted\n------------\n";
        for (const auto& s : result.skipped) skipped += "  " + comment(s.certificate_id) + ": " + comment(s.reason) + "\n";
    }
    std::string notes;
    if (!result.notes.empty()) {
        notes = "\nNotes\n-----\n";
        for (const auto& n : result.notes) notes += "  " + comment(n) + "\n";
    }
    const std::string title = "Certificate installation scripts for " + std::string(product.name);
    std::string restart;
    if (!result.restarted.empty())
        restart = "\nWARNING (--restart-services): the scripts of " + comment(join(result.restarted, ", ")) +
                  " stop and start the\n" + std::string(product.server) +
                  " services after assigning (Stop-CsWindowsService, Start-CsWindowsService):\n"
                  "users signed in through that server are disconnected and reconnect. Run them in a\n"
                  "maintenance window, one server of a pool at a time.\n";
    std::string ca_copy, ca_step;
    if (!common.ca.empty()) {
        std::vector<std::string> names;
        for (const auto& c : common.ca) names.push_back(c.file);
        ca_copy = ";\nput the CA certificates " + join(names, ", ") + " beside the script";
        ca_step = "imports certtool's\nroot CA into Cert:\\LocalMachine\\Root and its intermediate into Cert:\\LocalMachine\\CA\n"
                  "(each once: nothing is done where its thumbprint is there already), ";
    }
    const std::string install = render("script-readme-install.txt",
                                       {{"shell", std::string(product.shell)},
                                        {"example_script", comment(members.empty() ? std::string("<server>.ps1") : members.front() + ".ps1")},
                                        {"ca_copy", ca_copy},
                                        {"ca_step", ca_step},
                                        {"restart", restart},
                                        {"proxy", std::any_of(result.installations.begin(), result.installations.end(),
                                                              [](const Installation& i) { return i.role == model::Role::reverse_proxy; })
                                                      ? " The reverse proxy's script only\nimports: bind the certificate to "
                                                        "the proxy's HTTPS listener on 443 (IIS ARR:\nthe site's https "
                                                        "binding; the script says how)."
                                                      : ""},
                                        {"members", member_text},
                                        {"order", order}});
    return readme(plan, common, install, skipped, notes);
}
}  // namespace

std::string ps_quote(std::string_view value) {
    std::string out = "'";
    for (std::size_t i = 0; i < value.size(); ++i) {
        // U+2018..U+201B (UTF-8 E2 80 98..9B) end a single-quoted string in
        // PowerShell just as ' does: doubled like it.
        if (i + 2 < value.size() && static_cast<unsigned char>(value[i]) == 0xE2 &&
            static_cast<unsigned char>(value[i + 1]) == 0x80 && static_cast<unsigned char>(value[i + 2]) >= 0x98 &&
            static_cast<unsigned char>(value[i + 2]) <= 0x9B) {
            const auto quote = value.substr(i, 3);
            out.append(quote).append(quote);
            i += 2;
            continue;
        }
        out += value[i];
        if (value[i] == '\'') out += '\'';
    }
    return out + "'";
}

std::map<std::string, std::string> windows_files(const std::map<std::string, std::string>& files) {
    std::map<std::string, std::string> out;
    for (const auto& [name, text] : files) {
        const auto dot = name.rfind('.');
        const std::string ext = dot == std::string::npos ? "" : name.substr(dot);
        if (ext != ".ps1" && ext != ".txt") {
            out[name] = text;
            continue;
        }
        std::string bytes = "\xEF\xBB\xBF";
        bytes.reserve(text.size() + text.size() / 16 + 3);
        for (const char c : text) {
            if (c == '\r') throw std::logic_error(name + ": a carriage return in a rendered script");
            if (c == '\n') bytes += '\r';
            bytes += c;
        }
        out[name] = std::move(bytes);
    }
    return out;
}

namespace {

Common common_of(const model::Plan& plan, const Options& options) {
    return {CERTTOOL_VERSION, options.topology, format_datetime(options.at), plan.platform, options.ca, options.restart_services};
}

}  // namespace

std::map<std::string, std::string> render_scripts(Result& result, const model::Plan& plan, const Options& options) {
    std::map<std::string, std::string> files;
    const Common common = common_of(plan, options);
    const Cleanups cleanups = render_member_scripts(result, plan, common, files);
    add_export_scripts(plan, common, files);
    for (const auto& c : options.ca) files[c.file] = c.der;
    files["README.txt"] = render_readme(result, plan, common, cleanups);
    return files;
}

std::map<std::string, std::string> render_export_scripts(const model::Plan& plan, const Options& options) {
    std::map<std::string, std::string> files;
    const Common common = common_of(plan, options);
    add_export_scripts(plan, common, files);
    files["README.txt"] = readme(plan, common, "", "", "");
    return files;
}

Result generate(const model::Plan& plan, const std::map<std::string, NewCertificate>& pfx,
                const std::map<std::string, CurrentCertificate>& current, const Options& options) {
    Result result = plan_installations(plan, pfx, current, options);
    if (!options.ca.empty()) {
        const std::string& issuing = options.ca.back().subject;
        for (const auto& [id, certificate] : pfx)
            if (plan.find(id) != nullptr && certificate.issuer != issuing)
                result.notes.push_back("warning: " + id + ": its certificate was issued by CN=" + comment(certificate.issuer) +
                                       ", not by the --ca issuing CA CN=" + comment(issuing) +
                                       "; the scripts import that CA all the same");
    }
    if (result.problems.empty()) result.files = render_scripts(result, plan, options);
    return result;
}

}  // namespace certtool::script
