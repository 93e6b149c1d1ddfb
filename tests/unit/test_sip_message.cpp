// The SIP side of the OPTIONS probe (lib/crypto/sip_message): the request it
// sends and the reader of what a server answers, fed whole and in pieces.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "crypto/sip_message.hpp"

namespace {

using certtool::crypto::kMaxSipAnswerBytes;
using certtool::crypto::sip_options_request;
using certtool::crypto::SipAnswerReader;
using certtool::crypto::SipAnswerState;
using certtool::crypto::SipOptionsRequest;

SipAnswerReader read_whole(const std::string& bytes, std::size_t max = kMaxSipAnswerBytes) {
    SipAnswerReader reader(max);
    reader.add(bytes);
    return reader;
}

SipAnswerReader read_bytewise(const std::string& bytes) {
    SipAnswerReader reader;
    for (const char c : bytes) reader.add(std::string(1, c));
    return reader;
}

const char* name(SipAnswerState s) {
    switch (s) {
    case SipAnswerState::incomplete: return "incomplete";
    case SipAnswerState::final_response: return "final_response";
    case SipAnswerState::not_sip: return "not_sip";
    case SipAnswerState::too_large: return "too_large";
    }
    return "?";
}

const std::string kOk = "SIP/2.0 200 OK\r\n"
                        "Via: SIP/2.0/TLS 127.0.0.1:40000;branch=z9hG4bKabc;rport=40000;received=127.0.0.1\r\n"
                        "From: <sip:certtool@127.0.0.1>;tag=1\r\n"
                        "To: <sip:sip.contoso.com>;tag=2\r\n"
                        "Call-ID: 42\r\n"
                        "CSeq: 1 OPTIONS\r\n"
                        "Server: RTC/6.0\r\n"
                        "Content-Length: 0\r\n"
                        "\r\n";

}  // namespace

TEST_CASE("sip: the OPTIONS request is the RFC 3261 one, byte for byte", "[sip]") {
    SipOptionsRequest r;
    r.request_uri_host = "sip.contoso.com";
    r.local_host = "127.0.0.1";
    r.local_port = 40000;
    r.branch = "b1";
    r.from_tag = "t1";
    r.call_id = "c1";

    CHECK(sip_options_request(r) == "OPTIONS sip:sip.contoso.com SIP/2.0\r\n"
                                    "Via: SIP/2.0/TLS 127.0.0.1:40000;branch=z9hG4bKb1;rport\r\n"
                                    "Max-Forwards: 70\r\n"
                                    "From: <sip:certtool@127.0.0.1>;tag=t1\r\n"
                                    "To: <sip:sip.contoso.com>\r\n"
                                    "Call-ID: c1\r\n"
                                    "CSeq: 1 OPTIONS\r\n"
                                    "Contact: <sip:certtool@127.0.0.1:40000;transport=tls>\r\n"
                                    "Accept: application/sdp\r\n"
                                    "User-Agent: certtool\r\n"
                                    "Content-Length: 0\r\n"
                                    "\r\n");
}

TEST_CASE("sip: IPv6 hosts are bracketed in the request", "[sip]") {
    SipOptionsRequest r;
    r.request_uri_host = "2001:db8::5";
    r.local_host = "[::1]";
    r.local_port = 5;
    r.branch = "b";
    r.from_tag = "t";
    r.call_id = "c";
    const std::string request = sip_options_request(r);
    INFO(request);
    CHECK(request.rfind("OPTIONS sip:[2001:db8::5] SIP/2.0\r\n", 0) == 0);
    CHECK(request.find("Via: SIP/2.0/TLS [::1]:5;branch=z9hG4bKb;rport\r\n") != std::string::npos);
    CHECK(request.find("To: <sip:[2001:db8::5]>\r\n") != std::string::npos);
    CHECK(request.find("Contact: <sip:certtool@[::1]:5;transport=tls>\r\n") != std::string::npos);
}

TEST_CASE("sip: a 200 OK is read: status, reason phrase, headers", "[sip]") {
    for (const auto& reader : {read_whole(kOk), read_bytewise(kOk)}) {
        REQUIRE(name(reader.state()) == std::string("final_response"));
        CHECK(reader.response().status == 200);
        CHECK(reader.response().reason_phrase == "OK");
        REQUIRE(reader.response().header("server") != nullptr);
        CHECK(*reader.response().header("Server") == "RTC/6.0");
        CHECK(*reader.response().header("CSEQ") == "1 OPTIONS");
        CHECK(reader.response().header("Supported") == nullptr);
        CHECK(reader.provisional().empty());
    }
}

TEST_CASE("sip: status lines: reason phrases with spaces, none at all, any case of SIP, bare LF", "[sip]") {
    auto r = read_whole("SIP/2.0 503 Service Unavailable\r\n\r\n");
    CHECK(r.state() == SipAnswerState::final_response);
    CHECK(r.response().status == 503);
    CHECK(r.response().reason_phrase == "Service Unavailable");

    r = read_whole("SIP/2.0 403\r\nContent-Length: 0\r\n\r\n");
    CHECK(r.state() == SipAnswerState::final_response);
    CHECK(r.response().status == 403);
    CHECK(r.response().reason_phrase.empty());

    r = read_whole("sip/2.0 488 Not Acceptable Here\nServer: x\n\n");
    CHECK(r.state() == SipAnswerState::final_response);
    CHECK(r.response().status == 488);
    CHECK(*r.response().header("Server") == "x");

    // CRLF keep-alives before the response are passed over (RFC 5626 4.4.1).
    r = read_whole("\r\n\r\n\r\nSIP/2.0 200 OK\r\n\r\n");
    CHECK(r.state() == SipAnswerState::final_response);
    CHECK(r.response().status == 200);
}

TEST_CASE("sip: folded and compact headers", "[sip]") {
    const std::string folded = "SIP/2.0 200 OK\r\n"
                               "Server: Microsoft\r\n"
                               "   Lync  \r\n"
                               "\tServer 2013\r\n"
                               "v: SIP/2.0/TLS 127.0.0.1:5;branch=z9hG4bKa\r\n"
                               "i: abc\r\n"
                               "Content-Length : 0\r\n"
                               "\r\n";
    for (const auto& r : {read_whole(folded), read_bytewise(folded)}) {
        REQUIRE(r.state() == SipAnswerState::final_response);
        CHECK(*r.response().header("Server") == "Microsoft Lync Server 2013");
        REQUIRE(r.response().header("Via") != nullptr);
        CHECK(*r.response().header("Via") == "SIP/2.0/TLS 127.0.0.1:5;branch=z9hG4bKa");
        CHECK(*r.response().header("v") == *r.response().header("Via"));
        CHECK(*r.response().header("Call-ID") == "abc");
        CHECK(*r.response().header("l") == "0");
        CHECK(r.response().headers.front().first == "Server");
        CHECK(r.response().headers[1].first == "Via");  // the full name, whatever came
    }
}

TEST_CASE("sip: provisional responses are passed over, bodies and all, up to the final one", "[sip]") {
    // The 183's body looks like a final response: only its length says it is not one.
    const std::string body = "SIP/2.0 404 Not Found\r\n\r\n";
    const std::string stream = "SIP/2.0 100 Trying\r\nl: 0\r\n\r\n"
                               "SIP/2.0 183 Session Progress\r\nContent-Length: " + std::to_string(body.size()) +
                               "\r\n\r\n" + body +
                               "\r\n"  // a keep-alive between messages
                               "SIP/2.0 180 Ringing\r\n\r\n" + kOk;
    for (const auto& r : {read_whole(stream), read_bytewise(stream)}) {
        REQUIRE(name(r.state()) == std::string("final_response"));
        CHECK(r.response().status == 200);
        CHECK(r.provisional() == std::vector<int>{100, 183, 180});
    }
    // Only the provisional ones so far: more is needed.
    const auto r = read_whole("SIP/2.0 100 Trying\r\nContent-Length: 0\r\n\r\n");
    CHECK(r.state() == SipAnswerState::incomplete);
    CHECK(r.provisional() == std::vector<int>{100});
}

TEST_CASE("sip: a request the server sends first is passed over", "[sip]") {
    const auto r = read_whole("OPTIONS sip:certtool@127.0.0.1:40000 SIP/2.0\r\nContent-Length: 3\r\n\r\nabc" + kOk);
    REQUIRE(r.state() == SipAnswerState::final_response);
    CHECK(r.response().status == 200);
}

TEST_CASE("sip: garbage is not SIP, said as soon as the first bytes show it", "[sip]") {
    struct Case {
        std::string bytes;
        std::string quoted;  // what the problem must quote
    };
    const std::vector<Case> cases = {
        {"HTTP/", "\"HTTP/\"..."},  // an HTTPS server: known before the line ends
        {"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n", "\"HTTP/1.1 400 Bad Request\""},
        {std::string("\x15\x03\x03\x00\x02\x02\x28", 7), "\"\\x15\\x03\\x03\\x00\\x02\\x02(\"..."},
        {"SIP/2.0 2OO OK\r\n\r\n", "\"SIP/2.0 2OO OK\""},
        {"SIP/2.0 700 Nope\r\n\r\n", "\"SIP/2.0 700 Nope\""},
        {"SIP/2.0 099 Low\r\n\r\n", "\"SIP/2.0 099 Low\""},
        {"SIP/2.0 2000 OK\r\n\r\n", "\"SIP/2.0 2000 OK\""},
        {"SIP/2.0\r\n\r\n", "\"SIP/2.0\""},
        {"SIP/3.0 200 OK\r\n\r\n", "\"SIP/3.0 200 OK\""},
        {"OPTIONS sip:x HTTP/1.1\r\n\r\n", "\"OPTIONS sip:x HTTP/1.1\""},
        {" SIP/2.0 200 OK\r\n\r\n", "\" SIP/2.0 200 OK\""},
        {"SIP/2.0 200 OK\r\nthis is not a header\r\n\r\n", "\"this is not a header\""},
        {"SIP/2.0 200 OK\r\n: empty name\r\n\r\n", "\": empty name\""},
        {"SIP/2.0 200 OK\r\n continues nothing\r\n\r\n", "\" continues nothing\""},
        {"SIP/2.0 100 Trying\r\nContent-Length: -1\r\n\r\n", "\"-1\""},
        {"SIP/2.0 100 Trying\r\nContent-Length: 99999999999\r\n\r\n", "\"99999999999\""},
    };
    for (const auto& c : cases) {
        const auto r = read_whole(c.bytes);
        INFO(c.bytes << " -> " << r.problem());
        CHECK(name(r.state()) == std::string("not_sip"));
        CHECK(r.problem().find(c.quoted) != std::string::npos);
        for (const char ch : r.problem()) CHECK((ch >= 0x20 && ch < 0x7f));
    }
}

TEST_CASE("sip: a truncated answer is incomplete, not an error", "[sip]") {
    for (const std::string& part : {std::string(""), std::string("\r\n"), std::string("S"), std::string("SIP/2"),
                                    std::string("SIP/2.0 200 OK"), std::string("SIP/2.0 200 OK\r\n"),
                                    std::string("SIP/2.0 200 OK\r\nVia: x\r\n"), std::string("SIP/2.0 200 OK\r\nVia: x\r\n\r"),
                                    std::string("SIP/2.0 100 Trying\r\nContent-Length: 10\r\n\r\nabc"),
                                    std::string("OPTIONS sip:x SIP/2.0")}) {
        INFO(part);
        const auto r = read_whole(part);
        CHECK(name(r.state()) == std::string("incomplete"));
        CHECK(r.problem().empty());
    }
    // Every prefix of a good answer is incomplete; the whole of it is not.
    for (std::size_t n = 0; n < kOk.size(); ++n) {
        INFO(n);
        CHECK(read_whole(kOk.substr(0, n)).state() == SipAnswerState::incomplete);
    }
}

TEST_CASE("sip: an answer over the byte limit is too large; at the limit it is read", "[sip]") {
    const std::string padding = "X-Padding: " + std::string(1000, 'p') + "\r\n";
    std::string huge = "SIP/2.0 200 OK\r\n";
    while (huge.size() < kMaxSipAnswerBytes + 10'000) huge += padding;
    huge += "\r\n";

    auto r = read_whole(huge);
    CHECK(name(r.state()) == std::string("too_large"));
    CHECK(r.size() == kMaxSipAnswerBytes);

    SipAnswerReader pieces;
    for (std::size_t at = 0; at < huge.size(); at += 1000) pieces.add(std::string_view(huge).substr(at, 1000));
    CHECK(name(pieces.state()) == std::string("too_large"));

    // Provisional responses count too: an endless stream of 100 Trying never ends the reading.
    std::string trying;
    while (trying.size() < kMaxSipAnswerBytes + 100) trying += "SIP/2.0 100 Trying\r\nContent-Length: 0\r\n\r\n";
    r = read_whole(trying);
    CHECK(name(r.state()) == std::string("too_large"));

    // An answer of exactly the limit's size is whole.
    r = read_whole(kOk, kOk.size());
    CHECK(name(r.state()) == std::string("final_response"));
    r = read_whole(kOk, kOk.size() - 1);
    CHECK(name(r.state()) == std::string("too_large"));
}

TEST_CASE("sip: the reader stops at the final response and keeps it", "[sip]") {
    SipAnswerReader reader;
    CHECK(reader.add(kOk) == SipAnswerState::final_response);
    CHECK(reader.add("HTTP/1.1 garbage after it") == SipAnswerState::final_response);
    CHECK(reader.response().status == 200);
}
