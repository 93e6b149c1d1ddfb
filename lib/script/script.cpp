// certtool script: PowerShell rendered from templates/*.ps1.in (rules 2, 3.3, 12).
#include "script/script.hpp"

#include <algorithm>
#include <cctype>
#include <stdexcept>

#include "check/check.hpp"
#include "core/diagnostic.hpp"
#include "core/plural.hpp"
#include "report/audit_report.hpp"
#include "report/templates.hpp"

namespace certtool::script {

namespace {

[[noreturn]] void input_error(const std::string& code, const std::string& file, const std::string& message) {
    throw InputError(Diagnostic{code, file, "", 0, 0, message});
}

std::string join(const std::vector<std::string>& items, const std::string& separator) {
    std::string out;
    for (std::size_t i = 0; i < items.size(); ++i) out += (i ? separator : "") + items[i];
    return out;
}

// Text from the topology inside a '#' comment or README.txt: one line, no
// control characters (a newline would end the comment and start code).
std::string comment(std::string_view text) {
    std::string out;
    for (const unsigned char c : text) out += (c < 0x20 || c == 0x7f) ? '?' : static_cast<char>(c);
    return out;
}

// A Set-CsCertificate -Type value goes into the script unquoted: only letters.
const std::string& checked_type(const std::string& type) {
    if (type.empty() || !std::all_of(type.begin(), type.end(), [](unsigned char c) { return std::isalpha(c) != 0; }))
        throw std::logic_error("usage '" + type + "' is not a Set-CsCertificate -Type name");
    return type;
}

std::string types_list(const std::vector<std::string>& types) {
    for (const auto& t : types) checked_type(t);
    return join(types, ",");
}

// A member becomes a file name; an id becomes pfx\<id>.pfx on Windows and
// <pfx>/<id>.pfx here: neither may leave its folder.
void check_file_name(const std::string& name, const std::string& what) {
    const bool ok = !name.empty() && name.front() != '.' && name.size() <= 200 &&
                    std::all_of(name.begin(), name.end(), [](unsigned char c) {
                        return c >= 0x20 && c != 0x7f && c != '/' && c != '\\' && c != ':' && c != '*' && c != '?' &&
                               c != '"' && c != '<' && c != '>' && c != '|';
                    });
    if (!ok) input_error("script.unsafe-name", "", what + " '" + comment(name) + "' cannot be used as a file name");
}

std::string normalised_thumbprint(const std::string& text) {
    std::string out;
    for (const unsigned char c : text) {
        if (c == ':' || c == ' ') continue;
        out += static_cast<char>(std::toupper(c));
    }
    const bool hex = out.size() == 40 && std::all_of(out.begin(), out.end(), [](unsigned char c) { return std::isxdigit(c) != 0; });
    if (!hex) throw std::logic_error("'" + text + "' is not a SHA-1 thumbprint");
    return out;
}

// $env:COMPUTERNAME: the first label, as NetBIOS keeps it (15 characters, upper case).
std::string computer_name(const std::string& fqdn) {
    std::string label = fqdn.substr(0, fqdn.find('.'));
    if (label.size() > 15) label.resize(15);
    for (auto& c : label) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return label;
}

std::string hours_text(int hours) { return plural(hours, "hour", "hours"); }

std::string render(const char* name, const std::map<std::string, std::string>& values) {
    return report::render_template(report::template_text(name), values);
}

bool is_staged(const Command& c) { return c.effective.has_value(); }

std::string assignment_text(const Command& c) {
    if (!c.effective) return "immediate";
    return "staged, EffectiveDate " + format_datetime(*c.effective);
}

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
    const Current& previous = *inst.previous;
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
           (inst.exportable ? "exportable (-Exportable, as the plan requires)" : "not exportable");
}

std::string installation_block(const Installation& inst, const model::ProductFacts& product) {
    std::string assignments;
    for (const auto& c : inst.commands) assignments += command_block(inst, c);
    if (inst.commands.empty())
        assignments = render("import-only.ps1", {{"id_comment", comment(inst.certificate_id)},
                                                 {"reason_comment", "the plan gives it no Set-CsCertificate usage (-Type): this "
                                                                    "server runs no " + std::string(product.server) +
                                                                    " role (e.g. the reverse proxy)."},
                                                 {"thumbprint_comment", inst.thumbprint}});
    std::vector<std::string> usages;
    for (const auto& c : inst.commands) usages.push_back(join(c.types, ",") + " " + assignment_text(c));
    return render("install-certificate.ps1",
                  {{"id_comment", comment(inst.certificate_id)},
                   {"what_comment", comment(role_text(inst) + (usages.empty() ? "" : "; " + join(usages, "; ")))},
                   {"thumbprint", ps_quote(inst.thumbprint)},
                   {"import_step", ps_quote("import pfx\\" + inst.certificate_id + ".pfx into Cert:\\LocalMachine\\My")},
                   {"pfx_path", ps_quote("pfx\\" + inst.certificate_id + ".pfx")},
                   {"exportable", inst.exportable ? " -Exportable" : ""},
                   {"assignments", assignments}});
}

struct Common {
    std::string version = CERTTOOL_VERSION;
    std::string topology;
    std::string generated;
    model::Platform platform;
};

std::string powershell_version(int times_ten) { return std::to_string(times_ten / 10) + "." + std::to_string(times_ten % 10); }

// The values every script shares that depend on the product and its Windows
// Server: the product's name, shell and module (L-SHELL, S-SHELL), and how
// elevation is checked (REQUIRES: #Requires -RunAsAdministrator needs Windows
// PowerShell 4.0; PS-REQ: 2008 R2 and 2012 ship 2.0 and 3.0).
std::map<std::string, std::string> platform_values(const model::Platform& platform, const std::string& cmdlet, bool load) {
    const auto& product = platform.product_facts();
    const std::string shell(product.shell);
    std::map<std::string, std::string> values{{"product", std::string(product.name)}, {"shell", shell}};
    if (platform.powershell_requires_administrator()) {
        values["requires"] = "#Requires -RunAsAdministrator\n";
        values["elevation_check"] = "";
    } else {
        values["requires"] = "";
        values["elevation_check"] = render(
            "check-elevated.ps1",
            {{"why_comment", "On " + std::string(platform.windows_facts().name) + " with Windows PowerShell " +
                                 powershell_version(platform.powershell()) +
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

}  // namespace

int minimum_lead_hours(const std::string& usage) {
    if (usage == "AudioVideoAuthentication") return kAudioVideoLeadHours;
    if (usage == "OAuthTokenIssuer") return kOAuthLeadHours;
    return 0;
}

bool is_global_usage(const std::string& usage) { return usage == "OAuthTokenIssuer"; }

void validate_lead_hours(int hours) {
    if (hours < kAudioVideoLeadHours)
        input_error("usage.lead-hours", "",
                    "--lead-hours " + std::to_string(hours) + " is below the minimum: A/V tokens are cached up to " +
                        std::to_string(kAudioVideoLeadHours) + " hours, OAuth material at least " +
                        std::to_string(kOAuthLeadHours) + " hours (rules 3.3); --lead-hours can only raise these");
    if (hours > 24 * 365)
        input_error("usage.lead-hours", "", "--lead-hours " + std::to_string(hours) + " is more than a year");
}

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

Pfx inspect_pfx(const inventory::CertificateFile& file, const model::CertificateRequirement& requirement,
                const model::Plan& plan) {
    const std::string& source = file.path;
    const auto& leaf = file.leaf_certificate();
    if (!file.key)
        input_error("script.pfx-no-key", source,
                    "holds no private key: Set-CsCertificate needs the certificate with its key (certtool pfx writes both)");
    check::Context context;
    context.at = leaf.not_before;
    context.check_chain = false;
    context.key = &*file.key;
    const auto verdict = check::check_against_plan(leaf, requirement, context, source);
    std::vector<std::string> missing;
    for (const auto& f : verdict.findings) {
        if (f.code == "key.mismatch")
            input_error("script.pfx-mismatch", source, "the private key in it does not belong to its certificate");
        if (f.code == "name.missing") missing.push_back(f.message.substr(0, f.message.find(' ')));
    }
    const std::string described = "CN=" + comment(leaf.subject.common_name) + ", SANs " + comment(join(leaf.dns_names, ", "));
    if (!missing.empty())
        input_error("script.pfx-mismatch", source,
                    "is not the plan's certificate " + requirement.id + ": it holds " + described + ", without " +
                        join(missing, ", "));
    const auto* best = check::match_requirement(leaf, plan);
    if (best != nullptr && best->id != requirement.id && leaf.subject.common_name != requirement.common_name)
        input_error("script.pfx-mismatch", source,
                    "is not the plan's certificate " + requirement.id + ": it holds " + described +
                        ", which is the plan's certificate " + best->id);
    return {normalised_thumbprint(leaf.sha1_thumbprint), leaf.not_before, leaf.not_after};
}

void add_current(std::map<std::string, Current>& current, const std::string& id, const Current& seen) {
    Current normalised = seen;
    if (!normalised.thumbprint.empty()) normalised.thumbprint = normalised_thumbprint(normalised.thumbprint);
    const auto it = current.find(id);
    if (it == current.end() || normalised.not_after < it->second.not_after) current[id] = normalised;
}

std::map<std::string, Current> current_from_audit_json(std::string_view text, const std::string& file,
                                                       const model::Plan& plan) {
    std::map<std::string, Current> out;
    for (const auto& seen : report::read_audit_report(text, file, "script.current-unreadable")) {
        if (plan.find(seen.certificate_id) == nullptr) continue;
        add_current(out, seen.certificate_id,
                    {seen.not_after, seen.thumbprint, seen.member.empty() ? file : file + ": " + seen.member});
    }
    return out;
}

std::vector<std::string> Result::members() const {
    std::vector<std::string> out;
    for (const auto& i : installations)
        if (std::find(out.begin(), out.end(), i.member) == out.end()) out.push_back(i.member);
    return out;
}

Result generate(const model::Plan& plan, const std::map<std::string, Pfx>& pfx,
                const std::map<std::string, Current>& current, const Options& options) {
    Result result;
    for (const auto& c : plan.certificates) {
        check_file_name(c.id, "certificate id");
        for (const auto& m : c.install_on) check_file_name(m, "member");
        const auto found = pfx.find(c.id);
        if (found == pfx.end()) {
            result.skipped.push_back({c.id, "no " + c.id + ".pfx in the PFX folder"});
            continue;
        }
        if (c.install_on.empty()) {
            result.skipped.push_back({c.id, "the plan installs it on no server"});
            continue;
        }
        const std::string thumbprint = normalised_thumbprint(found->second.thumbprint);

        // Staging (rules 3.3): the longest lead of the staged types, raised by --lead-hours.
        int lead = 0;
        for (const auto& u : c.usages) lead = std::max(lead, minimum_lead_hours(u));
        const bool stageable = lead > 0;
        std::optional<TimePoint> effective;
        std::optional<Current> previous;
        std::string note;
        if (stageable) {
            if (options.lead_hours) lead = std::max(lead, *options.lead_hours);
            const auto cur = current.find(c.id);
            if (options.immediate.count(c.id) != 0) {
                note = "assigned immediately, without -Roll, as --immediate asks: tokens signed with the old certificate "
                       "stop validating at once";
            } else if (cur == current.end()) {
                note = "no current certificate known (first deployment): assigned immediately, without -Roll";
            } else if (cur->second.not_after - std::chrono::hours(lead) <= options.at) {
                const auto t0 = cur->second.not_after - std::chrono::hours(lead);
                result.problems.push_back(
                    {c.id, "the current certificate (" +
                               (cur->second.source.empty() ? std::string("--current") : comment(cur->second.source)) +
                               ") expires " + format_datetime(cur->second.not_after) +
                               ", too soon to stage the new one: the EffectiveDate " + format_datetime(t0) + " (" +
                               hours_text(lead) + " earlier) is not after " + format_datetime(options.at) +
                               ". An immediate assignment is needed: run again with --immediate " + c.id +
                               " (tokens signed with the old certificate then stop validating at once)"});
                continue;
            } else {
                effective = cur->second.not_after - std::chrono::hours(lead);
                previous = cur->second;
            }
            if (!effective) result.notes.push_back(c.id + ": " + note);
        }
        const Pfx& new_certificate = found->second;
        if (new_certificate.not_after <= options.at)
            result.notes.push_back("warning: " + c.id + ": the certificate in its PFX expired " +
                                   format_datetime(new_certificate.not_after));
        const TimePoint in_use_from = effective ? *effective : options.at;
        if (new_certificate.not_before > in_use_from)
            result.notes.push_back("warning: " + c.id + ": the certificate in its PFX is valid only from " +
                                   format_datetime(new_certificate.not_before) + ", after it is put to use (" +
                                   format_datetime(in_use_from) + ")");

        std::vector<std::string> replicated;
        for (std::size_t i = 0; i < c.install_on.size(); ++i) {
            Installation inst;
            inst.member = c.install_on[i];
            inst.certificate_id = c.id;
            inst.role = c.role;
            inst.thumbprint = thumbprint;
            inst.exportable = c.exportable_key;
            std::vector<std::string> now, staged, global;
            for (const auto& u : c.usages) {
                if (is_global_usage(u))
                    global.push_back(u);
                else if (minimum_lead_hours(u) > 0 && effective)
                    staged.push_back(u);
                else
                    now.push_back(u);
            }
            const bool now_has_stageable =
                std::any_of(now.begin(), now.end(), [](const std::string& u) { return minimum_lead_hours(u) > 0; });
            if (!now.empty()) inst.commands.push_back({now, false, std::nullopt, 0, now_has_stageable ? note : ""});
            if (!staged.empty()) inst.commands.push_back({staged, false, effective, lead, ""});
            if (!global.empty()) {
                if (i == 0)
                    inst.commands.push_back({global, true, effective, effective ? lead : 0, effective ? "" : note});
                else
                    replicated.push_back(inst.member);
            }
            // Only a global usage here, and not the one server that assigns it: nothing to do.
            if (inst.commands.empty() && !c.usages.empty()) continue;
            if (effective) inst.previous = previous;
            result.installations.push_back(std::move(inst));
        }
        if (!replicated.empty())
            result.notes.push_back(c.id + ": assigned once, on " + c.install_on.front() +
                                   ", with -Identity Global; the Central Management store replicates it to " +
                                   join(replicated, ", ") + " (no script step there)");
    }
    if (!result.problems.empty()) return result;

    const Common common{CERTTOOL_VERSION, options.topology, format_datetime(options.at), plan.platform};
    const auto& product = plan.platform.product_facts();
    const auto members = result.members();

    struct MemberCleanup {
        std::string file;
        TimePoint after;
    };
    std::map<std::string, MemberCleanup> cleanups;
    for (const auto& member : members) {
        std::vector<const Installation*> mine, staged;
        for (const auto& inst : result.installations) {
            if (inst.member != member) continue;
            mine.push_back(&inst);
            if (inst.previous && std::any_of(inst.commands.begin(), inst.commands.end(), is_staged)) staged.push_back(&inst);
        }
        std::string blocks, pfx_list;
        // A server with nothing to assign (the reverse proxy) need not have the Cs cmdlets.
        const bool assigns = std::any_of(mine.begin(), mine.end(), [](const Installation* i) { return !i->commands.empty(); });
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
            result.files[file] = cleanup_script(member, staged, common, after);
        }
        auto values = platform_values(plan.platform, "Set-CsCertificate", assigns);
        if (assigns) values["load_cmdlets"] += "\n";
        values.insert({{"script_name", comment(member + ".ps1")},
                       {"member_comment", comment(member)},
                       {"version", common.version},
                       {"topology_comment", comment(common.topology)},
                       {"generated", common.generated},
                       {"pfx_list", pfx_list},
                       {"cleanup_note", cleanup_note},
                       {"member", ps_quote(member)},
                       {"computer_name", ps_quote(computer_name(member))},
                       {"certificates", blocks}});
        result.files[member + ".ps1"] = render("member.ps1", values);
    }

    // README.txt: what to run where, in which order.
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
    result.files["README.txt"] = render("script-readme.txt", {{"title", title + "\n" + std::string(title.size(), '=')},
                                                              {"product", std::string(product.name)},
                                                              {"windows", std::string(plan.platform.windows_facts().name)},
                                                              {"shell", std::string(product.shell)},
                                                              {"version", common.version},
                                                              {"topology", comment(common.topology)},
                                                              {"generated", common.generated},
                                                              {"example_script", comment(members.empty() ? std::string("<server>.ps1") : members.front() + ".ps1")},
                                                              {"members", member_text},
                                                              {"order", order},
                                                              {"skipped", skipped},
                                                              {"notes", notes}});
    return result;
}

}  // namespace certtool::script
