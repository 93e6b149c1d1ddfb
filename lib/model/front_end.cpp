// Front End pool and Standard Edition server certificates (rules section 6).
#include "model/web_pool.hpp"

namespace certtool::model::detail {

void plan_front_end_pool(Builder& builder, const topology::FrontEndPool& pool) {
    WebPool web;
    web.kind = pool.edition == topology::Edition::standard ? "Standard Edition server" : "Front End pool";
    web.path = pool.path;
    web.fqdn = pool.fqdn;
    web.members = &pool.members;
    web.web_services = &pool.web_services;
    web.layout = pool.certificate_layout;
    web.default_role = Role::front_end;
    web.web_internal_role = Role::front_end_web_internal;
    web.web_external_role = Role::front_end_web_external;
    // INT-REQ: sip.<sipdomain> for every SIP domain when the pool is the auto-logon
    // server and Group Policy requires strict DNS matching.
    web.sip_names = pool.auto_logon;
    web.sip_names_reason =
        "sip.<domain>: this pool is the automatic sign-in server and clients may require strict DNS matching (INT-REQ)";
    plan_web_pool(builder, web);
}

}  // namespace certtool::model::detail
