// fuzz_inventory: the certtool.audit/v1 JSON that `certtool renew --inventory`
// and `script --current` accept from a user, read by its one reader,
// report::read_audit_report. The bytes go to it directly, then as a file under
// /dev/shm through renew::load_inventory against the plan of
// templates/examples/enterprise.json (built once), and what that accepts on
// through renew::decide and report::render_renew_json; and to
// script::current_from_audit_json (`certtool script --current`).
// A bug: any crash or sanitizer report (UBSan included: times far in the future
// or past), or any exception other than InputError / CryptoError (a
// nlohmann::json exception escaping is one).
#include <unistd.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "core/diagnostic.hpp"
#include "crypto/keys.hpp"
#include "core/time.hpp"
#include "model/plan.hpp"
#include "renew/renew.hpp"
#include "report/audit_report.hpp"
#include "report/renew_report.hpp"
#include "script/script.hpp"
#include "topology/topology.hpp"

namespace {
// A fixed plan date: the public-CA lifetime does not depend on the day of the run.
const certtool::TimePoint kPlanDate = *certtool::parse_utc("2026-12-01");
}  // namespace

using namespace certtool;

namespace {

const model::Plan& plan() {
    static const model::Plan built = [] {
        const topology::Loaded loaded = topology::load_file(CERTTOOL_SOURCE_DIR "/templates/examples/enterprise.json");
        return model::build_plan(loaded.topology, loaded.source, kPlanDate);
    }();
    return built;
}

// The input as a file, removed again after each input (libFuzzer may end the
// process without running static destructors).
struct ScratchFile {
    std::string path = "/dev/shm/certtool-fuzz-inventory-" + std::to_string(::getpid()) + ".json";
    ScratchFile() = default;
    ScratchFile(const ScratchFile&) = delete;
    ScratchFile& operator=(const ScratchFile&) = delete;
    ~ScratchFile() { std::remove(path.c_str()); }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const ScratchFile scratch;
    const std::string& path = scratch.path;
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (f == nullptr || std::fwrite(data, 1, size, f) != size || std::fclose(f) != 0) __builtin_trap();
    const TimePoint at = std::chrono::system_clock::from_time_t(1767225600);  // 2026-01-01
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        (void)report::read_audit_report(text, "fuzz.json", "fuzz.inventory");
    } catch (const InputError&) {
    }
    try {
        const renew::Inventory inventory = renew::load_inventory(plan(), path, std::string("fuzz"), at);
        const renew::Decisions decisions = renew::decide(plan(), inventory, renew::Options{at, std::chrono::hours(30 * 24)});
        (void)report::render_renew_json(plan(), decisions, {}, "");
    } catch (const InputError&) {
    } catch (const crypto::CryptoError&) {
    }
    try {
        (void)script::current_from_audit_json(text, "fuzz.json", plan());
    } catch (const InputError&) {
    }
    return 0;
}
