// certtool renew: which certificates are due, and what changes in their names.
#include <algorithm>
#include <cctype>
#include <set>

#include "model/lifetime.hpp"
#include "renew/renew.hpp"

namespace certtool::renew {

namespace {

constexpr long kMaxWithinHours = 3650L * 24;

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

void add_once(std::vector<std::string>& list, const std::string& item) {
    if (std::find(list.begin(), list.end(), item) == list.end()) list.push_back(item);
}

std::vector<std::string> plan_names(const model::CertificateRequirement& r) {
    std::vector<std::string> out;
    for (const auto& san : r.sans) out.push_back(san.name);
    return out;
}

// Items of `from` not in `other` (case-insensitive), in the order of `from`.
std::vector<std::string> difference(const std::vector<std::string>& from, const std::vector<std::string>& other) {
    std::set<std::string> have;
    for (const auto& s : other) have.insert(lower(s));
    std::vector<std::string> out;
    for (const auto& s : from)
        if (have.count(lower(s)) == 0) add_once(out, s);
    return out;
}

Window window_for(const CurrentCertificate& h, const model::CertificateRequirement& r, const Options& options) {
    using std::chrono::seconds;
    if (options.within) return {std::chrono::duration_cast<seconds>(*options.within), "--within"};
    if (h.not_before && *h.not_before < h.not_after)
        return {model::renewal_window(*h.not_before, h.not_after, r.roll_lead_hours),
                model::renewal_window_reason(*h.not_before, h.not_after, r.roll_lead_hours)};
    const auto lead = std::chrono::duration_cast<seconds>(std::chrono::hours(r.roll_lead_hours));
    const auto fallback = std::chrono::duration_cast<seconds>(kUnknownLifetimeWindow);
    return {std::max(lead, fallback), "30 days: the inventory does not give its notBefore"};
}

}  // namespace

std::optional<std::chrono::hours> parse_within(const std::string& text) {
    std::size_t digits = 0;
    while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits])) != 0) ++digits;
    if (digits == 0 || digits > 7) return std::nullopt;
    const std::string unit = text.substr(digits);
    long factor = 0;
    if (unit.empty() || unit == "d") factor = 24;
    else if (unit == "h") factor = 1;
    else if (unit == "w") factor = 7 * 24;
    else return std::nullopt;
    const long hours = std::stol(text.substr(0, digits)) * factor;
    if (hours > kMaxWithinHours) return std::nullopt;
    return std::chrono::hours(hours);
}

Decisions decide(const model::Plan& plan, const Inventory& inventory, const Options& options) {
    Decisions out;
    out.at = options.at;
    out.within = options.within;
    for (const auto& r : plan.certificates) {
        Decision d;
        d.id = r.id;
        const auto current = inventory.current.find(r.id);
        if (current == inventory.current.end()) {
            d.reasons.push_back("missing");
            d.names_added = plan_names(r);
            out.due.push_back(std::move(d));
            continue;
        }
        const CurrentCertificate& h = current->second;
        d.old = OldCertificate{h, whole_days_left(options.at, h.not_after)};
        d.window = window_for(h, r, options);
        if (h.not_after <= options.at)
            d.reasons.push_back("expired");
        else if (h.not_after - options.at <= d.window->length)
            d.reasons.push_back("expiring");
        for (const auto& code : h.error_codes) add_once(d.reasons, code);
        d.names_added = difference(plan_names(r), h.sans);
        d.names_removed = difference(h.sans, plan_names(r));
        (d.due() ? out.due : out.not_due).push_back(std::move(d));
    }
    for (const auto& i : inventory.ignored)
        if (i.id.empty() || i.reason == "not-in-plan" || plan.find(i.id) != nullptr) out.ignored.push_back(i);
    return out;
}

}  // namespace certtool::renew
