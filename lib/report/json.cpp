// The certtool.plan/v1 document. Field names and their order are the public
// contract (topology-and-plan-v1.md section 2) and are written in exactly one
// place: render_json below. It streams the text directly (a 100-site plan is
// tens of megabytes; building a JSON tree first took several times the plan's
// own memory), in the layout nlohmann's dump(2) produces, so the same plan
// always gives the same bytes.
#include <algorithm>
#include <cstdio>
#include <ostream>
#include <vector>

#include "report/report.hpp"

namespace certtool::report {

namespace {

// Pretty-printed JSON, two spaces per level; "[]" / "{}" for empty containers.
class JsonWriter {
public:
    // With a sink, the text is handed over in chunks (see flush_if_large), so
    // memory stays bounded however large the plan; without, it all stays in out.
    explicit JsonWriter(std::string& out, std::ostream* sink = nullptr) : out_(out), sink_(sink) {}

    // Called between top-level elements: a 100-site plan is about 45 MB of text.
    void flush_if_large() {
        if (sink_ != nullptr && out_.size() >= kChunk) flush();
    }
    void flush() {
        if (sink_ == nullptr) return;
        sink_->write(out_.data(), static_cast<std::streamsize>(out_.size()));
        out_.clear();
    }

    void begin_object() { open('{'); }
    void end_object() { close('}'); }
    void begin_array() { open('['); }
    void end_array() { close(']'); }

    JsonWriter& key(std::string_view name) {
        element();
        string(name);
        out_ += ": ";
        after_key_ = true;
        return *this;
    }

    void value(std::string_view text) {
        element();
        string(text);
    }
    void value(const char* text) { value(std::string_view(text)); }
    void value(const std::string& text) { value(std::string_view(text)); }
    void value(bool flag) {
        element();
        out_ += flag ? "true" : "false";
    }
    void value(long long number) {
        element();
        out_ += std::to_string(number);
    }
    void value(int number) { value(static_cast<long long>(number)); }
    void value(std::size_t number) {
        element();
        out_ += std::to_string(number);
    }

    void strings(const std::vector<std::string>& items) {
        begin_array();
        for (const auto& item : items) value(item);
        end_array();
    }

    // key + value, and key + value only when the value is not empty.
    template <typename T>
    void field(std::string_view name, const T& v) {
        key(name).value(v);
    }
    void field_if_set(std::string_view name, const std::string& v) {
        if (!v.empty()) field(name, v);
    }

private:
    struct Level {
        bool empty = true;
    };

    void open(char bracket) {
        element();
        out_ += bracket;
        levels_.push_back({});
    }

    void close(char bracket) {
        const bool empty = levels_.back().empty;
        levels_.pop_back();
        if (!empty) newline();
        out_ += bracket;
    }

    // Separator and indentation before an array element or an object key; a
    // value right after its key needs neither.
    void element() {
        if (after_key_) {
            after_key_ = false;
            return;
        }
        if (levels_.empty()) return;
        if (!levels_.back().empty) out_ += ',';
        levels_.back().empty = false;
        newline();
    }

    void newline() {
        out_ += '\n';
        out_.append(levels_.size() * 2, ' ');
    }

    // RFC 8259 string escaping as nlohmann writes it (ensure_ascii off): the
    // two-character escapes, \u00xx for other control characters, UTF-8 kept;
    // a byte that is not valid UTF-8 becomes U+FFFD instead of an error halfway
    // through the document (only possible in text quoted from a broken input).
    void string(std::string_view text) {
        out_ += '"';
        for (std::size_t i = 0; i < text.size();) {
            // Copy the run of characters that need no escaping in one go.
            std::size_t plain = i;
            while (plain < text.size()) {
                const auto p = static_cast<unsigned char>(text[plain]);
                if (p < 0x20 || p >= 0x80 || p == '"' || p == '\\') break;
                ++plain;
            }
            out_.append(text.data() + i, plain - i);
            i = plain;
            if (i == text.size()) break;
            const auto c = static_cast<unsigned char>(text[i]);
            if (c < 0x80) {
                switch (c) {
                    case '"': out_ += "\\\""; break;
                    case '\\': out_ += "\\\\"; break;
                    case '\b': out_ += "\\b"; break;
                    case '\f': out_ += "\\f"; break;
                    case '\n': out_ += "\\n"; break;
                    case '\r': out_ += "\\r"; break;
                    case '\t': out_ += "\\t"; break;
                    default:
                        if (c < 0x20) {
                            char escaped[8];
                            std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
                            out_ += escaped;
                        } else {
                            out_ += static_cast<char>(c);
                        }
                }
                ++i;
                continue;
            }
            const std::size_t length = utf8_sequence_length(text, i);
            if (length == 0) {
                out_ += "\xEF\xBF\xBD";
                ++i;
            } else {
                out_.append(text.substr(i, length));
                i += length;
            }
        }
        out_ += '"';
    }

    // Length of the valid UTF-8 sequence starting at i, 0 if it is not one.
    static std::size_t utf8_sequence_length(std::string_view text, std::size_t i) {
        const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
        const auto c = byte(i);
        std::size_t length = 0;
        unsigned char low = 0x80;
        unsigned char high = 0xBF;
        if (c >= 0xC2 && c <= 0xDF) {
            length = 2;
        } else if (c >= 0xE0 && c <= 0xEF) {
            length = 3;
            if (c == 0xE0) low = 0xA0;
            if (c == 0xED) high = 0x9F;  // no UTF-16 surrogates
        } else if (c >= 0xF0 && c <= 0xF4) {
            length = 4;
            if (c == 0xF0) low = 0x90;
            if (c == 0xF4) high = 0x8F;
        } else {
            return 0;
        }
        if (i + length > text.size()) return 0;
        if (byte(i + 1) < low || byte(i + 1) > high) return 0;
        for (std::size_t k = 2; k < length; ++k)
            if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
        return length;
    }

    static constexpr std::size_t kChunk = 1 << 16;
    std::string& out_;
    std::ostream* sink_;
    std::vector<Level> levels_;
    bool after_key_ = false;
};

void write_certificate(JsonWriter& w, const model::CertificateRequirement& c) {
    w.begin_object();
    w.field("id", c.id);
    w.field("role", model::to_string(c.role));
    w.field("pool", c.pool);
    w.field("topology_path", c.topology_path);

    w.key("subject").begin_object();
    w.field_if_set("common_name", c.common_name);
    w.field_if_set("organization", c.organization.organization);
    w.field_if_set("organizational_unit", c.organization.organizational_unit);
    w.field_if_set("locality", c.organization.locality);
    w.field_if_set("state", c.organization.state);
    w.field_if_set("country", c.organization.country);
    w.end_object();

    w.key("sans").begin_array();
    for (const auto& san : c.sans) w.value(san.name);
    w.end_array();

    // Keys sorted, so the object does not depend on SAN order.
    std::vector<const model::SubjectAlternativeName*> by_name;
    by_name.reserve(c.sans.size());
    for (const auto& san : c.sans) by_name.push_back(&san);
    std::sort(by_name.begin(), by_name.end(), [](const auto* a, const auto* b) { return a->name < b->name; });
    w.key("san_reasons").begin_object();
    for (const auto* san : by_name) w.field(san->name, san->reason);
    w.end_object();

    w.key("eku").strings(c.eku);
    w.key("key_usage").strings(c.key_usage);
    w.key("key").begin_object();
    w.field("algorithm", c.key.algorithm_name());
    w.field("bits", c.key.bits);
    if (c.key.algorithm == topology::KeyAlgorithm::ecdsa) w.field("curve", c.key.curve_name());
    w.end_object();
    w.field("signature_hash", c.signature_hash);
    w.field("ca", model::to_string(c.ca));
    w.field("exportable_key", c.exportable_key);
    w.field("same_on_all_members", c.same_on_all_members);
    w.field("validity_days", c.validity_days);
    if (c.max_validity_days) {
        w.field("max_validity_days", *c.max_validity_days);
        w.field_if_set("max_validity_from", c.max_validity_from);
    }
    w.field("renewals_per_year", c.renewals_per_year);
    w.field("roll_lead_hours", c.roll_lead_hours);
    w.key("install_on").strings(c.install_on);
    w.key("usages").strings(c.usages);

    w.key("endpoints").begin_array();
    for (const auto& e : c.endpoints) {
        w.begin_object();
        w.field("member", e.member);
        w.field("address", e.address);
        w.field("port", e.port);
        w.field("sni", e.sni);
        w.field("service", e.service);
        w.end_object();
    }
    w.end_array();
    w.end_object();
}

void write_dns_record(JsonWriter& w, const model::DnsRecord& r) {
    w.begin_object();
    w.field("zone", r.zone);
    w.field("type", r.type);
    w.field("name", r.name);
    w.field("target", r.target);
    if (r.type == "SRV") {  // port, priority and weight mean nothing for A or CNAME
        w.field("port", r.port);
        w.field("priority", r.priority);
        w.field("weight", r.weight);
    }
    w.field_if_set("certificate", r.certificate);
    w.field("reason", r.reason);
    w.end_object();
}

void write_finding(JsonWriter& w, const model::Finding& f) {
    w.begin_object();
    w.field("severity", model::to_string(f.severity));
    w.field("code", f.code);
    w.field("message", f.message);
    w.field("path", f.path);
    w.field_if_set("certificate", f.certificate);
    w.field_if_set("policy", f.policy);
    w.end_object();
}

// A close upper estimate of the document's size. A 100-site plan is about 45 MB;
// growing a string that size by doubling copies it several times and touches
// twice the memory, which cost more than writing it.
std::size_t estimated_size(const model::Plan& plan) {
    std::size_t size = 4096;
    for (const auto& c : plan.certificates) {
        size += 2048 + c.endpoints.size() * 192;
        for (const auto& san : c.sans) size += 2 * san.name.size() + san.reason.size() + 32;
        for (const auto& m : c.install_on) size += m.size() + 16;
    }
    for (const auto& r : plan.dns) size += 256 + r.name.size() + r.target.size() + r.certificate.size() + r.reason.size();
    for (const auto& f : plan.findings) size += 192 + f.message.size() + f.path.size() + f.certificate.size();
    return size + size / 8;
}

void write_document(JsonWriter& w, const model::Plan& plan) {
    w.begin_object();
    w.field("schema", model::kPlanSchema);
    w.key("topology").begin_object();
    w.field("path", plan.source.path);
    w.field("sha256", plan.source.sha256);
    w.end_object();
    // Addition: what requests, PFX files and scripts were made for (model/product.hpp).
    w.key("product").begin_object();
    w.field("id", plan.platform.product_facts().id);
    w.field("name", plan.platform.product_facts().name);
    w.field("windows_server", plan.platform.windows_facts().id);
    w.end_object();

    w.key("certificates").begin_array();
    for (const auto& c : plan.certificates) {
        write_certificate(w, c);
        w.flush_if_large();
    }
    w.end_array();

    w.key("dns").begin_array();
    for (const auto& r : plan.dns) {
        write_dns_record(w, r);
        w.flush_if_large();
    }
    w.end_array();

    int counts[3] = {0, 0, 0};
    w.key("findings").begin_array();
    for (const auto& f : plan.findings) {
        write_finding(w, f);
        ++counts[static_cast<int>(f.severity)];
    }
    w.end_array();

    w.key("summary").begin_object();
    w.field("certificates", plan.certificates.size());
    w.field("dns_records", plan.dns.size());
    w.field("errors", counts[static_cast<int>(model::Severity::error)]);
    w.field("warnings", counts[static_cast<int>(model::Severity::warning)]);
    w.field("info", counts[static_cast<int>(model::Severity::info)]);
    w.end_object();
    w.end_object();
}

}  // namespace

std::string render_json(const model::Plan& plan) {
    std::string out;
    out.reserve(estimated_size(plan));
    JsonWriter w(out);
    write_document(w, plan);
    out += '\n';
    return out;
}

void write_json(const model::Plan& plan, std::ostream& out) {
    std::string buffer;
    buffer.reserve(2 << 16);
    JsonWriter w(buffer, &out);
    write_document(w, plan);
    buffer += '\n';
    w.flush();
}

nlohmann::ordered_json plan_to_json(const model::Plan& plan) { return nlohmann::ordered_json::parse(render_json(plan)); }

}  // namespace certtool::report
