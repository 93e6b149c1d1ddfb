// XML documents from outside, read by libxml2 within limits, into a plain tree.
// The only file that includes libxml2 is xml_reader.cpp: no libxml2 type leaves
// it. Safe by construction for a file an attacker may have shaped: no network
// (XML_PARSE_NONET), no entity substitution, no DTD loading, no XInclude; a
// document with a DOCTYPE is refused outright (the parse stops at it, before any
// entity is declared), so billion-laughs and external-entity documents never get
// further than their first line. Size is checked before parsing, depth while
// building the tree; libxml2's own messages never reach stderr, they become one
// InputError naming the file and line.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace certtool::xml {

struct Attribute {
    std::string name;  // local name; attributes in a namespace keep their local name too
    std::string value;
};

struct Element {
    std::string ns;    // namespace URI ("" when none)
    std::string name;  // local name
    int line = 0;
    std::vector<Attribute> attributes;
    std::string text;  // the element's own text content (its children's text is theirs)
    std::vector<Element> children;

    // The value of attribute `local_name`, or nullopt.
    [[nodiscard]] std::optional<std::string> attribute(std::string_view local_name) const;
    // The first child with this namespace URI and local name, or nullptr.
    [[nodiscard]] const Element* child(std::string_view ns_uri, std::string_view local_name) const;
    // Every child with this namespace URI and local name, in document order.
    [[nodiscard]] std::vector<const Element*> children_named(std::string_view ns_uri, std::string_view local_name) const;
};

struct Limits {
    std::size_t max_bytes = 32u << 20;  // the document as read from the file
    int max_depth = 64;                 // elements nested at most this deep
};

// Parses `bytes`: UTF-8 with or without a BOM, or UTF-16 (LE or BE) with a BOM,
// which is converted to UTF-8 first. Throws certtool::InputError naming
// `file_name` (and the line, where libxml2 knows it) with one of the codes
// import.xml-syntax, import.xml-encoding, import.xml-doctype, import.xml-too-deep,
// import.source.too-large (README "`certtool import`": the importer is its one user).
Element parse(std::string_view bytes, const std::string& file_name, const Limits& limits = {});

}  // namespace certtool::xml
