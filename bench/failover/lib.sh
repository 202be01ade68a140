# shellcheck shell=bash
# Shared by bench/failover/run.sh and load.sh (source it, do not run it): the namespaces, the two
# implementations' configs, and starting and stopping the nodes.
#
# Five network namespaces on one private bridge: client 198.18.0.30, lb1 .11, lb2 .12, backend .20 and
# the bridge's own namespace; addresses in 198.18.0.0/24 only (RFC 2544), nothing linked to a real
# interface. Every process is started through `start` (its own process group, remembered) and the exit
# trap kills exactly those groups and deletes the namespaces, also on failure or Ctrl-C.

FO_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$FO_DIR/../.."
vip=198.18.0.100 vip2=198.18.0.101  # vip2: group b / VI_2 of the active-active topology only
TOPOLOGY=${TOPOLOGY:-pair}  # pair | active-active (two groups, swapped priorities) | witness (a witness in the client namespace)
pids=()

fo_options() { # "name ..." ARGS...: sets the variable of each allowed --name VALUE; --keep sets KEEP; --help prints the header
  local allowed=" $1 " name; shift
  while (($#)); do
    case $1 in
      --keep) KEEP=1; shift; continue ;;
      -h | --help) sed -n '2,/^set -euo/{/^#/s/^# \{0,1\}//p}' "$0"; exit 0 ;;
    esac
    name=${1#--}
    [[ $1 == --* && $allowed == *" $name "* && $# -ge 2 ]] || { echo "unknown option $1 (see --help)" >&2; exit 2; }
    printf -v "$name" %s "$2"
    shift 2
  done
}

fo_require() { # tools...
  [ "$(id -u)" = 0 ] || { echo "needs root (ip netns)" >&2; exit 2; }
  for tool in ip python3 "$@"; do command -v "$tool" >/dev/null || { echo "needs $tool" >&2; exit 2; }; done
}

fo_init() { # builds Balancer (Release), makes the work directory and the namespaces
  local bin=${BLB_BIN:-/tmp/blb-bench-bin}
  dotnet build -c Release src/Balancer -o "$bin" -v q >/dev/null
  dll=$bin/balancer.dll
  work=$(mktemp -d /tmp/blb-bench-XXXXXX)
  local sfx; sfx=$(openssl rand -hex 3)
  C=blb-c-$sfx L1=blb-1-$sfx L2=blb-2-$sfx B=blb-b-$sfx S=blb-s-$sfx
  trap fo_cleanup EXIT
  trap 'echo interrupted >&2; exit 130' INT TERM
  for ns in $S $C $L1 $L2 $B; do ip netns add "$ns"; ip -n "$ns" link set lo up; done
  ip -n "$S" link add br0 type bridge && ip -n "$S" link set br0 up
  for pair in "$C:198.18.0.30:pc" "$L1:198.18.0.11:p1" "$L2:198.18.0.12:p2" "$B:198.18.0.20:pb"; do
    IFS=: read -r ns addr port <<<"$pair"
    ip link add eth0 netns "$ns" type veth peer name "$port" netns "$S"
    ip -n "$S" link set "$port" master br0 && ip -n "$S" link set "$port" up
    ip -n "$ns" addr add "$addr/24" dev eth0 && ip -n "$ns" link set eth0 up
  done
  openssl rand -hex 32 >"$work/peer.key"; chmod 600 "$work/peer.key"
}

fo_cleanup() {
  for pid in "${pids[@]}"; do kill -9 -- "-$pid" 2>/dev/null || true; done
  for ns in $S $C $L1 $L2 $B; do ip netns del "$ns" 2>/dev/null || true; done
  if [ -n "${KEEP:-}" ]; then echo "logs kept in $work" >&2; else rm -rf "$work"; fi
}

start() { # start NS CMD...: a new process group in NS, logging to $work/NS.log, remembered for cleanup; prints its pid
  local ns=$1; shift
  setsid ip netns exec "$ns" ${PIN:+taskset -c "$PIN"} "$@" >>"$work/$ns.log" 2>&1 &
  pids+=($!); disown $!; echo $!
}

balancer_conf() { # id priority self peer interval_ms [witness]: priority is group a's, b gets 250 - it (active-active)
  local vips="\"virtualIps\": [\"$vip/24\"], \"priority\": $2" witness=
  [ "$TOPOLOGY" != active-active ] || vips="\"groups\": [
      { \"name\": \"a\", \"priority\": $2, \"virtualIps\": [\"$vip/24\"] },
      { \"name\": \"b\", \"priority\": $((250 - $2)), \"virtualIps\": [\"$vip2/24\"] } ]"
  [ -z "${6:-}" ] || witness=", \"witness\": { \"address\": \"198.18.0.30:7947\" }"
  cat >"$work/$1.json" <<JSON
{ "listeners": { "web": { "bind": "0.0.0.0:8080", "routes": [ { "pool": "web" } ] } },
  "pools": { "web": { "backends": [ { "address": "http://198.18.0.20:8080" } ] } },
  "failover": { "nodeId": "$1", "bind": "$3:7946", "peers": ["$4:7946"],
                "advertInterval": "${5}ms", "keyFile": "$work/peer.key", "interface": "eth0",
                $vips$witness },
  "admin": { "bind": "127.0.0.1:9901" } }
JSON
}

keepalived_instance() { # name vrid priority self peer interval_ms vip
  cat <<CONF
vrrp_instance $1 {
  state BACKUP
  interface eth0
  virtual_router_id $2
  priority $3
  advert_int $(awk "BEGIN { print $6 / 1000 }")
  unicast_src_ip $4
  unicast_peer {
    $5
  }
  virtual_ipaddress {
    $7/24 dev eth0
  }
}
CONF
}

keepalived_conf() { # id priority self peer interval_ms: VI_1 (and VI_2 with 250 - priority for active-active)
  { printf 'global_defs {\n  vrrp_version 3\n  vrrp_garp_master_repeat 5\n  vrrp_garp_master_refresh 60\n}\n'
    keepalived_instance VI_1 51 "$2" "$3" "$4" "$5" "$vip"
    [ "$TOPOLOGY" != active-active ] || keepalived_instance VI_2 52 $((250 - $2)) "$3" "$4" "$5" "$vip2"
  } >"$work/$1.conf"
}

start_backend() { start "$B" dotnet "$dll" demo-backend --bind 198.18.0.20:8080 --name backend >/dev/null; }

start_node() { # impl ns id priority self peer interval_ms; prints the pid to signal for a graceful stop
  if [ "$1" = balancer ]; then
    balancer_conf "$3" "$4" "$5" "$6" "$7"; start "$2" dotnet "$dll" --config "$work/$3.json"
  elif [ "$1" = balancer-witness ]; then
    balancer_conf "$3" "$4" "$5" "$6" "$7" witness; start "$2" dotnet "$dll" --config "$work/$3.json"
  else
    keepalived_conf "$3" "$4" "$5" "$6" "$7"
    start "$2" dotnet "$dll" demo-backend --bind 0.0.0.0:8080 --name "$3" >/dev/null
    start "$2" keepalived -n -l -P -f "$work/$3.conf" -p "$work/$3.pid" -r "$work/$3.vrrp.pid"
  fi
}

has_vip() { ip -n "$1" -brief addr show dev eth0 | grep -q "${2:-$vip}/"; } # ns [address]

wait_vip() { # ns [address]: up to 20 s
  for _ in $(seq 1 400); do has_vip "$@" && return 0; sleep 0.05; done; echo "no ${2:-$vip} on $1" >&2; return 1
}

wait_no_vip() { # ns address: up to 20 s
  for _ in $(seq 1 400); do has_vip "$@" || return 0; sleep 0.05; done; echo "$2 still on $1" >&2; return 1
}

start_witness() { # in the client namespace, for the pair's nodes; stop_all_nodes stops it (call it outside $(...))
  start "$C" dotnet "$dll" witness --bind 198.18.0.30:7947 --key-file "$work/peer.key" --peers 198.18.0.11,198.18.0.12 >/dev/null
  witness_pid=${pids[-1]}
}

status() { ip netns exec "$1" curl -s -m 1 http://127.0.0.1:9901/status; } # a Balancer node's /status

wait_ready() { # impl ns: the node is up and listening to adverts (Balancer: /status says backup; keepalived: 1 s); up to 20 s
  if [ "$1" = keepalived ]; then sleep 1; return 0; fi
  for _ in $(seq 1 200); do status "$2" | grep -Eq '"state" *: *"backup"' && return 0; sleep 0.1; done
  echo "$2 never became backup" >&2; return 1
}

served_once() { ip netns exec "$C" curl -s -m 1 -o /dev/null "http://${1:-$vip}:8080/"; } # [address]

stop_all_nodes() {
  [ -z "${witness_pid:-}" ] || kill -9 -- "-$witness_pid" 2>/dev/null || true
  witness_pid=
  for ns in $L1 $L2; do
    for pid in $(ip netns pids "$ns"); do kill -9 "$pid" 2>/dev/null || true; done
    ip -n "$ns" addr del "$vip/24" dev eth0 2>/dev/null || true
    ip -n "$ns" addr del "$vip2/24" dev eth0 2>/dev/null || true
    ip -n "$ns" link set eth0 up
  done
  rm -f "$work"/*.pid  # keepalived refuses to start over a pid file left by kill -9
  sleep 0.3
}
