// SIP over a stream (RFC 3261), as much as the probe of an Access Edge needs:
// the OPTIONS request it sends, and the reading of what comes back on the
// connection, up to the first final response. Pure text: no OpenSSL, no
// sockets (sip_probe.cpp does the talking), so that it can be tested and
// fuzzed on its own.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace certtool::crypto {

// What the probe reads from one server at most: a final response's status
// line and headers (and any provisional responses before it) fit many times.
inline constexpr std::size_t kMaxSipAnswerBytes = 64 * 1024;

// The parts of an OPTIONS request (RFC 3261 11.1) that vary per request.
struct SipOptionsRequest {
    std::string request_uri_host;  // OPTIONS sip:<host>, and the To URI
    std::string local_host;        // this end of the connection: "192.0.2.1" or "[2001:db8::1]" (Via, From, Contact)
    int local_port = 0;
    std::string branch;    // the Via branch after the RFC 3261 magic cookie "z9hG4bK"
    std::string from_tag;  // From ;tag=
    std::string call_id;   // Call-ID
};

// The request, CRLF line ends, no body: Via (TLS, branch, rport), Max-Forwards 70,
// From with a tag, To, Call-ID, CSeq 1 OPTIONS, Contact, Accept: application/sdp,
// User-Agent, Content-Length 0.
std::string sip_options_request(const SipOptionsRequest& request);

// A response as received. Header names are the full ones of RFC 3261 7.3.3
// ("Content-Length" for "l"), values with folded lines joined by one space;
// both raw bytes from the server (make them printable before showing them).
struct SipResponse {
    int status = 0;
    std::string reason_phrase;
    std::vector<std::pair<std::string, std::string>> headers;

    // The first header of that name (any case, compact form or full), or nullptr.
    [[nodiscard]] const std::string* header(std::string_view name) const;
};

enum class SipAnswerState {
    incomplete,      // no final response yet: more bytes are needed
    final_response,  // a final response (200-699) came, its headers complete
    not_sip,         // what came is not SIP (see `problem`)
    too_large,       // the byte limit was reached before a final response's headers ended
};

// Everything a server sent on the connection, read as a sequence of SIP
// messages: CRLFs between them (keep-alives, RFC 5626 4.4.1) are passed over,
// provisional responses (1xx) and requests the server makes are skipped with
// their bodies (Content-Length, 0 when missing), and the first final response
// ends the reading (its body is not needed). Bytes are added as they arrive;
// each byte is examined once or twice, whatever the pieces. Lines may end in
// CRLF or a bare LF.
class SipAnswerReader {
public:
    explicit SipAnswerReader(std::size_t max_bytes = kMaxSipAnswerBytes) : max_bytes_(max_bytes) {}

    // Adds the next bytes received (beyond the limit they are ignored) and says where the reading stands.
    SipAnswerState add(std::string_view bytes);

    [[nodiscard]] SipAnswerState state() const { return state_; }
    // The final response (state final_response).
    [[nodiscard]] const SipResponse& response() const { return response_; }
    // The provisional statuses skipped before it, in order.
    [[nodiscard]] const std::vector<int>& provisional() const { return provisional_; }
    // Why what came is not SIP (state not_sip), printable.
    [[nodiscard]] const std::string& problem() const { return problem_; }
    // Bytes added and kept (at most the limit).
    [[nodiscard]] std::size_t size() const { return buffer_.size(); }

private:
    SipAnswerState read_messages();
    SipAnswerState not_sip(std::string problem);

    std::size_t max_bytes_;
    std::string buffer_;
    std::size_t message_ = 0;      // where the message being read starts
    std::size_t searched_to_ = 0;  // its headers' end was not found before here
    SipAnswerState state_ = SipAnswerState::incomplete;
    SipResponse response_;
    std::vector<int> provisional_;
    std::string problem_;
};

}  // namespace certtool::crypto
