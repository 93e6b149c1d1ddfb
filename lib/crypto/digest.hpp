// Message digests. lib/crypto is the only place that includes OpenSSL headers.
#pragma once

#include <string>
#include <string_view>

namespace certtool::crypto {

// SHA-256 of `data` as 64 lower-case hex digits. Throws std::runtime_error if
// OpenSSL fails (it does not for in-memory data in practice).
std::string sha256_hex(std::string_view data);
// SHA-1 of `data` as 40 lower-case hex digits (the Windows thumbprint).
std::string sha1_hex(std::string_view data);

}  // namespace certtool::crypto
