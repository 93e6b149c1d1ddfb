// certtool verify: certificate files against the plan (or against names).
#include <algorithm>
#include <atomic>
#include <exception>
#include <memory>
#include <optional>
#include <nlohmann/json.hpp>
#include <sstream>
#include <system_error>
#include <thread>

#include "check/check.hpp"
#include "check_options.hpp"
#include "core/diagnostic.hpp"
#include "core/plural.hpp"
#include "core/time.hpp"
#include "crypto/certificate.hpp"
#include "fs/safe_file.hpp"
#include "passphrase.hpp"
#include "report/text.hpp"
#include "topology/topology.hpp"
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
    std::string color = "auto";
};

using report::text::clean;
using report::text::severity_label;

// "3 SANs (IP 192.0.2.7, 2001:db8::1)": every entry counted, the addresses shown
// (a few: the DNS names are many on a Lync certificate, the addresses rare).
std::string sans_summary(const crypto::Certificate& c) {
    constexpr std::size_t kShownAddresses = 4;
    std::string text = plural(c.dns_names.size() + c.ip_addresses.size(), "SAN", "SANs");
    for (std::size_t i = 0; i < c.ip_addresses.size() && i < kShownAddresses; ++i)
        text += (i == 0 ? " (IP " : ", ") + clean(c.ip_addresses[i]);
    if (c.ip_addresses.size() > kShownAddresses) text += ", ...";
    if (!c.ip_addresses.empty()) text += ")";
    return text;
}

void render_table(const std::vector<check::Verdict>& verdicts, const crypto::TimePoint& at, bool color, std::ostream& out) {
    std::size_t failed = 0;
    for (const auto& v : verdicts) {
        const bool ok = v.passed();
        failed += ok ? 0 : 1;
        const long days = whole_days_left(at, v.certificate.not_after);
        const std::string verdict = report::text::verdict_label(ok, color);
        out << verdict << "  " << v.source;
        if (!v.certificate_id.empty()) out << "  ->  " << v.certificate_id;
        out << "\n      CN=" << clean(v.certificate.subject.common_name) << ", " << sans_summary(v.certificate)
            << ", expires " << format_date(v.certificate.not_after) << " (" << plural(days, "day", "days") << "), sha256 "
            << v.certificate.sha256_fingerprint.substr(0, 16) << "...\n";
        for (const auto& f : v.findings)
            out << "      " << severity_label(f.severity, color) << " " << f.code << ": " << clean(f.message) << "\n";
    }
    out << "\n" << plural(verdicts.size(), "certificate", "certificates") << " checked: "
        << verdicts.size() - failed << " passed, " << failed << " failed\n";
}

void render_json(const std::vector<check::Verdict>& verdicts, const crypto::TimePoint& at, std::ostream& out) {
    nlohmann::ordered_json doc;
    doc["schema"] = "certtool.verify/v1";
    nlohmann::ordered_json results = nlohmann::ordered_json::array();
    std::size_t failed = 0;
    for (const auto& v : verdicts) {
        failed += v.passed() ? 0 : 1;
        nlohmann::ordered_json r;
        r["source"] = v.source;
        r["certificate_id"] = v.certificate_id;
        r["passed"] = v.passed();
        r["subject"] = v.certificate.subject.common_name;
        r["sans"] = v.certificate.dns_names;
        r["ip_addresses"] = v.certificate.ip_addresses;
        r["not_after"] = format_date(v.certificate.not_after);
        r["days_left"] = whole_days_left(at, v.certificate.not_after);
        r["sha256"] = v.certificate.sha256_fingerprint;
        r["thumbprint"] = v.certificate.sha1_thumbprint;
        r["public_key_sha256"] = v.certificate.public_key_sha256;
        nlohmann::ordered_json findings = nlohmann::ordered_json::array();
        for (const auto& f : v.findings) {
            nlohmann::ordered_json j;
            j["severity"] = model::to_string(f.severity);
            j["code"] = f.code;
            j["message"] = f.message;
            if (!f.policy.empty()) j["policy"] = f.policy;
            findings.push_back(std::move(j));
        }
        r["findings"] = std::move(findings);
        results.push_back(std::move(r));
    }
    doc["results"] = std::move(results);
    doc["summary"] = {{"checked", verdicts.size()}, {"passed", verdicts.size() - failed}, {"failed", failed}};
    out << doc.dump(2) << "\n";
}

ExitCode run_verify(VerifyOptions& options, Terminal& term) {
    const bool generic = !options.names.empty();
    std::vector<std::string> file_args = options.positional;
    std::optional<model::Plan> plan;
    if (!generic) {
        if (file_args.size() < 2)
            usage_error("usage.verify", "", "give a topology and at least one certificate file, or certificate files and --name");
        const auto loaded = topology::load_file(file_args.front());
        plan = model::build_plan(loaded.topology, loaded.source);
        file_args.erase(file_args.begin());
        if (!options.cert_id.empty() && plan->find(options.cert_id) == nullptr)
            usage_error("usage.unknown-certificate", loaded.source.path, "--cert " + options.cert_id + " is not a certificate id of this plan");
    } else if (!options.cert_id.empty()) {
        usage_error("usage.verify", "", "--cert needs a topology; with --name the checks are generic");
    }

    const check::Context context = make_context(options.check);

    auto password = passphrase_if_given(options.passphrase);
    std::optional<crypto::PrivateKey> separate_key;
    if (!options.key_file.empty()) {
        try {
            separate_key = crypto::load_private_key_pem(fs::read_file_bounded(options.key_file, 1 << 20, "verify"), password);
        } catch (const crypto::CryptoError& e) {
            usage_error(e.code(), options.key_file, e.what());
        }
    }

    // Each file is checked on its own; the files are shared out between up to
    // one thread per core and the verdicts kept in the order of the files. The
    // first file (in that order) that cannot be read ends the run with its
    // error, as it would one file at a time.
    const std::vector<std::string> files = expand_files(file_args, "verify.io");
    auto check_file = [&](const std::string& file) -> check::Verdict {
        crypto::CertificateBundle bundle;
        try {
            bundle = crypto::load_certificates(fs::read_file_bounded(file, kMaxCertificateFile, "verify"), password);
        } catch (const crypto::CryptoError& e) {
            usage_error(e.code(), file, e.what());
        }
        const auto& leaf = bundle.certificates.front();
        check::Context ctx = context;
        for (std::size_t i = 1; i < bundle.certificates.size(); ++i) ctx.chain.intermediates_der.push_back(bundle.certificates[i].der);
        ctx.key = separate_key ? &*separate_key : bundle.key ? &*bundle.key : nullptr;
        check::Verdict v;
        if (generic) {
            v = check::check_generic(leaf, {options.names, options.eku}, ctx, file);
        } else if (const auto* requirement =
                       options.cert_id.empty() ? check::match_requirement(leaf, *plan) : plan->find(options.cert_id)) {
            v = check::check_against_plan(leaf, *requirement, ctx, file);
        } else {
            v = check::Verdict{file, "", leaf, {}};
            v.findings.push_back({model::Severity::error, "plan.no-match",
                                  "this certificate (CN=" + leaf.subject.common_name +
                                      ") carries the names of no certificate in the plan; name one with --cert ID",
                                  "", "", ""});
        }
        // Kept until all files are checked: only what the report shows, not
        // the encoded certificate or its decode (a third of the memory).
        v.certificate.der = std::string();
        v.certificate.decoded.reset();
        return v;
    };
    // Filled in place, by file index: one slot per file (not a second copy
    // in file order, which doubled the memory of 10,000 verdicts).
    std::vector<check::Verdict> verdicts(files.size());
    std::vector<std::exception_ptr> errors(files.size());
    std::atomic<std::size_t> next{0};
    std::atomic<std::size_t> first_error{files.size()};  // no file after it needs checking
    auto worker = [&] {
        for (std::size_t i; (i = next++) < files.size();) {
            if (i > first_error.load()) continue;
            try {
                verdicts[i] = check_file(files[i]);
            } catch (...) {
                errors[i] = std::current_exception();
                for (std::size_t seen = first_error.load(); i < seen && !first_error.compare_exchange_weak(seen, i);) {
                }
            }
        }
    };
    const std::size_t threads = std::min<std::size_t>({std::max(1U, std::thread::hardware_concurrency()), 16, files.size()});
    std::vector<std::thread> pool;
    for (std::size_t t = 1; t < threads; ++t) {
        try {
            pool.emplace_back(worker);
        } catch (const std::system_error&) {
            break;  // no more threads to be had: the ones running (and this one) do the rest
        }
    }
    worker();
    for (auto& t : pool) t.join();
    for (const auto& error : errors) {
        if (!error) continue;
        if (password) crypto::cleanse(*password);
        std::rethrow_exception(error);
    }
    if (password) crypto::cleanse(*password);

    if (options.format == "json")
        render_json(verdicts, context.at, term.out);
    else
        render_table(verdicts, context.at, use_color(options.color, term), term.out);
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
    command->add_option("--format", options->format, "table or json")->check(CLI::IsMember({"table", "json"}))->capture_default_str();
    add_color_option(*command, options->color);
    command->footer("Arguments:\n"
                    "  With a topology: TOPOLOGY FILE...  each certificate is checked against its plan entry\n"
                    "  Without: FILE... --name FQDN       generic checks (names, EKU, key usage, signature, validity, chain)\n"
                    "  The first certificate in a file is the leaf; the others are offered as intermediates.\n"
                    "\n" +
                    exit_codes_help("every certificate passed (warnings allowed)", "a check failed") +
                    "\n"
                    "Examples:\n"
                    "  certtool verify site.json edge01-external.pfx --passphrase-file pfx.pass\n"
                    "  certtool verify site.json exported/ --trust internal-root.pem --at 2026-12-24\n"
                    "  certtool verify cert.pem --name sip.contoso.com --trust root.pem\n");
    return {command, [options](Terminal& term) { return run_verify(*options, term); }};
}

}  // namespace certtool::cli
