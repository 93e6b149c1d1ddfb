#!/usr/bin/env bash
# Benchmark (not a test): `certtool csr` on a 64-certificate plan, all RSA 2048,
# against the named baseline: a shell loop of `openssl req -new -newkey rsa:2048`,
# one process per certificate, producing the same 64 requests (same subjects,
# SANs, EKU and key usage, taken from `certtool plan --format json`).
#
# Usage: tests/bench/bench_csr.sh [CERTTOOL_BINARY]   (default: build/certtool)
# Targets: certtool/openssl-loop median wall time <= 0.6 on 2 cores; certtool
# peak memory (max RSS) <= 50 MB. Prints PASS/FAIL lines; exits 1 on a FAIL.
set -euo pipefail

CERTTOOL=${1:-build/certtool}
RUNS=3
TARGET_RATIO=0.6
TARGET_MEMORY_MB=50
WANT_CERTIFICATES=64

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source_dir=$(cd "$here/../.." && pwd)
template="$source_dir/templates/examples/enterprise.json"

die() { echo "bench_csr: $*" >&2; exit 2; }
[[ -x $CERTTOOL ]] || die "certtool binary '$CERTTOOL' not found or not executable (give its path as \$1)"
CERTTOOL=$(cd "$(dirname "$CERTTOOL")" && pwd)/$(basename "$CERTTOOL")
command -v openssl >/dev/null || die "openssl is needed for the baseline"
command -v python3 >/dev/null || die "python3 is needed to read the plan"

work=$(mktemp -d "${TMPDIR:-/tmp}/certtool-bench-csr.XXXXXX")
trap 'rm -rf "$work"' EXIT

# --- A topology whose plan has exactly 64 certificates -----------------------
# enterprise.json with more Front End members: each member has its own certificate.
count_certificates() {
    "$CERTTOOL" plan "$1" --format json >"$work/plan.json" || [[ $? -eq 1 ]]
    python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["certificates"]))' "$work/plan.json"
}
with_members() {  # with_members N OUT: enterprise.json with N Front End members
    python3 - "$template" "$1" "$2" <<'EOF'
import json, sys
template, members, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
topology = json.load(open(template))
pool = topology["sites"][0]["front_end_pools"][0]
pool["members"] = [{"fqdn": "fe%03d.contoso.net" % i, "ip": "10.21.%d.%d" % (i // 200, i % 200 + 10)}
                   for i in range(1, members + 1)]
json.dump(topology, open(out, "w"), indent=2)
EOF
}
topology="$work/bench-64.json"
base_members=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["sites"][0]["front_end_pools"][0]["members"]))' "$template")
base_count=$(count_certificates "$template")
members=$((base_members + WANT_CERTIFICATES - base_count))
((members >= 1)) || die "enterprise.json already has more than $WANT_CERTIFICATES certificates"
with_members "$members" "$topology"
count=$(count_certificates "$topology")
[[ $count -eq $WANT_CERTIFICATES ]] || die "the generated plan has $count certificates, not $WANT_CERTIFICATES: aborting"

# Every certificate RSA 2048, and the openssl arguments for each, from the plan.
python3 - "$work/plan.json" "$work/requests.tsv" <<'EOF'
import json, sys
plan = json.load(open(sys.argv[1]))
bad = [c["id"] for c in plan["certificates"] if c["key"] != {"algorithm": "RSA", "bits": 2048}]
if bad:
    sys.exit("bench_csr: not RSA 2048: " + ", ".join(bad))
order = [("C", "country"), ("ST", "state"), ("L", "locality"), ("O", "organization"),
         ("OU", "organizational_unit"), ("CN", "common_name")]
with open(sys.argv[2], "w") as out:
    for c in plan["certificates"]:
        s = c["subject"]
        subject = "".join("/%s=%s" % (k, s[f]) for k, f in order if s.get(f))
        sans = "subjectAltName=" + ",".join("DNS:" + n for n in c["sans"])
        eku = "extendedKeyUsage=" + ",".join(c["eku"])
        ku = "keyUsage=critical," + ",".join(c["key_usage"])
        out.write("\t".join([c["id"], subject, sans, eku, ku, c["signature_hash"]]) + "\n")
EOF

# --- The two contenders --------------------------------------------------------
now() { python3 -c 'import time; print("%.6f" % time.monotonic())'; }
elapsed() { python3 -c 'import sys; print("%.3f" % (float(sys.argv[2]) - float(sys.argv[1])))' "$1" "$2"; }

have_gnu_time=0
[[ -x /usr/bin/time ]] && /usr/bin/time -f %M true >/dev/null 2>&1 && have_gnu_time=1

# certtool csr into a fresh directory (new keys every run); sets RUN_SECONDS and RUN_KB.
run_certtool() {
    local out="$work/certtool-$1"
    local start end
    if ((have_gnu_time)); then
        start=$(now)
        /usr/bin/time -f %M -o "$work/maxrss" "$CERTTOOL" csr "$topology" --out "$out" >/dev/null
        end=$(now)
        RUN_KB=$(tail -1 "$work/maxrss")
    else
        local line
        line=$(python3 - "$CERTTOOL" "$topology" "$out" <<'EOF'
import resource, subprocess, sys, time
start = time.monotonic()
subprocess.run([sys.argv[1], "csr", sys.argv[2], "--out", sys.argv[3]], check=True, stdout=subprocess.DEVNULL)
end = time.monotonic()
print("%.6f %.6f %d" % (start, end, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
EOF
)
        read -r start end RUN_KB <<<"$line"
    fi
    RUN_SECONDS=$(elapsed "$start" "$end")
    local made
    made=$(find "$out" -name '*.csr' | wc -l)
    [[ $made -eq $WANT_CERTIFICATES ]] || die "certtool wrote $made requests, not $WANT_CERTIFICATES"
}

# The baseline: one openssl process per certificate; sets RUN_SECONDS.
run_openssl_loop() {
    local out="$work/openssl-$1"
    mkdir -m 700 "$out"
    local start end id subject sans eku ku hash
    start=$(now)
    while IFS=$'\t' read -r id subject sans eku ku hash; do
        openssl req -new -newkey rsa:2048 -nodes "-$hash" -keyout "$out/$id.key" -out "$out/$id.csr" \
            -subj "$subject" -addext "$sans" -addext "$eku" -addext "$ku" 2>/dev/null
    done <"$work/requests.tsv"
    end=$(now)
    RUN_SECONDS=$(elapsed "$start" "$end")
    local made
    made=$(find "$out" -name '*.csr' | wc -l)
    [[ $made -eq $WANT_CERTIFICATES ]] || die "the openssl loop wrote $made requests, not $WANT_CERTIFICATES"
}

median() { printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }

echo "bench_csr: $WANT_CERTIFICATES certificates (RSA 2048), $(nproc) cores, $RUNS runs each"
echo "certtool: $CERTTOOL ($("$CERTTOOL" --version)), jobs = default (one per core)"
echo "baseline: a shell loop of openssl req -new -newkey rsa:2048, one process per certificate ($(openssl version))"
read -r load1 _ </proc/loadavg
echo "load average before the runs: $load1 (other work on the machine slows both contenders and hides certtool's parallelism)"
echo "peak memory measured with: $( ((have_gnu_time)) && echo '/usr/bin/time -f %M' || echo 'python3 resource.getrusage(RUSAGE_CHILDREN)')"
echo

certtool_times=() openssl_times=() peak_kb=0
for run in $(seq 1 "$RUNS"); do
    run_certtool "$run"
    certtool_times+=("$RUN_SECONDS")
    ((RUN_KB > peak_kb)) && peak_kb=$RUN_KB
    printf 'run %d  certtool csr   %8.3f s  max RSS %6.1f MB\n' "$run" "$RUN_SECONDS" "$(awk -v k="$RUN_KB" 'BEGIN {print k/1024}')"
    run_openssl_loop "$run"
    openssl_times+=("$RUN_SECONDS")
    printf 'run %d  openssl loop   %8.3f s\n' "$run" "$RUN_SECONDS"
done

certtool_median=$(median "${certtool_times[@]}")
openssl_median=$(median "${openssl_times[@]}")
ratio=$(awk -v a="$certtool_median" -v b="$openssl_median" 'BEGIN {printf "%.3f", a / b}')
peak_mb=$(awk -v k="$peak_kb" 'BEGIN {printf "%.1f", k / 1024}')
echo
printf 'median certtool csr  %8.3f s\n' "$certtool_median"
printf 'median openssl loop  %8.3f s\n' "$openssl_median"

failed=0
if awk -v r="$ratio" -v t="$TARGET_RATIO" 'BEGIN {exit !(r <= t)}'; then
    echo "PASS time: certtool/openssl-loop = $ratio (target <= $TARGET_RATIO on 2 cores; this machine has $(nproc))"
else
    echo "FAIL time: certtool/openssl-loop = $ratio (target <= $TARGET_RATIO on 2 cores; this machine has $(nproc))"
    failed=1
fi
if awk -v m="$peak_mb" -v t="$TARGET_MEMORY_MB" 'BEGIN {exit !(m <= t)}'; then
    echo "PASS memory: certtool peak $peak_mb MB (target <= $TARGET_MEMORY_MB MB)"
else
    echo "FAIL memory: certtool peak $peak_mb MB (target <= $TARGET_MEMORY_MB MB)"
    failed=1
fi
exit "$failed"
