// probe_sip_options: fetch_all's event loop (session::run) with a Conversation
// that sends an OPTIONS request and reads the answer with a SipAnswerReader,
// then one SipProbeResult per target from what the loop and the reader saw.
#include "crypto/sip_probe.hpp"

#include <arpa/inet.h>

#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <cctype>

#include "core/plural.hpp"
#include "core/printable.hpp"
#include "crypto/openssl_util.hpp"
#include "crypto/sip_message.hpp"
#include "crypto/tls_session.hpp"

namespace certtool::crypto {

namespace {

std::string strip_brackets(const std::string& host) {
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') return host.substr(1, host.size() - 2);
    return host;
}

// A host that can stand in a SIP URI as it is: an IP literal, or a name of
// letters, digits, '-', '_' and dots (nothing that could end the request line
// or add a header).
bool usable_host(const std::string& host) {
    std::array<unsigned char, 16> address{};
    if (::inet_pton(AF_INET6, host.c_str(), address.data()) == 1) return true;
    if (host.empty() || host.size() > 253 || host.front() == '.') return false;
    return std::all_of(host.begin(), host.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_' || c == '.';
    });
}

std::string request_uri_host(const SipProbeTarget& t) {
    if (!t.request_uri_host.empty()) return strip_brackets(t.request_uri_host);
    if (!t.sni.empty()) return t.sni;
    return strip_brackets(t.address);
}

std::string endpoint(const SipProbeTarget& t) {
    const std::string host = strip_brackets(t.address);
    return (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" + std::to_string(t.port);
}

// RFC 3261 8.1.1.4 and 8.1.1.7: Call-ID and branch unique over space and
// time, a tag random; from the CSPRNG, as hex.
std::string random_token(std::size_t bytes) {
    std::array<unsigned char, 16> random{};
    bytes = std::min(bytes, random.size());
    if (RAND_bytes(random.data(), static_cast<int>(bytes)) != 1)
        throw ossl::error("tls.init", "cannot make the random Call-ID, tag and branch of a SIP request");
    static const char* hex = "0123456789abcdef";
    std::string out;
    for (std::size_t i = 0; i < bytes; ++i) {
        out += hex[random[i] >> 4];
        out += hex[random[i] & 15];
    }
    return out;
}

class OptionsConversation final : public session::Conversation {
public:
    OptionsConversation(const std::vector<const SipProbeTarget*>& targets, std::size_t max_bytes)
        : targets_(targets), readers_(targets.size(), SipAnswerReader(max_bytes)) {}

    std::string opening(std::size_t index, const std::string& local_host, int local_port) override {
        SipOptionsRequest r;
        r.request_uri_host = request_uri_host(*targets_[index]);
        r.local_host = local_host;
        r.local_port = local_port;
        r.branch = random_token(12);
        r.from_tag = random_token(8);
        r.call_id = random_token(16);
        return sip_options_request(r);
    }

    bool answered(std::size_t index, std::string_view bytes) override {
        return readers_[index].add(bytes) != SipAnswerState::incomplete;
    }

    [[nodiscard]] const SipAnswerReader& reader(std::size_t index) const { return readers_[index]; }

private:
    const std::vector<const SipProbeTarget*>& targets_;
    std::vector<SipAnswerReader> readers_;
};

std::string mutual_tls(const std::string& where, const std::string& what) {
    return where + " asked for a client certificate and, when none came, " + what +
           ": expected of a federation peer (an Access Edge on 5061 authenticates its partners by mutual TLS), "
           "not a failure of the Edge; its certificate chain is reported";
}

// The result of a target whose connection was made (or tried) by the loop.
SipProbeResult result_of(const SipProbeTarget& target, session::Outcome& o, const SipAnswerReader& reader) {
    SipProbeResult r;
    r.target = target;
    r.client_certificate_requested = o.client_certificate_requested;
    r.chain = std::move(o.fetch.chain);
    r.protocol = std::move(o.fetch.protocol);
    r.elapsed = o.fetch.elapsed;
    const std::string where = "the server at " + endpoint(target);
    const auto fail = [&](const char* code, const std::string& message) {
        r.error_code = code;
        r.message = message;
        return std::move(r);
    };

    if (!o.fetch.ok) {
        if (o.client_certificate_requested &&
            (o.fetch.error_code == "tls.handshake-failed" || o.fetch.error_code == "tls.reset"))
            return fail("sip.client-certificate-required", mutual_tls(where, "failed the handshake (" + o.fetch.message + ")"));
        return fail(o.fetch.error_code.c_str(), o.fetch.message);
    }
    if (!o.handshake_completed)  // fetch_all's "ok": a server wanting MTLS ended the handshake after its chain
        return fail("sip.client-certificate-required", mutual_tls(where, "ended the handshake"));

    const std::string partial =
        reader.size() == 0 ? "" : " (" + plural(reader.size(), "byte", "bytes") + " of an incomplete response came)";
    switch (o.ending) {
    case session::Ending::answered:
        break;
    case session::Ending::timeout:
    case session::Ending::deadline:
    case session::Ending::not_started:
        return fail("sip.no-answer", "TLS is up with " + endpoint(target) + ", but no SIP response came: " + o.detail +
                                         (o.client_certificate_requested ? "; the server had asked for a client certificate" : ""));
    case session::Ending::closed:
    case session::Ending::reset:
    case session::Ending::alert:
    case session::Ending::failed:
        if (o.client_certificate_requested)
            return fail("sip.client-certificate-required", mutual_tls(where, "closed the connection without answering (" + o.detail + ")"));
        return fail("sip.closed", where + " did not answer the OPTIONS request: " + o.detail + partial);
    case session::Ending::too_much_data:
        return fail("sip.too-much-data", where + " sent " + o.detail);
    }

    switch (reader.state()) {
    case SipAnswerState::final_response: {
        const SipResponse& response = reader.response();
        r.answered = true;
        r.status = response.status;
        r.provisional = reader.provisional();
        r.reason_phrase = printable(response.reason_phrase, 200);
        if (const std::string* server = response.header("Server")) r.server_header = printable(*server, 200);
        if (o.client_certificate_requested)
            r.message = where + " asked for a client certificate and answered without one";
        return r;
    }
    case SipAnswerState::not_sip:
        return fail("sip.not-sip", where + " does not speak SIP over TLS: " + reader.problem());
    case SipAnswerState::too_large:
    case SipAnswerState::incomplete:
        break;
    }
    return fail("sip.too-much-data", where + " sent " + plural(reader.size(), "byte", "bytes") +
                                         " without the end of a final SIP response's headers (the limit is max_answer_bytes)");
}

}  // namespace

std::vector<SipProbeResult> probe_sip_options(const std::vector<SipProbeTarget>& targets, const FetchLimits& limits) {
    std::vector<SipProbeResult> results(targets.size());
    std::vector<const SipProbeTarget*> probed;
    std::vector<std::size_t> probed_index;
    std::vector<FetchTarget> fetch_targets;
    for (std::size_t i = 0; i < targets.size(); ++i) {
        const SipProbeTarget& t = targets[i];
        results[i].target = t;
        if (!usable_host(request_uri_host(t))) {
            results[i].error_code = "sip.bad-target";
            results[i].message = "'" + printable(request_uri_host(t), 80) + "' (for " + printable(endpoint(t), 80) +
                                 ") cannot be the host of a SIP Request-URI: not a host name or IP address";
            continue;
        }
        probed.push_back(&t);
        probed_index.push_back(i);
        fetch_targets.push_back(FetchTarget{t.address, t.port, t.sni});
    }
    OptionsConversation conversation(probed, limits.max_answer_bytes == 0 ? 1 : limits.max_answer_bytes);
    auto outcomes = session::run(fetch_targets, limits, &conversation);
    for (std::size_t k = 0; k < outcomes.size(); ++k)
        results[probed_index[k]] = result_of(*probed[k], outcomes[k], conversation.reader(k));
    return results;
}

}  // namespace certtool::crypto
