// A Windows `certreq -new` INF for one planned certificate, for admins who must
// generate the key in the server's own key store rather than take one from certtool.
#pragma once

#include <optional>
#include <string>

#include "model/plan.hpp"

namespace certtool::report {

struct InfContext {
    std::string topology_path;
    std::string plan_sha256;
    std::optional<std::string> ms_template;  // CertificateTemplate request attribute
    model::Product product = model::Product::lync2013;  // decides the key's provider (model/product.hpp)
};

std::string render_certreq_inf(const model::CertificateRequirement& certificate, const InfContext& context);

// The subject as Windows writes it: "CN=sip.contoso.com, O=Contoso Ltd, ..., C=US";
// a value holding a comma, quote, plus, semicolon, angle bracket or '=' is quoted.
std::string windows_subject(const model::CertificateRequirement& certificate);

}  // namespace certtool::report
