// HTTPS to an ACME CA through libcurl, bounded in every way a CA (or something
// pretending to be one) could stretch it: connect and whole-request timeouts,
// a cap on the body (an endless body ends at the cap), no redirects, only
// https (and http to a loopback address, for test doubles on this machine).
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace certtool::acme {

struct HttpOptions {
    std::string ca_bundle;  // PEM file of the roots that may sign the CA's TLS certificate; "" = the system store
    std::chrono::milliseconds connect_timeout{std::chrono::seconds(10)};
    std::chrono::milliseconds request_timeout{std::chrono::seconds(30)};  // the whole exchange, body included
    std::size_t max_body = 4 << 20;  // a certificate chain or an order is a few KiB
    std::string user_agent;
    std::function<bool()> cancelled;  // polled while waiting: true aborts with acme.interrupted
};

struct HttpResponse {
    long status = 0;
    std::multimap<std::string, std::string> headers;  // names lower-cased
    std::string body;
    [[nodiscard]] std::string header(const std::string& lower_name) const;  // first value, "" if absent
    [[nodiscard]] std::vector<std::string> header_values(const std::string& lower_name) const;
};

// Whether certtool may send ACME requests to this URL: https, or http to
// 127.0.0.0/8 or [::1] (nothing leaves the machine). Returns "" when it may,
// else why not.
std::string url_refusal(const std::string& url);

// One connection's worth of state (kept alive between requests). Throws
// acme::Error: acme.unreachable (refused, no route, name not found),
// acme.tls-failed (handshake or certificate check), acme.timeout,
// acme.too-large (the body passed max_body), acme.insecure-url, acme.interrupted.
class HttpClient {
public:
    explicit HttpClient(HttpOptions options);
    ~HttpClient();
    HttpClient(const HttpClient&) = delete;
    HttpClient& operator=(const HttpClient&) = delete;

    HttpResponse get(const std::string& url);
    HttpResponse head(const std::string& url);
    HttpResponse post(const std::string& url, const std::string& body, const std::string& content_type);

    struct Impl;

private:
    std::unique_ptr<Impl> impl_;
};

}  // namespace certtool::acme
