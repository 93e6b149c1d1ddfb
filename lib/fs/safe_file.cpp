#include "fs/safe_file.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>

#include "core/diagnostic.hpp"

namespace certtool::fs {

namespace {

constexpr std::string_view kTempPrefix = ".certtool-tmp.";

[[noreturn]] void fail(const std::string& code, const std::string& path, const std::string& message) {
    throw InputError(Diagnostic{code, path, "", 0, 0, message});
}

std::string errno_text(int err) { return std::strerror(err); }

std::string directory_of(const std::string& path) {
    const auto slash = path.find_last_of('/');
    if (slash == std::string::npos) return ".";
    if (slash == 0) return "/";
    return path.substr(0, slash);
}

std::string random_suffix() {
    static thread_local std::mt19937_64 engine{std::random_device{}()};
    static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    std::string out;
    for (int i = 0; i < 12; ++i) out += kAlphabet[engine() % (sizeof kAlphabet - 1)];
    return out;
}

void write_all(int fd, std::string_view content, const std::string& path) {
    std::size_t done = 0;
    while (done < content.size()) {
        const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            fail("output.io", path, "cannot write: " + errno_text(errno));
        }
        done += static_cast<std::size_t>(n);
    }
}

// rename without replacing: renameat2(RENAME_NOREPLACE), or link+unlink where
// the file system does not support it.
bool rename_no_replace(const std::string& from, const std::string& to, int* err) {
    if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0) return true;
    if (errno != EINVAL && errno != ENOSYS) {
        *err = errno;
        return false;
    }
    if (::link(from.c_str(), to.c_str()) != 0) {
        *err = errno;
        return false;
    }
    ::unlink(from.c_str());
    return true;
}

}  // namespace

bool exists(const std::string& path) {
    struct stat st {};
    return ::lstat(path.c_str(), &st) == 0;
}

bool is_symlink(const std::string& path) {
    struct stat st {};
    return ::lstat(path.c_str(), &st) == 0 && S_ISLNK(st.st_mode);
}

bool is_regular_file(const std::string& path) {
    struct stat st {};
    return ::lstat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

void write_file_atomic(const std::string& path, std::string_view content, const WriteOptions& options) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) == 0) {
        if (S_ISLNK(st.st_mode)) fail("output.symlink", path, "is a symbolic link; refusing to write through it");
        if (!S_ISREG(st.st_mode)) fail("output.io", path, "exists and is not a regular file");
        if (!options.replace_existing) fail("output.exists", path, "already exists; refusing to overwrite it");
    }

    const std::string dir = directory_of(path);
    const std::string temp = dir + "/" + std::string(kTempPrefix) + random_suffix();
    // O_EXCL|O_NOFOLLOW: a file planted at the temp name is never opened; the
    // mode is set at creation, so a key is never readable by others, even briefly.
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, options.mode);
    if (fd < 0) fail("output.io", path, "cannot create a file in " + dir + ": " + errno_text(errno));
    try {
        write_all(fd, content, path);
        if (::fsync(fd) != 0) fail("output.io", path, "cannot sync: " + errno_text(errno));
    } catch (...) {
        ::close(fd);
        ::unlink(temp.c_str());
        throw;
    }
    if (::close(fd) != 0) {
        const int err = errno;
        ::unlink(temp.c_str());
        fail("output.io", path, "cannot close: " + errno_text(err));
    }

    int err = 0;
    const bool renamed = options.replace_existing ? ::rename(temp.c_str(), path.c_str()) == 0
                                                  : rename_no_replace(temp, path, &err);
    if (!renamed) {
        if (options.replace_existing) err = errno;
        ::unlink(temp.c_str());
        if (err == EEXIST) fail("output.exists", path, "appeared while writing; refusing to overwrite it");
        fail("output.io", path, "cannot move the new file into place: " + errno_text(err));
    }
    // Make the rename itself durable.
    const int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir_fd >= 0) {
        ::fsync(dir_fd);
        ::close(dir_fd);
    }
}

std::vector<std::string> write_new_files(const std::string& dir, const std::map<std::string, std::string>& files, mode_t mode) {
    std::vector<Diagnostic> existing;
    for (const auto& [name, content] : files)
        if (exists(join(dir, name)))
            existing.push_back({"output.exists", join(dir, name), "", 0, 0, "already exists; nothing is overwritten: use a new --out folder"});
    if (!existing.empty()) throw InputError(std::move(existing));
    std::vector<std::string> written;
    try {
        for (const auto& [name, content] : files) {
            const std::string path = join(dir, name);
            write_file_atomic(path, content, {mode, false});
            written.push_back(path);
        }
    } catch (...) {
        for (const auto& path : written) ::unlink(path.c_str());
        throw;
    }
    return written;
}

void prepare_output_directory(const std::string& dir, bool create_missing) {
    struct stat st {};
    if (::stat(dir.c_str(), &st) != 0) {
        if (errno != ENOENT) fail("output.io", dir, "cannot inspect: " + errno_text(errno));
        if (!create_missing) fail("output.missing", dir, "output directory does not exist");
        if (::mkdir(dir.c_str(), 0700) != 0)
            fail("output.io", dir, "cannot create the output directory: " + errno_text(errno));
        if (::stat(dir.c_str(), &st) != 0) fail("output.io", dir, "cannot inspect: " + errno_text(errno));
    }
    if (!S_ISDIR(st.st_mode)) fail("output.not-a-directory", dir, "is not a directory");
    if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0)
        fail("output.unsafe-directory", dir,
             "other users can write to this directory and could replace the private keys written here; use a "
             "directory only you can write (chmod go-w)");
    if (st.st_uid != ::geteuid() && st.st_uid != 0)
        fail("output.unsafe-directory", dir, "is owned by another user, who could change its permissions");
    if (::access(dir.c_str(), W_OK | X_OK) != 0) fail("output.io", dir, "cannot write here: " + errno_text(errno));
}

std::optional<std::vector<std::string>> list_directory(const std::string& dir, bool directories) {
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) return std::nullopt;
    std::vector<std::string> found;
    while (const dirent* e = ::readdir(d)) {
        const std::string name = e->d_name;
        if (name.empty() || name[0] == '.') continue;
        struct stat st {};
        if (::stat((dir + "/" + name).c_str(), &st) != 0) continue;
        if (directories ? S_ISDIR(st.st_mode) : S_ISREG(st.st_mode)) found.push_back(name);
    }
    ::closedir(d);
    std::sort(found.begin(), found.end());
    return found;
}

void remove_stale_temporaries(const std::string& dir) {
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) return;
    while (const dirent* entry = ::readdir(d)) {
        const std::string_view name = entry->d_name;
        if (name.substr(0, kTempPrefix.size()) == kTempPrefix) ::unlinkat(::dirfd(d), entry->d_name, 0);
    }
    ::closedir(d);
}

std::string keep_replaced(const std::string& path, std::string_view previous, const std::string& stamp, mode_t mode) {
    std::string kept = path + ".replaced-" + stamp;
    for (int n = 2; exists(kept) && n < 100; ++n) kept = path + ".replaced-" + stamp + "-" + std::to_string(n);
    write_file_atomic(kept, previous, {mode, false});
    return kept;
}

std::string read_file_bounded(const std::string& path, std::size_t max_bytes, const std::string& code_prefix) {
    // O_NONBLOCK: opening a FIFO nobody writes to would otherwise wait forever
    // (it now reads as empty); reads are blocking again once it is open.
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) fail(code_prefix + ".io", path, "cannot open: " + errno_text(errno));
    if (const int flags = ::fcntl(fd, F_GETFL); flags >= 0) ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
    struct stat st {};
    if (::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        ::close(fd);
        fail(code_prefix + ".io", path, "is a directory, not a file");
    }
    const std::string too_large = "file is larger than the limit of " + std::to_string(max_bytes) + " bytes; is this the right file?";
    if (S_ISREG(st.st_mode) && static_cast<unsigned long long>(st.st_size) > max_bytes) {
        ::close(fd);
        fail(code_prefix + ".too-large", path, too_large);
    }
    std::string out;
    if (S_ISREG(st.st_mode)) out.reserve(static_cast<std::size_t>(st.st_size));
    std::array<char, 65536> buffer;  // not cleared: read() fills what is used
    for (;;) {
        const ssize_t n = ::read(fd, buffer.data(), buffer.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            const int err = errno;
            ::close(fd);
            fail(code_prefix + ".io", path, "cannot read: " + errno_text(err));
        }
        if (n == 0) break;
        if (out.size() + static_cast<std::size_t>(n) > max_bytes) {
            ::close(fd);
            fail(code_prefix + ".too-large", path, too_large);
        }
        out.append(buffer.data(), static_cast<std::size_t>(n));
    }
    ::close(fd);
    return out;
}

std::string join(const std::string& dir, const std::string& name) {
    return (std::filesystem::path(dir) / name).string();
}

std::string base_name(const std::string& path) { return path.substr(path.find_last_of('/') + 1); }

std::string parent_of(const std::string& path) {
    std::string trimmed = path;
    while (trimmed.size() > 1 && trimmed.back() == '/') trimmed.pop_back();
    const auto slash = trimmed.find_last_of('/');
    if (slash == std::string::npos) return ".";
    return slash == 0 ? "/" : trimmed.substr(0, slash);
}

}  // namespace certtool::fs
