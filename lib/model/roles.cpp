// One row per certificate role; see roles.hpp for what each column means and
// ../shared/spec/lync2013-certificate-rules.md for the source keys.
#include "model/roles.hpp"

#include <array>

namespace certtool::model {

namespace {

// clang-format off
//  role                          name                       title
//      edge   web    shared member-subject-is-pool  subject-SAN-optional  min RSA
constexpr std::array kRoles{
    RoleFacts{Role::edge_external, "edge-external", "Edge external (Access, Web Conferencing, A/V Authentication)",
        true,  false, true,  false, false, 0},
    RoleFacts{Role::edge_av, "edge-av", "Edge A/V Authentication (separate certificate for staged renewal)",
        true,  false, true,  false, false, 0},
    RoleFacts{Role::edge_internal, "edge-internal", "Edge internal interface",
        true,  false, true,  false, false, 0},
    RoleFacts{Role::front_end, "front-end", "Front End pool",
        false, true,  false, true,  false, 0},
    RoleFacts{Role::front_end_web_internal, "front-end-web-internal", "Front End internal web services",
        false, true,  false, false, true,  0},
    RoleFacts{Role::front_end_web_external, "front-end-web-external", "Front End external web services",
        false, true,  false, false, true,  0},
    RoleFacts{Role::director, "director", "Director pool",
        false, true,  false, true,  false, 0},
    RoleFacts{Role::director_web_internal, "director-web-internal", "Director internal web services",
        false, true,  false, false, true,  0},
    RoleFacts{Role::director_web_external, "director-web-external", "Director external web services",
        false, true,  false, false, true,  0},
    RoleFacts{Role::reverse_proxy, "reverse-proxy", "Reverse proxy (published web services and simple URLs)",
        false, true,  true,  false, false, 0},
    RoleFacts{Role::oauth, "oauth", "OAuth token signing (server-to-server authentication)",
        false, false, true,  false, false, 2048},
};
// clang-format on

constexpr bool rows_in_enum_order() {
    for (std::size_t i = 0; i < kRoles.size(); ++i)
        if (static_cast<std::size_t>(kRoles[i].role) != i) return false;
    return true;
}
static_assert(rows_in_enum_order(), "kRoles must list every Role once, in the enum's order");

static_assert(kRoles.size() == static_cast<std::size_t>(Role::oauth) + 1, "every Role needs its row in kRoles");

}  // namespace

const RoleFacts& facts(Role role) { return kRoles[static_cast<std::size_t>(role)]; }

std::span<const RoleFacts> all_roles() { return kRoles; }

std::optional<Role> role_named(std::string_view name) {
    for (const auto& row : kRoles)
        if (name == row.name) return row.role;
    return std::nullopt;
}

const char* to_string(Role role) { return facts(role).name; }

}  // namespace certtool::model
