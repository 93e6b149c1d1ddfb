// JSON documents from outside, parsed within limits checked while parsing, so
// that a hostile file is refused before it is built in memory (a 64 MB file of
// "[]," would otherwise take gigabytes). Two readings: bounded (nesting and
// the number of values: an audit report given to renew or script), and strict
// (nesting, and a key twice in one object, which a parser would silently
// resolve: the topology, where a typo must not go unseen).
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace certtool {

struct JsonLimits {
    int max_depth = 64;                 // arrays and objects nested at most this deep
    std::size_t max_values = 1'000'000; // values of any kind, keys not counted
};

struct BoundedJson {
    nlohmann::ordered_json document;  // null unless ok
    bool ok = false;
    bool syntax_error = false;  // when not ok: bad syntax, rather than a limit reached
    // When not ok, what is wrong, to follow "its JSON ": "is not valid (...)",
    // "is nested more than 64 levels deep", "has more than 1000000 values";
    // and where, when known (1-based line and column; 0 when not).
    std::string problem;
    int line = 0;
    int column = 0;
};

// Never throws for bad input (only std::bad_alloc).
BoundedJson parse_json_bounded(std::string_view text, const JsonLimits& limits = {});

struct StrictJson {
    nlohmann::ordered_json document;  // null unless ok
    bool ok = false;
    // Every key given twice in one object: the JSON Pointer of the second, and
    // the key; in the order they appear, also when the parse failed after them.
    std::vector<std::pair<std::string, std::string>> duplicate_keys;
    // When not ok: too_deep (nested more than the limit; too_deep_at is where),
    // or bad syntax (syntax_problem says what, without nlohmann's prefix; line
    // and column 1-based, 0 when nlohmann gives no position, as for 1e400).
    bool too_deep = false;
    std::string too_deep_at;
    std::string syntax_problem;
    int line = 0;
    int column = 0;
};

// Never throws for bad input (only std::bad_alloc).
StrictJson parse_json_strict(std::string_view text, std::size_t max_depth = 64);

}  // namespace certtool
