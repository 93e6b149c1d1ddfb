#include "monitoring_formats.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <regex>
#include <set>
#include <sstream>

namespace certtool::test {

std::string check_nagios_output(const std::string& text) {
    REQUIRE_FALSE(text.empty());
    CHECK(text.back() == '\n');
    const auto first = text.substr(0, text.find('\n'));
    INFO(first);
    static const std::regex summary(R"(CERTTOOL (OK|WARNING|CRITICAL|UNKNOWN) - [^|]+)");
    const auto bar = first.find(" | ");
    std::smatch m;
    const std::string head = first.substr(0, bar);
    REQUIRE(std::regex_match(head, m, summary));
    const std::string state = m[1];
    CHECK(text.find('|', first.size()) == std::string::npos);  // long output: no perfdata there
    if (bar == std::string::npos) {
        CHECK(state == "UNKNOWN");  // only a run that could not check anything has no perfdata
        return state;
    }
    CHECK(first.find('|', bar + 3) == std::string::npos);
    static const std::regex item(R"(('[^'=]+'|[^' =]+)=-?[0-9]+(\.[0-9]+)?(s|%|B|c)?(;(@?(-?[0-9]+|~)?:?(-?[0-9]+)?)?){0,4})");
    std::istringstream items(first.substr(bar + 3));
    std::string token, pending;
    std::size_t count = 0;
    // Labels are quoted and may hold spaces: rebuild items split at spaces.
    while (items >> token) {
        pending += (pending.empty() ? "" : " ") + token;
        if (std::count(pending.begin(), pending.end(), '\'') % 2 != 0) continue;
        INFO(pending);
        CHECK(std::regex_match(pending, item));
        pending.clear();
        ++count;
    }
    CHECK(pending.empty());
    CHECK(count >= 2);
    return state;
}

void check_prometheus_text(const std::string& text) {
    std::istringstream lines(text);
    static const std::regex sample(R"(([a-z_]+)(\{([a-z_0-9]+="([^"\\]|\\.)*",?)*\})? -?[0-9]+)");
    static const std::regex type(R"(# TYPE ([a-z_]+) gauge)");
    static const std::regex help(R"(# HELP ([a-z_]+) [^\n]+)");
    std::string family;
    std::set<std::string> families, samples;
    for (std::string line; std::getline(lines, line);) {
        INFO(line);
        std::smatch m;
        if (std::regex_match(line, m, help)) continue;
        if (std::regex_match(line, m, type)) {
            family = m[1];
            CHECK(families.insert(family).second);
            continue;
        }
        REQUIRE(std::regex_match(line, m, sample));
        CHECK(m[1] == family);
        CHECK(samples.insert(line.substr(0, line.rfind(' '))).second);
    }
}

}  // namespace certtool::test
