#include "model/usages.hpp"

#include <algorithm>

namespace certtool::model {

int usage_lead_hours(const std::string& usage) {
    if (usage == "AudioVideoAuthentication") return kAudioVideoLeadHours;
    if (usage == "OAuthTokenIssuer") return kOAuthLeadHours;
    return 0;
}

int roll_lead_hours(const std::vector<std::string>& usages) {
    int lead = 0;
    for (const auto& u : usages) lead = std::max(lead, usage_lead_hours(u));
    return lead;
}

bool is_global_usage(const std::string& usage) { return usage == "OAuthTokenIssuer"; }

bool restart_recommended(const std::string& usage) { return usage == "AccessEdgeExternal"; }

}  // namespace certtool::model
