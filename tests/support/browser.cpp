#include "browser.hpp"

#include <filesystem>
#include <sstream>

#include "daemon.hpp"

namespace certtool::test {

const HtmlTools& html_tools() {
    static const HtmlTools tools = [] {
        HtmlTools t;
        t.chromium = find_program("chromium");
        t.tidy = find_program("tidy");
        for (const auto& [name, path] : {std::pair{"chromium", &t.chromium}, std::pair{"tidy", &t.tidy}})
            if (path->empty()) t.missing += (t.missing.empty() ? "not found: " : ", ") + std::string(name);
        return t;
    }();
    return tools;
}

ProcessResult tidy_check(const std::string& html_file) {
    // --show-warnings is tidy's default; said here because the test relies on it.
    return run_process(html_tools().tidy, {"-q", "-e", "--show-warnings", "yes", html_file});
}

Rendering render_in_chromium(const std::string& html_file, const std::string& work_dir, const std::string& name) {
    Rendering r;
    r.screenshot = work_dir + "/" + name + ".png";
    RunOptions options;
    options.kill_after = std::chrono::seconds(60);  // a hung browser fails the test, it does not hang it
    r.run = run_process(html_tools().chromium,
                        {"--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--user-data-dir=" + work_dir + "/" + name + "-profile",
                         "--screenshot=" + r.screenshot, "--window-size=1280,2000", "--enable-logging=stderr", "--v=0", "--dump-dom",
                         "file://" + html_file},
                        {}, work_dir, options);
    r.console_problems = console_problems(r.run.err);
    return r;
}

std::vector<std::string> console_problems(const std::string& chromium_log) {
    std::vector<std::string> problems;
    std::istringstream lines(chromium_log);
    for (std::string line; std::getline(lines, line);) {
        for (const char* sign : {":CONSOLE", "Uncaught", "Refused to load", "Content Security Policy"}) {
            if (line.find(sign) != std::string::npos) {
                problems.push_back(line);
                break;
            }
        }
    }
    return problems;
}

bool png_size(const std::string& file, unsigned& width, unsigned& height) {
    if (!std::filesystem::is_regular_file(file)) return false;
    const std::string data = read_file(file);
    static const std::string kSignature = "\x89PNG\r\n\x1a\n";
    if (data.size() < 24 || data.compare(0, 8, kSignature) != 0 || data.compare(12, 4, "IHDR") != 0) return false;
    const auto be32 = [&](std::size_t at) {
        unsigned v = 0;
        for (std::size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(data[at + i]);
        return v;
    };
    width = be32(16);
    height = be32(20);
    return true;
}

}  // namespace certtool::test
