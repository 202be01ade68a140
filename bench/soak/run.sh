#!/usr/bin/env bash
# Soak: SOAK_SECONDS (default 600) of mixed wrk load (GET / and 4 KiB POSTs) through Balancer while demo
# backends are killed and restarted and the config is rewritten (hot reload) on a timer. Samples the
# balancer's RSS and open file descriptors at the start and end (and every 30 s), prints load errors.
# FLOOD=1 adds the flood scenario: a quiet wrk run, then the same run during a slowloris flood
# (FLOOD_CONNECTIONS trickling connections): success rate and p99, quiet vs flooded.
# Everything binds 127.0.0.1; every loop is bounded; only processes started here are stopped, by PID.
set -euo pipefail
cd "$(dirname "$0")/../.."
SOAK_SECONDS="${SOAK_SECONDS:-600}"
BASE_PORT="${BASE_PORT:-18080}"
FLOOD="${FLOOD:-0}"
FLOOD_SECONDS="${FLOOD_SECONDS:-20}"
FLOOD_CONNECTIONS="${FLOOD_CONNECTIONS:-500}"
WORK="$(mktemp -d /tmp/balancer-soak.XXXXXX)"
LISTEN="127.0.0.1:$BASE_PORT"
ADMIN="127.0.0.1:$((BASE_PORT + 1))"
PIDS=()

cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT

if [[ -z "${BALANCER_DLL:-}" ]]; then
  dotnet build src/Balancer -c Release -v q --nologo -o "$WORK/bin" >/dev/null
  BALANCER_DLL="$WORK/bin/balancer.dll"
fi

declare -A BACKEND_PID
start_backend() { # index
  local port=$((BASE_PORT + 10 + $1))
  dotnet "$BALANCER_DLL" demo-backend --bind "127.0.0.1:$port" --name "b$1" >>"$WORK/backend$1.log" 2>&1 &
  BACKEND_PID[$1]=$!
  PIDS+=($!)
}

write_config() { # weight of backend 0
  cat >"$WORK/balancer.json.tmp" <<JSON
{
  "listeners": { "web": { "bind": "$LISTEN", "routes": [ { "pool": "web" } ] } },
  "pools": { "web": { "algorithm": "least-connections",
    "health": { "probe": "http", "path": "/healthz", "interval": "1s", "timeout": "1s", "rise": 1, "fall": 2 },
    "passive": { "ejectTime": "5s", "maxEjectTime": "20s" },
    "backends": [ { "address": "http://127.0.0.1:$((BASE_PORT + 10))", "weight": $1 },
                  { "address": "http://127.0.0.1:$((BASE_PORT + 11))" },
                  { "address": "http://127.0.0.1:$((BASE_PORT + 12))" } ] } },
  "admin": { "bind": "$ADMIN" }
}
JSON
  mv "$WORK/balancer.json.tmp" "$WORK/balancer.json"
}

sample() { # label
  local rss fds
  rss=$(awk '/VmRSS/ {print $2}' "/proc/$BALANCER_PID/status")
  fds=$(ls "/proc/$BALANCER_PID/fd" | wc -l)
  echo "$1 rss_kib=$rss fds=$fds" | tee -a "$WORK/samples.txt"
}

for i in 0 1 2; do start_backend "$i"; done
write_config 1
dotnet "$BALANCER_DLL" --config "$WORK/balancer.json" >"$WORK/balancer.log" 2>&1 &
BALANCER_PID=$!
PIDS+=("$BALANCER_PID")
for _ in $(seq 1 100); do curl -fs "http://$LISTEN/" >/dev/null 2>&1 && break; sleep 0.2; done

# Warm up (JIT, connection pools) before the first sample.
wrk -t1 -c8 -d3s "http://$LISTEN/" >/dev/null
sample start

wrk -t1 -c24 -d"${SOAK_SECONDS}s" --timeout 5s --latency "http://$LISTEN/" >"$WORK/wrk-get.txt" 2>&1 &
WRK_GET=$!
wrk -t1 -c8 -d"${SOAK_SECONDS}s" --timeout 5s --latency -s bench/soak/post.lua "http://$LISTEN/echo" >"$WORK/wrk-post.txt" 2>&1 &
WRK_POST=$!
PIDS+=("$WRK_GET" "$WRK_POST")

# Churn: every CHURN_SECONDS (default 20) one backend is killed and restarted 5 s later; every 3rd step the
# config is rewritten. (At one kill every 10 s, passive ejection doubling to 20-40 s ejects all three at once.)
CHURN_SECONDS="${CHURN_SECONDS:-20}"
end=$((SECONDS + SOAK_SECONDS - 5)); step=0; kills=0; reloads=0
while (( SECONDS < end )); do
  victim=$((step % 3))
  kill "${BACKEND_PID[$victim]}" 2>/dev/null || true; kills=$((kills + 1))
  sleep 5
  start_backend "$victim"
  if (( step % 3 == 2 )); then write_config $(( (step / 3) % 2 + 1 )); reloads=$((reloads + 1)); fi
  (( step % 3 == 0 )) && sample "t+$((SECONDS))s"
  step=$((step + 1))
  sleep $((CHURN_SECONDS - 5))
done
wait "$WRK_GET" "$WRK_POST" || true
sleep 2
sample end

echo "--- soak: ${SOAK_SECONDS}s, $kills backend kills, $reloads config rewrites"
for f in get post; do
  echo "wrk $f:"; grep -E "Requests/sec|requests in|Non-2xx|Socket errors|  99%" "$WORK/wrk-$f.txt" | sed 's/^/  /'
done
echo "health: $(grep -c ' DOWN: ' "$WORK/balancer.log" || true) DOWN, $(grep -c ' UP: ' "$WORK/balancer.log" || true) UP transitions"
echo "balancer log lines at warning or worse: $(grep -ciE 'warn|fail|error|crit' "$WORK/balancer.log" || true)"
grep -iE 'fail|error|crit' "$WORK/balancer.log" | sed 's/^/  /' | sort | uniq -c | sort -rn | head -5 || true

if [[ "$FLOOD" == "1" ]]; then
  for i in 0 1 2; do kill -0 "${BACKEND_PID[$i]}" 2>/dev/null || start_backend "$i"; done
  sleep 3
  wrk -t1 -c16 -d"${FLOOD_SECONDS}s" --timeout 5s --latency "http://$LISTEN/" >"$WORK/quiet.txt" 2>&1
  python3 bench/soak/slowloris.py 127.0.0.1 "$BASE_PORT" "$FLOOD_CONNECTIONS" $((FLOOD_SECONDS + 10)) >"$WORK/flood.txt" 2>&1 &
  FLOOD_PID=$!; PIDS+=("$FLOOD_PID")
  sleep 5
  wrk -t1 -c16 -d"${FLOOD_SECONDS}s" --timeout 5s --latency "http://$LISTEN/" >"$WORK/flooded.txt" 2>&1
  sample "during-flood"
  wait "$FLOOD_PID" || true
  echo "--- flood: $FLOOD_CONNECTIONS slowloris connections"
  for f in quiet flooded; do
    echo "wrk $f:"; grep -E "requests in|Non-2xx|Socket errors|  99%" "$WORK/$f.txt" | sed 's/^/  /'
  done
  cat "$WORK/flood.txt"
fi
echo "samples:"; sed 's/^/  /' "$WORK/samples.txt"
echo "work dir: $WORK"
