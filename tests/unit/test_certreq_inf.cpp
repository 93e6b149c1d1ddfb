// The certreq INF and the template engine behind it.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <unistd.h>

#include "core/diagnostic.hpp"
#include "fs/secrets.hpp"
#include "model_fixture.hpp"
#include "report/certreq_inf.hpp"
#include "report/templates.hpp"

using namespace certtool;
using namespace certtool::test;

TEST_CASE("certreq: the INF carries the plan's subject, key, EKU and SANs in order", "[certreq]") {
    auto t = edge_single_nat();
    t["public_im"] = {{"aol", true}};
    t["policy"] = {{"public_client_auth", true}};  // a public CA gets Client Authentication only when forced
    const auto c = certificate(plan_of(t), "edge-external.lsedge-contoso-net");
    const auto inf = report::render_certreq_inf(c, {"site.json", "abc", std::nullopt});
    CHECK_THAT(inf, Catch::Contains("Subject = \"CN=sip.contoso.com, O=Contoso Ltd, C=US\""));
    CHECK_THAT(inf, Catch::Contains("FriendlyName = \"edge-external.lsedge-contoso-net\""));  // G11: unique per store
    CHECK_THAT(inf, Catch::Contains("KeyLength = 2048"));
    CHECK_THAT(inf, Catch::Contains("Exportable = TRUE"));
    CHECK_THAT(inf, Catch::Contains("MachineKeySet = TRUE"));
    CHECK_THAT(inf, Catch::Contains("KeyUsage = 0xa0"));
    CHECK_THAT(inf, Catch::Contains("OID = 1.3.6.1.5.5.7.3.1"));
    CHECK_THAT(inf, Catch::Contains("OID = 1.3.6.1.5.5.7.3.2"));
    CHECK_THAT(inf, Catch::Contains("_continue_ = \"dns=sip.contoso.com&\"\n_continue_ = \"dns=webcon.contoso.com&\"\n"
                                    "_continue_ = \"dns=sip.fabrikam.com\""));
    CHECK_THAT(inf, !Catch::Contains("[RequestAttributes]"));
    CHECK_THAT(inf, !Catch::Contains("{{"));
}

TEST_CASE("certreq: template name, ECDSA keys and non-exportable keys", "[certreq]") {
    auto t = enterprise();
    t["policy"] = {{"key_algorithm", "ECDSA"}, {"key_bits", 384}};
    const auto c = certificate(plan_of(t), "front-end.pool01-contoso-net.fe01-contoso-net");
    const auto inf = report::render_certreq_inf(c, {"site.json", "abc", std::string("Lync \"Web\" Server")});
    CHECK_THAT(inf, Catch::Contains("KeyAlgorithm = ECDSA_P384"));
    CHECK_THAT(inf, Catch::Contains("Microsoft Software Key Storage Provider"));
    CHECK_THAT(inf, Catch::Contains("Exportable = FALSE"));
    CHECK_THAT(inf, Catch::Contains("KeyUsage = 0x80"));
    CHECK_THAT(inf, Catch::Contains("[RequestAttributes]\nCertificateTemplate = \"Lync \"\"Web\"\" Server\""));
}

TEST_CASE("certreq: Skype for Business Server 2015 keys go to the CryptoAPI SChannel provider, never a CNG one (PR3861)",
          "[certreq][product]") {
    auto t = edge_single_nat();
    t["product"] = "skype2015";
    const auto plan = plan_of(t);
    const auto c = certificate(plan, "edge-external.lsedge-contoso-net");
    const auto inf = report::render_certreq_inf(c, {"site.json", "abc", std::nullopt, plan.platform.product});
    CHECK_THAT(inf, Catch::Contains("; Skype for Business Server 2015 does not support keys in a CNG key storage provider "
                                    "(PR3861): only a CryptoAPI provider will do.\nKeyAlgorithm = RSA\nKeyLength = 2048\n"
                                    "KeySpec = 1\nProviderName = \"Microsoft RSA SChannel Cryptographic Provider\"\n"
                                    "ProviderType = 12\n"));
    CHECK_THAT(inf, !Catch::Contains("Key Storage Provider"));
    CHECK_THAT(inf, !Catch::Contains("{{"));

    // The other products: the documents are silent, so the INF is today's, byte for byte.
    const auto lync = report::render_certreq_inf(c, {"site.json", "abc", std::nullopt, model::Product::lync2013});
    CHECK_THAT(lync, !Catch::Contains("PR3861"));
    CHECK_THAT(lync, Catch::Contains("KeySpec = 1\nProviderName = \"Microsoft RSA SChannel Cryptographic Provider\"\n"
                                     "ProviderType = 12\n"));
    for (const auto product : {model::Product::skype2019, model::Product::skypese})
        CHECK(report::render_certreq_inf(c, {"site.json", "abc", std::nullopt, product}) == lync);
    CHECK(report::render_certreq_inf(c, {"site.json", "abc", std::nullopt}) == lync);  // lync2013 is the default
}

TEST_CASE("certreq: subject values with separators are quoted as Windows expects", "[certreq]") {
    auto t = edge_single_nat();
    t["organization"] = {{"organization", "Contoso, \"Ltd\""}, {"country", "US"}};
    const auto c = certificate(plan_of(t), "edge-internal.lsedge-contoso-net");
    CHECK(report::windows_subject(c) == "CN=lsedge.contoso.net, O=\"Contoso, \"\"Ltd\"\"\", C=US");
}

TEST_CASE("templates: placeholders must match values exactly", "[certreq]") {
    CHECK(report::render_template("a {{x}} b {{y}}", {{"x", "1"}, {"y", "2"}}) == "a 1 b 2");
    CHECK_THROWS_AS(report::render_template("a {{x}}", {}), std::logic_error);
    CHECK_THROWS_AS(report::render_template("a", {{"x", "1"}}), std::logic_error);
    CHECK_THROWS_AS(report::render_template("a {{x", {{"x", "1"}}), std::logic_error);
    CHECK_THROWS_AS(report::template_text("no-such-template"), std::logic_error);
    CHECK_FALSE(report::template_text("certreq.inf").empty());
}

TEST_CASE("secrets: passphrases come from the first line of a file or an environment variable", "[secrets]") {
    char path[] = "/tmp/certtool-pass-XXXXXX";
    const int fd = ::mkstemp(path);
    REQUIRE(fd >= 0);
    ::close(fd);
    std::ofstream(path) << "correct horse\r\nsecond line\n";
    CHECK(fs::passphrase_from_file(path) == "correct horse");
    std::ofstream(path) << "\n";
    auto code = [](auto f) {
        try {
            f();
        } catch (const InputError& e) {
            return e.diagnostics().front().code;
        }
        return std::string();
    };
    CHECK(code([&] { fs::passphrase_from_file(path); }) == "passphrase.empty");
    ::unlink(path);
    CHECK(code([&] { fs::passphrase_from_file(path); }) == "passphrase.file.io");
    ::setenv("CERTTOOL_TEST_PASS", "s3cret", 1);
    CHECK(fs::passphrase_from_env("CERTTOOL_TEST_PASS") == "s3cret");
    ::unsetenv("CERTTOOL_TEST_PASS");
    CHECK(code([] { fs::passphrase_from_env("CERTTOOL_TEST_PASS"); }) == "passphrase.env-unset");
}
