// Writing files that hold private keys and requests: atomically (temp file in
// the same directory, fsync, rename), never through a symlink, never into a
// directory other users can write, never replacing a file unless asked. A run
// that is killed leaves either the old file or the new one, never a mix.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace certtool::fs {

struct WriteOptions {
    mode_t mode = 0644;              // the file is created with this mode (0600 for keys), never chmod-ed after
    bool replace_existing = false;  // false: an existing file is an error (code "output.exists")
};

// Throws certtool::InputError with codes "output.exists", "output.symlink",
// "output.io" naming the path.
void write_file_atomic(const std::string& path, std::string_view content, const WriteOptions& options);

// Keeps `previous` (what the file at `path` held) beside it as
// <path>.replaced-<stamp>, or <path>.replaced-<stamp>-2, ... when a run in the
// same second kept one already; written atomically with `mode`, never over a
// file. Returns the path written. For a file about to be replaced (--new-key,
// --force): the caller then writes the new one at `path`.
std::string keep_replaced(const std::string& path, std::string_view previous, const std::string& stamp, mode_t mode);

// Writes each of `files` (name -> content) into `dir`, atomically, replacing
// none: when one already exists nothing is written (InputError
// "output.exists" naming each), and when a write fails part-way the files this
// call wrote are removed again, so a run leaves all of them or none. Returns
// the paths written, in name order.
std::vector<std::string> write_new_files(const std::string& dir, const std::map<std::string, std::string>& files, mode_t mode);

// Checks that `dir` is a directory we can write and that no other user can
// write into (or replace files in): not group/other-writable, owned by us or
// root. Creates it (mode 0700) when create_missing and its parent exists.
// Throws InputError "output.not-a-directory", "output.unsafe-directory",
// "output.missing", "output.io".
void prepare_output_directory(const std::string& dir, bool create_missing);

// Removes temporary files a killed run may have left in `dir`.
void remove_stale_temporaries(const std::string& dir);

// Reads a whole file of at most max_bytes. Throws InputError with `code_prefix`
// + ".io" / ".too-large" naming the file.
std::string read_file_bounded(const std::string& path, std::size_t max_bytes, const std::string& code_prefix);

// Sorted names of the non-hidden entries of `dir` that are directories (or, with
// directories false, regular files); symbolic links are followed. nullopt when
// the directory cannot be read.
std::optional<std::vector<std::string>> list_directory(const std::string& dir, bool directories);

// `name` inside the folder `dir`, with one slash between them however `dir`
// was typed ("certs/" and "certs" both give "certs/a.pem"); `name` alone when
// `dir` is empty.
std::string join(const std::string& dir, const std::string& name);

// The last component of a path ("out/edge.pem" -> "edge.pem").
std::string base_name(const std::string& path);

// The folder that holds `path`, a trailing slash ignored: "out/" and "out"
// give ".", "a/b/" gives "a", "/x" gives "/".
std::string parent_of(const std::string& path);

// lstat-based: a symbolic link "exists" and is never followed.
bool exists(const std::string& path);
bool is_symlink(const std::string& path);
bool is_regular_file(const std::string& path);

}  // namespace certtool::fs
