#include "core/thumbprint.hpp"

#include <algorithm>
#include <cctype>

namespace certtool {

std::optional<std::string> windows_thumbprint(std::string_view text) {
    std::string out;
    for (const unsigned char c : text) {
        if (c == ':' || c == ' ') continue;
        out += static_cast<char>(std::toupper(c));
    }
    const bool hex = out.size() == 40 && std::all_of(out.begin(), out.end(), [](unsigned char c) { return std::isxdigit(c) != 0; });
    if (!hex) return std::nullopt;
    return out;
}

}  // namespace certtool
