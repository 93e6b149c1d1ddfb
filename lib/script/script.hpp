// certtool script: the PowerShell that imports and assigns the planned
// certificates on every member (rules 2 Set-CsCertificate, 3.3 -Roll staging,
// 12). Three jobs, three files: what is there (current.cpp: the PFX files to
// install and the certificates deployed now), when each usage is assigned
// (staging.cpp: a pure rule, plan in, installations out), and the scripts
// themselves (render.cpp: templates/*.ps1.in).
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/secret.hpp"
#include "core/time.hpp"
#include "inventory/inventory.hpp"
#include "model/lifetime.hpp"
#include "model/plan.hpp"
#include "model/usages.hpp"

namespace certtool::script {

// The usages' facts (-Roll lead times, the global OAuth certificate, the
// restart after the Access Edge certificate) are Lync facts: model/usages.hpp.

// --lead-hours: throws InputError "usage.lead-hours" for a value below the
// smallest minimum (8) or absurdly large; each staged type then uses
// max(value, its own minimum).
void validate_lead_hours(int hours);

// ---- what is there: current.cpp ----------------------------------------------

// The certificate a PFX holds, to be installed.
struct NewCertificate {
    std::string thumbprint;  // SHA-1, as Windows shows it (core/thumbprint.hpp)
    TimePoint not_before{};
    TimePoint not_after{};
    std::string issuer;      // the issuer's common name ("" when not known)
};

// Throws InputError "script.pfx-mismatch" (naming the file) when the file's
// leaf is not a certificate for `requirement` (a planned name it does not
// cover), or its private key is missing ("script.pfx-no-key") or is not the
// certificate's. `plan` is the whole plan: a certificate that fits another
// entry better, with another subject, is a mismatch.
NewCertificate inspect_pfx(const inventory::CertificateFile& file, const model::CertificateRequirement& requirement,
                           const model::Plan& plan);

struct PfxFolder {
    std::map<std::string, NewCertificate> certificates;  // by plan id
    std::vector<std::string> notes;                      // .pfx files named after no id of the plan, in name order
};

// --pfx FOLDER: <folder>/<id>.pfx for each certificate of `selected`, opened
// with `passphrase` and checked with inspect_pfx; `full` is the whole plan.
// Throws InputError: the reader's codes (cert.pkcs12-password, ...) naming the
// file, script.pfx-folder when the folder cannot be read, script.no-pfx when
// it holds none of them.
PfxFolder read_pfx_folder(const std::string& folder, const model::Plan& full, const model::Plan& selected,
                          const Secret& passphrase);

// The certificate deployed now for a plan id, which staging replaces.
struct CurrentCertificate {
    TimePoint not_after{};   // the earliest expiry seen (members of a pool must all be covered)
    std::string thumbprint;  // as Windows shows it, "" when unknown
    std::string source;      // where it was seen: "audit.json: edge01.contoso.net", a file
};

// Adds what was seen for `id`, keeping the earliest expiry.
void add_current(std::map<std::string, CurrentCertificate>& current, const std::string& id, const CurrentCertificate& seen);

// The certificates of a certtool.audit/v1 document (report::read_audit_report)
// for the ids of `plan`, by id. Throws InputError "script.current-unreadable"
// naming `file` for anything that is not such a document.
std::map<std::string, CurrentCertificate> current_from_audit_json(std::string_view text, const std::string& file,
                                                                  const model::Plan& plan);

struct CurrentCertificates {
    std::map<std::string, CurrentCertificate> certificates;  // by plan id
    std::vector<std::string> notes;                          // what was passed over, and why
};

// --current PATH: an audit JSON file, or a folder of certificate files (flat,
// or one sub-folder per member as exported for audit --files; PKCS#12 opened
// with `passphrase`), matched to `full` by their names and kept for the ids of
// `selected`. A certificate equal to the one being installed (`installing`)
// is not the current one. Throws InputError "script.current-unreadable"
// (naming the file) for anything that cannot be read, and the reader's
// PKCS#12 codes.
CurrentCertificates read_current(const std::string& path, const model::Plan& full, const model::Plan& selected,
                                 const std::map<std::string, NewCertificate>& installing, const Secret& passphrase);

// A certificate of certtool's own CA that the scripts import before the
// leaf certificates: the root into LocalMachine\Root, an intermediate into
// LocalMachine\CA (rules 4 "Trust", 12.6).
struct CaCertificate {
    std::string file;        // the file written beside the scripts: "ca-root.cer", "ca-intermediate.cer"
    std::string thumbprint;  // as Windows shows it
    std::string subject;     // its common name
    bool root = false;       // self-signed: Trusted Root; else Intermediate Certification Authorities
    std::string der;         // the certificate, DER (what the .cer file holds)
};

// --ca DIR: a folder certtool ca init wrote: DIR/root.pem (the self-signed
// root) and, when there is one, DIR/intermediate.pem (the issuing CA, signed by
// the root), root first. Only the certificates are read, never a key. Throws
// InputError "script.ca-folder" naming the file for a folder without root.pem,
// a file that is not a CA certificate, a root that is not self-signed or an
// intermediate the root did not issue; the reader's codes for unreadable files.
std::vector<CaCertificate> read_ca_folder(const std::string& folder);

// ---- when each usage is assigned: staging.cpp --------------------------------

struct Options {
    TimePoint at{};                       // "now": staging must still be possible then
    std::optional<int> lead_hours;        // raises the minimum lead times (validate_lead_hours)
    std::set<std::string> immediate;      // ids assigned at once even though a current certificate is known
    std::string topology;                 // the topology file, named in the scripts' comments
    std::vector<CaCertificate> ca;        // --ca: imported on every member before its certificates
    bool restart_services = false;        // --restart-services: stop and start the services after assigning
    bool export_only = false;             // --export-only: only <member>.export.ps1 and README.txt
};

// One Set-CsCertificate command.
struct Command {
    std::vector<std::string> types;       // -Type values
    bool global = false;                  // -Identity Global (OAuthTokenIssuer)
    std::optional<TimePoint> effective;   // staged: -Roll -EffectiveDate; nullopt: immediate
    int lead_hours = 0;                   // staged: hours between EffectiveDate and the old expiry
    std::string note;                     // why it is immediate when it could be staged ("" otherwise)
};

// "immediate", or "staged, EffectiveDate <UTC time>".
std::string assignment_text(const Command& command);

// A certificate installed on one member: import, thumbprint check, commands.
struct Installation {
    std::string member;
    std::string certificate_id;
    model::Role role = model::Role::edge_external;
    std::string thumbprint;
    bool exportable = false;
    std::vector<Command> commands;                // empty: import only (e.g. the reverse proxy, no Lync cmdlet)
    std::optional<CurrentCertificate> previous;   // staged: the certificate being replaced (cleanup after its expiry)
};

struct Skipped {
    std::string certificate_id;
    std::string reason;
};

struct Result {
    std::vector<Installation> installations;  // plan order, then install_on order
    std::vector<Skipped> skipped;             // planned certificates without a PFX
    std::vector<std::string> notes;           // for the admin (OAuth replication, first deployments, ...)
    // Certificates that cannot be scripted: error findings ("script.too-late-to-stage").
    // Any one means no file at all.
    std::vector<model::Finding> problems;
    // "<member>.ps1", "<member>.cleanup.ps1", "<member>.export.ps1", "README.txt" (text, "\n"
    // line ends) and the --ca files "ca-*.cer" (DER); empty with problems. windows_files gives the
    // bytes to write.
    std::map<std::string, std::string> files;
    std::vector<std::string> restarted;       // members whose script stops and starts the services
    [[nodiscard]] std::vector<std::string> members() const;  // members with an installation, first-seen order
};

// The staging decision (rules 3.3), files left empty: per planned certificate
// with a PFX, on each member it is installed on, which usages are assigned at
// once and which with -Roll -EffectiveDate (the current certificate's expiry
// minus the longest lead time of its staged usages), OAuthTokenIssuer once,
// on the first member, with -Identity Global. A certificate whose
// EffectiveDate is not after options.at is a problem, unless --immediate
// names it. Throws InputError "script.unsafe-name" for an id or member name
// that cannot become a file name.
Result plan_installations(const model::Plan& plan, const std::map<std::string, NewCertificate>& pfx,
                          const std::map<std::string, CurrentCertificate>& current, const Options& options);

// ---- the scripts: render.cpp --------------------------------------------------

// <member>.ps1 for each member, <member>.cleanup.ps1 where something is
// staged, <member>.export.ps1 for every member of the plan, the --ca files and
// README.txt, for installations plan_installations made (whose notes and
// `restarted` it completes).
std::map<std::string, std::string> render_scripts(Result& installations, const model::Plan& plan, const Options& options);

// The files as they are written for Windows: each text file (.ps1, .txt)
// with CRLF line ends and a UTF-8 byte order mark, which Windows PowerShell
// 2.0 to 5.1 needs to read anything but ASCII as UTF-8 (it reads a file
// without one in the system's ANSI code page) and Notepad before Windows
// Server 2019 needs to show the lines; other files (.cer) unchanged.
std::map<std::string, std::string> windows_files(const std::map<std::string, std::string>& files);

// <member>.export.ps1 for every member `plan` installs a certificate on, and
// README.txt (--export-only: no PFX needed).
std::map<std::string, std::string> render_export_scripts(const model::Plan& plan, const Options& options);

// plan_installations, then render_scripts when nothing is a problem.
Result generate(const model::Plan& plan, const std::map<std::string, NewCertificate>& pfx,
                const std::map<std::string, CurrentCertificate>& current, const Options& options);

// A PowerShell single-quoted string literal holding `value` verbatim: every
// single quote (also the typographic ones PowerShell treats as quotes) doubled.
std::string ps_quote(std::string_view value);

}  // namespace certtool::script
