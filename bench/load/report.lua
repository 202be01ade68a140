-- wrk script: prints one machine-readable line at the end of a run (wrk's own report lacks p99.9).
--   RESULT requests socket_errors non2xx3xx req_per_s p50_us p99_us p99.9_us
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %d %.1f %d %d %d\n",
    summary.requests, e.connect + e.read + e.write + e.timeout, e.status,
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(99), latency:percentile(99.9)))
end
