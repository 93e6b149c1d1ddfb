// x509-limbo conformance: every SERVER case of the suite goes through
// validate_chain exactly as `certtool verify` calls it. The data file is not
// in the repository; it is read from beside the clone at run time.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "core/time.hpp"
#include "crypto/certificate.hpp"

namespace {

using certtool::crypto::CryptoError;
using certtool::crypto::TimePoint;
using nlohmann::json;

std::optional<json> read_json(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    return json::parse(in);
}

// limbo writes ISO 8601 ("2024-04-01T00:00:00.005+00:00"): read as --at reads it.
std::optional<TimePoint> parse_time(const json& value) {
    if (!value.is_string()) return std::nullopt;
    return certtool::parse_utc(value.get<std::string>());
}

std::vector<std::string> pem_ders(const json& pem) {
    std::vector<std::string> out;
    std::string text;
    if (pem.is_string()) {
        text = pem.get<std::string>();
    } else if (pem.is_array()) {
        for (const auto& item : pem) text += item.get<std::string>() + "\n";
    }
    if (text.find("-----BEGIN") == std::string::npos) return out;
    for (auto& c : certtool::crypto::load_certificates(text, std::nullopt).certificates) out.push_back(std::move(c.der));
    return out;
}

// Why a case is not run, or "" when it is. Each reason is a feature that
// certtool deliberately does not implement.
std::string skip_reason(const json& tc) {
    if (tc.value("validation_kind", "") != "SERVER") return "CLIENT validation: certtool verifies server certificates only";
    for (const auto& feature : tc.value("features", json::array())) {
        if (feature == "has-crl") return "CRL checking is not implemented (revocation is not checked offline)";
    }
    const json& name = tc["expected_peer_name"];
    if (name.is_object() && name.value("kind", "") == "RFC822") {
        return "RFC822 (e-mail) names are not a TLS server identity";
    }
    if (!tc.value("signature_algorithms", json::array()).empty()) {
        return "caller-restricted signature algorithms are not an option of certtool verify";
    }
    return {};
}

struct Outcome {
    bool ran = false;
    bool agrees = false;
    bool expected_success = false;
    std::string detail;
};

Outcome run_case(const json& tc) {
    Outcome o;
    o.expected_success = tc.value("expected_result", "") == "SUCCESS";
    certtool::crypto::ValidationRequest req;
    std::optional<certtool::crypto::Certificate> leaf;
    try {
        req.trusted_der = pem_ders(tc["trusted_certs"]);
        req.intermediates_der = pem_ders(tc["untrusted_intermediates"]);
        leaf = certtool::crypto::load_certificates(tc["peer_certificate"].get<std::string>(), std::nullopt).certificates.at(0);
    } catch (const CryptoError& e) {
        // A certificate we cannot read is a rejection, as for `certtool verify`.
        o.ran = true;
        o.agrees = !o.expected_success;
        o.detail = e.code() + ": " + e.what();
        return o;
    }
    req.use_system_store = false;
    req.at = parse_time(tc["validation_time"]);
    const json& name = tc["expected_peer_name"];
    if (name.is_object()) req.hostname = name.value("value", "");
    req.require_server_auth = true;
    if (tc["max_chain_depth"].is_number_unsigned()) req.max_chain_depth = tc["max_chain_depth"].get<std::size_t>();

    if (req.trusted_der.empty()) {
        // An empty trust store would mean "the system store" to validate_chain;
        // limbo means "nothing is trusted".
        o.ran = true;
        o.agrees = !o.expected_success;
        o.detail = "no trust anchor";
        return o;
    }
    const auto result = certtool::crypto::validate_chain(*leaf, req);
    o.ran = true;
    o.agrees = result.valid == o.expected_success;
    o.detail = result.code + " - " + result.message;
    return o;
}

struct Tally {
    int pass = 0;
    int fail = 0;
    int skip = 0;
};

}  // namespace

TEST_CASE("limbo: x509-limbo SERVER cases meet the conformance targets", "[limbo]") {
    const std::string dir = std::string(CERTTOOL_SOURCE_DIR) + "/../shared/conformance/x509-limbo/";
    const std::optional<json> limbo = read_json(dir + "limbo.json");
    if (!limbo) {
        WARN("x509-limbo data not found at " << dir << "limbo.json: the conformance run is skipped");
        SUCCEED("no limbo.json beside the clone");
        return;
    }
    const std::optional<json> categories = read_json(dir + "categories.json");

    std::map<std::string, std::string> category_of;
    std::vector<std::string> category_order;
    if (categories) {
        for (const auto& [category, ids] : categories->items()) {
            category_order.push_back(category);
            for (const auto& id : ids) category_of[id.get<std::string>()] = category;
        }
    }
    const std::string kHostname = "hostname/SAN/CN";

    std::map<std::string, Tally> tally;
    std::map<std::string, std::string> skipped;  // id -> reason
    std::vector<std::string> valid_rejected;
    std::vector<std::string> invalid_accepted;
    int valid_run = 0;
    int invalid_run = 0;
    int hostname_right = 0;
    int hostname_total = 0;
    std::map<std::string, std::string> details;

    const auto started = std::chrono::steady_clock::now();
    for (const auto& tc : (*limbo)["testcases"]) {
        const std::string id = tc.value("id", "");
        std::string category = category_of.count(id) != 0 ? category_of[id] : "(uncategorised)";
        if (category_of.count(id) == 0 && tally.count(category) == 0) category_order.push_back(category);
        Tally& t = tally[category];
        const std::string reason = skip_reason(tc);
        if (!reason.empty()) {
            ++t.skip;
            skipped[id] = reason;
            continue;
        }
        const bool trace = std::getenv("CERTTOOL_LIMBO_TRACE") != nullptr;
        if (trace) std::cerr << id << std::endl;
        const Outcome o = run_case(tc);
        if (trace) std::cerr << "  -> " << (o.agrees ? "agrees" : "DISAGREES") << ": " << o.detail << std::endl;
        details[id] = o.detail;
        if (o.agrees) {
            ++t.pass;
        } else {
            ++t.fail;
            (o.expected_success ? valid_rejected : invalid_accepted).push_back(id);
        }
        (o.expected_success ? valid_run : invalid_run) += 1;
        if (category == kHostname) {
            ++hostname_total;
            if (o.agrees) ++hostname_right;
        }
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

    std::ostringstream table;
    table << "\nx509-limbo SERVER cases through validate_chain (" << std::fixed << std::setprecision(2) << seconds
          << " s)\n";
    table << std::left << std::setw(34) << "category" << std::right << std::setw(6) << "pass" << std::setw(6) << "fail"
          << std::setw(6) << "skip" << "\n";
    Tally total;
    for (const std::string& category : category_order) {
        const Tally& t = tally[category];
        table << std::left << std::setw(34) << category << std::right << std::setw(6) << t.pass << std::setw(6) << t.fail
              << std::setw(6) << t.skip << "\n";
        total.pass += t.pass;
        total.fail += t.fail;
        total.skip += t.skip;
    }
    table << std::left << std::setw(34) << "total" << std::right << std::setw(6) << total.pass << std::setw(6)
          << total.fail << std::setw(6) << total.skip << "\n\n";
    table << "valid cases rejected:   " << valid_rejected.size() << " of " << valid_run << " (target <= 2)\n";
    table << "invalid cases accepted: " << invalid_accepted.size() << " of " << invalid_run << " (target <= 5)\n";
    table << "hostname cases right:   " << hostname_right << " of " << hostname_total << " (target >= 31 of 33)\n";
    table << "baseline, openssl verify: accepts 51 of 57 valid, accepts 57 of 139 invalid, 19 of 33 hostname right\n";
    table << "\nvalid cases rejected:\n";
    for (const auto& id : valid_rejected) table << "  " << id << "  [" << details[id] << "]\n";
    table << "invalid cases accepted:\n";
    for (const auto& id : invalid_accepted) table << "  " << id << "\n";
    std::map<std::string, int> reasons;
    for (const auto& [id, reason] : skipped) ++reasons[reason];
    table << "skipped:\n";
    for (const auto& [reason, count] : reasons) table << "  " << count << " x " << reason << "\n";
    std::cout << table.str() << std::flush;

    // The targets, at what is reached (issue 12 raised them from 3 and 9).
    // The valid cases still rejected are deliberate (see the README,
    // "Conformance"): a CA certificate as the server certificate
    // (rfc5280::ca-as-leaf, pathlen::validation-ignores-pathlen-in-leaf;
    // CA/B Forum BR 7.1.2.7.8 forbids it, as webpki::ca-as-leaf expects). The
    // subject CN rule of webpki::cn::not-in-san is checked by verify's generic
    // checks, not here (check/check.cpp), so the two webpki::cn cases stay
    // among the invalid ones accepted; test_limbo_cli_e2e.cpp counts them.
    CHECK(valid_rejected.size() <= 2);
    CHECK(invalid_accepted.size() <= 5);
    CHECK(hostname_right >= 31);
}
