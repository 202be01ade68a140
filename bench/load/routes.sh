# shellcheck shell=bash
# The routes scenario of bench/load/run.sh (sourced by it, after scenarios.sh): what issue #22's route
# rules cost per request. Reads run.sh's PROXY_LIST, L7_STARTED and BACKEND_PORTS.
# routes_rounds — what issue #22's route rules cost: one Balancer process with three listeners over the same
# backends: a plain route; a route with three header matches and three header transforms; a route mirroring
# 10 % of its requests to a shadow pool (the same backends as another pool). Every request carries the three
# headers, so the bytes on the wire are the same for all three. Interleaved rounds; each listener's req per
# CPU-s of the one process is compared with the plain route's (stats.py: "match ÷ plain", "mirror ÷ plain").
routes_rounds() {
    local config=$WORK/routes.json round name others=()
    local -A port_of=()
    for name in plain match mirror; do port_of[$name]=$(free_port); done
    balancer_config "$config" "$(free_port)" \
        "\"plain\": { \"bind\": \"127.0.0.1:${port_of[plain]}\", \"routes\": [ { \"pool\": \"web\" } ] },
         \"match\": { \"bind\": \"127.0.0.1:${port_of[match]}\", \"routes\": [ { \"pool\": \"web\",
             \"headers\": [ { \"name\": \"X-Tenant\", \"values\": [\"acme\"] }, { \"name\": \"X-Client\", \"values\": [\"bench/\"], \"mode\": \"prefix\" },
                           { \"name\": \"X-Debug\", \"mode\": \"notExists\" } ],
             \"transforms\": { \"requestHeaders\": { \"set\": { \"X-Env\": \"prod\" }, \"remove\": [\"X-Client\"] },
                             \"responseHeaders\": { \"set\": { \"X-Frame-Options\": \"DENY\" } } } } ] },
         \"mirror\": { \"bind\": \"127.0.0.1:${port_of[mirror]}\", \"routes\": [ { \"pool\": \"web\", \"mirror\": { \"pool\": \"shadow\", \"percent\": 10 } } ] }" \
        "\"web\": { \"algorithm\": \"round-robin\", \"backends\": $(balancer_backends_json http:// "${BACKEND_PORTS[@]}") },
         \"shadow\": { \"algorithm\": \"round-robin\", \"backends\": $(balancer_backends_json http:// "${BACKEND_PORTS[@]}") }"
    start_balancer routes "$config" "${port_of[plain]}"
    [[ -n $L7_STARTED ]] && others=("${PROXY_LIST[@]}")
    only_running routes routes "${others[@]}"
    EXTRA_HEADERS=(-H 'X-Tenant: acme' -H 'X-Client: bench/1.0' -H 'X-Request-Class: bulk')
    for name in plain match mirror; do
        warm_up routes "http://127.0.0.1:${port_of[$name]}/" 64
    done
    reset_hwm "${PID_OF[routes]}"
    log "scenario routes: $ROUNDS rounds of ${DURATION} s, 64 connections, plain / 3 header matches + 3 header transforms / 10 % mirror"
    for round in $(seq "$ROUNDS"); do
        for name in plain match mirror; do
            MEASURE_PID=${PID_OF[routes]} measure routes "$round" "$name" load_run "http://127.0.0.1:${port_of[$name]}/" "$DURATION" 64
        done
    done
    EXTRA_HEADERS=()
    for name in plain match mirror; do echo "routes $name $(proc_hwm_kb "${PID_OF[routes]}")" >>"$RSS_FILE"; done
    stop_proc routes
}
