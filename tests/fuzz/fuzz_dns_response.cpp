// fuzz_dns_response: a DNS response as a server (or anyone who can reach the
// audit's UDP port) sends it, read by lib/dns's read_response for each record
// type. The first byte picks the type asked; the rest is the message. A bug: a
// crash, a sanitizer report, an exception, or a broken promise of
// resolver.hpp (checked with __builtin_trap):
//  - a refusal always says why;
//  - the chain starts at the name asked, each link starts where the last ended,
//    it ends at `canonical`, and is at most kMaxCnameChain + 1 links long;
//  - without a loop, no name appears twice in the chain;
//  - `answered` means records of the type asked (the chain, for CNAME);
//  - names are lower case without a final dot; SRV ports fit 16 bits.
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>

#include "dns/resolver.hpp"

using namespace certtool;

namespace {

void require(bool promise) {
    if (!promise) __builtin_trap();
}

bool canonical(const std::string& name) {
    if (!name.empty() && name.back() == '.') return false;
    for (const char c : name)
        if (c >= 'A' && c <= 'Z') return false;
    return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    static const dns::RecordType types[] = {dns::RecordType::a, dns::RecordType::aaaa, dns::RecordType::cname, dns::RecordType::srv,
                                            dns::RecordType::txt};
    dns::Answer answer;
    answer.query = {"sip.contoso.com", types[data[0] % 5]};
    const bool ok = dns::read_response(data + 1, size - 1, answer);
    if (!ok) {
        require(!answer.detail.empty());
        return 0;
    }
    require(answer.chain.size() <= dns::kMaxCnameChain + 1);
    std::string at = "sip.contoso.com";
    std::set<std::string> seen{at};
    for (std::size_t i = 0; i < answer.chain.size(); ++i) {
        const auto& link = answer.chain[i];
        require(link.name == at);
        require(canonical(link.target));
        at = link.target;
        const bool fresh = seen.insert(at).second;
        require(fresh || (answer.cname_loop && i + 1 == answer.chain.size()));
    }
    require(answer.canonical == at);
    if (answer.status == dns::Status::answered) {
        if (answer.query.type == dns::RecordType::cname)
            require(!answer.chain.empty());
        else
            require(!answer.addresses.empty() || !answer.srv.empty() || !answer.txt.empty());
    }
    for (const auto& s : answer.srv) {
        require(canonical(s.target));
        require(s.port >= 0 && s.port <= 65535);
    }
    return 0;
}
