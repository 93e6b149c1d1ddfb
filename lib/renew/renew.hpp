// `certtool renew`: which certificates of the plan need a new one (expiring
// within a window, failing the plan, or missing from the inventory), what
// changes in their names, and the requests for them. The inventory is a folder
// of certificate files or a certtool.audit/v1 JSON report. One job per file:
// inventory.cpp reads what is in use, decide.cpp decides, write.cpp writes the
// requests and renewal.json. Decisions are data; lib/report renders them
// (report/renew_report.hpp) and the CLI picks the exit code.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "acme/issue.hpp"
#include "core/secret.hpp"
#include "core/time.hpp"
#include "model/plan.hpp"

namespace certtool::renew {

inline constexpr const char* kReportFile = "renewal.json";

// --within: "30d", "12h", "2w", or a plain number of days ("45"); at most ten
// years. nullopt for anything else (negative, fractions, unknown units, "").
std::optional<std::chrono::hours> parse_within(const std::string& text);

// The certificate in use now for one plan id, as the inventory shows it.
struct CurrentCertificate {
    std::string source;  // file path, or "<member> (<source>)" for an audit observation
    std::string sha256;
    std::string public_key_sha256;  // "" when the audit JSON did not say
    std::optional<TimePoint> not_before;  // nullopt when an audit JSON written before not_before_utc did not say
    TimePoint not_after{};
    std::vector<std::string> sans;         // SAN dNSNames, in the certificate's order
    std::vector<std::string> error_codes;  // why it fails the plan (validity.* excluded), in order, once each
};

// An inventory entry not used for any decision, and why.
struct Ignored {
    std::string source;
    std::string id;      // the plan id it matched ("" if none)
    std::string reason;  // "superseded" (another file for this id expires later), "duplicate" (same certificate
                         // as the one kept), "unmatched" (carries the names of nothing planned),
                         // "not-a-certificate" (only a key or a request), "not-in-plan" (audit id not in this plan)
    std::string kept;    // for superseded/duplicate: the source kept instead
};

struct Inventory {
    std::string path;
    bool audit_json = false;
    std::map<std::string, CurrentCertificate> current;  // by plan id
    std::vector<Ignored> ignored;
};

// Reads the inventory: a folder of PEM/DER/PKCS#12 files (flat, or one
// sub-folder per member FQDN; read and listed by lib/inventory) matched to the
// plan by their names, keeping per id the certificate that expires last; or a
// certtool.audit/v1 JSON file (report::read_audit_report), keeping per id the
// observation that expires first and the union of the error findings of all
// its observations. Folder certificates are checked against the plan (no
// chain) at `at`. Throws InputError "renew.inventory" naming the file for
// anything unreadable (a missing path, a certificate file that does not load, bad
// JSON, a JSON that is not an audit report).
Inventory load_inventory(const model::Plan& plan, const std::string& path, const Secret& pkcs12_password, TimePoint at);

// When --within is not given, a certificate is due when at most a third of its
// own lifetime remains, never less than its plan entry's -Roll lead time
// (model/lifetime.hpp renewal_window); when the inventory does not know its
// notBefore (an older audit report), kUnknownLifetimeWindow, at least the lead time.
inline constexpr std::chrono::hours kUnknownLifetimeWindow{30 * 24};

struct Options {
    TimePoint at{};
    std::optional<std::chrono::hours> within;  // --within; nullopt: the lifetime rule above
};

// The certificate a decision replaces: the current one, as judged at Options::at.
struct OldCertificate : CurrentCertificate {
    long days_left = 0;  // core/time.hpp whole_days_left
};

// The window a certificate was judged by: how long before its expiry it is due.
struct Window {
    std::chrono::seconds length{0};
    std::string reason;  // "--within", "a third of its 47-day lifetime", "its 8-hour -Roll lead time, ..."
};

struct Decision {
    std::string id;
    std::optional<Window> window;            // nullopt when missing
    // "missing", "expired" (at or before `at`), "expiring" (within the window,
    // the window's end included), then the plan's error codes (name.missing, ...).
    std::vector<std::string> reasons;
    std::optional<OldCertificate> old;       // nullopt when missing
    std::vector<std::string> names_added;    // in the plan, not on the old certificate (plan order); all when missing
    std::vector<std::string> names_removed;  // on the old certificate, not in the plan (its order)
    [[nodiscard]] bool due() const { return !reasons.empty(); }
};

struct Decisions {
    TimePoint at{};
    std::optional<std::chrono::hours> within;  // --within; nullopt: each certificate's own window
    std::vector<Decision> due;      // plan order
    std::vector<Decision> not_due;  // plan order; old is always set
    std::vector<Ignored> ignored;
};

// Every certificate of `plan` against the inventory at options.at.
Decisions decide(const model::Plan& plan, const Inventory& inventory, const Options& options);

// The new request for one due certificate: its key, and the files written
// (both "" for a dry run).
struct NewRequest {
    std::string key;  // "new" or "reused"
    std::string key_file;
    std::string csr_file;
};

struct WriteOptions {
    std::string out_dir;  // the dated folder <out_dir>/<YYYY-MM-DD of at> is written
    bool reuse_key = false;
    std::string keys_dir;  // with reuse_key: <keys_dir>/<id>.key
    Secret passphrase;                      // encrypts new keys; opens encrypted reused keys
    bool encrypt_keys = false;
    unsigned jobs = 0;
};

struct Written {
    std::string folder;       // <out_dir>/<date>
    std::string report_file;  // <folder>/renewal.json
    std::string report;       // what was written there
    std::string manifest_file;
    std::map<std::string, NewRequest> requests;  // by id
    std::vector<std::string> warnings;
};

// The dated folder a run at `at` writes into.
std::string dated_folder(const std::string& out_dir, TimePoint at);

// Checks the keys --reuse-key would use: with the old certificate known, the key
// file must exist (InputError "key.missing") and hold its key
// ("key.mismatch"; the loader's code, naming the file, when it cannot be
// read or opened); with none known, an existing key is reused and an absent one
// means a new key. Returns id -> key file for the keys to reuse.
std::map<std::string, std::string> keys_to_reuse(const Decisions& decisions, const WriteOptions& options);

// For --dry-run: per due id, "new" or "reused" (the keys checked as above, or a
// key an earlier run left in the dated folder of options.out_dir), no files.
std::map<std::string, NewRequest> planned_keys(const Decisions& decisions, const WriteOptions& options);

// Writes a new key (or reuses one) and a request for every due certificate with
// request::write_requests into the dated folder (created when missing; --out is
// created when its parent exists), then renewal.json, atomically. A key already
// in the dated folder (an earlier run of the day) is reused, and said to be. The
// renewal.json of an earlier run of the day keeps its entries for certificates
// this run did not decide on; this run's entries replace those of the same id.
// `plan` is the whole plan (the manifest's plan hash is the same as certtool
// csr's). Nothing is written when nothing is due. Throws InputError before
// writing anything for bad input (and removes the folders it created).
Written write_renewal(const model::Plan& plan, const Decisions& decisions, const WriteOptions& options);

// renew --acme: the due certificates planned for a public CA are ordered in the
// same run, from the requests just written; the others keep their requests.
struct AcmeRun {
    bool dry_run = false;                 // --dry-run: nothing ordered
    std::vector<std::string> to_order;    // due and planned for a public CA (plan order)
    std::vector<std::string> not_public;  // due and planned for an internal CA (or either): request written, not ordered
    std::optional<acme::Result> result;   // what lib/acme did; none for a dry run or when nothing public is due
};

// Splits the due certificates of `decisions` by the CA the plan gives them.
AcmeRun acme_split(const model::Plan& plan, const Decisions& decisions, bool dry_run);

// The account key renew --acme uses unless told otherwise: <out_dir>/acme-account.key,
// beside the dated folders, so that every renewal uses the same account.
std::string default_account_key(const std::string& out_dir);

// Orders run.to_order with acme::issue (it sets options.requests_dir, out_dir
// and only: the dated folder written, so <id>.pem and <id>.chain.pem land beside <id>.key and
// manifest.json, where pfx --requests D --certs D and script take them), sets
// run.result, then records the outcome in renewal.json (atomically) and in
// written.report. Nothing is ordered when run.to_order is empty. Throws what
// acme::issue throws (InputError before the CA is asked; acme::Error when the
// CA cannot be used at all: renewal.json then stays as written).
void order_renewal(const model::Plan& plan, Written& written, AcmeRun& run, acme::IssueOptions& options,
                   const acme::Progress& progress = {});

}  // namespace certtool::renew
