#include "core/time.hpp"

#include <algorithm>
#include <ctime>

namespace certtool {

TimePoint time_point_of(std::time_t seconds) {
    constexpr std::time_t kEarliest = -631152000;  // 1950-01-01T00:00:00Z
    constexpr std::time_t kLatest = 7258118400;    // 2200-01-01T00:00:00Z
    return std::chrono::system_clock::from_time_t(std::clamp(seconds, kEarliest, kLatest));
}

std::optional<TimePoint> parse_utc(const std::string& text) {
    std::tm tm{};
    const char* end = ::strptime(text.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
    if (end == nullptr) {
        tm = {};
        end = ::strptime(text.c_str(), "%Y-%m-%d", &tm);
    }
    if (end == nullptr) return std::nullopt;
    const std::string rest(end);
    if (!(rest.empty() || rest == "Z" || rest == "+00:00")) return std::nullopt;
    return time_point_of(::timegm(&tm));
}

namespace {
std::string format(TimePoint t, const char* pattern) {
    const std::time_t tt = std::chrono::system_clock::to_time_t(t);
    std::tm tm{};
    ::gmtime_r(&tt, &tm);
    char text[40];
    std::strftime(text, sizeof text, pattern, &tm);
    return text;
}
}  // namespace

std::string format_date(TimePoint t) { return format(t, "%Y-%m-%d"); }
std::string format_datetime(TimePoint t) { return format(t, "%Y-%m-%dT%H:%M:%SZ"); }

long whole_days_left(TimePoint at, TimePoint until) {
    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(until - at).count();
    return static_cast<long>(seconds >= 0 ? seconds / 86400 : -((-seconds + 86399) / 86400));
}

}  // namespace certtool
