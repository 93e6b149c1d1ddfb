#include "names/names.hpp"

#include <arpa/inet.h>
#include <libpsl.h>
#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <ctime>
#include <vector>

namespace certtool::names {

namespace {

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (lower(a[i]) != lower(b[i])) return false;
    return true;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_ldh(char c) { return is_alpha(c) || is_digit(c) || c == '-'; }

std::vector<std::string_view> split_labels(std::string_view name) {
    std::vector<std::string_view> labels;
    std::size_t start = 0;
    while (true) {
        std::size_t dot = name.find('.', start);
        if (dot == std::string_view::npos) {
            labels.push_back(name.substr(start));
            break;
        }
        labels.push_back(name.substr(start, dot - start));
        start = dot + 1;
    }
    return labels;
}

// A label as shown in a message: long labels are shortened.
std::string shown(std::string_view label) {
    if (label.size() <= 24) return std::string(label);
    return std::string(label.substr(0, 20)) + "...";
}

// A character as shown in a message.
std::string shown_char(char c) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
        static const char* hex = "0123456789abcdef";
        return std::string("\\x") + hex[u >> 4] + hex[u & 15];
    }
    if (c == ' ') return "a space";
    return std::string("'") + c + "'";
}

void set_why(std::string* why, std::string text) {
    if (why) *why = std::move(text);
}

// RFC 3492 decoding, only to tell whether an "xn--" label is plausible: the
// rest must decode and must yield at least one non-ASCII code point.
bool plausible_punycode(std::string_view encoded) {
    constexpr std::uint32_t base = 36, tmin = 1, tmax = 26, skew = 38, damp = 700;
    constexpr std::uint32_t initial_bias = 72, initial_n = 128, max_cp = 0x10FFFF;
    if (encoded.empty()) return false;

    std::vector<std::uint32_t> output;
    std::size_t b = encoded.rfind('-');
    std::size_t in = 0;
    if (b != std::string_view::npos) {
        for (std::size_t j = 0; j < b; ++j) output.push_back(static_cast<unsigned char>(encoded[j]));
        in = b + 1;
    }
    if (in >= encoded.size()) return false;  // nothing encoded: not a real A-label

    auto digit_of = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0' + 26;
        if (c >= 'a' && c <= 'z') return c - 'a';
        if (c >= 'A' && c <= 'Z') return c - 'A';
        return -1;
    };
    auto adapt = [&](std::uint64_t delta, std::uint64_t numpoints, bool firsttime) {
        delta = firsttime ? delta / damp : delta / 2;
        delta += delta / numpoints;
        std::uint32_t k = 0;
        while (delta > ((base - tmin) * tmax) / 2) {
            delta /= base - tmin;
            k += base;
        }
        return static_cast<std::uint32_t>(k + (base - tmin + 1) * delta / (delta + skew));
    };

    std::uint64_t n = initial_n, i = 0;
    std::uint32_t bias = initial_bias;
    bool any_non_ascii = false;
    while (in < encoded.size()) {
        std::uint64_t oldi = i, w = 1;
        for (std::uint32_t k = base;; k += base) {
            if (in >= encoded.size()) return false;
            int digit = digit_of(encoded[in++]);
            if (digit < 0) return false;
            i += static_cast<std::uint64_t>(digit) * w;
            if (i > 0xFFFFFFFFull) return false;
            std::uint32_t t = k <= bias ? tmin : (k >= bias + tmax ? tmax : k - bias);
            if (static_cast<std::uint32_t>(digit) < t) break;
            w *= base - t;
            if (w > 0xFFFFFFFFull) return false;
        }
        std::uint64_t count = output.size() + 1;
        bias = adapt(i - oldi, count, oldi == 0);
        n += i / count;
        i %= count;
        if (n > max_cp || (n >= 0xD800 && n <= 0xDFFF)) return false;
        output.insert(output.begin() + static_cast<std::ptrdiff_t>(i), static_cast<std::uint32_t>(n));
        if (n >= 0x80) any_non_ascii = true;
        ++i;
        if (output.size() > 63) return false;
    }
    return any_non_ascii;
}

// ---- Public Suffix List ------------------------------------------------------

struct SuffixList {
    const psl_ctx_t* ctx = nullptr;
    psl_ctx_t* owned = nullptr;
    std::string description;

    SuffixList() {
        owned = psl_latest(nullptr);
        if (owned) {
            ctx = owned;
            description = describe_latest();
        } else if ((ctx = psl_builtin()) != nullptr) {
            description = std::string("libpsl ") + psl_get_version() + ": built-in list (" +
                          std::to_string(psl_suffix_count(ctx)) + " rules)";
        } else {
            description = std::string("libpsl ") + psl_get_version() +
                          ": no Public Suffix List data could be loaded; only names under common "
                          "top-level domains (com, net, org, ...) are treated as publicly issuable";
        }
    }
    ~SuffixList() {
        if (owned) psl_free(owned);
    }
    SuffixList(const SuffixList&) = delete;
    SuffixList& operator=(const SuffixList&) = delete;

    std::string describe_latest() const {
        std::string text = std::string("libpsl ") + psl_get_version() + ": ";
        int count = psl_suffix_count(ctx);
        const char* dist = psl_dist_filename();
        if (count < 0 && dist && *dist) {
            // DAFSA data has no rule count; it can only come from the distribution file.
            text += std::string("file ") + dist;
            struct stat st {};
            if (::stat(dist, &st) == 0) text += " (modified " + date_of(st.st_mtime) + ")";
        } else {
            text += "built-in list";
            if (count >= 0) text += " (" + std::to_string(count) + " rules";
            else text += " (";
            time_t t = psl_builtin_file_time();
            if (t > 0) text += std::string(count >= 0 ? ", " : "") + "from " + date_of(t);
            text += ")";
        }
        return text;
    }

    static std::string date_of(time_t t) {
        std::tm tm{};
        gmtime_r(&t, &tm);
        char buf[32];
        std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
        return buf;
    }
};

const SuffixList& suffix_list() {
    static const SuffixList list;
    return list;
}

// Used only when no PSL data at all is available.
bool common_tld(std::string_view tld) {
    static constexpr std::array<std::string_view, 40> tlds = {
        "com", "net", "org", "edu", "gov", "mil", "int", "info", "biz", "io",
        "co",  "us",  "uk",  "de",  "fr",  "nl",  "be",  "ch",  "at",  "it",
        "es",  "se",  "no",  "dk",  "fi",  "ie",  "pl",  "cz",  "pt",  "ca",
        "au",  "nz",  "jp",  "cn",  "in",  "br",  "mx",  "za",  "eu",  "ru"};
    return std::find(tlds.begin(), tlds.end(), tld) != tlds.end();
}

std::string strip_trailing_dot(std::string_view name) {
    if (!name.empty() && name.back() == '.') name.remove_suffix(1);
    return lower_ascii(name);
}

}  // namespace

std::optional<std::string> normalize_fqdn(std::string_view text, bool allow_wildcard, std::string* why) {
    if (text.empty()) {
        set_why(why, "is empty; expected a fully qualified domain name such as pool01.contoso.com");
        return std::nullopt;
    }
    for (char c : text) {
        if (static_cast<unsigned char>(c) >= 0x80) {
            set_why(why, "contains non-ASCII characters; write an internationalised name as A-labels (xn--...)");
            return std::nullopt;
        }
    }
    std::string_view name = text;
    if (name.back() == '.') name.remove_suffix(1);
    if (name.empty() || name.back() == '.' || name.front() == '.' || name.find("..") != std::string_view::npos) {
        set_why(why, "has an empty label (a leading dot, two dots in a row, or more than one trailing dot)");
        return std::nullopt;
    }
    if (name.size() > 253) {
        set_why(why, "name is " + std::to_string(name.size()) + " characters long (at most 253)");
        return std::nullopt;
    }

    std::vector<std::string_view> labels = split_labels(name);
    for (std::size_t index = 0; index < labels.size(); ++index) {
        std::string_view label = labels[index];
        if (label.size() > 63) {
            set_why(why, "label '" + shown(label) + "' is " + std::to_string(label.size()) +
                             " characters long (at most 63)");
            return std::nullopt;
        }
        if (label == "*") {
            if (index != 0) {
                set_why(why, "has '*' as a label other than the leftmost (a wildcard must be the whole leftmost label, as in *.contoso.com)");
                return std::nullopt;
            }
            if (!allow_wildcard) {
                set_why(why, "is a wildcard name; a wildcard is not allowed here (expected a server or pool FQDN)");
                return std::nullopt;
            }
            if (labels.size() < 3) {
                set_why(why, "is a wildcard with fewer than two labels after '*' (expected e.g. *.contoso.com)");
                return std::nullopt;
            }
            continue;
        }
        for (char c : label) {
            if (is_ldh(c)) continue;
            if (c == '*') {
                set_why(why, "label '" + shown(label) +
                                 "' contains '*' (a wildcard must be the whole leftmost label, as in *.contoso.com)");
            } else {
                set_why(why, "label '" + shown(label) + "' contains " + shown_char(c) +
                                 " (only letters, digits and hyphens are allowed)");
            }
            return std::nullopt;
        }
        if (label.front() == '-') {
            set_why(why, "label '" + shown(label) + "' starts with a hyphen (labels must start with a letter or digit)");
            return std::nullopt;
        }
        if (label.back() == '-') {
            set_why(why, "label '" + shown(label) + "' ends with a hyphen (labels must end with a letter or digit)");
            return std::nullopt;
        }
        if (label.size() >= 4 && iequals(label.substr(0, 4), "xn--") && !plausible_punycode(label.substr(4))) {
            set_why(why, "label '" + shown(label) + "' starts with 'xn--' but is not a valid A-label (punycode)");
            return std::nullopt;
        }
    }
    std::string_view tld = labels.back();
    if (std::all_of(tld.begin(), tld.end(), is_digit)) {
        set_why(why, "ends in an all-numeric label '" + std::string(tld) +
                         "' (an IP address is not a DNS name; expected an FQDN)");
        return std::nullopt;
    }
    if (labels.size() == 1) {
        set_why(why, "'" + std::string(name) + "' is a single label; Lync needs a fully qualified domain name");
        return std::nullopt;
    }
    return lower_ascii(name);
}

std::optional<std::string> host_of_url_or_name(std::string_view text, std::string* why) {
    std::size_t sep = text.find("://");
    if (sep == std::string_view::npos) {
        if (text.find_first_of("/?#") != std::string_view::npos) {
            set_why(why, "looks like a URL without a scheme; write https://host/path or just the host name");
            return std::nullopt;
        }
        return std::string(text);
    }
    std::string_view scheme = text.substr(0, sep);
    if (!iequals(scheme, "https") && !iequals(scheme, "http")) {
        set_why(why, "URL scheme '" + std::string(scheme) + "' is not supported (only http and https)");
        return std::nullopt;
    }
    std::string_view rest = text.substr(sep + 3);
    std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
    if (authority.find('@') != std::string_view::npos) {
        set_why(why, "URL contains user information ('@'); expected https://host/path");
        return std::nullopt;
    }
    if (!authority.empty() && authority.front() == '[') {
        set_why(why, "URL host is an IP address literal; expected a DNS name");
        return std::nullopt;
    }
    std::string_view host = authority;
    std::size_t colon = authority.find(':');
    if (colon != std::string_view::npos) {
        host = authority.substr(0, colon);
        std::string_view port = authority.substr(colon + 1);
        bool ok = !port.empty() && port.size() <= 5 && std::all_of(port.begin(), port.end(), is_digit);
        if (ok) {
            int value = std::stoi(std::string(port));
            ok = value >= 1 && value <= 65535;
        }
        if (!ok) {
            set_why(why, "URL port '" + std::string(port) + "' is not a number from 1 to 65535");
            return std::nullopt;
        }
    }
    if (host.empty()) {
        set_why(why, "URL has no host; expected https://host/path");
        return std::nullopt;
    }
    return std::string(host);
}

bool is_wildcard(std::string_view name) { return name.size() > 2 && name.substr(0, 2) == "*."; }

bool is_single_label(std::string_view name) {
    if (!name.empty() && name.back() == '.') name.remove_suffix(1);
    return !name.empty() && name.find('.') == std::string_view::npos;
}

bool is_within(std::string_view name, std::string_view domain) {
    if (domain.empty() || name.size() < domain.size()) return false;
    if (name.size() == domain.size()) return iequals(name, domain);
    std::size_t offset = name.size() - domain.size();
    return name[offset - 1] == '.' && iequals(name.substr(offset), domain);
}

std::string parent_of(std::string_view name) {
    std::size_t dot = name.find('.');
    if (dot == std::string_view::npos) return {};
    return std::string(name.substr(dot + 1));
}

std::string first_label(std::string_view name) { return std::string(name.substr(0, name.find('.'))); }

bool matches(std::string_view presented, std::string_view reference) {
    // Case-insensitive and without copies: verify compares every SAN of every
    // plan entry with every SAN of each certificate.
    auto without_dot = [](std::string_view s) {
        if (!s.empty() && s.back() == '.') s.remove_suffix(1);
        return s;
    };
    const std::string_view p = without_dot(presented);
    const std::string_view r = without_dot(reference);
    if (p.empty() || r.empty()) return false;
    if (iequals(p, r)) return true;
    if (!is_wildcard(p)) return false;
    const std::string_view base = p.substr(2);
    if (base.find('*') != std::string_view::npos || base.find('.') == std::string_view::npos) return false;
    const std::size_t dot = r.find('.');
    if (dot == std::string_view::npos || dot == 0) return false;
    if (r.substr(0, dot).find('*') != std::string_view::npos) return false;
    return iequals(r.substr(dot + 1), base);
}

bool publicly_issuable(std::string_view name) {
    std::string n = strip_trailing_dot(name);
    if (n.empty() || is_single_label(n)) return false;
    if (is_wildcard(n)) return publicly_issuable(std::string_view(n).substr(2));
    if (n.find('*') != std::string::npos) return false;

    const SuffixList& list = suffix_list();
    if (!list.ctx) {
        std::string tld = n.substr(n.rfind('.') + 1);
        return common_tld(tld);
    }
    constexpr int type = PSL_TYPE_ANY | PSL_TYPE_NO_STAR_RULE;
    if (psl_is_public_suffix2(list.ctx, n.c_str(), type)) return false;
    for (std::size_t dot = n.find('.'); dot != std::string::npos; dot = n.find('.', dot + 1)) {
        if (psl_is_public_suffix2(list.ctx, n.c_str() + dot + 1, type)) return true;
    }
    return false;
}

std::optional<std::string> ip_octets(std::string_view text) {
    if (text.size() > 2 && text.front() == '[' && text.back() == ']') text = text.substr(1, text.size() - 2);
    if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return std::nullopt;
    // Most references are DNS names: no letter beyond 'f' is in an address.
    const bool address_characters = std::all_of(text.begin(), text.end(), [](char c) {
        return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == '.' || c == ':';
    });
    if (!address_characters) return std::nullopt;
    const std::string literal(text);
    unsigned char octets[16];
    if (inet_pton(AF_INET, literal.c_str(), octets) == 1) return std::string(reinterpret_cast<char*>(octets), 4);
    if (inet_pton(AF_INET6, literal.c_str(), octets) == 1) return std::string(reinterpret_cast<char*>(octets), 16);
    return std::nullopt;
}

bool sans_cover(const std::vector<std::string>& dns_names, const std::vector<std::string>& ip_addresses,
                std::string_view reference, bool wildcard_allowed) {
    if (const auto ip = ip_octets(reference)) {
        return std::any_of(ip_addresses.begin(), ip_addresses.end(),
                           [&](const std::string& presented) { return ip_octets(presented) == ip; });
    }
    for (const auto& presented : dns_names) {
        if (!is_wildcard(presented)) {
            if (matches(presented, reference)) return true;
            continue;
        }
        // The names under a public suffix belong to different owners (the
        // buckets of s3.amazonaws.com): a wildcard over one covers none of them.
        if (wildcard_allowed && matches(presented, reference) &&
            public_suffix_section(std::string_view(presented).substr(2)) == SuffixSection::none)
            return true;
    }
    return false;
}

SuffixSection public_suffix_section(std::string_view name) {
    const std::string n = strip_trailing_dot(name);
    if (n.empty()) return SuffixSection::none;
    const SuffixList& list = suffix_list();
    if (!list.ctx) return is_single_label(n) ? SuffixSection::icann : SuffixSection::none;
    if (psl_is_public_suffix2(list.ctx, n.c_str(), PSL_TYPE_ICANN | PSL_TYPE_NO_STAR_RULE)) return SuffixSection::icann;
    if (psl_is_public_suffix2(list.ctx, n.c_str(), PSL_TYPE_PRIVATE | PSL_TYPE_NO_STAR_RULE)) return SuffixSection::private_domains;
    return SuffixSection::none;
}

std::string registrable_domain(std::string_view name) {
    const std::string n = strip_trailing_dot(name);
    const auto last_two_labels = [&] {
        const auto last = n.rfind('.');
        if (last == std::string::npos || last == 0) return n;
        const auto before = n.rfind('.', last - 1);
        return before == std::string::npos ? n : n.substr(before + 1);
    };
    const SuffixList& list = suffix_list();
    if (!list.ctx || n.empty()) return last_two_labels();
    constexpr int type = PSL_TYPE_ANY | PSL_TYPE_NO_STAR_RULE;
    if (psl_is_public_suffix2(list.ctx, n.c_str(), type)) return n;
    // From the longest suffix down: the first public one, with the label before it.
    std::size_t label_start = 0;
    for (std::size_t dot = n.find('.'); dot != std::string::npos; dot = n.find('.', dot + 1)) {
        if (psl_is_public_suffix2(list.ctx, n.c_str() + dot + 1, type)) return n.substr(label_start);
        label_start = dot + 1;
    }
    return last_two_labels();
}

std::string lower_ascii(std::string_view text) {
    std::string out(text);
    for (char& c : out) c = lower(c);
    return out;
}

std::string public_suffix_list_source() { return suffix_list().description; }

}  // namespace certtool::names
