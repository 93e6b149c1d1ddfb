// Times as admins type them (--at) and as tools write them (ISO 8601 with a
// fraction and an offset, as x509-limbo's validation times are written).
#include <catch2/catch.hpp>

#include <sstream>
#include <string>
#include <vector>

#include "cli.hpp"
#include "core/time.hpp"

using certtool::parse_utc;

namespace {

std::string iso(const std::string& text) {
    const auto t = parse_utc(text);
    return t ? certtool::format_datetime(*t) : "refused";
}

}  // namespace

TEST_CASE("time: --at keeps reading the forms it always read", "[time]") {
    CHECK(iso("2026-11-23") == "2026-11-23T00:00:00Z");
    CHECK(iso("2026-11-23T12:00:00") == "2026-11-23T12:00:00Z");
    CHECK(iso("2026-11-23T12:00:00Z") == "2026-11-23T12:00:00Z");
    CHECK(iso("2026-11-23T12:00:00+00:00") == "2026-11-23T12:00:00Z");
    CHECK(iso("2026-11-23Z") == "2026-11-23T00:00:00Z");
    CHECK(iso("2026-1-5T8:05:09") == "2026-01-05T08:05:09Z");
    CHECK(iso("2024-02-29") == "2024-02-29T00:00:00Z");
}

TEST_CASE("time: ISO 8601 with fractional seconds and a UTC offset is read (x509-limbo's validation times)", "[time]") {
    CHECK(iso("2024-04-01T00:00:00.005+00:00") == "2024-04-01T00:00:00Z");
    // Certificate times count whole seconds: a fraction never reaches the next one.
    CHECK(parse_utc("2024-03-01T00:00:00.999+00:00") == parse_utc("2024-03-01T00:00:00Z"));
    CHECK(iso("2024-03-01T00:00:00.123456789123456789123Z") == "2024-03-01T00:00:00Z");
    CHECK(iso("2026-11-23T14:00:00+02:00") == "2026-11-23T12:00:00Z");
    CHECK(iso("2026-11-23T14:00:00+0200") == "2026-11-23T12:00:00Z");
    CHECK(iso("2026-11-23T14:00:00+02") == "2026-11-23T12:00:00Z");
    CHECK(iso("2026-11-23T06:30:00-05:30") == "2026-11-23T12:00:00Z");
    CHECK(iso("2026-12-31T23:30:00-01:00") == "2027-01-01T00:30:00Z");
    CHECK(iso("2026-11-23 12:00:00z") == "2026-11-23T12:00:00Z");
    CHECK(iso("2026-11-23t12:00:00.5Z") == "2026-11-23T12:00:00Z");
}

TEST_CASE("time: --at refuses what is not a time, impossible dates included", "[time]") {
    for (const std::string text :
         {"", "now", "2026-11", "2026-11-23T12:00", "2026-11-23T12:00:00.", "2026-11-23T12:00:00+2:00",
          "2026-11-23T12:00:00+02:60", "2026-11-23T12:00:00+24:00", "2026-11-23T24:00:00", "2026-11-23T12:60:00",
          "2026-02-30", "2023-02-29", "2026-13-01", "2026-00-10", "2026-11-00", "2026-11-23T12:00:00Zjunk",
          "2026-11-23T12:00:00 Z", "26-11-23", "2026/11/23", "2026-11-23T12:00:00.5.5Z"}) {
        INFO(text);
        CHECK(iso(text) == "refused");
    }
}

TEST_CASE("time: verify, audit, renew and script read --at with that one parser", "[time][cli]") {
    auto run = [](std::vector<std::string> args) {
        std::ostringstream out, err;
        certtool::cli::Terminal term{out, err, false, false, false};
        const int code = certtool::cli::run(args, term);
        return std::to_string(code) + " " + err.str();
    };
    const std::string topology = std::string(CERTTOOL_SOURCE_DIR) + "/tests/topologies/good/contract-example.json";
    const std::string missing = "/nonexistent/certtool-test";
    const std::vector<std::vector<std::string>> verbs = {
        {"verify", missing, "--name", "sip.contoso.com"},
        {"audit", topology, "--files", missing},
        {"renew", topology, "--inventory", missing, "--dry-run"},
        {"script", topology, "--pfx", missing, "--out", missing},
    };
    for (auto args : verbs) {
        INFO(args[0]);
        args.insert(args.end(), {"--at", "2024-04-01T00:00:00.005+00:00"});
        const std::string read = run(args);
        CHECK(read.find("[usage.at]") == std::string::npos);  // it goes on to the missing file
        args.back() = "2026-02-30";
        const std::string refused = run(args);
        CHECK(refused.rfind("2 ", 0) == 0);
        CHECK(refused.find("[usage.at]") != std::string::npos);
    }
}
