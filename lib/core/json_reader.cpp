#include "core/json_reader.hpp"

#include <algorithm>

#include "core/json_bounded.hpp"

namespace certtool {

namespace {

constexpr std::size_t kMaxDepth = 64;  // deeper nesting is rejected while parsing

// Optimal string alignment distance (a transposition counts as one edit).
std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
    for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
    for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        for (std::size_t j = 1; j <= b.size(); ++j) {
            std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
        }
    }
    return d[a.size()][b.size()];
}

std::string lower_ascii(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

std::string join(std::initializer_list<std::string_view> items, std::string_view separator = ", ") {
    std::string out;
    for (std::string_view item : items) {
        if (!out.empty()) out += separator;
        out += item;
    }
    return out;
}

}  // namespace

JsonReader::JsonReader(std::string file, std::string code_prefix, std::string document, std::size_t max_diagnostics)
    : file_(std::move(file)),
      code_prefix_(std::move(code_prefix)),
      document_(std::move(document)),
      max_diagnostics_(max_diagnostics) {}

std::string JsonReader::code(std::string_view kind) const {
    return one_code_.empty() ? code_prefix_ + "." + std::string(kind) : one_code_;
}

void JsonReader::throw_if_problems() {
    if (!diagnostics_.empty()) throw InputError(std::move(diagnostics_));
}

void JsonReader::error(std::string code, std::string pointer, std::string message, int line, int column) {
    if (diagnostics_.size() > max_diagnostics_) return;
    if (diagnostics_.size() == max_diagnostics_) {
        diagnostics_.push_back(Diagnostic{this->code("too-many-errors"), file_, "", 0, 0,
                                          "more than " + std::to_string(max_diagnostics_) +
                                              " problems; the rest are not listed"});
        return;
    }
    if (!one_code_.empty()) code = one_code_;
    diagnostics_.push_back(Diagnostic{std::move(code), file_, std::move(pointer), line, column, std::move(message)});
}

std::optional<JsonValue> JsonReader::parse(std::string_view text) {
    StrictJson parsed = parse_json_strict(text, kMaxDepth);
    for (const auto& [pointer, key] : parsed.duplicate_keys)
        error(code("duplicate-key"), pointer,
              "key '" + printable(key) + "' appears more than once in the same object (only one value would be used)");
    if (parsed.too_deep) {
        error(code("too-deep"), parsed.too_deep_at,
              "JSON is nested more than " + std::to_string(kMaxDepth) + " levels deep; " + document_ +
                  " never needs that many");
        return std::nullopt;
    }
    if (!parsed.ok) {
        error(code("syntax"), "", "invalid JSON: " + parsed.syntax_problem, parsed.line, parsed.column);
        return std::nullopt;
    }
    return std::move(parsed.document);
}

void JsonReader::type_error(const std::string& pointer, std::string_view expected, const JsonValue& found) {
    error(code("type"), pointer, "expected " + std::string(expected) + ", found " + type_name(found));
}

bool JsonReader::object(const JsonValue& value, const std::string& pointer, Keys allowed) {
    if (!value.is_object()) {
        type_error(pointer, "an object", value);
        return false;
    }
    for (const auto& item : value.items()) {
        const std::string& key = item.key();
        if (key.rfind("x-", 0) == 0) continue;
        if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
        unknown_field(pointer, key, allowed);
    }
    return true;
}

void JsonReader::unknown_field(const std::string& pointer, const std::string& key, Keys allowed) {
    std::string best;
    std::size_t best_distance = 3;
    std::string lowered = lower_ascii(key);
    for (std::string_view candidate : allowed) {
        std::size_t distance = edit_distance(lowered, candidate);
        if (distance < best_distance) {
            best_distance = distance;
            best = std::string(candidate);
        }
    }
    std::string message = "unknown field '" + printable(key) + "'";
    if (!best.empty() && best_distance <= 2 && best_distance <= std::max<std::size_t>(1, key.size() / 2)) {
        message += " (did you mean '" + best + "'?)";
    } else {
        message += "; expected one of: " + join(allowed) + " (fields starting with 'x-' are ignored)";
    }
    error(code("unknown-field"), child(pointer, key), message);
}

const JsonValue* JsonReader::get(const JsonValue& obj, std::string_view key, const std::string& pointer, bool required) {
    if (obj.is_object()) {
        auto it = obj.find(std::string(key));
        if (it != obj.end()) return &*it;
    }
    if (required && obj.is_object())
        error(code("missing-field"), child(pointer, key), "required field '" + std::string(key) + "' is missing");
    return nullptr;
}

std::optional<std::string> JsonReader::string_field(const JsonValue& obj, std::string_view key, const std::string& pointer,
                                                    bool required) {
    const JsonValue* value = get(obj, key, pointer, required);
    if (!value) return std::nullopt;
    if (!value->is_string()) {
        type_error(child(pointer, key), "a string", *value);
        return std::nullopt;
    }
    return value->get<std::string>();
}

void JsonReader::boolean_field(const JsonValue& obj, std::string_view key, const std::string& pointer, bool& out) {
    const JsonValue* value = get(obj, key, pointer, false);
    if (!value) return;
    if (!value->is_boolean()) {
        type_error(child(pointer, key), "a boolean (true or false)", *value);
        return;
    }
    out = value->get<bool>();
}

std::optional<int> JsonReader::integer_field(const JsonValue& obj, std::string_view key, const std::string& pointer,
                                             long long min, long long max) {
    const JsonValue* value = get(obj, key, pointer, false);
    if (!value) return std::nullopt;
    const std::string at = child(pointer, key);
    if (!value->is_number_integer()) {  // true for signed and unsigned integers
        type_error(at, "an integer", *value);
        return std::nullopt;
    }
    bool in_range = false;
    long long number = 0;
    if (value->is_number_unsigned()) {
        auto u = value->get<unsigned long long>();
        in_range = u <= static_cast<unsigned long long>(max) && static_cast<long long>(u) >= min;
        number = in_range ? static_cast<long long>(u) : max;
    } else {
        number = value->get<long long>();
        in_range = number >= min && number <= max;
    }
    if (!in_range) {
        error(code("out-of-range"), at,
              "'" + std::string(key) + "' is " + value->dump() + " (expected " + std::to_string(min) + " to " +
                  std::to_string(max) + ")");
        return std::nullopt;
    }
    return static_cast<int>(number);
}

void JsonReader::invalid_choice(const std::string& at, std::string_view key, const std::string& text,
                                const std::string& allowed) {
    error(code("invalid-value"), at,
          "'" + printable(text) + "' is not a valid value for '" + std::string(key) + "' (allowed: " + allowed + ")");
}

const JsonValue* JsonReader::array_field(const JsonValue& obj, std::string_view key, const std::string& pointer,
                                         bool required, bool non_empty, const std::string& empty_code, std::string_view what) {
    const JsonValue* value = get(obj, key, pointer, required);
    if (!value) return nullptr;
    if (!value->is_array()) {
        type_error(child(pointer, key), "an array", *value);
        return nullptr;
    }
    if (non_empty && value->empty()) {
        error(empty_code, child(pointer, key), "'" + std::string(key) + "' is empty; " + std::string(what));
        return nullptr;
    }
    return value;
}

std::string JsonReader::child(const std::string& pointer, std::string_view key) {
    std::string out = pointer + "/";
    out.reserve(out.size() + key.size());
    for (char c : key) {
        if (c == '~') out += "~0";
        else if (c == '/') out += "~1";
        else out += c;
    }
    return out;
}

std::string JsonReader::child(const std::string& pointer, std::size_t index) { return pointer + "/" + std::to_string(index); }

std::string JsonReader::printable(std::string_view text) {
    std::string out;
    std::size_t limit = 80;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (i == limit) {
            out += "...";
            break;
        }
        auto u = static_cast<unsigned char>(text[i]);
        if (u < 0x20 || u == 0x7f) {
            static const char* hex = "0123456789abcdef";
            out += "\\x";
            out += hex[u >> 4];
            out += hex[u & 15];
        } else {
            out += text[i];
        }
    }
    return out;
}

const char* JsonReader::type_name(const JsonValue& value) {
    switch (value.type()) {
        case JsonValue::value_t::null: return "null";
        case JsonValue::value_t::boolean: return "a boolean";
        case JsonValue::value_t::number_integer:
        case JsonValue::value_t::number_unsigned: return "a number";
        case JsonValue::value_t::number_float: return "a fractional number";
        case JsonValue::value_t::string: return "a string";
        case JsonValue::value_t::array: return "an array";
        case JsonValue::value_t::object: return "an object";
        default: return "an unusable value";
    }
}

}  // namespace certtool
