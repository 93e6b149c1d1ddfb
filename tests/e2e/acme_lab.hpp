// What the certtool acme end-to-end tests share beyond the kit (daemon.hpp runs
// Pebble and Knot, loopback.hpp gives the free block): the time scale and the
// checks every run must pass (bounded time, no partial files, no secret in the
// output).
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <functional>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "daemon.hpp"
#include "loopback.hpp"
#include "run_process.hpp"

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
