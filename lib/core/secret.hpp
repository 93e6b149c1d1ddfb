// A passphrase or password while certtool holds it. The memory that held it is
// overwritten when the Secret goes, however it goes (a return, an exception),
// so no path can forget the wipe. Move-only: a copy made by accident would be
// a copy nobody wipes; copy() makes a second one on purpose, wiped on its own.
#pragma once

#include <optional>
#include <string>

namespace certtool {

class Secret {
public:
    Secret() noexcept = default;              // none given
    Secret(std::nullopt_t) noexcept {}        // none given, as an absent optional reads
    // Takes the value; what was left in `value` is wiped (a moved-from string
    // keeps short values in its own buffer).
    Secret(std::string&& value);
    ~Secret();
    Secret(Secret&& other) noexcept;
    Secret& operator=(Secret&& other) noexcept;
    Secret(const Secret&) = delete;
    Secret& operator=(const Secret&) = delete;

    [[nodiscard]] Secret copy() const;

    [[nodiscard]] bool has_value() const noexcept { return value_.has_value(); }
    explicit operator bool() const noexcept { return has_value(); }
    // The value; only when has_value().
    [[nodiscard]] const std::string& operator*() const { return *value_; }
    [[nodiscard]] const std::string* operator->() const { return &*value_; }
    // What lib/crypto's readers take, as a reference: no copy of the secret is made.
    [[nodiscard]] const std::optional<std::string>& value() const noexcept { return value_; }

    // Wipes now and holds nothing.
    void wipe() noexcept;

private:
    std::optional<std::string> value_;
};

// Overwrites every byte `text` holds (its whole buffer, not only its length),
// then empties it.
void wipe_string(std::string& text) noexcept;

}  // namespace certtool
