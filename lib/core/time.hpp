// UTC times as admins type them (--at) and as reports print them.
#pragma once

#include <chrono>
#include <ctime>
#include <optional>
#include <string>

namespace certtool {

using TimePoint = std::chrono::system_clock::time_point;

// A TimePoint counts nanoseconds in 64 bits (years 1677 to 2262), and the
// difference of two of them must fit too. Times from outside (certificates
// "valid forever" say 9999-12-31, GeneralizedTime allows year 0, a user may type
// any year) are clamped to 1950-01-01 .. 2200-01-01 UTC, which keeps every sum
// and difference certtool computes in range.
TimePoint time_point_of(std::time_t seconds);

// ISO 8601 / RFC 3339 as admins and tools write it: "2026-11-23" (midnight
// UTC), or "2026-11-23T12:00:00" ('T' or a space) with optional fractional
// seconds (".005") and an optional zone: "Z", or an offset "+02:00" ("+0200",
// "+02") that is subtracted to give UTC; no zone means UTC. Fractional seconds
// are dropped: certificate times count whole seconds (RFC 5280 4.1.2.5), so
// 00:00:00.999 is still the second 00:00:00. nullopt for anything else,
// impossible dates (February 30) included. Clamped like time_point_of. The one
// reader of --at for every verb, and of the times in certtool's own JSON.
std::optional<TimePoint> parse_utc(const std::string& text);

std::string format_date(TimePoint t);      // "2026-11-23"
std::string format_datetime(TimePoint t);  // "2026-11-23T12:00:00Z"
std::string format_stamp(TimePoint t);     // "20261123T120000Z": for file names (<file>.replaced-<stamp>)

// The days left at `at` until `until` (a certificate's expiry), in whole days
// rounded towards negative infinity: in 6 hours is 0, 6 hours ago is -1,
// 367.5 days ago is -368. Rounding down keeps the sign meaningful (negative
// exactly when `until` has passed; truncation would call both 6 hours ago and
// in 6 hours 0) and is what certtool.audit/v1 and certtool.renew/v1 `days_left`
// have always held. Every count of days certtool shows comes from here, so
// "(-368d)", "expired 368 days" and days_left agree for one certificate.
long whole_days_left(TimePoint at, TimePoint until);

}  // namespace certtool
