// certtool script: the PowerShell that imports and assigns the planned
// certificates on every member (rules 2 Set-CsCertificate, 3.3 -Roll staging,
// 12). Pure: plan, PFX facts, current expiries and options in; file name ->
// content out. Reading the PFX files and writing the scripts is the CLI's job.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.hpp"
#include "inventory/inventory.hpp"
#include "model/plan.hpp"

namespace certtool::script {

// ROLL: A/V tokens live up to 8 hours; OAuth material is kept longer by
// Exchange and SharePoint, so at least 24 hours.
inline constexpr int kAudioVideoLeadHours = 8;
inline constexpr int kOAuthLeadHours = 24;

// The minimum lead time of a usage that is staged with -Roll (AudioVideoAuthentication,
// OAuthTokenIssuer); 0 for a usage that is assigned immediately.
int minimum_lead_hours(const std::string& usage);

// Whether a usage is one global certificate, assigned once with -Identity Global
// and replicated by the Central Management store (OAuthTokenIssuer).
bool is_global_usage(const std::string& usage);

// --lead-hours: throws InputError "usage.lead-hours" for a value below the
// smallest minimum (8) or absurdly large; each staged type then uses
// max(value, its own minimum).
void validate_lead_hours(int hours);

// The certificate a PFX holds, as far as the scripts need it.
struct Pfx {
    std::string thumbprint;  // SHA-1, as Windows shows it; normalised to upper-case hex
    TimePoint not_before{};
    TimePoint not_after{};
};

// Throws InputError "script.pfx-mismatch" (naming the file) when the file's
// leaf (inventory::leaf_index) is not a certificate for `requirement` (a
// planned name it does not cover), or its private key is missing
// ("script.pfx-no-key") or is not the certificate's. `plan` is the whole plan:
// a certificate that fits another entry better, with another subject, is a
// mismatch. Returns the facts the scripts need.
Pfx inspect_pfx(const inventory::CertificateFile& file, const model::CertificateRequirement& requirement,
                const model::Plan& plan);

// The certificate deployed now for a plan id (for staging).
struct Current {
    TimePoint not_after{};   // the earliest expiry seen (members of a pool must all be covered)
    std::string thumbprint;  // upper-case, "" when unknown
    std::string source;      // where it was seen: "audit.json: edge01.contoso.net", a file
};

// Adds what was seen for `id`, keeping the earliest expiry.
void add_current(std::map<std::string, Current>& current, const std::string& id, const Current& seen);

// The observations of a certtool.audit/v1 document (certtool audit --format
// json) that carry a certificate: certificate_id, member, not_after_utc,
// thumbprint. Ids not in `plan` are ignored. Throws InputError
// "script.current-unreadable" naming `file` for anything that is not such a document.
std::map<std::string, Current> current_from_audit_json(std::string_view text, const std::string& file,
                                                       const model::Plan& plan);

struct Options {
    TimePoint at{};                       // "now": staging must still be possible then
    std::optional<int> lead_hours;        // raises the minimum lead times (validate_lead_hours)
    std::set<std::string> immediate;      // ids assigned at once even though a current certificate is known
    std::string topology;                 // the topology file, named in the scripts' comments
};

// One Set-CsCertificate command.
struct Command {
    std::vector<std::string> types;       // -Type values
    bool global = false;                  // -Identity Global (OAuthTokenIssuer)
    std::optional<TimePoint> effective;   // staged: -Roll -EffectiveDate; nullopt: immediate
    int lead_hours = 0;                   // staged: hours between EffectiveDate and the old expiry
    std::string note;                     // why it is immediate when it could be staged ("" otherwise)
};

// A certificate installed on one member: import, thumbprint check, commands.
struct Installation {
    std::string member;
    std::string certificate_id;
    model::Role role = model::Role::edge_external;
    std::string thumbprint;
    bool exportable = false;
    std::vector<Command> commands;        // empty: import only (e.g. the reverse proxy, no Lync cmdlet)
    std::optional<Current> previous;      // staged: the certificate being replaced (cleanup after its expiry)
};

struct Skipped {
    std::string certificate_id;
    std::string reason;
};

// A certificate that cannot be scripted (e.g. too late to stage). Any problem
// means no file at all.
struct Problem {
    std::string certificate_id;
    std::string message;
};

struct Result {
    std::vector<Installation> installations;  // plan order, then install_on order
    std::vector<Skipped> skipped;             // planned certificates without a PFX
    std::vector<std::string> notes;           // for the admin (OAuth replication, first deployments, ...)
    std::vector<Problem> problems;
    std::map<std::string, std::string> files; // "<member>.ps1", "<member>.cleanup.ps1", "README.txt"; empty with problems
    [[nodiscard]] std::vector<std::string> members() const;  // members with an installation, first-seen order
};

// Builds every script. `pfx` maps plan ids to the certificates to install;
// planned certificates without one are skipped. `current` maps plan ids to the
// certificates they replace. Throws InputError for an id or member name that
// cannot become a file name ("script.unsafe-name").
Result generate(const model::Plan& plan, const std::map<std::string, Pfx>& pfx,
                const std::map<std::string, Current>& current, const Options& options);

// A PowerShell single-quoted string literal holding `value` verbatim: every
// single quote (also the typographic ones PowerShell treats as quotes) doubled.
std::string ps_quote(std::string_view value);

}  // namespace certtool::script
