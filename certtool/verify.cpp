// certtool verify: certificate files against the plan (or against names).
#include <algorithm>
#include <memory>
#include <optional>

#include "check/files.hpp"
#include "check_options.hpp"
#include "core/diagnostic.hpp"
#include "crypto/keys.hpp"
#include "inventory/key_file.hpp"
#include "passphrase.hpp"
#include "plan_policy.hpp"
#include "report/monitoring.hpp"
#include "report/verify_report.hpp"
#include "verb.hpp"

namespace certtool::cli {

namespace {

struct VerifyOptions {
    std::vector<std::string> positional;  // [TOPOLOGY] FILE...
    std::string cert_id;
    CheckOptions check;
    std::vector<std::string> names;
    std::vector<std::string> eku{"serverAuth"};
    std::string key_file;
    PassphraseOptions passphrase;
    std::string format = "table";
    std::optional<int> critical_days;  // nagios
    std::string color = "auto";
};

ExitCode run_verify(VerifyOptions& options, Terminal& term) {
    const bool generic = !options.names.empty();
    std::vector<std::string> file_args = options.positional;
    std::optional<model::Plan> plan;
    std::vector<model::Finding> general;  // about the run, not one file
    if (!generic) {
        if (file_args.size() < 2)
            usage_error("usage.verify", "", "give a topology and at least one certificate file, or certificate files and --name");
        const std::string topology_file = file_args.front();
        auto planned = load_plan(topology_file, PlanUse::check, false, term);
        plan = std::move(planned.plan);
        if (auto finding = plan_has_errors_finding(*plan, topology_file)) general.push_back(std::move(*finding));
        file_args.erase(file_args.begin());
        if (!options.cert_id.empty() && plan->find(options.cert_id) == nullptr)
            usage_error("usage.unknown-certificate", planned.loaded.source.path,
                        "--cert " + options.cert_id + " is not a certificate id of this plan");
    } else if (!options.cert_id.empty()) {
        usage_error("usage.verify", "", "--cert needs a topology; with --name the checks are generic");
    }

    const check::Context context = make_context(options.check);
    const Secret password = passphrase_given(options.passphrase);
    std::optional<crypto::PrivateKey> separate_key;
    if (!options.key_file.empty()) {
        try {
            separate_key = inventory::read_key_file(options.key_file, password, "verify").key;
        } catch (const crypto::CryptoError& e) {
            usage_error(e.code(), options.key_file, e.what());
        }
    }

    check::FileChecks checks;
    checks.plan = plan ? &*plan : nullptr;
    checks.certificate_id = options.cert_id;
    checks.generic = {options.names, options.eku};
    checks.key = separate_key ? &*separate_key : nullptr;
    const auto verdicts = check::check_files(expand_files(file_args, "verify.io"), checks, context, password);

    if (options.format == "nagios") {
        const auto state = report::render_verify_nagios(verdicts, general, plan ? &*plan : nullptr, context.at,
                                                        {options.check.warn_days, options.critical_days}, term.out);
        term.out.flush();
        return static_cast<ExitCode>(static_cast<int>(state));
    }
    if (options.format == "json")
        report::render_verify_json(verdicts, general, context.at, term.out);
    else
        report::render_verify_table(verdicts, general, context.at, use_color(options.color, term), term.out);
    term.out.flush();
    const bool all_passed = std::all_of(verdicts.begin(), verdicts.end(), [](const auto& v) { return v.passed(); });
    return all_passed ? ExitCode::success : ExitCode::problems_found;
}

}  // namespace

Verb register_verify(CLI::App& app) {
    auto options = std::make_shared<VerifyOptions>();
    CLI::App* command = app.add_subcommand("verify", "check certificate files against the plan's Lync rules, or against names");
    command->add_option("FILES", options->positional, "[TOPOLOGY] then certificate files or directories (PEM, DER, PKCS#12)")->required();
    command->add_option("--cert", options->cert_id, "check every file against this plan certificate id (default: matched by names)");
    add_check_options(*command, options->check);
    command->add_option("--name", options->names, "without a topology: a DNS name the certificate must cover (repeatable)");
    command->add_option("--eku", options->eku, "without a topology: required EKU (serverAuth, clientAuth)")->capture_default_str();
    command->add_option("--key", options->key_file, "private key (PEM) that must belong to the certificate");
    add_passphrase_options(*command, options->passphrase, "for PKCS#12 files and encrypted keys");
    add_format_option(*command, options->format,
                      {{"table", "for people"},
                       {"json", "certtool.verify/v1"},
                       {"nagios", "a Nagios/Icinga plugin: exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN"}});
    add_critical_days_option(*command, options->critical_days);
    add_color_option(*command, options->color);
    command->footer("Arguments:\n"
                    "  With a topology: TOPOLOGY FILE...  each certificate is checked against its plan entry\n"
                    "  Without: FILE... --name FQDN       generic checks (names, EKU, key usage, signature, validity, chain)\n"
                    "  A file's leaf is the certificate its key belongs to, else the first that is not a CA;\n"
                    "  the others are offered as intermediates.\n"
                    "\n" +
                    exit_codes_help("every certificate passed (warnings allowed)", "a check failed") +
                    "\n"
                    "Examples:\n"
                    "  certtool verify site.json edge01-external.pfx --passphrase-file pfx.pass\n"
                    "  certtool verify site.json exported/ --trust internal-root.pem --at 2026-12-24\n"
                    "  certtool verify cert.pem --name sip.contoso.com --trust root.pem\n");
    return {command, [options](Terminal& term) {
                return options->format == "nagios" ? as_nagios_plugin(term, [&] { return run_verify(*options, term); })
                                                   : run_verify(*options, term);
            }};
}

}  // namespace certtool::cli
