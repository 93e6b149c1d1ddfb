// certtool acme against a CA that misbehaves, and hooks that fail or hang.
// The CA is a fake written here: a small HTTP server on 127.0.0.1 (certtool
// accepts plain http only on loopback) that speaks just enough RFC 8555 to get
// an order to the point where it breaks: 500 with HTML, garbage, an endless
// body, a slow drip, rate limits with Retry-After, refused nonces, an invalid
// challenge. Every case must end with exit code 1, a clear error code and
// message naming the server or the hook, within a small time bound, with no
// certificate or temporary file left in --out, and with no secret (account key,
// EAB key, nonce, JWS) in stdout or stderr.
#include <netinet/in.h>
#include <sys/stat.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <nlohmann/json.hpp>

#include "bytes.hpp"
#include "acme_lab.hpp"
#include "syscall_trace.hpp"
#include "run_process.hpp"
#include "temp_dir.hpp"

using certtool::test::ProcessResult;
using certtool::test::read_file;
using certtool::test::run_certtool;
using certtool::test::source_path;
using certtool::test::TempDir;
using namespace certtool::test;
using namespace certtool::test::acme;
using nlohmann::json;

namespace {

const std::string kTopology = "templates/examples/edge-dnslb-nat.json";  // one public-CA certificate, three names
const std::string kId = "edge-external.lsedge-contoso-net";
const std::string kEabKey = "c2VjcmV0LWhtYWMta2V5LW9mLXRoZS1mYWtlLWNhLW5ldmVyLXByaW50";

enum class Misbehaviour {
    none,               // a pending order whose challenges the CA never answers (the hooks fail first)
    directory_500,      // the directory is an HTML error page, status 500
    directory_garbage,  // the directory is 200 with bytes that are not JSON
    directory_endless,  // the directory never ends
    directory_slow,     // the directory drips one byte every 200 ms
    rate_limited,       // newOrder: 429, rateLimited, Retry-After: 1
    rate_limited_long,  // newOrder: 429, rateLimited, Retry-After: 3600
    bad_nonce,          // every POST: badNonce
    challenge_invalid,  // the CA finds the wrong TXT record
    foreign_name,       // an authorization for a name the order does not have
};

struct Reply {
    int status = 200;
    std::map<std::string, std::string> headers;
    std::string body;
    enum class Kind { whole, endless, drip } kind = Kind::whole;
};

std::string problem(const std::string& type, const std::string& detail, int status) {
    return json{{"type", "urn:ietf:params:acme:error:" + type}, {"detail", detail}, {"status", status}}.dump();
}

class FakeCa {
public:
    explicit FakeCa(Misbehaviour m, bool offer_profiles = false) : mode_(m), offer_profiles_(offer_profiles) {
        listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (listen_fd_ < 0 || ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(listen_fd_, 64) != 0)
            throw std::runtime_error("cannot listen on 127.0.0.1");
        socklen_t len = sizeof a;
        ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len);
        base_ = "http://127.0.0.1:" + std::to_string(ntohs(a.sin_port));
        acceptor_ = std::thread([this] { accept_loop(); });
    }
    ~FakeCa() {
        stop_ = true;
        if (acceptor_.joinable()) acceptor_.join();
        std::vector<std::thread> handlers;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            handlers.swap(handlers_);
        }
        for (auto& t : handlers) t.join();
        ::close(listen_fd_);
    }
    FakeCa(const FakeCa&) = delete;
    FakeCa& operator=(const FakeCa&) = delete;

    [[nodiscard]] std::string directory() const { return base_ + "/dir"; }

    // Everything the CA saw and sent that must never reach certtool's output.
    [[nodiscard]] std::vector<std::string> secrets() {
        std::lock_guard<std::mutex> lock(mutex_);
        return secrets_;
    }
    [[nodiscard]] int requests(const std::string& path) {
        std::lock_guard<std::mutex> lock(mutex_);
        return counts_[path];
    }
    [[nodiscard]] bool saw_eab() {
        std::lock_guard<std::mutex> lock(mutex_);
        return saw_eab_;
    }
    [[nodiscard]] std::string ordered_profile() {
        std::lock_guard<std::mutex> lock(mutex_);
        return profile_;
    }

private:
    void accept_loop() {
        while (!stop_) {
            pollfd p{listen_fd_, POLLIN, 0};
            if (::poll(&p, 1, 50) <= 0) continue;
            const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
            if (fd < 0) continue;
            std::lock_guard<std::mutex> lock(mutex_);
            handlers_.emplace_back([this, fd] {
                serve(fd);
                ::close(fd);
            });
        }
    }

    void serve(int fd) {
        timeval tv{5, 0};
        ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        std::string in;
        char buffer[8192];
        std::size_t header_end = std::string::npos;
        while ((header_end = in.find("\r\n\r\n")) == std::string::npos && in.size() < (1 << 16)) {
            const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
            if (n <= 0) return;
            in.append(buffer, static_cast<std::size_t>(n));
        }
        if (header_end == std::string::npos) return;
        const std::string head = in.substr(0, header_end);
        std::string body = in.substr(header_end + 4);
        std::size_t length = 0;
        for (std::size_t at = 0; (at = head.find("\r\n", at)) != std::string::npos;) {
            at += 2;
            const std::string line = head.substr(at, head.find("\r\n", at) - at);
            if (line.size() > 15 && (line.rfind("Content-Length:", 0) == 0 || line.rfind("content-length:", 0) == 0))
                length = std::stoul(line.substr(15));
        }
        while (body.size() < length) {
            const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
            if (n <= 0) return;
            body.append(buffer, static_cast<std::size_t>(n));
        }
        const std::string method = head.substr(0, head.find(' '));
        const auto path_start = head.find(' ') + 1;
        const std::string path = head.substr(path_start, head.find(' ', path_start) - path_start);
        Reply reply = handle(method, path, body);
        send_reply(fd, method, reply);
    }

    void send_all(int fd, const std::string& data) { (void)::send(fd, data.data(), data.size(), MSG_NOSIGNAL); }

    void send_reply(int fd, const std::string& method, Reply& reply) {
        const std::string nonce = fresh_nonce();
        std::string head = "HTTP/1.1 " + std::to_string(reply.status) + " X\r\nReplay-Nonce: " + nonce + "\r\nConnection: close\r\n";
        for (const auto& [name, value] : reply.headers) head += name + ": " + value + "\r\n";
        if (reply.kind == Reply::Kind::whole) {
            head += "Content-Length: " + std::to_string(reply.body.size()) + "\r\n\r\n";
            send_all(fd, method == "HEAD" ? head : head + reply.body);
            return;
        }
        if (reply.kind == Reply::Kind::drip) {
            send_all(fd, head + "Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n");
            for (int i = 0; i < 300 && !stop_; ++i) {  // 60 s at most
                if (::send(fd, "{", 1, MSG_NOSIGNAL) != 1) return;
                std::this_thread::sleep_for(200ms);
            }
            return;
        }
        send_all(fd, head + "Content-Type: application/json\r\n\r\n");
        const std::string chunk(1 << 16, '[');
        for (int i = 0; i < 2048 && !stop_; ++i)  // 128 MiB at most: "endless" to a 4 MiB cap
            if (::send(fd, chunk.data(), chunk.size(), MSG_NOSIGNAL) <= 0) return;
    }

    std::string fresh_nonce() {
        std::lock_guard<std::mutex> lock(mutex_);
        const std::string nonce = "fakeNonce" + std::to_string(++nonce_counter_) + "x7Qz";
        secrets_.push_back(nonce);
        return nonce;
    }

    Reply handle(const std::string& method, const std::string& path, const std::string& body) {
        json payload = json::object();
        if (method == "POST") {
            const auto jws = json::parse(body, nullptr, false);
            std::lock_guard<std::mutex> lock(mutex_);
            if (jws.is_object() && jws.contains("protected")) {
                secrets_.push_back(jws["protected"].get<std::string>());
                secrets_.push_back(jws["signature"].get<std::string>());
                const std::string p = base64_decode(jws["payload"].get<std::string>());
                if (!p.empty()) payload = json::parse(p, nullptr, false);
            }
        }
        {
            std::lock_guard<std::mutex> lock(mutex_);
            ++counts_[path];
        }
        const std::map<std::string, std::string> json_type = {{"Content-Type", "application/json"}};
        const std::map<std::string, std::string> problem_type = {{"Content-Type", "application/problem+json"}};
        if (path == "/dir") {
            switch (mode_) {
                case Misbehaviour::directory_500:
                    return {500, {{"Content-Type", "text/html"}}, "<html><body><h1>500 Internal Server Error</h1></body></html>"};
                case Misbehaviour::directory_garbage: return {200, json_type, std::string("\x89PNG\r\n\x1a\n\0\0garbage", 18)};
                case Misbehaviour::directory_endless: return {200, {}, "", Reply::Kind::endless};
                case Misbehaviour::directory_slow: return {200, {}, "", Reply::Kind::drip};
                default: {
                    json meta = {{"externalAccountRequired", true}, {"termsOfService", base_ + "/terms"}};
                    if (offer_profiles_)
                        meta["profiles"] = {{"classic", "the default, with a Common Name"}, {"tlsserver", "short-lived, no Common Name"}};
                    return {200, json_type,
                            json{{"newNonce", base_ + "/nonce"}, {"newAccount", base_ + "/acct"}, {"newOrder", base_ + "/order"}, {"meta", meta}}
                                .dump()};
                }
            }
        }
        if (path == "/nonce") return {200, {}, ""};
        if (mode_ == Misbehaviour::bad_nonce) return {400, problem_type, problem("badNonce", "JWS has an invalid anti-replay nonce", 400)};
        if (path == "/acct") {
            if (payload.value("onlyReturnExisting", false))
                return {400, problem_type, problem("accountDoesNotExist", "no account for this key", 400)};
            if (!payload.contains("externalAccountBinding"))
                return {400, problem_type, problem("externalAccountRequired", "bind the account", 400)};
            {
                std::lock_guard<std::mutex> lock(mutex_);
                saw_eab_ = true;
            }
            return {201, {{"Location", base_ + "/acct/1"}, {"Content-Type", "application/json"}}, R"({"status":"valid"})"};
        }
        if (path == "/order") {
            if (mode_ == Misbehaviour::rate_limited)
                return {429, {{"Retry-After", "1"}, {"Content-Type", "application/problem+json"}},
                        problem("rateLimited", "too many new orders recently", 429)};
            if (mode_ == Misbehaviour::rate_limited_long)
                return {429, {{"Retry-After", "3600"}, {"Content-Type", "application/problem+json"}},
                        problem("rateLimited", "too many certificates already issued for contoso.com", 429)};
            std::lock_guard<std::mutex> lock(mutex_);
            names_.clear();
            profile_ = payload.value("profile", "");
            if (payload.contains("identifiers"))
                for (const auto& id : payload["identifiers"]) names_.push_back(id["value"]);
            return {201, {{"Location", base_ + "/order/1"}, {"Content-Type", "application/json"}}, order_json()};
        }
        if (path == "/order/1") {
            std::lock_guard<std::mutex> lock(mutex_);
            return {200, json_type, order_json()};
        }
        if (path.rfind("/authz/", 0) == 0 || path.rfind("/chall/", 0) == 0) {
            const std::size_t i = std::stoul(path.substr(7));
            std::lock_guard<std::mutex> lock(mutex_);
            if (path[1] == 'c') answered_.insert(i);
            if (i >= names_.size()) return {404, problem_type, problem("malformed", "no such resource", 404)};
            const bool failed = mode_ == Misbehaviour::challenge_invalid && answered_.count(i) > 0;
            json challenge = {{"type", "dns-01"}, {"url", base_ + "/chall/" + std::to_string(i)}, {"token", "tok" + std::to_string(i) + "Zq"},
                              {"status", failed ? "invalid" : "pending"}};
            if (failed)
                challenge["error"] = {{"type", "urn:ietf:params:acme:error:unauthorized"},
                                      {"detail", "Incorrect TXT record \"stale-value\" found at _acme-challenge." + names_[i]},
                                      {"status", 403}};
            if (path[1] == 'c') return {200, json_type, challenge.dump()};
            return {200, json_type,
                    json{{"status", failed ? "invalid" : "pending"},
                         {"identifier", {{"type", "dns"}, {"value", mode_ == Misbehaviour::foreign_name ? "mail.contoso.com" : names_[i]}}},
                         {"challenges", json::array({challenge})}}
                        .dump()};
        }
        return {404, problem_type, problem("malformed", "unknown resource " + path, 404)};
    }

    std::string order_json() const {
        json authz = json::array();
        for (std::size_t i = 0; i < names_.size(); ++i) authz.push_back(base_ + "/authz/" + std::to_string(i));
        json ids = json::array();
        for (const auto& n : names_) ids.push_back({{"type", "dns"}, {"value", n}});
        return json{{"status", "pending"}, {"identifiers", ids}, {"authorizations", authz}, {"finalize", base_ + "/finalize/1"}}.dump();
    }

    Misbehaviour mode_;
    bool offer_profiles_ = false;
    std::string profile_;
    int listen_fd_ = -1;
    std::string base_;
    std::atomic<bool> stop_{false};
    std::thread acceptor_;
    std::mutex mutex_;
    std::vector<std::thread> handlers_;
    std::vector<std::string> secrets_;
    std::map<std::string, int> counts_;
    std::vector<std::string> names_;
    std::set<std::size_t> answered_;
    bool saw_eab_ = false;
    int nonce_counter_ = 0;
};

// A requests folder, an EAB key file and a hook that logs each call and
// fails, hangs or succeeds as CERTTOOL_TEST_HOOK says.
struct Bench {
    TempDir dir{"certtool-acme-hostile"};
    std::string req = dir / "req";
    std::string out = dir / "out";
    std::string hook_log = dir / "hook.log";
    std::string hook;
    std::string eab_file;

    Bench() {
        const auto csr = run_certtool({"csr", source_path(kTopology), "--out", req});
        REQUIRE(csr.exit_code == 0);
        eab_file = dir.file("eab.key", kEabKey + "\n");
        hook = dir.file("hook.sh", "#!/bin/sh\n"
                                   "printf '%s %s %s\\n' \"$1\" \"$2\" \"$3\" >> '" + hook_log + "'\n"
                                   "case \"$1:${CERTTOOL_TEST_HOOK:-ok}\" in\n"
                                   "  present:fail) echo 'update failed: REFUSED (this server is not primary for contoso.com)'; exit 1 ;;\n"
                                   "  present:hang) sleep 60 ;;\n"
                                   "  present:interrupt) kill -TERM \"$PPID\"; sleep 5 ;;\n"
                                   "esac\n"
                                   "exit 0\n");
        std::filesystem::permissions(hook, std::filesystem::perms::owner_all);
    }

    [[nodiscard]] std::vector<std::string> args(const std::string& server, const std::vector<std::string>& extra = {}) const {
        std::vector<std::string> a = {"acme",        source_path(kTopology), "--server",   server,     "--requests", req,
                                      "--out",       out,                    "--dns-hook", hook,       "--eab-kid",  "kid-1",
                                      "--eab-hmac-file", eab_file,           "--agree-tos", "--timeout", "5",        "--max-wait",
                                      "1",           "--hook-timeout",       "2",          "--order-timeout", "5",   "--no-chain"};
        // `extra` holds option-value pairs: each replaces the default above or is added.
        for (std::size_t i = 0; i + 1 < extra.size(); i += 2) {
            const auto at = std::find(a.begin(), a.end(), extra[i]);
            if (at != a.end())
                *(at + 1) = extra[i + 1];
            else
                a.insert(a.end(), {extra[i], extra[i + 1]});
        }
        return a;
    }

    [[nodiscard]] std::vector<std::string> hook_calls() const {
        std::vector<std::string> calls;
        if (!std::filesystem::exists(hook_log)) return calls;
        std::stringstream in(read_file(hook_log));
        for (std::string line; std::getline(in, line);) calls.push_back(line.substr(0, line.rfind(' ')));
        return calls;
    }
};

std::string transcript(const std::vector<std::string>& args, const ProcessResult& r) {
    std::string text = "$ certtool";
    for (const auto& a : args) text += " " + a;
    return text + "\nexit " + std::to_string(r.exit_code) + " after " + std::to_string(r.elapsed.count()) + " ms\n--- stdout\n" + r.out +
           "--- stderr\n" + r.err;
}

// What every failed run must show: exit 1, the code, where, in time, nothing
// half-written, nothing secret.
ProcessResult expect_failure(const Bench& bench, FakeCa* ca, const std::vector<std::string>& args, const std::string& code,
                             const std::string& where, std::chrono::milliseconds limit, const std::vector<std::string>& env = {}) {
    const auto r = run_certtool(args, env);
    INFO(transcript(args, r));
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("[" + code + "]") != std::string::npos);
    CHECK(r.err.find(where) != std::string::npos);
    CHECK(r.elapsed < limit * kTimeScale);
    CHECK(partial_files(bench.out).empty());
    std::vector<std::string> secrets = {kEabKey, base64_decode(kEabKey)};
    if (std::filesystem::exists(bench.out + "/acme-account.key"))
        for (const auto& line : secret_lines(bench.out + "/acme-account.key")) secrets.push_back(line);
    if (ca != nullptr)
        for (const auto& s : ca->secrets()) secrets.push_back(s);
    for (const auto& s : secrets) {
        CHECK(r.out.find(s) == std::string::npos);
        CHECK(r.err.find(s) == std::string::npos);
    }
    return r;
}

}  // namespace

TEST_CASE("acme: a CA answering 500 with an HTML page: acme.server-error after bounded retries") {
    Bench bench;
    FakeCa ca(Misbehaviour::directory_500);
    expect_failure(bench, &ca, bench.args(ca.directory()), "acme.server-error", ca.directory(), 8s);
    CHECK(ca.requests("/dir") == 4);  // the first try and three retries
}

TEST_CASE("acme: a CA answering garbage: acme.garbage naming what it got") {
    Bench bench;
    FakeCa ca(Misbehaviour::directory_garbage);
    const auto r = expect_failure(bench, &ca, bench.args(ca.directory()), "acme.garbage", ca.directory(), 5s);
    CHECK(r.err.find("not a JSON object") != std::string::npos);
    CHECK(r.err.find("\\x89PNG") != std::string::npos);  // shown, with its control bytes made visible
}

TEST_CASE("acme: a CA whose answer never ends: acme.too-large at 4 MiB") {
    Bench bench;
    FakeCa ca(Misbehaviour::directory_endless);
    expect_failure(bench, &ca, bench.args(ca.directory()), "acme.too-large", ca.directory(), 10s);
}

TEST_CASE("acme: a CA dripping one byte at a time: acme.timeout at --timeout") {
    Bench bench;
    FakeCa ca(Misbehaviour::directory_slow);
    const auto r = expect_failure(bench, &ca, bench.args(ca.directory(), {"--timeout", "2"}), "acme.timeout", ca.directory(), 6s);
    CHECK(r.elapsed >= 2s);
}

TEST_CASE("acme: nothing listening: acme.unreachable at once") {
    Bench bench;
    const std::string server = "http://127.0.0.1:9/dir";  // discard: closed
    expect_failure(bench, nullptr, bench.args(server), "acme.unreachable", server, 5s);
}

TEST_CASE("acme: rate limits: Retry-After honoured for a bounded number of tries, a long one reported with its time") {
    Bench bench;
    {
        FakeCa ca(Misbehaviour::rate_limited);
        const auto r = expect_failure(bench, &ca, bench.args(ca.directory()), "acme.rate-limited", "/order", 10s);
        CHECK(r.elapsed >= 2500ms);  // three waits of Retry-After: 1
        CHECK(ca.requests("/order") == 4);
        CHECK(r.err.find("too many new orders recently") != std::string::npos);
        CHECK(ca.saw_eab());  // the account was bound with the EAB key
    }
    {
        FakeCa ca(Misbehaviour::rate_limited_long);
        const auto r = expect_failure(bench, &ca, bench.args(ca.directory()), "acme.rate-limited", "/order", 5s);
        CHECK(ca.requests("/order") == 1);  // an hour is longer than --max-wait: no waiting
        CHECK(r.err.find("try again after 20") != std::string::npos);
    }
}

TEST_CASE("acme: a CA refusing every nonce: acme.bad-nonce after bounded retries") {
    Bench bench;
    FakeCa ca(Misbehaviour::bad_nonce);
    expect_failure(bench, &ca, bench.args(ca.directory()), "acme.bad-nonce", "/acct", 5s);
    CHECK(ca.requests("/acct") == 4);
}

TEST_CASE("acme: an invalid challenge: acme.challenge-invalid with the CA's reason, and the hook's cleanup ran") {
    Bench bench;
    FakeCa ca(Misbehaviour::challenge_invalid);
    const auto r = expect_failure(bench, &ca, bench.args(ca.directory()), "acme.challenge-invalid", "/authz/", 8s);
    CHECK(r.err.find("acme.unauthorized") != std::string::npos);
    CHECK(r.err.find("Incorrect TXT record") != std::string::npos);
    const auto calls = bench.hook_calls();
    for (const std::string name : {"sip.contoso.com", "webcon.contoso.com", "sip.fabrikam.com"}) {
        CHECK(std::count(calls.begin(), calls.end(), "present _acme-challenge." + name + ".") == 1);
        CHECK(std::count(calls.begin(), calls.end(), "cleanup _acme-challenge." + name + ".") == 1);
    }
}

TEST_CASE("acme: an authorization for a name not on the certificate: acme.garbage, and the hook is never asked to publish it") {
    Bench bench;
    FakeCa ca(Misbehaviour::foreign_name);
    const auto r = expect_failure(bench, &ca, bench.args(ca.directory()), "acme.garbage", "/authz/0", 5s);
    CHECK(r.err.find("mail.contoso.com, which is not a name of " + kId) != std::string::npos);
    CHECK(bench.hook_calls().empty());
}

TEST_CASE("acme: a hook that fails: acme.hook-failed with its output, and cleanup still runs") {
    Bench bench;
    FakeCa ca(Misbehaviour::none);
    const auto r = expect_failure(bench, &ca, bench.args(ca.directory()), "acme.hook-failed", bench.hook, 8s, {"CERTTOOL_TEST_HOOK=fail"});
    CHECK(r.err.find("exited with status 1") != std::string::npos);
    CHECK(r.err.find("update failed: REFUSED") != std::string::npos);
    CHECK(bench.hook_calls() == std::vector<std::string>{"present _acme-challenge.sip.contoso.com.", "cleanup _acme-challenge.sip.contoso.com."});
    CHECK(ca.requests("/chall/0") == 0);  // nothing answered to the CA
}

TEST_CASE("acme: a hook that hangs: killed at --hook-timeout with its children (acme.hook-timeout), and cleanup still runs") {
    Bench bench;
    FakeCa ca(Misbehaviour::none);
    const auto r = expect_failure(bench, &ca, bench.args(ca.directory()), "acme.hook-timeout", bench.hook, 8s, {"CERTTOOL_TEST_HOOK=hang"});
    CHECK(r.err.find("did not finish within 2 s") != std::string::npos);
    CHECK(bench.hook_calls() == std::vector<std::string>{"present _acme-challenge.sip.contoso.com.", "cleanup _acme-challenge.sip.contoso.com."});
}

TEST_CASE("acme: no plain http except on loopback, and the EAB key never from the command line") {
    Bench bench;
    auto args = bench.args("http://ca.contoso.com/dir");
    auto r = run_certtool(args);
    INFO(transcript(args, r));
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("[usage.server]") != std::string::npos);

    args = {"acme", source_path(kTopology), "--server", "https://127.0.0.1:9/dir", "--requests", bench.req, "--out", bench.out,
            "--dns-hook", bench.hook, "--eab-kid", "kid-1", "--eab-hmac", kEabKey};
    r = run_certtool(args);
    INFO(transcript(args, r));
    CHECK(r.exit_code == 2);
    CHECK(r.err.find(kEabKey) == std::string::npos);
    CHECK_FALSE(std::filesystem::exists(bench.out));
}

TEST_CASE("acme: interrupted (SIGTERM) while the hook runs: acme.interrupted, and cleanup still runs") {
    Bench bench;
    FakeCa ca(Misbehaviour::none);
    const auto r = expect_failure(bench, &ca, bench.args(ca.directory()), "acme.interrupted", bench.hook, 5s, {"CERTTOOL_TEST_HOOK=interrupt"});
    CHECK(r.err.find("cleanup ran") != std::string::npos);
    CHECK(bench.hook_calls() == std::vector<std::string>{"present _acme-challenge.sip.contoso.com.", "cleanup _acme-challenge.sip.contoso.com."});
}

TEST_CASE("acme: TXT records that never show at --dns-resolver: acme.dns-not-visible at --dns-wait, nothing answered, cleanup ran") {
    Bench bench;
    FakeCa ca(Misbehaviour::none);
    const std::string resolver = "127.0.0.1:9";  // discard: no DNS server there
    const auto r = expect_failure(bench, &ca, bench.args(ca.directory(), {"--dns-resolver", resolver, "--dns-wait", "2"}),
                                  "acme.dns-not-visible", resolver, 7s);
    CHECK(r.elapsed >= 1500ms);
    CHECK(ca.requests("/chall/0") == 0);
    const auto calls = bench.hook_calls();
    CHECK(calls.size() == 6);
    CHECK(std::count_if(calls.begin(), calls.end(), [](const std::string& c) { return c.rfind("cleanup ", 0) == 0; }) == 3);
}

TEST_CASE("acme: a profile the directory offers is passed through, with a warning when it drops the CN, and an unknown one is refused") {
    Bench bench;
    {
        FakeCa ca(Misbehaviour::none, true);
        // The fake CA never validates: the order ends at --order-timeout.
        const auto r = expect_failure(bench, &ca, bench.args(ca.directory(), {"--profile", "tlsserver", "--order-timeout", "1"}),
                                      "acme.order-timeout", "/authz/", 6s);
        CHECK(ca.ordered_profile() == "tlsserver");
        CHECK(r.err.find("warning: edge-external.lsedge-contoso-net: profile 'tlsserver' issues certificates without a Common Name") !=
              std::string::npos);
    }
    {
        FakeCa ca(Misbehaviour::none, true);
        const auto r = expect_failure(bench, &ca, bench.args(ca.directory(), {"--profile", "shortest"}), "acme.invalid-profile",
                                      ca.directory(), 5s);
        CHECK(r.err.find("it offers: classic, tlsserver") != std::string::npos);
        CHECK(ca.requests("/order") == 0);
    }
}

TEST_CASE("acme: the account key is created 0600 with O_EXCL, never chmod-ed, and reused") {
    Bench bench;
    std::string why;
    const std::vector<std::string> args = bench.args("http://127.0.0.1:9/dir");
    if (!certtool::test::strace_usable(&why)) {
        WARN("strace is not usable here (" << why << "): only the final mode is checked");
        (void)run_certtool(args);
    } else {
        TempDir traces{"certtool-acme-trace"};
        const auto trace = certtool::test::trace_certtool(args, {}, traces.path());
        INFO(trace.text.substr(0, 4000));
        const std::string key = bench.out + "/acme-account.key";
        REQUIRE(trace.files.count(key) == 1);
        CHECK(trace.files.at(key).exclusive());
        CHECK(trace.files.at(key).mode == "0600");
        CHECK(trace.chmodded.count(key) == 0);
    }
    struct stat st {};
    REQUIRE(::stat((bench.out + "/acme-account.key").c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    const std::string before = read_file(bench.out + "/acme-account.key");
    (void)run_certtool(args);
    CHECK(read_file(bench.out + "/acme-account.key") == before);
}

TEST_CASE("acme: the example hook passes sh -n and, where installed, shellcheck") {
    const std::string hook = source_path("templates/dns-hook-nsupdate.sh");
    CHECK(::access(hook.c_str(), X_OK) == 0);
    const auto syntax = certtool::test::run_process("/bin/sh", {"-n", hook});
    INFO(syntax.err);
    CHECK(syntax.exit_code == 0);
    const std::string shellcheck = find_program("shellcheck");
    if (shellcheck.empty()) {
        WARN("shellcheck not found (package shellcheck): only sh -n was run");
        return;
    }
    const auto lint = certtool::test::run_process(shellcheck, {hook});
    INFO(lint.out << lint.err);
    CHECK(lint.exit_code == 0);
    // Refuses what is not a challenge, before anything reaches nsupdate.
    const auto bad = certtool::test::run_process(hook, {"present", "sip.contoso.com.", "v"}, {"CERTTOOL_NSUPDATE_SERVER=127.0.0.1",
                                                                                          "CERTTOOL_NSUPDATE_KEYFILE=/dev/null"});
    CHECK(bad.exit_code == 2);
    const auto injected = certtool::test::run_process(hook, {"present", "_acme-challenge.sip.contoso.com.", "v\nsend"},
                                                      {"CERTTOOL_NSUPDATE_SERVER=127.0.0.1", "CERTTOOL_NSUPDATE_KEYFILE=/dev/null"});
    CHECK(injected.exit_code == 2);
}
