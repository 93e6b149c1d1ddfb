// The facts of the Set-CsCertificate usages (-Type values) that decide how a
// certificate is installed: how early its successor is staged with -Roll
// (rules 3.3), whether it is one global certificate, and whether its
// assignment asks for a restart of the services (rules 3.7). The plan gives
// each certificate its usages (edge.cpp, front_end.cpp, ...); lifetime.hpp and
// lib/script read these facts from here.
#pragma once

#include <string>
#include <vector>

namespace certtool::model {

// ROLL (rules 3.3): A/V Authentication tokens live up to 8 hours; OAuth
// material is kept longer by Exchange and SharePoint, so at least 24 hours.
inline constexpr int kAudioVideoLeadHours = 8;
inline constexpr int kOAuthLeadHours = 24;

// The minimum lead time of a usage that is staged with -Roll
// (AudioVideoAuthentication, OAuthTokenIssuer); 0 for one assigned immediately.
int usage_lead_hours(const std::string& usage);

// The -Roll lead time of a certificate with these usages: the largest of its
// usages' (0 when none is staged).
int roll_lead_hours(const std::vector<std::string>& usages);

// Whether a usage is one global certificate, assigned once with -Identity Global
// and replicated by the Central Management store (OAuthTokenIssuer).
bool is_global_usage(const std::string& usage);

// The usage after whose assignment the rules ask for a restart of the server's
// services (rules 3.7, XMPP-SETUP: the Access Edge certificate, restart the
// Edge services).
bool restart_recommended(const std::string& usage);

}  // namespace certtool::model
