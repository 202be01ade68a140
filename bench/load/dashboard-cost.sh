#!/usr/bin/env bash
# What the dashboard costs the proxy (#28): requests per proxy CPU-second with the dashboard closed vs open in
# headless Chromium (polling /console/poll every second), side by side in interleaved rounds, as ratios.
# "closed" still samples its history every second (the history is always on); --baseline REV adds a third
# proxy built from REV (e.g. main before the console) to show what the history and its counters cost.
#
#   bench/load/dashboard-cost.sh [--rounds N] [--duration S] [--connections C] [--cpus LIST]
#                                [--browser-cpus LIST] [--pad N] [--baseline REV] [--keep]
#
# After the loaded rounds, as many idle rounds of --idle S seconds (default 20) measure the proxy's CPU with no
# traffic, closed vs open: what the history's sampling costs (closed) and what the page's polling adds (open - closed),
# in CPU ms per second, the share of a saturated core the dashboard takes. This is the precise figure: on a shared
# machine the loaded ratio moves by several per cent from round to round, the idle difference by a fraction of a ms.
#
# --pad N adds N backends of weight 0 to the pool (never picked, but sampled, paged and sorted like the others),
# so the pool has N + 3 backends: the cost at 1,000 backends is --pad 997. Run it under the shared CPU lock:
#   flock /tmp/balancer-cpu.lock bench/load/dashboard-cost.sh --pad 997
# Needs wrk, nginx (nginx-light), chromium, dotnet, python3, curl.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ROUNDS=5
DURATION=10
CONNS=64
PAD=0
BASELINE=""
IDLE=20
BROWSER_CPUS=${BROWSER_CPUS:-0}
extra_option() {
    case $1 in
        --pad) PAD=$2 ;;
        --baseline) BASELINE=$2 ;;
        --browser-cpus) BROWSER_CPUS=$2 ;;
        --idle) IDLE=$2 ;;
        *) return 1 ;;
    esac
}
parse_options "$@"
require_tools wrk nginx chromium taskset python3 dotnet curl

bench_init
RESULTS=$WORK/results.txt
: >"$RESULTS"
WITH_YARP=0 publish_balancer
CONSOLE_BIN=$BALANCER_BIN
if [[ -n $BASELINE ]]; then
    log "dotnet publish src/Balancer -c Release at $BASELINE"
    mkdir -p "$WORK/baseline-src"
    git -C "$REPO_DIR" archive "$BASELINE" | tar -x -C "$WORK/baseline-src"
    dotnet publish "$WORK/baseline-src/src/Balancer" -c Release -o "$WORK/baseline" --nologo -v quiet >"$WORK/publish-baseline.log" 2>&1 \
        || { tail -30 "$WORK/publish-baseline.log" >&2; die "publish of $BASELINE failed"; }
fi

start_backends 3
# The pool: the three NGINX backends, then PAD of weight 0 on ports nothing listens on.
pad_json=$(python3 -c "
import sys
print(''.join(f', {{ \"address\": \"http://127.0.0.1:{40000 + i}\", \"weight\": 0 }}' for i in range(int(sys.argv[1]))))" "$PAD")
pool_json="\"health\": { \"probe\": \"none\" }, \"backends\": $(balancer_backends_json http:// "${BACKEND_PORTS[@]}" | sed 's/]$//')$pad_json ]"

PROXIES=(closed open)
[[ -n $BASELINE ]] && PROXIES+=(baseline)
declare -A PORT_OF=() ADMIN_OF=()
for name in "${PROXIES[@]}"; do
    PORT_OF[$name]=$(free_port)
    ADMIN_OF[$name]=$(free_port)
    balancer_http_config "$WORK/$name.json" "${PORT_OF[$name]}" "${ADMIN_OF[$name]}" "$pool_json"
    BALANCER_BIN=$CONSOLE_BIN
    [[ $name == baseline ]] && BALANCER_BIN=$WORK/baseline/balancer
    start_balancer "$name" "$WORK/$name.json" "${PORT_OF[$name]}"
done

# The dashboard of "open", in headless Chromium on its own CPU; stopped with its proxy while another is measured.
CPUS_SAVED=$CPUS
CPUS=$BROWSER_CPUS start_proc browser chromium --headless=new --no-sandbox --disable-gpu --disable-background-networking \
    --disable-component-update --no-first-run --user-data-dir="$WORK/chromium" "http://127.0.0.1:${ADMIN_OF[open]}/"
CPUS=$CPUS_SAVED

# only_running_with_browser NAME — NAME runs (and the browser with "open"), every other proxy is stopped.
only_running_with_browser() {
    only_running "$1" "${PROXIES[@]}"
    if [[ $1 == open ]]; then kill -CONT "${PID_OF[browser]}"; else kill -STOP "${PID_OF[browser]}"; fi
}

for name in "${PROXIES[@]}"; do
    only_running_with_browser "$name"
    warm_up "$name" "http://127.0.0.1:${PORT_OF[$name]}/" "$CONNS"
done

log "$ROUNDS rounds of $DURATION s, $CONNS connections, $((PAD + 3)) backends in the pool"
for round in $(seq "$ROUNDS"); do
    for name in "${PROXIES[@]}"; do
        only_running_with_browser "$name"
        sleep 2 # the browser's polls that queued while stopped are answered before the measurement
        measure dashboard "$round" "$name" load_run "http://127.0.0.1:${PORT_OF[$name]}/" "$DURATION" "$CONNS"
    done
done
log "$ROUNDS idle rounds of $IDLE s"
IDLE_RESULTS=$WORK/idle.txt
: >"$IDLE_RESULTS"
for round in $(seq "$ROUNDS"); do
    for name in "${PROXIES[@]}"; do
        only_running_with_browser "$name"
        sleep 2
        before=$(proc_cpu_ticks "${PID_OF[$name]}")
        sleep "$IDLE"
        after=$(proc_cpu_ticks "${PID_OF[$name]}")
        echo "$round $name $((after - before)) $IDLE" >>"$IDLE_RESULTS"
        log "  idle round $round $name: cpu_ticks=$((after - before)) in $IDLE s"
    done
done
# The dashboard really polled: the history the open proxy served is at least as long as the run.
polls=$(curl -fsS "http://127.0.0.1:${ADMIN_OF[open]}/console/poll" | python3 -c "import json, sys; print(json.load(sys.stdin)['count'])")
log "open's history holds $polls samples"

echo
echo "## Dashboard cost: $((PAD + 3)) backends, $CONNS connections, $ROUNDS rounds of $DURATION s"
echo
python3 - "$RESULTS" "$IDLE_RESULTS" "${PROXIES[@]}" <<'EOF'
import statistics, sys
from collections import defaultdict
names = sys.argv[3:]
per_cpu = defaultdict(dict)
rate = defaultdict(dict)
for line in open(sys.argv[1]):
    f = line.split()
    round_, name, requests, ticks = f[1], f[2], float(f[3]), float(f[10])
    per_cpu[round_][name] = requests / max(ticks / 100, 0.01)
    rate[round_][name] = float(f[6])
print("| proxy | req/s (median) | req per CPU-second (median) | per CPU-second ÷ closed (median of per-round ratios) |")
print("|---|---|---|---|")
for name in names:
    ratios = [r[name] / r["closed"] for r in per_cpu.values() if name in r and "closed" in r]
    print(f"| {name} | {statistics.median(r[name] for r in rate.values()):,.0f} | {statistics.median(r[name] for r in per_cpu.values()):,.0f} |"
          f" {statistics.median(ratios):.3f} (rounds: {' '.join(f'{x:.3f}' for x in ratios)}) |")
# Idle: CPU ms per second of wall time (a tick is 10 ms), and each proxy's excess over closed, round by round.
idle = defaultdict(dict)
for line in open(sys.argv[2]):
    round_, name, ticks, seconds = line.split()
    idle[round_][name] = float(ticks) * 10 / float(seconds)
print()
print("| proxy, idle | CPU ms per second (median) | minus closed, CPU ms per second (median of per-round differences) | share of one core |")
print("|---|---|---|---|")
for name in names:
    diffs = [r[name] - r["closed"] for r in idle.values() if name in r and "closed" in r]
    own = statistics.median(r[name] for r in idle.values() if name in r)
    extra = statistics.median(diffs)
    print(f"| {name} | {own:.2f} | {extra:+.2f} (rounds: {' '.join(f'{x:+.1f}' for x in diffs)}) | {extra / 10:+.2f} % |")
EOF
