# shellcheck shell=bash
# Helpers shared by the load scenarios in bench/load (source it, do not run it).
#
# Every server binds 127.0.0.1; every process is started through start_proc, which records its
# PID, and bench_cleanup (trapped on exit, Ctrl-C and TERM) stops exactly those PIDs. Every loop
# is bounded in count and time. PERF-NOTES' stable method: everything on one vCPU ($CPUS),
# DOTNET_PROCESSOR_COUNT=1, interleaved rounds, idle proxies SIGSTOPped while another is measured.

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$BENCH_DIR/../.." && pwd)
CPUS=${CPUS:-1}                 # the CPU list every process is pinned to (taskset -c)
KEEP=${KEEP:-}                  # non-empty: keep the work directory (configs, logs, raw results)
INLINE=${INLINE:-1}             # DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS for the .NET proxies
WORK=""
STARTED_PIDS=()
declare -A PID_OF=()
EXTRA_HEADERS=()                # more wrk arguments for load_run, e.g. (-H 'X-A: 1')
# shellcheck source=bench/load/proxies.sh
source "$BENCH_DIR/proxies.sh"

# parse_options ARGS... — the options every scenario shares: --rounds, --duration, --connections,
# --cpus, --keep, --help (prints the script's header comment). A script's own options go to its
# extra_option NAME VALUE, which sets them and fails for a name it does not know.
parse_options() {
    while (($#)); do
        case $1 in
            --rounds) ROUNDS=$2 ;;
            --duration) DURATION=$2 ;;
            --connections) CONNS=$2 ;;
            --cpus) CPUS=$2 ;;
            --keep) KEEP=1; shift; continue ;;
            -h | --help) sed -n '2,/^set -euo/{/^#/s/^# \{0,1\}//p}' "$0"; exit 0 ;;
            *) { declare -F extra_option >/dev/null && extra_option "$1" "${2:-}"; } || die "unknown option $1 (see --help)" ;;
        esac
        shift $(($# < 2 ? $# : 2))
    done
}

log() { printf '%s %s\n' "$(date +%T)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

bench_init() {
    WORK=$(mktemp -d /tmp/balancer-bench.XXXXXX)
    trap bench_cleanup EXIT
    trap 'log "interrupted"; exit 130' INT TERM
    ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
    log "work directory $WORK, pinned to CPU(s) $CPUS"
}

# Stops every process this script started (by PID only), then removes the work directory.
bench_cleanup() {
    local pid
    for pid in "${STARTED_PIDS[@]}"; do
        kill -CONT "$pid" 2>/dev/null || true
        kill -TERM "$pid" 2>/dev/null || true
    done
    for _ in $(seq 50); do
        alive_any "${STARTED_PIDS[@]}" || break
        sleep 0.1
    done
    for pid in "${STARTED_PIDS[@]}"; do
        kill -KILL "$pid" 2>/dev/null || true
    done
    if [[ -n $KEEP ]]; then log "kept $WORK"; else rm -rf "$WORK"; fi
}

alive_any() {
    local pid
    for pid; do kill -0 "$pid" 2>/dev/null && return 0; done
    return 1
}

# require_tools TOOL... — names every missing tool and the package that provides it.
require_tools() {
    local missing=() tool
    for tool; do command -v "$tool" >/dev/null || missing+=("$tool"); done
    ((${#missing[@]} == 0)) && return 0
    log "missing tools: ${missing[*]}"
    log "install them with: apt-get install -y wrk haproxy nginx-light hey iperf3   (nginx comes from nginx-light)"
    exit 2
}

# free_port — a free TCP port on 127.0.0.1, below the ephemeral range so clients never take it.
free_port() {
    python3 - <<'EOF'
import random, socket
for _ in range(200):
    port = random.randint(20000, 29999)
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
            print(port)
            break
        except OSError:
            pass
EOF
}

# start_proc NAME CMD... — starts CMD pinned to $CPUS, logs to $WORK/NAME.log, records its PID.
start_proc() {
    local name=$1
    shift
    taskset -c "$CPUS" "$@" >"$WORK/$name.log" 2>&1 &
    PID_OF[$name]=$!
    STARTED_PIDS+=("$!")
}

# stop_proc NAME — TERM, then KILL after 5 s, the process start_proc started as NAME.
stop_proc() {
    local pid=${PID_OF[$1]}
    kill -CONT "$pid" 2>/dev/null || true
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

# wait_tcp PORT [NAME] — waits up to 15 s for 127.0.0.1:PORT to accept.
wait_tcp() {
    local port=$1 name=${2:-}
    for _ in $(seq 150); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
        if [[ -n $name ]] && ! kill -0 "${PID_OF[$name]}" 2>/dev/null; then
            tail -20 "$WORK/$name.log" >&2
            die "$name exited"
        fi
        sleep 0.1
    done
    die "nothing listens on 127.0.0.1:$port${name:+ ($name)}"
}


# proc_cpu_ticks PID — utime+stime of PID in clock ticks (fields 14 and 15 of /proc/PID/stat).
proc_cpu_ticks() {
    local stat
    stat=$(<"/proc/$1/stat")
    stat=${stat##*) }
    # After "pid (comm) " the state is field 1, so utime/stime are fields 12 and 13.
    awk '{ print $12 + $13 }' <<<"$stat"
}

# proc_hwm_kb PID — peak resident set size (VmHWM) in kB.
proc_hwm_kb() { awk '/^VmHWM:/ { print $2 }' "/proc/$1/status"; }

# reset_hwm PID — restarts VmHWM from the current RSS (Linux >= 4.0: clear_refs 5).
reset_hwm() { echo 5 >"/proc/$1/clear_refs" 2>/dev/null || log "cannot reset VmHWM of $1 (peak RSS then spans the whole run)"; }

# only_running NAME ALL... — SIGCONTs NAME and SIGSTOPs every other of ALL.
only_running() {
    local keep=$1 other
    shift
    for other; do
        [[ $other == "$keep" ]] || kill -STOP "${PID_OF[$other]}"
    done
    kill -CONT "${PID_OF[$keep]}"
    sleep 0.2
}

# loadgen — wrk, or bombardier when it is on PATH (LOADGEN=wrk|bombardier forces one).
loadgen() {
    local choice=${LOADGEN:-auto}
    if [[ $choice == auto ]]; then
        command -v bombardier >/dev/null && choice=bombardier || choice=wrk
    fi
    echo "$choice"
}

# bombardier_cmd URL SECONDS CONNS [close] — the bombardier command line equivalent to the wrk run
# (-k: the benchmark's certificate is self-signed; wrk does not verify either).
bombardier_cmd() {
    local extra=""
    [[ $1 == https:* ]] && extra+=" -k"
    [[ ${4:-} == close ]] && extra+=" -H 'Connection: close'"
    echo "bombardier -c $3 -d ${2}s -l -p r -o json$extra $1"
}

# load_run URL SECONDS CONNS [close] — runs the load generator pinned to $CPUS and prints one line:
#   requests errors non2xx rps p50_us p99_us p999_us        (p999 is "nan" with bombardier)
# WRK_PRELOAD, when set, is preloaded into wrk (no-resume.so: a full TLS handshake per connection).
load_run() {
    local url=$1 seconds=$2 conns=$3 close=${4:-} out
    local header=() insecure=()
    [[ $close == close ]] && header=(-H 'Connection: close')
    header+=("${EXTRA_HEADERS[@]}")
    [[ $url == https:* ]] && insecure=(-k)
    if [[ $(loadgen) == bombardier ]]; then
        out=$(taskset -c "$CPUS" timeout $((seconds + 30)) bombardier -c "$conns" -d "${seconds}s" -l -p r -o json "${insecure[@]}" "${header[@]}" "$url")
        python3 "$BENCH_DIR/stats.py" bombardier <<<"$out"
    else
        out=$(taskset -c "$CPUS" timeout $((seconds + 30)) env ${WRK_PRELOAD:+LD_PRELOAD=$WRK_PRELOAD} wrk -t 1 -c "$conns" -d "${seconds}s" --timeout 10s \
            -s "$BENCH_DIR/report.lua" "${header[@]}" "$url")
        grep '^RESULT ' <<<"$out" | cut -d' ' -f2-
    fi
}

# measure SCENARIO ROUND NAME RUNNER ARGS... — one measured run against the proxy NAME: RUNNER
# (load_run, hey_run, iperf_run) prints "requests errors non2xx rate p50 p99 p999"; appends
# "scenario round name <that> cpu_ticks" to $RESULTS, cpu_ticks being NAME's own CPU time (MEASURE_PID's,
# when NAME is one listener of a process that serves several).
measure() {
    local scenario=$1 round=$2 name=$3 pid before after line
    shift 3
    pid=${MEASURE_PID:-${PID_OF[$name]}}
    before=$(proc_cpu_ticks "$pid")
    line=$("$@")
    after=$(proc_cpu_ticks "$pid")
    echo "$scenario $round $name $line $((after - before))" >>"$RESULTS"
    log "  $scenario round $round $name: $line cpu_ticks=$((after - before))"
}

# hey_run URL SECONDS CONNS RATE — open loop: CONNS workers together sending RATE req/s.
hey_run() {
    local url=$1 seconds=$2 conns=$3 rate=$4
    taskset -c "$CPUS" timeout $((seconds + 30)) hey -z "${seconds}s" -c "$conns" -q "$(python3 -c "print($rate / $conns)")" \
        -o csv "$url" | python3 "$BENCH_DIR/stats.py" hey "$seconds"
}

# iperf_run PORT SECONDS [STREAMS] — iperf3 client to server through 127.0.0.1:PORT, STREAMS (default 1)
# parallel connections ("requests" = MB moved, rate = Gbit/s summed over the streams).
iperf_run() {
    taskset -c "$CPUS" timeout $(($2 + 30)) iperf3 -c 127.0.0.1 -p "$1" -t "$2" -P "${3:-1}" -J | python3 "$BENCH_DIR/stats.py" iperf
}

# warm_up NAME URL CONNS [close] — PERF-NOTES: bursts separated by idle gaps let background JIT tier-up
# finish (with one saturated core it gets no CPU otherwise); WARMUP_RUN names the runner (default load_run). Bursts go on until NAME's CPU time per
# request settles (two bursts within 10 %), at least WARMUP_BURSTS (4) and at most WARMUP_MAX (15).
warm_up() {
    local name=$1 url=$2 conns=$3 close=${4:-} i before line cost previous=0 curve=""
    for ((i = 1; i <= ${WARMUP_MAX:-15}; i++)); do
        before=$(proc_cpu_ticks "${PID_OF[$name]}")
        line=$(${WARMUP_RUN:-load_run} "$url" "${WARMUP_SECONDS:-4}" "$conns" "$close")
        # CPU microseconds per request (ticks are 10 ms).
        cost=$((($(proc_cpu_ticks "${PID_OF[$name]}") - before) * 10000 / (${line%% *} + 1)))
        curve+=" $cost"
        sleep 2
        if ((i >= ${WARMUP_BURSTS:-4} && cost * 10 <= previous * 11 && previous * 10 <= cost * 11)); then break; fi
        previous=$cost
    done
    log "warmed up $name${close:+ (Connection: close)} in $((i > ${WARMUP_MAX:-15} ? i - 1 : i)) bursts; CPU µs per request:$curve"
}
