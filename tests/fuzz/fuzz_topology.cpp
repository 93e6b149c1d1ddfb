// fuzz_topology: a certtool.topology/v1 document as a user writes it.
// topology::parse, and for a document it accepts, the whole model (build_plan)
// and every rendering of the plan (the zone file and DNS Server script of both
// views included), so that the model runs on odd but valid input.
// A bug: any crash or sanitizer report, any exception other than the documented
// InputError / CryptoError, a JSON rendering that does not parse back, or a plan
// that differs between two builds of the same topology (plans are deterministic),
// or write_json giving other bytes than render_json.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "core/diagnostic.hpp"
#include "crypto/keys.hpp"
#include "core/time.hpp"
#include "model/plan.hpp"
#include "report/dns_zone.hpp"
#include "report/report.hpp"
#include "topology/topology.hpp"

namespace {
// A fixed plan date: the public-CA lifetime does not depend on the day of the run.
const certtool::TimePoint kPlanDate = *certtool::parse_utc("2026-12-01");
}  // namespace

using namespace certtool;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    try {
        const topology::Topology topology = topology::parse(text, "fuzz.json");
        const topology::Source source{"fuzz.json", "0000"};
        const model::Plan plan = model::build_plan(topology, source, kPlanDate);
        const std::string json = report::render_json(plan);
        if (nlohmann::json::parse(json).is_discarded()) __builtin_trap();
        if (report::render_json(model::build_plan(topology, source, kPlanDate)) != json) __builtin_trap();
        std::ostringstream streamed;
        report::write_json(plan, streamed);
        if (streamed.str() != json) __builtin_trap();
        (void)report::render_table(plan, report::TextStyle{true, true});
        (void)report::render_markdown(plan);
        // The DNS records for the DNS servers: every record of each view in one zone.
        const auto domains = report::own_domains(topology);
        for (const std::string view : {"external", "internal"}) {
            std::size_t grouped = 0;
            for (const auto& group : report::zone_groups(plan, view, domains)) grouped += group.records.size();
            std::size_t planned = 0;
            for (const auto& r : plan.dns) planned += r.zone == view ? 1 : 0;
            if (grouped != planned) __builtin_trap();
            (void)report::render_zone_file(plan, {view, "", false, domains});
            (void)report::render_dns_powershell(plan, {view, "", false, domains});
        }
        if (!plan.certificates.empty()) (void)model::select_certificates(plan, {plan.certificates.back().id});
    } catch (const InputError&) {
    } catch (const crypto::CryptoError&) {
    }
    return 0;
}
