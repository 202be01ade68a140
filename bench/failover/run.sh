#!/usr/bin/env bash
# Client-visible failover outage, Balancer against keepalived, in network namespaces on one private bridge.
#
# For each advert interval, round, event and implementation (interleaved: balancer then keepalived for each
# event of each round) it starts a fresh pair (lb1 priority 150, lb2 100), waits until lb1 holds the virtual
# IP and lb2 listens, starts the client, and 1 s later causes the event:
#   crash     take the master's link down, then kill -9 every process of it (a dead host)
#   graceful  SIGTERM the master (Balancer; keepalived's own process for keepalived)
# Figures, from the event:
#   outage_ms  the longest gap between the send times of two consecutive served requests of a client
#              (bench/failover/client.py) sending one request every 10 ms on a new connection, each with a
#              200 ms deadline; 10 ms means nothing was lost
#   vip_ms     until lb2 holds the virtual IP (polled with `ip addr` every ~5 ms, so a few ms late)
#   gap_at     when the longest gap began, from the event (a gap far from 0 is noise, not the failover)
# Then the per impl × event × interval median and max, and Balancer's ratio to keepalived.
#
# --topology (pair):
#   pair           the above
#   active-active  two virtual IPs, a 198.18.0.100 (lb1 150, lb2 100) and b 198.18.0.101 (lb1 100, lb2 150):
#                  Balancer's failover.groups a and b, keepalived's vrrp_instance VI_1 and VI_2; one client per VIP,
#                  each on its own 10 ms schedule; the events hit lb1 (master of a); the figures are VIP a's, plus
#                  outage_b and gap_at_b (b stays on lb2, so outage_b should stay 10 ms)
#   witness        the pair, Balancer only, without (impl balancer) and with (impl balancer-witness) a
#                  `balancer witness` in the client namespace (failover.witness); keepalived has no witness
#
# keepalived runs VRRPv3 over unicast (no authentication: v3 has none, v2 cannot advertise below 1 s);
# Balancer authenticates every advert. keepalived's pair serves with `balancer demo-backend` on each lb host.
# Needs root, iproute2, curl, python3, arping (iputils-arping) and keepalived. Holds no CPU lock itself:
# run it under `flock /tmp/balancer-cpu.lock` on a shared machine.
#
# Usage: bench/failover/run.sh [--rounds N (10)] [--interval MS[,MS...] (1000,100)] [--events crash,graceful]
#                              [--impls balancer,keepalived] [--topology pair|active-active|witness] [--keep]
set -euo pipefail
source "$(dirname "$0")/lib.sh"

rounds=10 interval=1000,100 events=crash,graceful impls= topology=pair KEEP=
fo_options "rounds interval events impls topology" "$@"
[ "$rounds" -ge 1 ] && [ "$rounds" -le 30 ] || { echo "--rounds: 1-30" >&2; exit 2; }
case $topology in
  pair | active-active) impls=${impls:-balancer,keepalived} ;;
  witness) impls=${impls:-balancer,balancer-witness}
           [[ ,$impls, != *,keepalived,* ]] || { echo "--topology witness: keepalived has no witness" >&2; exit 2; } ;;
  *) echo "--topology: pair, active-active or witness" >&2; exit 2 ;;
esac
TOPOLOGY=$topology
vips=$vip vip2_cols=
[ "$topology" != active-active ] || { vips="$vip $vip2"; vip2_cols="$(printf " %9s %7s" outage_b gap_at_b)"; }
fo_require curl arping keepalived
fo_init
start_backend

vip_ms_in_background() { # ms from $1 until lb2 holds the VIP, into $work/vip_ms (polled every ~5 ms, at most 20 s)
  ( SECONDS=0
    for _ in $(seq 1 4000); do
      [ $SECONDS -lt 20 ] || break
      has_vip "$L2" && { echo $(( ($(date +%s%N) - $1) / 1000000 )) >"$work/vip_ms"; exit 0; }
      sleep 0.005
    done; echo timeout >"$work/vip_ms" ) &
  pids+=($!); disown $!
}

served_all() { local v; for v in $vips; do served_once "$v" || return 1; done; }

outage() { # client.json t0: "max_gap_ms gap_at_ms", or "? ?" unless the client was served before and after t0
  python3 -c 'import json,sys; r = json.load(sys.stdin); t0 = int(sys.argv[1])
ok = r["served"] and r["first_served_ns"] < t0 < r["last_served_ns"]
print(r["max_gap_ms"], (r["gap_start_ns"] - t0) // 1000000) if ok else print("? ?")' "$2" <"$1" 2>/dev/null || echo '? ?'
}

measure() { # impl event interval_ms: one line "impl event interval outage_ms vip_ms gap_at [outage_b gap_at_b]" into $work/results
  local impl=$1 event=$2 interval=$3
  [ "$impl" != balancer-witness ] || start_witness >/dev/null
  start_node "$impl" "$L1" lb1 150 198.18.0.11 198.18.0.12 "$interval" >/dev/null
  if ! { wait_vip "$L1" && start_node "$impl" "$L2" lb2 100 198.18.0.12 198.18.0.11 "$interval" >/dev/null &&
         wait_ready "$impl" "$L2" && { [ "$topology" != active-active ] || { wait_vip "$L2" "$vip2" && wait_no_vip "$L1" "$vip2"; }; } &&
         served_all; }; then
    echo "$impl $event $interval: the pair did not come up; skipped" >&2; stop_all_nodes; return 0
  fi
  # Warm the standby's serving path (its first request pays for JIT), as a health-checked standby would be.
  ip netns exec "$C" curl -s -m 2 -o /dev/null http://198.18.0.12:8080/ || true
  # The client is served for 0.5 s before the event and runs 5 intervals + 1 s after it (a crash takes Master_Down_Interval < 4 intervals).
  local duration clients=() v; duration=$(awk "BEGIN { print 2 + 5 * $interval / 1000 }")
  rm -f "$work"/client*.ready "$work"/client*.json
  for v in $vips; do
    ip netns exec "$C" python3 "$FO_DIR/client.py" --host "$v" --duration "$duration" --ready-file "$work/client-$v.ready" >"$work/client-$v.json" &
    clients+=($!)
  done
  for v in $vips; do for _ in $(seq 1 50); do [ -e "$work/client-$v.ready" ] && break; sleep 0.1; done; done
  sleep 0.5
  local t0; t0=$(date +%s%N); rm -f "$work/vip_ms"
  vip_ms_in_background "$t0"
  if [ "$event" = crash ]; then
    # The link first, so nothing of lb1's reaches the wire after the event (a dead host): killed one by one, keepalived
    # handed over in 75-110 ms in 4 of 5 active-active rounds, as if its VRRP child resigned when its parent died.
    ip -n "$L1" link set eth0 down
    for pid in $(ip netns pids "$L1"); do kill -9 "$pid"; done
  elif [ "$impl" != keepalived ]; then
    for pid in $(ip netns pids "$L1"); do kill -TERM "$pid"; done
  else
    kill -TERM "$(cat "$work/lb1.pid")"
  fi
  wait "${clients[@]}" || true
  for _ in $(seq 1 100); do [ -s "$work/vip_ms" ] && break; sleep 0.2; done
  local a b=; a=$(outage "$work/client-$vip.json" "$t0")
  [ "$topology" != active-active ] || b=$(outage "$work/client-$vip2.json" "$t0")
  printf '%-16s %-9s %8s %9s %7s %7s%s\n' "$impl" "$event" "$interval" "${a% *}" "$(cat "$work/vip_ms" 2>/dev/null || echo '?')" "${a#* }" \
    "${b:+$(printf ' %9s %7s' "${b% *}" "${b#* }")}" | tee -a "$work/results"
  stop_all_nodes
}

printf '%-16s %-9s %8s %9s %7s %7s%s\n' impl event interval outage_ms vip_ms gap_at "${vip2_cols:-}"
for interval in ${interval//,/ }; do
  for round in $(seq 1 "$rounds"); do
    for event in ${events//,/ }; do
      for impl in ${impls//,/ }; do measure "$impl" "$event" "$interval"; done
    done
  done
done

echo
python3 - "$work/results" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
impls = list(dict.fromkeys(r[0] for r in rows))
base = "keepalived" if "keepalived" in impls else "balancer"  # witness topology: against the pair without it
has_b = any(len(r) > 6 for r in rows)
def nums(impl, event, interval, col):
    return [float(r[col]) for r in rows if r[:3] == [impl, event, interval] and len(r) > col and r[col].replace('.', '', 1).isdigit()]
def mm(v):
    return (f"{statistics.median(v):.0f} ms", f"{max(v):.0f} ms") if v else ("?", "?")
b_head = " VIP b outage median | VIP b outage max |" if has_b else ""
print(f"| interval | event | impl | rounds | outage median | outage max | vip median | vip max |{b_head} outage median vs {base} |")
print("| --- " * (9 + 2 * has_b) + "|")
for interval in dict.fromkeys(r[2] for r in rows):
    for event in dict.fromkeys(r[1] for r in rows):
        ref = nums(base, event, interval, 3)
        for impl in impls:
            o, v, b = nums(impl, event, interval, 3), nums(impl, event, interval, 4), nums(impl, event, interval, 6)
            if not o:
                continue
            ratio = f"{statistics.median(o) / statistics.median(ref):.2f}" if ref and impl != base else ""
            b_cols = " {} | {} |".format(*mm(b)) if has_b else ""
            print(f"| {interval} ms | {event} | {impl} | {len(o)} | {' | '.join(mm(o))} | {' | '.join(mm(v))} |{b_cols} {ratio} |")
PY
