#include "core/json_bounded.hpp"

#include <tuple>
#include <utility>

namespace certtool {

namespace {

struct LimitReached {
    std::string problem;
};

std::pair<int, int> line_column(std::string_view text, std::size_t byte) {
    int line = 1;
    int column = 1;
    for (std::size_t i = 0; i < byte && i < text.size(); ++i) {
        if (text[i] == '\n') {
            ++line;
            column = 1;
        } else {
            ++column;
        }
    }
    return {line, column};
}

}  // namespace

BoundedJson parse_json_bounded(std::string_view text, const JsonLimits& limits) {
    using Event = nlohmann::json::parse_event_t;
    BoundedJson out;
    std::size_t values = 0;
    auto callback = [&](int depth, Event event, nlohmann::json&) {
        if ((event == Event::object_start || event == Event::array_start) && depth >= limits.max_depth)
            throw LimitReached{"is nested more than " + std::to_string(limits.max_depth) + " levels deep"};
        if ((event == Event::value || event == Event::object_start || event == Event::array_start) &&
            ++values > limits.max_values)
            throw LimitReached{"has more than " + std::to_string(limits.max_values) + " values"};
        return true;
    };
    try {
        out.document = nlohmann::json::parse(text.begin(), text.end(), callback);
        out.ok = true;
    } catch (const LimitReached& e) {
        out.problem = e.problem;
    } catch (const nlohmann::json::parse_error& e) {
        out.syntax_error = true;
        out.problem = std::string("is not valid (") + e.what() + ")";
        std::tie(out.line, out.column) = line_column(text, e.byte == 0 ? 0 : e.byte - 1);
    } catch (const nlohmann::json::exception& e) {
        // A number too large for a double ("1e400") is reported without a position.
        out.syntax_error = true;
        out.problem = std::string("is not valid (") + e.what() + ")";
    }
    if (!out.ok) out.document = nullptr;
    return out;
}

}  // namespace certtool
