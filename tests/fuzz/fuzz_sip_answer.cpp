// fuzz_sip_answer: what a server sends back to the SIP OPTIONS probe
// (audit's Access Edge check), read by crypto::SipAnswerReader. The input is
// the stream; its first byte also sets the size of the pieces it arrives in
// (1 to 256 bytes), and the reader's byte limit is 4 KiB so that the limit is
// reached too. A bug: a crash, a sanitizer report, an exception, a timeout, or
// a broken promise of sip_message.hpp (checked with __builtin_trap):
//  - read whole or in pieces, the stream ends the reading the same way: same
//    state, status, reason phrase, headers and provisional statuses (a problem
//    may quote less of a line that arrives in pieces);
//  - a final response has a status of 200 to 699, provisional ones 100 to 199;
//  - never more than the limit is kept; too_large only at the limit;
//  - a problem is said exactly for not_sip, in printable ASCII;
//  - once the reading has ended, more bytes change nothing.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "crypto/sip_message.hpp"

using namespace certtool::crypto;

namespace {

constexpr std::size_t kLimit = 4096;

void require(bool promise) {
    if (!promise) __builtin_trap();
}

bool same(const SipAnswerReader& a, const SipAnswerReader& b) {
    return a.state() == b.state() && a.provisional() == b.provisional() &&
           a.response().status == b.response().status && a.response().reason_phrase == b.response().reason_phrase &&
           a.response().headers == b.response().headers;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view stream(reinterpret_cast<const char*>(data), size);
    SipAnswerReader whole(kLimit);
    whole.add(stream);

    const std::size_t piece = size == 0 ? 1 : 1 + data[0];
    SipAnswerReader pieces(kLimit);
    for (std::size_t at = 0; at < stream.size(); at += piece) pieces.add(stream.substr(at, piece));
    require(same(whole, pieces));

    require(whole.size() <= kLimit);
    require(whole.size() == std::min(stream.size(), kLimit) || whole.state() != SipAnswerState::incomplete);
    require(whole.state() != SipAnswerState::too_large || whole.size() == kLimit);
    for (const auto* reader : {&whole, &pieces}) {
        require(reader->problem().empty() == (reader->state() != SipAnswerState::not_sip));
        for (const char c : reader->problem()) require(c >= 0x20 && c < 0x7f);
    }
    for (const int status : whole.provisional()) require(status >= 100 && status <= 199);
    if (whole.state() == SipAnswerState::final_response)
        require(whole.response().status >= 200 && whole.response().status <= 699);

    if (whole.state() != SipAnswerState::incomplete) {
        const SipAnswerState ended = whole.state();
        require(whole.add("SIP/2.0 200 OK\r\n\r\n") == ended);
    }
    return 0;
}
