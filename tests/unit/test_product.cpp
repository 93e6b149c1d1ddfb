// The product table (lib/model/product.cpp) and what it changes in a plan:
// the plan's product object and its platform (product, oldest Windows Server).
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "model/product.hpp"
#include "model_fixture.hpp"
#include "report/report.hpp"

using namespace certtool;
using namespace certtool::test;
using model::Product;
using model::WindowsServer;

namespace {

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
