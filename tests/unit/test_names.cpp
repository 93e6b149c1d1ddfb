#include <catch2/catch.hpp>

#include <string>
#include <thread>
#include <vector>

#include "names/names.hpp"

using namespace certtool::names;

namespace {

// The error sentence for an invalid name; fails the test if the name is accepted.
std::string why_invalid(std::string_view text, bool allow_wildcard = false) {
    std::string why;
    auto result = normalize_fqdn(text, allow_wildcard, &why);
    INFO("input: " << text);
    CHECK_FALSE(result.has_value());
    CHECK_FALSE(why.empty());
    return why;
}

}  // namespace

TEST_CASE("names: normalize_fqdn lower-cases and removes one trailing dot", "[names]") {
    std::string why;
    CHECK(normalize_fqdn("Pool01.Contoso.NET", false, &why) == "pool01.contoso.net");
    CHECK(normalize_fqdn("sip.contoso.com.", false, &why) == "sip.contoso.com");
    CHECK(normalize_fqdn("a-b.c0ntoso.com", false, &why) == "a-b.c0ntoso.com");
    CHECK(normalize_fqdn("1pool.contoso.com", false, &why) == "1pool.contoso.com");
    CHECK(normalize_fqdn("xn--bcher-kva.de", false, &why) == "xn--bcher-kva.de");
    CHECK(normalize_fqdn("XN--BCHER-KVA.example", false, &why) == "xn--bcher-kva.example");
    CHECK(normalize_fqdn("*.Contoso.com.", true, &why) == "*.contoso.com");
    // A nullptr for `why` is allowed.
    CHECK_FALSE(normalize_fqdn("bad_name.contoso.com", false, nullptr).has_value());
}

TEST_CASE("names: normalize_fqdn limits: 63-octet labels and 253-octet names", "[names]") {
    std::string why;
    const std::string label63(63, 'a');
    CHECK(normalize_fqdn(label63 + ".contoso.com", false, &why) == label63 + ".contoso.com");

    CHECK(why_invalid(std::string(64, 'a') + ".contoso.com") ==
          "label 'aaaaaaaaaaaaaaaaaaaa...' is 64 characters long (at most 63)");

    // 4 * 62 + 3 dots = 251, + ".a" = 253: the longest allowed name.
    const std::string l62(62, 'b');
    const std::string name253 = l62 + "." + l62 + "." + l62 + "." + l62 + ".a";
    REQUIRE(name253.size() == 253);
    CHECK(normalize_fqdn(name253, false, &why) == name253);
    CHECK(normalize_fqdn(name253 + ".", false, &why) == name253);  // the trailing dot does not count
    CHECK(why_invalid(name253 + "c") == "name is 254 characters long (at most 253)");
    CHECK(why_invalid(std::string(260, 'a')).find("260 characters long (at most 253)") != std::string::npos);
}

TEST_CASE("names: normalize_fqdn rejects invalid characters with a clear sentence", "[names]") {
    CHECK(why_invalid("sip_01.contoso.com") == "label 'sip_01' contains '_' (only letters, digits and hyphens are allowed)");
    CHECK(why_invalid("my pool.contoso.com") ==
          "label 'my pool' contains a space (only letters, digits and hyphens are allowed)");
    CHECK(why_invalid("bücher.de") ==
          "contains non-ASCII characters; write an internationalised name as A-labels (xn--...)");
    CHECK(why_invalid("-pool.contoso.com").find("starts with a hyphen") != std::string::npos);
    CHECK(why_invalid("pool-.contoso.com").find("ends with a hyphen") != std::string::npos);
    CHECK(why_invalid("w*.contoso.com", true).find("contains '*'") != std::string::npos);
    CHECK(why_invalid("xn--.contoso.com").find("ends with a hyphen") != std::string::npos);
    CHECK(why_invalid("xn--abc-.contoso.com").find("ends with a hyphen") != std::string::npos);
    CHECK(why_invalid("xn--ab!c.contoso.com").find("contains '!'") != std::string::npos);
    CHECK(why_invalid("xn--zz.contoso.com").find("not a valid A-label") != std::string::npos);  // truncated punycode
    CHECK(why_invalid("10.0.0.1").find("all-numeric") != std::string::npos);
}

TEST_CASE("names: normalize_fqdn rejects empty labels, extra dots and single labels", "[names]") {
    CHECK(why_invalid("").find("empty") != std::string::npos);
    CHECK(why_invalid(".").find("empty label") != std::string::npos);
    CHECK(why_invalid("a..contoso.com").find("empty label") != std::string::npos);
    CHECK(why_invalid(".contoso.com").find("empty label") != std::string::npos);
    CHECK(why_invalid("contoso.com..").find("empty label") != std::string::npos);
    CHECK(why_invalid("lyncpool") == "'lyncpool' is a single label; Lync needs a fully qualified domain name");
    CHECK(why_invalid("lyncpool.") == "'lyncpool' is a single label; Lync needs a fully qualified domain name");
}

TEST_CASE("names: wildcards only as the whole leftmost label followed by two labels", "[names]") {
    std::string why;
    CHECK(normalize_fqdn("*.contoso.com", true, &why) == "*.contoso.com");
    CHECK(why_invalid("*.contoso.com", false).find("wildcard") != std::string::npos);
    CHECK(why_invalid("*.com", true).find("fewer than two labels") != std::string::npos);
    CHECK(why_invalid("*", true).find("fewer than two labels") != std::string::npos);
    CHECK(why_invalid("a.*.contoso.com", true).find("other than the leftmost") != std::string::npos);
    CHECK(why_invalid("*.*.contoso.com", true).find("other than the leftmost") != std::string::npos);
    CHECK(why_invalid("meet*.contoso.com", true).find("contains '*'") != std::string::npos);
}

TEST_CASE("names: host_of_url_or_name", "[names]") {
    std::string why;
    CHECK(host_of_url_or_name("https://meet.contoso.com/meet", &why) == "meet.contoso.com");
    CHECK(host_of_url_or_name("https://lync.contoso.com:443/meet", &why) == "lync.contoso.com");
    CHECK(host_of_url_or_name("HTTP://Dialin.Contoso.com", &why) == "Dialin.Contoso.com");
    CHECK(host_of_url_or_name("https://admin.contoso.com?x=1", &why) == "admin.contoso.com");
    CHECK(host_of_url_or_name("meet.contoso.com", &why) == "meet.contoso.com");

    CHECK_FALSE(host_of_url_or_name("ftp://meet.contoso.com/", &why).has_value());
    CHECK(why == "URL scheme 'ftp' is not supported (only http and https)");
    CHECK_FALSE(host_of_url_or_name("https:///meet", &why).has_value());
    CHECK(why.find("no host") != std::string::npos);
    CHECK_FALSE(host_of_url_or_name("https://meet.contoso.com:99999/", &why).has_value());
    CHECK(why.find("port") != std::string::npos);
    CHECK_FALSE(host_of_url_or_name("https://meet.contoso.com:/", &why).has_value());
    CHECK_FALSE(host_of_url_or_name("https://user@meet.contoso.com/", &why).has_value());
    CHECK_FALSE(host_of_url_or_name("https://[2001:db8::1]/meet", &why).has_value());
    CHECK_FALSE(host_of_url_or_name("meet.contoso.com/meet", &why).has_value());
    CHECK(why.find("without a scheme") != std::string::npos);
}

TEST_CASE("names: small helpers", "[names]") {
    CHECK(is_wildcard("*.contoso.com"));
    CHECK_FALSE(is_wildcard("sip.contoso.com"));
    CHECK_FALSE(is_wildcard("*"));
    CHECK(is_single_label("lyncpool"));
    CHECK(is_single_label("lyncpool."));
    CHECK_FALSE(is_single_label("pool.contoso.com"));
    CHECK_FALSE(is_single_label(""));
    CHECK(is_within("sip.contoso.com", "contoso.com"));
    CHECK(is_within("contoso.com", "contoso.com"));
    CHECK(is_within("a.b.Contoso.com", "contoso.COM"));
    CHECK_FALSE(is_within("notcontoso.com", "contoso.com"));
    CHECK_FALSE(is_within("contoso.com", "sip.contoso.com"));
    CHECK_FALSE(is_within("contoso.com", ""));
    CHECK(parent_of("sip.contoso.com") == "contoso.com");
    CHECK(parent_of("*.contoso.com") == "contoso.com");
    CHECK(parent_of("lyncpool").empty());
    CHECK(first_label("sip.contoso.com") == "sip");
    CHECK(first_label("lyncpool") == "lyncpool");
}

TEST_CASE("names: matches follows RFC 9525", "[names]") {
    CHECK(matches("sip.contoso.com", "sip.contoso.com"));
    CHECK(matches("SIP.Contoso.com", "sip.contoso.COM"));
    CHECK(matches("sip.contoso.com.", "sip.contoso.com"));
    CHECK_FALSE(matches("sip.contoso.com", "sip.contoso.net"));

    CHECK(matches("*.contoso.com", "meet.contoso.com"));
    CHECK(matches("*.Contoso.com", "MEET.contoso.com"));
    CHECK_FALSE(matches("*.contoso.com", "contoso.com"));
    CHECK_FALSE(matches("*.contoso.com", "a.b.contoso.com"));
    CHECK_FALSE(matches("*.contoso.com", ".contoso.com"));
    CHECK_FALSE(matches("w*.contoso.com", "www.contoso.com"));
    CHECK_FALSE(matches("*w.contoso.com", "ww.contoso.com"));
    CHECK_FALSE(matches("a.*.contoso.com", "a.b.contoso.com"));
    CHECK_FALSE(matches("*.com", "contoso.com"));
    CHECK_FALSE(matches("meet.contoso.com", "*.contoso.com"));
    CHECK_FALSE(matches("", ""));
}

TEST_CASE("names: publicly_issuable uses the Public Suffix List without the '*' rule", "[names]") {
    CHECK(publicly_issuable("contoso.com"));
    CHECK(publicly_issuable("sip.contoso.com"));
    CHECK(publicly_issuable("contoso.net"));
    CHECK(publicly_issuable("x.co.uk"));
    CHECK(publicly_issuable("Meet.Contoso.COM."));
    CHECK(publicly_issuable("*.contoso.com"));

    CHECK_FALSE(publicly_issuable("contoso.local"));
    CHECK_FALSE(publicly_issuable("pool01.contoso.local"));
    CHECK_FALSE(publicly_issuable("contoso.corp"));
    CHECK_FALSE(publicly_issuable("fe01.contoso.lan"));
    CHECK_FALSE(publicly_issuable("host.example.internal"));
    CHECK_FALSE(publicly_issuable("lyncpool"));
    CHECK_FALSE(publicly_issuable("com"));
    CHECK_FALSE(publicly_issuable("co.uk"));      // itself a public suffix
    CHECK_FALSE(publicly_issuable("*.co.uk"));    // wildcard over a public suffix
    CHECK_FALSE(publicly_issuable("*.contoso.local"));
    CHECK_FALSE(publicly_issuable(""));
}

TEST_CASE("names: the Public Suffix List is loaded once and safe to use from threads", "[names]") {
    const std::string source = public_suffix_list_source();
    CHECK(source.find("libpsl") != std::string::npos);
    CHECK(public_suffix_list_source() == source);

    std::vector<std::thread> threads;
    std::vector<int> results(8, 0);
    for (std::size_t t = 0; t < results.size(); ++t) {
        threads.emplace_back([&results, t] {
            int ok = 0;
            for (int i = 0; i < 200; ++i)
                ok += (publicly_issuable("sip.contoso.com") && !publicly_issuable("pool.contoso.local")) ? 1 : 0;
            results[t] = ok;
        });
    }
    for (auto& thread : threads) thread.join();
    for (int ok : results) CHECK(ok == 200);
}

TEST_CASE("names: ip_octets reads IPv4 and IPv6 literals, nothing else", "[names]") {
    CHECK(ip_octets("192.0.2.7") == std::string("\xc0\x00\x02\x07", 4));
    CHECK(ip_octets("2001:db8::1") == ip_octets("2001:DB8:0:0:0:0:0:1"));
    CHECK(ip_octets("[2001:db8::1]") == ip_octets("2001:db8::1"));
    CHECK(ip_octets("::1")->size() == 16);
    CHECK_FALSE(ip_octets("192.168.001.001"));  // leading zeros: octal to some readers
    CHECK_FALSE(ip_octets("0xC0A80101"));
    CHECK_FALSE(ip_octets("192.0.2"));
    CHECK_FALSE(ip_octets("sip.contoso.com"));
    CHECK_FALSE(ip_octets(""));
    CHECK_FALSE(ip_octets("[]"));
}

TEST_CASE("names: sans_cover matches an IP address only against iPAddress entries (RFC 9525)", "[names]") {
    const std::vector<std::string> none;
    // x509-limbo webpki::san::exact-localhost-ip-san and rfc5280::san::ip-in-dns.
    CHECK(sans_cover(none, {"127.0.0.1"}, "127.0.0.1"));
    CHECK_FALSE(sans_cover({"8.8.8.8"}, none, "8.8.8.8"));
    CHECK_FALSE(sans_cover({"127.0.0.1"}, {"127.0.0.2"}, "127.0.0.1"));
    CHECK(sans_cover(none, {"2001:db8::1"}, "2001:DB8:0::1"));
    CHECK(sans_cover(none, {"2001:db8::1"}, "[2001:db8::1]"));
    CHECK_FALSE(sans_cover(none, {"192.0.2.7"}, "sip.contoso.com"));
    CHECK_FALSE(sans_cover({"sip.contoso.com"}, {"192.0.2.7"}, "192.0.2.8"));
    // DNS names as matches() says, wildcards only when allowed.
    CHECK(sans_cover({"sip.contoso.com"}, none, "SIP.contoso.com."));
    CHECK(sans_cover({"*.contoso.com"}, none, "meet.contoso.com"));
    CHECK_FALSE(sans_cover({"*.contoso.com"}, none, "meet.contoso.com", false));
    CHECK_FALSE(sans_cover(none, none, "meet.contoso.com"));
}

TEST_CASE("names: the Public Suffix List's ICANN and private sections are told apart", "[names]") {
    CHECK(public_suffix_section("com") == SuffixSection::icann);
    CHECK(public_suffix_section("co.uk") == SuffixSection::icann);
    CHECK(public_suffix_section("contoso.com") == SuffixSection::none);
    CHECK(public_suffix_section("contoso.local") == SuffixSection::none);
    CHECK(public_suffix_section("") == SuffixSection::none);
    if (public_suffix_section("s3.amazonaws.com") == SuffixSection::none) {
        WARN("the Public Suffix List in use has no private section: " << public_suffix_list_source());
        return;
    }
    CHECK(public_suffix_section("s3.amazonaws.com") == SuffixSection::private_domains);
    CHECK(public_suffix_section("GitHub.IO.") == SuffixSection::private_domains);
    CHECK(public_suffix_section("contoso.github.io") == SuffixSection::none);
    // The names under a private suffix belong to others: a wildcard over one covers none of them.
    CHECK(sans_cover({"s3.amazonaws.com", "*.s3.amazonaws.com"}, {}, "s3.amazonaws.com"));
    CHECK_FALSE(sans_cover({"*.s3.amazonaws.com"}, {}, "bucket.s3.amazonaws.com"));
    CHECK_FALSE(sans_cover({"*.github.io"}, {}, "contoso.github.io"));
}

TEST_CASE("names: lower_ascii folds ASCII letters only", "[names]") {
    CHECK(lower_ascii("Sip.CONTOSO.com") == "sip.contoso.com");
    CHECK(lower_ascii("\xc3\x89T\xc3\x89") == "\xc3\x89t\xc3\x89");
    CHECK(lower_ascii("") == "");
}
