#!/usr/bin/env bash
# Live reload under load: 30 s of load while a loop rewrites the config every 100 ms (adding and
# removing a fourth backend, changing weights), against the same 30 s without reloads.
#
#   bench/load/reload-churn.sh [--rounds N] [--duration S] [--connections C] [--cpus LIST] [--keep]
#
# Each round runs "quiet" then "churn". Prints requests, failed (socket errors and non-2xx),
# p50/p99/p99.9 and the reloads applied. Needs wrk, nginx (nginx-light), dotnet, python3.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ROUNDS=1
DURATION=30
CONNS=64
parse_options "$@"
require_tools wrk nginx taskset python3 dotnet

bench_init
RESULTS=$WORK/results.txt
: >"$RESULTS"
WITH_YARP=0 publish_balancer
start_backends 4
PORT=$(free_port)
ADMIN=$(free_port)
CONFIG=$WORK/balancer.json

# write_config I — variant I: backends 1-3 (plus 4 when I is odd), weights rotating 1..3;
# written aside and renamed over the config, as editors and ConfigMaps do.
write_config() {
    local i=$1 count=3 j sep="" backends="["
    ((i % 2)) && count=4
    for ((j = 0; j < count; j++)); do
        backends+="$sep{ \"address\": \"http://127.0.0.1:${BACKEND_PORTS[j]}\", \"weight\": $((1 + (i + j) % 3)) }"
        sep=", "
    done
    balancer_http_config "$WORK/next.json" "$PORT" "$ADMIN" "\"algorithm\": \"round-robin\", \"backends\": $backends]"
    mv -f "$WORK/next.json" "$CONFIG"
}

# churn — rewrites the config every 100 ms for DURATION seconds (bounded count), then stops.
churn() {
    local i
    for ((i = 1; i <= DURATION * 10; i++)); do
        write_config "$i"
        sleep 0.1
    done
}

reloads() { grep -c "config reloaded on" "$WORK/balancer.log" || true; }

write_config 0
start_balancer balancer "$CONFIG" "$PORT"
warm_up balancer "http://127.0.0.1:$PORT/" "$CONNS"

for round in $(seq "$ROUNDS"); do
    measure quiet "$round" balancer load_run "http://127.0.0.1:$PORT/" "$DURATION" "$CONNS"
    before=$(reloads)
    churn &
    PID_OF[churn]=$!
    STARTED_PIDS+=("$!")
    measure churn "$round" balancer load_run "http://127.0.0.1:$PORT/" "$DURATION" "$CONNS"
    wait "${PID_OF[churn]}" || true
    echo "$round $(($(reloads) - before))" >>"$WORK/reloads.txt"
    write_config 0
    sleep 2
done
rejected=$(grep -c "config rejected" "$WORK/balancer.log" || true)

echo
echo "## Reload churn: config rewritten every 100 ms during ${DURATION} s of load, $CONNS connections, $ROUNDS round(s) (medians)"
echo
python3 - "$RESULTS" "$WORK/reloads.txt" "$rejected" <<'EOF'
import statistics, sys
from collections import defaultdict
runs = defaultdict(list)
for line in open(sys.argv[1]):
    f = line.split()
    runs[f[0]].append([float(x) for x in f[3:10]])
reloads = [int(l.split()[1]) for l in open(sys.argv[2])]
print("| run | requests | req/s | failed (socket errors + non-2xx) | p50 | p99 | p99.9 | reloads applied |")
print("|---|---|---|---|---|---|---|---|")
for name, rows in runs.items():
    med = lambda i: statistics.median(r[i] for r in rows)
    applied = f"{statistics.median(reloads):.0f} (rejected: {sys.argv[3]})" if name == "churn" else "0"
    print(f"| {name} | {sum(r[0] for r in rows):,.0f} | {med(3):,.0f} | {sum(r[1] for r in rows):.0f} + {sum(r[2] for r in rows):.0f} |"
          f" {med(4) / 1000:.2f} ms | {med(5) / 1000:.2f} ms | {med(6) / 1000:.2f} ms | {applied} |")
q, c = runs["quiet"], runs["churn"]
print(f"\np99 churn ÷ quiet (median of per-round ratios): {statistics.median(b[5] / a[5] for a, b in zip(q, c)):.2f}")
EOF
