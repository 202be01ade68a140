#!/usr/bin/env bash
# The chaos run (issue 17): steady keep-alive load through Balancer while a seeded random schedule breaks things,
# checking after every step, within a printed bound, that what Balancer shows is how it routes.
#
#   bench/chaos/run.sh [--mode backends|pair] [--seed N] [--duration SECONDS] [--algorithm NAME] [--rate RPS]
#                      [--connections N] [--json FILE] [--work DIR] [--keep]
#
# backends (default): Balancer in front of 4 chaos backends on 127.0.0.1 (3 configured at first). Every 0.5-3 s one
#   step: kill -9 a backend, restart it, make its /healthz fail or pass, make it slow or fast, reset its connections,
#   write a valid config (add/remove a backend, change a weight or the algorithm), write an invalid one, restore the
#   previous one, drain or enable a backend, SIGHUP. Then: /status shows the step's effect within its bound; routing
#   (counted at the backends) agrees with /status; passing probes mean healthy; config.lastError and config.hash tell
#   the truth; /metrics agrees with /status and the backends' own counts (1 %); no GET failed and every failed POST
#   was in flight at a kill or reset; no stack trace in the log; RSS and fds level off.
# pair: the failover pair in network namespaces (root): kill -9, SIGSTOP/SIGCONT of either node, restarts with and
#   without preempt, link flaps; at every 10 ms sample each virtual IP has at most one holder (after the takeover
#   window) and the client is served within Master_Down_Interval + 100 ms of every change.
#
# It prints the seed; the same seed replays the same schedule. Exit 0 when every invariant held, 1 when one did not
# (each printed as VIOLATION with the step it followed), 2 when the run could not be carried out. Builds Balancer
# and the driver (Release) first. Takes no CPU lock itself: on the shared machine run it as
# `flock /tmp/balancer-cpu.lock bench/chaos/run.sh ...`. Everything it starts it stops, by PID, also on failure.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=${CHAOS_BIN:-/tmp/balancer-chaos-bin-$(id -u)}
dotnet build -c Release src/Balancer -o "$bin/balancer" -v q --nologo >/dev/null
dotnet build -c Release bench/chaos/Balancer.Chaos -o "$bin/chaos" -v q --nologo >/dev/null
exec dotnet "$bin/chaos/Balancer.Chaos.dll" run --balancer "$bin/balancer/balancer.dll" "$@"
