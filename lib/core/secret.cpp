#include "core/secret.hpp"

#include <string.h>

#include <utility>

namespace certtool {

void wipe_string(std::string& text) noexcept {
    // The bytes past size() belong to the string too (a shorter value written
    // over a longer one); resize() within the capacity never reallocates.
    text.resize(text.capacity());
    // explicit_bzero: a store the compiler may not remove as dead.
    ::explicit_bzero(text.data(), text.size());
    text.clear();
}

Secret::Secret(std::string&& value) : value_(std::in_place) {
    value_->reserve(value.size());
    value_->assign(value);
    wipe_string(value);
}

Secret::~Secret() { wipe(); }

Secret::Secret(Secret&& other) noexcept {
    if (other.value_) {
        // std::string's move would leave a short value in `other`'s buffer: swap
        // instead, then wipe what `other` holds.
        value_.emplace();
        value_->swap(*other.value_);
        other.wipe();
    }
}

Secret& Secret::operator=(Secret&& other) noexcept {
    if (this != &other) {
        wipe();
        if (other.value_) {
            value_.emplace();
            value_->swap(*other.value_);
            other.wipe();
        }
    }
    return *this;
}

Secret Secret::copy() const {
    if (!value_) return {};
    std::string text;
    text.reserve(value_->size());
    text.assign(*value_);
    return Secret(std::move(text));
}

void Secret::wipe() noexcept {
    if (!value_) return;
    wipe_string(*value_);
    value_.reset();
}

}  // namespace certtool
