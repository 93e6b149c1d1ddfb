// An audit for monitoring systems (issue 16): the Nagios/Icinga/Naemon plugin
// output (Monitoring Plugins guidelines: a summary line, long output, perfdata,
// exit 0 OK / 1 WARNING / 2 CRITICAL / 3 UNKNOWN) and the Prometheus text
// exposition format for node_exporter's textfile collector (timestamps, not
// days left, as blackbox_exporter, ssl_exporter and the x509 certificate
// exporter do). README "Monitoring: Nagios and Prometheus".
#pragma once

#include <chrono>
#include <iosfwd>
#include <optional>

#include "audit/audit.hpp"
#include "check/check.hpp"
#include "model/plan.hpp"

namespace certtool::report {

enum class NagiosState { ok = 0, warning = 1, critical = 2, unknown = 3 };
const char* to_string(NagiosState state);  // "OK", "WARNING", "CRITICAL", "UNKNOWN"

struct NagiosOptions {
    // Fixed thresholds for the time left (--warn-days, --critical-days); nullopt:
    // from each certificate's lifetime: warning at the renewal window
    // (model::renewal_window: a third of its lifetime, never under its -Roll
    // lead), critical at half of that, never under the lead.
    std::optional<int> warn_days;
    std::optional<int> critical_days;
};

// The thresholds of one certificate: {warning, critical} seconds left.
std::pair<std::chrono::seconds, std::chrono::seconds> nagios_thresholds(const crypto::Certificate& c, int lead_hours,
                                                                        const NagiosOptions& options);

// Writes the plugin output and returns its state, which the verb exits with.
// UNKNOWN when nothing could be checked: no certificate was obtained from any
// observation and no DNS check ran. CRITICAL: an error finding, or a
// certificate at or under its critical threshold; WARNING: a warning finding,
// or a certificate under its warning threshold.
NagiosState render_audit_nagios(const audit::Report& report, const model::Plan& plan, const NagiosOptions& options, std::ostream& out);

// The same for certtool verify: each file's certificate with its plan entry's
// thresholds (`plan` may be null: generic checks, no -Roll lead).
NagiosState render_verify_nagios(const std::vector<check::Verdict>& verdicts, const std::vector<model::Finding>& general,
                                 const model::Plan* plan, TimePoint at, const NagiosOptions& options, std::ostream& out);

// The Prometheus text format (version 0.0.4), no sample timestamps:
//   certtool_certificate_not_after_timestamp_seconds{certificate_id,role,pool,member,service,source,sha256}
//   certtool_certificate_not_before_timestamp_seconds{...}
//   certtool_observation_passed{certificate_id,role,pool,member,service,source} 0|1
//   certtool_finding{certificate_id,member,service,code,severity} 1   (one series per finding)
//   certtool_pool_consistent{certificate_id,role,pool} 0|1
//   certtool_read_errors{certificate_id,member,service,source} 1      (nothing could be read there)
//   certtool_dns_check_passed{view,name,type} 0|1                      (audit --dns)
//   certtool_audit_findings{severity} N
//   certtool_audit_last_run_timestamp_seconds
void render_audit_prometheus(const audit::Report& report, const model::Plan& plan, std::ostream& out);

}  // namespace certtool::report
