// Issue 14: the public CAs' maximum lifetime by date (BR 6.3.2, SC-081v3), the
// -Roll lead times, the plan's per-certificate lifetime and its warning.
#include <catch2/catch.hpp>

#include <algorithm>

#include "model/lifetime.hpp"
#include "model_fixture.hpp"
#include "report/report.hpp"

using namespace certtool;
using namespace std::chrono_literals;

namespace {

TimePoint at(const char* text) { return *parse_utc(text); }

model::Plan plan_at(const nlohmann::json& topology_json, const char* when) {
    return model::build_plan(topology::parse(topology_json.dump(), "test.json"), {"test.json", ""}, at(when));
}

const model::Finding* finding(const model::Plan& plan, const std::string& code) {
    for (const auto& f : plan.findings)
        if (f.code == code) return &f;
    return nullptr;
}

}  // namespace

TEST_CASE("lifetime: the baseline requirements' maximum changes on each date of SC-081v3", "[lifetime]") {
    CHECK(model::public_lifetime_limit(at("2020-01-01")).max_days == 398);
    CHECK(model::public_lifetime_limit(at("2026-03-14T23:59:59Z")).max_days == 398);
    CHECK(model::public_lifetime_limit(at("2026-03-15")).max_days == 200);
    CHECK(model::public_lifetime_limit(at("2027-03-14T23:59:59Z")).max_days == 200);
    CHECK(model::public_lifetime_limit(at("2027-03-15")).max_days == 100);
    CHECK(model::public_lifetime_limit(at("2029-03-14T23:59:59Z")).max_days == 100);
    CHECK(model::public_lifetime_limit(at("2029-03-15")).max_days == 47);
    CHECK(model::public_lifetime_limit(at("2040-01-01")).max_days == 47);

    CHECK(model::applies_from(model::public_lifetime_limit(at("2027-06-01"))) == "2027-03-15");
    CHECK(model::applies_text(model::public_lifetime_limit(at("2027-06-01"))) == "from 2027-03-15");
    CHECK(model::applies_from(model::public_lifetime_limit(at("2025-06-01"))).empty());
    CHECK(model::applies_text(model::public_lifetime_limit(at("2025-06-01"))) == "before 2026-03-15");
}

TEST_CASE("lifetime: -Roll lead times per usage, renewals a year, the renewal window", "[lifetime]") {
    CHECK(model::roll_lead_hours({}) == 0);
    CHECK(model::roll_lead_hours({"AccessEdgeExternal", "DataEdgeExternal"}) == 0);
    CHECK(model::roll_lead_hours({"AccessEdgeExternal", "AudioVideoAuthentication"}) == 8);
    CHECK(model::roll_lead_hours({"OAuthTokenIssuer"}) == 24);
    CHECK(model::roll_lead_hours({"AudioVideoAuthentication", "OAuthTokenIssuer"}) == 24);

    CHECK(model::renewals_per_year(365) == 1);
    CHECK(model::renewals_per_year(398) == 1);
    CHECK(model::renewals_per_year(200) == 2);
    CHECK(model::renewals_per_year(100) == 4);
    CHECK(model::renewals_per_year(47) == 8);

    const TimePoint issued = at("2029-04-01");
    // 47 days: a third is 15 days 16 hours.
    CHECK(model::renewal_window(issued, issued + 47 * 24h, 8) == std::chrono::seconds(47 * 24h) / 3);
    CHECK(model::renewal_window_reason(issued, issued + 47 * 24h, 8) == "a third of its 47-day lifetime");
    // 12 hours: a third is 4 hours, below the A/V lead time of 8.
    CHECK(model::renewal_window(issued, issued + 12h, 8) == std::chrono::seconds(8h));
    CHECK(model::renewal_window_reason(issued, issued + 12h, 8) ==
          "its 8-hour -Roll lead time, more than a third of its lifetime");
    CHECK(model::renewal_window(issued, issued + 12h, 0) == std::chrono::seconds(4h));
}

TEST_CASE("plan: public-CA certificates get the maximum at --at, internal ones policy.validity_days", "[lifetime][plan]") {
    const auto t = test::edge_single_nat();
    SECTION("before 2026-03-15: 398 days") {
        const auto plan = plan_at(t, "2026-03-14T12:00:00Z");
        const auto external = test::certificate(plan, "edge-external.lsedge-contoso-net");
        CHECK(external.validity_days == 398);
        CHECK(external.max_validity_days == 398);
        CHECK(external.max_validity_from.empty());
    }
    SECTION("from 2026-03-15: 200 days") {
        const auto plan = plan_at(t, "2026-03-15");
        const auto external = test::certificate(plan, "edge-external.lsedge-contoso-net");
        CHECK(external.validity_days == 200);
        CHECK(external.max_validity_days == 200);
        CHECK(external.max_validity_from == "2026-03-15");
        CHECK(external.renewals_per_year == 2);
        CHECK(external.roll_lead_hours == 8);  // it carries AudioVideoAuthentication
        const auto internal = test::certificate(plan, "edge-internal.lsedge-contoso-net");
        CHECK(internal.validity_days == 365);
        CHECK_FALSE(internal.max_validity_days.has_value());
        CHECK(internal.renewals_per_year == 1);
        CHECK(internal.roll_lead_hours == 0);
        CHECK(finding(plan, "validity-above-maximum") == nullptr);  // not set: no warning
    }
    SECTION("from 2029-03-15: 47 days, 8 renewals a year") {
        const auto plan = plan_at(t, "2029-03-15");
        const auto external = test::certificate(plan, "edge-external.lsedge-contoso-net");
        CHECK(external.validity_days == 47);
        CHECK(external.renewals_per_year == 8);
        CHECK(report::lifetime_line(external) ==
              "47 days (public-CA maximum from 2029-03-15), 8 renewals a year, -Roll lead 8 h");
    }
}

TEST_CASE("plan: validity_days set above the maximum is capped, with one warning naming it; set below, it is kept",
          "[lifetime][plan]") {
    auto t = test::edge_single_nat();
    SECTION("explicitly above: warning, capped") {
        t["policy"] = {{"validity_days", 365}};
        const auto plan = plan_at(t, "2027-03-15");
        const auto* f = finding(plan, "validity-above-maximum");
        REQUIRE(f != nullptr);
        CHECK(f->severity == model::Severity::warning);
        CHECK(f->path == "/policy/validity_days");
        CHECK(f->message.find("100-day maximum") != std::string::npos);
        CHECK(f->message.find("from 2027-03-15") != std::string::npos);
        CHECK(f->message.find("will not issue more") != std::string::npos);
        CHECK(f->message.find("edge-external.lsedge-contoso-net") != std::string::npos);
        CHECK(test::certificate(plan, "edge-external.lsedge-contoso-net").validity_days == 100);
        CHECK(test::certificate(plan, "edge-internal.lsedge-contoso-net").validity_days == 365);
        CHECK(std::count_if(plan.findings.begin(), plan.findings.end(),
                            [](const model::Finding& x) { return x.code == "validity-above-maximum"; }) == 1);
    }
    SECTION("explicitly at or below: no warning, the policy's value") {
        t["policy"] = {{"validity_days", 90}};
        const auto plan = plan_at(t, "2027-03-15");
        CHECK(finding(plan, "validity-above-maximum") == nullptr);
        CHECK(test::certificate(plan, "edge-external.lsedge-contoso-net").validity_days == 90);
        CHECK(test::certificate(plan, "edge-external.lsedge-contoso-net").renewals_per_year == 5);
        CHECK(test::certificate(plan, "edge-internal.lsedge-contoso-net").validity_days == 90);
    }
    SECTION("the same 365 is fine before 2026-03-15 (398)") {
        t["policy"] = {{"validity_days", 365}};
        const auto plan = plan_at(t, "2026-03-14");
        CHECK(finding(plan, "validity-above-maximum") == nullptr);
        CHECK(test::certificate(plan, "edge-external.lsedge-contoso-net").validity_days == 365);
    }
}

TEST_CASE("plan JSON: each certificate says its validity, maximum, renewals and -Roll lead", "[lifetime][plan]") {
    const auto plan = plan_at(test::enterprise(), "2027-04-01");
    const auto doc = nlohmann::json::parse(report::render_json(plan));
    bool saw_public = false, saw_internal = false;
    for (const auto& c : doc["certificates"]) {
        INFO(c["id"]);
        if (c["ca"] == "public") {
            saw_public = true;
            CHECK(c["validity_days"] == 100);
            CHECK(c["max_validity_days"] == 100);
            CHECK(c["max_validity_from"] == "2027-03-15");
            CHECK(c["renewals_per_year"] == 4);
        } else {
            saw_internal = true;
            CHECK(c["validity_days"] == 365);
            CHECK_FALSE(c.contains("max_validity_days"));
            CHECK(c["renewals_per_year"] == 1);
        }
        const auto usages = c["usages"].get<std::vector<std::string>>();
        const bool av = std::find(usages.begin(), usages.end(), "AudioVideoAuthentication") != usages.end();
        const bool oauth = std::find(usages.begin(), usages.end(), "OAuthTokenIssuer") != usages.end();
        CHECK(c["roll_lead_hours"] == (oauth ? 24 : av ? 8 : 0));
    }
    CHECK(saw_public);
    CHECK(saw_internal);
}
