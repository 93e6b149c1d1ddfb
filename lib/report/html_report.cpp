#include "report/html_report.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <cstdio>
#include <ostream>
#include <sstream>

#include "core/plural.hpp"
#include "model/lifetime.hpp"
#include "report/html.hpp"
#include "report/report.hpp"

namespace certtool::report {

namespace {

using model::Finding;
using model::Severity;
using std::chrono::seconds;

std::string e(const std::string& text) { return html::escape(text); }

// Okabe-Ito: distinguishable with every common colour-vision deficiency.
constexpr const char* kBlue = "#0072B2";
constexpr const char* kOrange = "#E69F00";
constexpr const char* kVermillion = "#D55E00";
constexpr const char* kGreen = "#009E73";
constexpr const char* kSky = "#56B4E9";
constexpr const char* kPurple = "#CC79A7";

// Light backgrounds only, so that nothing needs "print backgrounds" to be
// legible; states carry a word and a border style, not only a colour.
constexpr const char* kCss = R"(:root { color-scheme: light; }
body { font-family: "DejaVu Sans", "Segoe UI", Arial, sans-serif; font-size: 14px; line-height: 1.4;
  color: #1a1a1a; background: #fff; margin: 24px auto; max-width: 1240px; padding: 0 16px; }
h1 { font-size: 22px; margin: 0 0 6px; }
h2 { font-size: 18px; margin: 30px 0 8px; padding-bottom: 2px; border-bottom: 2px solid #0072B2; }
h3 { font-size: 15px; margin: 20px 0 6px; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 14px; }
caption { text-align: left; font-weight: bold; padding: 2px 0; }
th, td { border: 1px solid #b8b8b8; padding: 3px 6px; text-align: left; vertical-align: top; }
thead th { background: #e8f1f8; }
th[scope=row] { width: 170px; background: #f4f4f4; font-weight: normal; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.date { white-space: nowrap; font-variant-numeric: tabular-nums; }
code { font-family: "DejaVu Sans Mono", monospace; font-size: 12px; overflow-wrap: break-word; }
dl.facts { display: grid; grid-template-columns: max-content auto; gap: 2px 14px; margin: 8px 0; }
dl.facts dt { font-weight: bold; }
dl.facts dd { margin: 0; }
.verdict { display: inline-block; margin: 8px 0; padding: 6px 14px; font-size: 17px; border: 3px solid; }
.verdict.pass { border-color: #009E73; }
.verdict.fail { border-color: #D55E00; border-style: double; border-width: 5px; }
.badge { display: inline-block; padding: 0 5px; border: 2px solid; font-weight: bold; font-size: 12px; white-space: nowrap; }
.ok { border-color: #009E73; }
.due { border-color: #E69F00; border-style: dashed; }
.expired, .error { border-color: #D55E00; border-style: double; border-width: 3px; }
.warning { border-color: #E69F00; border-style: dashed; }
.info, .not-seen, .not-yet-valid { border-color: #56B4E9; border-style: dotted; }
figure { margin: 10px 0; }
figcaption { font-size: 13px; color: #333; margin-top: 4px; }
svg.timeline { width: 100%; height: auto; display: block; border: 1px solid #ccc;
  font-family: "DejaVu Sans", Arial, sans-serif; }
.note { color: #333; font-size: 13px; }
@media print {
  body { margin: 0; max-width: none; font-size: 11px; }
  thead th, th[scope=row] { background: #fff; }
  svg.timeline { border: none; }
  table, tr, figure, section.certificate { page-break-inside: avoid; break-inside: avoid; }
  h2, h3 { page-break-after: avoid; break-after: avoid; }
}
)";

void page_start(std::ostream& out, const std::string& title) {
    // The policy makes "no script, nothing fetched" hold in the browser too,
    // whatever a certificate managed to put on the page.
    out << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        << "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
        << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        << "<title>" << e(title) << "</title>\n<style>\n"
        << kCss << "</style>\n</head>\n<body>\n";
}

void page_end(std::ostream& out) { out << "<footer class=\"note\">Written by certtool.</footer>\n</body>\n</html>\n"; }

std::string code(const std::string& text) { return text.empty() ? "-" : "<code>" + e(text) + "</code>"; }

std::string list(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& item : items) out += (out.empty() ? "" : ", ") + e(item);
    return out.empty() ? "-" : out;
}

std::string severity_badge(Severity s) {
    const char* name = model::to_string(s);
    return std::string("<span class=\"badge ") + name + "\">" + name + "</span>";
}

std::string verdict(bool passed, const std::string& detail) {
    return std::string("<p class=\"verdict ") + (passed ? "pass" : "fail") + "\"><strong>" + (passed ? "PASS" : "FAIL") +
           "</strong>: " + detail + "</p>\n";
}

const char* standing_class(Standing s) {
    switch (s) {
        case Standing::ok: return "ok";
        case Standing::due: return "due";
        case Standing::expired: return "expired";
        case Standing::not_yet_valid: return "not-yet-valid";
        case Standing::not_seen: return "not-seen";
    }
    return "not-seen";
}

std::string standing_badge(Standing s) {
    return std::string("<span class=\"badge ") + standing_class(s) + "\">" + to_string(s) + "</span>";
}

bool at_least(Severity s, Severity threshold) { return static_cast<int>(s) <= static_cast<int>(threshold); }

bool failed(const audit::Observation& o, Severity fail_on) {
    return std::any_of(o.findings.begin(), o.findings.end(), [&](const Finding& f) { return at_least(f.severity, fail_on); });
}

// check_validity's rule, for the certificate an observation holds.
Standing standing_of(const crypto::Certificate& c, TimePoint at, std::optional<int> warn_days, int lead_hours) {
    if (at < c.not_before) return Standing::not_yet_valid;
    if (at > c.not_after) return Standing::expired;
    if (warn_days) return whole_days_left(at, c.not_after) < *warn_days ? Standing::due : Standing::ok;
    return c.not_after - at <= model::renewal_window(c.not_before, c.not_after, lead_hours) ? Standing::due : Standing::ok;
}

seconds window_of(const crypto::Certificate& c, std::optional<int> warn_days, int lead_hours) {
    if (warn_days) return std::chrono::duration_cast<seconds>(std::chrono::hours(24L * *warn_days));
    return model::renewal_window(c.not_before, c.not_after, lead_hours);
}

std::string days_text(long days) {
    if (days < 0) return plural(-days, "day", "days") + " ago";
    return plural(days, "day", "days") + " left";
}

std::string standing_detail(const TimelineRow& r) {
    switch (r.standing) {
        case Standing::expired: return "expired " + plural(-r.days_left, "day", "days") + " ago";
        case Standing::due: return "due for renewal, " + days_text(r.days_left);
        case Standing::ok: return days_text(r.days_left);
        case Standing::not_yet_valid: return "not valid until " + format_date(r.not_before);
        case Standing::not_seen: return "no certificate seen";
    }
    return "";
}

// ---------------------------------------------------------------------------
// The timeline.

struct Axis {
    double lo = 0, hi = 1;      // seconds since the epoch
    double x0 = 0, x1 = 1;      // pixels
    [[nodiscard]] double x(TimePoint t) const {
        const double s = static_cast<double>(std::chrono::duration_cast<seconds>(t.time_since_epoch()).count());
        return x0 + (s - lo) / (hi - lo) * (x1 - x0);
    }
};

std::string num(double v) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.1f", v);
    return buffer;
}

double epoch_seconds(TimePoint t) {
    return static_cast<double>(std::chrono::duration_cast<seconds>(t.time_since_epoch()).count());
}

// Text for the label column, cut to `max` characters (the row's <title> has it whole).
std::string cut(const std::string& text, std::size_t max) {
    std::size_t chars = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80 && ++chars > max - 1) return text.substr(0, i) + "\u2026";
    }
    return text;
}

// The shape that says the state without colour: a circle (OK), a triangle
// (DUE), a crossed square (EXPIRED), a hollow circle (not seen / not yet valid).
std::string state_shape(Standing s, double cx, double cy) {
    switch (s) {
        case Standing::ok:
            return "<circle cx=\"" + num(cx) + "\" cy=\"" + num(cy) + "\" r=\"6\" fill=\"" + kGreen + "\"/>";
        case Standing::due:
            return "<polygon points=\"" + num(cx - 7) + "," + num(cy + 6) + " " + num(cx + 7) + "," + num(cy + 6) + " " + num(cx) +
                   "," + num(cy - 7) + "\" fill=\"" + kOrange + "\" stroke=\"#000\" stroke-width=\"1\"/>";
        case Standing::expired:
            return "<rect x=\"" + num(cx - 6) + "\" y=\"" + num(cy - 6) + "\" width=\"12\" height=\"12\" fill=\"" + kVermillion +
                   "\"/><path d=\"M" + num(cx - 4) + " " + num(cy - 4) + " L" + num(cx + 4) + " " + num(cy + 4) + " M" + num(cx + 4) +
                   " " + num(cy - 4) + " L" + num(cx - 4) + " " + num(cy + 4) + "\" stroke=\"#fff\" stroke-width=\"2\"/>";
        case Standing::not_yet_valid:
        case Standing::not_seen:
            return "<circle cx=\"" + num(cx) + "\" cy=\"" + num(cy) + "\" r=\"5\" fill=\"none\" stroke=\"" + kBlue +
                   "\" stroke-width=\"2\"/>";
    }
    return "";
}

std::string bar_attributes(Standing s) {
    switch (s) {
        case Standing::ok: return std::string("fill=\"") + kGreen + "\" stroke=\"#004d38\" stroke-width=\"1\"";
        case Standing::due: return "fill=\"url(#tl-due)\" stroke=\"#7a5200\" stroke-width=\"1.5\" stroke-dasharray=\"6 3\"";
        case Standing::expired:
            return std::string("fill=\"url(#tl-expired)\" stroke=\"") + kVermillion + "\" stroke-width=\"2\" stroke-dasharray=\"2 2\"";
        case Standing::not_yet_valid:
        case Standing::not_seen: return std::string("fill=\"") + kSky + "\" stroke=\"" + kBlue + "\" stroke-dasharray=\"1 3\"";
    }
    return "";
}

std::string row_title(const TimelineRow& r) {
    std::string t = r.certificate_id + " on " + r.member + ": " + to_string(r.standing) + ", " + standing_detail(r);
    if (!r.seen) return t;
    t += "; valid " + format_datetime(r.not_before) + " to " + format_datetime(r.not_after);
    t += "; renewal window from " + format_datetime(r.renewal_from);
    if (r.roll_effective) t += "; -Roll effective " + format_datetime(*r.roll_effective);
    if (r.br_maximum)
        t += "; baseline requirements maximum " + std::to_string(r.br_maximum_days) + " days, until " + format_date(*r.br_maximum);
    if (r.other_certificates > 0)
        t += "; " + plural(r.other_certificates, "other certificate", "other certificates") + " seen on this member";
    return t;
}

void month_ticks(std::ostream& out, const Axis& axis, double top, double bottom) {
    using namespace std::chrono;
    const auto lo = sys_days{floor<days>(system_clock::time_point(seconds(static_cast<long long>(axis.lo))))};
    const year_month_day first{lo};
    year_month ym{first.year(), first.month()};
    const double span_months = (axis.hi - axis.lo) / (30.44 * 86400.0);
    const int step = std::max(1, static_cast<int>(std::ceil(span_months / 12.0)));
    ym += months(1);
    for (int guard = 0; guard < 400; ++guard, ym += months(step)) {
        const TimePoint t = sys_days{ym / 1};
        const double x = axis.x(t);
        if (x > axis.x1) break;
        if (x < axis.x0) continue;
        char label[16];
        std::snprintf(label, sizeof label, "%04d-%02u", static_cast<int>(ym.year()), static_cast<unsigned>(ym.month()));
        out << "<line x1=\"" << num(x) << "\" y1=\"" << num(top - 4) << "\" x2=\"" << num(x) << "\" y2=\"" << num(bottom)
            << "\" stroke=\"#d0d0d0\" stroke-width=\"1\"/>"
            << "<text x=\"" << num(x) << "\" y=\"" << num(top - 8) << "\" font-size=\"11\" text-anchor=\"middle\" fill=\"#333\">" << label
            << "</text>\n";
    }
}

void legend(std::ostream& out, double y) {
    struct Item {
        std::string shape;
        const char* text;
    };
    const std::string bar = "<rect x=\"0\" y=\"-7\" width=\"34\" height=\"14\" ";
    const std::vector<Item> items = {
        {bar + bar_attributes(Standing::ok) + "/>", "OK: valid, not yet due"},
        {bar + bar_attributes(Standing::due) + "/>", "DUE: in its renewal window"},
        {bar + bar_attributes(Standing::expired) + "/>", "EXPIRED: past notAfter"},
        {"<rect x=\"0\" y=\"-10\" width=\"34\" height=\"20\" fill=\"url(#tl-window)\" stroke=\"" + std::string(kBlue) +
             "\" stroke-dasharray=\"1 2\"/>",
         "renewal window"},
        {"<polygon points=\"17,-7 24,0 17,7 10,0\" fill=\"" + std::string(kBlue) + "\" stroke=\"#fff\"/>", "-Roll effective date"},
        {"<line x1=\"17\" y1=\"-10\" x2=\"17\" y2=\"10\" stroke=\"" + std::string(kPurple) +
             "\" stroke-width=\"3\" stroke-dasharray=\"3 2\"/><polygon points=\"11,-10 23,-10 17,-3\" fill=\"" + kPurple + "\"/>",
         "BR maximum lifetime"},
        {"<line x1=\"17\" y1=\"-10\" x2=\"17\" y2=\"10\" stroke=\"#000\" stroke-width=\"2\"/>", "today"},
    };
    // Two rows of four and three: the seven items do not fit one 1200-unit line.
    double x = 12;
    for (std::size_t i = 0; i < items.size(); ++i) {
        const auto& item = items[i];
        if (i == 4) {
            x = 12;
            y += 24;
        }
        out << "<g transform=\"translate(" << num(x) << " " << num(y) << ")\">" << item.shape << "<text x=\"42\" y=\"4\" font-size=\"12\">"
            << e(item.text) << "</text></g>\n";
        x += 42 + 6.6 * static_cast<double>(std::string(item.text).size()) + 16;
    }
}

void timeline_svg(std::ostream& out, const std::vector<TimelineRow>& rows, TimePoint at) {
    constexpr double kWidth = 1200, kLabel = 300, kStateColumn = 120, kRowHeight = 38, kTop = 46;
    Axis axis;
    axis.x0 = kLabel + 10;
    axis.x1 = kWidth - kStateColumn - 10;
    double lo = epoch_seconds(at), hi = lo;
    for (const auto& r : rows) {
        if (!r.seen) continue;
        lo = std::min(lo, epoch_seconds(r.not_before));
        hi = std::max(hi, epoch_seconds(r.not_after));
        if (r.br_maximum) hi = std::max(hi, epoch_seconds(*r.br_maximum));
    }
    if (hi - lo < 30 * 86400.0) {
        lo -= 15 * 86400.0;
        hi += 15 * 86400.0;
    }
    const double pad = (hi - lo) * 0.03;
    axis.lo = lo - pad;
    axis.hi = hi + pad;

    const double rows_bottom = kTop + kRowHeight * static_cast<double>(rows.size());
    const double height = rows_bottom + 68;  // the legend in two rows
    std::size_t expired = 0, due = 0, ok = 0, other = 0;
    for (const auto& r : rows) {
        if (r.standing == Standing::expired) ++expired;
        else if (r.standing == Standing::due) ++due;
        else if (r.standing == Standing::ok) ++ok;
        else ++other;
    }
    const std::string summary = plural(rows.size(), "certificate and member", "certificates and members") + ": " +
                                std::to_string(expired) + " expired, " + std::to_string(due) + " due for renewal, " +
                                std::to_string(ok) + " OK, " + std::to_string(other) + " not seen or not yet valid";

    out << "<figure>\n<svg class=\"timeline\" role=\"img\" aria-label=\"Expiry timeline: " << e(summary) << "\" viewBox=\"0 0 "
        << num(kWidth) << " " << num(height) << "\" width=\"" << std::lround(kWidth) << "\" height=\"" << std::lround(height) << "\">\n"
        << "<title>Expiry timeline</title>\n"
        << "<desc>" << e(summary) << ". One row per certificate and member: a bar from notBefore to notAfter, its renewal window "
        << "hatched at the end, the -Roll effective date as a diamond, the baseline requirements' maximum lifetime for its "
        << "notBefore as a dashed tick, and today's date as a vertical line. The table below the chart repeats every date.</desc>\n"
        << "<defs>\n"
        << "<pattern id=\"tl-due\" width=\"8\" height=\"8\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">"
        << "<rect width=\"8\" height=\"8\" fill=\"#f7d99a\"/><rect width=\"4\" height=\"8\" fill=\"" << kOrange << "\"/></pattern>\n"
        << "<pattern id=\"tl-expired\" width=\"8\" height=\"8\" patternUnits=\"userSpaceOnUse\">"
        << "<rect width=\"8\" height=\"8\" fill=\"#f6c7a8\"/><path d=\"M0 0 L8 8 M8 0 L0 8\" stroke=\"" << kVermillion
        << "\" stroke-width=\"1.5\"/></pattern>\n"
        << "<pattern id=\"tl-window\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(-45)\">"
        << "<rect width=\"2\" height=\"6\" fill=\"" << kBlue << "\"/></pattern>\n"
        << "</defs>\n";
    out << "<rect x=\"0\" y=\"0\" width=\"" << num(kWidth) << "\" height=\"" << num(height) << "\" fill=\"#fff\"/>\n";
    out << "<text x=\"10\" y=\"20\" font-size=\"12\" font-weight=\"bold\">MEMBER / CERTIFICATE</text>"
        << "<text x=\"" << num(kWidth - kStateColumn) << "\" y=\"20\" font-size=\"12\" font-weight=\"bold\">STATE</text>\n";
    for (std::size_t i = 0; i < rows.size(); ++i)
        if (i % 2 == 1)
            out << "<rect x=\"0\" y=\"" << num(kTop + kRowHeight * static_cast<double>(i)) << "\" width=\"" << num(kWidth)
                << "\" height=\"" << num(kRowHeight) << "\" fill=\"#f3f3f3\"/>\n";
    month_ticks(out, axis, kTop, rows_bottom);

    for (std::size_t i = 0; i < rows.size(); ++i) {
        const auto& r = rows[i];
        const double y = kTop + kRowHeight * static_cast<double>(i);
        out << "<g class=\"row\"><title>" << e(row_title(r)) << "</title>\n"
            << "<text x=\"10\" y=\"" << num(y + 16) << "\" font-size=\"12.5\" font-weight=\"bold\">" << e(cut(r.member, 40)) << "</text>"
            << "<text x=\"10\" y=\"" << num(y + 31) << "\" font-size=\"10.5\" fill=\"#333\">" << e(cut(r.certificate_id, 48))
            << "</text>\n";
        if (r.seen) {
            const double b0 = std::max(axis.x0, axis.x(r.not_before)), b1 = std::min(axis.x1, axis.x(r.not_after));
            out << "<rect x=\"" << num(b0) << "\" y=\"" << num(y + 11) << "\" width=\"" << num(std::max(1.0, b1 - b0))
                << "\" height=\"16\" " << bar_attributes(r.standing) << "/>\n";
            const double w0 = std::max(b0, axis.x(r.renewal_from));
            out << "<rect x=\"" << num(w0) << "\" y=\"" << num(y + 6) << "\" width=\"" << num(std::max(1.0, b1 - w0))
                << "\" height=\"26\" fill=\"url(#tl-window)\" fill-opacity=\"0.75\" stroke=\"" << kBlue
                << "\" stroke-dasharray=\"1 2\"/>\n";
            if (r.roll_effective) {
                const double x = axis.x(*r.roll_effective), cy = y + 19;
                out << "<polygon points=\"" << num(x) << "," << num(cy - 7) << " " << num(x + 7) << "," << num(cy) << " " << num(x) << ","
                    << num(cy + 7) << " " << num(x - 7) << "," << num(cy) << "\" fill=\"" << kBlue << "\" stroke=\"#fff\"/>\n";
            }
            if (r.br_maximum) {
                const double x = axis.x(*r.br_maximum);
                out << "<line x1=\"" << num(x) << "\" y1=\"" << num(y + 4) << "\" x2=\"" << num(x) << "\" y2=\"" << num(y + 34)
                    << "\" stroke=\"" << kPurple << "\" stroke-width=\"3\" stroke-dasharray=\"3 2\"/><polygon points=\"" << num(x - 6) << ","
                    << num(y + 3) << " " << num(x + 6) << "," << num(y + 3) << " " << num(x) << "," << num(y + 10) << "\" fill=\""
                    << kPurple << "\"/>\n";
            }
        } else {
            out << "<text x=\"" << num(axis.x0 + 8) << "\" y=\"" << num(y + 23) << "\" font-size=\"12\" font-style=\"italic\" fill=\"#333\">"
                << "no certificate seen on this member</text>\n";
        }
        const double sx = kWidth - kStateColumn;
        out << state_shape(r.standing, sx + 6, y + 18) << "<text x=\"" << num(sx + 18) << "\" y=\"" << num(y + 17)
            << "\" font-size=\"12\" font-weight=\"bold\">" << to_string(r.standing) << "</text>";
        if (r.seen)
            out << "<text x=\"" << num(sx + 18) << "\" y=\"" << num(y + 31) << "\" font-size=\"10.5\" fill=\"#333\">"
                << (r.days_left < 0 ? std::to_string(-r.days_left) + " d ago" : std::to_string(r.days_left) + " d left") << "</text>";
        out << "\n</g>\n";
    }

    // Today, over the rows, with its date.
    const double today = axis.x(at);
    const double label_x = std::clamp(today, axis.x0 + 60, axis.x1 - 60);
    out << "<g class=\"today\"><title>today " << format_datetime(at) << "</title><line x1=\"" << num(today) << "\" y1=\"" << num(kTop - 14) << "\" x2=\""
        << num(today) << "\" y2=\"" << num(rows_bottom) << "\" stroke=\"#000\" stroke-width=\"2\"/>"
        << "<text x=\"" << num(label_x) << "\" y=\"" << num(kTop - 26) << "\" font-size=\"12\" font-weight=\"bold\" text-anchor=\"middle\">"
        << "today " << format_date(at) << "</text></g>\n";
    legend(out, rows_bottom + 24);
    out << "</svg>\n<figcaption>" << e(summary) << ". Hover a row for its dates; the table below repeats them.</figcaption>\n</figure>\n";
}

void timeline_table(std::ostream& out, const std::vector<TimelineRow>& rows) {
    out << "<table>\n<caption>The timeline's dates</caption>\n<thead><tr><th scope=\"col\">Certificate</th><th scope=\"col\">Member</th>"
        << "<th scope=\"col\">State</th><th scope=\"col\">Not before</th><th scope=\"col\">Not after</th><th scope=\"col\">Days left</th>"
        << "<th scope=\"col\">Renewal window from</th><th scope=\"col\">-Roll effective</th><th scope=\"col\">BR maximum lifetime</th>"
        << "</tr></thead>\n<tbody>\n";
    for (const auto& r : rows) {
        out << "<tr><td>" << code(r.certificate_id) << "</td><td>" << e(r.member) << "</td><td>" << standing_badge(r.standing) << "</td>";
        if (!r.seen) {
            out << "<td colspan=\"6\">no certificate seen</td></tr>\n";
            continue;
        }
        // Whole times where hours matter (the -Roll lead is hours), dates elsewhere; the row's <title> in the chart has every second.
        out << "<td class=\"date\">" << format_date(r.not_before) << "</td><td class=\"date\">" << format_date(r.not_after)
            << "</td><td class=\"num\">" << r.days_left << "</td><td class=\"date\">" << format_date(r.renewal_from) << "</td><td>"
            << (r.roll_effective ? format_datetime(*r.roll_effective) : std::string("- (nothing staged)")) << "</td><td>"
            << (r.br_maximum ? std::to_string(r.br_maximum_days) + " days, until " + format_date(*r.br_maximum)
                             : std::string("- (internal CA)"))
            << "</td></tr>\n";
    }
    out << "</tbody>\n</table>\n";
}

// ---------------------------------------------------------------------------
// The audit's other sections.

std::string source_text(const audit::Observation& o) {
    if (o.service == "file") return "file " + o.source;
    return "live " + o.source + (o.sni.empty() ? "" : " (SNI " + o.sni + ")");
}

void estate(std::ostream& out, const audit::Report& report, const model::Plan& plan, const AuditStyle& style) {
    // Pools in order of first appearance, observations in report order within each.
    std::vector<std::string> pools;
    for (const auto& o : report.observations)
        if (std::find(pools.begin(), pools.end(), o.pool) == pools.end()) pools.push_back(o.pool);
    if (pools.empty()) {
        out << "<p>No certificate was looked at (audit --dns alone, or nothing selected).</p>\n";
        return;
    }
    for (const auto& pool : pools) {
        out << "<h3>Pool " << e(pool) << "</h3>\n<table>\n<thead><tr><th scope=\"col\">Member</th><th scope=\"col\">Certificate</th>"
            << "<th scope=\"col\">Service</th><th scope=\"col\">Source</th><th scope=\"col\">Subject</th><th scope=\"col\">Not after</th>"
            << "<th scope=\"col\">Days left</th><th scope=\"col\">State</th><th scope=\"col\">Result</th></tr></thead>\n<tbody>\n";
        for (const auto& o : report.observations) {
            if (o.pool != pool) continue;
            const auto* r = plan.find(o.certificate_id);
            out << "<tr><td>" << e(o.member) << "</td><td>" << code(o.certificate_id);
            if (r != nullptr) out << "<br>" << e(role_title(*r));
            out << "</td><td>" << e(o.service) << "</td><td>" << code(source_text(o)) << "</td>";
            if (o.certificate) {
                const auto& c = *o.certificate;
                const Standing s = standing_of(c, report.at, report.warn_days, r != nullptr ? r->roll_lead_hours : 0);
                out << "<td>" << code(c.subject.common_name) << "</td><td class=\"date\">" << format_date(c.not_after)
                    << "</td><td class=\"num\">" << whole_days_left(report.at, c.not_after) << "</td><td>" << standing_badge(s) << "</td>";
            } else {
                out << "<td>-</td><td>-</td><td class=\"num\">-</td><td>" << standing_badge(Standing::not_seen) << "</td>";
            }
            const bool bad = failed(o, style.fail_on);
            out << "<td><span class=\"badge " << (bad ? "error" : "ok") << "\">" << (bad ? "FAIL" : "PASS") << "</span></td></tr>\n";
        }
        out << "</tbody>\n</table>\n";
    }
}

struct Located {
    const Finding* finding;
    std::string where;
};

void findings_table(std::ostream& out, std::vector<Located> items) {
    if (items.empty()) {
        out << "<p>No findings.</p>\n";
        return;
    }
    std::stable_sort(items.begin(), items.end(),
                     [](const Located& a, const Located& b) { return static_cast<int>(a.finding->severity) < static_cast<int>(b.finding->severity); });
    out << "<table>\n<thead><tr><th scope=\"col\">Severity</th><th scope=\"col\">Code</th><th scope=\"col\">Where</th>"
        << "<th scope=\"col\">Message</th></tr></thead>\n<tbody>\n";
    for (const auto& item : items)
        out << "<tr><td>" << severity_badge(item.finding->severity) << "</td><td>" << code(item.finding->code) << "</td><td>"
            << item.where << "</td><td>" << e(item.finding->message) << "</td></tr>\n";
    out << "</tbody>\n</table>\n";
}

void dns_section(std::ostream& out, const audit::DnsAudit& dns) {
    out << "<h2>DNS, " << e(dns.view) << " view</h2>\n<p>Resolvers: " << list(dns.resolvers) << ".</p>\n";
    if (dns.checks.empty()) {
        out << "<p>No DNS checks.</p>\n";
        return;
    }
    out << "<table>\n<thead><tr><th scope=\"col\">Name</th><th scope=\"col\">Type</th><th scope=\"col\">Certificate</th>"
        << "<th scope=\"col\">Result</th><th scope=\"col\">Steps</th></tr></thead>\n<tbody>\n";
    for (const auto& c : dns.checks) {
        std::string steps;
        for (const auto& s : c.steps)
            steps += (steps.empty() ? "" : "<br>") + e(s.status() + " " + s.step + " " + s.target + ": " + s.result);
        const bool ok = c.passed();
        out << "<tr><td>" << code(c.name) << "</td><td>" << e(c.type) << "</td><td>" << code(c.certificate) << "</td><td><span class=\"badge "
            << (ok ? "ok" : "error") << "\">" << (ok ? "PASS" : "FAIL") << "</span></td><td>" << (steps.empty() ? "-" : steps)
            << "</td></tr>\n";
    }
    out << "</tbody>\n</table>\n";
}

std::string topology_facts(const model::Plan& plan, const std::string& path) {
    std::string out = "<dt>Topology</dt><dd>" + code(path) + "</dd>\n";
    if (!plan.source.sha256.empty()) out += "<dt>Topology SHA-256</dt><dd>" + code(plan.source.sha256) + "</dd>\n";
    return out;
}

}  // namespace

const char* to_string(Standing standing) {
    switch (standing) {
        case Standing::ok: return "OK";
        case Standing::due: return "DUE";
        case Standing::expired: return "EXPIRED";
        case Standing::not_yet_valid: return "NOT YET VALID";
        case Standing::not_seen: return "NOT SEEN";
    }
    return "NOT SEEN";
}

std::vector<TimelineRow> timeline_rows(const audit::Report& report, const model::Plan& plan) {
    std::vector<TimelineRow> rows;
    std::map<std::pair<std::string, std::string>, std::size_t> index;
    std::map<std::size_t, std::vector<std::string>> seen_fingerprints;
    for (const auto& o : report.observations) {
        const auto [it, inserted] = index.emplace(std::make_pair(o.certificate_id, o.member), rows.size());
        if (inserted) {
            TimelineRow row;
            row.certificate_id = o.certificate_id;
            row.pool = o.pool;
            row.member = o.member;
            rows.push_back(row);
        }
        if (!o.certificate) continue;
        const auto& c = *o.certificate;
        auto& fingerprints = seen_fingerprints[it->second];
        if (std::find(fingerprints.begin(), fingerprints.end(), c.sha256_fingerprint) == fingerprints.end())
            fingerprints.push_back(c.sha256_fingerprint);
        TimelineRow& row = rows[it->second];
        // The certificate that expires first is the one that needs the admin.
        if (row.seen && row.not_after <= c.not_after) continue;
        const auto* r = plan.find(o.certificate_id);
        const int lead = r != nullptr ? r->roll_lead_hours : 0;
        row.seen = true;
        row.not_before = c.not_before;
        row.not_after = c.not_after;
        row.standing = standing_of(c, report.at, report.warn_days, lead);
        row.days_left = whole_days_left(report.at, c.not_after);
        row.renewal_from = c.not_after - window_of(c, report.warn_days, lead);
        row.roll_effective = lead > 0 ? std::optional<TimePoint>(c.not_after - std::chrono::hours(lead)) : std::nullopt;
        // BR 6.3.2 binds the public CAs; an internal CA's certificate has no such maximum.
        if (r == nullptr || r->ca != model::CaKind::internal_ca) {
            const auto& limit = model::public_lifetime_limit(c.not_before);
            row.br_maximum_days = limit.max_days;
            row.br_maximum = c.not_before + std::chrono::hours(24L * limit.max_days);
        } else {
            row.br_maximum.reset();
        }
    }
    for (auto& [i, fingerprints] : seen_fingerprints) rows[i].other_certificates = fingerprints.size() - 1;
    return rows;
}

void render_audit_html(const audit::Report& report, const model::Plan& plan, const AuditStyle& style, std::ostream& out) {
    page_start(out, "Certificate audit: " + report.topology);
    const auto s = report.summary();
    std::size_t failing = 0;
    for (const auto& o : report.observations) failing += failed(o, style.fail_on) ? 1 : 0;
    const bool passed = !report.has(style.fail_on);

    out << "<header>\n<h1>Certificate audit of " << e(report.topology) << "</h1>\n<dl class=\"facts\">\n"
        << topology_facts(plan, report.topology) << "<dt>Audited at</dt><dd>" << format_datetime(report.at) << "</dd>\n"
        << "<dt>Renewal window</dt><dd>"
        << (report.warn_days ? "--warn-days " + std::to_string(*report.warn_days)
                             : std::string("a third of each certificate's own lifetime, never less than its -Roll lead time"))
        << "</dd>\n<dt>Fails on</dt><dd>" << model::to_string(style.fail_on) << " findings</dd>\n</dl>\n"
        << verdict(passed, plural(s.observations, "observation", "observations") + ": " + std::to_string(s.observations - failing) +
                               " passed, " + std::to_string(failing) + " failed; " + plural(s.errors, "error", "errors") + ", " +
                               plural(s.warnings, "warning", "warnings") + ", " + std::to_string(s.info) + " info")
        << "</header>\n<main>\n";

    out << "<h2>Estate</h2>\n";
    estate(out, report, plan, style);

    out << "<h2>Expiry timeline</h2>\n";
    const auto rows = timeline_rows(report, plan);
    if (rows.empty()) {
        out << "<p>No certificate to draw.</p>\n";
    } else {
        timeline_svg(out, rows, report.at);
        timeline_table(out, rows);
    }

    out << "<h2>Findings</h2>\n";
    std::vector<Located> items;
    for (const auto& o : report.observations)
        for (const auto& f : o.findings)
            items.push_back({&f, code(o.certificate_id) + "<br>" + e(o.member) + ", " + e(o.service) + " " + code(o.source)});
    for (const auto& f : report.findings) items.push_back({&f, f.certificate.empty() ? "plan" : code(f.certificate)});
    if (report.dns)
        for (const auto& c : report.dns->checks)
            for (const auto& step : c.steps)
                for (const auto& f : step.findings) items.push_back({&f, "DNS " + code(c.name) + " " + e(step.step)});
    findings_table(out, std::move(items));

    if (report.dns) dns_section(out, *report.dns);
    out << "</main>\n";
    page_end(out);
}

std::string render_plan_html(const model::Plan& plan) {
    std::ostringstream out;
    page_start(out, "Certificate plan: " + plan.source.path);
    out << "<header>\n<h1>Certificate plan for " << e(plan.source.path) << "</h1>\n<dl class=\"facts\">\n"
        << topology_facts(plan, plan.source.path) << "<dt>Product</dt><dd>" << e(std::string(plan.platform.product_facts().name))
        << "</dd>\n</dl>\n"
        << verdict(!plan.has_errors(), e(summary_line(plan))) << "</header>\n<main>\n";

    out << "<h2>Certificates</h2>\n";
    if (plan.certificates.empty()) {
        out << "<p>No certificates.</p>\n";
    } else {
        out << "<table>\n<thead><tr><th scope=\"col\">ID</th><th scope=\"col\">Role</th><th scope=\"col\">Subject</th>"
            << "<th scope=\"col\">SANs</th><th scope=\"col\">CA</th><th scope=\"col\">Install on</th></tr></thead>\n<tbody>\n";
        for (const auto& c : plan.certificates)
            out << "<tr><td>" << code(c.id) << "</td><td>" << e(role_title(c)) << "</td><td>" << e(subject_line(c))
                << "</td><td class=\"num\">" << c.sans.size() << "</td><td>" << model::to_string(c.ca) << "</td><td>" << list(c.install_on)
                << "</td></tr>\n";
        out << "</tbody>\n</table>\n";
    }
    for (const auto& c : plan.certificates) {
        out << "<section class=\"certificate\">\n<h3>" << code(c.id) << ": " << e(role_title(c)) << "</h3>\n"
            << "<table>\n<caption>Subject alternative names, and why each is there</caption>\n<thead><tr><th scope=\"col\">#</th>"
            << "<th scope=\"col\">Name</th><th scope=\"col\">Reason</th></tr></thead>\n<tbody>\n";
        for (std::size_t i = 0; i < c.sans.size(); ++i)
            out << "<tr><td class=\"num\">" << i + 1 << "</td><td>" << code(c.sans[i].name) << "</td><td>" << e(c.sans[i].reason)
                << "</td></tr>\n";
        if (c.sans.empty()) out << "<tr><td colspan=\"3\">none</td></tr>\n";
        out << "</tbody>\n</table>\n";
        std::string endpoints;
        for (const auto& p : c.endpoints) {
            const std::string host = p.address.find(':') != std::string::npos ? "[" + p.address + "]" : p.address;
            endpoints += (endpoints.empty() ? "" : "<br>") + e(p.member + " " + host + ":" + std::to_string(p.port) + " SNI " + p.sni) +
                         (p.service.empty() ? "" : " (" + e(p.service) + ")");
        }
        const std::vector<std::pair<const char*, std::string>> properties = {
            {"Subject", e(subject_line(c))},
            {"Role", code(model::to_string(c.role))},
            {"Pool", code(c.pool)},
            {"Topology path", code(c.topology_path)},
            {"EKU", list(c.eku)},
            {"Key usage", list(c.key_usage)},
            {"Key", e(key_line(c.key))},
            {"Signature hash", e(c.signature_hash)},
            {"CA", model::to_string(c.ca)},
            {"Lifetime", e(lifetime_line(c))},
            {"Exportable key", std::string(c.exportable_key ? "yes" : "no") +
                                   (c.same_on_all_members ? ", same certificate and key on every member" : "")},
            {"Install on", list(c.install_on)},
            {"Usages", list(c.usages)},
            {"Endpoints", endpoints.empty() ? "-" : endpoints},
        };
        out << "<table>\n<caption>Properties</caption>\n<tbody>\n";
        for (const auto& [name, value] : properties) out << "<tr><th scope=\"row\">" << name << "</th><td>" << value << "</td></tr>\n";
        out << "</tbody>\n</table>\n</section>\n";
    }

    out << "<h2>DNS records</h2>\n";
    if (plan.dns.empty()) {
        out << "<p>None.</p>\n";
    } else {
        out << "<table>\n<thead><tr><th scope=\"col\">Zone</th><th scope=\"col\">Type</th><th scope=\"col\">Name</th>"
            << "<th scope=\"col\">Target</th><th scope=\"col\">Port</th><th scope=\"col\">Priority</th><th scope=\"col\">Weight</th>"
            << "<th scope=\"col\">Certificate</th><th scope=\"col\">Reason</th></tr></thead>\n<tbody>\n";
        for (const auto& r : plan.dns) {
            const bool srv = r.type == "SRV";
            out << "<tr><td>" << e(r.zone) << "</td><td>" << e(r.type) << "</td><td>" << code(r.name) << "</td><td>" << code(r.target)
                << "</td><td class=\"num\">" << (srv ? std::to_string(r.port) : "") << "</td><td class=\"num\">"
                << (srv ? std::to_string(r.priority) : "") << "</td><td class=\"num\">" << (srv ? std::to_string(r.weight) : "")
                << "</td><td>" << code(r.certificate) << "</td><td>" << e(r.reason) << "</td></tr>\n";
        }
        out << "</tbody>\n</table>\n";
    }
    if (!plan.dns_left_out.empty()) {
        out << "<p>Left out for want of an address (<code>dns-address-unknown</code>):</p>\n<ul>\n";
        for (const auto& r : plan.dns_left_out) out << "<li>" << e(r.zone) << " " << e(r.type) << " " << code(r.name) << "</li>\n";
        out << "</ul>\n";
    }

    out << "<h2>Findings</h2>\n";
    if (plan.findings.empty()) {
        out << "<p>No findings.</p>\n";
    } else {
        out << "<table>\n<thead><tr><th scope=\"col\">Severity</th><th scope=\"col\">Code</th><th scope=\"col\">Path</th>"
            << "<th scope=\"col\">Certificate</th><th scope=\"col\">Policy</th><th scope=\"col\">Message</th></tr></thead>\n<tbody>\n";
        for (const auto severity : {Severity::error, Severity::warning, Severity::info})
            for (const auto& f : plan.findings)
                if (f.severity == severity)
                    out << "<tr><td>" << severity_badge(f.severity) << "</td><td>" << code(f.code) << "</td><td>" << code(f.path)
                        << "</td><td>" << code(f.certificate) << "</td><td>" << (f.policy.empty() ? "-" : e(f.policy)) << "</td><td>"
                        << e(f.message) << "</td></tr>\n";
        out << "</tbody>\n</table>\n";
    }
    out << "</main>\n";
    page_end(out);
    return out.str();
}

}  // namespace certtool::report
