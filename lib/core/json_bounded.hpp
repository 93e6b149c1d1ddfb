// JSON documents from outside (an audit report given to renew or script):
// parsed with limits on nesting and on the number of values, checked while
// parsing, so that a hostile file is refused before it is built in memory
// (a 64 MB file of "[]," would otherwise take gigabytes). The topology
// loader has its own, stricter parser (lib/topology/load.cpp).
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace certtool {

struct JsonLimits {
    int max_depth = 64;                 // arrays and objects nested at most this deep
    std::size_t max_values = 1'000'000; // values of any kind, keys not counted
};

struct BoundedJson {
    nlohmann::json document;  // null unless ok
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

}  // namespace certtool
