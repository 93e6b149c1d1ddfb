// certtool plan: topology in, certificate plan out.
#include <memory>
#include <sstream>

#include "check_options.hpp"
#include "model/plan.hpp"
#include "report/dns_zone.hpp"
#include "report/html_report.hpp"
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
    std::string view;  // --format zone (default external) and dns-powershell (default internal)
    std::string zone;
    std::string out;  // --out FILE
    CLI::Option* view_option = nullptr;
    CLI::Option* zone_option = nullptr;
};

bool dns_format(const std::string& format) { return format == "zone" || format == "dns-powershell"; }

ExitCode run_plan(const PlanOptions& options, Terminal& term) {
    const bool zone_given = options.zone_option->count() > 0;
    if (!dns_format(options.format) && (options.view_option->count() > 0 || zone_given))
        usage_error("usage.dns-option", "",
                    std::string(zone_given ? "--zone" : "--view") +
                        " goes with --format zone or --format dns-powershell, not --format " + options.format);
    const auto loaded = topology::load_file(options.topology);
    const model::Plan plan = model::build_plan(loaded.topology, loaded.source, at_or_now(options.at));
    model::Plan selected;
    if (!options.only.empty()) selected = model::select_certificates(plan, options.only);
    const model::Plan& shown = options.only.empty() ? plan : selected;

    std::ostringstream text;
    if (dns_format(options.format)) {
        const bool zone_file = options.format == "zone";
        const report::ZoneSelection selection{options.view.empty() ? (zone_file ? "external" : "internal") : options.view,
                                              options.zone, zone_given, report::own_domains(loaded.topology)};
        text << (zone_file ? report::render_zone_file(shown, selection) : report::render_dns_powershell(shown, selection));
    } else if (options.format == "json") {
        report::write_json(shown, text);
    } else if (options.format == "markdown") {
        text << report::render_markdown(shown);
    } else if (options.format == "html") {
        text << report::render_plan_html(shown);
    } else {
        // Colour only where a person reads it on a terminal: never in a file, JSON or Markdown.
        text << report::render_table(shown, {options.out.empty() && use_color(options.color, term), options.reasons});
    }
    write_output(options.out, text.str(), term);
    // Judged on the whole plan: leaving out a certificate must not hide an error.
    return plan.has_errors() ? ExitCode::problems_found : ExitCode::success;
}

}  // namespace

Verb register_plan(CLI::App& app) {
    auto options = std::make_shared<PlanOptions>();
    CLI::App* command = app.add_subcommand("plan", "derive the certificates, SANs and DNS records a topology needs");

    command->add_option("TOPOLOGY", options->topology, "topology file (certtool.topology/v1 JSON)")->required();
    add_format_option(*command, options->format,
                      {{"table", "for people"},
                       {"json", "certtool.plan/v1"},
                       {"markdown", "for a change ticket"},
                       {"html", "one self-contained page for change review"},
                       {"zone", "the DNS records as BIND zone-file data"},
                       {"dns-powershell", "a script adding the DNS records to a Windows DNS server"}});
    options->view_option = command->add_option("--view", options->view,
                        "zone and dns-powershell formats: the records of the external view (zone's default) or the internal "
                        "view (dns-powershell's default)")
        ->check(CLI::IsMember({"external", "internal"}));
    options->zone_option = command->add_option("--zone", options->zone,
                        "zone and dns-powershell formats: only the records of this DNS zone (e.g. contoso.com)");
    add_only_option(*command, options->only, "show");
    command->add_flag("--reasons", options->reasons, "table format: say why each SAN and DNS record is there");
    add_out_option(*command, options->out);
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
                    "  certtool plan site.json --format html --out change-review.html\n"
                    "  certtool plan site.json --format zone --zone contoso.com >> contoso.com.zone   (after its SOA and NS)\n"
                    "  certtool plan site.json --format zone --view internal\n"
                    "  certtool plan site.json --format dns-powershell > add-internal-dns.ps1   (on the Windows DNS server:\n"
                    "      .\\add-internal-dns.ps1 [-ComputerName DNS01]; re-runnable, never deletes)\n"
                    "  certtool plan site.json --at 2027-03-15   (public CAs issue at most 100 days from then)\n"
                    "\n"
                    "Lifetime: a public-CA certificate is planned at the longest lifetime the CA/B Forum baseline\n"
                    "requirements allow at --at (398 days before 2026-03-15, 200 from then, 100 from 2027-03-15, 47\n"
                    "from 2029-03-15), or at policy.validity_days when the topology sets less (more is the warning\n"
                    "validity-above-maximum); an internal-CA certificate at policy.validity_days (365 by default).\n");

    return {command, [options](Terminal& term) { return run_plan(*options, term); }};
}

}  // namespace certtool::cli
