#include "plan_policy.hpp"

#include "core/diagnostic.hpp"
#include "core/plural.hpp"

namespace certtool::cli {

namespace {

constexpr std::size_t kShownErrors = 5;

}  // namespace

PlannedTopology load_plan(const std::string& topology_file, PlanUse use, bool force, Terminal& term, TimePoint at) {
    PlannedTopology planned{topology::load_file(topology_file), {}};
    planned.plan = model::build_plan(planned.loaded.topology, planned.loaded.source, at);
    const auto errors = planned.plan.errors();
    if (errors.empty() || use == PlanUse::check) return planned;
    const std::string count = plural(errors.size(), "error finding", "error findings");
    if (force) {
        term.err << "certtool: warning: " << topology_file << ": the plan has " << count
                 << "; going on because of --force [" << model::kPlanHasErrors << "]\n";
        return planned;
    }
    const std::string& file = planned.loaded.source.path;
    std::vector<Diagnostic> diagnostics;
    for (std::size_t i = 0; i < errors.size() && i < kShownErrors; ++i)
        diagnostics.push_back({errors[i]->code, file, errors[i]->path, 0, 0, errors[i]->message});
    diagnostics.push_back({model::kPlanHasErrors, file, "", 0, 0,
                           "nothing written: the plan has " + count +
                               (errors.size() > kShownErrors ? " (the first " + std::to_string(kShownErrors) + " above)" : "") +
                               "; see them with 'certtool plan " + topology_file + "', fix the topology, or add --force to go on anyway"});
    throw InputError(std::move(diagnostics));
}

std::optional<model::Finding> plan_has_errors_finding(const model::Plan& plan, const std::string& topology_file) {
    if (!plan.has_errors()) return std::nullopt;
    return model::Finding{model::Severity::warning, model::kPlanHasErrors,
                          error_summary(plan) + "; run certtool plan " + topology_file, "", "", ""};
}

std::string force_help(const std::string& also) {
    return (also.empty() ? "" : also + "; ") + "go on although the plan has error findings (README \"A plan with errors\")";
}

}  // namespace certtool::cli
