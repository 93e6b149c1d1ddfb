#include "report/renew_report.hpp"

#include <algorithm>
#include <iomanip>
#include <ostream>

#include "core/plural.hpp"
#include "core/time.hpp"
#include "report/acme_report.hpp"

namespace certtool::report {

namespace {

using Json = nlohmann::ordered_json;

Json string_or_null(const std::string& s) { return s.empty() ? Json() : Json(s); }

std::string hours_text(std::chrono::hours within) {
    const long h = static_cast<long>(within.count());
    if (h % 24 == 0) return plural(h / 24, "day", "days");
    return plural(h, "hour", "hours");
}

// "15 days" / "8 hours": a window's length, whole days when it is a day or more.
std::string window_text(std::chrono::seconds length) {
    const long hours = static_cast<long>(std::chrono::duration_cast<std::chrono::hours>(length).count());
    if (hours >= 24) return plural(hours / 24, "day", "days");
    return plural(hours, "hour", "hours");
}

Json window_json(const renew::Decision& d) {
    if (!d.window) return nullptr;
    return {{"hours", std::chrono::duration_cast<std::chrono::hours>(d.window->length).count()},
            {"reason", d.window->reason}};
}

// The outcome token of one due certificate under renew --acme.
std::string acme_outcome(const renew::AcmeRun& run, const std::string& id) {
    const auto has = [](const std::vector<std::string>& list, const std::string& x) {
        return std::find(list.begin(), list.end(), x) != list.end();
    };
    if (has(run.not_public, id)) return "not-public";
    if (run.dry_run) return "dry-run";
    if (run.result)
        for (const auto& c : run.result->certificates)
            if (c.id == id) return c.error ? "failed" : c.outcome;
    return "not-ordered";
}

std::string acme_outcome_text(const std::string& token) {
    if (token == "not-public") return "request written, not ordered (not for a public CA: sign it with certtool ca sign)";
    if (token == "dry-run") return "would be ordered (dry run: nothing ordered)";
    if (token == "not-ordered") return "not ordered (the ACME run stopped; see the error)";
    if (token == "failed") return "order FAILED (see below)";
    if (token == "in place") return "in place (ordered by an earlier run; nothing ordered)";
    return token;
}

std::string joined(const std::vector<std::string>& items, const std::string& separator = ", ") {
    std::string out;
    for (const auto& s : items) out += (out.empty() ? "" : separator) + s;
    return out;
}

}  // namespace

Json renew_document(const model::Plan& plan, const renew::Decisions& decisions,
                    const std::map<std::string, renew::NewRequest>& requests, const std::string& folder) {
    Json doc;
    doc["schema"] = kRenewSchema;
    doc["topology"] = plan.source.path;
    doc["at"] = format_datetime(decisions.at);
    // null: no --within, each certificate was judged by its own window ("window" below).
    doc["within_hours"] = decisions.within ? Json(decisions.within->count()) : Json();
    doc["dry_run"] = folder.empty();
    doc["folder"] = string_or_null(folder);
    Json due = Json::array();
    for (const auto& d : decisions.due) {
        Json j;
        j["id"] = d.id;
        j["reasons"] = d.reasons;
        j["window"] = window_json(d);
        if (d.old) {
            j["old"] = {{"source", d.old->source},
                        {"sha256", d.old->sha256},
                        {"not_after_utc", format_datetime(d.old->not_after)},
                        {"days_left", d.old->days_left},
                        {"sans", d.old->sans}};
        } else {
            j["old"] = nullptr;
        }
        j["names_added"] = d.names_added;
        j["names_removed"] = d.names_removed;
        const auto f = requests.find(d.id);
        j["key"] = f == requests.end() ? "new" : f->second.key;
        j["key_file"] = string_or_null(f == requests.end() ? "" : f->second.key_file);
        j["csr_file"] = string_or_null(f == requests.end() ? "" : f->second.csr_file);
        due.push_back(std::move(j));
    }
    doc["due"] = std::move(due);
    Json not_due = Json::array();
    for (const auto& d : decisions.not_due)
        not_due.push_back({{"id", d.id},
                           {"not_after_utc", format_datetime(d.old->not_after)},
                           {"days_left", d.old->days_left},
                           {"window", window_json(d)}});
    doc["not_due"] = std::move(not_due);
    Json ignored = Json::array();
    for (const auto& i : decisions.ignored)
        ignored.push_back({{"source", i.source}, {"id", string_or_null(i.id)}, {"reason", i.reason}, {"kept", string_or_null(i.kept)}});
    doc["ignored"] = std::move(ignored);
    return doc;
}

void add_acme(Json& doc, const renew::AcmeRun& run) {
    for (auto& entry : doc["due"])
        if (entry.is_object() && entry.contains("id") && entry["id"].is_string())
            entry["acme"] = acme_outcome(run, entry["id"].get<std::string>());
    doc["acme"] = {{"dry_run", run.dry_run},
                   {"to_order", run.to_order},
                   {"not_public", run.not_public},
                   {"result", run.result ? acme_document(*run.result) : Json()}};
}

std::string renew_json_text(const nlohmann::ordered_json& doc) {
    // Names and paths from files may hold invalid UTF-8: replaced, never a throw.
    return doc.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

std::string render_renew_json(const model::Plan& plan, const renew::Decisions& decisions,
                              const std::map<std::string, renew::NewRequest>& requests, const std::string& folder) {
    return renew_json_text(renew_document(plan, decisions, requests, folder));
}

void render_renew_table(const renew::Decisions& d, const std::map<std::string, renew::NewRequest>& requests,
                        const std::string& folder, const std::string& inventory, std::ostream& out,
                        const renew::AcmeRun* acme, TimePoint now) {
    const std::size_t total = d.due.size() + d.not_due.size();
    out << "Renewal check at " << format_datetime(d.at) << ", window "
        << (d.within ? hours_text(*d.within) : "a third of each certificate's lifetime (at least its -Roll lead time)")
        << ", inventory " << inventory << "\n\n";
    std::size_t width = 2;
    for (const auto* list : {&d.due, &d.not_due})
        for (const auto& x : *list) width = std::max(width, x.id.size());
    const int w = static_cast<int>(width);
    out << std::left << std::setw(6) << "STATUS" << "  " << std::setw(w) << "ID" << "  " << std::setw(10) << "EXPIRES"
        << "  " << std::right << std::setw(5) << "DAYS" << "  " << "REASONS\n";
    auto row = [&](const renew::Decision& x, const char* status) {
        out << std::left << std::setw(6) << status << "  " << std::setw(w) << x.id << "  " << std::setw(10)
            << (x.old ? format_date(x.old->not_after) : "-") << "  " << std::right << std::setw(5)
            << (x.old ? std::to_string(x.old->days_left) : "-") << (x.reasons.empty() ? "" : "  " + joined(x.reasons))
            << "\n";
    };
    const std::string indent(8, ' ');
    // Without --within each certificate has its own window: said under its row.
    auto window = [&](const renew::Decision& x) {
        if (d.within || !x.window || !x.old) return;
        out << indent << "window:  the last " << window_text(x.window->length) << " before expiry (" << x.window->reason
            << ")\n";
    };
    for (const auto& x : d.due) {
        row(x, "DUE");
        window(x);
        if (x.old) out << indent << "held:    " << x.old->source << "\n";
        if (!x.names_added.empty()) out << indent << "added:   " << joined(x.names_added) << "\n";
        if (!x.names_removed.empty()) out << indent << "removed: " << joined(x.names_removed) << "\n";
        const auto f = requests.find(x.id);
        if (f != requests.end()) {
            out << indent << "key:     " << f->second.key;
            if (!f->second.key_file.empty()) out << "  " << f->second.key_file;
            out << "\n";
            if (!f->second.csr_file.empty()) out << indent << "csr:     " << f->second.csr_file << "\n";
        }
        if (acme) out << indent << "acme:    " << acme_outcome_text(acme_outcome(*acme, x.id)) << "\n";
    }
    for (const auto& x : d.not_due) {
        row(x, "ok");
        window(x);
    }
    if (!d.ignored.empty()) {
        out << "\nIgnored inventory entries:\n";
        for (const auto& i : d.ignored) {
            out << "  " << i.source << ": " << i.reason;
            if (!i.id.empty()) out << " (" << i.id << (i.kept.empty() ? "" : ", kept " + i.kept) << ")";
            out << "\n";
        }
    }
    out << "\n";
    const std::string certificates = plural(total, "certificate", "certificates");
    if (d.due.empty())
        out << "Nothing due (" << certificates << " checked): every one meets the plan and expires after the window.\n";
    else if (folder.empty())
        out << d.due.size() << " of " << certificates << " due (dry run: nothing written).\n";
    else
        out << d.due.size() << " of " << certificates << " due: keys and requests in " << folder
            << "/ (manifest.json, " << renew::kReportFile << ").\n";
    if (acme != nullptr) {
        if (acme->dry_run)
            out << "--acme: dry run, nothing ordered (" << plural(acme->to_order.size(), "certificate", "certificates") << " would be).\n";
        else if (acme->to_order.empty() && !d.due.empty())
            out << "--acme: nothing to order (no due certificate is planned for a public CA).\n";
        if (!acme->not_public.empty())
            out << "--acme: " << plural(acme->not_public.size(), "request", "requests")
                << " written, not ordered (not for a public CA: sign them with certtool ca sign).\n";
        if (acme->result) {
            out << "\nACME orders (" << renew::kReportFile << " \"acme\"):\n";
            render_acme_table(*acme->result, now, false, out);
        }
    }
}

}  // namespace certtool::report
