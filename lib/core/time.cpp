#include "core/time.hpp"

#include <algorithm>
#include <ctime>
#include <string_view>

namespace certtool {

TimePoint time_point_of(std::time_t seconds) {
    constexpr std::time_t kEarliest = -631152000;  // 1950-01-01T00:00:00Z
    constexpr std::time_t kLatest = 7258118400;    // 2200-01-01T00:00:00Z
    return std::chrono::system_clock::from_time_t(std::clamp(seconds, kEarliest, kLatest));
}

namespace {

// A cursor over the text of a time: each read takes what it names or fails.
struct Reader {
    std::string_view rest;

    // `min_digits` to `max_digits` decimal digits, as a number.
    std::optional<int> number(std::size_t min_digits, std::size_t max_digits) {
        std::size_t n = 0;
        int value = 0;
        while (n < max_digits && n < rest.size() && rest[n] >= '0' && rest[n] <= '9') value = value * 10 + (rest[n++] - '0');
        if (n < min_digits) return std::nullopt;
        rest.remove_prefix(n);
        return value;
    }
    // One or more digits, whatever their number (a fraction of a second).
    bool digits() {
        std::size_t n = 0;
        while (n < rest.size() && rest[n] >= '0' && rest[n] <= '9') ++n;
        rest.remove_prefix(n);
        return n > 0;
    }
    bool take(char c) {
        if (rest.empty() || rest.front() != c) return false;
        rest.remove_prefix(1);
        return true;
    }
    bool take_any(std::string_view chars) {
        if (rest.empty() || chars.find(rest.front()) == std::string_view::npos) return false;
        rest.remove_prefix(1);
        return true;
    }
};

bool leap(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int days_in_month(int year, int month) {
    static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return month == 2 && leap(year) ? 29 : kDays[month - 1];
}

// The zone after a time: "" (UTC), "Z", or +/-HH[[:]MM]; seconds east of UTC.
std::optional<long> zone_offset(Reader& r) {
    if (r.rest.empty() || r.take_any("Zz")) return 0L;
    const bool east = r.rest.front() == '+';
    if (!r.take_any("+-")) return std::nullopt;
    const auto hours = r.number(2, 2);
    if (!hours || *hours > 23) return std::nullopt;
    int minutes = 0;
    if (!r.rest.empty()) {
        r.take(':');
        const auto m = r.number(2, 2);
        if (!m || *m > 59) return std::nullopt;
        minutes = *m;
    }
    const long seconds = *hours * 3600L + minutes * 60L;
    return east ? seconds : -seconds;
}

}  // namespace

std::optional<TimePoint> parse_utc(const std::string& text) {
    // A one- or two-digit month, day, hour, minute or second, as strptime read
    // them before this parser.
    Reader r{text};
    std::tm tm{};
    const auto year = r.number(4, 4);
    if (!year || !r.take('-')) return std::nullopt;
    const auto month = r.number(1, 2);
    if (!month || *month < 1 || *month > 12 || !r.take('-')) return std::nullopt;
    const auto day = r.number(1, 2);
    if (!day || *day < 1 || *day > days_in_month(*year, *month)) return std::nullopt;
    tm.tm_year = *year - 1900;
    tm.tm_mon = *month - 1;
    tm.tm_mday = *day;
    if (r.take_any("Tt ")) {
        const auto hour = r.number(1, 2);
        if (!hour || *hour > 23 || !r.take(':')) return std::nullopt;
        const auto minute = r.number(1, 2);
        if (!minute || *minute > 59 || !r.take(':')) return std::nullopt;
        const auto second = r.number(1, 2);
        if (!second || *second > 60) return std::nullopt;  // 60: a leap second
        tm.tm_hour = *hour;
        tm.tm_min = *minute;
        tm.tm_sec = *second;
        if (r.take('.') && !r.digits()) return std::nullopt;
    }
    // A date alone may carry a zone too ("2026-11-23Z" was read as midnight UTC).
    const auto zone = zone_offset(r);
    if (!zone || !r.rest.empty()) return std::nullopt;
    return time_point_of(::timegm(&tm) - *zone);
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

std::string format_stamp(TimePoint t) { return format(t, "%Y%m%dT%H%M%SZ"); }

long whole_days_left(TimePoint at, TimePoint until) {
    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(until - at).count();
    return static_cast<long>(seconds >= 0 ? seconds / 86400 : -((-seconds + 86399) / 86400));
}

}  // namespace certtool
