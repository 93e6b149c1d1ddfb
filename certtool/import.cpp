// certtool import: the Lync topology XML in, a certtool.topology/v1 document out.
#include <algorithm>
#include <memory>

#include "fs/safe_file.hpp"
#include "import/import.hpp"
#include "report/findings.hpp"
#include "report/report.hpp"
#include "verb.hpp"

namespace certtool::cli {

namespace {

struct ImportOptions {
    std::string source;
    std::string overlay;
    std::string out;
    bool force = false;
};

ExitCode run_import(const ImportOptions& options, Terminal& term) {
    // Refused before anything is read, so that a mistyped --out never costs the old file.
    if (!options.out.empty() && !options.force && fs::exists(options.out)) {
        Diagnostic d;
        d.code = "output.exists";
        d.file = options.out;
        d.message = "already exists: give --force to replace it";
        throw InputError(std::move(d));
    }
    const std::string bytes = fs::read_file_bounded(options.source, 32u << 20, "import.source");
    std::optional<import::Overlay> overlay;
    if (!options.overlay.empty())
        overlay = import::parse_overlay(fs::read_file_bounded(options.overlay, 16u << 20, "import.overlay"), options.overlay);

    import::Result result = import::import_topology(bytes, options.source, overlay);
    const std::string name = options.out.empty() ? "imported topology" : options.out;
    for (auto& f : import::plan_errors(result.topology, name, at_or_now(""))) result.findings.push_back(std::move(f));

    const std::string text = result.topology.dump(2) + "\n";
    if (options.out.empty()) {
        term.out << text;
        term.out.flush();
    } else {
        fs::write_file_atomic(options.out, text, {0644, options.force});
    }

    // For people, on standard error: the document on standard output stays clean for a pipe.
    // Errors first, then warnings, then notes; each group in document order.
    const auto rank = [](model::Severity s) { return s == model::Severity::error ? 0 : s == model::Severity::warning ? 1 : 2; };
    std::stable_sort(result.findings.begin(), result.findings.end(),
                     [&](const model::Finding& a, const model::Finding& b) { return rank(a.severity) < rank(b.severity); });
    if (!result.findings.empty()) {
        term.err << "certtool import: " << options.source << ": what to check, or add in the overlay:\n";
        for (const auto& f : result.findings) {
            term.err << "  " << report::finding_line(f, false) << "\n";
            if (!f.path.empty())
                term.err << "      at " << f.path << "  (overlay: " << import::overlay_path(result.topology, f.path) << ")\n";
        }
    }
    if (!options.out.empty())
        term.err << "wrote " << options.out << ": " << report::severity_counts(result.findings)
                 << (result.has_errors() ? "; the overlay must answer the errors first" : "; next: certtool plan " + options.out)
                 << "\n";
    return result.has_errors() ? ExitCode::problems_found : ExitCode::success;
}

}  // namespace

Verb register_import(CLI::App& app) {
    auto options = std::make_shared<ImportOptions>();
    CLI::App* command = app.add_subcommand("import", "turn a Lync or Skype for Business topology XML into a certtool topology");
    command->add_option("SOURCE", options->source,
                        "the published topology ((Get-CsTopology -AsXml).ToString()) or a Topology Builder .tbxml file")
        ->required();
    command->add_option("--overlay", options->overlay,
                        "a JSON file with the topology's own field names, merged in: what the XML does not hold");
    command->add_option("--out", options->out, "write the topology to this file (atomically) instead of standard output");
    command->add_flag("--force", options->force, "--out: replace an existing file");
    command->footer(
        "Arguments:\n"
        "  SOURCE  the topology XML, UTF-8 or UTF-16 with a byte-order mark. Make it in the Lync Server or Skype for\n"
        "          Business Server Management Shell with:\n"
        "            (Get-CsTopology -AsXml).ToString() | Out-File topology.xml\n"
        "          or save a copy of the topology from Topology Builder (.tbxml).\n"
        "\n"
        "Findings go to standard error: each names the JSON Pointer of a field the XML does not hold and what to\n"
        "put in the overlay. The overlay's objects are merged key by key; sites are matched by \"name\", pools and\n"
        "members by \"fqdn\", reverse proxies by \"name\"; other arrays and scalars replace; null removes.\n"
        "\n"
        "Exit codes:\n"
        "  0  the topology was written and plans without errors\n"
        "  1  the topology was written, and findings say fields are missing or the plan has errors\n"
        "  2  bad usage or bad input (the file is named): nothing was written\n"
        "  3  internal error (a bug)\n"
        "\n"
        "Examples:\n"
        "  certtool import topology.xml > site.json\n"
        "  certtool import topology.xml --overlay overlay.json --out site.json\n"
        "  certtool import contoso.tbxml --overlay overlay.json --out site.json --force\n"
        "  certtool import topology.xml --overlay overlay.json | certtool plan /dev/stdin\n");
    return {command, [options](Terminal& term) { return run_import(*options, term); }};
}

}  // namespace certtool::cli
