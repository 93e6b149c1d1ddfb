// Text from outside (a CA's problem detail, a hook's output, a SIP server's
// reason phrase) made safe to print in a table, a log line or JSON.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace certtool {

// Control characters and bytes outside ASCII shown as \xNN, newlines kept only
// when `keep_newlines`, at most `max_chars` characters (the rest replaced by " ...").
std::string printable(std::string_view text, std::size_t max_chars, bool keep_newlines = false);

}  // namespace certtool
