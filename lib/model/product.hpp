// The product versions certtool plans for, and every fact about them that
// changes a plan, a request, a PFX or a script. The facts sit in one table
// (product.cpp), each with the source key of the Microsoft page it comes from
// (README, "Product versions"). Where Microsoft's pages are silent the versions
// do not differ. No other file compares product or Windows Server names.
#pragma once

#include <optional>
#include <string_view>
#include <utility>
#include <vector>

namespace certtool::model {

enum class Product { lync2013, skype2015, skype2019, skypese };

// Windows Server releases in release order: `<` means "older than".
enum class WindowsServer { v2008r2, v2012, v2012r2, v2016, v2019, v2022, v2025 };

struct WindowsServerFacts {
    WindowsServer version = WindowsServer::v2008r2;
    std::string_view id;           // the topology's token, e.g. "2012r2"
    std::string_view name;         // "Windows Server 2012 R2"
    int powershell = 0;            // Windows PowerShell it ships with, times ten (20 = 2.0)
    bool imports_aes_pfx = false;  // imports a PFX encrypted with AES-256 and a SHA-256 MAC
};

struct ProductFacts {
    Product product = Product::lync2013;
    std::string_view id;              // the topology's token, e.g. "skype2015"
    std::string_view name;            // "Skype for Business Server 2015"
    std::string_view server;          // "Skype for Business Server": whose cmdlets and usages a script speaks of
    std::string_view shell;           // the management shell an admin opens
    std::string_view module;          // the PowerShell module that holds the Cs cmdlets
    WindowsServer oldest_windows = WindowsServer::v2008r2;  // documented for its servers, through newest_windows
    WindowsServer newest_windows = WindowsServer::v2008r2;
    std::optional<WindowsServer> in_place_upgrade_windows;  // documented only for servers upgraded in place
    std::string_view windows_source;  // the source key of that list
    int powershell = 30;              // Windows PowerShell every one of its servers must have, times ten
    bool cng_keys = true;             // its servers use keys held by a CNG key storage provider
    bool xmpp_proxy = true;           // the Edge offers the XMPP proxy (xmpp_proxy in the topology)
    bool documented = true;           // false: no Microsoft page of its own was available; see README
};

// The CryptoAPI provider (WIN-CSP: PROV_RSA_SCHANNEL, type 12) for RSA TLS keys:
// what IIS, the Lync wizard and Edge TLS use, and not a CNG key storage
// provider, which Skype for Business Server 2015 cannot use (PR3861). The
// certreq INF asks for it and `pfx` names it in the key bag. No CryptoAPI
// provider holds ECDSA keys (WIN-CSP, WIN-KSP).
inline constexpr std::string_view kSchannelProvider = "Microsoft RSA SChannel Cryptographic Provider";

const ProductFacts& facts(Product product);
const WindowsServerFacts& facts(WindowsServer version);

// The product of a topology XML service's ServiceVersion (certtool import):
// 6 Lync Server 2013, 7 Skype for Business Server 2015, 8 Skype for Business
// Server 2019. 7 and 8 are seen in public topology documents; 6 is inferred
// from that sequence and from 5 being Lync Server 2010, which certtool does not
// plan (research notes, topology-xml.md 3.7). nullopt for any other value,
// Subscription Edition's included: no document showing it was available.
std::optional<Product> product_of_service_version(int service_version);

// Token -> value, in table order, for the topology loader.
std::vector<std::pair<std::string_view, Product>> product_choices();
std::vector<std::pair<std::string_view, WindowsServer>> windows_server_choices();

// What a deployment runs: its product, and the oldest Windows Server any of
// its servers runs (which decides what a PFX and a script may use).
struct Platform {
    Product product = Product::lync2013;
    WindowsServer windows_server = WindowsServer::v2008r2;

    [[nodiscard]] const ProductFacts& product_facts() const { return facts(product); }
    [[nodiscard]] const WindowsServerFacts& windows_facts() const { return facts(windows_server); }
    // Whether Microsoft documents the product on that Windows Server for new servers.
    [[nodiscard]] bool windows_documented() const;
    // The Windows PowerShell every server has, times ten: what the oldest
    // Windows Server ships with, or what the product requires, whichever is newer.
    [[nodiscard]] int powershell() const;
    // `#Requires -RunAsAdministrator` needs Windows PowerShell 4.0 (REQUIRES).
    [[nodiscard]] bool powershell_requires_administrator() const { return powershell() >= 40; }
};

// The platform of a topology: without a Windows Server, the oldest one the
// product is documented on (the safe choice for PFX files and scripts).
Platform platform_of(Product product, std::optional<WindowsServer> windows_server);

}  // namespace certtool::model
