// Limits on the work a password-protected file may ask for. A PKCS#12 file or
// an encrypted PKCS#8 key states its own cost: the iteration count of its MAC
// and of each key derivation (PBKDF2, the PKCS#12 KDF, PKCS#5 v1), or scrypt's
// N, r and p. A hostile file with 2^31 iterations would keep certtool busy for
// minutes before a password is even known to be wrong, so every cost is checked
// before anything is derived. Private to lib/crypto (OpenSSL types).
#pragma once

#include <openssl/pkcs12.h>
#include <openssl/x509.h>

#include <string>

namespace certtool::crypto::pbe {

// One key derivation or MAC: at most this many iterations (for scrypt, N*r*p).
// Windows writes 2000 or 10000, OpenSSL 2048, certtool pfx at most 600000.
inline constexpr long long kMaxIterations = 1'000'000;
// A whole PKCS#12 file: at most this much in total (MAC, every encrypted safe,
// every shrouded key bag), so that many safes cannot add up to minutes either.
inline constexpr long long kMaxTotalIterations = 4'000'000;

// Throws CryptoError(code) when the PBE algorithm `algorithm` asks for more than
// kMaxIterations (or for a count below 1); `what` names it in the message.
// Returns its cost; 0 for an algorithm it does not know (OpenSSL refuses those).
long long check_algorithm(const X509_ALGOR* algorithm, const std::string& code, const std::string& what);

// Throws CryptoError "cert.pkcs12-iterations" when the MAC, an encrypted safe or
// a shrouded key bag of `p12` asks for too much, alone or in total. With
// `decrypt`, each encrypted safe (once its own cost is checked) is decrypted with
// the password to check the key bags inside it too; without, only what can be
// seen without the password is checked. Never throws for anything else:
// whatever cannot be decoded is left to the caller's own reading.
void check_pkcs12(PKCS12* p12, bool decrypt, const char* password, int password_length);

// Throws CryptoError "key.iterations" when an "ENCRYPTED PRIVATE KEY" block of
// the PEM text asks for too much.
void check_pem_keys(const char* pem, int length);

}  // namespace certtool::crypto::pbe
