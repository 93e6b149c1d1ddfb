// The Lync role facts: one row per certificate role, read by the model, the
// reports, `check` and `audit`. Adding a role means adding it to `Role` in
// plan.hpp and one row in roles.cpp; nothing else lists roles.
#pragma once

#include <optional>
#include <span>
#include <string_view>

#include "model/plan.hpp"

namespace certtool::model {

struct RoleFacts {
    Role role;
    const char* name;   // "edge-external": the token in ids, JSON and --only
    const char* title;  // what an admin calls it, for tables and reports
    // Installed on Edge Servers (external or internal interface).
    bool edge = false;
    // A web certificate: a wildcard SAN may stand for simple URLs and
    // Autodiscover names on it (WILDCARD, C3), never for pool or server names.
    bool web = false;
    // One certificate and key shared by every member: Edge (PLAN-EDGE, EXT-REQ),
    // reverse proxy farm (RP-REQ), OAuth (S2S) (C20).
    bool same_on_all_members = false;
    // Each member has its own certificate whose subject is the pool FQDN
    // (Default of Front End pools and Directors: INT-REQ, CS-DIRHLB, C20).
    bool member_subject_is_pool = false;
    // INT-REQ's own web examples leave the subject out of the SANs: a missing
    // subject SAN is a warning, not an error, on these (C13).
    bool subject_san_optional = false;
    // The smallest RSA key the role accepts whatever the policy says (C7: OAuth 2048).
    int min_rsa_bits = 0;
};

const RoleFacts& facts(Role role);
// Every role, in the order certificates of a pool are planned.
std::span<const RoleFacts> all_roles();
std::optional<Role> role_named(std::string_view name);

}  // namespace certtool::model
