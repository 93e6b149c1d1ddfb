// The command line in process: arguments in, exact output and exit code out,
// through string streams standing in for the terminal.
#include <catch2/catch.hpp>

#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli.hpp"
#include "exit_codes.hpp"

using certtool::cli::ExitCode;

namespace {

struct Run {
    int exit_code = -1;
    std::string out;
    std::string err;
};

struct FakeTerminal {
    bool tty = false;
    bool no_color = false;
};

Run certtool_run(const std::vector<std::string>& args, FakeTerminal fake = {}) {
    std::ostringstream out, err;
    certtool::cli::Terminal term{out, err, fake.tty, fake.tty, fake.no_color};
    Run r;
    r.exit_code = certtool::cli::run(args, term);
    r.out = out.str();
    r.err = err.str();
    return r;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

const std::string kTopology = std::string(CERTTOOL_SOURCE_DIR) + "/tests/topologies/good/contract-example.json";

constexpr int code(ExitCode c) { return static_cast<int>(c); }

}  // namespace

TEST_CASE("cli: exit codes keep their documented values", "[cli]") {
    CHECK(code(ExitCode::success) == 0);
    CHECK(code(ExitCode::problems_found) == 1);
    CHECK(code(ExitCode::usage) == 2);
    CHECK(code(ExitCode::internal) == 3);
}

TEST_CASE("cli: --version prints the version and exits 0", "[cli]") {
    const auto r = certtool_run({"--version"});
    CHECK(r.exit_code == 0);
    CHECK(r.out == std::string("certtool ") + CERTTOOL_VERSION + "\n");
    CHECK(r.err.empty());
}

TEST_CASE("cli: --help lists the verbs and exits 0", "[cli]") {
    const auto r = certtool_run({"--help"});
    CHECK(r.exit_code == 0);
    CHECK(contains(r.out, "Usage: certtool"));
    CHECK(contains(r.out, "plan"));
    CHECK(r.err.empty());
}

TEST_CASE("cli: plan --help documents arguments, exit codes and examples", "[cli]") {
    const auto r = certtool_run({"plan", "--help"});
    CHECK(r.exit_code == 0);
    CHECK(contains(r.out, "Usage: certtool plan"));
    CHECK(contains(r.out, "TOPOLOGY"));
    CHECK(contains(r.out, "--format"));
    CHECK(contains(r.out, "--only"));
    CHECK(contains(r.out, "Exit codes:"));
    CHECK(contains(r.out, "  2  bad usage or bad input"));
    CHECK(contains(r.out, "Examples:\n  certtool plan site.json\n"));
    CHECK(contains(r.out, "--view"));
    CHECK(contains(r.out, "--zone"));
    CHECK(contains(r.out, "  certtool plan site.json --format zone --zone contoso.com >> contoso.com.zone"));
    CHECK(contains(r.out, "  certtool plan site.json --format dns-powershell > add-internal-dns.ps1"));
}

TEST_CASE("cli: no verb prints the help on stderr and exits 2", "[cli]") {
    const auto r = certtool_run({});
    CHECK(r.exit_code == 2);
    CHECK(r.out.empty());
    CHECK(contains(r.err, "Usage: certtool"));
    CHECK(contains(r.err, "certtool: error: no command given"));
}

TEST_CASE("cli: an unknown option or verb exits 2 and says what to run", "[cli]") {
    const auto option = certtool_run({"plan", "--bogus", "site.json"});
    CHECK(option.exit_code == 2);
    CHECK(option.out.empty());
    CHECK(contains(option.err, "certtool: error: "));
    CHECK(contains(option.err, "--bogus"));
    CHECK(contains(option.err, "Run 'certtool plan --help' for more information."));

    const auto verb = certtool_run({"plna", "site.json"});
    CHECK(verb.exit_code == 2);
    CHECK(contains(verb.err, "plna"));
    CHECK(contains(verb.err, "Run 'certtool --help' for more information."));
}

TEST_CASE("cli: plan without a topology, or with a bad --format or --color, exits 2", "[cli]") {
    const auto missing = certtool_run({"plan"});
    CHECK(missing.exit_code == 2);
    CHECK(contains(missing.err, "TOPOLOGY"));

    const auto format = certtool_run({"plan", kTopology, "--format", "bogus"});
    CHECK(format.exit_code == 2);
    CHECK(format.out.empty());
    CHECK(contains(format.err, "--format: bogus not in {table,json,markdown,html,zone,dns-powershell}"));

    const auto color = certtool_run({"plan", kTopology, "--color", "sometimes"});
    CHECK(color.exit_code == 2);
    CHECK(contains(color.err, "sometimes"));
}

TEST_CASE("cli: plan on a missing file exits 2 and names the file", "[cli]") {
    const auto r = certtool_run({"plan", "no-such-topology.json"});
    CHECK(r.exit_code == 2);
    CHECK(r.out.empty());
    CHECK(r.err.rfind("certtool: error: no-such-topology.json", 0) == 0);
    CHECK(contains(r.err, "[topology.io]"));
}

TEST_CASE("cli: plan on an invalid topology prints every problem on its own line and exits 2", "[cli]") {
    const auto r = certtool_run({"plan", std::string(CERTTOOL_SOURCE_DIR) + "/tests/topologies/bad/bad-country.json"});
    CHECK(r.exit_code == 2);
    CHECK(r.out.empty());
    std::istringstream lines(r.err);
    std::string line;
    int count = 0;
    while (std::getline(lines, line)) {
        INFO(line);
        CHECK(line.rfind("certtool: error: ", 0) == 0);
        ++count;
    }
    CHECK(count >= 1);
}

TEST_CASE("cli: plan --only with an unknown role or id exits 2 listing the choices", "[cli]") {
    const auto r = certtool_run({"plan", kTopology, "--only", "edge-externl"});
    CHECK(r.exit_code == 2);
    CHECK(r.out.empty());
    CHECK(contains(r.err, "'edge-externl'"));
    CHECK(contains(r.err, "[usage.unknown-certificate]"));
}

TEST_CASE("cli: plan --only is repeatable and takes one value each time", "[cli]") {
    const auto r = certtool_run({"plan", "--only", "edge-external", "--only", "edge-internal", kTopology, "--format", "json"});
    REQUIRE(r.exit_code <= 1);  // whatever the model finds, the plan is written
    const auto plan = nlohmann::json::parse(r.out);
    REQUIRE(!plan["certificates"].empty());
    for (const auto& c : plan["certificates"]) {
        INFO(c["id"]);
        CHECK((c["role"] == "edge-external" || c["role"] == "edge-internal"));
    }
}

TEST_CASE("cli: plan colours the table only for a terminal without NO_COLOR, or when forced", "[cli]") {
    auto has_ansi = [](const Run& r) { return contains(r.out, "\x1b["); };
    const auto tty = certtool_run({"plan", kTopology}, {true, false});
    REQUIRE(tty.exit_code <= 1);
    CHECK(has_ansi(tty));
    CHECK_FALSE(has_ansi(certtool_run({"plan", kTopology}, {false, false})));
    CHECK_FALSE(has_ansi(certtool_run({"plan", kTopology}, {true, true})));
    CHECK_FALSE(has_ansi(certtool_run({"plan", kTopology, "--color", "never"}, {true, false})));
    CHECK(has_ansi(certtool_run({"plan", kTopology, "--color", "always"}, {false, false})));
    CHECK(has_ansi(certtool_run({"plan", kTopology, "--color", "always"}, {false, true})));
    // Never in formats that scripts and tickets read.
    CHECK_FALSE(has_ansi(certtool_run({"plan", kTopology, "--format", "json", "--color", "always"}, {true, false})));
    CHECK_FALSE(has_ansi(certtool_run({"plan", kTopology, "--format", "markdown"}, {true, false})));
}
