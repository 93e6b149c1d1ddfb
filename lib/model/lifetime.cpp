// The lifetime facts of issue 14, in one place: BR 6.3.2's table, the -Roll
// lead times (rules 3.3) and the renewal window they give.
#include "model/lifetime.hpp"

#include <algorithm>

#include "core/plural.hpp"
#include "model/builder.hpp"


namespace certtool::model {

namespace {

using std::chrono::March;
using std::chrono::sys_days;
using std::chrono::year;

constexpr const char* kBallot = "CA/B Forum baseline requirements 6.3.2, ballot SC-081v3";

// Days of a lifetime for messages, to the nearest whole day (a CA's "47 days"
// is often 47 days less a second).
long lifetime_days(TimePoint not_before, TimePoint not_after) {
    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(not_after - not_before).count();
    return std::max<long>(0, static_cast<long>((seconds + 43200) / 86400));
}

}  // namespace

const std::vector<LifetimeLimit>& public_lifetime_limits() {
    static const std::vector<LifetimeLimit> limits = {
        {std::nullopt, 398, kBallot},
        {sys_days{year{2026} / March / 15}, 200, kBallot},
        {sys_days{year{2027} / March / 15}, 100, kBallot},
        {sys_days{year{2029} / March / 15}, 47, kBallot},
    };
    return limits;
}

const LifetimeLimit& public_lifetime_limit(TimePoint at) {
    const auto& limits = public_lifetime_limits();
    const LifetimeLimit* found = &limits.front();
    for (const auto& limit : limits)
        if (limit.from && at >= TimePoint(*limit.from)) found = &limit;
    return *found;
}

std::string applies_from(const LifetimeLimit& limit) {
    return limit.from ? format_date(TimePoint(*limit.from)) : "";
}

std::string applies_text(const LifetimeLimit& limit) {
    if (limit.from) return "from " + applies_from(limit);
    const auto& limits = public_lifetime_limits();
    return limits.size() > 1 ? "before " + applies_from(limits[1]) : "";
}

int renewals_per_year(int validity_days) {
    if (validity_days <= 0) return 0;
    return std::max(1, (365 + validity_days - 1) / validity_days);
}

std::chrono::seconds renewal_window(TimePoint not_before, TimePoint not_after, int lead_hours) {
    const auto lifetime = std::chrono::duration_cast<std::chrono::seconds>(not_after - not_before);
    const std::chrono::seconds third = std::max(std::chrono::seconds(0), lifetime / 3);
    return std::max(third, std::chrono::seconds(std::chrono::hours(std::max(0, lead_hours))));
}

std::string renewal_window_reason(TimePoint not_before, TimePoint not_after, int lead_hours) {
    const auto lifetime = std::chrono::duration_cast<std::chrono::seconds>(not_after - not_before);
    if (std::chrono::hours(std::max(0, lead_hours)) > lifetime / 3)
        return "its " + std::to_string(lead_hours) + "-hour -Roll lead time, more than a third of its lifetime";
    return "a third of its " + std::to_string(lifetime_days(not_before, not_after)) + "-day lifetime";
}

namespace detail {

// Each certificate's validity: a public CA's is policy.validity_days capped at
// BR 6.3.2's maximum for `at` (the maximum itself when the topology does not set
// validity_days); an internal CA's is policy.validity_days. A validity_days set
// above the maximum is one warning for the plan, naming the public certificates.
void plan_lifetimes(Builder& builder, TimePoint at) {
    const auto& policy = builder.topology().policy;
    const LifetimeLimit& limit = public_lifetime_limit(at);
    std::vector<std::string> capped;
    for (auto& c : builder.plan().certificates) {
        c.validity_days = policy.validity_days;
        if (c.ca == CaKind::public_ca) {
            c.max_validity_days = limit.max_days;
            c.max_validity_from = applies_from(limit);
            if (!policy.validity_days_set) c.validity_days = limit.max_days;
            if (c.validity_days > limit.max_days) {
                capped.push_back(c.id);
                c.validity_days = limit.max_days;
            }
        }
        c.renewals_per_year = renewals_per_year(c.validity_days);
        c.roll_lead_hours = roll_lead_hours(c.usages);
    }
    if (capped.empty()) return;
    std::string ids;
    for (const auto& id : capped) ids += (ids.empty() ? "" : ", ") + id;
    builder.finding(Severity::warning, "validity-above-maximum",
                    "policy.validity_days " + std::to_string(policy.validity_days) + " is above the " +
                        std::to_string(limit.max_days) + "-day maximum lifetime of a public TLS certificate issued " +
                        applies_text(limit) + " (" + limit.source + "): the CA will not issue more, so " +
                        plural(capped.size(), "public-CA certificate is", "public-CA certificates are") + " planned at " +
                        std::to_string(limit.max_days) + " days (" + ids + ")",
                    "/policy/validity_days");
}

}  // namespace detail

}  // namespace certtool::model
