#include "sip_lab.hpp"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "loopback.hpp"

namespace certtool::test {

namespace {

struct Found {
    std::string program;
    std::string modules;  // the folder holding tls.so, sl.so, pv.so and xlog.so
    std::string missing;
};

const Found& found() {
    static const Found f = [] {
        Found out;
        out.program = find_program("kamailio");
        for (const char* d : {"/usr/lib/x86_64-linux-gnu/kamailio/modules", "/usr/lib/aarch64-linux-gnu/kamailio/modules",
                              "/usr/lib64/kamailio/modules", "/usr/lib/kamailio/modules",
                              "/usr/local/lib64/kamailio/modules", "/usr/local/lib/kamailio/modules"}) {
            const std::string dir(d);
            bool all = true;
            for (const char* module : {"tls.so", "sl.so", "pv.so", "xlog.so"})
                all = all && ::access((dir + "/" + module).c_str(), R_OK) == 0;
            if (all) {
                out.modules = dir;
                break;
            }
        }
        if (out.program.empty())
            out.missing = "kamailio (package kamailio)";
        else if (out.modules.empty())
            out.missing = "kamailio's tls.so, sl.so, pv.so and xlog.so (packages kamailio, kamailio-tls-modules)";
        return out;
    }();
    return f;
}

std::string socket_text(const SipTlsListener& l) {
    return (l.address.find(':') != std::string::npos ? "[" + l.address + "]" : l.address) + ":" + std::to_string(l.port);
}

// A tls.cfg profile's settings: the certificate and whether a client is asked for one, and must show it.
std::string tls_settings(const SipTlsListener& l, const Kamailio::Options& options) {
    std::string s = "method = TLSv1.2+\ncertificate = " + l.cert + "\nprivate_key = " + l.key + "\n";
    if (options.client_ca.empty()) return s + "verify_certificate = no\nrequire_certificate = no\n";
    return s + "verify_certificate = yes\nrequire_certificate = " + (options.client_certificate_optional ? "no" : "yes") +
           "\nca_list = " + options.client_ca + "\n";
}

}  // namespace

const std::string& Kamailio::missing() { return found().missing; }

Kamailio::Kamailio(const TempDir& dir, const std::vector<SipTlsListener>& listeners, const Options& options) {
    REQUIRE(missing().empty());
    REQUIRE_FALSE(listeners.empty());
    std::string listen;
    // The first listener's certificate is the default profile's; a listener
    // serving another one gets a profile of its own (IPv4 sockets only: the
    // tests serve IPv6 with the default certificate).
    std::string tls = "[server:default]\n" + tls_settings(listeners.front(), options) + "\n";
    for (const auto& l : listeners) {
        listen += "listen=tls:" + socket_text(l) + "\n";
        if (l.cert != listeners.front().cert || l.key != listeners.front().key) {
            REQUIRE(l.address.find(':') == std::string::npos);
            tls += "[server:" + socket_text(l) + "]\n" + tls_settings(l, options) + "\n";
        }
    }
    tls += "[client:default]\nverify_certificate = no\nrequire_certificate = no\n";
    const std::string tls_file = dir.file(options.name + "-tls.cfg", tls);
    const std::string config = dir.file(
        options.name + ".cfg",
        "#!KAMAILIO\n"
        "# certtool's test SIP server: SIP over TLS only, answers every request itself (tests/support/sip_lab.hpp).\n"
        "debug=2\nlog_stderror=yes\nchildren=1\ntcp_children=2\n"
        "dns=no\nrev_dns=no\nauto_aliases=no\nenable_tls=yes\n" + listen +
        "mpath=\"" + found().modules + "/\"\n"
        "loadmodule \"tls.so\"\nloadmodule \"sl.so\"\nloadmodule \"pv.so\"\nloadmodule \"xlog.so\"\n"
        "modparam(\"tls\", \"config\", \"" + tls_file + "\")\n"
        "request_route {\n"
        "    xlog(\"L_NOTICE\", \"certtool-lab: $rm $ru from $fu;tag=$ft to $tu call-id $ci cseq $cs via $hdr(Via) "
        "max-forwards $hdr(Max-Forwards) contact $hdr(Contact) accept $hdr(Accept) content-length $cl\\n\");\n"
        "    if (method == \"OPTIONS\") {\n"
        "        if ($rd =~ \"^trying[.]\") sl_send_reply(\"100\", \"Trying\");\n"
        "        if ($rd =~ \"^forbidden[.]\") {\n"
        "            sl_send_reply(\"403\", \"Forbidden here\");\n"
        "            exit;\n"
        "        }\n"
        "        sl_send_reply(\"200\", \"OK\");\n"
        "        exit;\n"
        "    }\n"
        "    sl_send_reply(\"404\", \"Not here\");\n"
        "    exit;\n"
        "}\n");
    const std::string run = dir / (options.name + "-run");
    std::filesystem::create_directories(run);
    daemon_ = std::make_unique<Daemon>(options.name, found().program,
                                       std::vector<std::string>{"-DD", "-E", "-f", config, "-Y", run, "-m", "48", "-M", "8"},
                                       dir / (options.name + ".log"));
    daemon_->wait_ready([&] {
        for (const auto& l : listeners)
            if (!answers_tls(l.address, l.port, "sip.contoso.com")) return false;
        return true;
    });
}

}  // namespace certtool::test
