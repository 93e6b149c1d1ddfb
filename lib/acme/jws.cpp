#include "acme/jws.hpp"

namespace certtool::acme {

namespace {

std::string b64(const std::string& bytes) { return crypto::base64url_encode(bytes); }

}  // namespace

nlohmann::json jwk_json(const crypto::JwkMembers& jwk) {
    // nlohmann::json (not ordered_json) keeps members sorted, which is the
    // order RFC 7638 needs for the thumbprint.
    if (jwk.kty == "EC") return {{"crv", jwk.crv}, {"kty", jwk.kty}, {"x", jwk.x}, {"y", jwk.y}};
    return {{"e", jwk.e}, {"kty", jwk.kty}, {"n", jwk.n}};
}

std::string jwk_thumbprint(const crypto::JwkMembers& jwk) { return b64(crypto::sha256_bytes(jwk_json(jwk).dump())); }

std::string key_authorization(const std::string& token, const std::string& thumbprint) { return token + "." + thumbprint; }

std::string dns01_txt_value(const std::string& key_authorization) { return b64(crypto::sha256_bytes(key_authorization)); }

std::string sign_request(const crypto::PrivateKey& key, const std::string& url, const std::string& nonce, const std::string& kid,
                         const std::optional<nlohmann::json>& payload) {
    nlohmann::json header = {{"alg", crypto::jws_algorithm(key)}, {"nonce", nonce}, {"url", url}};
    if (kid.empty())
        header["jwk"] = jwk_json(crypto::public_jwk(key));
    else
        header["kid"] = kid;
    const std::string protected_b64 = b64(header.dump());
    const std::string payload_b64 = payload ? b64(payload->dump()) : std::string();
    const std::string signature = crypto::jws_sign(key, protected_b64 + "." + payload_b64);
    return nlohmann::json{{"protected", protected_b64}, {"payload", payload_b64}, {"signature", b64(signature)}}.dump();
}

nlohmann::json external_account_binding(const crypto::JwkMembers& account_jwk, const std::string& eab_kid,
                                        const std::string& hmac_key, const std::string& new_account_url) {
    const nlohmann::json header = {{"alg", "HS256"}, {"kid", eab_kid}, {"url", new_account_url}};
    const std::string protected_b64 = b64(header.dump());
    const std::string payload_b64 = b64(jwk_json(account_jwk).dump());
    const std::string mac = crypto::hmac_sha256(hmac_key, protected_b64 + "." + payload_b64);
    return {{"protected", protected_b64}, {"payload", payload_b64}, {"signature", b64(mac)}};
}

}  // namespace certtool::acme
