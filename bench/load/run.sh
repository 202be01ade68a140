#!/usr/bin/env bash
# Balancer against HAProxy, NGINX and a bare YARP proxy, side by side on one machine.
#
#   bench/load/run.sh [--scenarios LIST|all] [--rounds N] [--duration S] [--cpus LIST]
#                     [--proxies LIST] [--builds NAME=PATH|aot,...] [--loadgen wrk|bombardier] [--keep]
#
# Scenarios (default keepalive): keepalive (64 connections, small body), 1k (1 KiB body),
# close (a new connection per request), c1000 (1,000 connections), openloop (fixed rate at 50 %
# of HAProxy's max, hey -q), tcp (L4: iperf3 bulk throughput with 1 and 64 streams and connection rate, Balancer vs
# HAProxy mode tcp), https (keep-alive, 64 connections, TLS terminated at the proxy, plain HTTP to
# the backends), handshake (https with a new connection, so a full TLS handshake, per request; see
# no-resume.c), h2c (HTTP/2 prior knowledge in cleartext, h2load: 10 connections x 10 streams), h2 (the same over
# TLS with ALPN h2), grpc (unary gRPC calls with h2load over h2c: 8 connections x 8 concurrent calls, to HAProxy
# "proto h2", NGINX grpc_pass, bare YARP and a Balancer pool with httpVersion 2 speaking h2c to 3 NGINX gRPC
# backends; grpc.sh), routes (issue #22: Balancer alone, a plain route against one with three header matches
# and three header transforms and one with a 10 % mirror, in one process; see routes.sh). Every TLS proxy serves one ECDSA P-256 certificate made here; bare YARP has no TLS
# listener and no HTTP/2 and sits out the TLS and HTTP/2 scenarios (not grpc: it speaks h2 there). Proxies (default all): balancer, yarp (bare YARP, bench/load/bare-yarp),
# haproxy (nbthread 1), nginx (worker_processes 1). --builds NAME=PATH,... adds other published
# balancer executables as more proxies (an A/B of two builds in one interleaved run); the name aot alone publishes
# this tree with Native AOT (PublishAot, needs clang and zlib1g-dev) and runs it as the proxy "aot" (AOT_BIN skips that).
# Everything binds 127.0.0.1 and runs pinned to --cpus (default 1). Needs wrk, haproxy, nginx
# (nginx-light), hey (openloop), iperf3 (tcp), openssl (https, handshake, h2), h2load (h2c, h2, grpc: nghttp2-client; and nghttp for grpc), gcc and
# the OpenSSL headers (handshake: libssl-dev), dotnet, python3.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SCENARIOS=keepalive
ROUNDS=5
DURATION=5
PROXIES=balancer,yarp,haproxy,nginx
extra_option() {
    case $1 in
        --scenarios) SCENARIOS=$2 ;;
        --proxies) PROXIES=$2 ;;
        --builds) BUILDS=$2 ;;
        --loadgen) LOADGEN=$2 ;;
        *) return 1 ;;
    esac
}
parse_options "$@"
[[ $SCENARIOS == all ]] && SCENARIOS=keepalive,1k,close,c1000,openloop,tcp,https,handshake,h2c,h2,grpc
IFS=, read -ra SCENARIO_LIST <<<"$SCENARIOS"
IFS=, read -ra PROXY_LIST <<<"$PROXIES"
declare -A BUILD_BIN=()
IFS=, read -ra builds <<<"${BUILDS:-}"
for build in "${builds[@]}"; do
    if [[ $build == aot ]]; then
        WITH_AOT=1 # published below, with the JIT build
    else
        BUILD_BIN[${build%%=*}]=${build#*=}
    fi
    PROXY_LIST+=("${build%%=*}")
done
[[ ,$PROXIES, == *,yarp,* ]] || WITH_YARP=0

tools=(wrk haproxy nginx taskset python3 dotnet)
[[ ,$SCENARIOS, == *,openloop,* ]] && tools+=(hey)
[[ ,$SCENARIOS, == *,tcp,* ]] && tools+=(iperf3)
[[ ,$SCENARIOS, == *,grpc,* ]] && tools+=(h2load nghttp)
[[ ,$SCENARIOS, =~ ,(keepalive|1k|close|c1000|openloop), ]] && WITH_PLAIN=1 || WITH_PLAIN=""
[[ ,$SCENARIOS, =~ ,(https|handshake|h2), ]] && WITH_TLS=1 && tools+=(openssl)
[[ ,$SCENARIOS, =~ ,(h2c|h2), ]] && tools+=(h2load)
[[ ,$SCENARIOS, == *,h2c,* ]] && WITH_H2C=1 || WITH_H2C=""
[[ ,$SCENARIOS, == *,handshake,* ]] && tools+=(gcc)
require_tools "${tools[@]}"

bench_init
RESULTS=$WORK/results.txt
RSS_FILE=$WORK/rss.txt
: >"$RESULTS"
: >"$RSS_FILE"
publish_balancer
[[ -n ${WITH_AOT:-} ]] && BUILD_BIN[aot]=$AOT_BIN
start_backends 3
ADMIN_PORT=$(free_port)

# start_balancer_build NAME CONFIG PORT — Balancer, or another build (--builds) on its own admin port.
start_balancer_build() {
    local name=$1 config=$2 port=$3
    if [[ -n ${BUILD_BIN[$name]:-} ]]; then
        sed "s/127.0.0.1:$ADMIN_PORT/127.0.0.1:$(free_port)/" "$config" >"$config.$name"
        BALANCER_BIN=${BUILD_BIN[$name]} start_balancer "$name" "$config.$name" "$port"
    else
        start_balancer "$name" "$config" "$port"
    fi
}

# tls_init — the certificate every TLS proxy serves: ECDSA P-256, self-signed, as PEM certificate and
# key (Balancer, NGINX) and both in one file (HAProxy); and no-resume.so for wrk (handshake).
tls_init() {
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 30 -subj /CN=bench.local \
        -addext subjectAltName=DNS:bench.local,IP:127.0.0.1 -keyout "$WORK/tls.key" -out "$WORK/tls.pem" 2>"$WORK/openssl.log" \
        || { cat "$WORK/openssl.log" >&2; die "openssl could not make the certificate"; }
    cat "$WORK/tls.pem" "$WORK/tls.key" >"$WORK/combined.pem"
    if [[ ,$SCENARIOS, == *,handshake,* ]]; then
        gcc -O2 -shared -fPIC -o "$WORK/no-resume.so" "$BENCH_DIR/no-resume.c" -lssl -ldl 2>"$WORK/gcc.log" \
            || { cat "$WORK/gcc.log" >&2; die "cannot build no-resume.so (apt-get install -y gcc libssl-dev)"; }
    fi
}

# tls_names — the selected proxies that terminate TLS (all but bare YARP).
tls_names() {
    local name
    for name in "${PROXY_LIST[@]}"; do [[ $name == yarp ]] || echo "$name"; done
}

# log_negotiated NAME — what an OpenSSL 3 client with default settings (as wrk) negotiates with NAME.
log_negotiated() {
    local out
    out=$(timeout 10 openssl s_client -connect "127.0.0.1:${TLS_PORT_OF[$1]}" -servername bench.local -alpn h2,http/1.1 </dev/null 2>/dev/null | tr -d '\0') || true
    log "  $1 TLS: $(grep -m1 -o 'TLSv[0-9.]*, Cipher is [A-Z0-9_-]*' <<<"$out"), key exchange $(grep -m1 -o 'Server Temp Key: [^,]*' <<<"$out" | cut -d' ' -f4), ALPN $(grep -m1 -o 'ALPN protocol: .*' <<<"$out" | cut -d' ' -f3)"
}

# start_l7_proxies — every selected HTTP proxy in front of the 3 backends; sets PORT_OF, and with
# TLS scenarios also an https listener on TLS_PORT_OF (in the same process, over the same backends). H2C_PORT_OF
# is where h2c prior knowledge is served: the plain port for Balancer and HAProxy (both tell the preface from
# HTTP/1.1), a port of its own for NGINX (its "listen ... http2" without ssl speaks h2c only).
declare -A PORT_OF=() TLS_PORT_OF=() H2C_PORT_OF=()
start_l7_proxies() {
    local name port tport listeners nginx_location nginx_tls="" nginx_h2c=""
    for name in "${PROXY_LIST[@]}"; do
        port=$(free_port)
        PORT_OF[$name]=$port
        tport=""
        [[ $name != yarp ]] && H2C_PORT_OF[$name]=$port
        if [[ -n ${WITH_TLS:-} && $name != yarp ]]; then
            tport=$(free_port)
            TLS_PORT_OF[$name]=$tport
        fi
        case ${BUILD_BIN[$name]:+build}$name in
            balancer | build*)
                listeners="\"web\": { \"protocol\": \"http\", \"bind\": \"127.0.0.1:$port\", \"routes\": [ { \"pool\": \"web\" } ] }"
                [[ -n $tport ]] && listeners+=",
    \"tls\": { \"protocol\": \"http\", \"bind\": \"127.0.0.1:$tport\", \"routes\": [ { \"pool\": \"web\" } ],
             \"tls\": { \"certificates\": [ { \"cert\": \"$WORK/tls.pem\", \"key\": \"$WORK/tls.key\" } ] } }"
                balancer_config "$WORK/$name.json" "$ADMIN_PORT" "$listeners" \
                    "\"web\": { \"algorithm\": \"round-robin\", \"backends\": $(balancer_backends_json http:// "${BACKEND_PORTS[@]}") }"
                start_balancer_build "$name" "$WORK/$name.json" "$port" ;;
            yarp)
                # shellcheck disable=SC2046
                start_proc yarp env $(dotnet_env) "$YARP_BIN" "127.0.0.1:$port" \
                    "${BACKEND_PORTS[@]/#/http://127.0.0.1:}"
                wait_tcp "$port" yarp ;;
            haproxy)
                haproxy_conf haproxy http
                haproxy_frontend haproxy "$port" "${BACKEND_PORTS[@]}"
                # TLS 1.2 and 1.3 (Balancer's default minVersion "1.2"); OpenSSL's default ciphers, as the others.
                [[ -n $tport ]] && HAPROXY_BIND="ssl crt $WORK/combined.pem alpn h2,http/1.1 ssl-min-ver TLSv1.2" \
                    haproxy_frontend haproxy "$tport" "${BACKEND_PORTS[@]}"
                start_proc haproxy haproxy -db -f "$WORK/haproxy.cfg"
                wait_tcp "$port" haproxy ;;
            nginx)
                nginx_location="location / {
            proxy_pass http://be;
            proxy_http_version 1.1;
            proxy_set_header Connection \"\";
            proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
            proxy_buffering on;
        }"
                # NGINX 1.22 enables only up to TLS 1.2 by default (1.3 from 1.23.4): named here as for the others.
                [[ -n $tport ]] && nginx_tls="
    server {
        listen 127.0.0.1:$tport ssl http2 backlog=4096;
        ssl_certificate $WORK/tls.pem;
        ssl_certificate_key $WORK/tls.key;
        ssl_protocols TLSv1.2 TLSv1.3;
        $nginx_location
    }"
                if [[ -n $WITH_H2C ]]; then
                    H2C_PORT_OF[$name]=$(free_port)
                    nginx_h2c="
    server {
        listen 127.0.0.1:${H2C_PORT_OF[$name]} http2 backlog=4096;
        $nginx_location
    }"
                fi
                nginx_conf nginx "
    upstream be {
        $(printf 'server 127.0.0.1:%s; ' "${BACKEND_PORTS[@]}")
        keepalive 1024;
    }
    server {
        listen 127.0.0.1:$port backlog=4096;
        $nginx_location
    }$nginx_tls$nginx_h2c"
                mkdir -p "$WORK/nginx.tmp"
                start_proc nginx nginx -p "$WORK" -e "$WORK/nginx.err" -c "$WORK/nginx.conf"
                wait_tcp "$port" nginx ;;
            *) die "unknown proxy $name" ;;
        esac
        if [[ -n $tport ]]; then
            wait_tcp "$tport" "$name"
            log_negotiated "$name"
        fi
    done
}

# shellcheck source=bench/load/scenarios.sh
source "$BENCH_DIR/scenarios.sh"
# shellcheck source=bench/load/grpc.sh
source "$BENCH_DIR/grpc.sh"
# shellcheck source=bench/load/routes.sh
source "$BENCH_DIR/routes.sh"

[[ -n ${WITH_TLS:-} ]] && tls_init
L7_STARTED=""
for scenario in "${SCENARIO_LIST[@]}"; do
    if [[ $scenario != tcp && $scenario != grpc && $scenario != routes && -z $L7_STARTED ]]; then
        start_l7_proxies
        warm_all 64
        L7_STARTED=1
    fi
    case $scenario in
        keepalive) l7_rounds keepalive / 64 ;;
        1k) l7_rounds 1k /1k 64 ;;
        close) l7_rounds close / 64 close ;;
        c1000) l7_rounds c1000 / 1000 ;;
        https) l7_rounds https / 64 "" tls ;;
        handshake)
            # wrk would resume the TLS session on every reconnect (no-resume.c); bombardier's client is not covered.
            [[ $(loadgen) == wrk ]] || log "  note: $(loadgen) may resume TLS sessions; the no-resume preload applies to wrk only"
            WRK_PRELOAD=$WORK/no-resume.so l7_rounds handshake / 64 close tls ;;
        openloop) openloop_rounds ;;
        h2c) h2_rounds h2c http ;;
        h2) h2_rounds h2 https ;;
        routes) routes_rounds ;;
        tcp | grpc)
            if [[ -n $L7_STARTED ]]; then
                for name in "${PROXY_LIST[@]}"; do stop_proc "$name"; done
                L7_STARTED=""
            fi
            "${scenario}_rounds" ;;
        *) die "unknown scenario $scenario" ;;
    esac
done

echo
echo "## Results ($(nproc) vCPU, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | xargs), pinned to CPU $CPUS, load generator $(loadgen))"
python3 "$BENCH_DIR/stats.py" summary "$RESULTS" "$RSS_FILE"
