// parse_json_bounded: JSON from outside is refused at its limits while parsing.
#include <catch2/catch.hpp>
#include <string>

#include "core/json_bounded.hpp"

using certtool::JsonLimits;
using certtool::parse_json_bounded;

TEST_CASE("json bounded: a document within the limits parses", "[json]") {
    const auto r = parse_json_bounded(R"({"schema": "x", "list": [1, 2, {"a": null}]})");
    REQUIRE(r.ok);
    CHECK(r.problem.empty());
    CHECK(r.document["list"][2].contains("a"));
}

TEST_CASE("json bounded: nesting deeper than the limit is refused, at the limit accepted", "[json]") {
    const JsonLimits limits{8, 1000};
    CHECK(parse_json_bounded(std::string(8, '[') + std::string(8, ']'), limits).ok);
    const auto deep = parse_json_bounded(std::string(9, '[') + std::string(9, ']'), limits);
    CHECK_FALSE(deep.ok);
    CHECK_FALSE(deep.syntax_error);
    CHECK(deep.problem == "is nested more than 8 levels deep");
    CHECK(deep.document.is_null());
    // 100,000 levels, unclosed: refused at level 64 by default, no stack exhaustion.
    const auto hostile = parse_json_bounded(std::string(100'000, '['));
    CHECK(hostile.problem == "is nested more than 64 levels deep");
}

TEST_CASE("json bounded: more values than the limit are refused before they are built", "[json]") {
    std::string wide = "[";
    for (int i = 0; i < 2000; ++i) wide += "[],";
    wide += "0]";
    const auto r = parse_json_bounded(wide, JsonLimits{64, 1000});
    CHECK_FALSE(r.ok);
    CHECK(r.problem == "has more than 1000 values");
    CHECK(parse_json_bounded(wide, JsonLimits{64, 5000}).ok);
}

TEST_CASE("json bounded: a syntax error says where, a huge number is an error too", "[json]") {
    const auto r = parse_json_bounded("{\n  \"a\": 1,\n  \"b\": }");
    CHECK_FALSE(r.ok);
    CHECK(r.syntax_error);
    CHECK(r.line == 3);
    CHECK(r.column > 1);
    CHECK(r.problem.rfind("is not valid (", 0) == 0);
    const auto big = parse_json_bounded("[1e400]");
    CHECK_FALSE(big.ok);
    CHECK(big.syntax_error);
    CHECK_FALSE(parse_json_bounded("").ok);
}
