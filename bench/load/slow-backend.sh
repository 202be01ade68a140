#!/usr/bin/env bash
# Three backends, one 20x slower than the others (20 ms vs 1 ms per answer, NGINX echo_sleep):
# round-robin vs least-connections vs response-time, one Balancer per algorithm, interleaved rounds.
#
#   bench/load/slow-backend.sh [--rounds N] [--duration S] [--connections C] [--cpus LIST] [--keep]
#
# Prints per algorithm: req/s, p50, p99, p99.9 and the share of requests the slow backend served
# (from /status). Needs wrk, nginx (nginx-light, with its echo module), dotnet, python3, curl.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ROUNDS=3
DURATION=10
CONNS=32
parse_options "$@"
require_tools wrk nginx taskset python3 dotnet curl
[[ -f /usr/lib/nginx/modules/ngx_http_echo_module.so ]] || die "the NGINX echo module is missing (apt-get install -y nginx-light)"

bench_init
RESULTS=$WORK/results.txt
: >"$RESULTS"
WITH_YARP=0 publish_balancer

ports=()
for spec in fast1:0.001 fast2:0.001 slow:0.020; do
    port=$(free_port)
    start_nginx_backend "${spec%%:*}" "$port" "${spec#*:}"
    ports+=("$port")
done
SLOW_ADDRESS=http://127.0.0.1:${ports[2]}
log "backends: fast ${ports[0]} ${ports[1]}, slow (20 ms) ${ports[2]}"

ALGORITHMS=(round-robin least-connections response-time)
declare -A PORT_OF=() ADMIN_OF=()
for algorithm in "${ALGORITHMS[@]}"; do
    PORT_OF[$algorithm]=$(free_port)
    ADMIN_OF[$algorithm]=$(free_port)
    balancer_http_config "$WORK/$algorithm.json" "${PORT_OF[$algorithm]}" "${ADMIN_OF[$algorithm]}" \
        "\"algorithm\": \"$algorithm\", \"backends\": $(balancer_backends_json http:// "${ports[@]}")"
    start_balancer "$algorithm" "$WORK/$algorithm.json" "${PORT_OF[$algorithm]}"
done
for algorithm in "${ALGORITHMS[@]}"; do
    only_running "$algorithm" "${ALGORITHMS[@]}"
    warm_up "$algorithm" "http://127.0.0.1:${PORT_OF[$algorithm]}/" "$CONNS"
done

# slow_requests ALGORITHM — requests the slow backend has served so far (/status).
slow_requests() {
    curl -fsS "http://127.0.0.1:${ADMIN_OF[$1]}/status" | python3 -c "
import json, sys
pool = json.load(sys.stdin)['pools']['web']
print(sum(b['requests'] for b in pool['backends'] if b['address'] == '$SLOW_ADDRESS'))"
}

log "$ROUNDS rounds of $DURATION s, $CONNS connections"
for round in $(seq "$ROUNDS"); do
    for algorithm in "${ALGORITHMS[@]}"; do
        only_running "$algorithm" "${ALGORITHMS[@]}"
        before=$(slow_requests "$algorithm")
        measure slow "$round" "$algorithm" load_run "http://127.0.0.1:${PORT_OF[$algorithm]}/" "$DURATION" "$CONNS"
        echo "$algorithm $(($(slow_requests "$algorithm") - before)) $(tail -1 "$RESULTS" | cut -d' ' -f4)" >>"$WORK/slow-share.txt"
    done
done

echo
echo "## Slow backend: 2 backends at 1 ms, 1 at 20 ms; $CONNS connections, $ROUNDS rounds of $DURATION s (medians)"
echo
python3 - "$RESULTS" "$WORK/slow-share.txt" <<'EOF'
import statistics, sys
from collections import defaultdict
runs, share = defaultdict(list), defaultdict(list)
for line in open(sys.argv[1]):
    f = line.split()
    runs[f[2]].append([float(x) for x in f[3:10]])
for line in open(sys.argv[2]):
    name, slow, total = line.split()
    share[name].append(int(slow) / max(1, int(total)))
print("| algorithm | req/s | p50 | p99 | p99.9 | requests to the slow backend | errors / non-2xx |")
print("|---|---|---|---|---|---|---|")
for name, rows in runs.items():
    med = lambda i: statistics.median(r[i] for r in rows)
    print(f"| {name} | {med(3):,.0f} | {med(4) / 1000:.2f} ms | {med(5) / 1000:.2f} ms | {med(6) / 1000:.2f} ms |"
          f" {100 * statistics.median(share[name]):.1f} % | {sum(r[1] for r in rows):.0f} / {sum(r[2] for r in rows):.0f} |")
EOF
