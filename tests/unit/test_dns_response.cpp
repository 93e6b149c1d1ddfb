// lib/dns/resolver's reading of DNS responses (read_response): records of the
// type asked, the CNAME chain from the name asked, loops, and the messages it
// must refuse (truncated, a compression pointer out of bounds or in a loop).
// The messages are built byte by byte here, as a server would send them.
#include <catch2/catch.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "dns/resolver.hpp"

using namespace certtool;

namespace {

std::string u16(unsigned v) { return {static_cast<char>((v >> 8) & 0xff), static_cast<char>(v & 0xff)}; }

std::string wire_name(const std::string& name) {
    std::string out;
    std::size_t start = 0;
    while (start < name.size()) {
        auto dot = name.find('.', start);
        if (dot == std::string::npos) dot = name.size();
        out += static_cast<char>(dot - start);
        out += name.substr(start, dot - start);
        start = dot + 1;
    }
    return out + '\0';
}

std::string rr(const std::string& owner, unsigned type, const std::string& rdata) {
    return wire_name(owner) + u16(type) + u16(1) + std::string("\0\0\x01\x2c", 4) + u16(rdata.size()) + rdata;
}

std::string message(const std::string& qname, unsigned qtype, const std::vector<std::string>& answers, bool aa = true) {
    std::string m = u16(0x1234) + u16(aa ? 0x8400 : 0x8000) + u16(1) + u16(answers.size()) + u16(0) + u16(0);
    m += wire_name(qname) + u16(qtype) + u16(1);
    for (const auto& a : answers) m += a;
    return m;
}

dns::Answer read(const std::string& bytes, const std::string& name, dns::RecordType type, bool* ok = nullptr) {
    dns::Answer answer;
    answer.query = {name, type};
    const bool read_ok = dns::read_response(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), answer);
    if (ok) *ok = read_ok;
    return answer;
}

std::string srv_data(unsigned prio, unsigned weight, unsigned port, const std::string& target) {
    return u16(prio) + u16(weight) + u16(port) + wire_name(target);
}

}  // namespace

TEST_CASE("dns response: SRV records with their priority, weight, port and target", "[dns]") {
    const auto bytes = message("_sipfederationtls._tcp.contoso.com", 33,
                               {rr("_sipfederationtls._tcp.contoso.com", 33, srv_data(0, 0, 5061, "sip.contoso.com")),
                                rr("_sipfederationtls._tcp.contoso.com", 33, srv_data(10, 5, 5062, "SIP2.Contoso.com"))});
    bool ok = false;
    const auto a = read(bytes, "_sipfederationtls._tcp.contoso.com.", dns::RecordType::srv, &ok);
    REQUIRE(ok);
    CHECK(a.status == dns::Status::answered);
    CHECK(a.authoritative);
    REQUIRE(a.srv.size() == 2);
    CHECK(a.srv[0] == dns::Srv{0, 0, 5061, "sip.contoso.com"});
    CHECK(a.srv[1] == dns::Srv{10, 5, 5062, "sip2.contoso.com"});  // lower case, no final dot
    CHECK(a.chain.empty());
    CHECK(a.canonical == "_sipfederationtls._tcp.contoso.com");
}

TEST_CASE("dns response: A and AAAA through a CNAME chain, in the order the links lead", "[dns]") {
    // The links out of order in the message, and an A record of another name that is not the answer.
    const auto bytes = message("meet.contoso.com", 1,
                               {rr("webext.contoso.com", 5, wire_name("rp.contoso.com")), rr("meet.contoso.com", 5, wire_name("webext.contoso.com")),
                                rr("rp.contoso.com", 1, std::string("\xc0\x00\x02\x0a", 4)), rr("other.contoso.com", 1, std::string("\x01\x02\x03\x04", 4))},
                               false);
    const auto a = read(bytes, "meet.contoso.com", dns::RecordType::a);
    CHECK(a.status == dns::Status::answered);
    CHECK_FALSE(a.authoritative);
    REQUIRE(a.chain.size() == 2);
    CHECK(a.chain[0].name == "meet.contoso.com");
    CHECK(a.chain[0].target == "webext.contoso.com");
    CHECK(a.chain[1].target == "rp.contoso.com");
    CHECK(a.canonical == "rp.contoso.com");
    CHECK(a.addresses == std::vector<std::string>{"192.0.2.10"});
    CHECK_FALSE(a.cname_loop);

    const auto v6 = read(message("sip.contoso.com", 28, {rr("sip.contoso.com", 28, std::string("\x20\x01\x0d\xb8", 4) + std::string(11, '\0') + "\x01")}),
                         "sip.contoso.com", dns::RecordType::aaaa);
    CHECK(v6.addresses == std::vector<std::string>{"2001:db8::1"});
}

TEST_CASE("dns response: a CNAME loop, a chain left unfollowed, and a CNAME query", "[dns]") {
    const auto loop = read(message("a.contoso.com", 1,
                                   {rr("a.contoso.com", 5, wire_name("b.contoso.com")), rr("b.contoso.com", 5, wire_name("a.contoso.com"))}),
                           "a.contoso.com", dns::RecordType::a);
    CHECK(loop.cname_loop);
    CHECK(loop.status == dns::Status::no_data);
    CHECK(loop.chain.size() == 2);

    const auto open = read(message("lyncdiscover.contoso.com", 1, {rr("lyncdiscover.contoso.com", 5, wire_name("webext.fabrikam.com"))}),
                           "lyncdiscover.contoso.com", dns::RecordType::a);
    CHECK(open.status == dns::Status::no_data);
    CHECK_FALSE(open.cname_loop);
    CHECK(open.canonical == "webext.fabrikam.com");

    const auto cname = read(message("lyncdiscover.contoso.com", 5, {rr("lyncdiscover.contoso.com", 5, wire_name("webext.contoso.com"))}),
                            "lyncdiscover.contoso.com", dns::RecordType::cname);
    CHECK(cname.status == dns::Status::answered);
    REQUIRE(cname.chain.size() == 1);
    CHECK(cname.chain[0].target == "webext.contoso.com");
}

TEST_CASE("dns response: TXT strings of one record are joined", "[dns]") {
    const auto a = read(message("_acme-challenge.contoso.com", 16, {rr("_acme-challenge.contoso.com", 16, std::string("\x03" "abc" "\x02" "de", 7))}),
                        "_acme-challenge.contoso.com", dns::RecordType::txt);
    CHECK(a.txt == std::vector<std::string>{"abcde"});
}

TEST_CASE("dns response: truncated and malformed messages are refused with a reason", "[dns]") {
    const auto good = message("sip.contoso.com", 1, {rr("sip.contoso.com", 1, std::string("\x7f\x00\x00\x02", 4))});
    for (std::size_t cut : {std::size_t{0}, std::size_t{5}, std::size_t{12}, std::size_t{20}, good.size() - 1}) {
        bool ok = true;
        const auto a = read(good.substr(0, cut), "sip.contoso.com", dns::RecordType::a, &ok);
        CAPTURE(cut);
        CHECK_FALSE(ok);
        CHECK(a.detail.find("unreadable DNS response") != std::string::npos);
    }
    // A compression pointer to itself (a loop) and one past the end.
    std::string self = u16(1) + u16(0x8400) + u16(1) + u16(0) + u16(0) + u16(0) + std::string("\xc0\x0c", 2) + u16(1) + u16(1);
    bool ok = true;
    (void)read(self, "x.contoso.com", dns::RecordType::a, &ok);
    CHECK_FALSE(ok);
    std::string past = u16(1) + u16(0x8400) + u16(1) + u16(0) + u16(0) + u16(0) + std::string("\xc0\xff", 2) + u16(1) + u16(1);
    (void)read(past, "x.contoso.com", dns::RecordType::a, &ok);
    CHECK_FALSE(ok);
    // An A record of 3 bytes.
    (void)read(message("sip.contoso.com", 1, {rr("sip.contoso.com", 1, std::string("\x7f\x00\x02", 3))}), "sip.contoso.com", dns::RecordType::a, &ok);
    CHECK_FALSE(ok);
}
