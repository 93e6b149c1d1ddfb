// What the product and its Windows Server allow: the findings where a topology
// asks for something its product version does not have (model/product.hpp; the
// codes are in README "Finding codes").
#include <string>

#include "model/builder.hpp"

namespace certtool::model::detail {

namespace {

std::string windows_range(const ProductFacts& p) {
    return std::string(facts(p.oldest_windows).name) + " to " + std::string(facts(p.newest_windows).name);
}

// Documents lag behind support (a later cumulative update may add a release),
// so a release outside the list is a warning to check, not a refusal.
void check_windows_server(Builder& b) {
    const Platform& platform = b.plan().platform;
    const ProductFacts& p = platform.product_facts();
    const std::string windows(platform.windows_facts().name);
    const std::string source(p.windows_source);
    if (platform.windows_documented()) return;
    if (p.in_place_upgrade_windows == platform.windows_server) {
        b.finding(Severity::info, "windows-server-in-place-upgrade",
                  std::string(p.name) + " runs on " + windows + " only on servers upgraded in place from " +
                      std::string(facts(Product::lync2013).name) + "; new servers need " + windows_range(p) + " (" +
                      source + ")",
                  "/windows_server");
        return;
    }
    const std::string documented =
        p.documented ? std::string(p.name) + " is documented"
                     : std::string(p.name) + " follows " + std::string(facts(Product::skype2019).name) +
                           " here (Microsoft's pages for it were not available to certtool), which is documented";
    const std::string message = documented + " on " + windows_range(p) + ", not on " + windows + " (" + source +
                                "). Check Microsoft's current requirements: a later cumulative update may support it";
    b.finding(Severity::warning, "windows-server-undocumented", message, "/windows_server");
}

// DEPR19: the XMPP proxy on the Edge (and the gateway on the Front End) is no
// longer available from Skype for Business Server 2019 on.
void check_xmpp(Builder& b) {
    const ProductFacts& p = b.plan().platform.product_facts();
    if (p.xmpp_proxy) return;
    for (const auto& site : b.topology().sites)
        for (const auto& pool : site.edge_pools)
            if (pool.xmpp_proxy)
                b.finding(Severity::error, "xmpp-not-in-product",
                          std::string(p.name) + " has no XMPP proxy on the Edge Server (DEPR19, EDGE-ENV" +
                              (p.documented ? std::string() : ", followed from " + std::string(facts(Product::skype2019).name)) +
                              "); set xmpp_proxy to false",
                          pool.path + "/xmpp_proxy");
}

// PR3861: Skype for Business Server 2015 does not support keys in a CNG key
// storage provider, and Windows keeps ECDSA keys only there (WIN-KSP; no
// CryptoAPI provider implements ECDSA: WIN-CSP).
void check_key_storage(Builder& b) {
    const ProductFacts& p = b.plan().platform.product_facts();
    if (p.cng_keys || b.topology().policy.key_algorithm != topology::KeyAlgorithm::ecdsa) return;
    b.finding(Severity::error, "ecdsa-not-in-product",
              std::string(p.name) +
                  " does not support keys in a CNG key storage provider (PR3861), and Windows holds ECDSA keys only "
                  "there (WIN-KSP, WIN-CSP); use key_algorithm RSA",
              "/policy/key_algorithm");
}

}  // namespace

void check_product(Builder& builder) {
    check_windows_server(builder);
    check_xmpp(builder);
    check_key_storage(builder);
}

}  // namespace certtool::model::detail
