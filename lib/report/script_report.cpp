#include "report/script_report.hpp"

#include <algorithm>
#include <ostream>

#include "report/text.hpp"

namespace certtool::report {

void render_script_table(const script::Result& result, const std::vector<std::string>& notes,
                         const std::vector<std::string>& written, std::ostream& out) {
    struct Row {
        std::string member, id, thumbprint, usages, assignment;
    };
    std::vector<Row> rows;
    for (const auto& inst : result.installations) {
        if (inst.commands.empty()) rows.push_back({inst.member, inst.certificate_id, inst.thumbprint, "-", "import only"});
        for (const auto& c : inst.commands) {
            std::string usages;
            for (const auto& t : c.types) usages += (usages.empty() ? "" : ",") + t;
            if (c.global) usages += " (global)";
            rows.push_back({inst.member, inst.certificate_id, inst.thumbprint, usages, script::assignment_text(c)});
        }
    }
    // Grouped by member, in the order members first appear in the plan.
    const auto members = result.members();
    std::stable_sort(rows.begin(), rows.end(), [&](const Row& a, const Row& b) {
        return std::find(members.begin(), members.end(), a.member) < std::find(members.begin(), members.end(), b.member);
    });
    const Row heading{"MEMBER", "CERTIFICATE", "THUMBPRINT", "USAGES", "ASSIGNMENT"};
    std::size_t w[4] = {heading.member.size(), heading.id.size(), heading.thumbprint.size(), heading.usages.size()};
    for (const auto& r : rows) {
        w[0] = std::max(w[0], r.member.size());
        w[1] = std::max(w[1], r.id.size());
        w[2] = std::max(w[2], r.thumbprint.size());
        w[3] = std::max(w[3], r.usages.size());
    }
    const auto line = [&](const Row& r) {
        out << text::pad(r.member, w[0]) << "  " << text::pad(r.id, w[1]) << "  " << text::pad(r.thumbprint, w[2]) << "  "
            << text::pad(r.usages, w[3]) << "  " << r.assignment << "\n";
    };
    line(heading);
    for (const auto& r : rows) line(r);
    if (!result.skipped.empty()) {
        out << "\nnot scripted:\n";
        for (const auto& s : result.skipped) out << "  " << s.certificate_id << ": " << s.reason << "\n";
    }
    if (!notes.empty()) {
        out << "\nnotes:\n";
        for (const auto& n : notes) out << "  " << n << "\n";
    }
    out << "\nwritten:\n";
    for (const auto& path : written) out << "  " << path << "\n";
}

}  // namespace certtool::report
