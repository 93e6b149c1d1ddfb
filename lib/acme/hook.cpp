#include "acme/hook.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <sstream>

#include "acme/problem.hpp"

extern char** environ;

namespace certtool::acme {

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr std::size_t kMaxOutput = 64 << 10;

bool executable_file(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

void append_bounded(std::string& out, const char* data, std::size_t n) {
    out.append(data, n);
    if (out.size() > kMaxOutput) out.erase(0, out.size() - kMaxOutput);
}

// Reads what is there now; false at end of file.
bool drain(int fd, std::string& out) {
    char buffer[4096];
    for (;;) {
        const ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n > 0) {
            append_bounded(out, buffer, static_cast<std::size_t>(n));
            continue;
        }
        if (n == 0) return false;
        if (errno == EINTR) continue;
        return errno == EAGAIN || errno == EWOULDBLOCK;
    }
}

}  // namespace

std::string find_hook_program(const std::string& name) {
    if (name.empty()) return "";
    if (name.find('/') != std::string::npos) return executable_file(name) ? name : "";
    const char* path = std::getenv("PATH");
    std::stringstream dirs(path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin");
    for (std::string dir; std::getline(dirs, dir, ':');) {
        const std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
        if (executable_file(candidate)) return candidate;
    }
    return "";
}

HookRun run_hook(const std::string& program, const std::vector<std::string>& args, milliseconds timeout,
                 const std::vector<std::string>& hidden_env, const std::function<bool()>& cancelled) {
    HookRun run;
    const auto start = Clock::now();
    // Everything the child needs is built before fork: after it, only
    // async-signal-safe calls until exec.
    std::vector<std::string> arg_storage{program};
    arg_storage.insert(arg_storage.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : arg_storage) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::vector<char*> envp;
    for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
        bool hide = false;
        for (const auto& name : hidden_env)
            hide = hide || (std::strncmp(*e, name.c_str(), name.size()) == 0 && (*e)[name.size()] == '=');
        if (!hide) envp.push_back(*e);
    }
    envp.push_back(nullptr);

    int pipe_fds[2];
    if (::pipe2(pipe_fds, O_CLOEXEC) != 0) {
        run.output = std::string("cannot create a pipe: ") + std::strerror(errno);
        return run;
    }
    const int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::setpgid(0, 0);
        if (null_fd >= 0) ::dup2(null_fd, 0);
        ::dup2(pipe_fds[1], 1);
        ::dup2(pipe_fds[1], 2);
        // A hook inherits our signal mask and dispositions; give it the defaults.
        sigset_t none;
        sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        ::signal(SIGPIPE, SIG_DFL);
        ::execve(argv[0], argv.data(), envp.data());
        const char message[] = "cannot execute the hook program\n";
        (void)!::write(2, message, sizeof message - 1);
        ::_exit(127);
    }
    if (null_fd >= 0) ::close(null_fd);
    ::close(pipe_fds[1]);
    if (pid < 0) {
        ::close(pipe_fds[0]);
        run.output = std::string("cannot start the hook: ") + std::strerror(errno);
        return run;
    }
    ::setpgid(pid, pid);  // also here, so that a kill below never races the child's own call
    ::fcntl(pipe_fds[0], F_SETFL, ::fcntl(pipe_fds[0], F_GETFL) | O_NONBLOCK);

    const auto deadline = start + timeout;
    bool open = true;
    int status = 0;
    bool exited = false;
    while (!exited) {
        if (open) {
            pollfd p{pipe_fds[0], POLLIN, 0};
            if (::poll(&p, 1, 20) > 0) open = drain(pipe_fds[0], run.output);
        } else {
            ::usleep(20000);
        }
        const pid_t r = ::waitpid(pid, &status, WNOHANG);
        if (r == pid) {
            exited = true;
            break;
        }
        const bool stop = cancelled && cancelled();
        if (Clock::now() >= deadline || stop) {
            (stop ? run.cancelled : run.timed_out) = true;
            ::kill(-pid, SIGTERM);
            const auto grace = Clock::now() + milliseconds(1000);
            while (::waitpid(pid, &status, WNOHANG) != pid) {
                if (Clock::now() >= grace) {
                    ::kill(-pid, SIGKILL);
                    ::waitpid(pid, &status, 0);
                    break;
                }
                ::usleep(10000);
            }
            ::kill(-pid, SIGKILL);  // whatever it started and left behind
            exited = true;
        }
    }
    // What the hook wrote just before it ended; a child it left running may hold
    // the pipe open, so this reads only what is already there (briefly).
    if (open) {
        const auto until = Clock::now() + milliseconds(200);
        while (open && Clock::now() < until) {
            pollfd p{pipe_fds[0], POLLIN, 0};
            if (::poll(&p, 1, 20) <= 0) break;
            open = drain(pipe_fds[0], run.output);
        }
    }
    ::close(pipe_fds[0]);
    if (WIFEXITED(status) && !run.timed_out && !run.cancelled) run.exit_code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) run.signal = WTERMSIG(status);
    run.elapsed = std::chrono::duration_cast<milliseconds>(Clock::now() - start);
    return run;
}

std::string output_tail(const std::string& output, std::size_t max_lines) {
    std::vector<std::string> lines;
    std::stringstream in(output);
    for (std::string line; std::getline(in, line);) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        lines.push_back(line);
    }
    while (!lines.empty() && lines.back().find_first_not_of(" \t") == std::string::npos) lines.pop_back();
    std::string out;
    const std::size_t first = lines.size() > max_lines ? lines.size() - max_lines : 0;
    if (first > 0) out += "    (" + std::to_string(first) + " earlier lines not shown)\n";
    for (std::size_t i = first; i < lines.size(); ++i) out += "    " + printable(lines[i], 300) + "\n";
    return out;
}

}  // namespace certtool::acme
