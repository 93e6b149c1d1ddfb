#include "acme/http.hpp"

#include <arpa/inet.h>
#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <mutex>

#include "acme/problem.hpp"

namespace certtool::acme {

namespace {

void global_init() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

// scheme://host[:port]/..., the scheme and host only; "" parts when unreadable.
struct UrlParts {
    std::string scheme;
    std::string host;
};

UrlParts split_url(const std::string& url) {
    UrlParts parts;
    CURLU* handle = curl_url();
    if (handle == nullptr) return parts;
    if (curl_url_set(handle, CURLUPART_URL, url.c_str(), 0) == CURLUE_OK) {
        char* scheme = nullptr;
        char* host = nullptr;
        if (curl_url_get(handle, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK) parts.scheme = lower(scheme);
        if (curl_url_get(handle, CURLUPART_HOST, &host, 0) == CURLUE_OK) parts.host = lower(host);
        curl_free(scheme);
        curl_free(host);
    }
    curl_url_cleanup(handle);
    return parts;
}

bool loopback_literal(std::string host) {
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    in_addr v4{};
    if (::inet_pton(AF_INET, host.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
    in6_addr v6{};
    return ::inet_pton(AF_INET6, host.c_str(), &v6) == 1 && IN6_IS_ADDR_LOOPBACK(&v6);
}

}  // namespace

std::string url_refusal(const std::string& url) {
    const UrlParts parts = split_url(url);
    if (parts.scheme.empty() || parts.host.empty()) return "not a URL";
    if (parts.scheme == "https") return "";
    if (parts.scheme == "http" && loopback_literal(parts.host)) return "";
    if (parts.scheme == "http")
        return "plain http is refused (RFC 8555 section 6.1 requires https); only a CA on this machine (127.0.0.0/8, [::1]) may use http";
    return "the scheme '" + printable(parts.scheme, 20) + "' is not https";
}

std::string HttpResponse::header(const std::string& lower_name) const {
    const auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
}

std::vector<std::string> HttpResponse::header_values(const std::string& lower_name) const {
    std::vector<std::string> values;
    for (auto [it, end] = headers.equal_range(lower_name); it != end; ++it) values.push_back(it->second);
    return values;
}

struct HttpClient::Impl {
    HttpOptions options;
    CURL* curl = nullptr;
    HttpResponse response;
    bool too_large = false;
    bool interrupted = false;
    char error_buffer[CURL_ERROR_SIZE] = {0};

    static size_t on_body(char* data, size_t size, size_t count, void* user) {
        auto* self = static_cast<Impl*>(user);
        const size_t n = size * count;
        if (self->response.body.size() + n > self->options.max_body) {
            self->too_large = true;
            return 0;  // aborts the transfer: an endless body stops here
        }
        self->response.body.append(data, n);
        return n;
    }

    static size_t on_header(char* data, size_t size, size_t count, void* user) {
        auto* self = static_cast<Impl*>(user);
        const size_t n = size * count;
        std::string line(data, n);
        if (line.rfind("HTTP/", 0) == 0) {
            self->response.headers.clear();  // a new response (after 100 Continue)
            return n;
        }
        if (self->response.headers.size() >= 200) return n;  // enough; curl caps the total size itself
        const auto colon = line.find(':');
        if (colon == std::string::npos) return n;
        std::string value = line.substr(colon + 1);
        while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.erase(value.begin());
        while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) value.pop_back();
        self->response.headers.emplace(lower(line.substr(0, colon)), value);
        return n;
    }

    static int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
        auto* self = static_cast<Impl*>(user);
        if (self->options.cancelled && self->options.cancelled()) {
            self->interrupted = true;
            return 1;
        }
        return 0;
    }

    HttpResponse perform(const std::string& method, const std::string& url, const std::string* body, const std::string& content_type) {
        if (const std::string why = url_refusal(url); !why.empty())
            throw Error("acme.insecure-url", printable(url, 200), "refusing to send a request: " + why);
        response = HttpResponse{};
        too_large = false;
        interrupted = false;
        error_buffer[0] = '\0';
        curl_easy_reset(curl);
        curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
        curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "https,http");
        curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);  // ACME never needs one; a redirect is the CA's error
        curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
        curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
        if (!options.ca_bundle.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, options.ca_bundle.c_str());
        curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options.connect_timeout.count()));
        curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(options.request_timeout.count()));
        curl_easy_setopt(curl, CURLOPT_USERAGENT, options.user_agent.c_str());
        curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer);
        curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &Impl::on_body);
        curl_easy_setopt(curl, CURLOPT_WRITEDATA, this);
        curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, &Impl::on_header);
        curl_easy_setopt(curl, CURLOPT_HEADERDATA, this);
        curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
        curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, &Impl::on_progress);
        curl_easy_setopt(curl, CURLOPT_XFERINFODATA, this);
        curl_slist* headers = nullptr;
        headers = curl_slist_append(headers, "Accept-Language: en");
        if (method == "HEAD") {
            curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
        } else if (body != nullptr) {
            curl_easy_setopt(curl, CURLOPT_POST, 1L);
            curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body->data());
            curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body->size()));
            headers = curl_slist_append(headers, ("Content-Type: " + content_type).c_str());
            headers = curl_slist_append(headers, "Expect:");  // no 100-continue round trip
        }
        curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
        const CURLcode rc = curl_easy_perform(curl);
        curl_slist_free_all(headers);
        const std::string where = printable(url, 200);
        if (interrupted) throw Error("acme.interrupted", where, "interrupted");
        if (too_large)
            throw Error("acme.too-large", where,
                        "the CA's answer passed " + std::to_string(options.max_body) + " bytes without ending; stopped reading");
        if (rc != CURLE_OK) {
            const std::string detail = error_buffer[0] != '\0' ? printable(error_buffer, 300) : curl_easy_strerror(rc);
            const auto seconds = [](std::chrono::milliseconds ms) { return std::to_string((ms.count() + 999) / 1000) + " s"; };
            switch (rc) {
                case CURLE_OPERATION_TIMEDOUT:
                    throw Error("acme.timeout", where,
                                "no complete answer from the CA within " + seconds(options.request_timeout) + " (connect limit " +
                                    seconds(options.connect_timeout) + "): " + detail);
                case CURLE_COULDNT_RESOLVE_HOST:
                case CURLE_COULDNT_CONNECT:
                    throw Error("acme.unreachable", where, "cannot connect to the CA: " + detail);
                case CURLE_SSL_CONNECT_ERROR:
                case CURLE_PEER_FAILED_VERIFICATION:
                case CURLE_SSL_CACERT_BADFILE:
                case CURLE_SSL_CERTPROBLEM:
                    throw Error("acme.tls-failed", where,
                                "TLS with the CA failed: " + detail +
                                    (options.ca_bundle.empty() ? " (a private or test CA's TLS certificate needs --ca-bundle FILE)" : ""));
                case CURLE_UNSUPPORTED_PROTOCOL:
                    throw Error("acme.insecure-url", where, "refusing the URL: " + detail);
                default:
                    throw Error("acme.unreachable", where, "the exchange with the CA failed: " + detail);
            }
        }
        long status = 0;
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
        response.status = status;
        return std::move(response);
    }
};

HttpClient::HttpClient(HttpOptions options) : impl_(std::make_unique<Impl>()) {
    global_init();
    impl_->options = std::move(options);
    impl_->curl = curl_easy_init();
    if (impl_->curl == nullptr) throw std::runtime_error("libcurl could not start a session");
}

HttpClient::~HttpClient() {
    if (impl_ && impl_->curl != nullptr) curl_easy_cleanup(impl_->curl);
}

HttpResponse HttpClient::get(const std::string& url) { return impl_->perform("GET", url, nullptr, ""); }
HttpResponse HttpClient::head(const std::string& url) { return impl_->perform("HEAD", url, nullptr, ""); }
HttpResponse HttpClient::post(const std::string& url, const std::string& body, const std::string& content_type) {
    return impl_->perform("POST", url, &body, content_type);
}

}  // namespace certtool::acme
