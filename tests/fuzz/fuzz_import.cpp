// fuzz_import: a topology XML as certtool import reads it (lib/xml, lib/import).
// The input is the XML file; the reader, the mapping, the overlay merge (with a
// fixed overlay) and, for a document that imports, the topology loader and the
// plan of the result (import::plan_errors). A bug: any crash or sanitizer
// report, any exception other than the documented InputError / CryptoError, or
// an imported document that is not a JSON object with the topology schema, or
// that imports differently twice (the mapping is deterministic).
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/diagnostic.hpp"
#include "core/time.hpp"
#include "crypto/keys.hpp"
#include "import/import.hpp"

namespace {
const certtool::TimePoint kPlanDate = *certtool::parse_utc("2026-12-01");

const certtool::import::Overlay& overlay() {
    static const certtool::import::Overlay o = certtool::import::parse_overlay(
        R"({"organization": {"organization": "Contoso Ltd"}, "sites": [{"name": "Redmond",
            "edge_pools": [{"fqdn": "lsedge.contoso.net", "load_balancing": "dns"}]}], "xmpp": null})",
        "overlay.json");
    return o;
}
}  // namespace

using namespace certtool;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string bytes(reinterpret_cast<const char*>(data), size);
    try {
        const auto plain = import::import_topology(bytes, "fuzz.xml", std::nullopt);
        if (!plain.topology.is_object() || plain.topology.value("schema", "") != "certtool.topology/v1") __builtin_trap();
        const auto merged = import::import_topology(bytes, "fuzz.xml", overlay());
        if (import::import_topology(bytes, "fuzz.xml", overlay()).topology != merged.topology) __builtin_trap();
        (void)import::plan_errors(merged.topology, "fuzz.json", kPlanDate);
    } catch (const InputError&) {
    } catch (const crypto::CryptoError&) {
    }
    return 0;
}
