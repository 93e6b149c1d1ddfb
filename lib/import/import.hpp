// certtool import: the topology an admin already has, as Lync / Skype for
// Business Server keeps it, turned into a certtool.topology/v1 document.
// Two sources: the published topology, `(Get-CsTopology -AsXml).ToString()`
// (root Topology), and a Topology Builder file (.tbxml, root TopologyBuilder).
// What the XML holds is mapped (README "`certtool import`" lists it); what it
// does not hold comes from an overlay the admin writes once; every field the
// plan needs and neither gives is a finding naming its JSON path. Never prints
// or exits: returns the document and its findings, throws InputError for input
// it cannot read.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/json_reader.hpp"
#include "core/time.hpp"
#include "model/plan.hpp"

namespace certtool::import {

struct Overlay {
    JsonValue document;  // an object with the topology's own field names
    std::string file;
    std::string sha256;
};

// Parses an overlay file's text: strict JSON (no key twice, at most 64 levels),
// an object. Throws InputError import.overlay-invalid naming the file.
Overlay parse_overlay(std::string_view text, const std::string& file_name);

// The merge rule (README "The overlay"): objects are merged key by key,
// recursively; in the arrays of named things (sites by `name`, pools and
// members by `fqdn`, reverse proxies by `name`) an overlay element is merged
// into the element with the same key (FQDNs compared without case and trailing
// dot) or appended when there is none; any other array, and every scalar, from
// the overlay replaces the imported one; `null` in the overlay removes the field.
// `written` receives the JSON Pointer (in the result) of every value the overlay set.
JsonValue merge_overlay(const JsonValue& imported, const JsonValue& overlay, std::vector<std::string>* written = nullptr);

enum class SourceFormat { published, topology_builder };

struct Result {
    SourceFormat format = SourceFormat::published;
    JsonValue topology;                    // certtool.topology/v1, the overlay merged in
    std::vector<model::Finding> findings;  // import.* findings, in document order
    [[nodiscard]] bool has_errors() const;
};

// `bytes`: the XML file as read (at most 32 MiB); `file_name` names it in errors
// and in the result's x-imported-from. Throws InputError (import.*) for a file
// that is not a readable topology document.
Result import_topology(std::string_view bytes, const std::string& file_name, const std::optional<Overlay>& overlay);

// A JSON Pointer of `topology` as the overlay names it, each array element by
// its key: "/sites/0/edge_pools/1/members/0/public_ips" ->
// "sites[name=Redmond].edge_pools[fqdn=lsedge.contoso.net].members[fqdn=edge01.contoso.net].public_ips".
std::string overlay_path(const JsonValue& topology, const std::string& pointer);

// What `plan` will say of the result: each problem the topology loader finds
// (its topology.* code, as an error) and each error finding of the plan.
std::vector<model::Finding> plan_errors(const JsonValue& topology, const std::string& file_name, TimePoint at);

}  // namespace certtool::import
