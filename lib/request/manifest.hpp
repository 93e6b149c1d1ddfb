// Reading the manifest `certtool csr` writes (certtool.csr-manifest/v1, README
// `certtool csr`), for the verbs that take a whole csr run: `ca sign
// --manifest`. Unknown members are left alone (the format grows additively).
#pragma once

#include <string>
#include <vector>

namespace certtool::request {

struct ManifestEntry {
    std::string id;
    std::string role;
    std::string csr_file;  // a path: the manifest's csr_file joined to the manifest's folder
    std::string key_file;  // likewise (an absolute key_file, as renew --reuse-key writes, stays as it is)
    std::string public_key_sha256;
};

struct Manifest {
    std::string file;
    std::string dir;  // the folder holding the manifest
    std::string topology_path;
    std::string topology_sha256;
    std::vector<ManifestEntry> certificates;  // in the manifest's order
};

// Throws InputError: manifest.io, manifest.too-large (the file), manifest.invalid
// (not JSON, not certtool.csr-manifest/v1, an entry without id or csr_file, an
// id given twice: every problem listed, with its JSON Pointer).
Manifest read_manifest(const std::string& file);

}  // namespace certtool::request
