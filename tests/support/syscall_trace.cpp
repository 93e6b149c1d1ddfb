#include "syscall_trace.hpp"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <regex>
#include <sstream>

namespace certtool::test {

namespace {

const std::string kStrace = "/usr/bin/strace";

// A quoted strace string argument (escapes kept as printed; test paths are plain ASCII).
const std::string kQ = R"re("((?:[^"\\]|\\.)*)")re";

}  // namespace

bool Creation::exclusive() const {
    const auto has = [this](const std::string& flag) {
        std::stringstream parts(flags);
        for (std::string f; std::getline(parts, f, '|');)
            if (f == flag) return true;
        return false;
    };
    return has("O_CREAT") && has("O_EXCL");
}

bool strace_usable(std::string* why) {
    static std::string reason;
    static const bool usable = [] {
        if (::access(kStrace.c_str(), X_OK) != 0) {
            reason = kStrace + " not found (package strace)";
            return false;
        }
        const auto r = run_process(kStrace, {"-qq", "-e", "trace=none", "/bin/true"});
        if (r.exit_code != 0) {
            reason = "strace cannot trace here (ptrace not permitted?): " + r.err;
            return false;
        }
        return true;
    }();
    if (why != nullptr) *why = reason;
    return usable;
}

SyscallTrace trace_certtool(const std::vector<std::string>& args, const std::vector<std::string>& env,
                            const std::string& trace_dir) {
    namespace fs = std::filesystem;
    SyscallTrace t;
    if (!strace_usable(&t.why)) return t;
    fs::create_directories(trace_dir);
    const std::string prefix = trace_dir + "/trace";
    std::vector<std::string> strace_args{"-f", "-ff", "-qq", "-s", "4096", "-o", prefix, "-e",
                                         "trace=?open,?creat,?chmod,?rename,openat,fchmod,fchmodat,renameat,renameat2",
                                         CERTTOOL_BINARY};
    strace_args.insert(strace_args.end(), args.begin(), args.end());
    RunOptions options;
    options.new_session = true;
    options.kill_after = std::chrono::seconds(120);
    // LeakSanitizer cannot run under ptrace: in a sanitizer build the traced run
    // keeps AddressSanitizer and leaves leak checking to the untraced runs.
    std::vector<std::string> traced_env = env;
    const char* asan = std::getenv("ASAN_OPTIONS");
    traced_env.push_back("ASAN_OPTIONS=" + std::string(asan != nullptr && *asan != '\0' ? std::string(asan) + ":" : "") +
                         "detect_leaks=0");
    t.result = run_process(kStrace, strace_args, traced_env, "", options);

    std::vector<std::string> traces;
    for (const auto& entry : fs::directory_iterator(trace_dir))
        if (entry.path().filename().string().rfind("trace", 0) == 0) traces.push_back(entry.path().string());
    if (traces.empty()) {
        t.why = "strace wrote no trace: " + t.result.err;
        return t;
    }
    t.available = true;

    const std::regex openat_re("^openat\\(\\w+, " + kQ + ", ([A-Z_0-9|]+)(?:, (0[0-7]*))?\\) = (-?\\d+)");
    const std::regex open_re("^open\\(" + kQ + ", ([A-Z_0-9|]+)(?:, (0[0-7]*))?\\) = (-?\\d+)");
    const std::regex creat_re("^creat\\(" + kQ + ", (0[0-7]*)\\) = (-?\\d+)");
    const std::regex rename_re("^rename\\(" + kQ + ", " + kQ + "\\) = 0");
    const std::regex renameat_re("^renameat2?\\(\\w+, " + kQ + ", \\w+, " + kQ + "(?:, [A-Z_0-9|]+)?\\) = 0");
    const std::regex chmod_re("^(?:chmod\\(|fchmodat\\(\\w+, )" + kQ + ", (0[0-7]*)");
    const std::regex fchmod_re("^fchmod\\((\\d+), (0[0-7]*)");

    // Pass 1: creations, descriptors and chmods; pass 2: renames (a temporary
    // may be created by one thread and renamed by another).
    std::map<std::string, Creation> created;  // opened path -> creation
    std::vector<std::pair<std::string, std::string>> renames;
    for (const auto& file : traces) {
        std::map<int, std::string> fds;
        std::istringstream in(read_file(file));
        t.text += "--- " + fs::path(file).filename().string() + "\n";
        for (std::string line; std::getline(in, line);) {
            t.text += line + "\n";
            std::smatch m;
            if (std::regex_search(line, m, openat_re) || std::regex_search(line, m, open_re)) {
                const int fd = std::stoi(m[4]);
                if (fd < 0) continue;
                fds[fd] = m[1];
                if (m[2].str().find("O_CREAT") != std::string::npos) created[m[1]] = Creation{m[1], m[2], m[3]};
            } else if (std::regex_search(line, m, creat_re)) {
                const int fd = std::stoi(m[3]);
                if (fd < 0) continue;
                fds[fd] = m[1];
                created[m[1]] = Creation{m[1], "O_WRONLY|O_CREAT|O_TRUNC", m[2]};
            } else if (std::regex_search(line, m, rename_re) || std::regex_search(line, m, renameat_re)) {
                renames.emplace_back(m[1], m[2]);
            } else if (std::regex_search(line, m, chmod_re)) {
                t.chmodded.insert(m[1]);
                t.chmod_calls.push_back(line);
            } else if (std::regex_search(line, m, fchmod_re)) {
                const auto it = fds.find(std::stoi(m[1]));
                t.chmodded.insert(it == fds.end() ? "fd " + m[1].str() : it->second);
                t.chmod_calls.push_back(line);
            }
        }
    }
    t.files = created;
    for (const auto& [from, to] : renames) {
        const auto it = created.find(from);
        t.files[to] = it != created.end() ? it->second : Creation{from, "(renamed from a file not created by this run)", ""};
        if (t.chmodded.count(from) > 0) t.chmodded.insert(to);
    }
    return t;
}

}  // namespace certtool::test
