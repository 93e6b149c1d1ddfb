#include "report/certreq_inf.hpp"

#include <cstdio>

#include "report/templates.hpp"

namespace certtool::report {

namespace {

// X.500 string rules as certreq parses them: quote values with special
// characters; a quote inside a quoted value is doubled.
std::string rdn_value(const std::string& value) {
    if (value.find_first_of(",\"+;<>=#") == std::string::npos && value.front() != ' ' && value.back() != ' ')
        return value;
    std::string out = "\"";
    for (char c : value) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

// An INF string value is enclosed in double quotes; a quote inside is doubled.
std::string inf_quoted_content(const std::string& value) {
    std::string out;
    for (char c : value) {
        if (c == '"') out += '"';
        out += c;
    }
    return out;
}

std::string key_usage_hex(const std::vector<std::string>& usages) {
    // CERT_DIGITAL_SIGNATURE_KEY_USAGE 0x80, CERT_KEY_ENCIPHERMENT_KEY_USAGE 0x20, CERT_KEY_AGREEMENT 0x08
    unsigned bits = 0;
    for (const auto& u : usages) {
        if (u == "digitalSignature") bits |= 0x80;
        if (u == "keyEncipherment") bits |= 0x20;
        if (u == "keyAgreement") bits |= 0x08;
    }
    char text[16];
    std::snprintf(text, sizeof text, "0x%02x", bits);
    return text;
}

std::string eku_line(const std::string& eku) {
    if (eku == "serverAuth") return "OID = 1.3.6.1.5.5.7.3.1 ; Server Authentication";
    if (eku == "clientAuth") return "OID = 1.3.6.1.5.5.7.3.2 ; Client Authentication";
    return "OID = " + eku;
}

}  // namespace

std::string windows_subject(const model::CertificateRequirement& c) {
    std::string out = "CN=" + rdn_value(c.common_name);
    const auto add = [&](const char* key, const std::string& value) {
        if (!value.empty()) out += std::string(", ") + key + "=" + rdn_value(value);
    };
    add("OU", c.organization.organizational_unit);
    add("O", c.organization.organization);
    add("L", c.organization.locality);
    add("S", c.organization.state);
    add("C", c.organization.country);
    return out;
}

std::string render_certreq_inf(const model::CertificateRequirement& c, const InfContext& context) {
    const model::ProductFacts& product = model::facts(context.product);
    std::string key_lines;
    if (!product.cng_keys)  // PR3861
        key_lines = "; " + std::string(product.name) +
                    " does not support keys in a CNG key storage provider (PR3861): only a CryptoAPI provider will do.\n";
    if (c.key.algorithm == topology::KeyAlgorithm::rsa) {
        // The SChannel provider, key exchange key: what IIS, the Lync wizard and
        // Edge TLS use (RP-REQ: key spec "Exchange"). A CryptoAPI provider
        // (WIN-CSP), so also what Skype for Business Server 2015 needs (PR3861).
        key_lines += "KeyAlgorithm = RSA\nKeyLength = " + std::to_string(c.key.bits) +
                     "\nKeySpec = 1\nProviderName = \"" + std::string(model::kSchannelProvider) + "\"\nProviderType = 12";
    } else {
        // ECDSA keys exist only in CNG key storage providers (WIN-KSP); with a
        // product that cannot use them the plan has the error ecdsa-not-in-product.
        const std::string curve = c.key.curve_name();  // "P-256"
        key_lines += "KeyAlgorithm = ECDSA_P" + curve.substr(2) + "\nKeyLength = " + std::to_string(c.key.bits) +
                     "\nProviderName = \"Microsoft Software Key Storage Provider\"";
    }

    std::string eku_lines;
    for (const auto& eku : c.eku) eku_lines += (eku_lines.empty() ? "" : "\n") + eku_line(eku);

    std::string san_lines;
    for (std::size_t i = 0; i < c.sans.size(); ++i)
        san_lines += std::string(i == 0 ? "" : "\n") + "_continue_ = \"dns=" + c.sans[i].name +
                     (i + 1 < c.sans.size() ? "&" : "") + "\"";

    std::string attributes;
    if (context.ms_template)
        attributes = "\n[RequestAttributes]\nCertificateTemplate = \"" + inf_quoted_content(*context.ms_template) + "\"\n";

    return render_template(template_text("certreq.inf"),
                           {{"id", c.id},
                            {"topology", context.topology_path},
                            {"plan_sha256", context.plan_sha256},
                            {"subject", inf_quoted_content(windows_subject(c))},
                            {"key_lines", key_lines},
                            {"hash", c.signature_hash},
                            {"exportable", c.exportable_key ? "TRUE" : "FALSE"},
                            {"key_usage", key_usage_hex(c.key_usage)},
                            {"eku_lines", eku_lines},
                            {"san_lines", san_lines},
                            {"request_attributes", attributes}});
}

}  // namespace certtool::report
