// lib/renew: which certificates are due (window, plan failures, missing), the
// inventory (a folder of files, an audit JSON) and the name differences. The
// certificates are issued in memory by lib/crypto/issue with exact end dates.
#include <catch2/catch.hpp>

#include "plan_date.hpp"
#include "input_errors.hpp"
#include "temp_dir.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/diagnostic.hpp"
#include "core/time.hpp"
#include "crypto/issue.hpp"
#include "crypto/keys.hpp"
#include "model/plan.hpp"
#include "renew/renew.hpp"
#include "report/renew_report.hpp"
#include "topology/topology.hpp"

using certtool::test::input_error_code;
using certtool::test::TempDir;
namespace crypto = certtool::crypto;
namespace model = certtool::model;
namespace renew = certtool::renew;
using namespace std::chrono_literals;

namespace {

const std::string kExternal = "edge-external.lsedge-contoso-net";
const std::string kInternal = "edge-internal.lsedge-contoso-net";

const model::Plan& plan() {
    static const model::Plan p = [] {
        const auto loaded = certtool::topology::load_file(std::string(CERTTOOL_SOURCE_DIR) + "/templates/examples/edge-single-nat.json");
        return model::build_plan(loaded.topology, loaded.source, certtool::test::plan_date());
    }();
    return p;
}

const certtool::TimePoint kAt = *certtool::parse_utc("2027-06-01T12:00:00Z");

// One CA and one leaf key for every test: key generation is the slow part.
struct Pki {
    crypto::PrivateKey ca_key = crypto::generate_key({crypto::KeyType::ec, 256});
    crypto::PrivateKey leaf_key = crypto::generate_key({crypto::KeyType::rsa, 2048});
    crypto::Certificate ca;
    Pki() {
        crypto::IssueRequest r;
        r.subject.common_name = "certtool renew test root";
        r.is_ca = true;
        r.key_usage = {"keyCertSign", "cRLSign"};
        r.not_before = kAt - 3650 * 24h;
        r.not_after = kAt + 3650 * 24h;
        ca = crypto::parse_certificate_der(crypto::issue_certificate(crypto::public_key_der(ca_key), r, {nullptr, &ca_key}));
    }
};

Pki& pki() {
    static Pki p;
    return p;
}

// A certificate for plan entry `id` as certtool would request it, ending at
// `not_after`; `sans` replaces the plan's names when given.
std::string issue_pem(const std::string& id, certtool::TimePoint not_after,
                      const std::optional<std::vector<std::string>>& sans = std::nullopt,
                      std::chrono::seconds lifetime = 365 * 24h) {
    const auto* r = plan().find(id);
    REQUIRE(r != nullptr);
    crypto::IssueRequest req;
    req.subject.common_name = r->common_name;
    if (sans) {
        req.dns_names = *sans;
    } else {
        for (const auto& san : r->sans) req.dns_names.push_back(san.name);
    }
    req.eku = r->eku;
    req.key_usage = r->key_usage;
    req.crl_urls = {"http://crl.contoso.com/root.crl"};
    req.not_before = not_after - lifetime;
    req.not_after = not_after;
    return crypto::certificate_pem(crypto::issue_certificate(crypto::public_key_der(pki().leaf_key), req,
                                                            {&pki().ca, &pki().ca_key}));
}

std::vector<std::string> plan_names(const std::string& id) {
    std::vector<std::string> names;
    for (const auto& san : plan().find(id)->sans) names.push_back(san.name);
    return names;
}

const renew::Decision* find(const std::vector<renew::Decision>& list, const std::string& id) {
    const auto it = std::find_if(list.begin(), list.end(), [&](const auto& d) { return d.id == id; });
    return it == list.end() ? nullptr : &*it;
}

bool has(const std::vector<std::string>& list, const std::string& item) {
    return std::find(list.begin(), list.end(), item) != list.end();
}

renew::Decisions decide_folder(const std::string& dir, std::chrono::hours within = 30 * 24h) {
    const auto inventory = renew::load_inventory(plan(), dir, std::nullopt, kAt);
    return renew::decide(plan(), inventory, {kAt, within});
}

std::string read_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// All three certificates of the plan, valid until `until` (the external one until `external`).
void full_inventory(const TempDir& dir, certtool::TimePoint external, certtool::TimePoint until) {
    (void)dir.file("external.pem", issue_pem(kExternal, external));
    for (const auto& r : plan().certificates)
        if (r.id != kExternal) (void)dir.file(r.id + ".pem", issue_pem(r.id, until));
}

}  // namespace

TEST_CASE("renew: --within takes 30d, 12h, 2w and plain days, and refuses the rest", "[renew]") {
    CHECK(renew::parse_within("30d") == 720h);
    CHECK(renew::parse_within("12h") == 12h);
    CHECK(renew::parse_within("2w") == 336h);
    CHECK(renew::parse_within("45") == 1080h);
    CHECK(renew::parse_within("0") == 0h);
    CHECK(renew::parse_within("3650d") == 87600h);
    for (const char* bad : {"", "d", "-1", "1.5d", "30x", "30 d", " 30", "30D", "3651d", "99999999", "522w", "30dd"})
        CHECK_FALSE(renew::parse_within(bad).has_value());
}

TEST_CASE("renew: expiring inside the window is due, outside it is not, the window's end is inside", "[renew]") {
    TempDir dir("certtool-renew");
    const auto later = kAt + 400 * 24h;
    SECTION("exactly at the edge") {
        full_inventory(dir, kAt + 30 * 24h, later);
        const auto d = decide_folder(dir.path());
        REQUIRE(d.due.size() == 1);
        CHECK(d.due[0].id == kExternal);
        CHECK(d.due[0].reasons == std::vector<std::string>{"expiring"});
        REQUIRE(d.due[0].old.has_value());
        CHECK(d.due[0].old->days_left == 30);
        CHECK(d.due[0].names_added.empty());
        CHECK(d.due[0].names_removed.empty());
        CHECK(d.not_due.size() == plan().certificates.size() - 1);
    }
    SECTION("one second after the edge") {
        full_inventory(dir, kAt + 30 * 24h + 1s, later);
        const auto d = decide_folder(dir.path());
        CHECK(d.due.empty());
        REQUIRE(find(d.not_due, kExternal) != nullptr);
        CHECK(find(d.not_due, kExternal)->old->days_left == 30);
    }
    SECTION("a 12-hour window") {
        full_inventory(dir, kAt + 11h, later);
        CHECK(decide_folder(dir.path(), 12h).due.size() == 1);
        CHECK(decide_folder(dir.path(), 10h).due.empty());
    }
    SECTION("already expired") {
        full_inventory(dir, kAt - 1h, later);
        const auto d = decide_folder(dir.path());
        REQUIRE(d.due.size() == 1);
        CHECK(d.due[0].reasons == std::vector<std::string>{"expired"});
        CHECK(d.due[0].old->days_left == -1);
    }
}

TEST_CASE("renew: without --within a certificate is due when a third of its own lifetime remains, never less than its "
          "-Roll lead time", "[renew][lifetime]") {
    TempDir dir;
    const auto decide_lifetime = [&] {
        const auto inventory = renew::load_inventory(plan(), dir.path(), std::nullopt, kAt);
        return renew::decide(plan(), inventory, {kAt, std::nullopt});
    };
    // The other certificates: 365-day ones with 300 days left (a third is 121 days): never due.
    for (const auto& r : plan().certificates)
        if (r.id != kExternal) (void)dir.file(r.id + ".pem", issue_pem(r.id, kAt + 300 * 24h));
    const auto external = [&](std::chrono::seconds lifetime, std::chrono::seconds left) {
        (void)dir.file("external.pem", issue_pem(kExternal, kAt + left, std::nullopt, lifetime));
        return decide_lifetime();
    };

    SECTION("47 days, two thirds gone (15 days 16 hours left, less an hour): due, where a fixed 30 days said so at day 17") {
        const auto d = external(47 * 24h, std::chrono::seconds(47 * 24h) / 3 - 1h);
        const auto* x = find(d.due, kExternal);
        REQUIRE(x != nullptr);
        CHECK(x->reasons == std::vector<std::string>{"expiring"});
        REQUIRE(x->window.has_value());
        CHECK(x->window->reason == "a third of its 47-day lifetime");
        CHECK(x->window->length == std::chrono::seconds(47 * 24h) / 3);
        CHECK(d.not_due.size() == plan().certificates.size() - 1);
    }
    SECTION("47 days, half gone (23.5 days left): not due, although a fixed 30 days would say it is") {
        const auto d = external(47 * 24h, 47 * 12h);
        CHECK(find(d.due, kExternal) == nullptr);
        REQUIRE(find(d.not_due, kExternal) != nullptr);
        CHECK(find(d.not_due, kExternal)->window->reason == "a third of its 47-day lifetime");
    }
    SECTION("398 days with 100 days left: due (a third is 132 days), where a fixed 30 days said not yet") {
        const auto d = external(398 * 24h, 100 * 24h);
        REQUIRE(find(d.due, kExternal) != nullptr);
        CHECK(find(d.due, kExternal)->reasons == std::vector<std::string>{"expiring"});
    }
    SECTION("398 days with 140 days left: not due") {
        const auto d = external(398 * 24h, 140 * 24h);
        CHECK(find(d.due, kExternal) == nullptr);
    }
    SECTION("a 12-hour certificate with A/V Authentication, 7 hours left: due by its 8-hour -Roll lead time") {
        const auto d = external(12h, 7h);
        const auto* x = find(d.due, kExternal);
        REQUIRE(x != nullptr);
        CHECK(x->window->length == std::chrono::seconds(8h));
        CHECK(x->window->reason == "its 8-hour -Roll lead time, more than a third of its lifetime");
    }
    SECTION("a 12-hour certificate without a staged usage, 7 hours left: not due (a third is 4 hours)") {
        REQUIRE(plan().find(kInternal)->roll_lead_hours == 0);
        (void)dir.file(kInternal + ".pem", issue_pem(kInternal, kAt + 7h, std::nullopt, 12h));
        (void)dir.file("external.pem", issue_pem(kExternal, kAt + 300 * 24h));
        const auto d = decide_lifetime();
        CHECK(find(d.due, kInternal) == nullptr);
        REQUIRE(find(d.not_due, kInternal) != nullptr);
        CHECK(find(d.not_due, kInternal)->window->length == std::chrono::seconds(4h));
    }
    SECTION("--within overrides: the half-gone 47-day certificate is due within 30 days, the 398-day one with 100 days "
            "left is not") {
        (void)dir.file("external.pem", issue_pem(kExternal, kAt + 47 * 12h, std::nullopt, 47 * 24h));
        auto d = decide_folder(dir.path(), 30 * 24h);
        REQUIRE(find(d.due, kExternal) != nullptr);
        CHECK(find(d.due, kExternal)->window->reason == "--within");
        (void)dir.file("external.pem", issue_pem(kExternal, kAt + 100 * 24h, std::nullopt, 398 * 24h));
        d = decide_folder(dir.path(), 30 * 24h);
        CHECK(find(d.due, kExternal) == nullptr);
    }
}

TEST_CASE("renew: a certificate that fails the plan is due with the failing codes and the name changes", "[renew]") {
    TempDir dir("certtool-renew");
    const auto later = kAt + 400 * 24h;
    full_inventory(dir, later, later);
    auto names = plan_names(kExternal);
    REQUIRE(has(names, "sip.fabrikam.com"));
    names.erase(std::find(names.begin(), names.end(), "sip.fabrikam.com"));
    names.push_back("old.contoso.com");
    (void)dir.file("external.pem", issue_pem(kExternal, later, names));  // replaces the good one
    const auto d = decide_folder(dir.path());
    REQUIRE(d.due.size() == 1);
    const auto& x = d.due[0];
    CHECK(x.id == kExternal);
    CHECK(x.reasons == std::vector<std::string>{"name.missing"});  // not expiring: only the plan failure
    CHECK(x.names_added == std::vector<std::string>{"sip.fabrikam.com"});
    CHECK(x.names_removed == std::vector<std::string>{"old.contoso.com"});
}

TEST_CASE("renew: a certificate missing from the inventory is due with every planned name added", "[renew]") {
    TempDir dir("certtool-renew");
    (void)dir.file("internal.pem", issue_pem(kInternal, kAt + 400 * 24h));
    const auto d = decide_folder(dir.path());
    CHECK(d.due.size() == plan().certificates.size() - 1);
    const auto* x = find(d.due, kExternal);
    REQUIRE(x != nullptr);
    CHECK(x->reasons == std::vector<std::string>{"missing"});
    CHECK_FALSE(x->old.has_value());
    CHECK(x->names_added == plan_names(kExternal));
    CHECK(find(d.not_due, kInternal) != nullptr);

    // Due ones come in plan order.
    std::vector<std::string> expected;
    for (const auto& r : plan().certificates)
        if (r.id != kInternal) expected.push_back(r.id);
    std::vector<std::string> got;
    for (const auto& y : d.due) got.push_back(y.id);
    CHECK(got == expected);
}

TEST_CASE("renew: of several files for one id the one that expires last is kept, the others are listed", "[renew]") {
    TempDir dir("certtool-renew");
    full_inventory(dir, kAt + 10 * 24h, kAt + 400 * 24h);  // external.pem: the old one, due
    const std::string newer = issue_pem(kExternal, kAt + 300 * 24h);
    REQUIRE(::mkdir(dir.path("lsedge.contoso.net").c_str(), 0700) == 0);
    const auto newer_path = dir.file("lsedge.contoso.net/external-renewed.pem", newer);
    const auto copy_path = dir.file("lsedge.contoso.net/z-copy.pem", newer);
    (void)dir.file("edge.key", crypto::to_pkcs8_pem(pki().leaf_key, std::nullopt));  // a key only: skipped
    (void)dir.file("other.pem", issue_pem(kExternal, kAt, std::vector<std::string>{"www.example.org"}));

    const auto d = decide_folder(dir.path());
    CHECK(d.due.empty());
    REQUIRE(find(d.not_due, kExternal) != nullptr);
    CHECK(find(d.not_due, kExternal)->old->source == newer_path);

    auto ignored = [&](const std::string& reason) {
        std::vector<renew::Ignored> out;
        for (const auto& i : d.ignored)
            if (i.reason == reason) out.push_back(i);
        return out;
    };
    REQUIRE(ignored("superseded").size() == 1);
    CHECK(ignored("superseded")[0].source == dir.path("external.pem"));
    CHECK(ignored("superseded")[0].id == kExternal);
    CHECK(ignored("superseded")[0].kept == newer_path);
    REQUIRE(ignored("duplicate").size() == 1);
    CHECK(ignored("duplicate")[0].source == copy_path);
    REQUIRE(ignored("not-a-certificate").size() == 1);
    CHECK(ignored("not-a-certificate")[0].source == dir.path("edge.key"));
    REQUIRE(ignored("unmatched").size() == 1);
    CHECK(ignored("unmatched")[0].source == dir.path("other.pem"));
}

TEST_CASE("renew: an unreadable inventory file is renew.inventory naming it", "[renew]") {
    TempDir dir("certtool-renew");
    full_inventory(dir, kAt + 400 * 24h, kAt + 400 * 24h);
    const auto garbage = dir.file("garbage.pem", "this is not a certificate\n");
    std::string file;
    CHECK(input_error_code([&] { (void)renew::load_inventory(plan(), dir.path(), std::nullopt, kAt); }, &file) ==
          "renew.inventory");
    CHECK(file == garbage);
    CHECK(input_error_code([&] { (void)renew::load_inventory(plan(), dir.path("absent"), std::nullopt, kAt); }, &file) ==
          "renew.inventory");
    CHECK(file == dir.path("absent"));
}

TEST_CASE("renew: an audit JSON inventory: earliest expiry across members, union of error findings", "[renew]") {
    TempDir dir("certtool-renew");
    using nlohmann::json;
    auto observation = [](const std::string& id, const std::string& member, const std::string& not_after,
                          const std::vector<std::string>& sans, json findings) {
        return json{{"certificate_id", id}, {"pool", "lsedge.contoso.net"}, {"member", member}, {"service", "file"},
                    {"source", "exported/" + member + "/" + id + ".pem"}, {"obtained", true}, {"passed", false},
                    {"sans", sans}, {"not_after_utc", not_after}, {"sha256", std::string(64, member.back())},
                    {"findings", std::move(findings)}};
    };
    auto names = plan_names(kExternal);
    auto without_fabrikam = names;
    without_fabrikam.erase(std::find(without_fabrikam.begin(), without_fabrikam.end(), "sip.fabrikam.com"));
    json doc{{"schema", "certtool.audit/v1"}, {"topology", "site.json"}, {"at", "2027-05-01T00:00:00Z"}, {"warn_days", 30}};
    doc["observations"] = json::array(
        {observation(kExternal, "lsedge1.contoso.net", "2028-01-01T00:00:00Z", names,
                     json::array({{{"severity", "error"}, {"code", "crl.missing"}, {"message", "-"}},
                                  {{"severity", "warning"}, {"code", "signature.sha1"}, {"message", "-"}}})),
         observation(kExternal, "lsedge2.contoso.net", "2027-12-01T10:00:00Z", without_fabrikam,
                     json::array({{{"severity", "error"}, {"code", "name.missing"}, {"message", "-"}},
                                  {{"severity", "error"}, {"code", "validity.expired"}, {"message", "-"}}})),
         json{{"certificate_id", kInternal}, {"member", "lsedge1.contoso.net"}, {"obtained", false},
              {"findings", json::array({{{"severity", "error"}, {"code", "tls.refused"}, {"message", "-"}}})}},
         observation("front-end.pool-contoso-net", "pool.contoso.net", "2027-06-10T00:00:00Z", {"pool.contoso.net"},
                     json::array())});
    for (const auto& r : plan().certificates)
        if (r.id != kExternal && r.id != kInternal)
            doc["observations"].push_back(observation(r.id, "lsedge1.contoso.net", "2029-01-01T00:00:00Z", plan_names(r.id), json::array()));
    const auto path = dir.file("audit.json", doc.dump(2));

    const auto inventory = renew::load_inventory(plan(), path, std::nullopt, kAt);
    CHECK(inventory.audit_json);
    const auto d = renew::decide(plan(), inventory, {kAt, 30 * 24h});
    const auto* x = find(d.due, kExternal);
    REQUIRE(x != nullptr);
    CHECK(x->reasons == std::vector<std::string>{"crl.missing", "name.missing"});  // no expiry: the audit's own validity.* is not used
    REQUIRE(x->old.has_value());
    CHECK(certtool::format_datetime(x->old->not_after) == "2027-12-01T10:00:00Z");  // the earlier of the two
    CHECK(x->old->source == "lsedge2.contoso.net (exported/lsedge2.contoso.net/" + kExternal + ".pem)");
    CHECK(x->names_added == std::vector<std::string>{"sip.fabrikam.com"});
    const auto* internal = find(d.due, kInternal);
    REQUIRE(internal != nullptr);
    CHECK(internal->reasons == std::vector<std::string>{"missing"});
    REQUIRE(d.ignored.size() == 1);
    CHECK(d.ignored[0].reason == "not-in-plan");
    CHECK(d.ignored[0].id == "front-end.pool-contoso-net");
    CHECK(d.not_due.size() == plan().certificates.size() - 2);

    // A later --at makes the earliest expiry decide.
    const auto later = renew::decide(plan(), inventory, {*certtool::parse_utc("2027-11-05"), 30 * 24h});
    CHECK(find(later.due, kExternal)->reasons.front() == "expiring");
}

TEST_CASE("renew: an audit JSON gives the lifetime by not_before_utc; a report without it falls back to 30 days",
          "[renew][lifetime]") {
    using json = nlohmann::json;
    TempDir dir("certtool-renew");
    // The external certificate lived 47 days and has 20 left: not due by a third of its lifetime, due by the
    // 30-day fallback of a report that does not say when it began.
    const auto observation = [](const std::string& id, const std::string& not_before, const std::string& not_after) {
        json o{{"certificate_id", id}, {"obtained", true}, {"sans", plan_names(id)}, {"not_after_utc", not_after},
               {"sha256", std::string(64, 'a')}, {"findings", json::array()}};
        if (!not_before.empty()) o["not_before_utc"] = not_before;
        return o;
    };
    const auto decide_audit = [&](const std::string& not_before) {
        json doc{{"schema", "certtool.audit/v1"}, {"topology", "site.json"}, {"at", "2027-06-01T00:00:00Z"}};
        doc["observations"] = json::array();
        // kAt is 2027-06-01T12:00:00Z: 20 days left of a 47-day certificate issued 2027-05-05T12:00:00Z.
        doc["observations"].push_back(observation(kExternal, not_before, "2027-06-21T12:00:00Z"));
        for (const auto& r : plan().certificates)
            if (r.id != kExternal)
                doc["observations"].push_back(observation(r.id, "2027-01-01T00:00:00Z", "2028-01-01T00:00:00Z"));
        const auto path = dir.file("audit.json", doc.dump(2));
        return renew::decide(plan(), renew::load_inventory(plan(), path, std::nullopt, kAt), {kAt, std::nullopt});
    };
    SECTION("with not_before_utc: 20 of 47 days left is not due (a third is 15.7 days)") {
        const auto d = decide_audit("2027-05-05T12:00:00Z");
        CHECK(find(d.due, kExternal) == nullptr);
        REQUIRE(find(d.not_due, kExternal) != nullptr);
        CHECK(find(d.not_due, kExternal)->window->reason == "a third of its 47-day lifetime");
        CHECK(d.due.empty());
    }
    SECTION("without it (an older report): 30 days, so due") {
        const auto d = decide_audit("");
        REQUIRE(find(d.due, kExternal) != nullptr);
        CHECK(find(d.due, kExternal)->window->reason == "30 days: the inventory does not give its notBefore");
    }
    SECTION("a not_before_utc that is not a time is renew.inventory") {
        CHECK(input_error_code([&] { (void)decide_audit("yesterday"); }) == "renew.inventory");
    }
}

TEST_CASE("renew: an audit JSON that cannot be used is renew.inventory naming it", "[renew]") {
    TempDir dir("certtool-renew");
    for (const std::string& text : {std::string("{\"schema\": \"certtool.audit/v1\", "), std::string("[1, 2]"),
                                    std::string("{\"schema\": \"certtool.verify/v1\", \"results\": []}"),
                                    std::string("{\"schema\": \"certtool.audit/v1\", \"observations\": [1e400]}"),  // fuzz_inventory
                                    std::string("{\"schema\": \"certtool.audit/v1\", \"observations\": [{\"obtained\": true}]}"),
                                    std::string("{\"schema\": \"certtool.audit/v1\", \"observations\": [{\"obtained\": true, "
                                                "\"certificate_id\": \"" + kExternal + "\", \"not_after_utc\": \"soon\"}]}")}) {
        INFO(text);
        const auto path = dir.file("audit.json", text);
        std::string file;
        CHECK(input_error_code([&] { (void)renew::load_inventory(plan(), path, std::nullopt, kAt); }, &file) == "renew.inventory");
        CHECK(file == path);
    }
}

TEST_CASE("renew: the document lists due and not-due certificates and --reuse-key checks the key", "[renew]") {
    TempDir dir("certtool-renew");
    full_inventory(dir, kAt + 5 * 24h, kAt + 400 * 24h);
    const auto d = decide_folder(dir.path());
    REQUIRE(d.due.size() == 1);

    renew::WriteOptions options;
    options.reuse_key = true;
    REQUIRE(::mkdir(dir.path("keys").c_str(), 0700) == 0);
    options.keys_dir = dir.path("keys");
    CHECK(input_error_code([&] { (void)renew::keys_to_reuse(d, options); }) == "key.missing");
    const auto other = crypto::generate_key({crypto::KeyType::ec, 256});
    (void)dir.file("keys/" + kExternal + ".key", crypto::to_pkcs8_pem(other, std::nullopt));
    CHECK(input_error_code([&] { (void)renew::keys_to_reuse(d, options); }) == "key.mismatch");
    (void)dir.file("keys/" + kExternal + ".key", crypto::to_pkcs8_pem(pki().leaf_key, std::nullopt));
    const auto planned = renew::planned_keys(d, options);
    REQUIRE(planned.count(kExternal) == 1);
    CHECK(planned.at(kExternal).key == "reused");

    const auto doc = nlohmann::json::parse(certtool::report::render_renew_json(plan(), d, planned, ""));
    CHECK(doc["schema"] == "certtool.renew/v1");
    CHECK(doc["at"] == "2027-06-01T12:00:00Z");
    CHECK(doc["within_hours"] == 720);
    CHECK(doc["dry_run"] == true);
    CHECK(doc["folder"].is_null());
    REQUIRE(doc["due"].size() == 1);
    CHECK(doc["due"][0]["id"] == kExternal);
    CHECK(doc["due"][0]["reasons"] == nlohmann::json::array({"expiring"}));
    CHECK(doc["due"][0]["old"]["days_left"] == 5);
    CHECK(doc["due"][0]["old"]["sans"] == plan_names(kExternal));
    CHECK(doc["due"][0]["key"] == "reused");
    CHECK(doc["due"][0]["key_file"].is_null());
    CHECK(doc["not_due"].size() == plan().certificates.size() - 1);
    CHECK(doc["not_due"][0].contains("days_left"));
    CHECK(renew::dated_folder("out/", kAt) == "out/2027-06-01");
}

TEST_CASE("renew: the renewal.json of an earlier run of the day keeps its other entries; one that is unusable is replaced, said so",
          "[renew]") {
    TempDir dir("certtool-renew");
    full_inventory(dir, kAt + 5 * 24h, kAt + 400 * 24h);
    const auto d = decide_folder(dir.path());
    REQUIRE(d.due.size() == 1);
    renew::WriteOptions options;
    options.out_dir = dir.path("out");
    const std::string folder = renew::dated_folder(options.out_dir, kAt);
    REQUIRE(::mkdir(options.out_dir.c_str(), 0700) == 0);
    REQUIRE(::mkdir(folder.c_str(), 0700) == 0);

    SECTION("an entry for another certificate stays; this run's entry replaces the earlier one of its id") {
        (void)dir.file("out/2027-06-01/renewal.json", R"({"schema": "certtool.renew/v1", "due": [
            {"id": "edge-external.lsedge-contoso-net", "reasons": ["missing"], "key": "new"},
            {"id": "reverse-proxy.gone", "reasons": ["missing"], "key": "new"}], "not_due": []})");
        const auto written = renew::write_renewal(plan(), d, options);
        CHECK(written.warnings.empty());
        const auto doc = nlohmann::json::parse(written.report);
        CHECK(written.report == read_text(folder + "/renewal.json"));
        REQUIRE(doc["due"].size() == 2);
        CHECK(doc["due"][0]["id"] == kExternal);
        CHECK(doc["due"][0]["reasons"] == nlohmann::json::array({"expiring"}));
        CHECK(doc["due"][1]["id"] == "reverse-proxy.gone");  // not in this plan: after the plan's
        CHECK(doc["not_due"].size() == plan().certificates.size() - 1);
    }
    SECTION("not JSON") {
        (void)dir.file("out/2027-06-01/renewal.json", "{\"schema\": ");
        const auto written = renew::write_renewal(plan(), d, options);
        REQUIRE(written.warnings.size() == 1);
        CHECK(written.warnings[0] == folder + "/renewal.json is not JSON; it is replaced, and the certificates it listed are no longer listed");
        const auto doc = nlohmann::json::parse(read_text(folder + "/renewal.json"));
        REQUIRE(doc["due"].size() == 1);
        CHECK(doc["due"][0]["id"] == kExternal);
    }
    SECTION("another document") {
        (void)dir.file("out/2027-06-01/renewal.json",
                       GENERATE(std::string(R"({"schema": "certtool.audit/v1", "due": [{"id": "x"}]})"), std::string(R"({"schema": 5})"),
                                std::string("[1, 2]")));
        const auto written = renew::write_renewal(plan(), d, options);
        REQUIRE(written.warnings.size() == 1);
        CHECK(written.warnings[0].find("is not a certtool.renew/v1 document") != std::string::npos);
        CHECK(nlohmann::json::parse(written.report)["due"].size() == 1);
    }
}

TEST_CASE("renew: a folder that ca sign --manifest, acme, csr or renew wrote is an inventory: their JSON indexes are "
          "not certificates and are passed over",
          "[renew]") {
    TempDir dir("certtool-renew");
    full_inventory(dir, kAt + 10 * 24h, kAt + 400 * 24h);
    // What certtool writes beside the certificates (issued.json, acme-state.json,
    // manifest.json, renewal.json): before the fix, reading the folder failed with
    // cert.unreadable on the first of them.
    for (const auto* name : {"issued.json", "acme-state.json", "manifest.json", "renewal.json"})
        (void)dir.file(name, "{\"schema\": \"certtool.ca-issued/v1\"}\n");
    // As ca sign --manifest writes it, the leaf has its chain file beside it: the leaf is the file held.
    (void)dir.file("external.chain.pem", read_text(dir.path() + "/external.pem"));
    const auto d = decide_folder(dir.path());
    REQUIRE(d.due.size() == 1);
    CHECK(d.due[0].id == kExternal);
    REQUIRE(d.due[0].old.has_value());
    CHECK(d.due[0].old->source == dir.path() + "/external.pem");
    CHECK(d.not_due.size() == plan().certificates.size() - 1);
}
