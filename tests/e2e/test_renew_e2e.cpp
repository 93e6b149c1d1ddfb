// certtool renew, end to end: certificates issued by the test CA (in process)
// from certtool's own requests form the inventory; renew must write new keys and
// requests with the plan's names into a dated folder, or nothing at all.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <cctype>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <vector>

#include "cert_lab.hpp"
#include "run_process.hpp"
#include "test_ca.hpp"

using namespace certtool::test;
using nlohmann::json;

namespace {

const std::string kTopology = source_path("templates/examples/edge-single-nat.json");
const std::string kExternal = "edge-external.lsedge-contoso-net";
const std::string kInternal = "edge-internal.lsedge-contoso-net";
const std::vector<std::string> kExternalNames = {"sip.contoso.com", "webcon.contoso.com", "sip.fabrikam.com"};


bool exists(const std::string& path) {
    struct stat st {};
    return ::lstat(path.c_str(), &st) == 0;
}

unsigned mode_of(const std::string& path) {
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    return st.st_mode & 07777;
}

// The UTC date `days` from now, as --at takes it.
std::string date_in(int days) {
    const std::time_t t = std::time(nullptr) + static_cast<std::time_t>(days) * 86400;
    std::tm tm{};
    ::gmtime_r(&t, &tm);
    char text[16];
    std::strftime(text, sizeof text, "%Y-%m-%d", &tm);
    return text;
}

// The UTC time `seconds` from now, to the second, as --at takes it.
std::string time_in(long seconds) {
    const std::time_t t = std::time(nullptr) + static_cast<std::time_t>(seconds);
    std::tm tm{};
    ::gmtime_r(&t, &tm);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return text;
}

// certtool's requests and keys read back by the openssl CLI: an independent implementation.
std::vector<std::string> csr_names(const std::string& csr) {
    const auto r = run_openssl({"req", "-in", csr, "-noout", "-text"});
    REQUIRE(r.exit_code == 0);
    std::vector<std::string> names;
    const std::regex dns("DNS:([^,\\s]+)");
    for (auto it = std::sregex_iterator(r.out.begin(), r.out.end(), dns); it != std::sregex_iterator(); ++it)
        names.push_back((*it)[1]);
    return names;
}

std::string csr_public_key(const std::string& csr) {
    const auto r = run_openssl({"req", "-in", csr, "-noout", "-pubkey"});
    REQUIRE(r.exit_code == 0);
    return r.out;
}

std::string key_public_key(const std::string& key) {
    const auto r = run_openssl({"pkey", "-in", key, "-pubout"});
    REQUIRE(r.exit_code == 0);
    return r.out;
}

std::vector<std::string> strings(const json& array) {
    std::vector<std::string> out;
    for (const auto& s : array) out.push_back(s.get<std::string>());
    return out;
}

// A test root CA, certtool's requests for the example topology in req/, and an
// inventory folder inv/ holding a 365-day certificate issued from each of them.
struct Lab {
    TempDir tmp{"certtool-renew-e2e"};
    std::string dir = tmp.path();
    std::string inv = dir + "/inv";
    std::string out = dir + "/out";
    TestCa ca{tmp};
    Lab() {
        REQUIRE(run_in_process({"csr", kTopology, "--out", dir + "/req"}).exit_code == 0);
        std::filesystem::create_directory(inv);
        (void)ca.issue(request(kExternal), key(kExternal), "inv/external");
        (void)ca.issue(request(kInternal), key(kInternal), "inv/internal");
    }
    std::string request(const std::string& id) const { return dir + "/req/" + id + ".csr"; }
    std::string key(const std::string& id) const { return dir + "/req/" + id + ".key"; }
    // A certificate on a key of its own carrying only `sans`, as inv/external.pem.
    void hand_made_external(const std::string& cn, const std::vector<std::string>& sans) const {
        CertOptions o;
        o.subject = "/CN=" + cn;
        o.dns_names = sans;
        const auto made = ca.issue("hand-made", o);
        std::filesystem::copy_file(made.cert, inv + "/external.pem", std::filesystem::copy_options::overwrite_existing);
    }
    // inv/<file>.pem issued again from certtool's request for `id`, living from now to now + `seconds`.
    void short_lived(const std::string& id, const std::string& file, long seconds) const {
        CertOptions o;
        const std::time_t now = std::time(nullptr);
        o.not_before = now;
        o.not_after = now + seconds;
        (void)ca.issue(request(id), key(id), "inv/" + file, o);
    }
    // certtool renew in process; `process`: the real binary.
    ProcessResult renew(std::vector<std::string> args, bool process = false) {
        args.insert(args.begin(), {"renew", kTopology});
        return process ? run_certtool(args) : run_in_process(args);
    }
};

}  // namespace

TEST_CASE("renew e2e: certificates due at --at get new keys and requests with the plan's names in a dated folder",
          "[renew][e2e]") {
    Lab lab;
    const std::string at = date_in(350);
    const auto r = lab.renew({"--inventory", lab.inv, "--within", "30d", "--at", at, "--out", lab.out, "--format", "json"}, true);
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 1);
    const std::string folder = lab.out + "/" + at;
    for (const auto& id : {kExternal, kInternal}) {
        CHECK(mode_of(folder + "/" + id + ".key") == 0600);
        CHECK(exists(folder + "/" + id + ".inf"));
        CHECK(key_public_key(folder + "/" + id + ".key") == csr_public_key(folder + "/" + id + ".csr"));
        CHECK(key_public_key(folder + "/" + id + ".key") != key_public_key(lab.key(id)));  // a new key
    }
    CHECK(csr_names(folder + "/" + kExternal + ".csr") == kExternalNames);
    CHECK(csr_names(folder + "/" + kInternal + ".csr") == std::vector<std::string>{"lsedge.contoso.net"});
    CHECK(exists(folder + "/manifest.json"));

    const std::string report_text = read_file(folder + "/renewal.json");
    CHECK(report_text == r.out);  // --format json prints the document it wrote
    const auto doc = json::parse(report_text);
    CHECK(doc["schema"] == "certtool.renew/v1");
    CHECK(doc["within_hours"] == 720);
    CHECK(doc["folder"] == folder);
    REQUIRE(doc["due"].size() == 2);
    CHECK(doc["not_due"].empty());
    for (const auto& d : doc["due"]) {
        CHECK(strings(d["reasons"]) == std::vector<std::string>{"expiring"});
        CHECK(d["names_added"].empty());
        CHECK(d["names_removed"].empty());
        CHECK(d["key"] == "new");
        CHECK(d["old"]["days_left"].get<int>() <= 16);
        CHECK(d["old"]["days_left"].get<int>() >= 13);
    }
    CHECK(doc["due"][0]["id"] == kExternal);
    CHECK(doc["due"][0]["csr_file"] == folder + "/" + kExternal + ".csr");
    CHECK(doc["due"][0]["key_file"] == folder + "/" + kExternal + ".key");
    CHECK(strings(doc["due"][0]["old"]["sans"]) == kExternalNames);
    CHECK(doc["due"][0]["old"]["source"] == lab.inv + "/external.pem");
}

TEST_CASE("renew e2e: without --within each certificate is due when a third of its own lifetime remains", "[renew][e2e][lifetime]") {
    Lab lab;
    constexpr long kDay = 86400;
    SECTION("365-day certificates: due with 115 days left (a third is 121), not with 165; --within 30d overrides") {
        auto r = lab.renew({"--inventory", lab.inv, "--at", date_in(250), "--dry-run", "--format", "json"});
        INFO(r.out << r.err);
        CHECK(r.exit_code == 1);
        auto doc = json::parse(r.out);
        CHECK(doc["within_hours"].is_null());
        REQUIRE(doc["due"].size() == 2);
        for (const auto& d : doc["due"]) {
            CHECK(strings(d["reasons"]) == std::vector<std::string>{"expiring"});
            CHECK(d["window"]["reason"] == "a third of its 365-day lifetime");
            CHECK(d["window"]["hours"] == 365 * 24 / 3);
            CHECK(d["old"]["days_left"].get<int>() > 30);  // a fixed 30 days would not have said so
        }
        const auto table = lab.renew({"--inventory", lab.inv, "--at", date_in(250), "--dry-run"});
        CHECK(contains(table.out, "window a third of each certificate's lifetime"));
        CHECK(contains(table.out, "window:  the last 121 days before expiry (a third of its 365-day lifetime)"));

        r = lab.renew({"--inventory", lab.inv, "--at", date_in(200), "--dry-run", "--format", "json"});
        INFO(r.out << r.err);
        CHECK(r.exit_code == 0);
        CHECK(json::parse(r.out)["not_due"].size() == 2);

        r = lab.renew({"--inventory", lab.inv, "--at", date_in(250), "--within", "30d", "--dry-run", "--format", "json"});
        INFO(r.out << r.err);
        CHECK(r.exit_code == 0);
        doc = json::parse(r.out);
        CHECK(doc["within_hours"] == 720);
        REQUIRE(doc["not_due"].size() == 2);
        CHECK(doc["not_due"][0]["window"]["reason"] == "--within");
    }
    SECTION("a 47-day certificate: due at two thirds of its life, not at half") {
        lab.short_lived(kExternal, "external", 47 * kDay);
        auto r = lab.renew({"--inventory", lab.inv, "--at", time_in(32 * kDay), "--dry-run", "--format", "json"});
        INFO(r.out << r.err);
        CHECK(r.exit_code == 1);
        auto doc = json::parse(r.out);
        REQUIRE(doc["due"].size() == 1);
        CHECK(doc["due"][0]["id"] == kExternal);
        CHECK(doc["due"][0]["window"]["reason"] == "a third of its 47-day lifetime");
        r = lab.renew({"--inventory", lab.inv, "--at", time_in(47 * kDay / 2), "--dry-run", "--format", "json"});
        INFO(r.out << r.err);
        CHECK(r.exit_code == 0);  // 23.5 days left: a fixed 30 days would have renewed it 17 days after issue
        // --within 30d overrides: due at half-life.
        r = lab.renew({"--inventory", lab.inv, "--at", time_in(47 * kDay / 2), "--within", "30d", "--dry-run"});
        CHECK(r.exit_code == 1);
    }
    SECTION("a 12-hour certificate is due 8 hours before expiry when it carries A/V Authentication, 4 hours otherwise") {
        lab.short_lived(kExternal, "external", 12 * 3600);
        lab.short_lived(kInternal, "internal", 12 * 3600);
        const auto r = lab.renew({"--inventory", lab.inv, "--at", time_in(5 * 3600), "--dry-run", "--format", "json"});
        INFO(r.out << r.err);
        CHECK(r.exit_code == 1);
        const auto doc = json::parse(r.out);
        REQUIRE(doc["due"].size() == 1);
        CHECK(doc["due"][0]["id"] == kExternal);
        CHECK(doc["due"][0]["window"]["hours"] == 8);
        REQUIRE(doc["not_due"].size() == 1);
        CHECK(doc["not_due"][0]["id"] == kInternal);
        CHECK(doc["not_due"][0]["window"]["hours"] == 4);
    }
}

TEST_CASE("renew e2e: a certificate lacking a planned SAN is due now, with the name added", "[renew][e2e]") {
    Lab lab;
    lab.hand_made_external("sip.contoso.com", {"sip.contoso.com", "webcon.contoso.com", "old.contoso.com"});
    const auto r = lab.renew({"--inventory", lab.inv, "--out", lab.out, "--at", date_in(1)});
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 1);
    CHECK(contains(r.out, "name.missing"));
    CHECK(contains(r.out, "added:   sip.fabrikam.com"));
    CHECK(contains(r.out, "removed: old.contoso.com"));
    const std::string folder = lab.out + "/" + date_in(1);
    const auto doc = json::parse(read_file(folder + "/renewal.json"));
    REQUIRE(doc["due"].size() == 1);
    CHECK(doc["due"][0]["id"] == kExternal);
    CHECK(strings(doc["due"][0]["reasons"]) == std::vector<std::string>{"name.missing"});
    CHECK(strings(doc["due"][0]["names_added"]) == std::vector<std::string>{"sip.fabrikam.com"});
    CHECK(strings(doc["due"][0]["names_removed"]) == std::vector<std::string>{"old.contoso.com"});
    REQUIRE(doc["not_due"].size() == 1);
    CHECK(doc["not_due"][0]["id"] == kInternal);
    CHECK(csr_names(folder + "/" + kExternal + ".csr") == kExternalNames);  // the plan's names, not the old ones
    CHECK_FALSE(exists(folder + "/" + kInternal + ".csr"));
}

TEST_CASE("renew e2e: --reuse-key requests with the old certificate's key, and refuses a key that is not it", "[renew][e2e]") {
    Lab lab;
    const std::string at = date_in(350);
    // The key of the old certificate.
    auto r = lab.renew({"--inventory", lab.inv, "--at", at, "--out", lab.out, "--reuse-key", "--keys", lab.dir + "/req",
                        "--only", "edge-external"});
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 1);
    const std::string folder = lab.out + "/" + at;
    CHECK(csr_public_key(folder + "/" + kExternal + ".csr") == key_public_key(lab.key(kExternal)));
    CHECK_FALSE(exists(folder + "/" + kExternal + ".key"));  // the key stays where it is
    CHECK_FALSE(exists(folder + "/" + kInternal + ".csr"));  // not selected
    const auto doc = json::parse(read_file(folder + "/renewal.json"));
    REQUIRE(doc["due"].size() == 1);
    CHECK(doc["due"][0]["key"] == "reused");
    CHECK(doc["due"][0]["key_file"] == lab.dir + "/req/" + kExternal + ".key");
    CHECK(contains(r.out, "key:     reused"));
    const auto manifest = json::parse(read_file(folder + "/manifest.json"));
    CHECK(manifest["certificates"][0]["key_reused"] == true);

    // Another key: refused, nothing written.
    REQUIRE(run_in_process({"csr", kTopology, "--out", lab.dir + "/other", "--only", "edge-external"}).exit_code == 0);
    const std::string out2 = lab.dir + "/out2";
    r = lab.renew({"--inventory", lab.inv, "--at", at, "--out", out2, "--reuse-key", "--keys", lab.dir + "/other",
                   "--only", "edge-external"});
    CHECK(r.exit_code == 2);
    CHECK(contains(r.err, "[key.mismatch]"));
    CHECK(contains(r.err, lab.dir + "/other/" + kExternal + ".key"));
    CHECK_FALSE(exists(out2));

    // No key where the old certificate is known: refused.
    r = lab.renew({"--inventory", lab.inv, "--at", at, "--out", out2, "--reuse-key", "--keys", lab.dir + "/other",
                   "--only", "edge-internal"});
    CHECK(r.exit_code == 2);
    CHECK(contains(r.err, "[key.missing]"));
    CHECK_FALSE(exists(out2));

    r = lab.renew({"--inventory", lab.inv, "--at", at, "--out", out2, "--reuse-key"});
    CHECK(r.exit_code == 2);
    CHECK(contains(r.err, "usage.keys"));
}

TEST_CASE("renew e2e: run again on the same day, renew says the key it made is reused and keeps the earlier entries",
          "[renew][e2e]") {
    Lab lab;
    const std::string at = date_in(350);
    const std::string folder = lab.out + "/" + at;
    auto ids_of = [](const json& list) {
        std::vector<std::string> ids;
        for (const auto& d : list) ids.push_back(d["id"]);
        return ids;
    };

    // First the external certificate alone, then the internal one: both stay listed.
    auto r = lab.renew({"--inventory", lab.inv, "--at", at, "--out", lab.out, "--only", "edge-external"});
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 1);
    const std::string external_key = key_public_key(folder + "/" + kExternal + ".key");
    r = lab.renew({"--inventory", lab.inv, "--at", at, "--out", lab.out, "--only", "edge-internal", "--format", "json"});
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 1);
    const std::string report_text = read_file(folder + "/renewal.json");
    CHECK(report_text == r.out);  // --format json prints the document it wrote
    auto doc = json::parse(report_text);
    CHECK(ids_of(doc["due"]) == std::vector<std::string>{kExternal, kInternal});  // plan order
    CHECK(doc["not_due"].empty());
    for (const auto& d : doc["due"]) {
        CHECK(d["key"] == "new");
        CHECK(strings(d["reasons"]) == std::vector<std::string>{"expiring"});
    }
    CHECK(doc["due"][0]["csr_file"] == folder + "/" + kExternal + ".csr");
    const std::string internal_key = key_public_key(folder + "/" + kInternal + ".key");

    // Both again: the keys in the folder are used, and said to be.
    r = lab.renew({"--inventory", lab.inv, "--at", at, "--out", lab.out});
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 1);
    CHECK(contains(r.out, "key:     reused  " + folder + "/" + kExternal + ".key"));
    CHECK(contains(r.out, "key:     reused  " + folder + "/" + kInternal + ".key"));
    CHECK_FALSE(contains(r.out, "key:     new"));
    CHECK(key_public_key(folder + "/" + kExternal + ".key") == external_key);
    CHECK(key_public_key(folder + "/" + kInternal + ".key") == internal_key);
    CHECK(csr_public_key(folder + "/" + kExternal + ".csr") == external_key);
    doc = json::parse(read_file(folder + "/renewal.json"));
    CHECK(ids_of(doc["due"]) == std::vector<std::string>{kExternal, kInternal});
    for (const auto& d : doc["due"]) CHECK(d["key"] == "reused");

    // A dry run into that folder knows it too.
    r = lab.renew({"--inventory", lab.inv, "--at", at, "--out", lab.out, "--dry-run", "--format", "json"});
    INFO(r.out << r.err);
    doc = json::parse(r.out);
    REQUIRE(doc["due"].size() == 2);
    for (const auto& d : doc["due"]) CHECK(d["key"] == "reused");
}

TEST_CASE("renew e2e: nothing due is exit 0 and writes nothing, --dry-run lists what is due and writes nothing",
          "[renew][e2e]") {
    Lab lab;
    auto r = lab.renew({"--inventory", lab.inv, "--within", "2w", "--out", lab.out});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(contains(r.out, "Nothing due"));
    CHECK_FALSE(exists(lab.out));

    r = lab.renew({"--inventory", lab.inv, "--at", date_in(350), "--out", lab.out, "--dry-run"});
    CHECK(r.exit_code == 1);
    CHECK(contains(r.out, "DUE     " + kExternal));
    CHECK(contains(r.out, "dry run: nothing written"));
    CHECK_FALSE(exists(lab.out));

    r = lab.renew({"--inventory", lab.inv, "--at", date_in(350), "--dry-run", "--format", "json"});
    CHECK(r.exit_code == 1);
    const auto doc = json::parse(r.out);
    CHECK(doc["dry_run"] == true);
    CHECK(doc["due"].size() == 2);
    CHECK(doc["due"][0]["csr_file"].is_null());
}

TEST_CASE("renew e2e: an unreadable inventory is exit 2 naming it, and nothing is written", "[renew][e2e]") {
    Lab lab;
    std::ofstream(lab.dir + "/garbage.json") << "{\"schema\": \"certtool.audit/v1\", \"observations\": [";
    auto r = lab.renew({"--inventory", lab.dir + "/garbage.json", "--out", lab.out});
    CHECK(r.exit_code == 2);
    CHECK(contains(r.err, "garbage.json"));
    CHECK(contains(r.err, "renew.inventory"));

    r = lab.renew({"--inventory", lab.dir + "/absent.json", "--out", lab.out});
    CHECK(r.exit_code == 2);
    CHECK(contains(r.err, "absent.json"));
    CHECK(contains(r.err, "renew.inventory"));

    std::ofstream(lab.inv + "/broken.pem") << "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n";
    r = lab.renew({"--inventory", lab.inv, "--at", date_in(350), "--out", lab.out});
    CHECK(r.exit_code == 2);
    CHECK(contains(r.err, lab.inv + "/broken.pem"));
    CHECK(contains(r.err, "renew.inventory"));
    CHECK_FALSE(exists(lab.out));

    for (const auto& bad : {"30x", "-1d", "1.5"}) {
        r = lab.renew({"--inventory", lab.dir + "/garbage.json", "--out", lab.out, "--within", bad});
        CHECK(r.exit_code == 2);
        CHECK(contains(r.err, "usage.within"));
    }
}

TEST_CASE("renew e2e: the JSON of certtool audit --files as inventory", "[renew][e2e]") {
    Lab lab;
    const std::string member = lab.dir + "/exported/lsedge.contoso.net";
    std::filesystem::create_directories(member);
    for (const char* name : {"external.pem", "internal.pem"}) std::filesystem::copy_file(lab.inv + "/" + name, member + "/" + name);
    const auto audit = run_in_process({"audit", kTopology, "--files", lab.dir + "/exported", "--format", "json", "--trust",
                                     lab.dir + "/ca.pem"});
    INFO(audit.out << audit.err);
    REQUIRE(audit.exit_code == 0);
    std::ofstream(lab.dir + "/audit.json") << audit.out;

    auto r = lab.renew({"--inventory", lab.dir + "/audit.json", "--out", lab.out});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK_FALSE(exists(lab.out));

    const std::string at = date_in(350);
    r = lab.renew({"--inventory", lab.dir + "/audit.json", "--at", at, "--out", lab.out});
    REQUIRE(r.exit_code == 1);
    const auto doc = json::parse(read_file(lab.out + "/" + at + "/renewal.json"));
    REQUIRE(doc["due"].size() == 2);
    const std::string hex = read_certificate(lab.inv + "/external.pem").sha256;
    CHECK(doc["due"][0]["id"] == kExternal);
    CHECK(doc["due"][0]["old"]["sha256"] == hex);
    CHECK(strings(doc["due"][0]["reasons"]) == std::vector<std::string>{"expiring"});
    CHECK(contains(doc["due"][0]["old"]["source"].get<std::string>(), "lsedge.contoso.net"));
    CHECK(csr_names(lab.out + "/" + at + "/" + kExternal + ".csr") == kExternalNames);
}
