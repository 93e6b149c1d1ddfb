#include "dns/resolver.hpp"

#include <arpa/inet.h>
#include <ares.h>
#include <netdb.h>
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

int wire_type(RecordType type) {
    switch (type) {
        case RecordType::a: return 1;
        case RecordType::aaaa: return 28;
        case RecordType::cname: return 5;
        case RecordType::srv: return 33;
        case RecordType::txt: return 16;
    }
    return 16;
}

// Lower case, without the final dot: how names are compared here.
std::string canonical_name(std::string name) {
    for (char& c : name)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    while (!name.empty() && name.back() == '.') name.pop_back();
    return name;
}

unsigned u16(const unsigned char* p) { return (static_cast<unsigned>(p[0]) << 8) | p[1]; }

// The (possibly compressed) name at `at`, and how many bytes it takes there.
bool expand(const unsigned char* at, const unsigned char* buffer, std::size_t length, std::string& name, long& used) {
    if (at < buffer || at >= buffer + length || length > 65535) return false;
    char* text = nullptr;
    if (ares_expand_name(at, buffer, static_cast<int>(length), &text, &used) != ARES_SUCCESS) return false;
    name = canonical_name(text);
    ares_free_string(text);
    return used > 0;
}

void on_answer(void* arg, int code, int /*timeouts*/, unsigned char* buffer, int length) {
    auto* pending = static_cast<Pending*>(arg);
    Answer& answer = *pending->answer;
    answer.elapsed += std::chrono::duration_cast<milliseconds>(Clock::now() - pending->started);
    --*pending->outstanding;
    const bool has_message = buffer != nullptr && length > 0;
    if (code == ARES_SUCCESS || ((code == ARES_ENOTFOUND || code == ARES_ENODATA) && has_message)) {
        // The message also tells a dangling or looping CNAME chain under NXDOMAIN.
        if (!has_message || !read_response(buffer, static_cast<std::size_t>(length), answer)) {
            answer.status = Status::error;
            if (answer.detail.empty()) answer.detail = "an empty DNS response";
            return;
        }
        if (code != ARES_SUCCESS) {
            answer.status = status_of(code);
            answer.detail = ares_strerror(code);
        }
        return;
    }
    answer.status = status_of(code);
    answer.detail = code == ARES_ECANCELLED ? "the deadline passed" : ares_strerror(code);
}

// Sends every query of `batch` on `channel` at once and waits for all of them
// or the deadline; an answer not complete by then is a timeout.
void run_batch(ares_channel channel, std::vector<Answer*>& batch, Clock::time_point deadline) {
    int outstanding = 0;
    std::vector<Pending> pending(batch.size());
    const auto start = Clock::now();
    for (std::size_t i = 0; i < batch.size(); ++i) {
        pending[i] = {batch[i], start, &outstanding};
        ++outstanding;
        ares_query(channel, batch[i]->query.name.c_str(), 1 /* C_IN */, wire_type(batch[i]->query.type), &on_answer, &pending[i]);
    }
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
}

bool wants_follow(const Answer& a) {
    if (a.query.type == RecordType::cname || a.chain.empty() || a.cname_loop) return false;
    if (a.status != Status::answered && a.status != Status::no_data) return false;
    const bool records = !a.addresses.empty() || !a.srv.empty() || !a.txt.empty();
    return !records && a.chain.size() < kMaxCnameChain;
}

// Joins the answer for the end of `a`'s chain to `a`.
void join_followed(Answer& a, Answer& next) {
    for (const auto& link : next.chain) {
        const bool seen = link.target == canonical_name(a.query.name) ||
                          std::any_of(a.chain.begin(), a.chain.end(), [&](const Cname& c) { return c.name == link.target; });
        a.chain.push_back(link);
        if (seen || a.chain.size() > kMaxCnameChain) {
            a.cname_loop = true;
            break;
        }
    }
    a.canonical = next.canonical;
    a.status = a.cname_loop ? Status::no_data : next.status;
    a.detail = next.detail;
    a.addresses = std::move(next.addresses);
    a.srv = std::move(next.srv);
    a.txt = std::move(next.txt);
    a.authoritative = next.authoritative;
    a.elapsed += next.elapsed;
}

}  // namespace

bool read_response(const unsigned char* buffer, std::size_t length, Answer& answer) {
    const auto fail = [&](const std::string& why) {
        answer.detail = "an unreadable DNS response: " + why;
        return false;
    };
    if (length < 12) return fail("shorter than its header");
    answer.authoritative = (u16(buffer + 2) & 0x0400) != 0;
    const unsigned questions = u16(buffer + 4);
    const unsigned records = u16(buffer + 6);
    std::size_t pos = 12;
    std::string name;
    long used = 0;
    for (unsigned i = 0; i < questions; ++i) {
        if (!expand(buffer + pos, buffer, length, name, used)) return fail("a bad name in the question");
        pos += static_cast<std::size_t>(used) + 4;
        if (pos > length) return fail("truncated in the question");
    }
    const int asked = wire_type(answer.query.type);
    struct Held {
        std::string owner;
        std::vector<std::string> addresses, txt;
        std::vector<Srv> srv;
    };
    std::vector<Cname> links;
    std::vector<Held> held;
    for (unsigned i = 0; i < records; ++i) {
        std::string owner;
        if (!expand(buffer + pos, buffer, length, owner, used)) return fail("a bad owner name in the answer");
        pos += static_cast<std::size_t>(used);
        if (pos + 10 > length) return fail("truncated in a record header");
        const unsigned type = u16(buffer + pos);
        const std::size_t rdlength = u16(buffer + pos + 8);
        const unsigned char* rdata = buffer + pos + 10;
        pos += 10 + rdlength;
        if (pos > length) return fail("truncated in a record's data");
        if (type == 5) {
            std::string target;
            if (!expand(rdata, buffer, length, target, used)) return fail("a bad CNAME target");
            links.push_back({owner, target});
            continue;
        }
        if (static_cast<int>(type) != asked) continue;  // additional data some servers put in the answer
        Held h{owner, {}, {}, {}};
        char text[INET6_ADDRSTRLEN] = {};
        if (type == 1 || type == 28) {
            if (rdlength != (type == 1 ? 4u : 16u)) return fail("an address of the wrong length");
            if (::inet_ntop(type == 1 ? AF_INET : AF_INET6, rdata, text, sizeof text) == nullptr) return fail("a bad address");
            h.addresses.emplace_back(text);
        } else if (type == 33) {
            if (rdlength < 7) return fail("a short SRV record");
            Srv srv{static_cast<int>(u16(rdata)), static_cast<int>(u16(rdata + 2)), static_cast<int>(u16(rdata + 4)), {}};
            if (!expand(rdata + 6, buffer, length, srv.target, used)) return fail("a bad SRV target");
            h.srv.push_back(std::move(srv));
        } else if (type == 16) {
            std::string joined;
            for (std::size_t at = 0; at < rdlength;) {
                const std::size_t part = rdata[at];
                if (at + 1 + part > rdlength) return fail("a TXT string longer than its record");
                joined.append(reinterpret_cast<const char*>(rdata + at + 1), part);
                at += 1 + part;
            }
            h.txt.push_back(std::move(joined));
        }
        held.push_back(std::move(h));
    }

    // Follow the chain from the name asked, in the order the links lead.
    std::string at = canonical_name(answer.query.name);
    std::vector<std::string> visited{at};
    answer.chain.clear();
    for (;;) {
        const auto link = std::find_if(links.begin(), links.end(), [&](const Cname& c) { return c.name == at; });
        if (link == links.end()) break;
        answer.chain.push_back(*link);
        at = link->target;
        if (std::find(visited.begin(), visited.end(), at) != visited.end() || answer.chain.size() > kMaxCnameChain) {
            answer.cname_loop = true;
            break;
        }
        visited.push_back(at);
    }
    answer.canonical = at;
    for (auto& h : held) {
        if (h.owner != at) continue;
        answer.addresses.insert(answer.addresses.end(), h.addresses.begin(), h.addresses.end());
        answer.srv.insert(answer.srv.end(), h.srv.begin(), h.srv.end());
        answer.txt.insert(answer.txt.end(), h.txt.begin(), h.txt.end());
    }
    const bool found = answer.query.type == RecordType::cname ? !answer.chain.empty()
                                                               : !answer.addresses.empty() || !answer.srv.empty() || !answer.txt.empty();
    answer.status = found ? Status::answered : Status::no_data;
    if (answer.cname_loop) answer.detail = "a CNAME loop";
    return true;
}
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

    const auto deadline = Clock::now() + options.deadline;
    std::vector<Answer*> batch;
    for (std::size_t i = 0; i < queries.size(); ++i) {
        answers[i].query = queries[i];
        batch.push_back(&answers[i]);
    }
    run_batch(channel, batch, deadline);

    // Rounds for the chains the server left unfollowed (each bounded by the same deadline).
    for (std::size_t round = 0; options.follow_cnames && round < kMaxCnameChain && Clock::now() < deadline; ++round) {
        std::vector<std::size_t> open;
        for (std::size_t i = 0; i < answers.size(); ++i)
            if (wants_follow(answers[i])) open.push_back(i);
        if (open.empty()) break;
        std::vector<Answer> next(open.size());
        std::vector<Answer*> more;
        for (std::size_t k = 0; k < open.size(); ++k) {
            next[k].query = {answers[open[k]].canonical, answers[open[k]].query.type};
            more.push_back(&next[k]);
        }
        run_batch(channel, more, deadline);
        for (std::size_t k = 0; k < open.size(); ++k) join_followed(answers[open[k]], next[k]);
    }
    ares_destroy(channel);
    return answers;
}

std::vector<HostAddresses> resolve_hosts(const std::vector<std::string>& names, const Options& options) {
    library_init();
    std::vector<HostAddresses> out(names.size());
    std::vector<Query> queries;
    std::vector<std::size_t> asked;  // out index of each pair of queries
    ares_channel channel = nullptr;
    if (ares_init(&channel) != ARES_SUCCESS) throw std::runtime_error("c-ares could not create a resolver");
    for (std::size_t i = 0; i < names.size(); ++i) {
        for (const int family : {AF_INET, AF_INET6}) {
            hostent* host = nullptr;
            if (ares_gethostbyname_file(channel, names[i].c_str(), family, &host) != ARES_SUCCESS || host == nullptr) continue;
            for (char** a = host->h_addr_list; a != nullptr && *a != nullptr; ++a) {
                char text[INET6_ADDRSTRLEN] = {};
                if (::inet_ntop(host->h_addrtype, *a, text, sizeof text) != nullptr) out[i].addresses.emplace_back(text);
            }
            ares_free_hostent(host);
        }
        if (!out[i].addresses.empty()) continue;
        queries.push_back({names[i], RecordType::a});
        queries.push_back({names[i], RecordType::aaaa});
        asked.push_back(i);
    }
    ares_destroy(channel);
    const auto answers = resolve(queries, options);
    for (std::size_t k = 0; k < asked.size(); ++k) {
        auto& host = out[asked[k]];
        const Answer& v4 = answers[2 * k];
        const Answer& v6 = answers[2 * k + 1];
        host.addresses = v4.addresses;
        host.addresses.insert(host.addresses.end(), v6.addresses.begin(), v6.addresses.end());
        if (host.addresses.empty()) {
            const Answer& told = v4.status == Status::no_data ? v6 : v4;
            host.why = v4.cname_loop || v6.cname_loop ? "a CNAME loop" : to_string(told.status) + (told.detail.empty() ? "" : " (" + told.detail + ")");
        }
    }
    return out;
}

}  // namespace certtool::dns
