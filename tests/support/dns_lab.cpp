#include "dns_lab.hpp"

#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "socket_address.hpp"

namespace certtool::test {

namespace {

void write_text(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (!out) throw std::runtime_error("cannot write " + path);
}

// A DNS query for the SOA of `zone` (RFC 1035 4.1), with the two-byte length
// that precedes a message over TCP (4.2.2).
std::string soa_query(const std::string& zone) {
    std::string message{'\x4b', '\x4e', '\0', '\0', '\0', '\x01', '\0', '\0', '\0', '\0', '\0', '\0'};  // id, no flags, QDCOUNT 1
    std::stringstream labels(zone);
    for (std::string label; std::getline(labels, label, '.');) {
        message += static_cast<char>(label.size());
        message += label;
    }
    message += std::string{'\0', '\0', '\x06', '\0', '\x01'};  // root, QTYPE SOA, QCLASS IN
    return std::string{static_cast<char>(message.size() >> 8), static_cast<char>(message.size() & 0xff)} + message;
}

bool read_exactly(int fd, unsigned char* buffer, std::size_t size) {
    for (std::size_t got = 0; got < size;) {
        const auto n = ::recv(fd, buffer + got, size - got, 0);
        if (n <= 0) return false;
        got += static_cast<std::size_t>(n);
    }
    return true;
}

}  // namespace

std::string knotd_program() { return find_program("knotd"); }

std::string soa_and_ns(const std::string& zone, const std::string& ns_ip) {
    return "$ORIGIN " + zone + ".\n$TTL 60\n@ SOA ns1 hostmaster 1 3600 600 86400 60\n@ NS ns1\nns1 A " + ns_ip + "\n";
}

bool answers_soa(const std::string& ip, int port, const std::string& zone) {
    SocketAddress address(ip, port);
    const int fd = ::socket(address.family(), SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    timeval timeout{1, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
    bool ok = false;
    const std::string query = soa_query(zone);
    unsigned char length[2], header[12];
    if (::connect(fd, address.get(), address.size()) == 0 &&
        ::send(fd, query.data(), query.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(query.size()) && read_exactly(fd, length, 2) &&
        static_cast<std::size_t>(length[0] << 8 | length[1]) >= sizeof header && read_exactly(fd, header, sizeof header)) {
        const bool response = (header[2] & 0x80) != 0, authoritative = (header[2] & 0x04) != 0;
        const int rcode = header[3] & 0x0f, answers = header[6] << 8 | header[7];
        ok = response && authoritative && rcode == 0 && answers > 0;
    }
    ::close(fd);
    return ok;
}

KnotServer::KnotServer(const std::string& dir, KnotConfig config) : config_(std::move(config)) {
    const std::string program = knotd_program();
    REQUIRE_FALSE(program.empty());
    const std::string zones = dir + "/zones", db = dir + "/db";
    std::filesystem::create_directories(zones);
    std::filesystem::create_directories(db);
    for (const auto& z : config_.zones) write_text(zones + "/" + z.zone + ".zone", z.text);

    std::string conf = "server:\n    listen: " + config_.ip + "@" + std::to_string(config_.port) + "\n    rundir: \"" + dir +
                       "\"\n    pidfile: \"" + dir + "/knot.pid\"\n"
                       "log:\n  - target: stderr\n    any: info\n"
                       "database:\n    storage: \"" + db + "\"\n";
    if (config_.update_key)
        conf += "key:\n  - id: " + config_.update_key->name + "\n    algorithm: hmac-sha256\n    secret: " + config_.update_key->secret +
                "\nacl:\n  - id: update\n    key: " + config_.update_key->name + "\n    action: update\n";
    // zonefile-sync -1: updates stay in the journal; the zone files are the test's.
    conf += "template:\n  - id: default\n    storage: \"" + zones + "\"\n    file: \"%s.zone\"\n"
            "    zonefile-sync: -1\n    journal-content: changes\n" +
            std::string(config_.update_key ? "    acl: update\n" : "") + "zone:\n";
    for (const auto& z : config_.zones) conf += "  - domain: " + z.zone + "\n";
    write_text(dir + "/knot.conf", conf);

    daemon_ = std::make_unique<Daemon>("knotd " + config_.ip + "@" + std::to_string(config_.port), program,
                                       std::vector<std::string>{"-c", dir + "/knot.conf"}, dir + "/knot.log");
    daemon_->wait_ready(
        [&] {
            for (const auto& z : config_.zones)
                if (!answers_soa(config_.ip, config_.port, z.zone)) return false;
            return true;
        },
        std::chrono::seconds(15));
}

}  // namespace certtool::test
