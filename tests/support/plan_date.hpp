// The date the tests build plans for: a fixed day, so that a plan's public-CA
// lifetime (model/lifetime.hpp) does not change with the day the tests run.
// 2026-12-01 is under the 200-day maximum of 2026-03-15.
#pragma once

#include "core/time.hpp"

namespace certtool::test {

inline TimePoint plan_date() { return *parse_utc("2026-12-01"); }

}  // namespace certtool::test
