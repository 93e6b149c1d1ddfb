// One policy for a plan with error findings, the same in every verb that reads
// a topology (README "A plan with errors"):
//   plan                   reports them and exits 1;
//   verify, audit          check anyway, and say plan.has-errors (a warning);
//   csr, renew, ca sign,   write nothing and exit 2 (the topology is not fit to
//   pfx, script, acme      write from), naming the errors, unless --force: then
//                          they warn (plan.has-errors) and go on.
#pragma once

#include <optional>
#include <string>

#include "cli.hpp"
#include "core/time.hpp"
#include "model/plan.hpp"
#include "topology/topology.hpp"

namespace certtool::cli {

enum class PlanUse {
    check,  // certificates are checked against the plan
    write,  // requests, certificates, PFX files or scripts are made from the plan
};

struct PlannedTopology {
    topology::Loaded loaded;
    model::Plan plan;
};

// Loads the topology and builds its plan, applying the policy: for `write`
// without `force`, a plan with error findings throws InputError (the first few
// error findings, then plan.has-errors); with `force`, a warning goes to term.err.
// The plan is made for certificates issued at `at` (the verb's --at, else now),
// which sets the public CAs' maximum lifetime (model/lifetime.hpp).
PlannedTopology load_plan(const std::string& topology_file, PlanUse use, bool force, Terminal& term,
                          TimePoint at = std::chrono::system_clock::now());

// The plan.has-errors finding the checking verbs put in their reports; none
// for a plan without error findings.
std::optional<model::Finding> plan_has_errors_finding(const model::Plan& plan, const std::string& topology_file);

// --force, with what it overrides for this verb besides the policy ("" for nothing else).
std::string force_help(const std::string& also);

}  // namespace certtool::cli
