// Director and Director pool certificates (rules section 5; C11, C20).
#include "model/web_pool.hpp"

namespace certtool::model::detail {

void plan_director(Builder& builder, const topology::Director& director) {
    WebPool web;
    const bool single = director.members.size() == 1 && director.members.front().fqdn == director.fqdn;
    web.kind = single ? "Director" : "Director pool";
    web.path = director.path;
    web.fqdn = director.fqdn;
    web.members = &director.members;
    web.web_services = &director.web_services;
    web.layout = director.certificate_layout;
    web.default_role = Role::director;
    web.web_internal_role = Role::director_web_internal;
    web.web_external_role = Role::director_web_external;
    // C11: sip.<domain> on the Director Default when internal DNS sends sip.<domain>
    // to the Director (DNS-DIR* reflect these records in the SANs).
    web.sip_names = director.sip_target;
    web.sip_names_reason = "sip.<domain>: internal DNS sends sip.<domain> to this Director (DNS-DIR1, C11)";
    plan_web_pool(builder, web);
    builder.policy_applied("C11", "Director names come from the topology; its external web FQDN goes on its own "
                                  "certificate and on the reverse proxy certificate",
                           director.path + "/web_services",
                           default_certificate_id(Role::director, director.fqdn, director.members.front().fqdn));
}

}  // namespace certtool::model::detail
