// The pieces of certtool acme that need no CA: JOSE (JWK thumbprint against
// RFC 7638's example, JWS signatures checked against RFC 7515's example and
// by verifying our own), the dns-01 key authorization and TXT value (checked
// with the openssl CLI), external account binding, problem documents,
// Retry-After, URL and resolver parsing, and the hook runner's time limit.
#include <catch2/catch.hpp>
#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

#include "acme/hook.hpp"
#include "acme/http.hpp"
#include "acme/issue.hpp"
#include "acme/jws.hpp"
#include "acme/problem.hpp"
#include "core/time.hpp"
#include "crypto/jose.hpp"
#include "crypto/keys.hpp"
#include "dns/resolver.hpp"
#include "shell.hpp"

using namespace certtool;
using namespace std::chrono_literals;

namespace {

nlohmann::json decode_json(const std::string& b64) { return nlohmann::json::parse(crypto::base64url_decode(b64)); }

std::string hex(const std::string& bytes) {
    static const char* digits = "0123456789abcdef";
    std::string out;
    for (const unsigned char c : bytes) {
        out += digits[c >> 4];
        out += digits[c & 15];
    }
    return out;
}

}  // namespace

TEST_CASE("acme: base64url round trip, no padding, URL-safe alphabet") {
    CHECK(crypto::base64url_encode("") == "");
    CHECK(crypto::base64url_encode("f") == "Zg");
    CHECK(crypto::base64url_encode("fo") == "Zm8");
    CHECK(crypto::base64url_encode("foo") == "Zm9v");
    CHECK(crypto::base64url_encode(std::string("\xfb\xff\xbf", 3)) == "-_-_");
    for (const std::string& s : std::vector<std::string>{"", "a", "ab", "abc", "abcd", std::string("\0\xff\x10", 3)})
        CHECK(crypto::base64url_decode(crypto::base64url_encode(s)) == s);
    CHECK(crypto::base64url_decode("Zm8=") == "fo");
    CHECK_THROWS_AS(crypto::base64url_decode("Zm+v"), crypto::CryptoError);
    CHECK_THROWS_AS(crypto::base64url_decode("Z"), crypto::CryptoError);
}

TEST_CASE("acme: JWK thumbprint of RFC 7638's example key (section 3.1)") {
    crypto::JwkMembers jwk;
    jwk.kty = "RSA";
    jwk.e = "AQAB";
    jwk.n =
        "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_"
        "RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_"
        "xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";
    CHECK(acme::jwk_json(jwk).dump() == R"({"e":"AQAB","kty":"RSA","n":")" + jwk.n + R"("})");
    CHECK(acme::jwk_thumbprint(jwk) == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
}

TEST_CASE("acme: JWS ES256 verifies RFC 7515's example (appendix A.3) and our own signatures") {
    crypto::JwkMembers example;
    example.kty = "EC";
    example.crv = "P-256";
    example.x = "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU";
    example.y = "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0";
    const std::string input =
        "eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ";
    const std::string signature =
        crypto::base64url_decode("DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q");
    CHECK(crypto::jws_verify(example, "ES256", input, signature));
    CHECK_FALSE(crypto::jws_verify(example, "ES256", input + "x", signature));
    CHECK_FALSE(crypto::jws_verify(example, "ES384", input, signature));

    for (const int bits : {256, 384, 521}) {
        const auto key = crypto::generate_key({crypto::KeyType::ec, bits});
        const auto jwk = crypto::public_jwk(key);
        const auto alg = crypto::jws_algorithm(key);
        CHECK(alg == (bits == 256 ? "ES256" : bits == 384 ? "ES384" : "ES512"));
        const auto sig = crypto::jws_sign(key, "a.b");
        CHECK(sig.size() == 2 * static_cast<std::size_t>((bits + 7) / 8));  // R||S, not DER (RFC 7518 3.4)
        CHECK(crypto::jws_verify(jwk, alg, "a.b", sig));
        CHECK_FALSE(crypto::jws_verify(jwk, alg, "a.c", sig));
    }
    const auto rsa = crypto::generate_key({crypto::KeyType::rsa, 2048});
    CHECK(crypto::jws_algorithm(rsa) == "RS256");
    CHECK(crypto::jws_verify(crypto::public_jwk(rsa), "RS256", "x.y", crypto::jws_sign(rsa, "x.y")));
}

TEST_CASE("acme: a signed request carries alg, nonce, url and either the JWK or the kid, never both") {
    const auto key = crypto::generate_key({crypto::KeyType::ec, 256});
    const auto jwk = crypto::public_jwk(key);

    const auto with_jwk = nlohmann::json::parse(acme::sign_request(key, "https://ca.example/new-acct", "n0nce", "", nlohmann::json{{"a", 1}}));
    const auto header = decode_json(with_jwk["protected"]);
    CHECK(header["alg"] == "ES256");
    CHECK(header["nonce"] == "n0nce");
    CHECK(header["url"] == "https://ca.example/new-acct");
    CHECK(header["jwk"] == acme::jwk_json(jwk));
    CHECK_FALSE(header.contains("kid"));
    CHECK(decode_json(with_jwk["payload"]) == nlohmann::json{{"a", 1}});
    const std::string input = with_jwk["protected"].get<std::string>() + "." + with_jwk["payload"].get<std::string>();
    CHECK(crypto::jws_verify(jwk, "ES256", input, crypto::base64url_decode(with_jwk["signature"].get<std::string>())));

    const auto post_as_get = nlohmann::json::parse(acme::sign_request(key, "https://ca.example/order/1", "n1", "https://ca.example/acct/7", std::nullopt));
    const auto h2 = decode_json(post_as_get["protected"]);
    CHECK(h2["kid"] == "https://ca.example/acct/7");
    CHECK_FALSE(h2.contains("jwk"));
    CHECK(post_as_get["payload"] == "");  // RFC 8555 6.3: POST-as-GET has an empty payload, not "{}"
}

TEST_CASE("acme: dns-01 key authorization and TXT value agree with the openssl CLI") {
    const auto key = crypto::generate_key({crypto::KeyType::ec, 256});
    const std::string thumbprint = acme::jwk_thumbprint(crypto::public_jwk(key));
    CHECK(thumbprint.size() == 43);  // 32 bytes, unpadded
    const std::string token = "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA";
    const std::string authorization = acme::key_authorization(token, thumbprint);
    CHECK(authorization == token + "." + thumbprint);
    const std::string value = acme::dns01_txt_value(authorization);
    const auto openssl = test::run_shell("printf %s '" + authorization +
                                         "' | openssl dgst -sha256 -binary | openssl base64 -A | tr '+/' '-_' | tr -d '='");
    REQUIRE(openssl.status == 0);
    CHECK(value == openssl.text);
    CHECK(value.size() == 43);
}

TEST_CASE("acme: HMAC-SHA256 (RFC 4231 case 2) and the external account binding JWS") {
    CHECK(hex(crypto::hmac_sha256("Jefe", "what do ya want for nothing?")) ==
          "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");

    const auto key = crypto::generate_key({crypto::KeyType::ec, 256});
    const auto jwk = crypto::public_jwk(key);
    const std::string mac_key = crypto::base64url_decode("zWNDZM6eQGHWpSRTPal5eIUYFTu7EajVIoguysqZ9wG44nMEtx3MUAsUDkMTQ12W");
    const auto eab = acme::external_account_binding(jwk, "kid-1", mac_key, "https://ca.example/new-acct");
    const auto header = decode_json(eab["protected"]);
    CHECK(header == nlohmann::json{{"alg", "HS256"}, {"kid", "kid-1"}, {"url", "https://ca.example/new-acct"}});
    CHECK(decode_json(eab["payload"]) == acme::jwk_json(jwk));
    const std::string input = eab["protected"].get<std::string>() + "." + eab["payload"].get<std::string>();
    const auto openssl = test::run_shell("printf %s '" + input + "' | openssl dgst -sha256 -mac HMAC -macopt hexkey:" + hex(mac_key) +
                                         " -binary | openssl base64 -A | tr '+/' '-_' | tr -d '='");
    REQUIRE(openssl.status == 0);
    CHECK(eab["signature"] == openssl.text);
    // The binding never carries the MAC key itself.
    CHECK(eab.dump().find(crypto::base64url_encode(mac_key)) == std::string::npos);
}

TEST_CASE("acme: problem documents map to stable codes and clear messages") {
    CHECK(acme::problem_code("urn:ietf:params:acme:error:rateLimited") == "acme.rate-limited");
    CHECK(acme::problem_code("urn:ietf:params:acme:error:badCSR") == "acme.bad-csr");
    CHECK(acme::problem_code("urn:ietf:params:acme:error:badNonce") == "acme.bad-nonce");
    CHECK(acme::problem_code("urn:ietf:params:acme:error:unauthorized") == "acme.unauthorized");
    CHECK(acme::problem_code("urn:ietf:params:acme:error:dns") == "acme.dns");
    CHECK(acme::problem_code("urn:ietf:params:acme:error:caa") == "acme.caa");
    CHECK(acme::problem_code("urn:ietf:params:acme:error:serverInternal") == "acme.server-error");
    CHECK(acme::problem_code("urn:ietf:params:acme:error:externalAccountRequired") == "acme.external-account-required");
    CHECK(acme::problem_code("urn:ietf:params:acme:error:accountDoesNotExist") == "acme.account-does-not-exist");
    CHECK(acme::problem_code("urn:ietf:params:acme:error:userActionRequired") == "acme.user-action-required");
    CHECK(acme::problem_code("urn:ietf:params:acme:error:bad/../x") == "acme.problem");
    CHECK(acme::problem_code("about:blank") == "acme.problem");

    const auto p = acme::parse_problem(R"({"type":"urn:ietf:params:acme:error:rejectedIdentifier","detail":"Some \u001b[31mnames\nrefused",
        "status":400,"subproblems":[{"type":"urn:ietf:params:acme:error:caa","detail":"CAA forbids","identifier":{"type":"dns","value":"sip.contoso.com"}}]})",
                                       403);
    REQUIRE(p);
    CHECK(p->status == 400);
    REQUIRE(p->subproblems.size() == 1);
    CHECK(p->subproblems[0].identifier == "sip.contoso.com");
    const std::string message = acme::problem_message(*p);
    CHECK(message.find("will not issue") != std::string::npos);
    CHECK(message.find("\\x1b[31m") != std::string::npos);  // the escape is shown, not obeyed
    CHECK(message.find('\x1b') == std::string::npos);
    CHECK(message.find("sip.contoso.com: acme.caa CAA forbids") != std::string::npos);

    CHECK_FALSE(acme::parse_problem("<html>Bad gateway</html>", 502));
    CHECK_FALSE(acme::parse_problem(R"({"detail":"no type"})", 400));
    CHECK(acme::problem_message(*acme::parse_problem(R"({"type":"urn:ietf:params:acme:error:rateLimited","detail":"too many"})", 429))
              .find("rate limit") != std::string::npos);
}

TEST_CASE("acme: Retry-After as seconds or an HTTP date") {
    const auto now = *parse_utc("2026-05-01T10:00:00Z");
    CHECK(acme::parse_retry_after("120", now) == now + 120s);
    CHECK(acme::parse_retry_after(" 0 ", now) == now);
    CHECK(acme::parse_retry_after("Fri, 01 May 2026 10:05:00 GMT", now) == now + 5min);
    CHECK(acme::parse_retry_after("Thu, 30 Apr 2026 10:05:00 GMT", now) == now);  // in the past: now
    CHECK_FALSE(acme::parse_retry_after("", now));
    CHECK_FALSE(acme::parse_retry_after("soon", now));
    CHECK_FALSE(acme::parse_retry_after("-5", now));
    CHECK_FALSE(acme::parse_retry_after("Fri, 01 May 2026 10:05:00 CEST", now));
}

TEST_CASE("acme: only https URLs, or http on this machine") {
    CHECK(acme::url_refusal("https://acme-v02.api.letsencrypt.org/directory").empty());
    CHECK(acme::url_refusal("http://127.0.0.1:4000/dir").empty());
    CHECK(acme::url_refusal("http://127.9.8.7/dir").empty());
    CHECK(acme::url_refusal("http://[::1]:4000/dir").empty());
    CHECK_FALSE(acme::url_refusal("http://ca.example/dir").empty());
    CHECK_FALSE(acme::url_refusal("http://localhost.example.com/dir").empty());
    CHECK_FALSE(acme::url_refusal("ftp://127.0.0.1/dir").empty());
    CHECK_FALSE(acme::url_refusal("file:///etc/passwd").empty());
    CHECK_FALSE(acme::url_refusal("not a url").empty());
}

TEST_CASE("acme: --dns-resolver takes IP[:PORT] for IPv4 and IPv6") {
    CHECK(dns::parse_server("192.0.2.53")->text() == "192.0.2.53:53");
    CHECK(dns::parse_server("127.0.0.1:5353")->port == 5353);
    CHECK(dns::parse_server("2001:db8::53")->text() == "[2001:db8::53]:53");
    CHECK(dns::parse_server("[::1]:5300")->text() == "[::1]:5300");
    CHECK_FALSE(dns::parse_server("ns1.contoso.com"));
    CHECK_FALSE(dns::parse_server("127.0.0.1:0"));
    CHECK_FALSE(dns::parse_server("127.0.0.1:65536"));
    CHECK_FALSE(dns::parse_server("[::1]5300"));
    CHECK_FALSE(dns::parse_server(""));
}

TEST_CASE("acme: a DNS server that does not answer is a timeout within the deadline") {
    dns::Options options;
    options.servers = {*dns::parse_server("127.0.0.1:9")};  // discard: nothing answers there
    options.query_timeout = 200ms;
    options.tries = 1;
    options.deadline = 600ms;
    const auto start = std::chrono::steady_clock::now();
    const auto answers = dns::resolve({{"_acme-challenge.sip.contoso.com.", dns::RecordType::txt}}, options);
    CHECK(std::chrono::steady_clock::now() - start < 2s);
    REQUIRE(answers.size() == 1);
    CHECK((answers[0].status == dns::Status::timeout || answers[0].status == dns::Status::unreachable));
}

TEST_CASE("acme: profiles that drop the CN or cap the names are warned about") {
    model::CertificateRequirement c;
    c.id = "edge-external.lsedge-contoso-net";
    c.common_name = "sip.contoso.com";
    for (int i = 0; i < 30; ++i) c.sans.push_back({"sip" + std::to_string(i) + ".contoso.com", ""});
    CHECK(acme::profile_warnings("classic", c).empty());
    const auto warnings = acme::profile_warnings("tlsserver", c);
    REQUIRE(warnings.size() == 2);
    CHECK(warnings[0].find("without a Common Name") != std::string::npos);
    CHECK(warnings[1].find("at most 25 names and the plan has 30") != std::string::npos);
    CHECK(acme::profile_warnings("some-ca-profile", c).empty());
}

TEST_CASE("acme: the hook runner captures output, and kills a hook that hangs with its process group") {
    const auto ok = acme::run_hook("/bin/sh", {"-c", "echo present \"$1\"; echo oops >&2", "hook", "_acme-challenge.x."}, 5s);
    CHECK(ok.ok());
    CHECK(ok.output.find("present _acme-challenge.x.") != std::string::npos);
    CHECK(ok.output.find("oops") != std::string::npos);

    const auto failed = acme::run_hook("/bin/sh", {"-c", "echo cannot reach the server; exit 3"}, 5s);
    CHECK_FALSE(failed.ok());
    CHECK(failed.exit_code == 3);
    CHECK(acme::output_tail(failed.output) == "    cannot reach the server\n");

    // A hook that starts a child and waits for it: both are killed at the limit.
    const auto start = std::chrono::steady_clock::now();
    const auto hung = acme::run_hook("/bin/sh", {"-c", "sleep 30 & wait"}, 300ms);
    CHECK(hung.timed_out);
    CHECK_FALSE(hung.ok());
    CHECK(std::chrono::steady_clock::now() - start < 3s);

    const auto secret = "CERTTOOL_TEST_EAB_SECRET";
    ::setenv(secret, "do-not-leak", 1);
    const auto env = acme::run_hook("/bin/sh", {"-c", "echo \"[${CERTTOOL_TEST_EAB_SECRET:-}]\""}, 5s, {secret});
    ::unsetenv(secret);
    CHECK(env.output == "[]\n");

    CHECK(acme::find_hook_program("sh") != "");
    CHECK(acme::find_hook_program("/nonexistent/hook") == "");
}
