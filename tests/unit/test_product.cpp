// The product table (lib/model/product.cpp) and what it changes in a plan:
// the plan's product object, the Windows Server check, the features a version
// removes, key storage, and the PFX profile its oldest Windows Server imports.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "model/product.hpp"
#include "model_fixture.hpp"
#include "pfx/pfx.hpp"
#include "report/report.hpp"

using namespace certtool;
using namespace certtool::test;
using model::Product;
using model::WindowsServer;

namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

nlohmann::json as_product(nlohmann::json topology, const std::string& product, const std::string& windows_server = "") {
    topology["product"] = product;
    if (!windows_server.empty()) topology["windows_server"] = windows_server;
    return topology;
}

}  // namespace

TEST_CASE("model: the product table: names, shells, modules and Windows Server per product", "[model][product]") {
    // L-SHELL, S-SHELL; L-OS, S15-SRV, S19-SYS; PR3861; DEPR19. Subscription Edition follows 2019 (SE-NONE).
    struct Row {
        Product product;
        std::string id, name, shell, module;
        WindowsServer oldest, newest;
        bool cng_keys, xmpp_proxy, documented;
    };
    const std::vector<Row> rows{
        {Product::lync2013, "lync2013", "Lync Server 2013", "Lync Server Management Shell", "Lync", WindowsServer::v2008r2,
         WindowsServer::v2012r2, true, true, true},
        {Product::skype2015, "skype2015", "Skype for Business Server 2015", "Skype for Business Server Management Shell",
         "SkypeForBusiness", WindowsServer::v2012, WindowsServer::v2019, false, true, true},
        {Product::skype2019, "skype2019", "Skype for Business Server 2019", "Skype for Business Server Management Shell",
         "SkypeForBusiness", WindowsServer::v2016, WindowsServer::v2019, true, false, true},
        {Product::skypese, "skypese", "Skype for Business Server Subscription Edition",
         "Skype for Business Server Management Shell", "SkypeForBusiness", WindowsServer::v2016, WindowsServer::v2019, true,
         false, false},
    };
    const auto choices = model::product_choices();
    REQUIRE(choices.size() == rows.size());
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const auto& r = rows[i];
        INFO(r.id);
        const auto& f = model::facts(r.product);
        CHECK(f.product == r.product);
        CHECK(f.id == r.id);
        CHECK(f.name == r.name);
        CHECK(f.shell == r.shell);
        CHECK(f.module == r.module);
        CHECK(f.oldest_windows == r.oldest);
        CHECK(f.newest_windows == r.newest);
        CHECK(f.cng_keys == r.cng_keys);
        CHECK(f.xmpp_proxy == r.xmpp_proxy);
        CHECK(f.documented == r.documented);
        CHECK(f.powershell == 30);  // L-SW, S15-SRV, S19-SYS: Windows PowerShell 3.0 on every server
        CHECK(choices[i] == std::make_pair(std::string_view(r.id), r.product));
    }
    // S15-SRV: 2008 R2 only for servers upgraded in place from Lync Server 2013.
    CHECK(model::facts(Product::skype2015).in_place_upgrade_windows == WindowsServer::v2008r2);
    CHECK_FALSE(model::facts(Product::lync2013).in_place_upgrade_windows.has_value());

    // PS-REQ: what each release ships; WIN-PBES2, DSC-PFX: AES PFX from 2019.
    const auto windows = model::windows_server_choices();
    REQUIRE(windows.size() == 7);
    CHECK(model::facts(WindowsServer::v2008r2).name == "Windows Server 2008 R2");
    CHECK(model::facts(WindowsServer::v2008r2).powershell == 20);
    CHECK(model::facts(WindowsServer::v2012).powershell == 30);
    CHECK(model::facts(WindowsServer::v2012r2).powershell == 40);
    for (const auto& [token, version] : windows) {
        INFO(token);
        CHECK(model::facts(version).id == token);
        CHECK(model::facts(version).imports_aes_pfx == (version >= WindowsServer::v2019));
        if (version >= WindowsServer::v2016) CHECK(model::facts(version).powershell == 51);
    }
}

TEST_CASE("model: without windows_server the platform is the oldest Windows Server the product is documented on",
          "[model][product]") {
    CHECK(model::platform_of(Product::lync2013, std::nullopt).windows_server == WindowsServer::v2008r2);
    CHECK(model::platform_of(Product::skype2015, std::nullopt).windows_server == WindowsServer::v2012);
    CHECK(model::platform_of(Product::skype2019, std::nullopt).windows_server == WindowsServer::v2016);
    CHECK(model::platform_of(Product::skypese, std::nullopt).windows_server == WindowsServer::v2016);
    CHECK(model::platform_of(Product::skype2019, WindowsServer::v2022).windows_server == WindowsServer::v2022);

    // The PowerShell a script may assume: the product's 3.0 even where the release ships 2.0 (L-SW);
    // #Requires -RunAsAdministrator needs 4.0 (REQUIRES), so not on 2008 R2 or 2012.
    CHECK(model::platform_of(Product::lync2013, WindowsServer::v2008r2).powershell() == 30);
    CHECK_FALSE(model::platform_of(Product::lync2013, WindowsServer::v2008r2).powershell_requires_administrator());
    CHECK_FALSE(model::platform_of(Product::skype2015, WindowsServer::v2012).powershell_requires_administrator());
    CHECK(model::platform_of(Product::lync2013, WindowsServer::v2012r2).powershell() == 40);
    CHECK(model::platform_of(Product::lync2013, WindowsServer::v2012r2).powershell_requires_administrator());
    CHECK(model::platform_of(Product::skype2019, std::nullopt).powershell_requires_administrator());

    const auto plan = plan_of(as_product(edge_single_nat(), "skype2015"));
    CHECK(plan.platform.product == Product::skype2015);
    CHECK(plan.platform.windows_server == WindowsServer::v2012);
    // --only keeps the platform: csr, pfx and script use the selected plan.
    CHECK(model::select_certificates(plan, {"edge-internal"}).platform.product == Product::skype2015);
}

TEST_CASE("model: a Windows Server the product is not documented on is a warning, never a refusal", "[model][product]") {
    SECTION("documented: no finding") {
        for (const auto& [product, windows] : std::vector<std::pair<std::string, std::string>>{
                 {"lync2013", "2008r2"}, {"lync2013", "2012r2"}, {"skype2015", "2012"}, {"skype2015", "2019"},
                 {"skype2019", "2016"}, {"skype2019", "2019"}, {"skypese", "2019"}, {"skype2019", ""}}) {
            INFO(product << " " << windows);
            const auto plan = plan_of(as_product(edge_single_nat(), product, windows));
            CHECK(findings(plan, "windows-server-undocumented").empty());
            CHECK(findings(plan, "windows-server-in-place-upgrade").empty());
        }
    }
    SECTION("newer than the documents: a warning that says the documents may lag") {
        const auto plan = plan_of(as_product(edge_single_nat(), "skype2019", "2022"));
        const auto found = findings(plan, "windows-server-undocumented");
        REQUIRE(found.size() == 1);
        CHECK(found[0].severity == model::Severity::warning);
        CHECK(found[0].path == "/windows_server");
        CHECK(contains(found[0].message, "Skype for Business Server 2019 is documented on Windows Server 2016 to Windows "
                                         "Server 2019, not on Windows Server 2022 (S19-SYS)"));
        CHECK(contains(found[0].message, "a later cumulative update may support it"));
        CHECK_FALSE(plan.has_errors());
        CHECK(plan.platform.windows_server == WindowsServer::v2022);  // still what the PFX and scripts are made for
    }
    SECTION("older than the documents") {
        const auto plan = plan_of(as_product(edge_single_nat(), "skype2019", "2012r2"));
        REQUIRE(findings(plan, "windows-server-undocumented").size() == 1);
        CHECK(contains(findings(plan, "windows-server-undocumented")[0].message, "not on Windows Server 2012 R2"));
        CHECK(findings(plan_of(as_product(edge_single_nat(), "lync2013", "2016")), "windows-server-undocumented").size() == 1);
    }
    SECTION("Subscription Edition follows 2019 and says so") {
        const auto found = findings(plan_of(as_product(edge_single_nat(), "skypese", "2025")), "windows-server-undocumented");
        REQUIRE(found.size() == 1);
        CHECK(contains(found[0].message, "Skype for Business Server Subscription Edition follows Skype for Business Server "
                                         "2019 here (Microsoft's pages for it were not available to certtool), which is "
                                         "documented on Windows Server 2016 to Windows Server 2019, not on Windows Server 2025 "
                                         "(S19-SYS, SE-NONE)"));
    }
    SECTION("2015 on 2008 R2: only servers upgraded in place from Lync Server 2013 (S15-SRV)") {
        const auto plan = plan_of(as_product(edge_single_nat(), "skype2015", "2008r2"));
        CHECK(findings(plan, "windows-server-undocumented").empty());
        const auto found = findings(plan, "windows-server-in-place-upgrade");
        REQUIRE(found.size() == 1);
        CHECK(found[0].severity == model::Severity::info);
        CHECK(contains(found[0].message, "only on servers upgraded in place from Lync Server 2013"));
    }
}

TEST_CASE("model: the XMPP proxy is an error with Skype for Business Server 2019 and Subscription Edition (DEPR19)",
          "[model][product][xmpp]") {
    auto t = edge_single_nat();
    t["sites"][0]["edge_pools"][0]["xmpp_proxy"] = true;
    t["xmpp"] = {{"domains", {"contoso.com"}}, {"srv_target", "xmpp.contoso.com"}};
    for (const std::string product : {"skype2019", "skypese"}) {
        INFO(product);
        const auto plan = plan_of(as_product(t, product));
        const auto found = findings(plan, "xmpp-not-in-product");
        REQUIRE(found.size() == 1);
        CHECK(found[0].severity == model::Severity::error);
        CHECK(found[0].path == "/sites/0/edge_pools/0/xmpp_proxy");
        CHECK(contains(found[0].message, "has no XMPP proxy on the Edge Server (DEPR19, EDGE-ENV"));
        CHECK(plan.has_errors());
    }
    CHECK(contains(findings(plan_of(as_product(t, "skypese")), "xmpp-not-in-product")[0].message,
                   "followed from Skype for Business Server 2019"));
    for (const std::string product : {"lync2013", "skype2015"}) {
        INFO(product);
        CHECK(findings(plan_of(as_product(t, product)), "xmpp-not-in-product").empty());
    }
    // Without the proxy, 2019 plans as before.
    CHECK(findings(plan_of(as_product(edge_single_nat(), "skype2019")), "xmpp-not-in-product").empty());
}

TEST_CASE("model: ECDSA with Skype for Business Server 2015 is an error: its keys cannot be in a CNG provider (PR3861)",
          "[model][product][keys]") {
    auto t = enterprise();
    t["policy"] = {{"key_algorithm", "ECDSA"}, {"key_bits", 256}};
    const auto plan = plan_of(as_product(t, "skype2015"));
    const auto found = findings(plan, "ecdsa-not-in-product");
    REQUIRE(found.size() == 1);
    CHECK(found[0].severity == model::Severity::error);
    CHECK(found[0].path == "/policy/key_algorithm");
    CHECK(contains(found[0].message, "Skype for Business Server 2015 does not support keys in a CNG key storage provider "
                                     "(PR3861)"));
    // Where the documents are silent there is no difference: ECDSA plans as before.
    for (const std::string product : {"lync2013", "skype2019", "skypese"}) {
        INFO(product);
        CHECK(findings(plan_of(as_product(t, product)), "ecdsa-not-in-product").empty());
    }
    CHECK(findings(plan_of(as_product(enterprise(), "skype2015")), "ecdsa-not-in-product").empty());  // RSA is fine
}

TEST_CASE("report: the plan JSON names its product and Windows Server", "[report][product]") {
    const auto json = report::plan_to_json(plan_of(as_product(edge_single_nat(), "skype2015")));
    REQUIRE(json.contains("product"));
    CHECK(json["product"] == nlohmann::ordered_json({{"id", "skype2015"},
                                                     {"name", "Skype for Business Server 2015"},
                                                     {"windows_server", "2012"}}));
    const auto given = report::plan_to_json(plan_of(as_product(edge_single_nat(), "skypese", "2022")));
    CHECK(given["product"]["id"] == "skypese");
    CHECK(given["product"]["name"] == "Skype for Business Server Subscription Edition");
    CHECK(given["product"]["windows_server"] == "2022");
    CHECK(report::plan_to_json(plan_of(edge_single_nat()))["product"]["windows_server"] == "2008r2");
}

TEST_CASE("pfx: the default profile is what the oldest Windows Server imports (WIN-PBES2, DSC-PFX)", "[pfx][product]") {
    for (const auto& [token, version] : model::windows_server_choices()) {
        INFO(token);
        const auto profile = pfx::default_profile(model::platform_of(Product::skype2019, version));
        CHECK(profile == (version >= WindowsServer::v2019 ? crypto::Pkcs12Profile::modern : crypto::Pkcs12Profile::legacy));
    }
    // Each product's own default: no product is documented only on 2019 or later, so legacy.
    for (const auto& [token, product] : model::product_choices()) {
        INFO(token);
        CHECK(pfx::default_profile(model::platform_of(product, std::nullopt)) == crypto::Pkcs12Profile::legacy);
    }
}
