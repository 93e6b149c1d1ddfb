// DNS names as Lync and public CAs see them: syntax (G8), domains, wildcards,
// and whether a public CA can issue for a name (Public Suffix List, via libpsl).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace certtool::names {

// Validates a DNS host name and returns it normalised (lower case, trailing dot
// removed). Rules: LDH labels of 1..63 octets, no leading or trailing hyphen,
// total at most 253 octets, no empty label, no underscore, ASCII only (an IDN
// must be given as A-labels, "xn--..."). A label starting "xn--" must be a
// plausible punycode label. With allow_wildcard, "*" is accepted as the whole
// leftmost label of a name with at least two more labels.
// On failure returns nullopt and sets *why to a sentence saying what is wrong.
std::optional<std::string> normalize_fqdn(std::string_view text, bool allow_wildcard, std::string* why);

// A simple URL may be written as a URL ("https://meet.contoso.com/meet") or as a
// bare host. Returns the host part, un-normalised, or nullopt if a URL is malformed.
std::optional<std::string> host_of_url_or_name(std::string_view text, std::string* why);

bool is_wildcard(std::string_view name);       // "*.contoso.com"
bool is_single_label(std::string_view name);   // "lyncpool"
// name == domain, or name ends with "." + domain.
bool is_within(std::string_view name, std::string_view domain);
// Everything after the first label ("sip.contoso.com" -> "contoso.com"); "" for a single label.
std::string parent_of(std::string_view name);
// The leftmost label ("sip.contoso.com" -> "sip").
std::string first_label(std::string_view name);

// RFC 9525 matching of one presented identifier against a reference name:
// exact (case-insensitive), or a wildcard that is the whole leftmost label and
// matches exactly one label. Never a partial-label wildcard.
bool matches(std::string_view presented, std::string_view reference);

// The octets of an IP address literal: dotted-quad IPv4 (no leading zeros)
// or IPv6 text, optionally in brackets ("[2001:db8::1]"); nullopt for anything
// else, a DNS name included.
std::optional<std::string> ip_octets(std::string_view text);

// Whether a certificate's subjectAltName entries cover a reference identifier
// (RFC 9525 6.3): an IP address literal only an iPAddress entry with the same
// octets, a DNS name only a dNSName entry (matches(); wildcard entries only
// when wildcard_allowed, and never one over a public suffix, see
// public_suffix_section). The subject CN is never consulted.
bool sans_cover(const std::vector<std::string>& dns_names, const std::vector<std::string>& ip_addresses,
                std::string_view reference, bool wildcard_allowed = true);

// The section of the Public Suffix List that lists `name` as a public suffix:
// ICANN (names registries hand out: "com", "co.uk") or private (a company
// hands out names under its domain to others: "s3.amazonaws.com",
// "github.io"). none for any other name; the "*" default rule does not count.
// Without list data, a single label counts as ICANN.
enum class SuffixSection { none, icann, private_domains };
SuffixSection public_suffix_section(std::string_view name);

// The domain `name` is registered under, where its DNS zone usually is: the
// longest public suffix the Public Suffix List has for it plus one label
// ("sip.contoso.co.uk" -> "contoso.co.uk"; private-section suffixes count too,
// "a.b.github.io" -> "b.github.io"). A name under no rule of the list
// (".local", ".corp"; the "*" default rule does not count) gives its last two
// labels ("fe01.contoso.local" -> "contoso.local"), as does any name without
// list data. A name that is itself a public suffix, or a single label, is
// returned as it is. Lower case, without a trailing dot.
std::string registrable_domain(std::string_view name);

// ASCII letters lower-cased, every other byte kept.
std::string lower_ascii(std::string_view text);

// Whether a public CA can issue a certificate for `name`: false for a single
// label, for a name that is itself a public suffix, and for a name not under
// any rule of the Public Suffix List (".local", ".corp", ".lan" ...). The "*"
// default rule of the list does not count.
bool publicly_issuable(std::string_view name);

// A short description of the Public Suffix List data in use (file and rules
// count), for --version output and bug reports.
std::string public_suffix_list_source();

}  // namespace certtool::names
