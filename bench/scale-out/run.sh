#!/usr/bin/env bash
# Scale-out behind ECMP (issue #24): three Balancers, each with BIRD 2, behind a BIRD 2 router that spreads flows
# over them (merge paths, fib_multipath_hash_policy=1), in network namespaces linked only to each other
# (198.18.0.0/15). Two runs of N rounds each, one with BGP alone (hold time 3 s), one with BFD (100 ms x 3) as well;
# per round: the spread of 600 new connections over the nodes, the time to withdraw a node whose backends it cannot
# reach and to come back, and the outage for new connections when a node's Balancer is killed (its BIRD alive) and
# when the whole node dies. Method and figures: bench/scale-out/ScaleOut/Program.cs, docs/benchmarks.md.
#
# Needs root, iproute2, curl and bird2 (apt-get install bird2). Holds no CPU lock itself: on a shared machine run
#   flock /tmp/balancer-cpu.lock bench/scale-out/run.sh
# Every namespace and process it makes is removed at the end, also on failure.
#
# Usage: bench/scale-out/run.sh [--rounds N (10)] [--only bgp|bfd]
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=10 only=
while (($#)); do
  case $1 in
    --rounds) rounds=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    -h | --help) sed -n '2,/^set -euo/{/^#/s/^# \{0,1\}//p}' "$0"; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
[ "$(id -u)" = 0 ] || { echo "needs root (ip netns)" >&2; exit 2; }
for tool in ip curl bird birdc; do command -v "$tool" >/dev/null || { echo "needs $tool (apt-get install iproute2 curl bird2)" >&2; exit 2; }; done
[[ $rounds =~ ^[0-9]+$ ]] && [ "$rounds" -ge 1 ] && [ "$rounds" -le 30 ] || { echo "--rounds: 1-30" >&2; exit 2; }

bin=$(mktemp -d /tmp/blb-scaleout-XXXXXX)
trap 'rm -rf "$bin"' EXIT
dotnet build -c Release bench/scale-out/ScaleOut -o "$bin" -v q >/dev/null
for mode in bgp bfd; do
  [ -z "$only" ] || [ "$only" = "$mode" ] || continue
  echo "== $mode"
  dotnet "$bin/ScaleOut.dll" --rounds "$rounds" $([ "$mode" = bfd ] && echo --bfd)
done
