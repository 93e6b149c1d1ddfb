#!/usr/bin/env bash
# Benchmark (not a test) of issue 4, two parts, each against the baseline the
# issue names:
#
#  verify  `certtool verify TOPOLOGY DIR --trust ca.pem` on DIR holding 10,000
#          PEM leaf certificates, each issued (by a benchmark root CA) for one
#          of the certificates of the plan of templates/examples/enterprise.json,
#          round-robin; all distinct (own serial, 8 RSA 2048 keys shared out).
#          Baseline: a shell loop of
#          `openssl x509 -noout -checkend 0 -ext subjectAltName -in FILE`,
#          one process per file. Target: certtool at least 50 times faster.
#          Second baseline (issue 12): `openssl verify -CAfile ca.pem FILE...`
#          over the same files in one process, pinned to one core (taskset
#          -c 0): parsing and chain validation without process start-ups.
#          Target: certtool at least 2 times faster, with a peak memory
#          under 64 MB.
#  audit   `certtool audit TOPOLOGY --live --trust ca.pem --format json` on a
#          generated topology whose plan has 500 live endpoints (163 Edge pool
#          members in 14 pools/sites: access 443 (+ 5061 in the one federation
#          route pool), webconf 443, internal 5061), each on a loopback address
#          127.x.y.z and served by this benchmark (bench_audit_helper serve:
#          OpenSSL, two epoll loops) with a certificate valid for the plan.
#          Baseline: a sequential loop of
#          `openssl s_client -connect ADDR:PORT -servername SNI </dev/null`
#          over the same 500 endpoints. Target: at least 20 times faster.
#
# Usage: tests/bench/bench_audit.sh [CERTTOOL_BINARY [CACHE_DIR]]
#   CERTTOOL_BINARY  default build/certtool
#   CACHE_DIR        keeps the generated certificates, keys and topologies, so
#                    that a rerun does not make them again (default: a temporary
#                    directory, removed at the end)
# Environment:
#   BENCH_PARTS="verify audit"   the parts to run
#   BENCH_RUNS=3                 certtool runs per part (the median is taken;
#                                the baseline loops run once)
#   BENCH_BASELINE_FILES=N       time the verify baseline on the first N files
#                                only and scale it to all (marked "scaled")
#   BENCH_AUDIT_HELPER=PATH      the helper program; default: beside the
#                                certtool binary (tests/certtool_bench_audit_helper),
#                                else compiled from tests/bench/bench_audit_helper.cpp
# As root the endpoints listen on the real ports 443 and 5061; otherwise (or
# when those cannot be bound) on 10443 and 15061, and the audit is given
# --map-port 443:10443 --map-port 5061:15061.
# Prints PASS/FAIL lines; exits 1 on a FAIL, 2 when it cannot run.
set -euo pipefail

CERTTOOL=${1:-build/certtool}
CACHE_ARG=${2:-}
PARTS=${BENCH_PARTS:-verify audit}
RUNS=${BENCH_RUNS:-3}
VERIFY_FILES=10000
VERIFY_KEYS=8
TARGET_VERIFY_SPEEDUP=50
TARGET_VERIFY_OPENSSL_RATIO=2
TARGET_VERIFY_PEAK_MB=64
TARGET_AUDIT_SPEEDUP=20
AUDIT_ENDPOINTS=500
AUDIT_MAX_POOL_MEMBERS=12  # the lint's limit per Edge pool
CACHE_VERSION=1

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source_dir=$(cd "$here/../.." && pwd)
template="$source_dir/templates/examples/enterprise.json"

die() { echo "bench_audit: $*" >&2; exit 2; }
[[ -x $CERTTOOL ]] || die "certtool binary '$CERTTOOL' not found or not executable (give its path as \$1)"
CERTTOOL=$(cd "$(dirname "$CERTTOOL")" && pwd)/$(basename "$CERTTOOL")
command -v openssl >/dev/null || die "openssl is needed for the baselines"
command -v python3 >/dev/null || die "python3 is needed to read the plans"
[[ -n ${EPOCHREALTIME:-} ]] || die "bash 5 (EPOCHREALTIME) is needed for the timings"

work=$(mktemp -d "${TMPDIR:-/tmp}/certtool-bench-audit.XXXXXX")
server_pid=""
cleanup() {
    if [[ -n $server_pid ]]; then
        exec 9>&- 2>/dev/null || true         # EOF on its stdin: the server stops
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT
if [[ -n $CACHE_ARG ]]; then
    mkdir -p "$CACHE_ARG"
    cache=$(cd "$CACHE_ARG" && pwd)
else
    cache="$work/cache"
    mkdir -p "$cache"
fi

# --- Helpers -------------------------------------------------------------------
have_gnu_time=0
[[ -x /usr/bin/time ]] && /usr/bin/time -f %M true >/dev/null 2>&1 && have_gnu_time=1

# timed OUT_FILE CMD...: runs CMD with stdout to OUT_FILE; sets RUN_SECONDS,
# RUN_KB (peak RSS of CMD) and RUN_STATUS (its exit code).
timed() {
    local out=$1
    shift
    local start end
    RUN_STATUS=0
    if ((have_gnu_time)); then
        start=$EPOCHREALTIME
        /usr/bin/time -f %M -o "$work/maxrss" "$@" >"$out" 2>"$work/stderr" || RUN_STATUS=$?
        end=$EPOCHREALTIME
        RUN_KB=$(tail -1 "$work/maxrss")
        [[ $RUN_KB =~ ^[0-9]+$ ]] || RUN_KB=0
    else
        local line
        line=$(python3 - "$out" "$@" <<'EOF'
import resource, subprocess, sys, time
start = time.monotonic()
with open(sys.argv[1], "w") as out:
    status = subprocess.run(sys.argv[2:], stdout=out).returncode
end = time.monotonic()
print("%.6f %.6f %d %d" % (start, end, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, status))
EOF
)
        read -r start end RUN_KB RUN_STATUS <<<"$line"
    fi
    RUN_SECONDS=$(awk -v a="$start" -v b="$end" 'BEGIN {printf "%.3f", b - a}')
}
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
mb() { awk -v k="$1" 'BEGIN {printf "%.1f", k / 1024}'; }
# verdict NAME SPEEDUP TARGET DETAIL: prints PASS/FAIL; sets failed on a FAIL.
failed=0
verdict() {
    if awk -v s="$2" -v t="$3" 'BEGIN {exit !(s >= t)}'; then
        echo "PASS $1: certtool is ${2}x faster than the baseline (target >= ${3}x)$4"
    else
        echo "FAIL $1: certtool is ${2}x faster than the baseline (target >= ${3}x)$4"
        failed=1
    fi
}

# The helper program: generates the PKI and serves the TLS endpoints.
helper=${BENCH_AUDIT_HELPER:-}
if [[ -z $helper ]]; then
    for candidate in "$(dirname "$CERTTOOL")/tests/certtool_bench_audit_helper" "$(dirname "$CERTTOOL")/certtool_bench_audit_helper"; do
        if [[ -x $candidate && $candidate -nt $here/bench_audit_helper.cpp ]]; then helper=$candidate; break; fi
    done
fi
if [[ -z $helper ]]; then
    helper="$cache/bench_audit_helper"
    if [[ ! -x $helper || $here/bench_audit_helper.cpp -nt $helper ]]; then
        cxx=${CXX:-c++}
        command -v "$cxx" >/dev/null || die "no helper program and no C++ compiler ($cxx) to build it"
        "$cxx" -std=c++17 -O2 -pthread -o "$helper" "$here/bench_audit_helper.cpp" -lssl -lcrypto ||
            die "cannot build the helper from $here/bench_audit_helper.cpp (needs the OpenSSL headers)"
    fi
fi
[[ -x $helper ]] || die "the helper program '$helper' is not executable"

plan_json() {  # plan_json TOPOLOGY OUT: the plan as JSON (exit 1 = findings, still a plan)
    "$CERTTOOL" plan "$1" --format json >"$2" || [[ $? -eq 1 ]] || die "certtool plan $1 failed"
}

# A generated set is reused when its stamp (what it was made from, and when)
# matches and it is less than 200 days old (the certificates last 365).
cache_fresh() {  # cache_fresh DIR STAMP_TEXT
    [[ -f $1/stamp && -f $1/made ]] || return 1
    [[ $(cat "$1/stamp") == "$2" ]] || return 1
    local made
    made=$(cat "$1/made")
    (($(date +%s) - made < 200 * 86400))
}

echo "bench_audit: certtool verify on $VERIFY_FILES files, certtool audit --live on $AUDIT_ENDPOINTS endpoints"
echo "certtool: $CERTTOOL ($("$CERTTOOL" --version))"
echo "baselines: openssl x509 / openssl s_client, one process per file or endpoint ($(openssl version))"
read -r load1 load5 _ </proc/loadavg
echo "machine: $(nproc) cores, load average $load1 (1 min) $load5 (5 min) before the runs; other work on the machine slows every figure"
echo "peak memory measured with: $( ((have_gnu_time)) && echo '/usr/bin/time -f %M' || echo 'python3 resource.getrusage(RUSAGE_CHILDREN)')"
echo "cache: $cache$([[ -z $CACHE_ARG ]] && echo ' (temporary; give a CACHE_DIR to keep it)')"
echo

# === verify ========================================================================
run_verify_part() {
    local dir="$cache/verify"
    mkdir -p "$dir"
    plan_json "$template" "$work/enterprise-plan.json"
    # One line per file: OUT CN O OU L ST C SANS EKU KU (bench_audit_helper issue).
    python3 - "$work/enterprise-plan.json" "$work/verify-spec.tsv" "$VERIFY_FILES" <<'EOF'
import json, sys
plan = json.load(open(sys.argv[1]))
certs = plan["certificates"]
if not certs:
    sys.exit("bench_audit: the plan has no certificates")
fields = ["organization", "organizational_unit", "locality", "state", "country"]
with open(sys.argv[2], "w") as out:
    for i in range(int(sys.argv[3])):
        c = certs[i % len(certs)]
        s = c["subject"]
        out.write("\t".join(["certs/%05d-%s.pem" % (i, c["id"]), s["common_name"]] + [s.get(f) or "" for f in fields] +
                            [",".join(c["sans"]), ",".join(c["eku"]), ",".join(c["key_usage"])]) + "\n")
EOF
    local stamp
    stamp="v$CACHE_VERSION $VERIFY_FILES $VERIFY_KEYS $(sha256sum <"$work/verify-spec.tsv" | cut -c1-64)"
    if cache_fresh "$dir" "$stamp" && [[ $(find "$dir/certs" -name '*.pem' | wc -l) -eq $VERIFY_FILES ]]; then
        echo "verify: reusing the $VERIFY_FILES certificates in $dir"
    else
        echo "verify: issuing $VERIFY_FILES certificates into $dir (once; kept when a CACHE_DIR is given) ..."
        rm -rf "$dir" && mkdir -p "$dir/certs"
        local start=$EPOCHREALTIME
        "$helper" issue "$dir" "$work/verify-spec.tsv" "$VERIFY_KEYS" >/dev/null
        awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN {printf "verify: issued in %.1f s\n", b - a}'
        date +%s >"$dir/made"
        echo "$stamp" >"$dir/stamp"
    fi
    local count
    count=$(find "$dir/certs" -name '*.pem' | wc -l)
    [[ $count -eq $VERIFY_FILES ]] || die "verify: $count certificate files, not $VERIFY_FILES"

    local times=() peak_kb=0 run
    for run in $(seq 1 "$RUNS"); do
        timed "$work/verify.out" "$CERTTOOL" verify "$template" "$dir/certs" --trust "$dir/ca.pem"
        ((RUN_STATUS == 0)) || { tail -5 "$work/verify.out" "$work/stderr" >&2; die "verify: certtool exited $RUN_STATUS (a certificate failed its checks?)"; }
        local summary
        summary=$(tail -1 "$work/verify.out")
        [[ $summary == "$VERIFY_FILES certificates checked: $VERIFY_FILES passed, 0 failed" ]] ||
            die "verify: certtool's summary is '$summary'"
        times+=("$RUN_SECONDS")
        ((RUN_KB > peak_kb)) && peak_kb=$RUN_KB
        printf 'verify run %d  certtool verify   %8.3f s  max RSS %6.1f MB  (%s)\n' "$run" "$RUN_SECONDS" "$(mb "$RUN_KB")" "$summary"
    done
    local certtool_median
    certtool_median=$(median "${times[@]}")

    # openssl verify over every file in one process (one argument list when it
    # fits in ARG_MAX, else xargs batches as large as fit), on one core.
    local files=("$dir"/certs/*.pem)
    local pin=()
    command -v taskset >/dev/null && pin=(taskset -c 0)
    local arg_bytes arg_max
    arg_bytes=$(printf '%s\0' "${files[@]}" | wc -c)
    arg_max=$(getconf ARG_MAX)
    printf '%s\0' "${files[@]}" >"$work/files.list"
    local openssl_times=() openssl_peak_kb=0
    for run in $(seq 1 "$RUNS"); do
        if ((arg_bytes + 65536 < arg_max)); then
            timed "$work/openssl-verify.out" "${pin[@]}" openssl verify -CAfile "$dir/ca.pem" "${files[@]}"
        else
            timed "$work/openssl-verify.out" xargs -0 -s $((arg_max - 65536)) -a "$work/files.list" "${pin[@]}" \
                openssl verify -CAfile "$dir/ca.pem"
        fi
        ((RUN_STATUS == 0)) || { tail -5 "$work/openssl-verify.out" "$work/stderr" >&2; die "verify: openssl verify exited $RUN_STATUS"; }
        local ok
        ok=$(grep -c ': OK$' "$work/openssl-verify.out" || true)
        ((ok == VERIFY_FILES)) || die "verify: openssl verify said OK for $ok files, not $VERIFY_FILES"
        openssl_times+=("$RUN_SECONDS")
        ((RUN_KB > openssl_peak_kb)) && openssl_peak_kb=$RUN_KB
        printf 'verify run %d  openssl verify    %8.3f s  max RSS %6.1f MB  (one process%s)\n' "$run" "$RUN_SECONDS" \
            "$(mb "$RUN_KB")" "$( ((${#pin[@]})) && echo ', taskset -c 0')"
    done
    local openssl_verify_median ratio
    openssl_verify_median=$(median "${openssl_times[@]}")
    ratio=$(awk -v a="$openssl_verify_median" -v b="$certtool_median" 'BEGIN {printf "%.2f", a / b}')
    echo "certtool verify: $certtool_median s, one-process openssl verify: $openssl_verify_median s, ratio Y/X = $ratio (target >= $TARGET_VERIFY_OPENSSL_RATIO)"
    if awk -v r="$ratio" -v t="$TARGET_VERIFY_OPENSSL_RATIO" 'BEGIN {exit !(r >= t)}'; then
        echo "PASS verify vs one-process openssl verify: ratio $ratio (target >= $TARGET_VERIFY_OPENSSL_RATIO)"
    else
        echo "FAIL verify vs one-process openssl verify: ratio $ratio (target >= $TARGET_VERIFY_OPENSSL_RATIO)"
        failed=1
    fi
    if awk -v k="$peak_kb" -v t="$TARGET_VERIFY_PEAK_MB" 'BEGIN {exit !(k < t * 1024)}'; then
        echo "PASS verify peak memory: $(mb "$peak_kb") MB (target < $TARGET_VERIFY_PEAK_MB MB; openssl verify $(mb "$openssl_peak_kb") MB)"
    else
        echo "FAIL verify peak memory: $(mb "$peak_kb") MB (target < $TARGET_VERIFY_PEAK_MB MB; openssl verify $(mb "$openssl_peak_kb") MB)"
        failed=1
    fi

    # The baseline, over the same files (or the first BENCH_BASELINE_FILES, scaled).
    local sample=${BENCH_BASELINE_FILES:-$VERIFY_FILES}
    ((sample > 0 && sample <= VERIFY_FILES)) || sample=$VERIFY_FILES
    local bad=0 f start end
    start=$EPOCHREALTIME
    for f in "${files[@]:0:sample}"; do
        openssl x509 -noout -checkend 0 -ext subjectAltName -in "$f" >/dev/null || bad=$((bad + 1))
    done
    end=$EPOCHREALTIME
    ((bad == 0)) || die "verify: the openssl loop failed on $bad files"
    local openssl_seconds scaled=""
    openssl_seconds=$(awk -v a="$start" -v b="$end" -v n="$sample" -v all="$VERIFY_FILES" 'BEGIN {printf "%.3f", (b - a) * all / n}')
    ((sample < VERIFY_FILES)) && scaled=" (scaled from the first $sample files)"
    printf 'verify        openssl x509 loop  %8.3f s%s\n' "$openssl_seconds" "$scaled"
    printf 'verify        certtool median    %8.3f s, %.3f ms per file, peak memory %s MB\n' "$certtool_median" \
        "$(awk -v s="$certtool_median" -v n="$VERIFY_FILES" 'BEGIN {print s * 1000 / n}')" "$(mb "$peak_kb")"
    local speedup
    speedup=$(awk -v a="$openssl_seconds" -v b="$certtool_median" 'BEGIN {printf "%.1f", a / b}')
    verdict "verify" "$speedup" "$TARGET_VERIFY_SPEEDUP" \
        "; openssl loop $openssl_seconds s$scaled / certtool $certtool_median s; certtool peak memory $(mb "$peak_kb") MB"
    echo
}

# === audit ========================================================================
# The topology: Edge pools of at most 12 members, one pool per site; only one
# pool can be the federation route, so its members have 4 endpoints and the
# others 3 (no Access 5061): 11 x 4 + 152 x 3 = 500 in 14 pools. Member g
# (1-based) serves Access on 127.1.H.L, Web Conferencing on 127.2.H.L and the
# internal interface on 127.3.H.L (H.L = g as two bytes); A/V (127.4.H.L) is
# not a TLS endpoint of the plan.
make_audit_topology() {
    python3 - "$source_dir/templates/examples/edge-dnslb-nat.json" "$1" "$AUDIT_ENDPOINTS" "$AUDIT_MAX_POOL_MEMBERS" <<'EOF'
import json, sys
template, out, endpoints, per_pool = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
topology = json.load(open(template))
pool_template = topology["sites"][0]["edge_pools"][0]
# Only one pool may be the federation route: its members have 4 endpoints
# (Access 443 and 5061, Web Conferencing 443, internal 5061), the others 3.
# 4 F + 3 (M - F) = endpoints, with F <= per_pool federating members.
federating = max(f for f in range(1, per_pool + 1) if (endpoints - f) % 3 == 0)
others = (endpoints - 4 * federating) // 3
pools = -(-others // per_pool)
sizes = [federating] + [others // pools + (1 if i < others % pools else 0) for i in range(pools)]
sites, g = [], 0
for p, size in enumerate(sizes, start=1):
    pool = json.loads(json.dumps(pool_template))
    pool["fqdn"] = "lsedge%02d.contoso.net" % p
    pool["external"] = {"access": "sip%02d.contoso.com" % p, "webconf": "webcon%02d.contoso.com" % p,
                        "av": "av%02d.contoso.com" % p}
    pool["federation"] = p == 1
    pool["members"] = []
    for m in range(1, size + 1):
        g += 1
        hi, lo = g // 256, g % 256
        pool["members"].append({
            "fqdn": "edge%02d%02d.contoso.net" % (p, m),
            "internal_ip": "127.3.%d.%d" % (hi, lo),
            "external_ips": {"access": "127.1.%d.%d" % (hi, lo), "webconf": "127.2.%d.%d" % (hi, lo),
                             "av": "127.4.%d.%d" % (hi, lo)},
            "public_ips": {"access": "198.18.0.%d" % g, "webconf": "198.18.1.%d" % g, "av": "198.18.2.%d" % g},
        })
    sites.append({"name": "Site%02d" % p, "edge_pools": [pool]})
topology["x-comment"] = ("generated by tests/bench/bench_audit.sh: %d Edge members in %d pools (the first the federation "
                         "route) on loopback addresses, %d TLS endpoints" % (g, len(sizes), endpoints))
topology["sites"] = sites
json.dump(topology, open(out, "w"), indent=2)
print("%d members in %d pools (%s)" % (g, len(sizes), "+".join(map(str, sizes))))
EOF
}

start_server() {  # start_server ENDPOINTS_TSV: sets server_pid, or returns 1 if it did not come up
    rm -f "$work/server.in" "$work/server.out"
    mkfifo "$work/server.in"
    "$helper" serve "$1" 2 <"$work/server.in" >"$work/server.out" 2>"$work/server.err" &
    server_pid=$!
    exec 9>"$work/server.in"
    local i
    for i in $(seq 1 300); do
        if grep -q '^ready' "$work/server.out" 2>/dev/null; then return 0; fi
        if ! kill -0 "$server_pid" 2>/dev/null; then
            wait "$server_pid" 2>/dev/null || true
            server_pid=""
            exec 9>&-
            return 1
        fi
        sleep 0.1
    done
    die "audit: the TLS server did not come up within 30 s: $(cat "$work/server.err")"
}

stop_server() {
    [[ -n $server_pid ]] || return 0
    exec 9>&-
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
}

run_audit_part() {
    local dir="$cache/audit"
    mkdir -p "$dir"
    local shape
    shape=$(make_audit_topology "$work/audit-topology.json")
    echo "audit: topology of $shape"
    plan_json "$work/audit-topology.json" "$work/audit-plan.json"
    # Certificates: one per plan certificate that has endpoints, each with its
    # own RSA 2048 key; endpoints: ADDRESS PORT SNI CERT KEY (real ports).
    python3 - "$work/audit-plan.json" "$work/audit-spec.tsv" "$work/audit-endpoints.tsv" "$dir" <<'EOF'
import json, sys
plan = json.load(open(sys.argv[1]))
fields = ["organization", "organizational_unit", "locality", "state", "country"]
with open(sys.argv[2], "w") as spec, open(sys.argv[3], "w") as endpoints:
    for c in plan["certificates"]:
        if not c.get("endpoints"):
            continue
        s = c["subject"]
        cert, key = "served/%s.pem" % c["id"], "served/%s.key" % c["id"]
        spec.write("\t".join([cert, s["common_name"]] + [s.get(f) or "" for f in fields] +
                             [",".join(c["sans"]), ",".join(c["eku"]), ",".join(c["key_usage"]), key]) + "\n")
        for e in c["endpoints"]:
            endpoints.write("\t".join([e["address"], str(e["port"]), e["sni"], sys.argv[4] + "/" + cert,
                                       sys.argv[4] + "/" + key]) + "\n")
EOF
    local count
    count=$(wc -l <"$work/audit-endpoints.tsv")
    [[ $count -eq $AUDIT_ENDPOINTS ]] || die "audit: the generated plan has $count live endpoints, not $AUDIT_ENDPOINTS"
    local stamp
    stamp="v$CACHE_VERSION $(sha256sum <"$work/audit-spec.tsv" | cut -c1-64)"
    if cache_fresh "$dir" "$stamp"; then
        echo "audit: reusing the served certificates in $dir"
    else
        echo "audit: issuing the $(wc -l <"$work/audit-spec.tsv") served certificates (own keys) into $dir ..."
        rm -rf "$dir" && mkdir -p "$dir/served"
        "$helper" issue "$dir" "$work/audit-spec.tsv" >/dev/null
        date +%s >"$dir/made"
        echo "$stamp" >"$dir/stamp"
    fi

    # Serve: on the real ports as root, else (or if they are taken) 10443/15061.
    local map_args=() p443=443 p5061=5061
    if [[ $(id -u) -eq 0 ]]; then
        awk -F'\t' -v OFS='\t' '{print $1, $2, $4, $5}' "$work/audit-endpoints.tsv" >"$work/serve.tsv"
        start_server "$work/serve.tsv" || echo "audit: cannot serve on 443/5061 ($(tail -1 "$work/server.err")); using 10443/15061"
    fi
    if [[ -z $server_pid ]]; then
        p443=10443 p5061=15061
        map_args=(--map-port 443:10443 --map-port 5061:15061)
        awk -F'\t' -v OFS='\t' '{print $1, ($2 == 443 ? 10443 : 15061), $4, $5}' "$work/audit-endpoints.tsv" >"$work/serve.tsv"
        start_server "$work/serve.tsv" || die "audit: the TLS server failed: $(cat "$work/server.err")"
    fi
    echo "audit: serving $(sed -n 's/^ready //p' "$work/server.out") TLS endpoints on 127.1-3.x.y, ports $p443 and $p5061 (helper pid $server_pid)"

    local times=() peak_kb=0 run
    for run in $(seq 1 "$RUNS"); do
        timed "$work/audit.json" "$CERTTOOL" audit "$work/audit-topology.json" --live --trust "$dir/ca.pem" \
            --format json "${map_args[@]}"
        local check
        check=$(python3 - "$work/audit.json" "$AUDIT_ENDPOINTS" <<'EOF'
import json, sys
try:
    report = json.load(open(sys.argv[1]))
except Exception as e:
    print("unreadable JSON: %s" % e); sys.exit(0)
obs = report.get("observations", [])
obtained = sum(1 for o in obs if o.get("obtained"))
passed = sum(1 for o in obs if o.get("passed"))
print("%d observations, %d obtained, %d passed" % (len(obs), obtained, passed))
EOF
)
        [[ $check == "$AUDIT_ENDPOINTS observations, $AUDIT_ENDPOINTS obtained, $AUDIT_ENDPOINTS passed" ]] ||
            { tail -5 "$work/stderr" >&2; die "audit: certtool exited $RUN_STATUS with $check"; }
        ((RUN_STATUS == 0)) || die "audit: certtool exited $RUN_STATUS although every endpoint passed"
        times+=("$RUN_SECONDS")
        ((RUN_KB > peak_kb)) && peak_kb=$RUN_KB
        printf 'audit run %d   certtool audit    %8.3f s  max RSS %6.1f MB  (%s)\n' "$run" "$RUN_SECONDS" "$(mb "$RUN_KB")" "$check"
    done
    local certtool_median
    certtool_median=$(median "${times[@]}")

    # The baseline: one s_client per endpoint, one after the other.
    local bad=0 address port sni _cert _key start end
    start=$EPOCHREALTIME
    while IFS=$'\t' read -r address port sni _cert _key; do
        [[ $port == 443 ]] && port=$p443 || port=$p5061
        openssl s_client -connect "$address:$port" -servername "$sni" </dev/null >/dev/null 2>&1 || bad=$((bad + 1))
    done <"$work/audit-endpoints.tsv"
    end=$EPOCHREALTIME
    ((bad == 0)) || die "audit: openssl s_client failed on $bad endpoints"
    local openssl_seconds
    openssl_seconds=$(awk -v a="$start" -v b="$end" 'BEGIN {printf "%.3f", b - a}')
    stop_server
    cp "$work/audit-topology.json" "$dir/topology.json"
    cp "$work/serve.tsv" "$dir/serve.tsv"
    printf 'audit         openssl s_client   %8.3f s\n' "$openssl_seconds"
    printf 'audit         certtool median    %8.3f s, %.2f ms per endpoint, peak memory %s MB\n' "$certtool_median" \
        "$(awk -v s="$certtool_median" -v n="$AUDIT_ENDPOINTS" 'BEGIN {print s * 1000 / n}')" "$(mb "$peak_kb")"
    local speedup
    speedup=$(awk -v a="$openssl_seconds" -v b="$certtool_median" 'BEGIN {printf "%.1f", a / b}')
    verdict "audit" "$speedup" "$TARGET_AUDIT_SPEEDUP" \
        "; openssl loop $openssl_seconds s / certtool $certtool_median s; certtool peak memory $(mb "$peak_kb") MB"
    echo
}

for part in $PARTS; do
    case $part in
        verify) run_verify_part ;;
        audit) run_audit_part ;;
        *) die "unknown part '$part' in BENCH_PARTS (verify, audit)" ;;
    esac
done
read -r load1 _ </proc/loadavg
echo "load average after the runs: $load1"
exit "$failed"
