#include "report/templates.hpp"

#include <set>
#include <stdexcept>

namespace certtool::report {

namespace embedded {
// Defined in the file CMake generates from templates/*.in.
std::string_view find(std::string_view name);
}  // namespace embedded

std::string_view template_text(std::string_view name) {
    const auto text = embedded::find(name);
    if (text.data() == nullptr) throw std::logic_error("no template named " + std::string(name));
    return text;
}

std::string render_template(std::string_view text, const std::map<std::string, std::string>& values) {
    std::string out;
    std::set<std::string> used;
    std::size_t pos = 0;
    while (pos < text.size()) {
        const auto open = text.find("{{", pos);
        if (open == std::string_view::npos) {
            out.append(text.substr(pos));
            break;
        }
        const auto close = text.find("}}", open + 2);
        if (close == std::string_view::npos) throw std::logic_error("unterminated {{ in template");
        out.append(text.substr(pos, open - pos));
        const std::string key(text.substr(open + 2, close - open - 2));
        const auto value = values.find(key);
        if (value == values.end()) throw std::logic_error("template placeholder {{" + key + "}} has no value");
        out += value->second;
        used.insert(key);
        pos = close + 2;
    }
    for (const auto& [key, value] : values)
        if (used.count(key) == 0) throw std::logic_error("template has no placeholder {{" + key + "}}");
    return out;
}

}  // namespace certtool::report
