// Text made safe for an HTML page (the audit and plan reports of
// html_report.hpp). Certificate subjects and SANs come from whoever made the
// certificate a server sent: every string from a topology, a certificate or a
// file goes through escape() before it reaches the page, in text and in
// attribute values alike.
#pragma once

#include <string>
#include <string_view>

namespace certtool::report::html {

// &, <, >, " and ' as character references; control characters (C0, DEL and
// C1, which HTML forbids in text) as '?', except tab and newline; bytes that
// are not UTF-8 as U+FFFD, so that the page is valid UTF-8 whatever the
// certificate held.
std::string escape(std::string_view text);

}  // namespace certtool::report::html
