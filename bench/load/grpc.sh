# shellcheck shell=bash
# The grpc scenario of bench/load/run.sh (which sources this file): unary gRPC calls with h2load over h2c to
# Balancer (a pool with httpVersion 2), HAProxy (bind and servers "proto h2") and NGINX (listen http2, grpc_pass),
# and bare YARP (HTTP/2 on both legs: BARE_YARP_HTTP2), each in front of the same 3 NGINX gRPC backends.

GRPC_CONNS=${GRPC_CONNS:-8}      # client connections (h2load -c)
GRPC_STREAMS=${GRPC_STREAMS:-8}  # concurrent calls per connection (h2load -m): 64 calls in flight
GRPC_PATH=/bench.Echo/Unary

# start_grpc_backend NAME PORT — an NGINX h2c server answering every call like a gRPC server: it reads the whole
# request (a server that answers first and resets the rest makes NGINX's grpc_pass drop the upstream connection),
# then sends one framed message and the trailer grpc-status: 0. The echo module (nginx-light) reads the body.
start_grpc_backend() {
    local name=$1 port=$2
    NGINX_PRELUDE="load_module /usr/lib/nginx/modules/ngx_http_echo_module.so;" nginx_conf "$name" "
    open_file_cache max=16;
    server {
        listen 127.0.0.1:$port http2 reuseport backlog=4096;
        location / {
            echo_read_request_body;
            echo_exec /reply;
        }
        location = /reply {
            internal;
            root $WORK/grpc-root;
            default_type application/grpc;
            error_page 405 =200 /reply;
            add_trailer grpc-status 0;
        }
    }"
    mkdir -p "$WORK/$name.tmp"
    start_proc "$name" nginx -p "$WORK" -e "$WORK/$name.err" -c "$WORK/$name.conf"
    wait_tcp "$port" "$name"
}

# grpc_messages — the request h2load sends (a framed Msg { text: "hello" }) and the reply the backends serve.
grpc_messages() {
    mkdir -p "$WORK/grpc-root"
    printf '\x00\x00\x00\x00\x07\x0a\x05hello' >"$WORK/grpc-request.bin"
    printf '\x00\x00\x00\x00\x07\x0a\x05world' >"$WORK/grpc-root/reply"
}

# h2load_run URL SECONDS CONNS — unary calls for SECONDS; prints "requests errors non2xx rps p50 p99 p999" (µs), the
# percentiles from h2load's per-request log (emptied first: h2load appends to it).
h2load_run() {
    local url=$1 seconds=$2 conns=$3
    : >"$WORK/grpc-h2load.log"
    taskset -c "$CPUS" timeout $((seconds + 30)) h2load -t 1 -c "$conns" -m "$GRPC_STREAMS" -D "$seconds" \
        -H 'content-type: application/grpc' -H 'te: trailers' -d "$WORK/grpc-request.bin" --log-file="$WORK/grpc-h2load.log" "$url" 2>&1 \
        | python3 "$BENCH_DIR/stats.py" h2load "$seconds" "$WORK/grpc-h2load.log"
}

# grpc_check NAME PORT — one call through NAME must come back with grpc-status 0 in its trailers.
grpc_check() {
    local out
    out=$(timeout 10 nghttp -v -H 'content-type: application/grpc' -H 'te: trailers' -d "$WORK/grpc-request.bin" \
        "http://127.0.0.1:$2$GRPC_PATH" 2>&1 | tr -d '\0') || true
    grep -q 'grpc-status: 0' <<<"$out" || { log "$out"; die "$1 did not pass on grpc-status 0"; }
}

# grpc_rounds — starts the backends and the three proxies, warms them, then interleaved rounds.
grpc_rounds() {
    local names=() name port round backends=()
    grpc_messages
    for round in 1 2 3; do
        port=$(free_port)
        start_grpc_backend "grpc-backend$round" "$port"
        backends+=("$port")
    done
    declare -gA GRPC_PORT_OF=()
    for name in "${PROXY_LIST[@]}"; do
        names+=("$name")
        port=$(free_port)
        GRPC_PORT_OF[$name]=$port
        case ${BUILD_BIN[$name]:+build}$name in
            yarp)
                # shellcheck disable=SC2046
                start_proc yarp env $(dotnet_env) BARE_YARP_HTTP2=1 "$YARP_BIN" "127.0.0.1:$port" "${backends[@]/#/http://127.0.0.1:}"
                wait_tcp "$port" yarp ;;
            haproxy)
                haproxy_conf grpc-haproxy http
                HAPROXY_BIND="proto h2" HAPROXY_SERVER="proto h2" haproxy_frontend grpc-haproxy "$port" "${backends[@]}"
                start_proc haproxy haproxy -db -f "$WORK/grpc-haproxy.cfg"
                wait_tcp "$port" haproxy ;;
            nginx)
                nginx_conf grpc-nginx "
    upstream grpcbe {
        $(printf 'server 127.0.0.1:%s; ' "${backends[@]}")
        keepalive 1024;
    }
    server {
        listen 127.0.0.1:$port http2 backlog=4096;
        location / {
            grpc_pass grpc://grpcbe;
            grpc_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
        }
    }"
                mkdir -p "$WORK/grpc-nginx.tmp"
                start_proc nginx nginx -p "$WORK" -e "$WORK/grpc-nginx.err" -c "$WORK/grpc-nginx.conf"
                wait_tcp "$port" nginx ;;
            *)
                balancer_config "$WORK/grpc-$name.json" "$ADMIN_PORT" \
                    "\"grpc\": { \"protocol\": \"http\", \"bind\": \"127.0.0.1:$port\", \"routes\": [ { \"pool\": \"grpc\" } ] }" \
                    "\"grpc\": { \"algorithm\": \"round-robin\", \"httpVersion\": \"2\", \"backends\": $(balancer_backends_json http:// "${backends[@]}") }"
                start_balancer_build "$name" "$WORK/grpc-$name.json" "$port" ;;
        esac
        grpc_check "$name" "$port"
    done
    for name in "${names[@]}"; do
        only_running "$name" "${names[@]}"
        case $name in
            haproxy | nginx) h2load_run "http://127.0.0.1:${GRPC_PORT_OF[$name]}$GRPC_PATH" 2 "$GRPC_CONNS" >/dev/null ;;
            *) WARMUP_RUN=h2load_run warm_up "$name" "http://127.0.0.1:${GRPC_PORT_OF[$name]}$GRPC_PATH" "$GRPC_CONNS" ;;
        esac
    done
    for name in "${names[@]}"; do reset_hwm "${PID_OF[$name]}"; done
    log "scenario grpc: $ROUNDS rounds of ${DURATION} s, $GRPC_CONNS h2c connections x $GRPC_STREAMS concurrent unary calls"
    log "  h2load -t 1 -c $GRPC_CONNS -m $GRPC_STREAMS -D $DURATION -H 'content-type: application/grpc' -H 'te: trailers' -d request.bin http://127.0.0.1:PORT$GRPC_PATH"
    for round in $(seq "$ROUNDS"); do
        for name in "${names[@]}"; do
            only_running "$name" "${names[@]}"
            measure grpc "$round" "$name" h2load_run "http://127.0.0.1:${GRPC_PORT_OF[$name]}$GRPC_PATH" "$DURATION" "$GRPC_CONNS"
        done
    done
    record_rss grpc "${names[@]}"
    for name in "${names[@]}"; do
        only_running "$name" "${names[@]}"
        grpc_check "$name" "${GRPC_PORT_OF[$name]}"
    done
    for name in "${names[@]}" grpc-backend1 grpc-backend2 grpc-backend3; do stop_proc "$name"; done
}
