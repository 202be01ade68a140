# shellcheck shell=bash
# The rounds of each scenario of bench/load/run.sh (which sources this file once it has started the
# backends): warm-up, interleaved measured rounds over the selected proxies, peak RSS. They read run.sh's
# PROXY_LIST, PORT_OF, TLS_PORT_OF, BUILD_BIN and SCENARIOS.

# warm_all CONNS [PATH] — .NET proxies get bursts with idle gaps; native ones a short run. The https
# listeners are warmed with keep-alive and, for handshake, with a new connection per request.
warm_all() {
    local conns=$1 path=${2:-/} name
    for name in "${PROXY_LIST[@]}"; do
        only_running "$name" "${PROXY_LIST[@]}"
        [[ -n $WITH_PLAIN ]] && warm_one "$name" "http://127.0.0.1:${PORT_OF[$name]}$path" "$conns"
        [[ -n ${TLS_PORT_OF[$name]:-} ]] || continue
        warm_one "$name" "https://127.0.0.1:${TLS_PORT_OF[$name]}$path" "$conns"
        if [[ ,$SCENARIOS, == *,handshake,* ]]; then
            WRK_PRELOAD=$WORK/no-resume.so warm_one "$name" "https://127.0.0.1:${TLS_PORT_OF[$name]}$path" "$conns" close
        fi
    done
}

# warm_one NAME URL CONNS [close]
warm_one() {
    case $1 in
        haproxy | nginx) load_run "$2" 2 "$3" "${4:-}" >/dev/null ;;
        *) warm_up "$@" ;;
    esac
}

# record_rss SCENARIO NAME... — peak RSS since reset_hwm.
record_rss() {
    local scenario=$1 name
    shift
    for name; do echo "$scenario $name $(proc_hwm_kb "${PID_OF[$name]}")" >>"$RSS_FILE"; done
}

# l7_rounds SCENARIO PATH CONNS [close] [tls] — interleaved rounds over every L7 proxy (with tls: over
# the https listeners, of all but bare YARP).
l7_rounds() {
    local scenario=$1 path=$2 conns=$3 close=${4:-} tls=${5:-} round name scheme=http port_map=PORT_OF names=("${PROXY_LIST[@]}")
    if [[ -n $tls ]]; then
        scheme=https
        port_map=TLS_PORT_OF
        mapfile -t names < <(tls_names)
    fi
    local -n ports=$port_map
    log "scenario $scenario: $ROUNDS rounds of ${DURATION} s, $conns connections${close:+, Connection: close}${tls:+, TLS}"
    log "  bombardier equivalent: $(bombardier_cmd "$scheme://127.0.0.1:PORT$path" "$DURATION" "$conns" "$close")"
    for name in "${names[@]}"; do reset_hwm "${PID_OF[$name]}"; done
    for round in $(seq "$ROUNDS"); do
        for name in "${names[@]}"; do
            only_running "$name" "${PROXY_LIST[@]}"
            measure "$scenario" "$round" "$name" load_run "$scheme://127.0.0.1:${ports[$name]}$path" "$DURATION" "$conns" "$close"
        done
    done
    record_rss "$scenario" "${names[@]}"
}

# openloop_rounds — hey at 50 % of HAProxy's keep-alive max (measured now unless keepalive ran).
openloop_rounds() {
    local max rate round name
    max=$(awk '$1 == "keepalive" && $3 == "haproxy" { print $7 }' "$RESULTS" | sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }')
    if [[ -z $max ]]; then
        only_running haproxy "${PROXY_LIST[@]}"
        max=$(load_run "http://127.0.0.1:${PORT_OF[haproxy]}/" "$DURATION" 64 | cut -d' ' -f4)
    fi
    rate=$(python3 -c "print(int($max / 2))")
    log "scenario openloop: $rate req/s (50 % of HAProxy's $max), 64 workers, $ROUNDS rounds of ${DURATION} s"
    log "  wrk2 equivalent: wrk2 -t1 -c64 -d${DURATION}s -R$rate --latency http://127.0.0.1:PORT/"
    for name in "${PROXY_LIST[@]}"; do reset_hwm "${PID_OF[$name]}"; done
    for round in $(seq "$ROUNDS"); do
        for name in "${PROXY_LIST[@]}"; do
            only_running "$name" "${PROXY_LIST[@]}"
            measure openloop "$round" "$name" hey_run "http://127.0.0.1:${PORT_OF[$name]}/" "$DURATION" 64 "$rate"
        done
    done
    record_rss openloop "${PROXY_LIST[@]}"
}

# tcp_rounds — L4: Balancer tcp listeners vs HAProxy mode tcp (NGINX stream is not in nginx-light).
tcp_rounds() {
    local iperf_port names=() name round bulk conn
    iperf_port=$(free_port)
    start_proc iperf3 iperf3 -s -B 127.0.0.1 -p "$iperf_port"
    wait_tcp "$iperf_port" iperf3
    declare -gA BULK_OF=() CONN_OF=()
    for name in "${PROXY_LIST[@]}"; do
        [[ $name == yarp || $name == nginx ]] && continue
        names+=("$name")
        bulk=$(free_port)
        conn=$(free_port)
        BULK_OF[$name]=$bulk
        CONN_OF[$name]=$conn
        if [[ $name == haproxy ]]; then
            haproxy_conf tcp-haproxy tcp
            haproxy_frontend tcp-haproxy "$bulk" "$iperf_port"
            haproxy_frontend tcp-haproxy "$conn" "${BACKEND_PORTS[@]}"
            start_proc haproxy haproxy -db -f "$WORK/tcp-haproxy.cfg"
            wait_tcp "$conn" haproxy
        else
            balancer_config "$WORK/tcp-$name.json" "$ADMIN_PORT" \
                "\"bulk\": { \"protocol\": \"tcp\", \"bind\": \"127.0.0.1:$bulk\", \"pool\": \"iperf\" },
                 \"conn\": { \"protocol\": \"tcp\", \"bind\": \"127.0.0.1:$conn\", \"pool\": \"web\" }" \
                "\"iperf\": { \"backends\": [ { \"address\": \"127.0.0.1:$iperf_port\" } ] },
                 \"web\": { \"backends\": $(balancer_backends_json "" "${BACKEND_PORTS[@]}") }"
            start_balancer_build "$name" "$WORK/tcp-$name.json" "$conn"
            only_running "$name" "$name"
            warm_up "$name" "http://127.0.0.1:$conn/" 64
        fi
    done
    for name in "${names[@]}"; do reset_hwm "${PID_OF[$name]}"; done
    log "scenario tcp: $ROUNDS rounds of ${DURATION} s: iperf3 (1 and 64 streams) and new connections per second (64 at a time)"
    log "  bombardier equivalent: $(bombardier_cmd "http://127.0.0.1:PORT/" "$DURATION" 64 close)"
    for round in $(seq "$ROUNDS"); do
        for name in "${names[@]}"; do
            only_running "$name" "${names[@]}"
            measure tcp-bulk "$round" "$name" iperf_run "${BULK_OF[$name]}" "$DURATION"
            measure tcp-bulk64 "$round" "$name" iperf_run "${BULK_OF[$name]}" "$DURATION" 64
            measure tcp-connrate "$round" "$name" load_run "http://127.0.0.1:${CONN_OF[$name]}/" "$DURATION" 64 close
        done
    done
    record_rss tcp-bulk "${names[@]}"
    record_rss tcp-bulk64 "${names[@]}"
    record_rss tcp-connrate "${names[@]}"
    for name in "${names[@]}" iperf3; do stop_proc "$name"; done
}

# h2_names — the selected proxies that speak HTTP/2 (all but bare YARP).
h2_names() { tls_names; }

# h2_run URL SECONDS — h2load, 10 connections x 10 concurrent streams, one thread, pinned like wrk. h2load appends to
# its per-request log (the percentiles' source), so it is emptied first.
h2_run() {
    : >"$WORK/h2load.log"
    taskset -c "$CPUS" timeout $(($2 + 30)) h2load -t 1 -c 10 -m 10 -D "$2" --log-file="$WORK/h2load.log" "$1" 2>&1 \
        | python3 "$BENCH_DIR/stats.py" h2load "$2" "$WORK/h2load.log"
}

# h2_rounds SCENARIO SCHEME — interleaved h2load rounds over the HTTP/2 proxies; .NET ones are first warmed with
# h2load bursts separated by idle gaps (their HTTP/2 code paths were not touched by the HTTP/1.1 warm-up).
h2_rounds() {
    local scenario=$1 scheme=$2 round name names
    mapfile -t names < <(h2_names)
    declare -A url_of=()
    for name in "${names[@]}"; do
        if [[ $scheme == https ]]; then url_of[$name]=https://127.0.0.1:${TLS_PORT_OF[$name]}/; else url_of[$name]=http://127.0.0.1:${H2C_PORT_OF[$name]}/; fi
        only_running "$name" "${PROXY_LIST[@]}"
        case $name in
            haproxy | nginx) h2_run "${url_of[$name]}" 2 >/dev/null ;;
            *) for round in 1 2 3 4; do h2_run "${url_of[$name]}" "${WARMUP_SECONDS:-4}" >/dev/null; sleep 2; done ;;
        esac
    done
    log "scenario $scenario: $ROUNDS rounds of ${DURATION} s, h2load -t1 -c10 -m10 ($scheme)"
    for name in "${names[@]}"; do reset_hwm "${PID_OF[$name]}"; done
    for round in $(seq "$ROUNDS"); do
        for name in "${names[@]}"; do
            only_running "$name" "${PROXY_LIST[@]}"
            measure "$scenario" "$round" "$name" h2_run "${url_of[$name]}" "$DURATION"
        done
    done
    record_rss "$scenario" "${names[@]}"
}
