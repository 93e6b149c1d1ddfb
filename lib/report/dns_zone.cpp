// `certtool plan --format zone` and `--format dns-powershell`: the plan's DNS
// records (lib/model/dns.cpp, rules section 8) in the forms an admin loads them.
#include "report/dns_zone.hpp"

#include <algorithm>
#include <map>
#include <stdexcept>

#include "core/diagnostic.hpp"
#include "names/names.hpp"
#include "report/templates.hpp"
#include "report/text.hpp"
#include "script/script.hpp"

namespace certtool::report {

namespace {

using text::clean;
using text::pad;
using text::rstrip;

// Zone files and PowerShell take one TTL for every record: an hour, the Windows
// DNS Server default, so that a record changed for a failover spreads soon.
constexpr int kTtlSeconds = 3600;

void add_once(std::vector<std::string>& list, const std::string& value) {
    if (std::find(list.begin(), list.end(), value) == list.end()) list.push_back(value);
}

// The name relative to the zone's origin: "@" for the apex.
std::string relative_name(const std::string& name, const std::string& zone) {
    if (name == zone) return "@";
    return name.substr(0, name.size() - zone.size() - 1);
}

// The record data as a zone file writes it, and as the script compares it with
// what the server holds: an address, or hosts fully qualified with the final dot.
std::string record_data(const model::DnsRecord& r) {
    if (r.type == "CNAME") return r.target + ".";
    if (r.type == "SRV")
        return std::to_string(r.priority) + " " + std::to_string(r.weight) + " " + std::to_string(r.port) + " " + r.target + ".";
    return r.target;
}

std::string topology_comment(const model::Plan& plan) {
    return clean(plan.source.path.empty() ? std::string("the topology") : plan.source.path);
}

std::string count_of(std::size_t n, const char* one, const char* many) { return std::to_string(n) + " " + (n == 1 ? one : many); }

// ---- zone file ------------------------------------------------------------------

std::string zone_block(const ZoneGroup& group, const std::string& view, const model::Plan& plan) {
    std::string out = "; Zone " + group.zone + ", " + view + " view: " + count_of(group.records.size(), "record", "records") +
                      " from the certificate plan of " + topology_comment(plan) + "\n" +
                      "; (certtool plan --format zone). No SOA or NS: paste it into the zone, or $INCLUDE it after them.\n" +
                      "$ORIGIN " + group.zone + ".\n" + "$TTL " + std::to_string(kTtlSeconds) + "\n";
    std::size_t name_width = 0, type_width = 0, data_width = 0;
    for (const auto* r : group.records) {
        name_width = std::max(name_width, relative_name(r->name, group.zone).size());
        type_width = std::max(type_width, r->type.size());
        data_width = std::max(data_width, record_data(*r).size());
    }
    for (const auto* r : group.records)
        out += rstrip(pad(relative_name(r->name, group.zone), name_width) + " IN " + pad(r->type, type_width) + " " +
                      pad(record_data(*r), data_width) + " ; " + clean(r->reason)) +
               "\n";
    for (const auto* r : group.left_out)
        out += "; not written: " + relative_name(r->name, group.zone) + " " + r->type + ", no address for " + r->name +
               " in the topology (dns-address-unknown); " + clean(r->reason) + "\n";
    return out;
}

// ---- PowerShell -----------------------------------------------------------------

using script::ps_quote;

// The DnsServer command for a record and its data.
struct AddCommand {
    std::string command;
    std::string data;  // the hashtable's entries
};

AddCommand add_command(const model::DnsRecord& r) {
    if (r.type == "A") return {"Add-DnsServerResourceRecordA", "IPv4Address = " + ps_quote(r.target)};
    if (r.type == "AAAA") return {"Add-DnsServerResourceRecordAAAA", "IPv6Address = " + ps_quote(r.target)};
    if (r.type == "CNAME") return {"Add-DnsServerResourceRecordCName", "HostNameAlias = " + ps_quote(r.target + ".")};
    if (r.type == "SRV")
        return {"Add-DnsServerResourceRecord -Srv", "DomainName = " + ps_quote(r.target + ".") + "; Priority = " +
                                                        std::to_string(r.priority) + "; Weight = " + std::to_string(r.weight) +
                                                        "; Port = " + std::to_string(r.port)};
    throw std::logic_error("no DnsServer command for a " + r.type + " record");
}

// The lines that add one record: its data as a hashtable, splatted into the
// DnsServer command beside -ZoneName and -Name. Splatting keeps every command
// in a form the parse check's grammar reads (tree-sitter-powershell does not
// read a parameter name with a digit, such as -IPv4Address, though PowerShell does).
std::string add_lines(const model::DnsRecord& r, const std::string& zone, const std::string& indent) {
    const auto add = add_command(r);
    return indent + "$data = @{ " + add.data + " }\n" + indent + add.command + " -ZoneName " + ps_quote(zone) + " -Name " +
           ps_quote(relative_name(r.name, zone)) + " @data -TimeToLive $ttl -ComputerName $ComputerName\n";
}

// -RRType as Get-DnsServerResourceRecord spells it.
std::string rr_type(const std::string& type) {
    if (type == "CNAME") return "CName";
    if (type == "SRV") return "Srv";
    return type;
}

std::string powershell_block(const ZoneGroup& group, const std::string& view) {
    std::string out = "\n# Zone " + group.zone + " (" + view + " view): " + count_of(group.records.size(), "record", "records") + "\n";
    for (const auto* r : group.left_out)
        out += "Write-Warning " +
               ps_quote("not in the plan: " + r->name + " (" + r->type + ") has no address in the topology (dns-address-unknown): " +
                        r->reason) +
               "\n";
    if (group.records.empty()) return out;
    out += "if (Test-Zone " + ps_quote(group.zone) + " " + std::to_string(group.records.size()) + ") {\n";
    for (const auto* r : group.records) {
        out += "    Add-PlannedRecord " + ps_quote(group.zone) + " " + ps_quote(relative_name(r->name, group.zone)) + " " +
               ps_quote(rr_type(r->type)) + " " + ps_quote(record_data(*r)) + " " + ps_quote(r->reason) + " {\n";
        out += add_lines(*r, group.zone, "        ");
        out += "    }\n";
    }
    return out + "}\n";
}

}  // namespace

std::vector<std::string> own_domains(const topology::Topology& topology) {
    std::vector<std::string> out;
    for (const auto& d : topology.sip_domains) add_once(out, d);
    for (const auto& d : topology.internal_domains) add_once(out, d);
    for (const auto& d : topology.xmpp.domains) add_once(out, d);
    return out;
}

std::string dns_zone_of(std::string_view name, const std::vector<std::string>& domains) {
    const std::string registrable = names::registrable_domain(name);
    const std::string* best = nullptr;
    for (const auto& d : domains)
        if (names::is_within(name, d) && names::is_within(d, registrable) && (best == nullptr || d.size() > best->size()))
            best = &d;
    return best != nullptr ? names::lower_ascii(*best) : registrable;
}

std::vector<ZoneGroup> zone_groups(const model::Plan& plan, const std::string& view, const std::vector<std::string>& domains) {
    std::map<std::string, ZoneGroup> groups;
    const auto group_of = [&](const model::DnsRecord& r) -> ZoneGroup& {
        const auto zone = dns_zone_of(r.name, domains);
        auto& group = groups[zone];
        group.zone = zone;
        return group;
    };
    for (const auto& r : plan.dns)
        if (r.zone == view) group_of(r).records.push_back(&r);
    for (const auto& r : plan.dns_left_out)
        if (r.zone == view) group_of(r).left_out.push_back(&r);
    std::vector<ZoneGroup> out;
    for (auto& [zone, group] : groups) out.push_back(std::move(group));
    return out;
}

std::vector<ZoneGroup> selected_zone_groups(const model::Plan& plan, const ZoneSelection& selection) {
    auto groups = zone_groups(plan, selection.view, selection.domains);
    if (!selection.only_zone) return groups;
    std::string wanted = names::lower_ascii(selection.zone);
    if (!wanted.empty() && wanted.back() == '.') wanted.pop_back();
    for (auto& g : groups)
        if (g.zone == wanted) return {std::move(g)};
    std::string zones;
    for (const auto& g : groups) zones += (zones.empty() ? "" : ", ") + g.zone;
    throw InputError(Diagnostic{"usage.unknown-zone", plan.source.path, "", 0, 0,
                                "--zone '" + clean(selection.zone) + "': the " + selection.view + " view has no record in that zone; its zones: " +
                                    (zones.empty() ? "none" : zones)});
}

std::string render_zone_file(const model::Plan& plan, const ZoneSelection& selection) {
    const auto groups = selected_zone_groups(plan, selection);
    if (groups.empty())
        return "; The " + selection.view + " view of the certificate plan of " + topology_comment(plan) + " has no DNS records.\n";
    std::string out;
    for (const auto& group : groups) out += (out.empty() ? "" : "\n") + zone_block(group, selection.view, plan);
    return out;
}

std::string render_dns_powershell(const model::Plan& plan, const ZoneSelection& selection) {
    const auto groups = selected_zone_groups(plan, selection);
    std::string zones, zone_list;
    for (const auto& group : groups) {
        zones += powershell_block(group, selection.view);
        zone_list += (zone_list.empty() ? "" : ", ") + group.zone;
    }
    return render_template(template_text("dns-records.ps1"), {{"view", selection.view},
                                                               {"topology_comment", topology_comment(plan)},
                                                               {"zone_list", zone_list.empty() ? "none" : zone_list},
                                                               {"zones", zones}});
}

}  // namespace certtool::report
