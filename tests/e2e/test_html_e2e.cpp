// certtool audit --format html and plan --format html, end to end (issue 16):
// a real audit of exported files of templates/examples/edge-dnslb-nat.json's
// Edge pool, with an expired, a due and a valid certificate and one whose
// names are hostile markup, and the plan of templates/examples/enterprise.json,
// both checked by Debian's tidy (no error, no warning) and rendered by headless
// Chromium (a screenshot, no console message, the SVG in the DOM). Chromium
// and tidy are external programs: without them the tests say so and skip.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <string>
#include <vector>

#include "browser.hpp"
#include "run_process.hpp"
#include "temp_dir.hpp"
#include "test_ca.hpp"

using namespace certtool::test;

namespace {

const std::string kEdgeTopology = source_path("templates/examples/edge-dnslb-nat.json");
const std::string kEnterprise = source_path("templates/examples/enterprise.json");
constexpr long kDay = 86400;

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

std::size_t count(const std::string& text, const std::string& part) {
    std::size_t n = 0;
    for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + part.size())) ++n;
    return n;
}

// What holds for every page certtool writes: tidy finds nothing, Chromium
// renders it without a console message, the screenshot is a real picture and
// the DOM holds the page's markup. Returns the DOM.
std::string check_in_browser(const TempDir& dir, const std::string& html_file, const std::string& name) {
    const auto tidy = tidy_check(html_file);
    INFO("tidy -q -e " << html_file << "\n" << tidy.out << tidy.err);
    CHECK(tidy.exit_code == 0);
    CHECK(tidy.out + tidy.err == "");

    const auto r = render_in_chromium(html_file, dir.path(), name);
    INFO("chromium stderr:\n" << r.run.err);
    CHECK(r.run.exit_code == 0);
    CHECK(r.console_problems == std::vector<std::string>{});
    unsigned width = 0, height = 0;
    REQUIRE(png_size(r.screenshot, width, height));
    CHECK(width == 1280);
    CHECK(height == 2000);
    // A blank page of that size is about 12 KB; a rendered report, tables and text, well over 100 KB.
    CHECK(std::filesystem::file_size(r.screenshot) > 60000);
    return r.run.out;
}

}  // namespace

TEST_CASE("html: the tools' checks fail on a page that breaks the rules", "[html][e2e]") {
    SKIP_WITHOUT_HTML_TOOLS();
    // The checks below would pass a report by accident if tidy or the console
    // reading saw nothing: a page with a script, an external image and an
    // unclosed element must trip both.
    TempDir dir("certtool-html-control");
    const std::string bad = dir.file("bad.html",
                                     "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>bad</title>"
                                     "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'\"></head>"
                                     "<body><p><img src=\"http://127.0.0.1:9/x.png\"><script>throw new Error('bad')</script></body></html>\n");
    const auto tidy = tidy_check(bad);
    CHECK(tidy.exit_code != 0);
    CHECK(tidy.out + tidy.err != "");
    const auto r = render_in_chromium(bad, dir.path(), "bad");
    INFO(r.run.err);
    CHECK_FALSE(r.console_problems.empty());
    unsigned width = 0, height = 0;
    CHECK(png_size(r.screenshot, width, height));
    CHECK(std::filesystem::file_size(r.screenshot) < 60000);
}

TEST_CASE("html: an audit of an Edge pool with expired, due and valid certificates and a hostile one", "[html][e2e]") {
    SKIP_WITHOUT_HTML_TOOLS();
    TempDir dir("certtool-html-audit");
    TestCa ca(dir);
    const std::time_t now = std::time(nullptr);
    const std::string subject = "/C=US/ST=Washington/L=Redmond/O=Contoso Ltd/CN=";
    const auto issue = [&](const std::string& name, const std::string& cn, const std::vector<std::string>& sans, long from_days,
                           long to_days) {
        CertOptions o;
        o.subject = subject + cn;
        o.dns_names = sans;
        o.not_before = now + from_days * kDay;
        o.not_after = now + to_days * kDay;
        return ca.issue(name, o).cert;
    };
    const std::vector<std::string> external{"sip.contoso.com", "webcon.contoso.com", "sip.fabrikam.com"};
    // edge01: the external certificate expired 5 days ago; edge02: due (15 of 195 days left).
    const auto expired = issue("expired", "sip.contoso.com", external, -300, -5);
    const auto due = issue("due", "sip.contoso.com", external, -180, 15);
    const auto internal = issue("internal", "lsedge.contoso.net", {"lsedge.contoso.net"}, -10, 355);
    // Names no plan has, written to break out of the page if they were not escaped.
    const auto hostile = issue("hostile", "x\"><script>alert(1)&'", {"a<script>alert('san')</script>&b.contoso.com"}, -1, 60);

    const std::string files = dir.path("files");
    for (const std::string member : {"edge01.contoso.net", "edge02.contoso.net"}) std::filesystem::create_directories(files + "/" + member);
    std::filesystem::copy_file(expired, files + "/edge01.contoso.net/external.pem");
    std::filesystem::copy_file(internal, files + "/edge01.contoso.net/internal.pem");
    std::filesystem::copy_file(due, files + "/edge02.contoso.net/external.pem");
    std::filesystem::copy_file(internal, files + "/edge02.contoso.net/internal.pem");
    std::filesystem::copy_file(hostile, files + "/edge02.contoso.net/hostile.pem");

    const auto audit = run_certtool({"audit", kEdgeTopology, "--files", files, "--trust", ca.root(), "--format", "html"});
    INFO(audit.out << audit.err);
    REQUIRE(audit.exit_code == 1);  // the expired certificate is an error
    CHECK(audit.err == "");
    const std::string& page = audit.out;
    // Every certificate x member is one row of the timeline; today is drawn once.
    CHECK(count(page, "<g class=\"row\">") == 4);
    CHECK(count(page, "<g class=\"today\">") == 1);
    CHECK(contains(page, ">EXPIRED<"));
    CHECK(contains(page, ">DUE<"));
    CHECK(contains(page, ">OK<"));
    CHECK(contains(page, "<strong>FAIL</strong>"));
    // The hostile names reach the page (files.unmatched names them) only as text.
    CHECK_FALSE(contains(page, "<script"));
    CHECK(contains(page, "&lt;script&gt;"));

    const std::string html_file = dir.file("audit.html", page);
    const std::string dom = check_in_browser(dir, html_file, "audit");
    CHECK(contains(dom, "<svg"));
    CHECK(contains(dom, "Expiry timeline"));
    CHECK_FALSE(contains(dom, "<script"));
    // For a person to look at (the README asks for it): CERTTOOL_HTML_KEEP=DIR keeps the screenshot.
    if (const char* keep = std::getenv("CERTTOOL_HTML_KEEP"))
        std::filesystem::copy_file(dir.path("audit.png"), std::string(keep) + "/audit.png", std::filesystem::copy_options::overwrite_existing);
}

TEST_CASE("html: the plan of the enterprise example for change review", "[html][e2e]") {
    SKIP_WITHOUT_HTML_TOOLS();
    TempDir dir("certtool-html-plan");
    const auto plan = run_certtool({"plan", kEnterprise, "--format", "html"});
    INFO(plan.err);
    REQUIRE(plan.exit_code == 0);
    CHECK(contains(plan.out, "<h2>DNS records</h2>"));
    CHECK(contains(plan.out, "_sipfederationtls._tcp.contoso.com"));
    const std::string html_file = dir.file("plan.html", plan.out);
    const std::string dom = check_in_browser(dir, html_file, "plan");
    CHECK(contains(dom, "Subject alternative names, and why each is there"));
    if (const char* keep = std::getenv("CERTTOOL_HTML_KEEP"))
        std::filesystem::copy_file(dir.path("plan.png"), std::string(keep) + "/plan.png", std::filesystem::copy_options::overwrite_existing);
}
