#include "core/json_bounded.hpp"

#include <set>
#include <tuple>
#include <utility>

#include "core/json_reader.hpp"

namespace certtool {

namespace {

struct LimitReached {
    std::string problem;
};

// 1-based line and column of the 0-based offset `byte` (clamped to the text).
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

// nlohmann reports the byte after the last one it read: the 0-based offset of that one.
std::size_t last_read(std::size_t byte) { return byte == 0 ? 0 : byte - 1; }

// "[json.exception.parse_error.101] parse error at line 1, column 2: syntax error ..." -> "syntax error ..."
std::string syntax_message(const std::string& what) {
    std::size_t at = what.find("column ");
    if (at != std::string::npos) {
        std::size_t colon = what.find(": ", at);
        if (colon != std::string::npos) return what.substr(colon + 2);
    }
    std::size_t bracket = what.find("] ");
    return bracket == std::string::npos ? what : what.substr(bracket + 2);
}

// ---- strict: duplicate keys and nesting depth, seen while parsing ----------

struct TooDeep {
    std::string path;
};

class ParseWatcher {
public:
    using Json = nlohmann::ordered_json;

    ParseWatcher(std::size_t max_depth, std::vector<std::pair<std::string, std::string>>& duplicates)
        : max_depth_(max_depth), duplicates_(duplicates) {}

    bool on_event(Json::parse_event_t event, const Json& parsed) {
        switch (event) {
            case Json::parse_event_t::object_start:
            case Json::parse_event_t::array_start:
                if (frames_.size() >= max_depth_) throw TooDeep{current_path()};
                frames_.push_back(Frame{event == Json::parse_event_t::object_start, {}, {}, 0});
                break;
            case Json::parse_event_t::key:
                if (!frames_.empty() && frames_.back().object) {
                    Frame& frame = frames_.back();
                    frame.key = parsed.is_string() ? parsed.get<std::string>() : std::string();
                    if (!frame.keys.insert(frame.key).second) duplicates_.emplace_back(current_path(), frame.key);
                }
                break;
            case Json::parse_event_t::value:
                advance();
                break;
            case Json::parse_event_t::object_end:
            case Json::parse_event_t::array_end:
                if (!frames_.empty()) frames_.pop_back();
                advance();
                break;
        }
        return true;
    }

private:
    struct Frame {
        bool object;
        std::set<std::string> keys;
        std::string key;
        std::size_t index;
    };

    void advance() {
        if (!frames_.empty() && !frames_.back().object) ++frames_.back().index;
    }

    // The path of the value being read now.
    std::string current_path() const {
        std::string path;
        for (const Frame& frame : frames_)
            path = frame.object ? JsonReader::child(path, frame.key) : JsonReader::child(path, frame.index);
        return path;
    }

    std::size_t max_depth_;
    std::vector<Frame> frames_;
    std::vector<std::pair<std::string, std::string>>& duplicates_;
};

}  // namespace

BoundedJson parse_json_bounded(std::string_view text, const JsonLimits& limits) {
    using Event = nlohmann::ordered_json::parse_event_t;
    BoundedJson out;
    std::size_t values = 0;
    auto callback = [&](int depth, Event event, nlohmann::ordered_json&) {
        if ((event == Event::object_start || event == Event::array_start) && depth >= limits.max_depth)
            throw LimitReached{"is nested more than " + std::to_string(limits.max_depth) + " levels deep"};
        if ((event == Event::value || event == Event::object_start || event == Event::array_start) &&
            ++values > limits.max_values)
            throw LimitReached{"has more than " + std::to_string(limits.max_values) + " values"};
        return true;
    };
    try {
        out.document = nlohmann::ordered_json::parse(text.begin(), text.end(), callback);
        out.ok = true;
    } catch (const LimitReached& e) {
        out.problem = e.problem;
    } catch (const nlohmann::json::parse_error& e) {
        out.syntax_error = true;
        out.problem = std::string("is not valid (") + e.what() + ")";
        std::tie(out.line, out.column) = line_column(text, last_read(e.byte));
    } catch (const nlohmann::json::exception& e) {
        // A number too large for a double ("1e400") is reported without a position.
        out.syntax_error = true;
        out.problem = std::string("is not valid (") + e.what() + ")";
    }
    if (!out.ok) out.document = nullptr;
    return out;
}

StrictJson parse_json_strict(std::string_view text, std::size_t max_depth) {
    using Json = nlohmann::ordered_json;
    StrictJson out;
    ParseWatcher watcher(max_depth, out.duplicate_keys);
    try {
        out.document = Json::parse(
            text.begin(), text.end(), [&](int, Json::parse_event_t event, Json& parsed) { return watcher.on_event(event, parsed); },
            true, false);
        out.ok = true;
    } catch (const TooDeep& deep) {
        out.too_deep = true;
        out.too_deep_at = deep.path;
    } catch (const Json::parse_error& e) {
        out.syntax_problem = syntax_message(e.what());
        std::tie(out.line, out.column) = line_column(text, last_read(e.byte));
    } catch (const Json::out_of_range& e) {
        // A number too large for a double ("1e400"): nlohmann reports it without a position.
        out.syntax_problem = syntax_message(e.what());
    }
    if (!out.ok) out.document = nullptr;
    return out;
}

}  // namespace certtool
