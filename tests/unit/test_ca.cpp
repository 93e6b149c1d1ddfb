// lib/ca's naming of CRL files and of the root's CRL URL.
#include <catch2/catch.hpp>

#include "ca/ca.hpp"

using certtool::ca::crl_file_name;
using certtool::ca::derived_root_crl_url;

TEST_CASE("ca: a CRL URL names its file by its last segment, or names none", "[ca][crl]") {
    CHECK(crl_file_name("http://pki.contoso.net/labca.crl") == "labca.crl");
    CHECK(crl_file_name("https://pki.contoso.net/a/b/Lab_CA-2.crl") == "Lab_CA-2.crl");
    CHECK(crl_file_name("http://pki.contoso.net/pki/labca") == "labca");
    CHECK_FALSE(crl_file_name("http://pki.contoso.net"));
    CHECK_FALSE(crl_file_name("http://pki.contoso.net/"));
    CHECK_FALSE(crl_file_name("http://pki.contoso.net/pki/"));
    CHECK_FALSE(crl_file_name("http://pki.contoso.net/.hidden"));
    CHECK_FALSE(crl_file_name("http://pki.contoso.net/x.crl?version=2"));
    CHECK_FALSE(crl_file_name("http://pki.contoso.net/x.crl#top"));
    CHECK_FALSE(crl_file_name("http://pki.contoso.net/a%20b.crl"));
    CHECK_FALSE(crl_file_name("ftp://pki.contoso.net/x.crl"));
    CHECK_FALSE(crl_file_name("ldap:///CN=x"));
}

TEST_CASE("ca: the root's CRL URL is the sibling name with -root before the extension", "[ca][crl]") {
    CHECK(derived_root_crl_url("http://pki.contoso.net/labca.crl") == "http://pki.contoso.net/labca-root.crl");
    CHECK(derived_root_crl_url("http://pki.contoso.net/pki/lab.ca.crl") == "http://pki.contoso.net/pki/lab.ca-root.crl");
    CHECK(derived_root_crl_url("https://pki.contoso.net/pki/labca") == "https://pki.contoso.net/pki/labca-root");
    CHECK(crl_file_name(derived_root_crl_url("http://pki.contoso.net/pki/labca.crl")) == "labca-root.crl");
}

#include <chrono>

#include "temp_dir.hpp"

TEST_CASE("ca: a CRL is due again once half of its validity has passed, and only then", "[ca][crl]") {
    using namespace std::chrono_literals;
    certtool::test::TempDir dir("certtool-ca-unit");
    const auto start = std::chrono::system_clock::now();
    certtool::ca::InitOptions init;
    init.dir = dir / "ca";
    init.intermediate = true;
    init.key = {certtool::crypto::KeyType::ec, 256};
    init.crl_url = "http://pki.contoso.net/lab.crl";
    init.now = start;
    const auto made = certtool::ca::init(init);
    CHECK(made.root_crl_url == "http://pki.contoso.net/lab-root.crl");
    CHECK(made.root_crl_url_derived);

    certtool::ca::CrlOptions crl;
    crl.dir = init.dir;
    crl.days = 8;
    const auto at = [&](std::chrono::system_clock::duration later) {
        crl.now = start + later;
        return certtool::ca::crl(crl);
    };
    const auto first = at(0h);
    REQUIRE(first.crls.size() == 2);
    CHECK(first.crls[0].ca == "intermediate");
    CHECK(first.crls[1].ca == "root");
    CHECK(first.crls[0].written);
    CHECK(first.crls[1].written);
    CHECK(first.crls[0].number == 1);

    const auto early = at(24h * 4 - 1min);
    CHECK_FALSE(early.crls[0].written);
    CHECK_FALSE(early.crls[1].written);
    CHECK(early.crls[0].number == 1);
    const auto halfway = at(24h * 4);
    CHECK(halfway.crls[0].written);
    CHECK(halfway.crls[1].written);
    CHECK(halfway.crls[0].why == "half of its validity has passed");
    CHECK(halfway.crls[0].number == 2);
    CHECK(halfway.crls[1].number == 2);
}
