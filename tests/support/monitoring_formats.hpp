// The grammars of the monitoring outputs (audit and verify --format nagios and
// prometheus), checked with Catch2 assertions; one place for the unit and the
// end-to-end tests.
#pragma once

#include <string>

namespace certtool::test {

// The Monitoring Plugins guidelines: the first line is "TEXT | PERFDATA" with
// no other '|', each perfdata item 'label'=value[UOM];[warn];[crit];[min];[max]
// with range expressions; then the long output, none of it with a '|'.
// Returns the state word of the summary ("OK", "WARNING", ...).
std::string check_nagios_output(const std::string& text);

// The Prometheus text format as certtool writes it: "# HELP"/"# TYPE" comment
// lines and "name{label="value",...} value" samples without timestamps, every
// sample after its family's TYPE line, no series twice.
void check_prometheus_text(const std::string& text);

}  // namespace certtool::test
