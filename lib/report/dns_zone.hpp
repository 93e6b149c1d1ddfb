// The plan's DNS records as an admin loads them: BIND zone-file data
// (`certtool plan --format zone`) and a script for the Windows DNS Server
// module (`--format dns-powershell`). Both group the records of one view
// (external or internal) by the DNS zone they belong in, by one rule
// (dns_zone_of), and mention the records the plan leaves out for want of an
// address (dns-address-unknown), so that nothing is dropped silently.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "model/plan.hpp"
#include "topology/topology.hpp"

namespace certtool::report {

// The domains the topology names as its own: SIP domains, internal domains and
// XMPP domains, in that order, each once.
std::vector<std::string> own_domains(const topology::Topology& topology);

// The DNS zone a record named `name` goes in: the longest of `domains` that
// `name` is within (or equal to) and that is not above the name's registrable
// domain, else that registrable domain (names::registrable_domain: the Public
// Suffix List, or the last two labels of a name under no public suffix).
std::string dns_zone_of(std::string_view name, const std::vector<std::string>& domains);

// The records of one view, in one zone.
struct ZoneGroup {
    std::string zone;
    std::vector<const model::DnsRecord*> records;   // in plan order
    std::vector<const model::DnsRecord*> left_out;  // dns-address-unknown: no address, not written
};

// The records of `view` ("external" or "internal") grouped by zone, zones in
// name order; pointers into `plan`.
std::vector<ZoneGroup> zone_groups(const model::Plan& plan, const std::string& view, const std::vector<std::string>& domains);

struct ZoneSelection {
    std::string view = "external";     // the plan's DnsRecord::zone
    std::string zone;                  // with only_zone: the one zone wanted (any case, final dot or not)
    bool only_zone = false;            // false: every zone of the view
    std::vector<std::string> domains;  // own_domains of the topology
};

// The zone groups `selection` asks for. A zone the view has no record in (a
// name that is not a domain included) throws InputError usage.unknown-zone,
// listing the zones of the view.
std::vector<ZoneGroup> selected_zone_groups(const model::Plan& plan, const ZoneSelection& selection);

// BIND zone-file data, one block per zone: a comment naming the zone and view,
// $ORIGIN and $TTL 3600, then one record a line, the name relative to the
// origin ("@" for the apex), targets fully qualified with the final dot, SRV
// data as "priority weight port target.", and the plan's reason as a comment.
// No SOA or NS: a fragment to paste into the zone, or to $INCLUDE after them.
std::string render_zone_file(const model::Plan& plan, const ZoneSelection& selection);

// A Windows PowerShell script for the DNS Server module adding the same records
// (Add-DnsServerResourceRecordA, ...AAAA, ...CName, Add-DnsServerResourceRecord
// -Srv) on -ComputerName (default: this computer), re-runnable: a record the
// zone holds with the same data is left alone, nothing is deleted. Every value
// is quoted by script::ps_quote.
std::string render_dns_powershell(const model::Plan& plan, const ZoneSelection& selection);

}  // namespace certtool::report
