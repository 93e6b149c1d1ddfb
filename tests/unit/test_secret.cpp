// Secret: a passphrase is wiped wherever it goes, and never copied by accident.
#include <catch2/catch.hpp>
#include <string>
#include <type_traits>
#include <utility>

#include "core/secret.hpp"

using certtool::Secret;

static_assert(!std::is_copy_constructible_v<Secret> && !std::is_copy_assignable_v<Secret>,
              "a copy of a secret must be asked for with copy()");
static_assert(std::is_nothrow_move_constructible_v<Secret> && std::is_nothrow_move_assignable_v<Secret>);
static_assert(!std::is_constructible_v<Secret, const std::string&>, "taking a secret from a string that stays unwiped");

TEST_CASE("secret: holds a value or none, moves, and copies only on purpose", "[secret]") {
    Secret none;
    CHECK_FALSE(none.has_value());
    CHECK_FALSE(none.value().has_value());
    Secret absent = std::nullopt;
    CHECK_FALSE(absent);

    Secret pass(std::string("correct horse battery staple"));
    REQUIRE(pass);
    CHECK(*pass == "correct horse battery staple");
    CHECK(pass.value() == std::optional<std::string>("correct horse battery staple"));

    Secret copy = pass.copy();
    CHECK(*copy == *pass);
    copy.wipe();
    CHECK_FALSE(copy);
    CHECK(*pass == "correct horse battery staple");

    Secret moved = std::move(pass);
    CHECK(*moved == "correct horse battery staple");
    CHECK_FALSE(pass.has_value());  // NOLINT(bugprone-use-after-move): a moved-from secret holds nothing

    Secret short_one(std::string("pw"));
    moved = std::move(short_one);
    CHECK(*moved == "pw");
    CHECK_FALSE(short_one.has_value());  // NOLINT(bugprone-use-after-move)
}

TEST_CASE("secret: the string it was made from is wiped, its whole buffer", "[secret]") {
    std::string source(100, 'p');
    const char* buffer = source.data();
    const Secret secret(std::move(source));
    CHECK(*secret == std::string(100, 'p'));
    // A moved-from std::string may keep its buffer: every byte of it is zero.
    if (source.data() == buffer) {
        for (std::size_t i = 0; i < 100; ++i) CHECK(buffer[i] == '\0');
    }
    CHECK(source.empty());

    std::string text = "a longer passphrase than fits in place";
    text.resize(5);  // the rest is still in the buffer
    const char* data = text.data();
    certtool::wipe_string(text);
    CHECK(text.empty());
    for (std::size_t i = 0; i < 38; ++i) CHECK(data[i] == '\0');
}
