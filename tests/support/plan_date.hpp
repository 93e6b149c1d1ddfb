// The date the tests build plans for: a fixed day, so that a plan's public-CA
// lifetime (model/lifetime.hpp) does not change with the day the tests run.
// 2026-12-01 is under the 200-day maximum of 2026-03-15.
#pragma once

#include <chrono>
#include <string>

#include "core/time.hpp"

namespace certtool::test {

inline TimePoint plan_date() { return *parse_utc("2026-12-01"); }

// An --at value `days` from now (ISO 8601, UTC), for checks of certificates the
// test CA issued today.
inline std::string days_from_now(int days) {
    return format_datetime(std::chrono::system_clock::now() + std::chrono::hours(24 * days));
}

}  // namespace certtool::test
