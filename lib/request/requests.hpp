// `certtool csr`: a private key, a PKCS#10 request and a certreq INF for every
// certificate of the plan, plus a manifest for scripts. Everything is built and
// checked in memory first (each CSR read back by Botan and compared with the
// plan); only then is anything written, each file atomically.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/secret.hpp"
#include "model/plan.hpp"

namespace certtool::request {

struct Options {
    std::string out_dir;
    std::vector<std::string> only;          // ids or roles; empty = all
    std::optional<int> key_bits;            // overrides the policy's RSA size (or EC curve size)
    bool new_key = false;                   // replace existing keys (the old one is kept as <id>.key.replaced-<time>)
    Secret passphrase;                      // encrypts new keys, and opens existing encrypted ones
    bool encrypt_keys = false;              // new keys are written encrypted (needs a passphrase)
    std::optional<std::string> ms_template;
    bool force = false;            // write even when the plan has error findings (else InputError model::kPlanHasErrors)
    bool allow_weak_keys = false;  // accept RSA 1024
    unsigned jobs = 0;             // key generation threads; 0 = one per core
    // id -> a key file outside out_dir to use for that certificate instead of
    // <out_dir>/<id>.key (certtool renew --reuse-key): it must exist and be a key
    // of the planned kind; it is loaded, never generated, written or replaced
    // (new_key does not apply to it), and the manifest names it by this path.
    std::map<std::string, std::string> existing_key_files;
};

struct Written {
    std::string id;
    std::string key_file;  // <out_dir>/<id>.key, or the existing_key_files path
    std::string csr_file;
    std::string inf_file;
    bool key_reused = false;
    std::string replaced_key_file;  // where the previous key went with --new-key ("" if none)
    bool key_encrypted = false;
    std::string public_key_sha256;
};

struct Result {
    std::vector<Written> written;
    std::string manifest_file;
    std::vector<std::string> warnings;  // for the admin, e.g. weak keys
};

// Called after each certificate is prepared: (done, total, id).
using Progress = std::function<void(std::size_t, std::size_t, const std::string&)>;

// Throws certtool::InputError (bad options, unsafe output directory, existing
// files that cannot be used, a plan with errors without `force`) before writing
// anything. A CSR that does not read back as planned is a std::runtime_error
// (a bug), also before anything is written.
Result write_requests(const model::Plan& plan, const Options& options, const Progress& progress = {});

// One certificate of the manifest.json that write_requests keeps in its folder.
struct ManifestEntry {
    std::string id;
    std::string role;
    std::string key_file;           // a path to open: inside the folder, unless the manifest names a key elsewhere (renew --reuse-key)
    std::string csr_file;           // a path to open, inside the folder ("" when the entry names none)
    std::string public_key_sha256;  // lower-case hex, as written
    bool key_encrypted = false;
    std::string pointer;            // "/certificates/3": where it is in the manifest, for messages
};

struct Manifest {
    std::string file;                          // <dir>/manifest.json
    std::vector<ManifestEntry> certificates;   // in manifest order (plan order)
};

// Reads <dir>/manifest.json (certtool.csr-manifest/v1, at most 64 MiB). Every
// problem (unreadable, not JSON, another schema, a certificate without id or
// key_file, an id twice, an id that is no file name) is an InputError with
// `error_code`, naming the file and the JSON Pointer; all are reported at once.
Manifest read_manifest(const std::string& dir, const std::string& error_code);


}  // namespace certtool::request
