// Small text helpers shared by the renderers for people (plan table, audit
// table): column widths in characters, and text from outside (a topology, a
// certificate a server sent) made safe to print on a terminal.
#pragma once

#include <algorithm>
#include <string>

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

}  // namespace certtool::report::text
