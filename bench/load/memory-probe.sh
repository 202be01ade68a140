#!/bin/bash
# bench/load/memory-probe.sh NAME BIN [tcp] — peak RSS of Balancer under LIGHT, rate-limited traffic (not a CPU benchmark):
# 64 connections at ~500 req/s for 10 s, then 1,000 connections at ~500 req/s for 10 s. One nginx backend.
# Prints idle RSS, peak RSS (VmHWM) after each step and RSS 5 s later. Everything on CPU 1 and 127.0.0.1; bounded (2 x 10 s).
# Light load on purpose: it ranks memory settings without the CPU lock; CPU comparisons belong in run.sh.
name=$1 bin=$2 kind=${3:-http}
w=$(mktemp -d /tmp/balancer-memprobe.XXXXXX)
port=$((20000 + RANDOM % 20000)); admin=$((port + 1)); be=$((port + 2))
cat > $w/ng.conf <<NG
daemon off; master_process off; worker_processes 1; worker_rlimit_nofile 16384; pid $w/ng.pid; error_log $w/ng.err warn;
events { worker_connections 8192; }
http { access_log off; client_body_temp_path $w; keepalive_requests 10000000;
  server { listen 127.0.0.1:$be; location / { return 200 "ok\n"; } } }
NG
taskset -c 1 nginx -p $w -e $w/ng.err -c $w/ng.conf & ngpid=$!
if [[ $kind == tcp ]]; then ls="\"l\": { \"protocol\": \"tcp\", \"bind\": \"127.0.0.1:$port\", \"pool\": \"web\" }"; pre=""
else ls="\"l\": { \"protocol\": \"http\", \"bind\": \"127.0.0.1:$port\", \"routes\": [ { \"pool\": \"web\" } ] }"; pre="http://"; fi
printf '{ "listeners": { %s }, "pools": { "web": { "backends": [ { "address": "%s127.0.0.1:%s" } ] } }, "admin": { "bind": "127.0.0.1:%s" } }\n' "$ls" "$pre" "$be" "$admin" > $w/b.json
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
env DOTNET_PROCESSOR_COUNT=1 DOTNET_TieredPGO=1 DOTNET_gcServer=0 DOTNET_TC_CallCountingDelayMs=0 DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 taskset -c 1 $bin --config $w/b.json > $w/b.log 2>&1 & pid=$!
for i in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.2; done
idle=$(awk '/^VmRSS/ {print $2}' /proc/$pid/status)
hwm() { awk '/^VmHWM/ {print int($2/1024)}' /proc/$pid/status; }
extra=(); [[ $kind == tcp ]] && extra=(-disable-keepalive)
taskset -c 1 timeout 40 hey -z 10s -c 64 -q 8 "${extra[@]}" http://127.0.0.1:$port/ > $w/h1 2>&1
h64=$(hwm); n64=$(grep -o "\[200\].*responses" $w/h1 | head -1)
taskset -c 1 timeout 40 hey -z 10s -c 1000 -q 0.5 "${extra[@]}" http://127.0.0.1:$port/ > $w/h2 2>&1
h1k=$(hwm); n1k=$(grep -o "\[200\].*responses" $w/h2 | head -1)
sleep 5; steady=$(awk '/^VmRSS/ {print int($2/1024)}' /proc/$pid/status)
echo "$name $kind: idle $((idle/1024)) MB, peak c64 $h64 MB ($n64), peak c1000 $h1k MB ($n1k), RSS 5 s after $steady MB"
kill $pid $ngpid; wait $pid $ngpid 2>/dev/null; rm -rf $w
