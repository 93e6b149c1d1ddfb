// certtool import through the real binary: a fixture with its overlay imported,
// written atomically and planned; --out never replaced without --force; the
// UTF-16 file Windows PowerShell writes; and hostile XML (billion laughs,
// external entities towards a file and towards a loopback listener that must
// see no connection, deep nesting, a huge attribute, a huge file, a wrong root,
// truncation, not XML, UTF-16 without a BOM): each a clear error naming the
// file, exit 2, in bounded time and memory, and no --out file.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cert_lab.hpp"
#include "run_process.hpp"
#include "temp_dir.hpp"

using certtool::test::contains;
using certtool::test::kSanitized;
using certtool::test::kTimeScale;
using certtool::test::ProcessResult;
using certtool::test::read_file;
using certtool::test::run_guarded;
using certtool::test::source_path;
using certtool::test::TempDir;
using certtool::test::transcript;

namespace fs = std::filesystem;

namespace {

std::string fixture(const std::string& name) { return source_path("tests/topologies/import/" + name); }

// The XML limits are 32 MiB in, 64 levels; the tree of a refused document is never built.
constexpr long kBoundRssKb = (kSanitized ? 1024 : 192) * 1024;
constexpr long kBoundMs = 2000;

const std::string kNs = R"( xmlns="urn:schema:Microsoft.Rtc.Management.Deploy.Topology.2008")";

// A TCP listener on 127.0.0.1 that only counts whether anyone connected.
class Listener {
public:
    Listener() {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        REQUIRE(fd_ >= 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
        REQUIRE(::listen(fd_, 8) == 0);
        socklen_t len = sizeof a;
        REQUIRE(::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) == 0);
        port_ = ntohs(a.sin_port);
    }
    ~Listener() { ::close(fd_); }
    Listener(const Listener&) = delete;
    Listener& operator=(const Listener&) = delete;
    [[nodiscard]] int port() const { return port_; }
    // A connection waiting in the backlog makes the socket readable.
    [[nodiscard]] bool connected() const {
        pollfd p{fd_, POLLIN, 0};
        return ::poll(&p, 1, 200) > 0;
    }

private:
    int fd_ = -1;
    int port_ = 0;
};

ProcessResult refused(const std::string& file, const std::string& code, const std::string& out) {
    const std::vector<std::string> args{"import", file, "--out", out};
    const auto r = run_guarded(args, {}, std::chrono::seconds(30));
    INFO(transcript(args, r));
    REQUIRE_FALSE(r.killed);
    CHECK(r.exit_code == 2);
    CHECK(contains(r.err, "[" + code + "]"));
    CHECK(contains(r.err, file));
    CHECK(r.out.empty());
    CHECK(r.elapsed.count() < kBoundMs * kTimeScale);
    CHECK(r.max_rss_kb < kBoundRssKb);
    CHECK_FALSE(fs::exists(out));
    return r;
}

}  // namespace

TEST_CASE("import e2e: a fixture and its overlay to --out, then plan it; --out is replaced only with --force", "[import][e2e]") {
    TempDir tmp("certtool-import");
    const std::string out = tmp / "site.json";
    const std::vector<std::string> args{"import", fixture("edge-pool-separate-director.xml"), "--overlay",
                                        fixture("overlay-separate.json"), "--out", out};
    const auto r = run_guarded(args);
    INFO(transcript(args, r));
    CHECK(r.exit_code == 0);
    CHECK(r.out.empty());
    const auto topology = nlohmann::json::parse(read_file(out));
    CHECK(topology["x-imported-from"]["file"] == "edge-pool-separate-director.xml");
    CHECK(topology["x-imported-from"]["overlay"]["file"] == "overlay-separate.json");
    CHECK(topology["sites"][0]["directors"][0]["fqdn"] == "dirpool01.contoso.net");
    CHECK(contains(r.err, "info import.derived:"));
    CHECK_FALSE(contains(r.err, "import.missing-field"));
    CHECK(contains(r.err, "wrote " + out + ": 0 errors, "));
    CHECK(contains(r.err, "; next: certtool plan " + out + "\n"));

    const auto plan = run_guarded({"plan", out, "--format", "json"});
    CHECK(plan.exit_code == 0);
    const auto certificates = nlohmann::json::parse(plan.out)["certificates"];
    bool edge = false;
    for (const auto& c : certificates)
        if (c["id"] == "edge-external.lsedge-contoso-net") {
            edge = true;
            CHECK(c["sans"] == nlohmann::json::array({"sip.contoso.com", "webcon.contoso.com"}));
            CHECK(c["install_on"] == nlohmann::json::array({"edge01.contoso.net", "edge02.contoso.net"}));
        }
    CHECK(edge);

    // Again: the file exists, so without --force nothing is read or written.
    const std::string before = read_file(out);
    const auto again = run_guarded(args);
    CHECK(again.exit_code == 2);
    CHECK(contains(again.err, "[output.exists]"));
    CHECK(read_file(out) == before);
    auto forced = args;
    forced.push_back("--force");
    CHECK(run_guarded(forced).exit_code == 0);
}

TEST_CASE("import e2e: without the overlay, missing public addresses are findings: exit 1, the document still written", "[import][e2e]") {
    const std::vector<std::string> args{"import", fixture("edge-pool-separate-director.xml")};
    const auto r = run_guarded(args);
    INFO(transcript(args, r));
    CHECK(r.exit_code == 1);
    CHECK(nlohmann::json::parse(r.out)["schema"] == "certtool.topology/v1");
    CHECK(contains(r.err, "error import.missing-field"));
    CHECK(contains(r.err, "at /sites/0/edge_pools/0/members/0/public_ips/access"));
    CHECK(contains(r.err, "warning import.not-in-source"));
}

TEST_CASE("import e2e: the UTF-16LE file Windows PowerShell writes reads as its UTF-8 original", "[import][e2e]") {
    TempDir tmp("certtool-import");
    const std::string utf8 = read_file(fixture("two-sites-se-ipv6.xml"));
    std::string utf16 = "\xFF\xFE";
    for (char c : utf8) utf16 += std::string{c, '\0'};
    const std::string file = tmp.file("topology.xml", utf16);
    const auto a = run_guarded({"import", fixture("two-sites-se-ipv6.xml")});
    const auto b = run_guarded({"import", file});
    CHECK(a.exit_code == 0);
    CHECK(b.exit_code == 0);
    auto ja = nlohmann::json::parse(a.out), jb = nlohmann::json::parse(b.out);
    ja.erase("x-imported-from");
    jb.erase("x-imported-from");
    CHECK(ja == jb);
    CHECK(jb["sites"][1]["front_end_pools"][0]["edition"] == "standard");
}

TEST_CASE("import e2e: hostile XML is refused unread, in bounded time and memory, with no output file", "[import][hostile][e2e]") {
    TempDir tmp("certtool-import-hostile");
    const std::string out = tmp / "never.json";
    Listener listener;
    const std::string url = "http://127.0.0.1:" + std::to_string(listener.port()) + "/";

    std::string laughs = "<?xml version=\"1.0\"?>\n<!DOCTYPE Topology [\n<!ENTITY lol \"lol\">\n";
    for (int i = 1; i <= 10; ++i) {
        laughs += "<!ENTITY lol" + std::to_string(i) + " \"";
        for (int j = 0; j < 10; ++j) laughs += "&lol" + (i == 1 ? std::string() : std::to_string(i - 1)) + ";";
        laughs += "\">\n";
    }
    laughs += "]>\n<Topology" + kNs + ">&lol10;</Topology>\n";
    refused(tmp.file("laughs.xml", laughs), "import.xml-doctype", out);
    refused(tmp.file("passwd.xml", "<!DOCTYPE Topology [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n<Topology" + kNs + ">&x;</Topology>"),
            "import.xml-doctype", out);
    refused(tmp.file("http-entity.xml", "<!DOCTYPE Topology [<!ENTITY x SYSTEM \"" + url + "e\">]>\n<Topology" + kNs + ">&x;</Topology>"),
            "import.xml-doctype", out);
    refused(tmp.file("http-dtd.xml", "<!DOCTYPE Topology SYSTEM \"" + url + "t.dtd\">\n<Topology" + kNs + "/>"), "import.xml-doctype", out);
    // XInclude is never processed: the element is just unknown, and the document has nothing to import.
    const std::string xinclude = tmp.file("http-xinclude.xml", "<Topology" + kNs + " xmlns:xi=\"http://www.w3.org/2001/XInclude\">"
                                                               "<xi:include href=\"" + url + "x\"/></Topology>");
    const auto included = run_guarded({"import", xinclude});
    CHECK(included.exit_code == 1);
    CHECK(contains(included.err, "at /sip_domains"));
    CHECK_FALSE(listener.connected());

    std::string deep = "<Topology" + kNs + ">";
    for (int i = 0; i < 100'000; ++i) deep += "<a>";
    for (int i = 0; i < 100'000; ++i) deep += "</a>";
    refused(tmp.file("deep.xml", deep + "</Topology>"), "import.xml-syntax", out);  // libxml2 stops at 256 levels
    std::string nested = "<Topology" + kNs + ">";
    for (int i = 0; i < 100; ++i) nested += "<a>";
    for (int i = 0; i < 100; ++i) nested += "</a>";
    refused(tmp.file("nested.xml", nested + "</Topology>"), "import.xml-too-deep", out);
    refused(tmp.file("attribute.xml", "<Topology" + kNs + " Signature=\"" + std::string(30'000'000, 'a') + "\"/>"), "import.xml-syntax", out);
    {
        const std::string huge = tmp / "huge.xml";
        std::ofstream(huge) << "<Topology" << kNs << ">";
        fs::resize_file(huge, std::uintmax_t{3} << 30);  // sparse: 3 GiB of NULs after the tag
        refused(huge, "import.source.too-large", out);
    }
    refused(tmp.file("wrong-root.xml", "<Topology><Sites/></Topology>"), "import.wrong-root", out);
    refused(tmp.file("plan.xml", "<plan xmlns=\"urn:example\"/>"), "import.wrong-root", out);
    const std::string whole = read_file(fixture("single-edge-nat.xml"));
    refused(tmp.file("truncated.xml", whole.substr(0, whole.size() / 2)), "import.xml-syntax", out);
    refused(tmp.file("table.txt", "\r\nSites    : {Site:Redmond}\r\nClusters : {1:1, 1:2}\r\n"), "import.not-xml", out);
    std::string no_bom;
    for (char c : whole.substr(0, 200)) no_bom += std::string{c, '\0'};
    refused(tmp.file("utf16-no-bom.xml", no_bom), "import.xml-encoding", out);
    refused(tmp.file("garbage.xml", "\xFF\xFE" + std::string("<\0\x00\xD8", 4)), "import.xml-encoding", out);  // an unpaired surrogate
    CHECK_FALSE(listener.connected());
}
