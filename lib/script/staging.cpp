// certtool script: when each usage is assigned (rules 3.3). A pure rule:
// the plan, the PFX facts and the current certificates in, installations out.
#include <algorithm>

#include "core/plural.hpp"
#include "script/script.hpp"
#include "script/text.hpp"

namespace certtool::script {

using detail::comment;
using detail::input_error;
using detail::join;

namespace {

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

std::string hours_text(int hours) { return plural(hours, "hour", "hours"); }

}  // namespace

void validate_lead_hours(int hours) {
    if (hours < model::kAudioVideoLeadHours)
        input_error("usage.lead-hours", "",
                    "--lead-hours " + std::to_string(hours) + " is below the minimum: A/V tokens are cached up to " +
                        std::to_string(model::kAudioVideoLeadHours) + " hours, OAuth material at least " +
                        std::to_string(model::kOAuthLeadHours) + " hours (rules 3.3); --lead-hours can only raise these");
    if (hours > 24 * 365)
        input_error("usage.lead-hours", "", "--lead-hours " + std::to_string(hours) + " is more than a year");
}

std::string assignment_text(const Command& c) {
    if (!c.effective) return "immediate";
    return "staged, EffectiveDate " + format_datetime(*c.effective);
}

std::vector<std::string> Result::members() const {
    std::vector<std::string> out;
    for (const auto& i : installations)
        if (std::find(out.begin(), out.end(), i.member) == out.end()) out.push_back(i.member);
    return out;
}

Result plan_installations(const model::Plan& plan, const std::map<std::string, NewCertificate>& pfx,
                          const std::map<std::string, CurrentCertificate>& current, const Options& options) {
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
        const std::string thumbprint = detail::checked_thumbprint(found->second.thumbprint);

        // Staging (rules 3.3): the longest lead of the staged types, raised by --lead-hours.
        int lead = model::roll_lead_hours(c.usages);
        const bool stageable = lead > 0;
        std::optional<TimePoint> effective;
        std::optional<CurrentCertificate> previous;
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
                    {model::Severity::error, "script.too-late-to-stage",
                     "the current certificate (" +
                               (cur->second.source.empty() ? std::string("--current") : comment(cur->second.source)) +
                               ") expires " + format_datetime(cur->second.not_after) +
                               ", too soon to stage the new one: the EffectiveDate " + format_datetime(t0) + " (" +
                               hours_text(lead) + " earlier) is not after " + format_datetime(options.at) +
                               ". An immediate assignment is needed: run again with --immediate " + c.id +
                               " (tokens signed with the old certificate then stop validating at once)",
                     c.topology_path, c.id, ""});
                continue;
            } else {
                effective = cur->second.not_after - std::chrono::hours(lead);
                previous = cur->second;
            }
            if (!effective) result.notes.push_back(c.id + ": " + note);
        }
        const NewCertificate& new_certificate = found->second;
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
                if (model::is_global_usage(u))
                    global.push_back(u);
                else if (model::usage_lead_hours(u) > 0 && effective)
                    staged.push_back(u);
                else
                    now.push_back(u);
            }
            const bool now_has_stageable = model::roll_lead_hours(now) > 0;
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
    return result;
}

}  // namespace certtool::script
