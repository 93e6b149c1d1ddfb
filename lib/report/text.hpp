// Small text helpers shared by the renderers for people (plan table, audit
// table): column widths in characters, and text from outside (a topology, a
// certificate a server sent) made safe to print on a terminal.
#pragma once

#include <algorithm>
#include <string>

#include "model/plan.hpp"

namespace certtool::report::text {

// Columns count characters, not bytes: an organisation name may be UTF-8.
inline std::size_t display_width(const std::string& text) {
    return static_cast<std::size_t>(
        std::count_if(text.begin(), text.end(), [](char ch) { return (static_cast<unsigned char>(ch) & 0xC0) != 0x80; }));
}

// Control characters (an escape sequence hidden in a name) are shown as '?', not obeyed.
inline std::string clean(const std::string& text) {
    std::string out = text;
    for (char& ch : out) {
        const auto byte = static_cast<unsigned char>(ch);
        if (byte < 0x20 || byte == 0x7F) ch = '?';
    }
    return out;
}

inline std::string rstrip(std::string line) {
    while (!line.empty() && line.back() == ' ') line.pop_back();
    return line;
}

inline std::string pad(const std::string& text, std::size_t width) {
    const std::size_t used = display_width(text);
    return used >= width ? text : text + std::string(width - used, ' ');
}

inline std::string pad_left(const std::string& text, std::size_t width) {
    const std::size_t used = display_width(text);
    return used >= width ? text : std::string(width - used, ' ') + text;
}

// ANSI colour around `text` when `color`, else the text as it is.
inline std::string paint(const std::string& text, const char* code, bool color) {
    return color ? std::string(code) + text + "\033[0m" : text;
}

// "error" in red, "warning" in yellow, "info" in cyan (plain without colour).
inline std::string severity_label(model::Severity s, bool color) {
    const char* text = s == model::Severity::error ? "error" : s == model::Severity::warning ? "warning" : "info";
    return paint(text, s == model::Severity::error ? "\033[31m" : s == model::Severity::warning ? "\033[33m" : "\033[36m", color);
}

inline std::string verdict_label(bool passed, bool color) {
    return passed ? paint("PASS", "\033[32m", color) : paint("FAIL", "\033[31m", color);
}

}  // namespace certtool::report::text
