// certtool renew: requests for the certificates that expire within a window,
// fail the plan, or are missing, with what changes in their names. Options,
// help and dispatch; lib/renew decides and writes, lib/report renders.
#include <memory>
#include <optional>

#include "acme_options.hpp"
#include "check_options.hpp"
#include "core/time.hpp"
#include "model/plan.hpp"
#include "passphrase.hpp"
#include "renew/renew.hpp"
#include "report/renew_report.hpp"
#include "plan_policy.hpp"
#include "verb.hpp"

namespace certtool::cli {

namespace {

struct RenewOptions {
    std::string topology;
    std::string inventory;
    std::string within;  // "": each certificate's own window (a third of its lifetime)
    std::string out;
    bool reuse_key = false;
    std::string keys;
    std::string at;
    bool dry_run = false;
    bool force = false;
    std::vector<std::string> only;
    bool encrypt_keys = false;
    PassphraseOptions passphrase;
    std::string format = "table";
    bool acme = false;
    AcmeOptions acme_options;
};

ExitCode run_renew(RenewOptions& options, Terminal& term) {
    const auto within = options.within.empty() ? std::nullopt : renew::parse_within(options.within);
    if (!options.within.empty() && !within)
        usage_error("usage.within", "",
                    "--within takes a window such as 30d, 12h, 2w or a number of days (at most 3650 days), not '" +
                        options.within + "'");
    if (options.reuse_key && options.keys.empty())
        usage_error("usage.keys", "", "--reuse-key needs --keys DIR, the folder holding the current <id>.key files");
    if (!options.reuse_key && !options.keys.empty())
        usage_error("usage.keys", "", "--keys is only used with --reuse-key");
    if (!options.dry_run && options.out.empty())
        usage_error("usage.out", "", "--out DIR is required (the requests go into DIR/<date>/), unless --dry-run");
    if (options.acme && (options.acme_options.server.empty() || options.acme_options.dns_hook.empty()))
        usage_error("usage.acme", "", "--acme needs --server DIRECTORY_URL and --dns-hook CMD");
    const TimePoint at = at_or_now(options.at);
    const model::Plan plan = load_plan(options.topology, PlanUse::write, options.force, term, at).plan;
    const model::Plan selected = options.only.empty() ? plan : model::select_certificates(plan, options.only);

    renew::WriteOptions write;
    write.out_dir = options.out;
    write.reuse_key = options.reuse_key;
    write.keys_dir = options.keys;
    write.encrypt_keys = options.encrypt_keys;
    write.passphrase = options.encrypt_keys && !options.dry_run
                           ? passphrase_required(options.passphrase, "Passphrase for the new keys", true)
                           : passphrase_given(options.passphrase);

    const auto inventory = renew::load_inventory(plan, options.inventory, write.passphrase, at);
    const auto decisions = renew::decide(selected, inventory, {at, within});

    // The ACME options are checked (hook, EAB key, resolver, trust) before anything is written.
    std::optional<acme::IssueOptions> issue;
    if (options.acme && !options.dry_run) {
        issue = issue_options(options.acme_options, options.force);
        if (issue->account_key_file.empty()) issue->account_key_file = renew::default_account_key(options.out);
    }
    std::optional<renew::AcmeRun> acme_run;
    if (options.acme) acme_run = renew::acme_split(plan, decisions, options.dry_run);

    std::map<std::string, renew::NewRequest> requests;
    std::string folder;
    std::string report;
    bool acme_failed = false;
    if (options.dry_run) {
        requests = renew::planned_keys(decisions, write);
    } else if (!decisions.due.empty()) {
        auto written = renew::write_renewal(plan, decisions, write);
        for (const auto& w : written.warnings) term.err << "certtool: warning: " << w << "\n";
        write.passphrase.wipe();
        if (acme_run) {
            InterruptGuard guard;
            acme::Progress progress;
            if (term.err_is_tty) progress = [&term](const std::string& message) { term.err << "certtool: " << message << "\n" << std::flush; };
            try {
                renew::order_renewal(plan, written, *acme_run, *issue, progress);
            } catch (const acme::Error& e) {
                print_acme_error(e, term.err);
                acme_failed = true;
            }
            issue->eab_hmac_key.wipe();
            if (acme_run->result) print_acme_problems(*acme_run->result, term.err);
        }
        requests = written.requests;
        folder = written.folder;
        report = written.report;
    }
    write.passphrase.wipe();

    if (options.format == "json") {
        if (report.empty()) {
            auto doc = report::renew_document(plan, decisions, requests, folder);
            if (acme_run) report::add_acme(doc, *acme_run);
            report = report::renew_json_text(doc);
        }
        term.out << report;
    } else {
        report::render_renew_table(decisions, requests, folder, options.inventory, term.out, acme_run ? &*acme_run : nullptr,
                                   std::chrono::system_clock::now());
    }
    term.out.flush();
    if (acme_run && !options.dry_run && !decisions.due.empty()) {
        // Done only when every due certificate was ordered and passes the checks.
        const bool done = !acme_failed && acme_run->not_public.empty() &&
                          (acme_run->to_order.empty() || (acme_run->result && acme_run->result->all_passed()));
        return done ? ExitCode::success : ExitCode::problems_found;
    }
    return decisions.due.empty() ? ExitCode::success : ExitCode::problems_found;
}

}  // namespace

Verb register_renew(CLI::App& app) {
    auto options = std::make_shared<RenewOptions>();
    CLI::App* command = app.add_subcommand("renew", "request new certificates for those that expire soon, fail the plan or are missing");

    command->add_option("TOPOLOGY", options->topology, "topology file (certtool.topology/v1 JSON)")->required();
    command->add_option("--inventory", options->inventory,
                        "the certificates in use: a folder of PEM/DER/PKCS#12 files (flat, or one sub-folder per member "
                        "FQDN), or a certtool audit --format json report")
        ->required();
    command->add_option("--within", options->within,
                        "renew what expires within this window: 30d, 12h, 2w, or a number of days; default: when a third "
                        "of the certificate's own lifetime remains, never less than its -Roll lead time");
    command->add_option("--out", options->out, "folder for the requests: they go into OUT/<YYYY-MM-DD>/ (the date of --at, UTC)");
    command->add_flag("--reuse-key", options->reuse_key, "request with the current key <keys>/<id>.key instead of a new one");
    command->add_option("--keys", options->keys, "folder holding the current keys as <id>.key (with --reuse-key), e.g. the certtool csr --out folder");
    add_at_option(*command, options->at, "decide as at");
    command->add_flag("--dry-run", options->dry_run, "list what is due and the name changes; write nothing");
    add_only_option(*command, options->only, "renew");
    add_force_option(*command, options->force, "");
    command->add_flag("--encrypt-keys", options->encrypt_keys, "write new keys encrypted (PKCS#8, AES-256) with the passphrase");
    add_passphrase_options(*command, options->passphrase,
                           "for --encrypt-keys, encrypted keys to reuse and PKCS#12 files in the inventory");
    add_format_option(*command, options->format, {{"table", "for people"}, {"json", "certtool.renew/v1, as renewal.json"}});
    auto* acme = command->add_flag("--acme", options->acme,
                                   "order the due public-CA certificates in the same run (certtool acme; needs --server and --dns-hook)");
    for (auto* option : add_acme_options(*command, options->acme_options, "<out>/acme-account.key, beside the dated folders"))
        option->needs(acme);

    command->footer("Arguments:\n"
                    "  TOPOLOGY  the topology; the new requests carry its plan's names, not the old certificates'\n"
                    "\n"
                    "Due: a certificate that expires within its window of --at (the end included): by default a third\n"
                    "of its own lifetime (notBefore to notAfter; 15 days of a 47-day certificate), never less than its\n"
                    "-Roll lead time (8 hours A/V Authentication, 24 hours OAuth); --within gives one window for all.\n"
                    "Also due: one that fails the plan (names missing, EKU, key too small, RSASSA-PSS, no CRL\n"
                    "distribution point, ...), and one the inventory lacks. For each, OUT/<YYYY-MM-DD>/ gets <id>.key (0600; not with --reuse-key), <id>.csr,\n"
                    "<id>.inf and manifest.json as certtool csr writes them, then renewal.json (certtool.renew/v1):\n"
                    "reasons, the old certificate, and the names added and removed.\n"
                    "\n"
                    "--acme: then the due certificates planned for a public CA are ordered from those requests (as certtool\n"
                    "acme does, DNS-01 through --dns-hook) and <id>.pem and <id>.chain.pem are written into the same dated\n"
                    "folder, so that pfx --requests D --certs D and script take them as they are; a replaced one is kept as\n"
                    "<id>.pem.replaced-<UTC>. Due certificates planned for an internal CA keep their request (sign them with\n"
                    "certtool ca sign). renewal.json and --format json add each order's outcome. --dry-run orders nothing.\n"
                    "\n" +
                    exit_codes_help("nothing is due (nothing was written); with --acme also: every due certificate was ordered,\n"
                                    "     issued and passes the verify checks",
                                    "something is due: its requests were written (with --dry-run: listed only); with --acme:\n"
                                    "     an order failed, an issued certificate fails a check, or a due internal-CA request waits",
                                    true) +
                    "\n"
                    "Examples:\n"
                    "  certtool renew site.json --inventory exported/ --within 30d --out renewals/\n"
                    "  certtool audit site.json --files exported/ --format json > audit.json\n"
                    "  certtool renew site.json --inventory audit.json --within 2w --dry-run\n"
                    "  certtool renew site.json --inventory exported/ --out renewals/ --reuse-key --keys requests/\n"
                    "  certtool renew site.json --inventory exported/ --out renewals/ --acme \\\n"
                    "      --server https://acme-v02.api.letsencrypt.org/directory --dns-hook /etc/certtool/dns-hook \\\n"
                    "      --contact mailto:pki@contoso.com --agree-tos\n");

    return {command, [options](Terminal& term) { return run_renew(*options, term); }};
}

}  // namespace certtool::cli
