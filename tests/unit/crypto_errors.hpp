// The stable code of the CryptoError an action throws, for asserting on it.
#pragma once

#include <functional>
#include <string>

#include "crypto/keys.hpp"

namespace certtool::test {

inline std::string crypto_error_code(const std::function<void()>& action) {
    try {
        action();
    } catch (const crypto::CryptoError& e) {
        return e.code();
    }
    return "(no error)";
}

}  // namespace certtool::test
