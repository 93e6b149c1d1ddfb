// The finding catalogue (lib/core/finding_catalogue) against what it describes:
// README.md documents every code under the section the catalogue names; every
// code the sources can emit is catalogued, found two ways (a scan of lib/ and
// certtool/ for the ways codes are written, and the findings and input errors
// produced at run time); old names resolve to the code that replaced them.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "plan_date.hpp"
#include "acme/problem.hpp"
#include "check/check.hpp"
#include "core/diagnostic.hpp"
#include "core/finding_catalogue.hpp"
#include "core/time.hpp"
#include "model/plan.hpp"
#include "report/audit_report.hpp"
#include "topology/topology.hpp"

namespace {

namespace fs = std::filesystem;
using certtool::CodeSeverity;
using certtool::current_code;
using certtool::find_code;
using certtool::finding_catalogue;

std::string source_path(const std::string& relative) { return std::string(CERTTOOL_SOURCE_DIR) + "/" + relative; }

std::string read_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

// ---- (a) README.md ----------------------------------------------------------

// The text of the README section whose heading is `heading` (without its #s):
// up to the next heading of the same or a higher level, its subsections
// included. Lines inside ``` blocks are not headings.
std::optional<std::string> readme_section(const std::vector<std::string>& lines, std::string_view heading) {
    bool in_code = false;
    std::size_t level = 0;
    std::string text;
    for (const auto& line : lines) {
        if (line.rfind("```", 0) == 0) in_code = !in_code;
        const std::size_t hashes = in_code ? 0 : line.find_first_not_of('#');
        const bool is_heading = hashes != 0 && hashes != std::string::npos && line[hashes] == ' ';
        if (level == 0) {
            if (is_heading && std::string_view(line).substr(hashes + 1) == heading) level = hashes;
            continue;
        }
        if (is_heading && hashes <= level) break;
        text += line + "\n";
    }
    if (level == 0) return std::nullopt;
    return text;
}

std::vector<std::string> readme_lines(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

// The codes (and old names) of the catalogue that `readme` does not show, in
// backticks, in the section their entry names.
std::vector<std::string> undocumented(const std::string& readme) {
    const auto lines = readme_lines(readme);
    std::vector<std::string> missing;
    for (const auto& entry : finding_catalogue()) {
        const auto section = readme_section(lines, entry.section);
        std::vector<std::string_view> names{entry.code};
        names.insert(names.end(), entry.old_names.begin(), entry.old_names.end());
        for (const auto name : names)
            if (!section || section->find("`" + std::string(name) + "`") == std::string::npos)
                missing.push_back(std::string(name) + " (README section \"" + std::string(entry.section) + "\")");
    }
    return missing;
}

// ---- (b) the sources ----------------------------------------------------------

// A string literal of a source file and the call it is an argument of.
struct Literal {
    std::string text;
    std::string file;
    std::string callee;    // the function or type before the enclosing ( or {; "return" for return {...}
    std::size_t argument;  // its position among the enclosing call's arguments
    std::string first_argument;  // the code of the enclosing call's first argument
    std::string before;          // the code just before the literal, on its line
};

bool is_code_shaped(const std::string& s) {
    if (s.empty() || !std::islower(static_cast<unsigned char>(s.front()))) return false;
    if (s.find_first_of(".-") == std::string::npos || s.back() == '.' || s.back() == '-') return false;
    return std::all_of(s.begin(), s.end(), [](char c) {
        return std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == '-';
    });
}

std::string trim(std::string s) {
    const auto b = s.find_first_not_of(" \t\n");
    const auto e = s.find_last_not_of(" \t\n");
    return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

// Every string literal of a C++ source, with comments and the insides of other
// literals blanked out of the code it is read against.
std::vector<Literal> literals_of(const std::string& file, const std::string& source) {
    std::string code = source;  // the same length; comments and literal contents become spaces
    std::vector<std::pair<std::size_t, std::string>> found;
    for (std::size_t i = 0; i < source.size();) {
        if (source.compare(i, 2, "//") == 0) {
            while (i < source.size() && source[i] != '\n') code[i++] = ' ';
        } else if (source.compare(i, 2, "/*") == 0) {
            const auto end = std::min(source.size(), source.find("*/", i + 2) + 2);
            for (; i < end; ++i) code[i] = source[i] == '\n' ? '\n' : ' ';
        } else if (source[i] == '\'' && i > 0 && std::isxdigit(static_cast<unsigned char>(source[i - 1]))) {
            ++i;  // a digit separator: 1'000'000
        } else if (source[i] == '\'') {
            ++i;
            while (i < source.size() && source[i] != '\'') {
                if (source[i] == '\\') code[i++] = ' ';
                code[i++] = ' ';
            }
            ++i;
        } else if (source.compare(i, 2, "R\"") == 0) {
            const auto open = source.find('(', i);
            const std::string close = ")" + source.substr(i + 2, open - i - 2) + "\"";
            const auto end = source.find(close, open) + close.size();
            for (auto j = i + 1; j < end; ++j) code[j] = source[j] == '\n' ? '\n' : ' ';
            i = end;
        } else if (source[i] == '"') {
            const std::size_t start = i++;
            std::string text;
            while (i < source.size() && source[i] != '"') {
                if (source[i] == '\\') code[i] = ' ', text += source[i++];
                code[i] = ' ';
                text += source[i++];
            }
            found.emplace_back(start, text);
            ++i;
        } else {
            ++i;
        }
    }

    std::vector<Literal> out;
    for (const auto& [at, text] : found) {
        Literal l{text, file, "", 0, "", ""};
        int depth = 0;
        std::size_t open = std::string::npos;
        for (std::size_t j = at; j-- > 0;) {
            const char c = code[j];
            if (c == ')' || c == '}' || c == ']') ++depth;
            else if ((c == '(' || c == '{' || c == '[') && depth > 0) --depth;
            else if ((c == '(' || c == '{') && depth == 0) { open = j; break; }
            else if (c == ';' && depth == 0) break;
            else if (c == ',' && depth == 0) ++l.argument;
        }
        const auto line_start = code.rfind('\n', at);
        l.before = trim(code.substr(line_start + 1, at - line_start - 1));
        if (open != std::string::npos) {
            std::size_t e = open;
            while (e > 0 && std::isspace(static_cast<unsigned char>(code[e - 1]))) --e;
            std::size_t b = e;
            while (b > 0 && (std::isalnum(static_cast<unsigned char>(code[b - 1])) || code[b - 1] == '_' || code[b - 1] == ':')) --b;
            l.callee = code.substr(b, e - b);
            if (l.callee.find("::") != std::string::npos && l.callee != "ossl::error")
                l.callee = l.callee.substr(l.callee.rfind("::") + 2);
            int d = 0;
            std::size_t k = open + 1;
            for (; k < at; ++k) {
                const char c = code[k];
                if (c == '(' || c == '{' || c == '[') ++d;
                else if (c == ')' || c == '}' || c == ']') --d;
                else if (c == ',' && d == 0) break;
            }
            l.first_argument = trim(code.substr(open + 1, k - open - 1));
        }
        out.push_back(std::move(l));
    }
    return out;
}

// The calls that take a code as their first argument: findings' and errors' constructors and helpers.
const std::set<std::string> kCodeFirst = {"CryptoError", "fail", "input_error", "usage_error", "Error", "error",
                                          "ossl::error", "Diagnostic", "Problem", "return"};
// File reads whose last argument names the codes "<prefix>.io" and "<prefix>.too-large".
const std::set<std::string> kReadsWithPrefix = {"read_file_bounded", "read_certificate_file"};
// Prefixes whose read errors a verb reports under a code of its own (renew.inventory,
// script.current-unreadable) or only as a warning (an earlier renewal.json, csr's manifest).
const std::set<std::string> kPrefixesReportedOtherwise = {"renew.inventory", "script.current", "renew.report", "manifest"};
// Code-shaped literals that are never shown: the result of a valid chain.
const std::set<std::string> kNeverShown = {"chain.ok"};
const std::set<std::string> kFileExtensions = {"json", "pem", "key", "csr", "inf", "ps1", "txt", "pfx", "der", "crt", "cer", "hpp", "cpp"};

struct Emitted {
    std::map<std::string, std::string> codes;  // code -> a file that emits it
    std::set<std::string> old_names;           // old names still written in a source
};

// The codes the sources of lib/ and certtool/ can emit, found by how codes are
// written there: the first argument of the error and finding helpers, the code
// after a severity, `code = "..."`, a `k...` constant, the JSON reader's kinds
// under each reader's prefix, the read errors of each file-reading prefix, and
// any literal of a code family the catalogue knows ("key.", "chain.", ...).
Emitted scan_sources(const std::vector<std::string>& extra_sources = {}) {
    std::set<std::string> families;
    std::set<std::string> old_names;
    for (const auto& entry : finding_catalogue()) {
        if (const auto dot = entry.code.find('.'); dot != std::string_view::npos) families.emplace(entry.code.substr(0, dot));
        old_names.insert(entry.old_names.begin(), entry.old_names.end());
    }
    std::vector<Literal> all;
    for (const auto* root : {"lib", "certtool"})
        for (const auto& f : fs::recursive_directory_iterator(source_path(root))) {
            const auto ext = f.path().extension();
            if (f.path().filename() == "finding_catalogue.cpp" || (ext != ".cpp" && ext != ".hpp")) continue;
            for (auto& l : literals_of(f.path().string(), read_text(f.path().string()))) all.push_back(std::move(l));
        }
    for (std::size_t i = 0; i < extra_sources.size(); ++i)
        for (auto& l : literals_of("extra-" + std::to_string(i) + ".cpp", extra_sources[i])) all.push_back(std::move(l));

    Emitted out;
    std::set<std::string> reader_prefixes;
    std::set<std::string> reader_kinds;
    const auto emit = [&](const std::string& code, const std::string& file) {
        if (old_names.count(code) != 0) out.old_names.insert(code + " (" + file + ")");
        else if (kNeverShown.count(code) == 0) out.codes.emplace(code, file);
    };
    for (const auto& l : all) {
        if (l.callee == "JsonReader" && l.argument == 1) reader_prefixes.insert(l.text);
        if (l.callee == "code" && l.argument == 0) reader_kinds.insert(l.text);
        if (kReadsWithPrefix.count(l.callee) != 0 && l.argument >= 2 && kPrefixesReportedOtherwise.count(l.text) == 0) {
            emit(l.text + ".io", l.file);
            emit(l.text + ".too-large", l.file);
        }
        if (!is_code_shaped(l.text) || kReadsWithPrefix.count(l.callee) != 0) continue;
        const auto dot = l.text.find('.');
        const bool file_name = dot != std::string::npos && kFileExtensions.count(l.text.substr(l.text.rfind('.') + 1)) != 0;
        const bool after_severity = l.argument == 1 && (l.first_argument.find("Severity::") != std::string::npos ||
                                                        l.first_argument == "severity");
        const bool code_argument = (kCodeFirst.count(l.callee) != 0 && l.argument == 0) ||
                                   (l.callee == "finish_error" && l.argument == 1) ||
                                   (l.callee == "only_one" && l.argument == 2);
        const bool assigned = l.before.size() >= 6 && (l.before.ends_with("code =") || l.before.ends_with("Code ="));
        const bool constant = l.before.find("constexpr") != std::string::npos && l.before.ends_with("=") && !file_name;
        const bool family = dot != std::string::npos && families.count(l.text.substr(0, dot)) != 0 && !file_name;
        if (after_severity || code_argument || assigned || constant || family) emit(l.text, l.file);
    }
    for (const auto& prefix : reader_prefixes)
        for (const auto& kind : reader_kinds) emit(prefix + "." + kind, "lib/core/json_reader.cpp");
    return out;
}

std::vector<std::string> not_catalogued(const Emitted& emitted) {
    std::vector<std::string> out;
    for (const auto& [code, file] : emitted.codes)
        if (find_code(code) == nullptr) out.push_back(code + " (" + file + ")");
    return out;
}

// ---- (b) run time ------------------------------------------------------------

std::string severity_text(certtool::model::Severity s) { return std::string(certtool::model::to_string(s)); }

// Findings whose code is not catalogued, or whose severity is not the catalogue's.
void check_findings(const std::vector<certtool::model::Finding>& findings, const std::string& where,
                    std::vector<std::string>& problems, std::set<std::string>& seen) {
    for (const auto& f : findings) {
        seen.insert(f.code);
        const auto* entry = find_code(f.code);
        if (entry == nullptr)
            problems.push_back(where + ": " + f.code + " is not in the catalogue");
        else if (entry->severity != CodeSeverity::varies && certtool::to_string(entry->severity) != severity_text(f.severity))
            problems.push_back(where + ": " + f.code + " emitted as " + severity_text(f.severity) + ", catalogued as " +
                               std::string(certtool::to_string(entry->severity)));
    }
}

std::vector<std::string> topology_files(const std::string& folder) {
    std::vector<std::string> out;
    for (const auto& f : fs::directory_iterator(source_path(folder)))
        if (f.path().extension() == ".json") out.push_back(f.path().string());
    std::sort(out.begin(), out.end());
    return out;
}

// Certificates that trip the checks one by one, for a requirement's names.
std::vector<certtool::crypto::Certificate> faulty_certificates(const certtool::model::CertificateRequirement& r) {
    certtool::crypto::Certificate good;
    good.subject.common_name = r.common_name;
    for (const auto& san : r.sans) good.dns_names.push_back(san.name);
    good.has_eku_extension = true;
    good.eku = r.eku;
    good.key_usage = {"digitalSignature", "keyEncipherment"};
    good.has_key_usage_extension = true;
    good.crl_distribution_points = {"http://pki.contoso.com/root.crl"};
    good.key_algorithm = "RSA";
    good.signature_algorithm = "sha256WithRSAEncryption";
    good.signature_hash = "sha256";
    good.not_before = *certtool::parse_utc("2024-01-01");
    good.not_after = *certtool::parse_utc("2026-01-01");

    std::vector<certtool::crypto::Certificate> out{good};
    auto c = good;
    c.subject.common_name = "*.contoso.com";
    c.dns_names = {"other.contoso.com"};
    c.eku = {"codeSigning"};
    c.key_usage = {};
    c.crl_distribution_points = {};
    c.key.bits = 1024;
    c.signature_hash = "md5";
    c.not_after = *certtool::parse_utc("2024-02-01");
    out.push_back(c);
    c = good;
    c.subject.common_name = "friendly name";
    c.signature_hash = "sha1";
    c.key.bits = 3072;
    c.crl_distribution_points = {"ldap:///CN=contoso"};
    c.not_after = *certtool::parse_utc("2024-06-10");
    out.push_back(c);
    c = good;
    c.signature_is_pss = true;
    c.key = {certtool::crypto::KeyType::ec, 256};
    c.key_algorithm = "EC";
    c.not_before = *certtool::parse_utc("2025-01-01");
    out.push_back(c);
    return out;
}

}  // namespace

TEST_CASE("finding catalogue: each code once, every entry complete, old names distinct", "[catalogue]") {
    std::set<std::string_view> codes;
    for (const auto& entry : finding_catalogue()) {
        INFO(entry.code);
        CHECK(codes.insert(entry.code).second);
        CHECK(!entry.meaning.empty());
        CHECK(!entry.section.empty());
        CHECK(entry.rule.empty() == (entry.severity != CodeSeverity::varies));
    }
    for (const auto& entry : finding_catalogue())
        for (const auto old : entry.old_names) {
            INFO(old);
            CHECK(codes.count(old) == 0);  // an old name is never a current one
        }
    CHECK(codes.size() > 250);
}

TEST_CASE("finding catalogue: README.md documents every code under the section the catalogue names", "[catalogue]") {
    const std::string readme = read_text(source_path("README.md"));
    REQUIRE(readme.find("## Finding codes") != std::string::npos);
    CHECK(undocumented(readme) == std::vector<std::string>{});
}

TEST_CASE("finding catalogue: the README check finds a code that is not documented where it says", "[catalogue]") {
    const std::string readme = read_text(source_path("README.md"));
    // Take one code out of its section and the check names it; a section that is gone names all of its codes.
    REQUIRE(readme.find("`name.missing`") != std::string::npos);
    std::string changed = readme;
    for (auto pos = changed.find("`name.missing`"); pos != std::string::npos; pos = changed.find("`name.missing`"))
        changed.replace(pos, 14, "`name-missing`");
    CHECK(undocumented(changed) == std::vector<std::string>{"name.missing (README section \"`certtool verify`\")"});
    std::string renamed = readme;
    renamed.replace(renamed.find("### Old names"), 13, "### Former names");
    CHECK(undocumented(renamed).size() >= 7);
}

TEST_CASE("finding catalogue: every code the sources of lib/ and certtool/ can emit is catalogued", "[catalogue]") {
    const auto emitted = scan_sources();
    CHECK(not_catalogued(emitted) == std::vector<std::string>{});
    CHECK(emitted.old_names == std::set<std::string>{});
    // Each way of writing a code is seen (the scan is not silently finding nothing).
    for (const auto* code : {"wildcard-forbidden", "fqdn-shared-by-services", "sign-in-pool-multiple", "key.too-small",
                             "plan.has-errors", "chain.untrusted", "chain.name-mismatch", "tls.refused", "acme.server-error",
                             "acme.garbage", "topology.syntax", "topology.too-many-errors", "topology.io", "files.too-large",
                             "passphrase.file.io", "cert.pkcs12-mac", "script.current-unreadable", "issue.failed",
                             "usage.at"}) {
        INFO(code);
        CHECK(emitted.codes.count(code) == 1);
    }
    CHECK(emitted.codes.size() > 230);
}

TEST_CASE("finding catalogue: the source scan names a code that is not catalogued, and an old name", "[catalogue]") {
    const auto emitted = scan_sources({
        R"(void f(Findings& f, Builder& b) {
               f.add(Severity::warning, "bogus.finding", "message");
               b.finding(policy.strict ? Severity::error : Severity::warning, "bogus-plan-finding", "message", "/x");
               input_error("bogus.input-error", path, "message");
               throw CryptoError(ok ? "key.encrypted" : "bogus.crypto", "message");
               const auto text = fs::read_file_bounded(path, 4096, "bogus-prefix");
               // f.add(Severity::error, "bogus.in-a-comment", "comments are not code");
               b.finding(Severity::error, "key-too-small", "an old name", "/policy");
           })"});
    CHECK(not_catalogued(emitted) == std::vector<std::string>{"bogus-plan-finding (extra-0.cpp)",
                                                             "bogus-prefix.io (extra-0.cpp)",
                                                             "bogus-prefix.too-large (extra-0.cpp)",
                                                             "bogus.crypto (extra-0.cpp)",
                                                             "bogus.finding (extra-0.cpp)",
                                                             "bogus.input-error (extra-0.cpp)"});
    CHECK(emitted.old_names == std::set<std::string>{"key-too-small (extra-0.cpp)"});
}

TEST_CASE("finding catalogue: every finding and input error produced at run time is catalogued, with its severity",
          "[catalogue]") {
    namespace topology = certtool::topology;
    namespace model = certtool::model;
    std::vector<std::string> problems;
    std::set<std::string> seen;

    std::vector<model::Plan> plans;
    for (const auto* folder : {"templates/examples", "tests/topologies/good", "tests/topologies/audit"})
        for (const auto& file : topology_files(folder)) {
            const auto loaded = topology::load_file(file);
            plans.push_back(model::build_plan(loaded.topology, loaded.source, certtool::test::plan_date()));
            check_findings(plans.back().findings, file, problems, seen);
        }
    // The policy findings, from the enterprise example with another policy.
    const auto enterprise = nlohmann::json::parse(read_text(source_path("templates/examples/enterprise.json")));
    for (const auto& policy : {nlohmann::json{{"key_bits", 1024}}, nlohmann::json{{"key_bits", 1024}, {"allow_weak_keys", true}},
                               nlohmann::json{{"key_bits", 3072}, {"signature_hash", "sha1"}}}) {
        auto t = enterprise;
        for (const auto& [key, value] : policy.items()) t["policy"][key] = value;
        const auto parsed = topology::parse(t.dump(), "enterprise-policy.json");
        check_findings(model::build_plan(parsed, {"enterprise-policy.json", ""}, certtool::test::plan_date()).findings, "policy " + policy.dump(),
                       problems, seen);
    }

    for (const auto& file : topology_files("tests/topologies/bad")) {
        try {
            (void)topology::load_file(file);
            problems.push_back(file + ": loaded without an error");
        } catch (const certtool::InputError& e) {
            for (const auto& d : e.diagnostics()) {
                seen.insert(d.code);
                if (find_code(d.code) == nullptr) problems.push_back(file + ": " + d.code + " is not in the catalogue");
            }
        }
    }

    for (const auto& plan : plans)
        for (const auto& requirement : plan.certificates)
            for (const auto& certificate : faulty_certificates(requirement)) {
                certtool::check::Context context;
                context.at = *certtool::parse_utc("2024-06-01");
                context.check_chain = false;
                check_findings(certtool::check::check_against_plan(certificate, requirement, context, "lab.pem").findings,
                               requirement.id, problems, seen);
                check_findings(certtool::check::check_generic(certificate, {{"sip.contoso.com"}, {"serverAuth"}}, context, "lab.pem").findings,
                               requirement.id + " (generic)", problems, seen);
            }

    for (const auto* type : {"accountDoesNotExist", "alreadyRevoked", "badCSR", "badNonce", "badPublicKey", "badRevocationReason",
                             "badSignatureAlgorithm", "caa", "compound", "connection", "dns", "externalAccountRequired",
                             "incorrectResponse", "invalidContact", "malformed", "orderNotReady", "rateLimited",
                             "rejectedIdentifier", "serverInternal", "tls", "unauthorized", "unsupportedContact",
                             "unsupportedIdentifier", "userActionRequired", "alreadyReplaced", "invalidProfile"}) {
        const auto code = certtool::acme::problem_code(std::string("urn:ietf:params:acme:error:") + type);
        seen.insert(code);
        if (find_code(code) == nullptr) problems.push_back(std::string("ACME problem ") + type + ": " + code + " is not in the catalogue");
    }

    CHECK(problems == std::vector<std::string>{});
    // What this run reached, so that a change that stops producing them shows here.
    for (const auto* code : {"key.too-small", "key.size-unsupported", "signature.sha1", "signature.weak", "signature.pss",
                             "name.missing", "subject.wildcard", "eku.server-auth", "key-usage", "crl.missing", "crl.not-http",
                             "validity.expired", "validity.expiring", "validity.not-yet-valid", "key.algorithm",
                             "topology.syntax", "topology.invalid-fqdn", "policy-applied", "acme.bad-csr"}) {
        INFO(code);
        CHECK(seen.count(code) == 1);
    }
}

TEST_CASE("finding catalogue: old names resolve to the code that replaced them", "[catalogue]") {
    CHECK(current_code("key-too-small") == "key.too-small");
    CHECK(current_code("ca.key-too-small") == "key.too-small");
    CHECK(current_code("csr.weak-key") == "key.too-small");
    CHECK(current_code("sha1-signature") == "signature.sha1");
    CHECK(current_code("key-size-unsupported") == "key.size-unsupported");
    CHECK(current_code("ca.key-algorithm") == "key.algorithm");
    CHECK(current_code("pfx.key-mismatch") == "key.mismatch");
    CHECK(current_code("renew.key-mismatch") == "key.mismatch");
    CHECK(current_code("renew.key-missing") == "key.missing");
    CHECK(current_code("xmpp-multiple-sites") == "xmpp-route-multiple");
    CHECK(current_code("csr.plan-has-errors") == "plan.has-errors");
    CHECK(current_code("renew.plan-has-errors") == "plan.has-errors");
    CHECK(current_code("acme.plan-has-errors") == "plan.has-errors");
    CHECK(current_code("key.too-small") == "key.too-small");
    CHECK(current_code("no-such-code") == "no-such-code");
    for (const auto& entry : finding_catalogue())
        for (const auto old : entry.old_names) {
            INFO(old);
            CHECK(current_code(old) == entry.code);
            CHECK(find_code(old) == nullptr);
        }
}

TEST_CASE("finding catalogue: an audit report's old codes are read as the new ones", "[catalogue][audit-reader]") {
    const std::string doc = R"({"schema": "certtool.audit/v1", "observations": [
        {"certificate_id": "edge-external.lsedge-contoso-net", "obtained": true, "not_after_utc": "2027-01-01T10:00:00Z",
         "sha256": "ab", "sans": ["sip.contoso.com"],
         "findings": [{"severity": "error", "code": "key-too-small", "message": "-"},
                      {"severity": "error", "code": "key.too-small", "message": "-"},
                      {"severity": "error", "code": "pfx.key-mismatch", "message": "-"},
                      {"severity": "error", "code": "crl.missing", "message": "-"}]}]})";
    const auto seen = certtool::report::read_audit_report(doc, "audit.json", "renew.inventory");
    REQUIRE(seen.size() == 1);
    CHECK(seen.front().error_codes == std::vector<std::string>{"key.too-small", "key.mismatch", "crl.missing"});
}
