#include "core/printable.hpp"

namespace certtool {

std::string printable(std::string_view text, std::size_t max_chars, bool keep_newlines) {
    static const char* hex = "0123456789abcdef";
    std::string out;
    std::size_t shown = 0;
    for (const char ch : text) {
        if (shown >= max_chars) {
            out += " ...";
            break;
        }
        const auto byte = static_cast<unsigned char>(ch);
        if (ch == '\n' && keep_newlines) {
            out += ch;
        } else if (byte < 0x20 || byte >= 0x7f) {
            // Non-ASCII too: raw bytes from a server or a hook may be invalid
            // UTF-8 (which JSON cannot carry), or UTF-8 C1 controls a terminal would obey.
            out += "\\x";
            out += hex[byte >> 4];
            out += hex[byte & 15];
        } else {
            out += ch;
        }
        ++shown;
    }
    return out;
}

}  // namespace certtool
