#include "core/diagnostic.hpp"

namespace certtool {

std::string Diagnostic::to_string() const {
    // "file:line:column: /json/path: message [code]", leaving out what is unknown.
    std::string out = file;
    if (line > 0) {
        out += ":" + std::to_string(line);
        if (column > 0) out += ":" + std::to_string(column);
    }
    if (!path.empty()) out += (out.empty() ? "" : ": ") + path;
    out += (out.empty() ? "" : ": ") + message;
    if (!code.empty()) out += " [" + code + "]";
    return out;
}

namespace {
std::string summary(const std::vector<Diagnostic>& diagnostics) {
    if (diagnostics.empty()) return "invalid input";
    std::string text = diagnostics.front().to_string();
    if (diagnostics.size() > 1) text += " (and " + std::to_string(diagnostics.size() - 1) + " more)";
    return text;
}
}  // namespace

InputError::InputError(std::vector<Diagnostic> diagnostics)
    : std::runtime_error(summary(diagnostics)), diagnostics_(std::move(diagnostics)) {}

InputError::InputError(Diagnostic diagnostic) : InputError(std::vector<Diagnostic>{std::move(diagnostic)}) {}

}  // namespace certtool
