// The product table. Every cell carries the source key of the Microsoft page it
// comes from; README "Product versions" lists the pages. A fact no page states
// for a version is the same as for the others, never a guess.
#include "model/product.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>

namespace certtool::model {

namespace {

using enum WindowsServer;

// PS-REQ: Windows PowerShell 2.0 on 2008 R2 (3.0 and later come as WMF
// updates), 3.0 on 2012, 4.0 on 2012 R2, 5.1 on 2016 and 2019; later releases
// are no different. WIN-PBES2: PKCS#12 with AES-256 and SHA-256 needs Windows
// Server 2019; DSC-PFX: on 2016 only from build 1709, which no LTSC 2016 is.
const std::array<WindowsServerFacts, 7> kWindowsServers{{
    {v2008r2, "2008r2", "Windows Server 2008 R2", 20, false},
    {v2012, "2012", "Windows Server 2012", 30, false},
    {v2012r2, "2012r2", "Windows Server 2012 R2", 40, false},
    {v2016, "2016", "Windows Server 2016", 51, false},
    {v2019, "2019", "Windows Server 2019", 51, true},
    {v2022, "2022", "Windows Server 2022", 51, true},
    {v2025, "2025", "Windows Server 2025", 51, true},
}};

const std::array<ProductFacts, 4> kProducts{{
    // L-SHELL: the Lync Server Management Shell; Import-Module Lync. L-OS: 2008 R2 SP1, 2012,
    // 2012 R2 (with the October 2013 cumulative update). L-SW: PowerShell 3.0 on every server.
    // L-INFRA is silent on CNG; the XMPP proxy is new in 2013 (rules 3.7).
    {Product::lync2013, "lync2013", "Lync Server 2013", "Lync Server", "Lync Server Management Shell", "Lync", v2008r2,
     v2012r2, std::nullopt, "L-OS", 30, true, true, true},
    // S-SHELL: the Skype for Business Server Management Shell; Import-Module SkypeForBusiness.
    // S15-SRV: 2012, 2012 R2, 2016 (CU5), 2019 (CU9); 2008 R2 only for servers upgraded in place
    // from Lync Server 2013; PowerShell 3.0. PR3861 (S15-ENV): no CNG certificates. EDGE-ENV: XMPP.
    {Product::skype2015, "skype2015", "Skype for Business Server 2015", "Skype for Business Server",
     "Skype for Business Server Management Shell", "SkypeForBusiness", v2012, v2019, v2008r2, "S15-SRV", 30, false, true,
     true},
    // S-SHELL as for 2015. S19-SYS: 2016 and 2019 only; PowerShell 3.0; no CNG note. DEPR19: the
    // XMPP proxy and gateway are no longer available (EDGE-ENV: "Not supported").
    {Product::skype2019, "skype2019", "Skype for Business Server 2019", "Skype for Business Server",
     "Skype for Business Server Management Shell", "SkypeForBusiness", v2016, v2019, std::nullopt, "S19-SYS", 30, true, false,
     true},
    // SE-NONE: no Microsoft page for Subscription Edition was available; it is the 2019 code line
    // (SE-BUILD), so it follows Skype for Business Server 2019 wherever its own pages are not known.
    {Product::skypese, "skypese", "Skype for Business Server Subscription Edition", "Skype for Business Server",
     "Skype for Business Server Management Shell", "SkypeForBusiness", v2016, v2019, std::nullopt, "S19-SYS, SE-NONE", 30,
     true, false, false},
}};

}  // namespace

const ProductFacts& facts(Product product) {
    for (const auto& p : kProducts)
        if (p.product == product) return p;
    throw std::logic_error("no facts for a product");
}

const WindowsServerFacts& facts(WindowsServer version) {
    for (const auto& w : kWindowsServers)
        if (w.version == version) return w;
    throw std::logic_error("no facts for a Windows Server version");
}

std::optional<Product> product_of_service_version(int service_version) {
    switch (service_version) {
    case 6: return Product::lync2013;
    case 7: return Product::skype2015;
    case 8: return Product::skype2019;
    default: return std::nullopt;
    }
}

std::vector<std::pair<std::string_view, Product>> product_choices() {
    std::vector<std::pair<std::string_view, Product>> out;
    for (const auto& p : kProducts) out.emplace_back(p.id, p.product);
    return out;
}

std::vector<std::pair<std::string_view, WindowsServer>> windows_server_choices() {
    std::vector<std::pair<std::string_view, WindowsServer>> out;
    for (const auto& w : kWindowsServers) out.emplace_back(w.id, w.version);
    return out;
}

bool Platform::windows_documented() const {
    const auto& p = product_facts();
    return windows_server >= p.oldest_windows && windows_server <= p.newest_windows;
}

int Platform::powershell() const { return std::max(windows_facts().powershell, product_facts().powershell); }

Platform platform_of(Product product, std::optional<WindowsServer> windows_server) {
    return {product, windows_server.value_or(facts(product).oldest_windows)};
}

}  // namespace certtool::model
