// What `certtool acme` remembers between runs, per --out folder
// (acme-state.json, written atomically): the directory it talked to, the
// account, and per certificate id the order it made, so that a rerun after a
// failure or an interruption continues that order instead of making another.
#pragma once

#include <map>
#include <string>

namespace certtool::acme {

struct OrderState {
    std::string url;
    std::string status;            // the order's last known status
    std::string csr_sha256;        // of the CSR's DER: a new request means a new order
    std::string certificate_url;
    std::string certificate_sha256;
    std::string updated;           // UTC
};

struct State {
    std::string directory;
    std::string account_url;
    std::string account_thumbprint;  // RFC 7638 thumbprint of the account key the URL belongs to
    std::map<std::string, OrderState> orders;
};

inline constexpr const char* kStateFile = "acme-state.json";

// Reads DIR/acme-state.json; an empty State when there is none. Throws
// InputError "acme.state" naming the file when it exists but cannot be read.
State load_state(const std::string& out_dir);

// Writes it atomically (mode 0600), replacing the previous one.
void save_state(const std::string& out_dir, const State& state);

}  // namespace certtool::acme
