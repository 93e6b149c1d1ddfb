// Renderings of `certtool verify`: a table for people (PASS/FAIL per file, its
// subject, SANs, expiry and findings) and the certtool.verify/v1 JSON.
#pragma once

#include <iosfwd>
#include <vector>

#include "check/check.hpp"
#include "core/time.hpp"

namespace certtool::report {

inline constexpr const char* kVerifySchema = "certtool.verify/v1";

// `at` is the check time: days left are counted from it. `general` holds the
// findings about the run rather than one file (plan.has-errors): listed before
// the summary line, and as "findings" in JSON.
void render_verify_table(const std::vector<check::Verdict>& verdicts, const std::vector<model::Finding>& general, TimePoint at,
                         bool color, std::ostream& out);
void render_verify_json(const std::vector<check::Verdict>& verdicts, const std::vector<model::Finding>& general, TimePoint at,
                        std::ostream& out);

// "3 SANs (IP 192.0.2.7, 2001:db8::1)": every entry counted, the addresses shown
// (a few: the DNS names are many on a Lync certificate, the addresses rare).
std::string sans_summary(const crypto::Certificate& certificate);

}  // namespace certtool::report
