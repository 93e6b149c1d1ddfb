// Safe file writing: the guarantees private keys depend on.
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <string>

#include "core/diagnostic.hpp"
#include "fs/safe_file.hpp"
#include "temp_dir.hpp"

using namespace certtool;

namespace {

using certtool::test::TempDir;

std::string code_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const InputError& e) {
        return e.diagnostics().front().code;
    }
    return "";
}

std::string slurp(const std::string& path) {
    std::ifstream in(path);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

mode_t mode_of(const std::string& path) {
    struct stat st {};
    ::stat(path.c_str(), &st);
    return st.st_mode & 07777;
}

}  // namespace

TEST_CASE("fs: a key file is created 0600 even under a permissive umask", "[fs]") {
    TempDir dir;
    const mode_t old = ::umask(0);
    fs::write_file_atomic(dir.path() + "/k.pem", "secret", {0600, false});
    ::umask(old);
    CHECK(mode_of(dir.path() + "/k.pem") == 0600);
    CHECK(slurp(dir.path() + "/k.pem") == "secret");
}

TEST_CASE("fs: an existing file is never overwritten unless asked", "[fs]") {
    TempDir dir;
    const auto path = dir.path() + "/a.txt";
    fs::write_file_atomic(path, "one", {});
    CHECK(code_of([&] { fs::write_file_atomic(path, "two", {}); }) == "output.exists");
    CHECK(slurp(path) == "one");
    fs::write_file_atomic(path, "three", {0644, true});
    CHECK(slurp(path) == "three");
}

TEST_CASE("fs: keep_replaced keeps the old content beside the file, one name per run of the same second", "[fs]") {
    TempDir dir;
    const auto path = dir.path() + "/a.pfx";
    fs::write_file_atomic(path, "old", {0600, false});
    const std::string first = fs::keep_replaced(path, "old", "20261204T150000Z", 0600);
    CHECK(first == path + ".replaced-20261204T150000Z");
    CHECK(slurp(first) == "old");
    CHECK(mode_of(first) == 0600);
    const std::string second = fs::keep_replaced(path, "older", "20261204T150000Z", 0644);
    CHECK(second == path + ".replaced-20261204T150000Z-2");
    CHECK(slurp(second) == "older");
    CHECK(mode_of(second) == 0644);
    CHECK(slurp(first) == "old");
    CHECK(slurp(path) == "old");  // the file itself is the caller's to replace
}

TEST_CASE("fs: refuses to write through a symbolic link", "[fs]") {
    TempDir dir;
    const auto target = dir.path() + "/target";
    const auto link = dir.path() + "/link";
    REQUIRE(::symlink(target.c_str(), link.c_str()) == 0);
    CHECK(code_of([&] { fs::write_file_atomic(link, "x", {0600, true}); }) == "output.symlink");
    CHECK_FALSE(fs::exists(target));
}

TEST_CASE("fs: no temporary file is left behind, and stale ones are cleaned", "[fs]") {
    TempDir dir;
    fs::write_file_atomic(dir.path() + "/a", "x", {});
    std::ofstream(dir.path() + "/.certtool-tmp.stale") << "half";
    fs::remove_stale_temporaries(dir.path());
    CHECK_FALSE(fs::exists(dir.path() + "/.certtool-tmp.stale"));
    CHECK(fs::exists(dir.path() + "/a"));
}

TEST_CASE("fs: output directories other users can write are refused", "[fs]") {
    TempDir dir;
    const auto out = dir.path() + "/out";
    CHECK(code_of([&] { fs::prepare_output_directory(out, false); }) == "output.missing");
    fs::prepare_output_directory(out, true);
    CHECK(mode_of(out) == 0700);
    ::chmod(out.c_str(), 0777);
    CHECK(code_of([&] { fs::prepare_output_directory(out, false); }) == "output.unsafe-directory");
    ::chmod(out.c_str(), 0755);
    CHECK(code_of([&] { fs::prepare_output_directory(out, false); }).empty());
    std::ofstream(dir.path() + "/file") << "x";
    CHECK(code_of([&] { fs::prepare_output_directory(dir.path() + "/file", false); }) == "output.not-a-directory");
}

TEST_CASE("fs: bounded reads name the file and stop at the limit", "[fs]") {
    TempDir dir;
    std::ofstream(dir.path() + "/f") << "0123456789";
    CHECK(fs::read_file_bounded(dir.path() + "/f", 10, "x") == "0123456789");
    CHECK(code_of([&] { fs::read_file_bounded(dir.path() + "/f", 9, "x"); }) == "x.too-large");
    CHECK(code_of([&] { fs::read_file_bounded("/dev/zero", 1000, "x"); }) == "x.too-large");
    CHECK(code_of([&] { fs::read_file_bounded(dir.path() + "/missing", 10, "x"); }) == "x.io");
    CHECK(code_of([&] { fs::read_file_bounded(dir.path(), 10, "x"); }) == "x.io");
}

TEST_CASE("fs: a folder and a name are joined with one slash, however the folder was typed", "[fs]") {
    CHECK(fs::join("certs", "a.pem") == "certs/a.pem");
    CHECK(fs::join("certs/", "a.pem") == "certs/a.pem");
    CHECK(fs::join("/", "a.pem") == "/a.pem");
    CHECK(fs::join("", "a.pem") == "a.pem");
    CHECK(fs::join("out/2026-11-23", "renewal.json") == "out/2026-11-23/renewal.json");
    CHECK(fs::parent_of("out") == ".");
    CHECK(fs::parent_of("out/") == ".");
    CHECK(fs::parent_of("a/b") == "a");
    CHECK(fs::parent_of("a/b/") == "a");
    CHECK(fs::parent_of("/x") == "/");
    CHECK(fs::parent_of("/x/") == "/");
}
