#!/usr/bin/env bash
# No false failover under load: a Balancer pair at 100 ms adverts while the master serves full load.
#
# Starts the pair in the namespaces of lib.sh (lb1 priority 150 master, lb2 100 backup), then runs wrk from the
# client namespace against the virtual IP for --duration seconds with --connections connections, enough to keep
# both cores busy: nothing is pinned, so the load generator, the backend and both Balancers compete for the same
# two cores, as on a busy host. Every 10 s it samples both nodes' /status; at the end it prints, per node, its
# state, its transitions during the load (must be 0), and the longest gap between adverts the master sent and the
# backup heard (Master_Down_Interval is 3 intervals + skew: a gap near it is a near miss).
#
# Needs root, iproute2, curl, python3, wrk. Holds no CPU lock itself: run it under `flock /tmp/balancer-cpu.lock`.
# Usage: bench/failover/load.sh [--duration S (300)] [--connections N (256)] [--interval MS (100)] [--keep]
set -euo pipefail
source "$(dirname "$0")/lib.sh"

duration=300 connections=256 interval=100 KEEP=
fo_options "duration connections interval" "$@"
[ "$duration" -ge 10 ] && [ "$duration" -le 900 ] || { echo "--duration: 10-900" >&2; exit 2; }
[ "$connections" -ge 1 ] && [ "$connections" -le 4096 ] || { echo "--connections: 1-4096" >&2; exit 2; }
fo_require curl wrk
fo_init
start_backend
start_node balancer "$L1" lb1 150 198.18.0.11 198.18.0.12 "$interval" >/dev/null
wait_vip "$L1"
start_node balancer "$L2" lb2 100 198.18.0.12 198.18.0.11 "$interval" >/dev/null
wait_ready balancer "$L2"
served_once || { echo "the VIP does not answer" >&2; exit 1; }

field() { # ns python-expression over the parsed /status as s; prints it
  status "$1" | python3 -c "import json,sys; s = json.load(sys.stdin)['failover']; print($2)" 2>/dev/null || echo '?'
}
t1=$(field "$L1" "s['transitions']") t2=$(field "$L2" "s['transitions']")
echo "$(date +%T) before the load: lb1 $(field "$L1" "s['state'], s['advertGaps']")  lb2 $(field "$L2" "s['state'], s['advertGaps']")"
echo "$(date +%T) load: wrk -t2 -c$connections -d${duration}s against http://$vip:8080/ (adverts every $interval ms)"
ip netns exec "$C" timeout $((duration + 60)) wrk -t2 -c"$connections" -d"${duration}s" --timeout 5s "http://$vip:8080/" >"$work/wrk.txt" 2>&1 &
load=$!
for _ in $(seq 1 $((duration / 10 + 6))); do
  kill -0 $load 2>/dev/null || break
  sleep 10
  echo "$(date +%T) lb1 $(field "$L1" "s['state'], s['transitions'], s['advertGaps']")  lb2 $(field "$L2" "s['state'], s['transitions'], s['advertGaps']")"
done
wait $load || true
grep -E "Requests/sec|requests in|Socket errors|Non-2xx" "$work/wrk.txt" || cat "$work/wrk.txt"
echo
echo "| node | state | transitions during the load | longest advert gap sent | longest advert gap heard |"
echo "| --- | --- | --- | --- | --- |"
for node in "lb1 $L1 $t1" "lb2 $L2 $t2"; do
  read -r id ns before <<<"$node"
  echo "| $id | $(field "$ns" "s['state']") | $(field "$ns" "s['transitions'] - $before") | $(field "$ns" "s['advertGaps']['longestSentMs']") ms | $(field "$ns" "s['advertGaps']['longestHeardMs']") ms |"
done
