// A real server program for the tests that prove interoperability with one
// (openssl s_server, nginx, kamailio, Pebble, Knot DNS): started in its own
// process group with its output in a log file, and stopped, group and all
// (SIGTERM, then SIGKILL after 3 s), when it goes out of scope, also when the
// test fails. It never outlives the test process (PR_SET_PDEATHSIG), and the
// test process reaps the workers a server leaves behind (it is their
// subreaper). Also: finding a program, and waiting for a server to be ready.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace certtool::test {

class Daemon {
public:
    // `program` (a path) with `args`; `extra_env` ("NAME=value") added to the environment.
    Daemon(std::string name, const std::string& program, const std::vector<std::string>& args, std::string log,
           const std::vector<std::string>& extra_env = {});
    ~Daemon();
    Daemon(const Daemon&) = delete;
    Daemon& operator=(const Daemon&) = delete;

    [[nodiscard]] const std::string& name() const { return name_; }
    // False once the main process has ended.
    bool running();
    [[nodiscard]] std::string log() const;  // "(no log)" when there is none
    void stop();

    // Waits until `ready` holds, for at most `limit`; REQUIREs it, with the log,
    // and fails at once when the server ends first.
    void wait_ready(const std::function<bool()>& ready, std::chrono::milliseconds limit = std::chrono::seconds(20));

private:
    std::string name_;
    std::string log_;
    pid_t pid_ = -1;
    bool exited_ = false;
};

// The path of an executable `name` in PATH or the usual sbin and bin folders; "" when there is none.
std::string find_program(const std::string& name);

// Polls `ready` every 20 ms for at most `limit`; whether it held.
bool wait_until(const std::function<bool()>& ready, std::chrono::milliseconds limit);

// What `openssl s_server` does with what a client sends after the handshake.
enum class SServerMode {
    status_page,       // -www: a "GET /" gets an HTTP status page; anything else, it waits for more and answers nothing
    reversed_lines,    // -rev: every line comes back reversed
    close_at_once,     // neither: it would relay the client to its standard input, /dev/null, so it closes the connection
};

// `openssl s_server` (the real one) on ip:port serving `cert` (leaf first) and
// `key`; `extra` goes to s_server as it is. Ready (it accepts TCP) when made.
class OpensslServer {
public:
    OpensslServer(const std::string& ip, int port, const std::string& cert, const std::string& key, const std::string& log,
                  const std::vector<std::string>& extra = {}, SServerMode mode = SServerMode::status_page);
    [[nodiscard]] Daemon& daemon() { return daemon_; }

private:
    Daemon daemon_;
};

}  // namespace certtool::test
