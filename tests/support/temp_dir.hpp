// A fresh directory under the system temp directory, removed with everything
// in it when the test ends (even where a test made parts of it read-only).
#pragma once

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

namespace certtool::test {

class TempDir {
public:
    explicit TempDir(const std::string& prefix = "certtool-test") {
        std::string pattern = (std::filesystem::temp_directory_path() / (prefix + ".XXXXXX")).string();
        if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
        path_ = pattern;
    }
    ~TempDir() {
        namespace fs = std::filesystem;
        std::error_code ignored;
        for (auto it = fs::recursive_directory_iterator(path_, ignored); it != fs::recursive_directory_iterator();
             it.increment(ignored))
            if (it->is_directory(ignored) && !it->is_symlink(ignored))
                fs::permissions(it->path(), fs::perms::owner_all, fs::perm_options::add, ignored);
        fs::remove_all(path_, ignored);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    [[nodiscard]] const std::string& path() const { return path_; }
    [[nodiscard]] std::string path(const std::string& name) const { return path_ + "/" + name; }
    std::string operator/(const std::string& name) const { return path(name); }

    // Writes `content` to `name` inside the directory and returns its path.
    [[nodiscard]] std::string file(const std::string& name, const std::string& content) const {
        const std::string p = path(name);
        std::ofstream out(p, std::ios::binary);
        out << content;
        out.close();
        if (!out) throw std::runtime_error("cannot write " + p);
        return p;
    }

private:
    std::string path_;
};

}  // namespace certtool::test
