#!/usr/bin/env python3
"""Statistics for bench/load: parses load-generator output and prints the summary tables.

  stats.py bombardier < bombardier.json      -> "requests errors non2xx rps p50 p99 p999" (µs)
  stats.py hey SECONDS < hey.csv             -> the same line from hey's per-request CSV
  stats.py iperf < iperf3.json              -> "MB 0 0 Gbit/s nan nan nan"
  stats.py h2load SECONDS LOG < h2load.out   -> the same line from h2load's summary and its --log-file
  stats.py summary RESULTS [RSS]             -> one markdown table per scenario
"""
import json
import statistics
import sys
from collections import defaultdict

CLK_TCK = 100


def percentile(sorted_values, p):
    if not sorted_values:
        return float("nan")
    k = min(len(sorted_values) - 1, max(0, round(p / 100 * len(sorted_values) + 0.5) - 1))
    return sorted_values[k]


def bombardier():
    r = json.load(sys.stdin)["result"]
    ok = r["req2xx"] + r["req3xx"]
    total = ok + r["req1xx"] + r["req4xx"] + r["req5xx"] + r["others"]
    errors = sum(e["count"] for e in r.get("errors") or [])
    pct = r["latency"]["percentiles"]
    print(total, errors, total - ok, round(total / r["timeTakenSeconds"], 1), int(pct["50"]), int(pct["99"]), "nan")


def hey(seconds):
    lat, non2xx = [], 0
    for line in sys.stdin:
        parts = line.strip().split(",")
        if len(parts) < 7 or parts[0] == "response-time":
            continue
        lat.append(float(parts[0]) * 1e6)
        non2xx += not parts[6].startswith(("2", "3"))
    lat.sort()
    print(len(lat), 0, non2xx, round(len(lat) / seconds, 1), *(int(percentile(lat, p)) for p in (50, 99, 99.9)))


def iperf():
    r = json.load(sys.stdin)["end"]["sum_received"]
    print(int(r["bytes"] / 1e6), 0, 0, round(r["bits_per_second"] / 1e9, 2), "nan", "nan", "nan")


def h2load(seconds, log):
    """Counts from h2load's summary; percentiles, which it does not print, from its per-request log (start µs, status,
    duration µs), which the caller empties before each run (h2load appends to it)."""
    done = errors = non2xx = 0
    for line in sys.stdin.read().splitlines():
        words = line.replace(",", "").split()
        if line.startswith("requests:"):
            done = int(words[words.index("done") - 1])
            errors = int(words[words.index("errored") - 1]) + int(words[words.index("timeout") - 1])
        elif line.startswith("status codes:"):
            non2xx = int(words[words.index("4xx") - 1]) + int(words[words.index("5xx") - 1])
    with open(log) as f:
        lat = sorted(float(parts[2]) for parts in (line.split() for line in f) if len(parts) == 3)
    print(done, errors, non2xx, round(done / seconds, 1), *(int(percentile(lat, p)) for p in (50, 99, 99.9)))


def fmt_us(us):
    return "—" if us != us else (f"{us / 1000:.2f} ms" if us >= 1000 else f"{us:.0f} µs")


def versus(a, b):
    """Medians of per-round ratios of run a to run b (dicts round -> fields): req/s and req per CPU-s."""
    rps = [a[n]["rps"] / b[n]["rps"] for n in a if n in b and b[n]["rps"]]
    eff = [(a[n]["req"] / a[n]["cpu"]) / (b[n]["req"] / b[n]["cpu"]) for n in a
           if n in b and a[n]["cpu"] and b[n]["cpu"] and b[n]["req"]]
    if not rps:
        return ""
    return f"req/s {statistics.median(rps):.3f}" + (f", req per CPU-s {statistics.median(eff):.3f}" if eff else "")


def summary(results, rss_file=None):
    rows = defaultdict(list)  # (scenario, proxy) -> [(round, fields)]
    order, scenarios = [], []
    with open(results) as f:
        for line in f:
            s, rnd, proxy, req, err, non2xx, rps, p50, p99, p999, ticks = line.split()
            if s not in scenarios:
                scenarios.append(s)
            if (s, proxy) not in rows:
                order.append((s, proxy))
            rows[(s, proxy)].append((int(rnd), dict(req=int(req), err=int(err), non2xx=int(non2xx), rps=float(rps),
                                                     p50=float(p50), p99=float(p99), p999=float(p999), cpu=int(ticks) / CLK_TCK)))
    rss = {}
    if rss_file:
        with open(rss_file) as f:
            for line in f:
                s, proxy, kb = line.split()
                rss[(s, proxy)] = int(kb)
    for s in scenarios:
        base = dict(rows.get((s, "haproxy"), []))
        bulk = s.startswith("tcp-bulk")  # iperf3 rounds: the rate column holds Gbit/s
        print(f"\n### {s}\n")
        print(f"| proxy | {'Gbit/s' if bulk else 'req/s'} (median) | ÷ HAProxy (median of per-round ratios) | req per CPU-s ÷ HAProxy | p50 | p99 | p99.9 | CPU ms / 1k req | peak RSS | errors / non-2xx |")
        print("|---|---|---|---|---|---|---|---|---|---|")
        for (sc, proxy) in order:
            if sc != s:
                continue
            runs = rows[(sc, proxy)]
            med = lambda key: statistics.median(r[key] for _, r in runs)
            ratio = [r["rps"] / base[n]["rps"] for n, r in runs if n in base and base[n]["rps"]]
            eff = [(r["req"] / r["cpu"]) / (base[n]["req"] / base[n]["cpu"]) for n, r in runs
                   if n in base and r["cpu"] and base[n]["cpu"] and base[n]["req"]]
            cpu_per_k = [] if bulk else [1000 * r["cpu"] / r["req"] * 1000 for _, r in runs if r["req"]]
            cells = [proxy, f"{med('rps'):,.1f}" if bulk else f"{med('rps'):,.0f}",
                     f"{statistics.median(ratio):.2f} ({min(ratio):.2f}–{max(ratio):.2f})" if ratio else "—",
                     f"{statistics.median(eff):.2f}" if eff else "—",
                     fmt_us(med("p50")), fmt_us(med("p99")), fmt_us(med("p999")),
                     f"{statistics.median(cpu_per_k):.1f}" if cpu_per_k else "—",
                     f"{rss[(sc, proxy)] / 1024:.0f} MB" if (sc, proxy) in rss else "—",
                     f"{sum(r['err'] for _, r in runs)} / {sum(r['non2xx'] for _, r in runs)}"]
            print("| " + " | ".join(cells) + " |")
        for other, label in (("yarp", "bare YARP"), ("nginx", "NGINX")):
            line = versus(dict(rows.get((s, "balancer"), [])), dict(rows.get((s, other), [])))
            if line:
                print(f"\nBalancer ÷ {label} (median of per-round ratios): {line}")
        if (s, "plain") in rows:  # the routes scenario: each route's cost against the plain route, same process
            for (sc, proxy) in order:
                if sc == s and proxy != "plain":
                    print(f"\n{proxy} ÷ plain (median of per-round ratios): {versus(dict(rows[(sc, proxy)]), dict(rows[(s, 'plain')]))}")
        print(f"\n{len(base) or max(len(v) for k, v in rows.items() if k[0] == s)} rounds.")


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "bombardier":
        bombardier()
    elif mode == "hey":
        hey(float(sys.argv[2]))
    elif mode == "iperf":
        iperf()
    elif mode == "h2load":
        h2load(float(sys.argv[2]), sys.argv[3])
    elif mode == "summary":
        summary(sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else None)
    else:
        sys.exit(__doc__)
