#include "daemon.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <cstdlib>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "cert_lab.hpp"
#include "loopback.hpp"
#include "run_process.hpp"

extern char** environ;

namespace certtool::test {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

Daemon::Daemon(std::string name, const std::string& program, const std::vector<std::string>& args, std::string log,
               const std::vector<std::string>& extra_env)
    : name_(std::move(name)), log_(std::move(log)) {
    // Orphans of a server (workers whose main process ended first) become our
    // children, so that stop() can wait for every process of the group.
    static const bool subreaper = ::prctl(PR_SET_CHILD_SUBREAPER, 1UL, 0UL, 0UL, 0UL) == 0;
    (void)subreaper;
    std::vector<std::string> storage{program};
    storage.insert(storage.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : storage) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::vector<std::string> env_storage;
    for (char** e = environ; *e != nullptr; ++e) env_storage.emplace_back(*e);
    env_storage.insert(env_storage.end(), extra_env.begin(), extra_env.end());
    std::vector<char*> envp;
    for (auto& e : env_storage) envp.push_back(e.data());
    envp.push_back(nullptr);
    const int out = ::open(log_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    const int in = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (out < 0 || in < 0) {
        if (out >= 0) ::close(out);
        if (in >= 0) ::close(in);
        throw std::runtime_error("cannot open " + log_ + " or /dev/null");
    }
    const pid_t parent = ::getpid();
    pid_ = ::fork();
    if (pid_ == 0) {
        // Only async-signal-safe calls until exec.
        ::setpgid(0, 0);
        ::prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (::getppid() != parent) ::_exit(127);
        ::dup2(in, 0);
        ::dup2(out, 1);
        ::dup2(out, 2);
        ::execve(argv[0], argv.data(), envp.data());
        ::_exit(127);
    }
    ::close(out);
    ::close(in);
    if (pid_ < 0) throw std::runtime_error("cannot start " + program);
    ::setpgid(pid_, pid_);  // also here: no race with stop()
}

Daemon::~Daemon() { stop(); }

bool Daemon::running() {
    if (pid_ <= 0 || exited_) return false;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) exited_ = true;
    return !exited_;
}

std::string Daemon::log() const {
    try {
        return read_file(log_);
    } catch (const std::exception&) {
        return "(no log)";
    }
}

void Daemon::stop() {
    if (pid_ <= 0) return;
    ::kill(-pid_, SIGTERM);
    auto give_up = Clock::now() + 3s;
    bool killed = false;
    // Reap the main process and every process of its group (ours by now).
    for (;;) {
        int status = 0;
        const pid_t r = ::waitpid(-pid_, &status, WNOHANG);
        if (r > 0) continue;
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) break;  // ECHILD: none left
        if (Clock::now() > give_up) {
            if (killed) break;  // should not happen: leave it rather than hang the tests
            ::kill(-pid_, SIGKILL);
            killed = true;
            give_up = Clock::now() + 3s;
        }
        std::this_thread::sleep_for(5ms);
    }
    pid_ = -1;
}

void Daemon::wait_ready(const std::function<bool()>& ready, std::chrono::milliseconds limit) {
    const auto give_up = Clock::now() + limit;
    while (!ready()) {
        if (!running() || Clock::now() > give_up) {
            INFO(name_ << " is not ready; its log:\n" << log());
            FAIL("test server not ready");
        }
        std::this_thread::sleep_for(10ms);
    }
}

std::string find_program(const std::string& name) {
    std::vector<std::string> dirs;
    if (const char* path = std::getenv("PATH")) {
        std::stringstream s(path);
        for (std::string d; std::getline(s, d, ':');)
            if (!d.empty()) dirs.push_back(d);
    }
    for (const char* d : {"/usr/sbin", "/sbin", "/usr/local/sbin", "/usr/bin", "/bin"}) dirs.emplace_back(d);
    for (const auto& d : dirs)
        if (::access((d + "/" + name).c_str(), X_OK) == 0) return d + "/" + name;
    return "";
}

bool wait_until(const std::function<bool()>& ready, std::chrono::milliseconds limit) {
    const auto until = Clock::now() + limit;
    while (Clock::now() < until) {
        if (ready()) return true;
        std::this_thread::sleep_for(20ms);
    }
    return ready();
}

namespace {

std::vector<std::string> s_server_args(const std::string& ip, int port, const std::string& cert, const std::string& key,
                                       const std::vector<std::string>& extra, SServerMode mode) {
    const std::string host = ip.find(':') != std::string::npos ? "[" + ip + "]" : ip;
    std::vector<std::string> args{"s_server", "-accept", host + ":" + std::to_string(port), "-cert", cert, "-key", key,
                                  "-quiet"};
    if (mode == SServerMode::status_page) args.emplace_back("-www");
    if (mode == SServerMode::reversed_lines) args.emplace_back("-rev");
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
}

}  // namespace

OpensslServer::OpensslServer(const std::string& ip, int port, const std::string& cert, const std::string& key,
                             const std::string& log, const std::vector<std::string>& extra, SServerMode mode)
    : daemon_("openssl s_server " + ip + ":" + std::to_string(port), kOpensslCli, s_server_args(ip, port, cert, key, extra, mode),
              log) {
    daemon_.wait_ready([&] { return tcp_connects(ip, port); }, std::chrono::seconds(10));
}

}  // namespace certtool::test
