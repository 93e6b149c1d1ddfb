// JSON Web Signatures as RFC 8555 section 6.2 wants them: flattened JSON
// serialization, protected header with alg, nonce and url, and either the
// account's JWK (newAccount) or its URL as kid (everything after). Also the
// JWK thumbprint (RFC 7638), the dns-01 key authorization and TXT value
// (RFC 8555 section 8.1, 8.4) and external account binding (section 7.3.4).
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "crypto/jose.hpp"
#include "crypto/keys.hpp"

namespace certtool::acme {

// The JWK of the account key's public half, as a JSON object.
nlohmann::json jwk_json(const crypto::JwkMembers& jwk);

// RFC 7638: base64url(SHA-256(the required members, in lexicographic order, no whitespace)).
std::string jwk_thumbprint(const crypto::JwkMembers& jwk);

// RFC 8555 section 8.1: token "." thumbprint.
std::string key_authorization(const std::string& token, const std::string& thumbprint);

// RFC 8555 section 8.4: the TXT record's value, base64url(SHA-256(key authorization)).
std::string dns01_txt_value(const std::string& key_authorization);

// A flattened JWS. `payload` nullopt is POST-as-GET (an empty payload, RFC 8555
// section 6.3). `kid` empty: the JWK goes in the header (newAccount, revocation
// by certificate key).
std::string sign_request(const crypto::PrivateKey& key, const std::string& url, const std::string& nonce, const std::string& kid,
                         const std::optional<nlohmann::json>& payload);

// The externalAccountBinding member of a newAccount payload: a JWS with alg
// HS256, the CA's key id as kid, the newAccount URL, and the account's JWK as
// payload, MACed with the key the CA gave (already base64url-decoded).
nlohmann::json external_account_binding(const crypto::JwkMembers& account_jwk, const std::string& eab_kid,
                                        const std::string& hmac_key, const std::string& new_account_url);

}  // namespace certtool::acme
