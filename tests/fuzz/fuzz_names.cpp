// fuzz_names: DNS names as every topology field, URL and certificate SAN reach
// lib/names. The input is split at its first '\n' into two strings a and b.
// A bug: a crash, a sanitizer report, an exception, or a broken promise of
// names.hpp (checked with __builtin_trap):
//  - normalize_fqdn: a result is lower case, at most 253 octets, of 2+ labels of
//    1..63 LDH octets with no hyphen at either end and a non-numeric last label,
//    "*" only as the whole leftmost label (3+ labels, allow_wildcard only);
//    normalizing a result gives it back unchanged, so does adding a trailing dot
//    or changing the case of the input; anything accepted without wildcards is
//    accepted the same with them; a refusal always says why;
//  - matches: a non-empty name matches itself (any case, one trailing dot);
//    otherwise only a presented "*.<base>" matches, and then exactly one whole
//    label in front of <base>; a reference holding '*' matches only itself;
//  - host_of_url_or_name: the host holds no '/', '?' or '#';
//  - is_within / parent_of / first_label fit together;
//  - publicly_issuable: never for one label; "*.<n>" exactly when <n>.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "names/names.hpp"

using namespace certtool;

namespace {

void require(bool promise) {
    if (!promise) __builtin_trap();
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

std::string upper(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    return out;
}

// As matches() compares: one trailing dot dropped, lower case.
std::string folded(std::string_view s) {
    if (!s.empty() && s.back() == '.') s.remove_suffix(1);
    return lower(s);
}

bool ldh(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; }

void check_normalized(const std::string& n, bool allow_wildcard) {
    require(n.size() <= 253 && !n.empty() && n.back() != '.');
    std::size_t labels = 0;
    std::size_t start = 0;
    bool all_digits = true;
    while (true) {
        const std::size_t dot = n.find('.', start);
        const std::string_view label = std::string_view(n).substr(start, dot == std::string::npos ? std::string::npos : dot - start);
        require(!label.empty() && label.size() <= 63);
        ++labels;
        if (label == "*") {
            require(allow_wildcard && start == 0);
        } else {
            require(label.front() != '-' && label.back() != '-');
            all_digits = true;
            for (char c : label) {
                require(ldh(c));  // no upper case, no '*', nothing else
                all_digits = all_digits && c >= '0' && c <= '9';
            }
        }
        if (dot == std::string::npos) break;
        start = dot + 1;
    }
    require(labels >= 2 && !all_digits);
    require(!names::is_wildcard(n) || labels >= 3);
    require(names::is_wildcard(n) == (n.find('*') != std::string::npos));
}

void check_normalize(const std::string& text) {
    for (const bool wildcard : {false, true}) {
        std::string why;
        const std::optional<std::string> n = names::normalize_fqdn(text, wildcard, &why);
        require(n.has_value() == names::normalize_fqdn(text, wildcard, nullptr).has_value());
        require(names::normalize_fqdn(upper(text), wildcard, nullptr) == n);
        if (!n) {
            require(!why.empty());
            continue;
        }
        check_normalized(*n, wildcard);
        require(names::normalize_fqdn(*n, wildcard, nullptr) == n);
        require(names::normalize_fqdn(*n + ".", wildcard, nullptr) == n);
        if (!wildcard) require(names::normalize_fqdn(text, true, nullptr) == n);

        // Properties of the other functions on a valid name.
        require(names::matches(*n, *n) && names::matches(upper(*n), *n + "."));
        require(!names::is_single_label(*n));
        require(!names::publicly_issuable(*n) || !names::is_single_label(*n));
        require(names::publicly_issuable(*n) == names::publicly_issuable(upper(*n) + "."));
        if (!names::is_wildcard(*n)) require(names::publicly_issuable("*." + *n) == names::publicly_issuable(*n));
    }
}

void check_matches(std::string_view p, std::string_view r) {
    const bool m = names::matches(p, r);
    require(m == names::matches(upper(p), lower(r)));
    const std::string fp = folded(p), fr = folded(r);
    if (!fp.empty() && fp == fr) require(m);
    if (!m || fp == fr) return;
    require(names::is_wildcard(fp));
    require(fr.find('*') == std::string::npos);  // a wildcard reference matches only itself
    const std::string_view base = std::string_view(fp).substr(2);
    const std::size_t dot = fr.find('.');
    require(dot != std::string::npos && dot > 0 && std::string_view(fr).substr(dot + 1) == base);
}

void check_structure(std::string_view a, std::string_view b) {
    const std::string parent = names::parent_of(a);
    const std::string first = names::first_label(a);
    if (a.find('.') == std::string_view::npos) {
        require(parent.empty() && first == a);
    } else {
        require(first + "." + parent == a);
        if (!parent.empty()) require(names::is_within(a, parent));
    }
    if (!a.empty()) require(names::is_within(a, a) && names::is_within(upper(a), lower(a)));
    if (names::is_within(a, b)) {
        require(!b.empty() && a.size() >= b.size() && lower(a.substr(a.size() - b.size())) == lower(b));
        require(a.size() == b.size() || a[a.size() - b.size() - 1] == '.');
    }
    require(!names::publicly_issuable(a) || !names::is_single_label(folded(a)));
}

void check_url(const std::string& text) {
    std::string why;
    const std::optional<std::string> host = names::host_of_url_or_name(text, &why);
    if (!host) {
        require(!why.empty());
        return;
    }
    require(host->find_first_of("/?#") == std::string::npos);
    if (text.find("://") == std::string::npos) require(*host == text);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const std::size_t newline = input.find('\n');
    const std::string a(input.substr(0, newline));
    const std::string b(newline == std::string_view::npos ? std::string_view() : input.substr(newline + 1));

    check_normalize(a);
    check_matches(a, b);
    check_matches(b, a);
    check_matches(a, "sip.contoso.com");
    check_structure(a, b);
    check_url(a);
    return 0;
}
