// What the certtool acme end-to-end tests share: finding the server programs,
// running one as a daemon in its own process group (stopped, group and all,
// when it goes out of scope, also when the test fails), a free loopback block
// for parallel runs, and the checks every run must pass (bounded time, no
// partial files, no secret in the output).
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "run_process.hpp"

extern char** environ;

namespace certtool::test::acme {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// Under AddressSanitizer certtool runs slower: the time bounds of these tests scale.
#if defined(__SANITIZE_ADDRESS__)
inline constexpr int kTimeScale = 3;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
inline constexpr int kTimeScale = 3;
#else
inline constexpr int kTimeScale = 1;
#endif
#else
inline constexpr int kTimeScale = 1;
#endif

inline std::string find_program(const std::string& name) {
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

inline bool tcp_connects(const std::string& ip, int port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    ::inet_pton(AF_INET, ip.c_str(), &a.sin_addr);
    const bool ok = ::connect(fd, reinterpret_cast<const sockaddr*>(&a), sizeof a) == 0;
    ::close(fd);
    return ok;
}

inline bool can_bind(const std::string& ip, int port, int type) {
    const int fd = ::socket(AF_INET, type | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    ::inet_pton(AF_INET, ip.c_str(), &a.sin_addr);
    const bool ok = ::bind(fd, reinterpret_cast<const sockaddr*>(&a), sizeof a) == 0;
    ::close(fd);
    return ok;
}

// "127.B.C." with B in 20..99 (the live-audit tests use 100..249), chosen at
// random among blocks where `ports` are free on .10 and .53 (TCP and UDP), so
// that copies of this suite can run at once.
inline std::string free_block(const std::vector<int>& ports) {
    std::mt19937 rng{std::random_device{}()};
    for (int attempt = 0; attempt < 50; ++attempt) {
        const std::string prefix = "127." + std::to_string(20 + rng() % 80) + "." + std::to_string(1 + rng() % 254) + ".";
        bool free = true;
        for (const int port : ports)
            for (const char* host : {"10", "53"})
                free = free && can_bind(prefix + host, port, SOCK_STREAM) && can_bind(prefix + host, port, SOCK_DGRAM);
        if (free) return prefix;
    }
    throw std::runtime_error("no free 127.x.y.0/24 block for the ACME lab");
}

// A server program in its own process group, output to a log file; stopped
// (SIGTERM to the group, SIGKILL after 3 s) when destroyed.
class Daemon {
public:
    Daemon(const std::string& program, const std::vector<std::string>& args, const std::vector<std::string>& extra_env, std::string log)
        : log_(std::move(log)) {
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
        if (out < 0 || in < 0) throw std::runtime_error("cannot open " + log_);
        const pid_t parent = ::getpid();
        pid_ = ::fork();
        if (pid_ == 0) {
            ::setpgid(0, 0);
            ::prctl(PR_SET_PDEATHSIG, SIGTERM);  // never outlive the test process
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
        ::setpgid(pid_, pid_);
    }
    ~Daemon() { stop(); }
    Daemon(const Daemon&) = delete;
    Daemon& operator=(const Daemon&) = delete;

    bool running() {
        if (pid_ <= 0) return false;
        int status = 0;
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            return false;
        }
        return true;
    }

    [[nodiscard]] std::string log() const {
        try {
            return read_file(log_);
        } catch (const std::exception&) {
            return "(no log)";
        }
    }

    void stop() {
        if (pid_ <= 0) return;
        ::kill(-pid_, SIGTERM);
        const auto give_up = Clock::now() + 3s;
        int status = 0;
        while (::waitpid(pid_, &status, WNOHANG) != pid_) {
            if (Clock::now() > give_up) {
                ::kill(-pid_, SIGKILL);
                ::waitpid(pid_, &status, 0);
                break;
            }
            std::this_thread::sleep_for(10ms);
        }
        pid_ = -1;
    }

private:
    std::string log_;
    pid_t pid_ = -1;
};

inline bool wait_until(const std::function<bool()>& ready, std::chrono::milliseconds limit) {
    const auto until = Clock::now() + limit;
    while (Clock::now() < until) {
        if (ready()) return true;
        std::this_thread::sleep_for(50ms);
    }
    return ready();
}

// Files in `dir` a failed run must not leave: certificates, chains, temporaries.
inline std::vector<std::string> partial_files(const std::string& dir) {
    std::vector<std::string> found;
    std::error_code ignored;
    for (const auto& e : std::filesystem::directory_iterator(dir, ignored)) {
        const std::string name = e.path().filename().string();
        if (name.find(".pem") != std::string::npos || name.rfind(".certtool-tmp", 0) == 0) found.push_back(name);
    }
    return found;
}

// The lines of a PEM private key file that carry key material.
inline std::vector<std::string> secret_lines(const std::string& pem_file) {
    std::vector<std::string> lines;
    std::stringstream in(read_file(pem_file));
    for (std::string line; std::getline(in, line);)
        if (!line.empty() && line.rfind("-----", 0) != 0) lines.push_back(line);
    return lines;
}

}  // namespace certtool::test::acme
