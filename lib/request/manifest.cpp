#include "request/manifest.hpp"

#include <set>

#include "core/json_reader.hpp"
#include "fs/safe_file.hpp"

namespace certtool::request {

namespace {

constexpr std::size_t kMaxManifest = 64u << 20;  // ten thousand entries are a few MiB

std::string beside(const std::string& dir, const std::string& file) { return !file.empty() && file.front() == '/' ? file : fs::join(dir, file); }

}  // namespace

Manifest read_manifest(const std::string& file) {
    Manifest manifest;
    manifest.file = file;
    manifest.dir = fs::parent_of(file);
    const std::string text = fs::read_file_bounded(file, kMaxManifest, "manifest");
    JsonReader reader(file, "manifest", "a CSR manifest");
    reader.use_one_code("manifest.invalid");
    const auto doc = reader.parse(text);
    if (!doc) reader.throw_if_problems();
    if (!doc->is_object()) {
        reader.type_error("", "an object", *doc);
        reader.throw_if_problems();
    }
    const auto schema = reader.string_field(*doc, "schema", "", true);
    if (schema && *schema != "certtool.csr-manifest/v1")
        reader.error("manifest.invalid", "/schema", "not a manifest of certtool csr (certtool.csr-manifest/v1) but " + JsonReader::printable(*schema));
    reader.throw_if_problems();
    if (const auto* topology = reader.get(*doc, "topology", "", false); topology != nullptr && topology->is_object()) {
        manifest.topology_path = reader.string_field(*topology, "path", "/topology").value_or("");
        manifest.topology_sha256 = reader.string_field(*topology, "sha256", "/topology").value_or("");
    }
    std::set<std::string> ids;
    if (const auto* entries = reader.array_field(*doc, "certificates", "", true, false, "", "")) {
        for (std::size_t i = 0; i < entries->size(); ++i) {
            const auto& e = (*entries)[i];
            const std::string at = JsonReader::child("/certificates", i);
            if (!e.is_object()) {
                reader.type_error(at, "an object", e);
                continue;
            }
            ManifestEntry entry;
            entry.id = reader.string_field(e, "id", at, true).value_or("");
            entry.role = reader.string_field(e, "role", at).value_or("");
            entry.csr_file = reader.string_field(e, "csr_file", at, true).value_or("");
            entry.key_file = reader.string_field(e, "key_file", at).value_or("");
            entry.public_key_sha256 = reader.string_field(e, "public_key_sha256", at).value_or("");
            if (entry.id.empty() || entry.csr_file.empty()) continue;
            if (!ids.insert(entry.id).second) {
                reader.error("manifest.invalid", JsonReader::child(at, "id"), "the id " + JsonReader::printable(entry.id) + " is listed twice");
                continue;
            }
            entry.csr_file = beside(manifest.dir, entry.csr_file);
            if (!entry.key_file.empty()) entry.key_file = beside(manifest.dir, entry.key_file);
            manifest.certificates.push_back(std::move(entry));
        }
    }
    reader.throw_if_problems();
    return manifest;
}

}  // namespace certtool::request
