// A certificate's thumbprint as Windows shows it (certmgr, Get-CsCertificate,
// Set-CsCertificate -Thumbprint): the SHA-1 of the certificate in 40
// upper-case hex digits. Every place that prints or compares one uses this form.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace certtool {

// `text` (upper or lower case, maybe with ':' or ' ' between the digits, as
// copied from a dialog) in that form; nullopt when it is not 40 hex digits.
std::optional<std::string> windows_thumbprint(std::string_view text);

}  // namespace certtool
