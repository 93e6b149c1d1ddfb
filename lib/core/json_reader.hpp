// Reading a JSON document from outside into typed values. Every problem is a
// Diagnostic naming the file and the JSON Pointer of the value, and reading
// goes on, so that the admin sees every problem at once (up to a limit), not
// one per run. A key the schema does not know gets a "did you mean" when one
// of the known keys is a typo away. Generic: the schema that says which keys
// and types a document has is the caller's (lib/topology/load.cpp for the
// topology, lib/report/audit_reader.cpp for an audit report).
#pragma once

#include <cstddef>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/diagnostic.hpp"

namespace certtool {

using JsonValue = nlohmann::ordered_json;

class JsonReader {
public:
    using Keys = std::initializer_list<std::string_view>;
    template <typename E>
    using Choices = std::initializer_list<std::pair<std::string_view, E>>;

    // Problems in `file` get the code "<code_prefix>.<kind>" (kinds: syntax,
    // too-deep, duplicate-key, type, unknown-field, missing-field,
    // out-of-range, invalid-value, too-many-errors). `document` names the kind
    // of document in messages: "a topology".
    JsonReader(std::string file, std::string code_prefix, std::string document, std::size_t max_diagnostics = 200);

    // Every problem gets this one code instead (a verb that documents one code
    // for an unusable input file, such as renew.inventory).
    void use_one_code(std::string code) { one_code_ = std::move(code); }

    [[nodiscard]] const std::string& file() const { return file_; }
    [[nodiscard]] std::string code(std::string_view kind) const;
    std::vector<Diagnostic>& diagnostics() { return diagnostics_; }
    [[nodiscard]] bool ok() const { return diagnostics_.empty(); }
    // Throws InputError with every problem reported, when there is one.
    void throw_if_problems();

    // Reports a problem; after max_diagnostics, one "too-many-errors" and then nothing.
    void error(std::string code, std::string pointer, std::string message, int line = 0, int column = 0);

    // Parses `text` strictly (core/json_bounded.hpp): every key given twice in
    // one object is a duplicate-key problem; nesting deeper than 64 levels
    // (too-deep) or bad syntax (syntax, with line and column) leaves nothing
    // to read: nullopt.
    std::optional<JsonValue> parse(std::string_view text);

    // ---- typed access: each reports what is wrong and returns nothing ----

    void type_error(const std::string& pointer, std::string_view expected, const JsonValue& found);

    // Whether `value` is an object; each key not in `allowed` (keys starting
    // with "x-" are extensions, never unknown) is an unknown-field problem.
    bool object(const JsonValue& value, const std::string& pointer, Keys allowed);

    // The member `key` of an object, or nullptr; a missing required one is reported.
    const JsonValue* get(const JsonValue& obj, std::string_view key, const std::string& pointer, bool required);

    std::optional<std::string> string_field(const JsonValue& obj, std::string_view key, const std::string& pointer,
                                            bool required = false);
    void boolean_field(const JsonValue& obj, std::string_view key, const std::string& pointer, bool& out);
    std::optional<int> integer_field(const JsonValue& obj, std::string_view key, const std::string& pointer, long long min,
                                     long long max);

    // `choices`: a braced list, or a table's (token, value) pairs.
    template <typename E, typename Range = Choices<E>>
    std::optional<E> choice_field(const JsonValue& obj, std::string_view key, const std::string& pointer,
                                  const Range& choices, bool required = false) {
        auto text = string_field(obj, key, pointer, required);
        if (!text) return std::nullopt;
        for (const auto& [name, value] : choices)
            if (*text == name) return value;
        std::string allowed;
        for (const auto& choice : choices) {
            if (!allowed.empty()) allowed += ", ";
            allowed += "'" + std::string(choice.first) + "'";
        }
        invalid_choice(child(pointer, key), key, *text, allowed);
        return std::nullopt;
    }

    // An array at obj[key], or nullptr; `empty_code` (a whole code) with
    // "'<key>' is empty; <what>" when non_empty and it is.
    const JsonValue* array_field(const JsonValue& obj, std::string_view key, const std::string& pointer, bool required,
                                 bool non_empty, const std::string& empty_code, std::string_view what);

    // ---- text for pointers and messages ----

    static std::string child(const std::string& pointer, std::string_view key);  // key escaped as RFC 6901 says
    static std::string child(const std::string& pointer, std::size_t index);
    // Text from the document inside a message: control characters escaped, long text shortened.
    static std::string printable(std::string_view text);
    static const char* type_name(const JsonValue& value);  // "a string", "an array", ...

private:
    void unknown_field(const std::string& pointer, const std::string& key, Keys allowed);
    void invalid_choice(const std::string& at, std::string_view key, const std::string& text, const std::string& allowed);

    std::string file_;
    std::string code_prefix_;
    std::string document_;
    std::string one_code_;
    std::size_t max_diagnostics_;
    std::vector<Diagnostic> diagnostics_;
};

}  // namespace certtool
