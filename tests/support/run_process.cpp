#include "run_process.hpp"

#include <algorithm>

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <poll.h>
#include <sys/resource.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>

#include "cli.hpp"
#include "crypto/process.hpp"

extern char** environ;

namespace certtool::test {

ProcessResult run_process(const std::string& program, const std::vector<std::string>& args,
                          const std::vector<std::string>& extra_env, const std::string& cwd) {
    return run_process(program, args, extra_env, cwd, RunOptions{});
}

ProcessResult run_process(const std::string& program, const std::vector<std::string>& args,
                          const std::vector<std::string>& extra_env, const std::string& cwd, const RunOptions& options) {
    using Clock = std::chrono::steady_clock;
    int out_pipe[2];
    int err_pipe[2];
    if (pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
    posix_spawn_file_actions_adddup2(&actions, err_pipe[1], 2);
    if (!cwd.empty()) posix_spawn_file_actions_addchdir_np(&actions, cwd.c_str());

    std::vector<std::string> argv_storage{program};
    argv_storage.insert(argv_storage.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_storage) argv.push_back(a.data());
    argv.push_back(nullptr);

    // extra_env replaces a variable of the same name (getenv would find the first).
    auto name_of = [](const std::string& entry) { return entry.substr(0, entry.find('=')); };
    std::vector<std::string> env_storage;
    for (char** e = environ; *e != nullptr; ++e) {
        const std::string entry = *e;
        const bool replaced = std::any_of(extra_env.begin(), extra_env.end(),
                                          [&](const std::string& x) { return name_of(x) == name_of(entry); });
        if (!replaced) env_storage.push_back(entry);
    }
    env_storage.insert(env_storage.end(), extra_env.begin(), extra_env.end());
    std::vector<char*> envp;
    for (auto& e : env_storage) envp.push_back(e.data());
    envp.push_back(nullptr);

    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    if (options.new_session) posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSID);

    pid_t pid = 0;
    const auto started = Clock::now();
    int rc = posix_spawn(&pid, program.c_str(), &actions, &attributes, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
    close(out_pipe[1]);
    close(err_pipe[1]);
    if (rc != 0) {
        close(out_pipe[0]);
        close(err_pipe[0]);
        throw std::runtime_error("cannot start " + program);
    }

    ProcessResult result;
    pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
    std::string* sinks[2] = {&result.out, &result.err};
    int open_count = 2;
    char buffer[65536];
    bool watching = options.kill_after.count() > 0 || static_cast<bool>(options.kill_when);
    auto maybe_kill = [&] {
        if (!watching) return;
        const auto elapsed = Clock::now() - started;
        bool kill_now = options.kill_after.count() > 0 && elapsed >= options.kill_after;
        if (!kill_now && options.kill_when) {
            if (elapsed > options.kill_when_timeout) {
                if (options.kill_after.count() == 0) watching = false;
            } else {
                kill_now = options.kill_when();
            }
        }
        if (kill_now) {
            ::kill(pid, SIGKILL);
            result.killed = true;
            watching = false;
        }
    };
    while (open_count > 0) {
        maybe_kill();
        const int ready = poll(fds, 2, watching ? 1 : -1);
        if (ready == 0) continue;
        if (ready < 0) {
            if (errno == EINTR) continue;
            break;
        }
        for (int i = 0; i < 2; ++i) {
            if (fds[i].fd < 0 || (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
            ssize_t n = read(fds[i].fd, buffer, sizeof buffer);
            if (n > 0) {
                sinks[i]->append(buffer, static_cast<size_t>(n));
            } else if (n == 0 || errno != EINTR) {
                close(fds[i].fd);
                fds[i].fd = -1;
                --open_count;
            }
        }
    }
    int status = 0;
    struct rusage usage {};
    while (wait4(pid, &status, 0, &usage) < 0 && errno == EINTR) {
    }
    result.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
    result.max_rss_kb = usage.ru_maxrss;  // Linux: KiB
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return result;
}

ProcessResult run_certtool(const std::vector<std::string>& args, const std::vector<std::string>& extra_env,
                           const std::string& cwd) {
    return run_process(CERTTOOL_BINARY, args, extra_env, cwd);
}

ProcessResult run_certtool(const std::vector<std::string>& args, const std::vector<std::string>& extra_env,
                           const std::string& cwd, const RunOptions& options) {
    return run_process(CERTTOOL_BINARY, args, extra_env, cwd, options);
}

ProcessResult run_in_process(const std::vector<std::string>& args) {
    static const bool configured = [] {
        certtool::crypto::configure_process();
        return true;
    }();
    (void)configured;
    std::ostringstream out, err;
    certtool::cli::Terminal terminal{out, err};
    const auto started = std::chrono::steady_clock::now();
    ProcessResult result;
    result.exit_code = certtool::cli::run(args, terminal);
    result.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
    result.out = out.str();
    result.err = err.str();
    return result;
}

ProcessResult run_shell_command(const std::string& command, const std::string& cwd) {
    return run_process("/bin/sh", {"-c", command}, {}, cwd);
}

std::string shell_ok(const std::string& command, const std::string& cwd) {
    const auto r = run_shell_command(command, cwd);
    INFO("$ " << command << "\nexit " << r.exit_code << "\n--- stdout\n" << r.out << "--- stderr\n" << r.err);
    REQUIRE(r.exit_code == 0);
    return r.out;
}

std::string source_path(const std::string& relative) { return std::string(CERTTOOL_SOURCE_DIR) + "/" + relative; }

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

std::optional<ProcessResult> run_certtool_on_terminal(const std::vector<std::string>& args, bool no_color) {
    const int master = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master < 0) return std::nullopt;
    if (::grantpt(master) != 0 || ::unlockpt(master) != 0) {
        ::close(master);
        return std::nullopt;
    }
    const std::string terminal = ::ptsname(master);

    std::vector<std::string> argv_storage{CERTTOOL_BINARY};
    argv_storage.insert(argv_storage.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_storage) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::vector<std::string> env_storage;
    for (char** e = environ; *e != nullptr; ++e)
        if (std::string(*e).rfind("NO_COLOR=", 0) != 0) env_storage.emplace_back(*e);
    if (no_color) env_storage.emplace_back("NO_COLOR=1");
    std::vector<char*> envp;
    for (auto& e : env_storage) envp.push_back(e.data());
    envp.push_back(nullptr);

    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        ::setsid();
        const int tty = ::open(terminal.c_str(), O_RDWR);
        const int null = ::open("/dev/null", O_RDONLY);
        if (tty < 0 || null < 0) ::_exit(126);
        ::dup2(null, 0);
        ::dup2(tty, 1);
        ::dup2(tty, 2);
        ::execve(argv[0], argv.data(), envp.data());
        ::_exit(127);
    }
    ProcessResult result;
    char buffer[4096];
    for (;;) {
        pollfd p{master, POLLIN, 0};
        const int ready = ::poll(&p, 1, 60000);
        if (ready < 0 && errno == EINTR) continue;
        if (ready <= 0) {
            ::kill(pid, SIGKILL);
            result.killed = true;
            break;
        }
        const ssize_t n = ::read(master, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;  // EIO: the terminal's other side is closed
        result.out.append(buffer, static_cast<std::size_t>(n));
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    ::close(master);
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return result;
}

}  // namespace certtool::test
