// certtool renew --acme: the due public-CA certificates ordered from the
// requests renew just wrote, and the outcome recorded in renewal.json.
#include <nlohmann/json.hpp>

#include "fs/safe_file.hpp"
#include "renew/renew.hpp"
#include "report/renew_report.hpp"

namespace certtool::renew {

AcmeRun acme_split(const model::Plan& plan, const Decisions& decisions, bool dry_run) {
    AcmeRun run;
    run.dry_run = dry_run;
    for (const auto& d : decisions.due) {
        const auto* c = plan.find(d.id);
        (c != nullptr && c->ca == model::CaKind::public_ca ? run.to_order : run.not_public).push_back(d.id);
    }
    return run;
}

std::string default_account_key(const std::string& out_dir) { return fs::join(out_dir, "acme-account.key"); }

void order_renewal(const model::Plan& plan, Written& written, AcmeRun& run, acme::IssueOptions& options, const acme::Progress& progress) {
    if (run.dry_run || run.to_order.empty() || written.folder.empty()) return;
    options.requests_dir = written.folder;
    options.out_dir = written.folder;
    options.only = run.to_order;
    run.result = acme::issue(plan, options, progress);
    auto doc = nlohmann::ordered_json::parse(written.report);  // certtool's own text, just written
    report::add_acme(doc, run);
    written.report = report::renew_json_text(doc);
    fs::write_file_atomic(written.report_file, written.report, {0644, true});
}

}  // namespace certtool::renew
