// Byte-level helpers the tests build or read protocol data with, written
// independently of lib/crypto so that they can check it.
#pragma once

#include <cstddef>
#include <string>

namespace certtool::test {

// Big-endian 16- and 24-bit lengths, as TLS records and handshakes carry them.
inline void put16(std::string& s, std::size_t v) {
    s += static_cast<char>((v >> 8) & 0xff);
    s += static_cast<char>(v & 0xff);
}
inline void put24(std::string& s, std::size_t v) {
    s += static_cast<char>((v >> 16) & 0xff);
    put16(s, v);
}

// Base64 in either alphabet (RFC 4648 4: '+' '/'; 5, base64url: '-' '_');
// padding, newlines and other characters are skipped.
inline std::string base64_decode(const std::string& text) {
    std::string out;
    unsigned value = 0;
    int bits = 0;
    for (const char c : text) {
        int d = -1;
        if (c >= 'A' && c <= 'Z') d = c - 'A';
        else if (c >= 'a' && c <= 'z') d = c - 'a' + 26;
        else if (c >= '0' && c <= '9') d = c - '0' + 52;
        else if (c == '+' || c == '-') d = 62;
        else if (c == '/' || c == '_') d = 63;
        if (d < 0) continue;
        value = (value << 6) | static_cast<unsigned>(d);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((value >> bits) & 0xff);
        }
    }
    return out;
}

}  // namespace certtool::test
