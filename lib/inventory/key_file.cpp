#include "inventory/key_file.hpp"

#include "fs/safe_file.hpp"

namespace certtool::inventory {

namespace {

bool looks_encrypted(const std::string& pem) {
    return pem.find("ENCRYPTED PRIVATE KEY") != std::string::npos || pem.find("Proc-Type: 4,ENCRYPTED") != std::string::npos;
}

}  // namespace

Secret read_key_bytes(const std::string& path, const std::string& code_prefix) {
    return Secret(fs::read_file_bounded(path, kMaxKeyFile, code_prefix));
}

KeyFile read_key_file(const std::string& path, const Secret& passphrase, const std::string& code_prefix) {
    const Secret pem = read_key_bytes(path, code_prefix);
    return {crypto::load_private_key_pem(*pem, passphrase.value()), looks_encrypted(*pem)};
}

}  // namespace certtool::inventory
