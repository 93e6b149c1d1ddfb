// certtool ca init|sign|crl: a local CA for internal certificates and labs.
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <memory>

#include "ca/bulk.hpp"
#include "ca/ca.hpp"
#include "check_options.hpp"
#include "core/plural.hpp"
#include "fs/safe_file.hpp"
#include "inventory/inventory.hpp"
#include "passphrase.hpp"
#include "plan_policy.hpp"
#include "verb.hpp"

namespace certtool::cli {

namespace {

struct CaOptions {
    // init
    std::string dir;
    std::string name = "certtool Lync CA";
    bool intermediate = false;
    std::string key_type = "rsa";
    int key_bits = 4096;
    int days = 3650;
    bool encrypt_key = false;
    // sign
    std::string csr;
    std::string topology;
    std::string cert_id;
    std::string crl_url;
    std::string root_crl_url;
    int sign_days = 0;
    bool accept_name_differences = false;
    bool force = false;
    std::string out;
    std::string manifest;
    std::vector<std::string> only;
    bool lab_public = false;
    // crl
    std::vector<std::string> revoke;
    int crl_days = 7;
    bool crl_all = false;
    PassphraseOptions passphrase;
    CLI::App* init_command = nullptr;
    CLI::App* sign_command = nullptr;
    CLI::App* crl_command = nullptr;
};

ExitCode run_init(CaOptions& o, Terminal& term) {
    ca::InitOptions init;
    init.dir = o.dir;
    init.name = o.name;
    init.intermediate = o.intermediate;
    init.key = {o.key_type == "ec" ? crypto::KeyType::ec : crypto::KeyType::rsa, o.key_bits};
    if (o.key_type == "ec" && o.key_bits != 256 && o.key_bits != 384 && o.key_bits != 521)
        usage_error("usage.key-bits", "", "an EC CA key takes --key-bits 256, 384 or 521");
    if (o.key_type == "rsa" && (o.key_bits < 2048 || o.key_bits > 8192))
        usage_error("usage.key-bits", "", "an RSA CA key takes --key-bits 2048 to 8192");
    init.root_days = o.days;
    init.intermediate_days = std::min(o.days, 1825);
    init.crl_url = o.crl_url;
    init.root_crl_url = o.root_crl_url;
    if (o.encrypt_key) init.passphrase = passphrase_required(o.passphrase, "Passphrase for the CA keys", true);
    const auto result = ca::init(init);
    init.passphrase.wipe();
    for (const auto& f : result.files) term.out << "wrote " << f << "\n";
    term.out << "root SHA-256 " << result.root_sha256 << "\n";
    if (o.intermediate) term.out << "issuing CA SHA-256 " << result.issuing_sha256 << "\n";
    if (!result.crl_url.empty())
        term.out << "CRL of the " << (o.intermediate ? "intermediate" : "root") << " (in every certificate it issues): " << result.crl_url << "\n";
    if (!result.root_crl_url.empty())
        term.out << "CRL of the root (in intermediate.pem): " << result.root_crl_url
                 << (result.root_crl_url_derived ? " (derived from --crl-url; --root-crl-url gives another)" : "") << "\n";
    if (o.intermediate && result.root_crl_url.empty())
        term.err << "certtool: warning: no CRL URL for the root: intermediate.pem has no CRL distribution point, and clients "
                    "that check revocation (Windows, Lync) cannot check it; give --crl-url or --root-crl-url\n";
    term.out << "Import " << fs::join(o.dir, "root.pem") << " into Trusted Root Certification Authorities on every server and client"
             << (o.intermediate ? ", and intermediate.pem into Intermediate Certification Authorities" : "") << ".\n";
    return ExitCode::success;
}

// One warning per name, for the first few: a request may carry thousands.
void warn_name_differences(const std::string& id, const ca::NameDifference& d, Terminal& term) {
    constexpr std::size_t kNamesListed = 20;
    const std::string of = id.empty() ? "" : id + ": ";
    for (std::size_t i = 0; i < d.missing.size() && i < kNamesListed; ++i)
        term.err << "certtool: warning: " << of << "added " << d.missing[i] << ", which the request lacked (the plan needs it)\n";
    if (d.missing.size() > kNamesListed)
        term.err << "certtool: warning: " << of << "added " << d.missing.size() - kNamesListed << " more names the request lacked\n";
    for (std::size_t i = 0; i < d.extra.size() && i < kNamesListed; ++i)
        term.err << "certtool: warning: " << of << "left out " << d.extra[i] << ", which the request asked for (not in the plan)\n";
    if (d.extra.size() > kNamesListed)
        term.err << "certtool: warning: " << of << "left out " << d.extra.size() - kNamesListed << " more names the request asked for\n";
}

ExitCode run_sign_manifest(CaOptions& o, Terminal& term) {
    if (!o.csr.empty() || !o.cert_id.empty())
        usage_error("usage.ca-sign", "", "--manifest signs every request of the manifest: give no CSR and no --cert (--only ID picks some)");
    if (o.out.empty()) usage_error("usage.ca-sign", "", "--manifest needs --out DIR, the folder for <id>.pem, <id>.chain.pem and issued.json");
    const auto planned = load_plan(o.topology, PlanUse::write, o.force, term);
    ca::ManifestSignOptions bulk;
    bulk.sign.dir = o.dir;
    bulk.sign.crl_url = o.crl_url;
    if (o.sign_days > 0) bulk.sign.days = o.sign_days;
    bulk.sign.accept_name_differences = o.accept_name_differences;
    bulk.sign.passphrase = passphrase_given(o.passphrase);
    bulk.manifest_file = o.manifest;
    bulk.plan = &planned.plan;
    bulk.out_dir = o.out;
    bulk.only = o.only;
    bulk.lab_public = o.lab_public;
    bulk.replace = o.force;
    const auto result = ca::sign_manifest(bulk);
    bulk.sign.passphrase.wipe();

    for (const auto& s : result.issued) {
        warn_name_differences(s.id, s.result.differences, term);
        const auto* r = planned.plan.find(s.id);
        term.out << "issued " << s.id << " serial " << s.result.serial_hex << ", " << plural(r->sans.size(), "SAN", "SANs")
                 << ", valid until " << format_datetime(s.result.not_after) << (s.public_ca ? " (LAB ONLY)" : "") << "\n"
                 << "  " << s.certificate_file << "\n  " << s.chain_file << "\n";
        for (const auto& kept : s.replaced_files) term.out << "  kept the previous file as " << kept << "\n";
    }
    const bool any_public = std::any_of(result.issued.begin(), result.issued.end(), [](const auto& s) { return s.public_ca; });
    if (any_public)
        term.err << "certtool: warning: the certificates marked LAB ONLY need a public CA in production: federation partners, "
                    "remote and mobile clients and browsers will not trust this CA's certificates; use them in a lab only\n";
    for (const auto& s : result.skipped) term.out << "not signed " << s.id << ": " << s.reason << "\n";
    term.out << "wrote " << result.index_file << ": " << plural(result.issued.size(), "certificate", "certificates") << " issued, "
             << result.skipped.size() << " not signed (public CA)\n";
    return ExitCode::success;
}

ExitCode run_sign(CaOptions& o, Terminal& term) {
    if (!o.manifest.empty()) return run_sign_manifest(o, term);
    if (o.csr.empty() || o.cert_id.empty())
        usage_error("usage.ca-sign", "", "give a request and its plan id (CSR --cert ID), or a csr run's --manifest REQ/manifest.json --out DIR");
    if (!o.only.empty() || o.lab_public) usage_error("usage.ca-sign", "", "--only and --lab-public go with --manifest");
    const auto planned = load_plan(o.topology, PlanUse::write, o.force, term);
    const auto& loaded = planned.loaded;
    const model::Plan& plan = planned.plan;
    const auto* requirement = plan.find(o.cert_id);
    if (requirement == nullptr)
        usage_error("usage.unknown-certificate", loaded.source.path, "--cert " + o.cert_id + " is not a certificate id of this plan (see certtool plan)");
    const std::string chain_out = o.out.empty() ? "" : inventory::chain_file_for(o.out);
    for (const auto& file : {o.out, chain_out})
        if (!file.empty() && fs::exists(file)) usage_error("output.exists", file, "already exists; certtool does not overwrite certificates");
    if (!o.out.empty()) {
        // Checked before signing: a certificate the CA issued and indexed must not be lost to an unwritable --out.
        const std::string parent = std::filesystem::path(o.out).parent_path().string();
        const std::string out_dir = parent.empty() ? "." : parent;
        std::error_code ec;
        if (!std::filesystem::is_directory(out_dir, ec))
            usage_error("output.missing", o.out, "the directory " + out_dir + " does not exist; nothing was issued");
        if (::access(out_dir.c_str(), W_OK | X_OK) != 0)
            usage_error("output.io", o.out, "the directory " + out_dir + " is not writable; nothing was issued");
    }

    ca::SignOptions sign;
    sign.dir = o.dir;
    sign.csr_file = o.csr;
    sign.csr_pem = fs::read_file_bounded(o.csr, 1 << 20, "csr");
    sign.requirement = requirement;
    sign.crl_url = o.crl_url;
    if (o.sign_days > 0) sign.days = o.sign_days;
    sign.accept_name_differences = o.accept_name_differences;
    sign.passphrase = passphrase_given(o.passphrase);
    const auto result = ca::sign(sign);
    sign.passphrase.wipe();
    if (!o.out.empty()) {
        // The chain first (the leaf, then the intermediate), as sign --manifest writes it.
        fs::write_file_atomic(chain_out, result.certificate_pem + result.intermediates_pem, {0644, false});
        fs::write_file_atomic(o.out, result.certificate_pem, {0644, false});
    }

    warn_name_differences("", result.differences, term);
    term.out << "issued " << requirement->id << " serial " << result.serial_hex << ", " << plural(requirement->sans.size(), "SAN", "SANs")
             << ", valid until " << format_datetime(result.not_after) << "\n"
             << "certificate " << (o.out.empty() ? result.file : o.out) << "\n";
    if (!o.out.empty()) term.out << "certificate and intermediates " << chain_out << "\n";
    term.out << "chain " << fs::join(o.dir, "chain.pem") << "\n";
    return ExitCode::success;
}

ExitCode run_crl(CaOptions& o, Terminal& term) {
    ca::CrlOptions crl;
    crl.dir = o.dir;
    crl.revoke = o.revoke;
    crl.days = o.crl_days;
    crl.all = o.crl_all;
    crl.passphrase = passphrase_given(o.passphrase);
    const auto result = ca::crl(crl);
    crl.passphrase.wipe();
    for (const auto& note : result.notes) term.err << "certtool: note: " << note << "\n";
    if (result.intermediate_revoked_now)
        term.err << "certtool: warning: the intermediate is revoked: every certificate it issued now fails revocation checks, "
                    "and this CA issues no more\n";
    bool any = false;
    for (const auto& c : result.crls) {
        const std::string what = "CRL of the " + c.ca + " (" + plural(c.revoked, "revoked certificate", "revoked certificates") + ")";
        if (c.written) {
            any = true;
            term.out << "wrote " << c.file << " (DER) and " << c.pem_file << ": " << what << ", number " << c.number
                     << ", next update " << format_datetime(c.next_update) << " (" << c.why << ")\n";
            if (!c.url.empty()) term.out << "  publish " << c.file << " at " << c.url << "\n";
        } else {
            term.out << "kept " << c.file << ": " << what << ", number " << c.number << ", " << c.why << " (--all writes it now)\n";
        }
    }
    if (any) term.out << "wrote " << result.combined_file << ": every current CRL in one PEM file (openssl -CRLfile, GnuTLS --load-crl)\n"
                      << "Publish each CRL at its URL before its next update.\n";
    return ExitCode::success;
}

}  // namespace

Verb register_ca(CLI::App& app) {
    auto o = std::make_shared<CaOptions>();
    CLI::App* command = app.add_subcommand("ca", "a local CA: create it, issue the plan's certificates, publish CRLs");
    command->require_subcommand(1);

    auto* init = command->add_subcommand("init", "create a CA (root, and optionally an issuing intermediate) in DIR");
    init->add_option("DIR", o->dir, "directory for the CA (created 0700)")->required();
    init->add_option("--name", o->name, "the root's common name")->capture_default_str();
    init->add_flag("--intermediate", o->intermediate, "also create an issuing intermediate CA (recommended)");
    init->add_option("--key-type", o->key_type, "rsa or ec")->check(CLI::IsMember({"rsa", "ec"}))->capture_default_str();
    init->add_option("--key-bits", o->key_bits, "RSA 2048-8192, EC 256/384/521")->capture_default_str();
    init->add_option("--days", o->days, "root validity in days")->capture_default_str()->check(CLI::Range(1, 36500));
    init->add_option("--crl-url", o->crl_url,
                     "CRL URL (http://) of the issuing CA (the intermediate, else the root), put in every certificate it issues; "
                     "it must end in a file name");
    init->add_option("--root-crl-url", o->root_crl_url,
                     "with --intermediate: the root's CRL URL, put in intermediate.pem (default: --crl-url's name with -root "
                     "before the extension, in the same folder)");
    init->add_flag("--encrypt-key", o->encrypt_key, "encrypt the CA keys with the passphrase");
    add_passphrase_options(*init, o->passphrase, "for --encrypt-key");
    o->init_command = init;

    auto* sign = command->add_subcommand("sign", "issue the plan's certificate for a request (CSR), or for every request of a csr run");
    sign->add_option("DIR", o->dir, "the CA directory")->required();
    sign->add_option("CSR", o->csr, "the request (PEM or DER), e.g. from certtool csr (not with --manifest)");
    sign->add_option("--topology", o->topology, "topology file whose plan says what the certificate holds")->required();
    sign->add_option("--cert", o->cert_id, "plan certificate id (see certtool plan) of CSR");
    sign->add_option("--manifest", o->manifest, "sign every request of a certtool csr run (REQ/manifest.json) into --out DIR");
    add_only_option(*sign, o->only, "with --manifest:");
    sign->add_flag("--lab-public", o->lab_public,
                   "with --manifest: also sign the certificates the plan gives to a public CA (a lab: nobody outside trusts them)");
    sign->add_option("--crl-url", o->crl_url, "CRL distribution point URL (default: the CA's, from ca init --crl-url)");
    sign->add_option("--days", o->sign_days, "validity in days (default: the plan's validity_days of the certificate: policy.validity_days, a public CA's capped at its maximum)")->check(CLI::Range(1, 3650));
    sign->add_flag("--accept-name-differences", o->accept_name_differences,
                   "issue with the plan's names even though the request asks for other names");
    sign->add_option("--out", o->out, "also write the certificate here (never overwritten); with --manifest the folder for them");
    add_force_option(*sign, o->force, "with --manifest: issue again over certificates in --out (the old files kept as .replaced-<time>)");
    add_passphrase_options(*sign, o->passphrase, "for an encrypted CA key");
    o->sign_command = sign;

    auto* crl = command->add_subcommand("crl", "write every CRL that is due (DIR/crl/<name>, DER and PEM), revoking serials first if asked");
    crl->add_option("DIR", o->dir, "the CA directory")->required();
    crl->add_option("--revoke", o->revoke,
                    "serial number (hex, as in index.json) to revoke; repeatable; the intermediate's own serial goes into the root's CRL");
    crl->add_flag("--all", o->crl_all, "write every CRL, also those not yet due");
    crl->add_option("--days", o->crl_days, "days until the CRL's next update")->capture_default_str()->check(CLI::Range(1, 365));
    add_passphrase_options(*crl, o->passphrase, "for an encrypted CA key");
    o->crl_command = crl;

    command->footer("\n" + exit_codes_help("done", "not used", true) +
                    "\n"
                    "Examples:\n"
                    "  certtool ca init labca --intermediate --crl-url http://pki.contoso.net/labca.crl\n"
                    "  certtool ca sign labca req/edge-internal.lsedge-contoso-net.csr --topology site.json \\\n"
                    "      --cert edge-internal.lsedge-contoso-net --out edge-internal.pem\n"
                    "  certtool ca sign labca --manifest req/manifest.json --topology site.json --out issued\n"
                    "  certtool ca crl labca --revoke 5f3a...\n"
                    "  (labca/crl/labca.crl goes to http://pki.contoso.net/labca.crl, labca/crl/labca-root.crl to .../labca-root.crl)\n");
    return {command, [o](Terminal& term) {
                if (o->init_command->parsed()) return run_init(*o, term);
                if (o->sign_command->parsed()) return run_sign(*o, term);
                return run_crl(*o, term);
            }};
}

}  // namespace certtool::cli
