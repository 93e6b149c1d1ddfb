#include "acme/state.hpp"

#include <nlohmann/json.hpp>

#include "core/diagnostic.hpp"
#include "core/json_bounded.hpp"
#include "fs/safe_file.hpp"

namespace certtool::acme {

namespace {

constexpr const char* kSchema = "certtool.acme-state/v1";

std::string text(const nlohmann::json& doc, const char* name) {
    const auto it = doc.find(name);
    return it != doc.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

State load_state(const std::string& out_dir) {
    State state;
    const std::string path = out_dir + "/" + kStateFile;
    if (!fs::exists(path)) return state;
    const std::string content = fs::read_file_bounded(path, 16 << 20, "acme.state");
    const auto parsed = parse_json_bounded(content);
    if (!parsed.ok || !parsed.document.is_object() || text(parsed.document, "schema") != kSchema)
        throw InputError(Diagnostic{"acme.state", path, "", parsed.line, parsed.column,
                                    "is not a certtool.acme-state/v1 file" + (parsed.ok ? std::string() : ": its JSON " + parsed.problem) +
                                        "; move it away to start afresh (orders it names are then made again)"});
    const auto& doc = parsed.document;
    state.directory = text(doc, "directory");
    if (const auto account = doc.find("account"); account != doc.end() && account->is_object()) {
        state.account_url = text(*account, "url");
        state.account_thumbprint = text(*account, "key_thumbprint");
    }
    if (const auto orders = doc.find("orders"); orders != doc.end() && orders->is_object())
        for (const auto& [id, o] : orders->items()) {
            if (!o.is_object()) continue;
            state.orders[id] = {text(o, "url"), text(o, "status"), text(o, "csr_sha256"), text(o, "certificate_url"),
                                text(o, "certificate_sha256"), text(o, "updated")};
        }
    return state;
}

void save_state(const std::string& out_dir, const State& state) {
    nlohmann::ordered_json doc;
    doc["schema"] = kSchema;
    doc["directory"] = state.directory;
    doc["account"] = {{"url", state.account_url}, {"key_thumbprint", state.account_thumbprint}};
    nlohmann::ordered_json orders = nlohmann::ordered_json::object();
    for (const auto& [id, o] : state.orders)
        orders[id] = {{"url", o.url},
                      {"status", o.status},
                      {"csr_sha256", o.csr_sha256},
                      {"certificate_url", o.certificate_url},
                      {"certificate_sha256", o.certificate_sha256},
                      {"updated", o.updated}};
    doc["orders"] = std::move(orders);
    fs::write_file_atomic(out_dir + "/" + kStateFile, doc.dump(2) + "\n", {0600, true});
}

}  // namespace certtool::acme
