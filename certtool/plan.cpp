// certtool plan: topology in, certificate plan out.
#include <memory>

#include "model/plan.hpp"
#include "report/report.hpp"
#include "topology/topology.hpp"
#include "verb.hpp"

namespace certtool::cli {

namespace {

struct PlanOptions {
    std::string topology;
    std::string format = "table";
    std::vector<std::string> only;
    bool reasons = false;
    std::string color = "auto";
    std::string at;
};

ExitCode run_plan(const PlanOptions& options, Terminal& term) {
    const auto loaded = topology::load_file(options.topology);
    const model::Plan plan = model::build_plan(loaded.topology, loaded.source, at_or_now(options.at));
    model::Plan selected;
    if (!options.only.empty()) selected = model::select_certificates(plan, options.only);
    const model::Plan& shown = options.only.empty() ? plan : selected;

    if (options.format == "json") {
        report::write_json(shown, term.out);
    } else if (options.format == "markdown") {
        term.out << report::render_markdown(shown);
    } else {
        // Colour only where a person reads it: never in JSON or Markdown.
        term.out << report::render_table(shown, {use_color(options.color, term), options.reasons});
    }
    term.out.flush();
    // Judged on the whole plan: leaving out a certificate must not hide an error.
    return plan.has_errors() ? ExitCode::problems_found : ExitCode::success;
}

}  // namespace

Verb register_plan(CLI::App& app) {
    auto options = std::make_shared<PlanOptions>();
    CLI::App* command = app.add_subcommand("plan", "derive the certificates, SANs and DNS records a topology needs");

    command->add_option("TOPOLOGY", options->topology, "topology file (certtool.topology/v1 JSON)")->required();
    add_format_option(*command, options->format, {{"table", "for people"}, {"json", "certtool.plan/v1"}, {"markdown", "for a change ticket"}});
    add_only_option(*command, options->only, "show");
    command->add_flag("--reasons", options->reasons, "table format: say why each SAN and DNS record is there");
    add_color_option(*command, options->color);
    add_at_option(*command, options->at,
                  "plan for certificates issued at");

    command->footer("Arguments:\n"
                    "  TOPOLOGY  the topology as a certtool.topology/v1 JSON file (see templates/examples/)\n"
                    "\n" +
                    exit_codes_help("the plan was written and has no error findings",
                                    "the plan was written and has error findings (the topology will not work as it is)") +
                    "\n"
                    "Examples:\n"
                    "  certtool plan site.json\n"
                    "  certtool plan site.json --only edge-external --reasons\n"
                    "  certtool plan site.json --format json > plan.json\n"
                    "  certtool plan site.json --format markdown > change-ticket.md\n"
                    "  certtool plan site.json --at 2027-03-15   (public CAs issue at most 100 days from then)\n"
                    "\n"
                    "Lifetime: a public-CA certificate is planned at the longest lifetime the CA/B Forum baseline\n"
                    "requirements allow at --at (398 days before 2026-03-15, 200 from then, 100 from 2027-03-15, 47\n"
                    "from 2029-03-15), or at policy.validity_days when the topology sets less (more is the warning\n"
                    "validity-above-maximum); an internal-CA certificate at policy.validity_days (365 by default).\n");

    return {command, [options](Terminal& term) { return run_plan(*options, term); }};
}

}  // namespace certtool::cli
