// The one place that calls libxml2 (see xml_reader.hpp for what it promises).
#include "xml/xml_reader.hpp"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include <climits>
#include <cstdint>
#include <memory>

#include "core/diagnostic.hpp"

namespace certtool::xml {

namespace {

constexpr const char* kSyntax = "import.xml-syntax";
constexpr const char* kEncoding = "import.xml-encoding";
constexpr const char* kDoctype = "import.xml-doctype";
constexpr const char* kTooDeep = "import.xml-too-deep";
constexpr const char* kTooLarge = "import.source.too-large";

[[noreturn]] void fail(const char* code, const std::string& file, int line, const std::string& message) {
    Diagnostic d;
    d.code = code;
    d.file = file;
    d.line = line;
    d.message = message;
    throw InputError(std::move(d));
}

// UTF-16 (with the byte order given by its BOM) to UTF-8; nullopt on an unpaired surrogate.
std::optional<std::string> utf16_to_utf8(std::string_view bytes, bool big_endian) {
    std::string out;
    out.reserve(bytes.size());
    const auto unit = [&](std::size_t i) {
        const auto a = static_cast<unsigned char>(bytes[i]);
        const auto b = static_cast<unsigned char>(bytes[i + 1]);
        return static_cast<std::uint32_t>(big_endian ? (a << 8) | b : (b << 8) | a);
    };
    for (std::size_t i = 0; i + 1 < bytes.size(); i += 2) {
        std::uint32_t c = unit(i);
        if (c >= 0xD800 && c <= 0xDBFF) {
            if (i + 3 >= bytes.size()) return std::nullopt;
            const std::uint32_t low = unit(i + 2);
            if (low < 0xDC00 || low > 0xDFFF) return std::nullopt;
            c = 0x10000 + ((c - 0xD800) << 10) + (low - 0xDC00);
            i += 2;
        } else if (c >= 0xDC00 && c <= 0xDFFF) {
            return std::nullopt;
        }
        if (c < 0x80) {
            out += static_cast<char>(c);
        } else if (c < 0x800) {
            out += static_cast<char>(0xC0 | (c >> 6));
            out += static_cast<char>(0x80 | (c & 0x3F));
        } else if (c < 0x10000) {
            out += static_cast<char>(0xE0 | (c >> 12));
            out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (c & 0x3F));
        } else {
            out += static_cast<char>(0xF0 | (c >> 18));
            out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
            out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (c & 0x3F));
        }
    }
    if (bytes.size() % 2 != 0) return std::nullopt;
    return out;
}

// The document as UTF-8 without a BOM.
std::string to_utf8(std::string_view bytes, const std::string& file) {
    const auto starts = [&](std::string_view prefix) { return bytes.substr(0, prefix.size()) == prefix; };
    if (starts("\xEF\xBB\xBF")) bytes.remove_prefix(3);
    else if (starts("\xFF\xFE") || starts("\xFE\xFF")) {
        const bool big_endian = starts("\xFE\xFF");
        auto converted = utf16_to_utf8(bytes.substr(2), big_endian);
        if (!converted)
            fail(kEncoding, file, 0,
                 std::string("not valid UTF-16") + (big_endian ? "BE" : "LE") +
                     " (its byte-order mark says so, but it holds an unpaired surrogate or an odd number of bytes)");
        return std::move(*converted);
    }
    if (bytes.find('\0') != std::string_view::npos) {
        const bool utf16 = bytes.size() >= 2 && (bytes[0] == '\0' || bytes[1] == '\0');
        fail(kEncoding, file, 0,
             utf16 ? "the file looks like UTF-16 without a byte-order mark, which cannot be read safely: save it again as UTF-8, "
                     "or as UTF-16 with a BOM (Windows PowerShell's Out-File default)"
                   : "NUL bytes: not a text file (expected UTF-8, or UTF-16 with a byte-order mark)");
    }
    return std::string(bytes);
}

struct ParseState {
    bool doctype = false;
    int doctype_line = 0;
    bool have_error = false;
    int error_line = 0;
    std::string error_message;
};

ParseState* state_of(void* ctx) {
    auto* parser = static_cast<xmlParserCtxtPtr>(ctx);
    return parser == nullptr ? nullptr : static_cast<ParseState*>(parser->_private);
}

// SAX: a DOCTYPE (with or without an internal subset or external identifier)
// stops the parse before anything in it is read.
void on_doctype(void* ctx, const xmlChar*, const xmlChar*, const xmlChar*) {
    auto* parser = static_cast<xmlParserCtxtPtr>(ctx);
    if (auto* state = state_of(ctx); state != nullptr && !state->doctype) {
        state->doctype = true;
        state->doctype_line = parser->input != nullptr ? parser->input->line : 0;
    }
    xmlStopParser(parser);
}

// libxml2's messages are kept (the first error) instead of printed.
void on_error(void* ctx, xmlErrorPtr error) {
    auto* state = state_of(ctx);
    if (state == nullptr || error == nullptr || state->have_error || error->level < XML_ERR_ERROR) return;
    state->have_error = true;
    state->error_line = error->line;
    std::string message = error->message != nullptr ? error->message : "not well-formed";
    while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
    state->error_message = message;
}

void ignore_generic(void*, const char*, ...) {}

// libxml2's per-thread fallback handlers, silenced for the parse and restored after it.
struct QuietLibxml {
    QuietLibxml() {
        xmlSetGenericErrorFunc(nullptr, ignore_generic);
        xmlSetStructuredErrorFunc(nullptr, [](void*, xmlErrorPtr) {});
    }
    ~QuietLibxml() {
        xmlSetGenericErrorFunc(nullptr, nullptr);
        xmlSetStructuredErrorFunc(nullptr, nullptr);
    }
    QuietLibxml(const QuietLibxml&) = delete;
    QuietLibxml& operator=(const QuietLibxml&) = delete;
};

std::string to_string(const xmlChar* s) { return s == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(s)); }

Element convert(xmlNodePtr node, xmlDocPtr doc, int depth, const Limits& limits, const std::string& file) {
    const int line = static_cast<int>(xmlGetLineNo(node));
    if (depth > limits.max_depth)
        fail(kTooDeep, file, line, "elements are nested more than " + std::to_string(limits.max_depth) + " levels deep");
    Element e;
    e.name = to_string(node->name);
    e.ns = node->ns != nullptr ? to_string(node->ns->href) : std::string();
    e.line = line;
    for (xmlAttrPtr a = node->properties; a != nullptr; a = a->next) {
        xmlChar* value = xmlNodeListGetString(doc, a->children, 1);
        e.attributes.push_back({to_string(a->name), to_string(value)});
        xmlFree(value);
    }
    for (xmlNodePtr c = node->children; c != nullptr; c = c->next) {
        if (c->type == XML_ELEMENT_NODE) e.children.push_back(convert(c, doc, depth + 1, limits, file));
        else if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) e.text += to_string(c->content);
    }
    return e;
}

}  // namespace

std::optional<std::string> Element::attribute(std::string_view local_name) const {
    for (const auto& a : attributes)
        if (a.name == local_name) return a.value;
    return std::nullopt;
}

const Element* Element::child(std::string_view ns_uri, std::string_view local_name) const {
    for (const auto& c : children)
        if (c.ns == ns_uri && c.name == local_name) return &c;
    return nullptr;
}

std::vector<const Element*> Element::children_named(std::string_view ns_uri, std::string_view local_name) const {
    std::vector<const Element*> out;
    for (const auto& c : children)
        if (c.ns == ns_uri && c.name == local_name) out.push_back(&c);
    return out;
}

Element parse(std::string_view bytes, const std::string& file_name, const Limits& limits) {
    if (bytes.size() > limits.max_bytes || bytes.size() > static_cast<std::size_t>(INT_MAX))
        fail(kTooLarge, file_name, 0, "larger than " + std::to_string(limits.max_bytes >> 20) + " MiB: refused before parsing");
    const std::string text = to_utf8(bytes, file_name);

    const QuietLibxml quiet;
    const std::unique_ptr<xmlParserCtxt, void (*)(xmlParserCtxtPtr)> parser(xmlNewParserCtxt(), xmlFreeParserCtxt);
    if (!parser) throw std::bad_alloc();
    ParseState state;
    parser->_private = &state;
    parser->sax->internalSubset = on_doctype;
    parser->sax->externalSubset = on_doctype;
    parser->sax->serror = on_error;
    // Never XML_PARSE_NOENT, DTDLOAD, DTDATTR, XINCLUDE or HUGE: no entity is
    // substituted, nothing is fetched, libxml2's own size and depth limits hold.
    const int options = XML_PARSE_NONET | XML_PARSE_NOCDATA;
    const std::unique_ptr<xmlDoc, void (*)(xmlDocPtr)> doc(
        xmlCtxtReadMemory(parser.get(), text.data(), static_cast<int>(text.size()), nullptr, "UTF-8", options), xmlFreeDoc);

    if (state.doctype)
        fail(kDoctype, file_name, state.doctype_line,
             "a DOCTYPE (a document type declaration, where entities are declared): a topology never has one, "
             "so the document is refused unread");
    if (!doc || state.have_error || parser->wellFormed == 0) {
        const std::string message = state.have_error ? state.error_message : "is not well-formed XML";
        fail(kSyntax, file_name, state.error_line, "not well-formed XML: " + message);
    }
    xmlNodePtr root = xmlDocGetRootElement(doc.get());
    if (root == nullptr) fail(kSyntax, file_name, 0, "not well-formed XML: no root element");
    return convert(root, doc.get(), 1, limits, file_name);
}

}  // namespace certtool::xml
