// The stable code of the InputError an action throws (and the file its first
// diagnostic names), for asserting on it.
#pragma once

#include <functional>
#include <string>

#include "core/diagnostic.hpp"

namespace certtool::test {

inline std::string input_error_code(const std::function<void()>& action, std::string* file = nullptr) {
    try {
        action();
    } catch (const InputError& e) {
        if (file != nullptr) *file = e.diagnostics().front().file;
        return e.diagnostics().front().code;
    }
    return "(no error)";
}

}  // namespace certtool::test
