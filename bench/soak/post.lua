-- wrk script: POST a 4 KiB body to /echo (mixed load for bench/soak/run.sh).
wrk.method = "POST"
wrk.body = string.rep("x", 4096)
wrk.headers["Content-Type"] = "application/octet-stream"
