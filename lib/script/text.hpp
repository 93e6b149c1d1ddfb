// Text helpers shared by the parts of lib/script; not part of its interface.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <stdexcept>

#include "core/diagnostic.hpp"
#include "core/thumbprint.hpp"

namespace certtool::script::detail {

[[noreturn]] inline void input_error(const std::string& code, const std::string& file, const std::string& message) {
    throw InputError(Diagnostic{code, file, "", 0, 0, message});
}

inline std::string join(const std::vector<std::string>& items, const std::string& separator) {
    std::string out;
    for (std::size_t i = 0; i < items.size(); ++i) out += (i ? separator : "") + items[i];
    return out;
}

// Text from the topology inside a '#' comment or README.txt: one line, no
// control characters (a newline would end the comment and start code).
inline std::string comment(std::string_view text) {
    std::string out;
    for (const unsigned char c : text) out += (c < 0x20 || c == 0x7f) ? '?' : static_cast<char>(c);
    return out;
}

// A thumbprint certtool computed or has checked already: one that is not is a bug.
inline std::string checked_thumbprint(const std::string& text) {
    if (auto thumbprint = windows_thumbprint(text)) return *thumbprint;
    throw std::logic_error("'" + text + "' is not a SHA-1 thumbprint");
}

}  // namespace certtool::script::detail
