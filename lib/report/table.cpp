// `certtool plan --format table`: the plan for an admin at a terminal. Values
// line up in columns, long reasons wrap under the name they explain, and no
// line ends in a space, so that the output diffs and pastes cleanly.
#include <algorithm>
#include <sstream>

#include "report/report.hpp"
#include "report/text.hpp"

namespace certtool::report {

namespace {

constexpr std::size_t kWidth = 100;       // wrap prose here; a fixed width keeps output reproducible
constexpr std::size_t kLabelIndent = 2;   // certificate rows start here
constexpr std::size_t kValueColumn = 18;  // and their values here ("Exportable key" + 2)

using text::clean;
using text::display_width;
using text::pad;
using text::pad_left;
using text::rstrip;

// Greedy word wrap; a word longer than the width (a long FQDN) stays whole.
std::vector<std::string> wrap(const std::string& text, std::size_t width) {
    std::vector<std::string> lines;
    std::istringstream words(clean(text));
    std::string word, line;
    while (words >> word) {
        if (!line.empty() && display_width(line) + 1 + display_width(word) > width) {
            lines.push_back(line);
            line.clear();
        }
        if (!line.empty()) line += ' ';
        line += word;
    }
    if (!line.empty() || lines.empty()) lines.push_back(line);
    return lines;
}

std::string join(const std::vector<std::string>& items, const char* separator = ", ") {
    std::string out;
    for (const auto& item : items) {
        if (!out.empty()) out += separator;
        out += clean(item);
    }
    return out.empty() ? "-" : out;
}

class Painter {
public:
    explicit Painter(bool color) : color_(color) {}
    [[nodiscard]] std::string header(const std::string& text) const { return paint(text, "\x1b[1m"); }
    [[nodiscard]] std::string severity(model::Severity s, const std::string& text) const {
        switch (s) {
            case model::Severity::error: return paint(text, "\x1b[1;31m");
            case model::Severity::warning: return paint(text, "\x1b[33m");
            case model::Severity::info: return paint(text, "\x1b[36m");
        }
        return text;
    }

private:
    [[nodiscard]] std::string paint(const std::string& text, const char* code) const {
        return color_ ? code + text + "\x1b[0m" : text;
    }
    bool color_;
};

// Lines of aligned columns. Numeric columns (ports) are right-aligned.
class Columns {
public:
    explicit Columns(std::vector<bool> right_aligned) : right_(std::move(right_aligned)) {}
    void add(std::vector<std::string> cells) { rows_.push_back(std::move(cells)); }
    [[nodiscard]] std::vector<std::string> lines() const {
        std::vector<std::size_t> widths(right_.size(), 0);
        for (const auto& row : rows_)
            for (std::size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], display_width(row[i]));
        std::vector<std::string> out;
        for (const auto& row : rows_) {
            std::string line;
            for (std::size_t i = 0; i < row.size(); ++i) {
                if (widths[i] == 0) continue;  // a column empty in every row (no SRV records) takes no room
                if (!line.empty()) line += "  ";
                line += right_[i] ? pad_left(row[i], widths[i]) : pad(row[i], widths[i]);
            }
            out.push_back(rstrip(line));
        }
        return out;
    }

private:
    std::vector<bool> right_;
    std::vector<std::vector<std::string>> rows_;
};

class TableWriter {
public:
    explicit TableWriter(const TextStyle& style) : style_(style), paint_(style.color) {}

    void line(const std::string& text = "") { out_ += rstrip(text) + "\n"; }

    // "  Label           value", continuation lines under the value.
    void row(const std::string& label, const std::vector<std::string>& values) {
        const std::string indent(kValueColumn, ' ');
        for (std::size_t i = 0; i < values.size(); ++i) {
            if (i == 0)
                line(std::string(kLabelIndent, ' ') + pad(label, kValueColumn - kLabelIndent) + values[i]);
            else
                line(indent + values[i]);
        }
    }
    void row(const std::string& label, const std::string& value) { row(label, wrap(value, kWidth - kValueColumn)); }

    void certificate(const model::CertificateRequirement& c) {
        line(paint_.header(clean(c.id) + " -- " + role_title(c)));
        row("Subject", subject_line(c));
        sans(c);
        row("EKU", join(c.eku));
        row("Key usage", join(c.key_usage));
        row("Key", key_line(c.key));
        row("Signature hash", clean(c.signature_hash));
        row("CA", model::to_string(c.ca));
        row("Lifetime", lifetime_line(c));
        row("Exportable key", std::string(c.exportable_key ? "yes" : "no") +
                                  (c.same_on_all_members ? ", same certificate and key on every member" : ""));
        row("Install on", join(c.install_on));
        row("Usages", join(c.usages));
        endpoints(c);
    }

    void sans(const model::CertificateRequirement& c) {
        if (c.sans.empty()) {
            row("SANs", std::vector<std::string>{"-"});
            return;
        }
        // " 1. name" ... "12. name": numbers right-aligned, names in one column.
        const std::size_t number_width = std::to_string(c.sans.size()).size();
        const std::size_t name_offset = number_width + 2;
        std::vector<std::string> values;
        for (std::size_t i = 0; i < c.sans.size(); ++i) {
            values.push_back(pad_left(std::to_string(i + 1), number_width) + ". " + clean(c.sans[i].name));
            if (!style_.reasons) continue;
            for (const auto& reason_line : wrap(c.sans[i].reason, kWidth - kValueColumn - name_offset))
                values.push_back(std::string(name_offset, ' ') + reason_line);
        }
        row("SANs", values);
    }

    void endpoints(const model::CertificateRequirement& c) {
        if (c.endpoints.empty()) {
            row("Endpoints", std::vector<std::string>{"-"});
            return;
        }
        Columns table({false, false, false, false});
        for (const auto& e : c.endpoints) {
            // An IPv6 address is bracketed so that the port stays readable.
            const std::string host = e.address.find(':') != std::string::npos ? "[" + e.address + "]" : e.address;
            table.add({clean(e.member), clean(host) + ":" + std::to_string(e.port), "SNI " + clean(e.sni),
                       clean(e.service)});
        }
        row("Endpoints", table.lines());
    }

    void dns(const std::vector<model::DnsRecord>& records) {
        line(paint_.header("DNS records"));
        if (records.empty()) {
            line("  none");
            return;
        }
        const bool any_srv = std::any_of(records.begin(), records.end(), [](const auto& r) { return r.type == "SRV"; });
        Columns table({false, false, false, false, true, true, true, false});
        table.add({"ZONE", "TYPE", "NAME", "TARGET", any_srv ? "PORT" : "", any_srv ? "PRIO" : "",
                   any_srv ? "WEIGHT" : "", "CERTIFICATE"});
        for (const auto& r : records) {
            const bool srv = r.type == "SRV";
            table.add({clean(r.zone), clean(r.type), clean(r.name), clean(r.target), srv ? std::to_string(r.port) : "",
                       srv ? std::to_string(r.priority) : "", srv ? std::to_string(r.weight) : "",
                       clean(r.certificate)});
        }
        const auto lines = table.lines();
        for (std::size_t i = 0; i < lines.size(); ++i) {
            line("  " + lines[i]);
            if (!style_.reasons || i == 0) continue;
            for (const auto& reason_line : wrap(records[i - 1].reason, kWidth - 4)) line("    " + reason_line);
        }
    }

    void findings(const std::vector<model::Finding>& findings) {
        line(paint_.header("Findings"));
        if (findings.empty()) {
            line("  none");
            return;
        }
        const std::pair<model::Severity, const char*> groups[] = {
            {model::Severity::error, "Errors"}, {model::Severity::warning, "Warnings"}, {model::Severity::info, "Info"}};
        for (const auto& [severity, title] : groups) {
            // Copied into the lambda: clang before 16 cannot capture a structured binding.
            const auto count = static_cast<std::size_t>(std::count_if(
                findings.begin(), findings.end(), [wanted = severity](const model::Finding& f) { return f.severity == wanted; }));
            if (count == 0) continue;
            line("  " + paint_.severity(severity, std::string(title) + " (" + std::to_string(count) + ")"));
            for (const auto& f : findings) {
                if (f.severity != severity) continue;
                std::string head = "    " + clean(f.code);
                if (!f.path.empty()) head += " at " + clean(f.path);
                if (!f.policy.empty()) head += " (policy " + clean(f.policy) + ")";
                line(head);
                for (const auto& message_line : wrap(f.message, kWidth - 6)) line("      " + message_line);
            }
        }
    }

    [[nodiscard]] const std::string& text() const { return out_; }

private:
    TextStyle style_;
    Painter paint_;
    std::string out_;
};

}  // namespace

std::string render_table(const model::Plan& plan, const TextStyle& style) {
    TableWriter w(style);
    w.line(Painter(style.color).header(plan.source.path.empty() ? "Certificate plan" : "Certificate plan for " + clean(plan.source.path)));
    w.line();
    if (plan.certificates.empty()) {
        w.line("No certificates.");
        w.line();
    }
    for (const auto& c : plan.certificates) {
        w.certificate(c);
        w.line();
    }
    w.dns(plan.dns);
    w.line();
    w.findings(plan.findings);
    w.line();

    w.line(summary_line(plan));
    return w.text();
}

}  // namespace certtool::report
