# shellcheck shell=bash
# The proxies under test and the backends behind them, for bench/load/lib.sh (which sources this file):
# building Balancer, the .NET environment, and the configs and start-up of NGINX, HAProxy and Balancer.
# Everything binds 127.0.0.1 and starts through start_proc (lib.sh), pinned to $CPUS.

# publish_balancer — Release build of Balancer (and bare YARP, and with WITH_AOT=1 a Native AOT build) into $WORK;
# sets BALANCER_BIN, YARP_BIN, AOT_BIN. BALANCER_BIN, YARP_BIN and AOT_BIN already set (earlier publishes) skip the build.
publish_balancer() {
    if [[ -n ${WITH_AOT:-} && ! -x ${AOT_BIN:-} ]]; then
        log "dotnet publish src/Balancer -c Release -r linux-x64 -p:PublishAot=true"
        dotnet publish "$REPO_DIR/src/Balancer" -c Release -r linux-x64 -p:PublishAot=true -o "$WORK/balancer-aot" --nologo -v quiet \
            >"$WORK/publish-aot.log" 2>&1 || { tail -30 "$WORK/publish-aot.log" >&2; die "AOT publish failed (clang, zlib1g-dev?)"; }
        AOT_BIN=$WORK/balancer-aot/balancer
    fi
    if [[ -x ${BALANCER_BIN:-} && ( ${WITH_YARP:-1} == 0 || -x ${YARP_BIN:-} ) ]]; then
        log "using $BALANCER_BIN${YARP_BIN:+ and $YARP_BIN}"
        return 0
    fi
    log "dotnet publish src/Balancer -c Release"
    dotnet publish "$REPO_DIR/src/Balancer" -c Release -o "$WORK/balancer" --nologo -v quiet >"$WORK/publish.log" 2>&1 \
        || { tail -30 "$WORK/publish.log" >&2; die "publish failed"; }
    BALANCER_BIN=$WORK/balancer/balancer
    if [[ ${WITH_YARP:-1} == 1 ]]; then
        dotnet publish "$BENCH_DIR/bare-yarp" -c Release -o "$WORK/bare-yarp" --nologo -v quiet >>"$WORK/publish.log" 2>&1 \
            || { tail -30 "$WORK/publish.log" >&2; die "publish of bare-yarp failed"; }
        YARP_BIN=$WORK/bare-yarp/bare-yarp
    fi
}

# The environment of every .NET process under test (PERF-NOTES: one CPU, inline socket completions).
dotnet_env() {
    # With one CPU the runtime multiplies the tiering delay by 10 (1 s without new tier-0 code before
    # call counting starts), so a loaded proxy takes ~60 s to reach tier 1 here; a zero delay gets there
    # in ~20 s. It changes warm-up only, not the steady state measured (TIERING_DELAY= keeps the default).
    echo DOTNET_PROCESSOR_COUNT="$(taskset -c "$CPUS" nproc)" DOTNET_TieredPGO=1 DOTNET_gcServer=0 \
        ${TIERING_DELAY-DOTNET_TC_CallCountingDelayMs=0} \
        DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS="$INLINE" DOTNET_CLI_TELEMETRY_OPTOUT=1
}

# nginx_conf NAME BODY — a single-process NGINX config skeleton (no master, no daemon, no logs).
nginx_conf() {
    local name=$1 body=$2
    cat >"$WORK/$name.conf" <<EOF
daemon off;
master_process off;
worker_processes 1;
worker_rlimit_nofile 16384;
pid $WORK/$name.pid;
error_log $WORK/$name.err warn;
${NGINX_PRELUDE:-}
events { worker_connections 8192; multi_accept on; }
http {
    access_log off;
    default_type text/plain;
    client_body_temp_path $WORK/$name.tmp;
    proxy_temp_path $WORK/$name.tmp;
    keepalive_requests 10000000;
    keepalive_timeout 300s;
$body
}
EOF
}

# start_nginx_backend NAME PORT [SLEEP] — answers "ok\n" on / and 1 KiB on /1k; SLEEP (seconds,
# via the echo module nginx-light ships) delays every answer.
start_nginx_backend() {
    local name=$1 port=$2 sleep=${3:-} kib root_location
    kib=$(head -c 1024 /dev/zero | tr '\0' 'x')
    if [[ -n $sleep ]]; then
        root_location="location / { echo_sleep $sleep; echo ok; }"
    else
        root_location='location / { return 200 "ok\n"; }'
    fi
    NGINX_PRELUDE=${sleep:+load_module /usr/lib/nginx/modules/ngx_http_echo_module.so;} nginx_conf "$name" "
    server {
        listen 127.0.0.1:$port reuseport backlog=4096;
        $root_location
        location = /1k { return 200 \"$kib\"; }
    }"
    mkdir -p "$WORK/$name.tmp"
    start_proc "$name" nginx -p "$WORK" -e "$WORK/$name.err" -c "$WORK/$name.conf"
    wait_tcp "$port" "$name"
}

# start_backends N — N NGINX backends; sets BACKEND_PORTS.
start_backends() {
    local i port
    BACKEND_PORTS=()
    for i in $(seq "$1"); do
        port=$(free_port)
        start_nginx_backend "backend$i" "$port"
        BACKEND_PORTS+=("$port")
    done
    log "backends on ports ${BACKEND_PORTS[*]}"
}

# balancer_backends_json SCHEME PORT... — the "backends" array of a Balancer pool.
balancer_backends_json() {
    local scheme=$1 sep="" port
    shift
    printf '['
    for port; do
        printf '%s{ "address": "%s127.0.0.1:%s" }' "$sep" "$scheme" "$port"
        sep=", "
    done
    printf ']'
}

# balancer_config FILE ADMIN_PORT LISTENERS_JSON POOLS_JSON — a Balancer config file.
balancer_config() {
    printf '{ "listeners": { %s },\n  "pools": { %s },\n  "admin": { "bind": "127.0.0.1:%s" }%s }\n' \
        "$3" "$4" "$2" "${BALANCER_EXTRA_JSON:+, $BALANCER_EXTRA_JSON}" >"$1"
}

# balancer_http_config FILE PORT ADMIN_PORT POOL_BODY — one HTTP listener on PORT over the pool "web".
balancer_http_config() {
    balancer_config "$1" "$3" "\"web\": { \"protocol\": \"http\", \"bind\": \"127.0.0.1:$2\", \"routes\": [ { \"pool\": \"web\" } ] }" \
        "\"web\": { $4 }"
}

# start_balancer NAME CONFIG_FILE WAIT_PORT — Balancer under test, pinned, with the .NET settings.
start_balancer() {
    local name=$1 config=$2 port=$3
    # shellcheck disable=SC2046 # dotnet_env yields separate VAR=value words on purpose
    start_proc "$name" env $(dotnet_env) "$BALANCER_BIN" --config "$config"
    wait_tcp "$port" "$name"
}

# haproxy_conf NAME MODE — global and defaults of an HAProxy config: 1 thread, keep-alive to backends.
haproxy_conf() {
    local name=$1 mode=$2
    cat >"$WORK/$name.cfg" <<EOF
global
    nbthread 1
    maxconn 8000
defaults
    mode $mode
    timeout connect 5s
    timeout client 60s
    timeout server 60s
    timeout tunnel 1h
EOF
    [[ $mode == http ]] && printf '    option forwardfor\n    http-reuse safe\n' >>"$WORK/$name.cfg"
    return 0
}

# haproxy_frontend NAME PORT BACKEND_PORT... — appends a frontend on PORT, round-robin over the backends;
# HAPROXY_BIND adds options to its bind line (e.g. "ssl crt FILE"), HAPROXY_SERVER to its server lines ("proto h2").
haproxy_frontend() {
    local name=$1 port=$2 p
    shift 2
    {
        printf 'frontend fe%s\n    bind 127.0.0.1:%s%s\n    default_backend be%s\n' "$port" "$port" "${HAPROXY_BIND:+ $HAPROXY_BIND}" "$port"
        printf 'backend be%s\n    balance roundrobin\n' "$port"
        for p; do printf '    server b%s 127.0.0.1:%s%s\n' "$p" "$p" "${HAPROXY_SERVER:+ $HAPROXY_SERVER}"; done
    } >>"$WORK/$name.cfg"
}
