#include "crypto/sip_message.hpp"

#include <algorithm>
#include <array>
#include <cctype>

#include "core/printable.hpp"

namespace certtool::crypto {

namespace {

constexpr std::string_view kVersion = "SIP/2.0";

// RFC 3261 25.1: token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~")
bool is_token(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || std::string_view("-.!%*_+`'~").find(c) != std::string_view::npos;
}

char lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return lower(x) == lower(y); });
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// RFC 3261 7.3.3 and the compact forms registered since (RFC 3265, 3515, 3892, 3841, 4028, 4474).
std::string_view full_name(std::string_view name) {
    static constexpr std::array<std::pair<char, std::string_view>, 19> compact{{
        {'a', "Accept-Contact"}, {'b', "Referred-By"}, {'c', "Content-Type"}, {'d', "Request-Disposition"},
        {'e', "Content-Encoding"}, {'f', "From"}, {'i', "Call-ID"}, {'j', "Reject-Contact"}, {'k', "Supported"},
        {'l', "Content-Length"}, {'m', "Contact"}, {'n', "Identity-Info"}, {'o', "Event"}, {'r', "Refer-To"},
        {'s', "Subject"}, {'t', "To"}, {'u', "Allow-Events"}, {'v', "Via"}, {'x', "Session-Expires"},
    }};
    if (name.size() != 1) return name;
    for (const auto& [letter, full] : compact)
        if (letter == lower(name.front())) return full;
    return name;
}

// A line as it can be quoted in a message: printable, at most 80 characters.
std::string quoted(std::string_view line) { return "\"" + printable(line, 80) + "\""; }

std::string_view without_cr(std::string_view line) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    return line;
}

// Why `line`, the start of a message (complete when `whole`), can be neither a
// status line nor a request line; "" while it still can. Decided on the first
// bytes that rule it out, so that an HTTP server or binary noise is told at once.
std::string impossible_start(std::string_view line, bool whole) {
    const std::string_view response_prefix = "SIP/2.0 ";
    const std::size_t n = std::min(line.size(), response_prefix.size());
    if (iequals(line.substr(0, n), response_prefix.substr(0, n)) && (!whole || without_cr(line).size() >= n + 1))
        return "";
    std::size_t method = 0;
    while (method < line.size() && is_token(line[method])) ++method;
    if (method == line.size() && !whole) return "";
    const std::string what = "the server sent " + quoted(without_cr(line)) + (whole ? "" : "...");
    if (method == 0 || method == line.size() || line[method] != ' ') return what + ", which is not a SIP message";
    if (!whole) return "";
    const std::string_view l = without_cr(line);
    if (l.size() < kVersion.size() + 1 || !iequals(l.substr(l.size() - kVersion.size()), kVersion) ||
        l[l.size() - kVersion.size() - 1] != ' ')
        return what + ", which is not a SIP message";
    return "";
}

}  // namespace

std::string sip_options_request(const SipOptionsRequest& r) {
    const auto bracketed = [](const std::string& host) {
        return host.find(':') != std::string::npos && host.front() != '[' ? "[" + host + "]" : host;
    };
    const std::string target = bracketed(r.request_uri_host);
    const std::string local = bracketed(r.local_host) + ":" + std::to_string(r.local_port);
    return "OPTIONS sip:" + target + " SIP/2.0\r\n"
           "Via: SIP/2.0/TLS " + local + ";branch=z9hG4bK" + r.branch + ";rport\r\n"
           "Max-Forwards: 70\r\n"
           "From: <sip:certtool@" + bracketed(r.local_host) + ">;tag=" + r.from_tag + "\r\n"
           "To: <sip:" + target + ">\r\n"
           "Call-ID: " + r.call_id + "\r\n"
           "CSeq: 1 OPTIONS\r\n"
           "Contact: <sip:certtool@" + local + ";transport=tls>\r\n"
           "Accept: application/sdp\r\n"
           "User-Agent: certtool\r\n"
           "Content-Length: 0\r\n"
           "\r\n";
}

const std::string* SipResponse::header(std::string_view name) const {
    const std::string_view wanted = full_name(name);
    for (const auto& [n, value] : headers)
        if (iequals(n, wanted)) return &value;
    return nullptr;
}

SipAnswerState SipAnswerReader::add(std::string_view bytes) {
    if (state_ != SipAnswerState::incomplete) return state_;
    buffer_.append(bytes.substr(0, max_bytes_ - std::min(max_bytes_, buffer_.size())));
    state_ = read_messages();
    return state_;
}

SipAnswerState SipAnswerReader::not_sip(std::string problem) {
    problem_ = std::move(problem);
    return SipAnswerState::not_sip;
}

SipAnswerState SipAnswerReader::read_messages() {
    const std::string_view all(buffer_);
    const auto wait = [&] { return all.size() >= max_bytes_ ? SipAnswerState::too_large : SipAnswerState::incomplete; };
    for (;;) {
        while (message_ < all.size() && (all[message_] == '\r' || all[message_] == '\n')) ++message_;
        if (message_ >= all.size()) return wait();
        searched_to_ = std::max(searched_to_, message_);

        const std::string_view rest = all.substr(message_);
        const std::size_t first_end = rest.find('\n');
        if (auto why = impossible_start(rest.substr(0, first_end), first_end != std::string_view::npos); !why.empty())
            return not_sip(std::move(why));

        // The headers end at the first empty line ("\n\n" or "\n\r\n").
        std::size_t block_end = std::string_view::npos;
        std::size_t i = searched_to_;
        for (; i < all.size(); ++i) {
            if (all[i] != '\n') continue;
            if (i + 1 >= all.size() || (all[i + 1] == '\r' && i + 2 >= all.size())) break;  // undecided yet
            if (all[i + 1] == '\n') {
                block_end = i + 2;
                break;
            }
            if (all[i + 1] == '\r' && all[i + 2] == '\n') {
                block_end = i + 3;
                break;
            }
        }
        if (block_end == std::string_view::npos) {
            searched_to_ = i;
            return wait();
        }

        // The start line, then the headers.
        std::vector<std::string_view> lines;
        for (std::size_t at = message_; at < block_end;) {
            const std::size_t eol = all.find('\n', at);
            lines.push_back(without_cr(all.substr(at, eol - at)));
            at = eol + 1;
        }
        lines.pop_back();  // the empty line
        const std::string_view start = lines.front();
        SipResponse message;
        const bool response = iequals(start.substr(0, kVersion.size() + 1), "SIP/2.0 ");
        if (response) {
            const std::string_view code = start.substr(kVersion.size() + 1, 3);
            const bool digits = code.size() == 3 && std::all_of(code.begin(), code.end(), [](char c) {
                                    return std::isdigit(static_cast<unsigned char>(c)) != 0;
                                });
            const std::size_t after = kVersion.size() + 4;
            if (!digits || code.front() == '0' || code.front() > '6' || (start.size() > after && start[after] != ' '))
                return not_sip("the server sent the status line " + quoted(start) + ", which has no SIP status code");
            message.status = std::stoi(std::string(code));
            if (start.size() > after) message.reason_phrase = std::string(trim(start.substr(after + 1)));
        }
        for (std::size_t l = 1; l < lines.size(); ++l) {
            const std::string_view line = lines[l];
            if (line.front() == ' ' || line.front() == '\t') {  // folded (RFC 3261 7.3.1)
                if (message.headers.empty()) return not_sip("the response's first header line " + quoted(line) + " continues nothing");
                auto& value = message.headers.back().second;
                if (const auto more = trim(line); !more.empty()) value += (value.empty() ? "" : " ") + std::string(more);
                continue;
            }
            std::size_t colon = 0;
            while (colon < line.size() && is_token(line[colon])) ++colon;
            const std::string_view name = line.substr(0, colon);
            while (colon < line.size() && (line[colon] == ' ' || line[colon] == '\t')) ++colon;
            if (name.empty() || colon >= line.size() || line[colon] != ':')
                return not_sip("after " + quoted(start) + " the server sent " + quoted(line) + ", which is not a SIP header");
            message.headers.emplace_back(std::string(full_name(name)), std::string(trim(line.substr(colon + 1))));
        }

        if (response && message.status >= 200) {
            response_ = std::move(message);
            return SipAnswerState::final_response;
        }
        if (response) provisional_.push_back(message.status);
        // A provisional response or a request of the server's: passed over, body and all.
        std::size_t body = 0;
        if (const std::string* length = message.header("Content-Length")) {
            const bool number = !length->empty() && length->size() <= 9 &&
                                std::all_of(length->begin(), length->end(), [](char c) {
                                    return std::isdigit(static_cast<unsigned char>(c)) != 0;
                                });
            if (!number) return not_sip("the server sent Content-Length " + quoted(*length) + ", which is not a length");
            body = std::stoul(*length);
        }
        message_ = block_end + body;
        searched_to_ = message_;
    }
}

}  // namespace certtool::crypto
