// What Front End pools, Standard Edition servers and Directors have in common:
// the Default / WebServicesInternal / WebServicesExternal certificates, combined
// or split, one per member (C20). front_end.cpp and director.cpp say what differs.
#pragma once

#include <string>
#include <vector>

#include "model/builder.hpp"

namespace certtool::model::detail {

struct WebPool {
    std::string kind;  // "Front End pool", "Standard Edition server", "Director pool", "Director"
    std::string path;
    std::string fqdn;
    const std::vector<topology::ServerMember>* members = nullptr;
    const topology::WebServices* web_services = nullptr;
    topology::CertificateLayout layout = topology::CertificateLayout::combined;
    Role default_role = Role::front_end;
    Role web_internal_role = Role::front_end_web_internal;
    Role web_external_role = Role::front_end_web_external;
    // sip.<domain> on Default: the auto-logon pool under strict DNS (INT-REQ), or the
    // Director that internal DNS sends sip.<domain> to (C11).
    bool sip_names = false;
    std::string sip_names_reason;
};

void plan_web_pool(Builder& builder, const WebPool& pool);

// The id of the certificate assigned "Default" on `member` of the pool at `pool_fqdn`.
std::string default_certificate_id(Role default_role, const std::string& pool_fqdn, const std::string& member_fqdn);

}  // namespace certtool::model::detail
