#!/usr/bin/env bash
# Where Balancer's CPU goes under load: perf samples of one Balancer (call graphs, JIT'd code named
# through the runtime's perf map), summed by component (kernel, Kestrel, YARP, System.Net.Http, ...).
#
#   bench/load/profile.sh [--https] [--seconds S] [--connections N] [--bin PATH] [--cpus LIST] [--keep]
#
# Same setup as run.sh (3 NGINX backends, wrk, everything pinned to CPU 1, warm-up with idle gaps);
# --https puts a TLS listener (ECDSA P-256, made here) in front instead of plain HTTP. Prints the
# load line (requests errors non2xx rps p50 p99 p999), CPU µs per request, and the component table
# (bench/load/perf-components.py); the raw `perf script` output stays in the work directory (--keep).
# Needs perf, wrk, nginx, openssl (--https), dotnet.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

TLS="" SECONDS_LOAD=8 BIN=""
args=()
while (($#)); do
    case $1 in
        --https) TLS=1; shift ;;
        --seconds) SECONDS_LOAD=$2; shift 2 ;;
        --bin) BIN=$2; shift 2 ;;
        *) args+=("$1"); shift ;;
    esac
done
parse_options "${args[@]}"
require_tools perf wrk nginx taskset python3 dotnet
[[ -n $TLS ]] && require_tools openssl

bench_init
WITH_YARP=0
if [[ -n $BIN ]]; then BALANCER_BIN=$BIN; fi
publish_balancer
start_backends 3
ADMIN_PORT=$(free_port)
port=$(free_port)
pool="\"web\": { \"algorithm\": \"round-robin\", \"backends\": $(balancer_backends_json http:// "${BACKEND_PORTS[@]}") }"
if [[ -n $TLS ]]; then
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 30 -subj /CN=bench.local \
        -keyout "$WORK/tls.key" -out "$WORK/tls.pem" 2>"$WORK/openssl.log" || die "openssl could not make the certificate"
    balancer_config "$WORK/balancer.json" "$ADMIN_PORT" \
        "\"web\": { \"protocol\": \"http\", \"bind\": \"127.0.0.1:$port\", \"routes\": [ { \"pool\": \"web\" } ],
             \"tls\": { \"certificates\": [ { \"cert\": \"$WORK/tls.pem\", \"key\": \"$WORK/tls.key\" } ] } }" "$pool"
    url=https://127.0.0.1:$port/
else
    balancer_config "$WORK/balancer.json" "$ADMIN_PORT" \
        "\"web\": { \"protocol\": \"http\", \"bind\": \"127.0.0.1:$port\", \"routes\": [ { \"pool\": \"web\" } ] }" "$pool"
    url=http://127.0.0.1:$port/
fi
# The perf map names JIT'd code; with W^X on, perf sees it only as an anonymous double mapping.
DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 start_balancer balancer "$WORK/balancer.json" "$port"
warm_up balancer "$url" "${CONNS:-64}"
pid=${PID_OF[balancer]}
before=$(proc_cpu_ticks "$pid")
# perf.data goes in a subdirectory: Balancer watches the config's directory, and perf's writes there
# would show up as its file watcher's CPU.
mkdir -p "$WORK/perf"
perf record -F 2000 -g -p "$pid" -o "$WORK/perf/perf.data" -- sleep "$SECONDS_LOAD" 2>"$WORK/perf.log" &
perf_pid=$!
line=$(load_run "$url" "$SECONDS_LOAD" "${CONNS:-64}")
wait "$perf_pid" || true
ticks=$(($(proc_cpu_ticks "$pid") - before))
log "load: $line; Balancer CPU $((ticks * 10)) ms, $((ticks * 10000 / (${line%% *} + 1))) µs per request"
perf script -i "$WORK/perf/perf.data" -F comm,ip,sym,dso >"$WORK/perf.txt" 2>/dev/null
python3 "$BENCH_DIR/perf-components.py" "$WORK/perf.txt"
