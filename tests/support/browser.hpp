// The HTML reports' proof in real tools (README "HTML report"): Debian's
// `tidy` validates the page, and headless Chromium renders it to a screenshot
// and a serialised DOM, with its console on stderr. Both are external programs
// found in PATH; a test without them skips (SKIP_WITHOUT_HTML_TOOLS), never passes.
#pragma once

#include <string>
#include <vector>

#include "run_process.hpp"

namespace certtool::test {

struct HtmlTools {
    std::string chromium;  // "" when missing
    std::string tidy;
    std::string missing;   // "not found: chromium, tidy", "" when both are there
};
const HtmlTools& html_tools();

// Catch2 v2 has no SKIP: say why and leave the test case (it counts as passed).
#define SKIP_WITHOUT_HTML_TOOLS()                                                        \
    do {                                                                                 \
        if (!::certtool::test::html_tools().missing.empty()) {                           \
            WARN("skipped: the HTML tests need chromium and tidy; "                      \
                 << ::certtool::test::html_tools().missing);                             \
            return;                                                                      \
        }                                                                                \
    } while (false)

// `tidy -q -e` on the file: exit 0 and no output when there is neither an
// error nor a warning.
ProcessResult tidy_check(const std::string& html_file);

struct Rendering {
    ProcessResult run;       // chromium's exit code, the DOM on stdout, its log on stderr
    std::string screenshot;  // the PNG file
    std::vector<std::string> console_problems;  // stderr lines of console messages, uncaught errors, refused loads
};

// Chromium, headless with a private profile in `work_dir`, renders `html_file`
// at 1280 x 2000: a screenshot into work_dir/<name>.png and the DOM after
// loading on stdout (--dump-dom).
Rendering render_in_chromium(const std::string& html_file, const std::string& work_dir, const std::string& name);

// The lines of a Chromium log that report a problem with the page: any
// console message (a page without script has none), "Uncaught", "Refused to
// load", a Content Security Policy violation.
std::vector<std::string> console_problems(const std::string& chromium_log);

// A PNG's width and height from its IHDR chunk; false when the file is not a PNG.
bool png_size(const std::string& file, unsigned& width, unsigned& height);

}  // namespace certtool::test
