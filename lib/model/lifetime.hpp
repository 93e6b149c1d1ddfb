// How long a certificate lives and how early its successor must be staged:
// the public CAs' maximum lifetime under the CA/Browser Forum baseline
// requirements (ballot SC-081v3, BR 6.3.2), the -Roll lead time of the staged
// Lync usages (rules 3.3), and the renewal window both give (issue 14).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "core/time.hpp"
#include "model/usages.hpp"

namespace certtool::model {

// One row of BR 6.3.2: certificates issued on or after `from` (nullopt: the
// row before the first dated one) live at most `max_days` days.
struct LifetimeLimit {
    std::optional<std::chrono::sys_days> from;
    int max_days = 0;
    const char* source = "";
};

// The rows in date order: before 2026-03-15 398 days; from 2026-03-15 200;
// from 2027-03-15 100; from 2029-03-15 47.
const std::vector<LifetimeLimit>& public_lifetime_limits();

// The row in force for a certificate issued at `at`.
const LifetimeLimit& public_lifetime_limit(TimePoint at);

// "from 2026-03-15" / "before 2026-03-15": when a limit applies, for messages.
std::string applies_text(const LifetimeLimit& limit);
// "2026-03-15", or "" for the undated first row.
std::string applies_from(const LifetimeLimit& limit);

// The -Roll lead times of the usages: model/usages.hpp.

// Renewals a year of a certificate that lives `validity_days`: 365 / validity,
// rounded up (at least 1).
int renewals_per_year(int validity_days);

// How long before its expiry a certificate is due for renewal when no fixed
// window is given: a third of its own lifetime (not_after - not_before), but
// never less than its -Roll lead time.
std::chrono::seconds renewal_window(TimePoint not_before, TimePoint not_after, int lead_hours);

// "a third of its 47-day lifetime" / "its 8-hour -Roll lead time": why
// renewal_window is as long as it is.
std::string renewal_window_reason(TimePoint not_before, TimePoint not_after, int lead_hours);

}  // namespace certtool::model
