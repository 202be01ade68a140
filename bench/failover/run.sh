#!/usr/bin/env bash
# Failover time, Balancer against keepalived, in network namespaces on one private bridge.
#
# For each implementation and round it starts a fresh pair (lb1 priority 150, lb2 100, adverts every
# INTERVAL_MS), waits until a client reaches the virtual IP through lb1, then measures two events:
#   crash     kill -9 the master and take its link down (a dead host): time until the client is served again
#   graceful  SIGTERM the master: time until the client is served again
# The client curls the VIP every 10 ms (connect timeout 50 ms, whole request 300 ms), at most 2000 tries and 20 s per measurement; the
# figure includes spawning curl and one proxied request, so it is a client's view, not the protocol's alone.
# keepalived runs VRRPv3 (no authentication: v3 has none; v2 cannot go below 1 s adverts); Balancer
# authenticates every advert. keepalived's pair serves with `balancer demo-backend` on each lb host.
#
# Needs root, iproute2, curl, arping (iputils-arping) and keepalived (apt-get install keepalived).
# Addresses are 198.18.0.0/24 only (RFC 2544), nothing is linked to a real interface, and every
# namespace and process it starts is removed on exit. Usage: bench/failover/run.sh [rounds, default 3]
set -euo pipefail
cd "$(dirname "$0")/../.."

rounds=${1:-3}; [ "$rounds" -ge 1 ] && [ "$rounds" -le 20 ] || { echo "rounds: 1-20" >&2; exit 2; }
interval_ms=${INTERVAL_MS:-100}
vip=198.18.0.100
[ "$(id -u)" = 0 ] || { echo "needs root (ip netns)" >&2; exit 2; }
for tool in ip curl arping keepalived; do command -v "$tool" >/dev/null || { echo "needs $tool" >&2; exit 2; }; done

dotnet build -c Release src/Balancer -o /tmp/blb-bench-bin -v q >/dev/null
dll=/tmp/blb-bench-bin/balancer.dll
work=$(mktemp -d /tmp/blb-bench-XXXXXX)
sfx=$(openssl rand -hex 3)
C=blb-c-$sfx L1=blb-1-$sfx L2=blb-2-$sfx B=blb-b-$sfx S=blb-s-$sfx
pids=()

cleanup() {
  for pid in "${pids[@]}"; do kill -9 -- "-$pid" 2>/dev/null || true; done
  for ns in $S $C $L1 $L2 $B; do ip netns del "$ns" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# --- topology: five namespaces, a bridge in $S, veth pairs made inside the namespaces ---
for ns in $S $C $L1 $L2 $B; do ip netns add "$ns"; ip -n "$ns" link set lo up; done
ip -n $S link add br0 type bridge && ip -n $S link set br0 up
for pair in "$C:198.18.0.30:pc" "$L1:198.18.0.11:p1" "$L2:198.18.0.12:p2" "$B:198.18.0.20:pb"; do
  IFS=: read -r ns addr port <<<"$pair"
  ip link add eth0 netns "$ns" type veth peer name "$port" netns $S
  ip -n $S link set "$port" master br0 && ip -n $S link set "$port" up
  ip -n "$ns" addr add "$addr/24" dev eth0 && ip -n "$ns" link set eth0 up
done

start() { # start NS CMD...: a new process group, remembered for cleanup; prints its pid
  setsid ip netns exec "$@" >>"$work/$1.log" 2>&1 &
  pids+=($!); disown $!; echo $!
}

openssl rand -hex 32 >"$work/peer.key"; chmod 600 "$work/peer.key"
start $B dotnet "$dll" demo-backend --bind 198.18.0.20:8080 --name backend >/dev/null

balancer_conf() { # id priority self peer
  cat >"$work/$1.json" <<JSON
{ "listeners": { "web": { "bind": "0.0.0.0:8080", "routes": [ { "pool": "web" } ] } },
  "pools": { "web": { "backends": [ { "address": "http://198.18.0.20:8080" } ] } },
  "failover": { "nodeId": "$1", "priority": $2, "bind": "$3:7946", "peers": ["$4:7946"],
                "advertInterval": "${interval_ms}ms", "keyFile": "$work/peer.key",
                "virtualIps": ["$vip/24"], "interface": "eth0" },
  "admin": { "bind": "127.0.0.1:9901" } }
JSON
}

keepalived_conf() { # id priority self peer
  cat >"$work/$1.conf" <<CONF
global_defs {
  vrrp_version 3
  vrrp_garp_master_repeat 5
  vrrp_garp_master_refresh 60
}
vrrp_instance VI_1 {
  state BACKUP
  interface eth0
  virtual_router_id 51
  priority $2
  advert_int $(awk "BEGIN { print $interval_ms / 1000 }")
  unicast_src_ip $3
  unicast_peer {
    $4
  }
  virtual_ipaddress {
    $vip/24 dev eth0
  }
}
CONF
}

start_node() { # impl ns id priority self peer; prints the pid
  if [ "$1" = balancer ]; then
    balancer_conf "$3" "$4" "$5" "$6"; start "$2" dotnet "$dll" --config "$work/$3.json"
  else
    keepalived_conf "$3" "$4" "$5" "$6"
    start "$2" dotnet "$dll" demo-backend --bind 0.0.0.0:8080 --name "$3" >/dev/null
    start "$2" keepalived -n -l -P -f "$work/$3.conf" -p "$work/$3.pid" -r "$work/$3.vrrp.pid"
  fi
}

served_ms() { # ms from $1 (ns since epoch) until the client is served through the VIP; empty on timeout
  ip netns exec $C bash -c '
    for i in $(seq 1 2000); do
      [ $SECONDS -lt 20 ] || exit 1
      curl -s -m 0.3 --connect-timeout 0.05 -o /dev/null "http://'$vip':8080/" && { date +%s%N; exit 0; }
      sleep 0.01
    done; exit 1' | awk -v t0="$1" '{ printf "%d", ($1 - t0) / 1e6 }'
}

has_vip() { ip -n "$1" -brief addr show dev eth0 | grep -q "$vip/"; }

wait_vip() { # ns: up to 20 s
  for _ in $(seq 1 400); do has_vip "$1" && return 0; sleep 0.05; done; echo "no VIP on $1" >&2; return 1
}

stop_all_nodes() {
  for ns in $L1 $L2; do
    for pid in $(ip netns pids "$ns"); do kill -9 "$pid" 2>/dev/null || true; done
    ip -n "$ns" addr del "$vip/24" dev eth0 2>/dev/null || true
    ip -n "$ns" link set eth0 up
  done
  rm -f "$work"/*.pid  # keepalived refuses to start over a pid file left by kill -9
  sleep 0.5
}

vip_ms_in_background() { # ms from $1 until lb2 holds the VIP, into $work/vip_ms (polled every ~5 ms, at most 20 s)
  ( for _ in $(seq 1 4000); do
      [ $SECONDS -lt 20 ] || break
      has_vip $L2 && { echo $(( ($(date +%s%N) - $1) / 1000000 )) >"$work/vip_ms"; exit 0; }
      sleep 0.005
    done; echo timeout >"$work/vip_ms" ) &
  pids+=($!); disown $!
}

printf '%-10s %-9s %5s %10s %10s\n' impl event round vip_ms served_ms
for impl in balancer keepalived; do
  for event in crash graceful; do
    for round in $(seq 1 "$rounds"); do
      start_node $impl $L1 lb1 150 198.18.0.11 198.18.0.12 >/dev/null
      sleep 1
      start_node $impl $L2 lb2 100 198.18.0.12 198.18.0.11 >/dev/null
      if ! { wait_vip $L1 && sleep 1 && [ -n "$(served_ms "$(date +%s%N)")" ]; }; then
        echo "$impl round $round: the pair did not come up; skipped (logs in $work)" >&2; stop_all_nodes; continue
      fi
      # Warm the standby's serving path (its first request pays for JIT), as a health-checked standby would be.
      ip netns exec $C curl -s -m 2 -o /dev/null http://198.18.0.12:8080/ || true
      t0=$(date +%s%N); rm -f "$work/vip_ms"; SECONDS=0
      vip_ms_in_background "$t0"
      if [ $event = crash ]; then
        for pid in $(ip netns pids $L1); do kill -9 "$pid"; done
        ip -n $L1 link set eth0 down
      elif [ $impl = balancer ]; then
        for pid in $(ip netns pids $L1); do kill -TERM "$pid"; done
      else
        kill -TERM "$(cat "$work/lb1.pid")"
      fi
      served=$(served_ms "$t0" || echo timeout)
      for _ in $(seq 1 100); do [ -s "$work/vip_ms" ] && break; sleep 0.2; done
      printf '%-10s %-9s %5s %10s %10s\n' $impl $event "$round" "$(cat "$work/vip_ms" 2>/dev/null || echo '?')" "$served"
      stop_all_nodes
    done
  done
done
