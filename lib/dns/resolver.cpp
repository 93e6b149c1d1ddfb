#include "dns/resolver.hpp"

#include <arpa/inet.h>
#include <ares.h>
#include <sys/select.h>

#include <algorithm>
#include <cstdlib>
#include <mutex>
#include <stdexcept>

namespace certtool::dns {

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

void library_init() {
    static std::once_flag once;
    std::call_once(once, [] {
        if (ares_library_init(ARES_LIB_INIT_ALL) != ARES_SUCCESS) throw std::runtime_error("c-ares could not be initialised");
    });
}

struct Pending {
    Answer* answer = nullptr;
    Clock::time_point started;
    int* outstanding = nullptr;
};

Status status_of(int code) {
    switch (code) {
        case ARES_SUCCESS: return Status::answered;
        case ARES_ENODATA: return Status::no_data;
        case ARES_ENOTFOUND: return Status::nxdomain;
        case ARES_ESERVFAIL: return Status::servfail;
        case ARES_EREFUSED: return Status::refused;
        case ARES_ETIMEOUT:
        case ARES_ECANCELLED:
        case ARES_EDESTRUCTION: return Status::timeout;
        case ARES_ECONNREFUSED: return Status::unreachable;
        default: return Status::error;
    }
}

void read_txt(Answer& answer, const unsigned char* buffer, int length) {
    ares_txt_ext* records = nullptr;
    const int rc = ares_parse_txt_reply_ext(buffer, length, &records);
    if (rc != ARES_SUCCESS) {
        answer.status = status_of(rc);
        answer.detail = ares_strerror(rc);
        return;
    }
    for (const ares_txt_ext* r = records; r != nullptr; r = r->next) {
        const std::string part(reinterpret_cast<const char*>(r->txt), r->length);
        if (r->record_start != 0 || answer.txt.empty())
            answer.txt.push_back(part);
        else
            answer.txt.back() += part;  // one record of several character-strings
    }
    ares_free_data(records);
    answer.status = answer.txt.empty() ? Status::no_data : Status::answered;
}

void on_answer(void* arg, int code, int /*timeouts*/, unsigned char* buffer, int length) {
    auto* pending = static_cast<Pending*>(arg);
    Answer& answer = *pending->answer;
    answer.elapsed = std::chrono::duration_cast<milliseconds>(Clock::now() - pending->started);
    --*pending->outstanding;
    if (code != ARES_SUCCESS) {
        answer.status = status_of(code);
        answer.detail = code == ARES_ECANCELLED ? "the deadline passed" : ares_strerror(code);
        return;
    }
    read_txt(answer, buffer, length);
}

}  // namespace

std::string to_string(Status status) {
    switch (status) {
        case Status::answered: return "answered";
        case Status::no_data: return "no data";
        case Status::nxdomain: return "NXDOMAIN";
        case Status::servfail: return "SERVFAIL";
        case Status::refused: return "REFUSED";
        case Status::timeout: return "timeout";
        case Status::unreachable: return "unreachable";
        case Status::error: return "error";
    }
    return "error";
}

std::string to_string(RecordType type) {
    switch (type) {
        case RecordType::a: return "A";
        case RecordType::aaaa: return "AAAA";
        case RecordType::cname: return "CNAME";
        case RecordType::srv: return "SRV";
        case RecordType::txt: return "TXT";
    }
    return "?";
}

std::string Server::text() const {
    return address.find(':') != std::string::npos ? "[" + address + "]:" + std::to_string(port) : address + ":" + std::to_string(port);
}

std::optional<Server> parse_server(const std::string& text) {
    Server server;
    std::string host = text;
    std::string port;
    if (!text.empty() && text.front() == '[') {
        const auto close = text.find(']');
        if (close == std::string::npos) return std::nullopt;
        host = text.substr(1, close - 1);
        const std::string rest = text.substr(close + 1);
        if (!rest.empty()) {
            if (rest.front() != ':') return std::nullopt;
            port = rest.substr(1);
        }
    } else if (std::count(text.begin(), text.end(), ':') == 1) {
        host = text.substr(0, text.find(':'));
        port = text.substr(text.find(':') + 1);
    }
    in_addr v4{};
    in6_addr v6{};
    if (::inet_pton(AF_INET, host.c_str(), &v4) != 1 && ::inet_pton(AF_INET6, host.c_str(), &v6) != 1) return std::nullopt;
    if (!port.empty()) {
        if (port.size() > 5 || !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; })) return std::nullopt;
        server.port = std::atoi(port.c_str());
        if (server.port < 1 || server.port > 65535) return std::nullopt;
    }
    server.address = host;
    return server;
}

std::vector<Answer> resolve(const std::vector<Query>& queries, const Options& options) {
    library_init();
    std::vector<Answer> answers(queries.size());
    if (queries.empty()) return answers;

    ares_options ao{};
    ao.flags = ARES_FLAG_NOCHECKRESP | ARES_FLAG_NOSEARCH;  // SERVFAIL and REFUSED come back as such
    ao.timeout = static_cast<int>(std::max<long>(50, options.query_timeout.count()));
    ao.tries = std::max(1, options.tries);
    ares_channel channel = nullptr;
    if (ares_init_options(&channel, &ao, ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES) != ARES_SUCCESS)
        throw std::runtime_error("c-ares could not create a resolver");
    if (!options.servers.empty()) {
        std::string csv;
        for (const auto& s : options.servers) csv += (csv.empty() ? "" : ",") + s.text();
        if (ares_set_servers_ports_csv(channel, csv.c_str()) != ARES_SUCCESS) {
            ares_destroy(channel);
            throw std::runtime_error("c-ares refused the DNS servers " + csv);
        }
    }

    int outstanding = 0;
    std::vector<Pending> pending(queries.size());
    const auto start = Clock::now();
    for (std::size_t i = 0; i < queries.size(); ++i) {
        answers[i].query = queries[i];
        if (queries[i].type != RecordType::txt) {
            answers[i].status = Status::error;
            answers[i].detail = "not implemented: " + to_string(queries[i].type);
            continue;
        }
        pending[i] = {&answers[i], start, &outstanding};
        ++outstanding;
        ares_query(channel, queries[i].name.c_str(), 1 /* C_IN */, 16 /* T_TXT */, &on_answer, &pending[i]);
    }

    const auto deadline = start + options.deadline;
    while (outstanding > 0) {
        const auto now = Clock::now();
        if (now >= deadline) {
            ares_cancel(channel);  // every query still open ends as a timeout
            break;
        }
        fd_set read_fds, write_fds;
        FD_ZERO(&read_fds);
        FD_ZERO(&write_fds);
        const int nfds = ares_fds(channel, &read_fds, &write_fds);
        const auto left = std::chrono::duration_cast<std::chrono::microseconds>(deadline - now);
        timeval max{static_cast<time_t>(left.count() / 1000000), static_cast<suseconds_t>(left.count() % 1000000)};
        timeval tv{};
        timeval* wait = ares_timeout(channel, &max, &tv);
        ::select(nfds, &read_fds, &write_fds, nullptr, wait);
        ares_process(channel, &read_fds, &write_fds);
    }
    ares_destroy(channel);
    return answers;
}

}  // namespace certtool::dns
