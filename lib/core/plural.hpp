// Counts in what certtool prints. The one place that picks the singular, so
// that no message says "1 requests" or "1 SANs".
#pragma once

#include <concepts>
#include <string>
#include <string_view>

namespace certtool {

// "1 request", "0 requests", "2 requests": `n`, then `one` when n is 1, else `many`.
template <std::integral N>
std::string plural(N n, std::string_view one, std::string_view many) {
    return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

}  // namespace certtool
