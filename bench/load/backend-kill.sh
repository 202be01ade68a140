#!/usr/bin/env bash
# A backend dies under load and comes back: 20 s of load on three backends, the second one
# SIGKILLed at 5 s and restarted at 12 s; health checks every 250 ms, down after 3 failures.
#
#   bench/load/backend-kill.sh [--duration S] [--kill-at S] [--restart-at S] [--connections C] [--cpus LIST] [--keep]
#
# Prints requests, failed (socket errors and non-2xx), and from Balancer's log and access log:
# kill -> backend marked DOWN, kill -> last request routed to it, restart -> UP, restart -> first
# request served by it. Needs wrk, nginx (nginx-light), dotnet, python3.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DURATION=20
KILL_AT=5
RESTART_AT=12
CONNS=32
extra_option() {
    case $1 in
        --kill-at) KILL_AT=$2 ;;
        --restart-at) RESTART_AT=$2 ;;
        *) return 1 ;;
    esac
}
parse_options "$@"
((KILL_AT < RESTART_AT && RESTART_AT < DURATION)) || die "need --kill-at < --restart-at < --duration"
require_tools wrk nginx taskset python3 dotnet

bench_init
WITH_YARP=0 publish_balancer
start_backends 3
VICTIM=http://127.0.0.1:${BACKEND_PORTS[1]}
PORT=$(free_port)
BALANCER_EXTRA_JSON="\"telemetry\": { \"accessLog\": \"$WORK/access.log\" }" balancer_http_config "$WORK/balancer.json" "$PORT" "$(free_port)" \
    "\"algorithm\": \"round-robin\", \"backends\": $(balancer_backends_json http:// "${BACKEND_PORTS[@]}"),
     \"health\": { \"probe\": \"http\", \"path\": \"/\", \"interval\": \"250ms\", \"timeout\": \"200ms\", \"fall\": 3, \"rise\": 2 }"
start_balancer balancer "$WORK/balancer.json" "$PORT"
warm_up balancer "http://127.0.0.1:$PORT/" "$CONNS"
sleep 1
ACCESS_FROM=$(stat -c %s "$WORK/access.log") # the warm-up's lines are not counted

log "load for $DURATION s ($CONNS connections); killing $VICTIM at ${KILL_AT} s, restarting it at ${RESTART_AT} s"
start_proc load timeout $((DURATION + 30)) wrk -t 1 -c "$CONNS" -d "${DURATION}s" --timeout 10s -s "$BENCH_DIR/report.lua" "http://127.0.0.1:$PORT/"
sleep "$KILL_AT"
kill -KILL "${PID_OF[backend2]}"
KILLED=$(date -u +%s.%N)
log "killed backend2 (pid ${PID_OF[backend2]})"
sleep $((RESTART_AT - KILL_AT))
RESTARTED=$(date -u +%s.%N)
start_nginx_backend backend2 "${BACKEND_PORTS[1]}"
log "restarted backend2 (pid ${PID_OF[backend2]})"
wait "${PID_OF[load]}" || true
sleep 1 # the access log is written in the background

echo
echo "## Backend killed at ${KILL_AT} s and restarted at ${RESTART_AT} s of ${DURATION} s ($CONNS connections; health: interval 250ms, fall 3, rise 2)"
echo
python3 - "$WORK/load.log" "$WORK/balancer.log" "$WORK/access.log" "$VICTIM" "$KILLED" "$RESTARTED" "$ACCESS_FROM" <<'EOF'
import json, sys
from datetime import datetime, timezone
load, log, access, victim, killed, restarted, access_from = sys.argv[1:4] + [sys.argv[4], float(sys.argv[5]), float(sys.argv[6]), int(sys.argv[7])]
requests, errors, non2xx, rps = [float(x) for x in next(l for l in open(load) if l.startswith("RESULT")).split()[1:5]]

def log_time(line):  # "2026-11-22 03:09:05.534 info: ..."
    return datetime.strptime(line[:23], "%Y-%m-%d %H:%M:%S.%f").replace(tzinfo=timezone.utc).timestamp()

down = up = None
last_routed = killed
for line in open(log):
    if victim not in line:
        continue
    t = log_time(line)
    if " DOWN: " in line and down is None and t >= killed:
        down = t
    if " UP: " in line and t >= restarted and up is None:
        up = t
    if "retrying on another backend" in line and killed <= t < restarted:
        last_routed = max(last_routed, t)
first_served, status5xx, lines = None, 0, 0
with open(access, "rb") as f:
    f.seek(access_from)
    entries = f.read().decode().splitlines()
for line in entries:
    e = json.loads(line)
    lines += 1
    t = datetime.fromisoformat(e["time"]).timestamp()
    status5xx += e["status"] >= 500
    if e["backend"] == victim and killed <= t < restarted:
        last_routed = max(last_routed, t)
    if e["backend"] == victim and t >= restarted and e["status"] < 500 and first_served is None:
        first_served = t
ms = lambda t, t0: f"{1000 * (t - t0):.0f} ms" if t is not None else "never"
print("| requests | req/s | failed (socket errors + non-2xx) | 5xx in access log | kill → DOWN | kill → last request routed to it | restart → UP | restart → first request served |")
print("|---|---|---|---|---|---|---|---|")
print(f"| {requests:,.0f} | {rps:,.0f} | {errors:.0f} + {non2xx:.0f} | {status5xx} of {lines:,} | {ms(down, killed)} | {ms(last_routed, killed)} | {ms(up, restarted)} | {ms(first_served, restarted)} |")
EOF
