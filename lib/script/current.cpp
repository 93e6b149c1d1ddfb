// certtool script: what is there. The PFX files to install, and the
// certificates deployed now (for -Roll staging), from files or an audit report.
#include <algorithm>
#include <sys/stat.h>

#include "check/check.hpp"
#include "fs/safe_file.hpp"
#include "report/audit_report.hpp"
#include "script/script.hpp"
#include "script/text.hpp"

namespace certtool::script {

using detail::comment;
using detail::input_error;
using detail::join;

namespace {

constexpr const char* kCurrentUnreadable = "script.current-unreadable";

bool is_directory(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// The files of a --current folder: those in it and those one level down (the
// layout of audit --files: DIR/<member FQDN>/...), in name order.
std::vector<std::string> certificate_files(const std::string& dir) {
    const auto unreadable = [](const std::string& folder) -> std::vector<std::string> {
        input_error(kCurrentUnreadable, folder, "cannot read the folder");
    };
    auto out = inventory::files_in(dir);
    if (!out) return unreadable(dir);
    const auto folders = inventory::member_folders(dir);
    if (!folders) return unreadable(dir);
    for (const auto& folder : *folders) {
        const auto inside = inventory::files_in(fs::join(dir, folder));
        if (!inside) return unreadable(fs::join(dir, folder));
        out->insert(out->end(), inside->begin(), inside->end());
    }
    std::sort(out->begin(), out->end());
    return std::move(*out);
}

}  // namespace

NewCertificate inspect_pfx(const inventory::CertificateFile& file, const model::CertificateRequirement& requirement,
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
    return {detail::checked_thumbprint(leaf.sha1_thumbprint), leaf.not_before, leaf.not_after, leaf.issuer.common_name};
}

PfxFolder read_pfx_folder(const std::string& folder, const model::Plan& full, const model::Plan& selected,
                          const Secret& passphrase) {
    const auto files = inventory::files_in(folder);
    if (!files) input_error("script.pfx-folder", folder, "--pfx: no such folder");
    PfxFolder out;
    for (const auto& c : selected.certificates) {
        if (c.id.find('/') != std::string::npos || c.id.empty() || c.id.front() == '.') continue;
        const std::string file = fs::join(folder, c.id + ".pfx");
        if (!fs::exists(file)) continue;
        out.certificates[c.id] = inspect_pfx(inventory::read_certificate_file(file, passphrase, "script"), c, full);
    }
    for (const auto& file : *files) {
        const std::string name = file.substr(file.find_last_of('/') + 1);
        const auto dot = name.rfind('.');
        if (dot != std::string::npos && dot != 0 && name.substr(dot) == ".pfx" && full.find(name.substr(0, dot)) == nullptr)
            out.notes.push_back(name + " in " + folder + " is not named after a certificate id of the plan; ignored");
    }
    if (out.certificates.empty())
        input_error("script.no-pfx", folder,
                    "holds no <certificate id>.pfx for the " +
                        std::string(selected.certificates.size() == full.certificates.size() ? "planned" : "selected") +
                        " certificates (see certtool plan for the ids; certtool pfx writes them)");
    return out;
}

std::vector<CaCertificate> read_ca_folder(const std::string& folder) {
    if (!is_directory(folder)) input_error("script.ca-folder", folder, "--ca: no such folder (give the folder certtool ca init wrote)");
    const auto same_name = [](const crypto::DistinguishedName& a, const crypto::DistinguishedName& b) {
        return a.common_name == b.common_name && a.organization == b.organization &&
               a.organizational_unit == b.organizational_unit && a.locality == b.locality && a.state == b.state &&
               a.country == b.country;
    };
    const auto read_ca = [&](const std::string& name) -> std::optional<crypto::Certificate> {
        const std::string path = fs::join(folder, name);
        if (!fs::exists(path)) return std::nullopt;
        const auto file = inventory::read_certificate_file(path, Secret{}, "script");
        const auto& certificate = file.leaf_certificate();
        if (!certificate.is_ca)
            input_error("script.ca-folder", path, "is not a CA certificate (no basicConstraints cA): --ca takes the folder certtool ca init wrote");
        return certificate;
    };
    const auto root = read_ca("root.pem");
    if (!root) input_error("script.ca-folder", fs::join(folder, "root.pem"), "--ca: the folder holds no root.pem (certtool ca init writes it)");
    if (!same_name(root->subject, root->issuer))
        input_error("script.ca-folder", fs::join(folder, "root.pem"), "is not a self-signed root: its issuer is CN=" + comment(root->issuer.common_name));
    std::vector<CaCertificate> out;
    out.push_back({"ca-root.cer", detail::checked_thumbprint(root->sha1_thumbprint), root->subject.common_name, true, root->der});
    if (const auto intermediate = read_ca("intermediate.pem")) {
        if (!same_name(intermediate->issuer, root->subject))
            input_error("script.ca-folder", fs::join(folder, "intermediate.pem"),
                        "was not issued by root.pem: its issuer is CN=" + comment(intermediate->issuer.common_name) +
                            ", the root is CN=" + comment(root->subject.common_name));
        out.push_back({"ca-intermediate.cer", detail::checked_thumbprint(intermediate->sha1_thumbprint),
                       intermediate->subject.common_name, false, intermediate->der});
    }
    return out;
}

void add_current(std::map<std::string, CurrentCertificate>& current, const std::string& id, const CurrentCertificate& seen) {
    CurrentCertificate normalised = seen;
    if (!normalised.thumbprint.empty()) normalised.thumbprint = detail::checked_thumbprint(normalised.thumbprint);
    const auto it = current.find(id);
    if (it == current.end() || normalised.not_after < it->second.not_after) current[id] = normalised;
}

std::map<std::string, CurrentCertificate> current_from_audit_json(std::string_view text, const std::string& file,
                                                                  const model::Plan& plan) {
    std::map<std::string, CurrentCertificate> out;
    for (const auto& seen : report::read_audit_report(text, file, kCurrentUnreadable)) {
        if (plan.find(seen.certificate_id) == nullptr) continue;
        add_current(out, seen.certificate_id,
                    {seen.not_after, seen.thumbprint, seen.member.empty() ? file : file + ": " + seen.member});
    }
    return out;
}

CurrentCertificates read_current(const std::string& path, const model::Plan& full, const model::Plan& selected,
                                 const std::map<std::string, NewCertificate>& installing, const Secret& passphrase) {
    CurrentCertificates out;
    const auto is_new = [&](const std::string& id, const std::string& thumbprint) {
        const auto it = installing.find(id);
        return it != installing.end() && !thumbprint.empty() && it->second.thumbprint == thumbprint;
    };
    if (!is_directory(path)) {
        if (!fs::is_regular_file(path)) input_error(kCurrentUnreadable, path, "no such file or folder");
        std::string text;
        try {
            text = fs::read_file_bounded(path, report::kMaxAuditReportFile, "script.current");
        } catch (const InputError& e) {
            input_error(kCurrentUnreadable, path, "cannot read the file: " + e.diagnostics().front().message);
        }
        for (auto& [id, seen] : current_from_audit_json(text, path, selected)) {
            if (is_new(id, seen.thumbprint)) {
                out.notes.push_back(id + ": " + seen.source + " already shows the new certificate; not taken as the current one");
                continue;
            }
            out.certificates[id] = seen;
        }
        return out;
    }
    for (const auto& file : certificate_files(path)) {
        inventory::CertificateFile read;
        try {
            read = inventory::read_certificate_file(file, passphrase, "script.current");
        } catch (const InputError& e) {
            const auto& d = e.diagnostics().front();
            if (d.code.rfind("script.current.", 0) == 0) input_error(kCurrentUnreadable, file, "--current: cannot read the file");
            input_error(d.code == "cert.unreadable" ? kCurrentUnreadable : d.code, file, "--current: " + d.message);
        }
        const auto& leaf = read.leaf_certificate();
        // Matched against the whole plan: a certificate of an entry --only left out is not current for another.
        const auto* requirement = check::match_requirement(leaf, full);
        if (requirement == nullptr) {
            out.notes.push_back(file + ": carries the names of no planned certificate; ignored");
            continue;
        }
        if (selected.find(requirement->id) == nullptr) continue;
        const std::string thumbprint = detail::checked_thumbprint(leaf.sha1_thumbprint);
        if (is_new(requirement->id, thumbprint)) continue;  // the new certificate itself
        add_current(out.certificates, requirement->id, {leaf.not_after, thumbprint, file});
    }
    return out;
}

}  // namespace certtool::script
