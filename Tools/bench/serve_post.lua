-- wrk script for Tools/bench/serve_load.sh: POST the image in $XAD_BENCH_IMAGE to the URL's path,
-- with the bearer token in $XAD_TOKEN when set, and count answers by status.
local file = assert(io.open(os.getenv("XAD_BENCH_IMAGE"), "rb"))
wrk.method = "POST"
wrk.body = file:read("*a")
file:close()
wrk.headers["Content-Type"] = "image/jpeg"
local token = os.getenv("XAD_TOKEN")
if token and token ~= "" then wrk.headers["Authorization"] = "Bearer " .. token end

-- One line the script parses: requests, non-2xx answers, socket errors, p50 and p99 in ms.
done = function(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format("XAD_RESULT requests=%d non2xx=%d socket_errors=%d p50_ms=%.1f p99_ms=%.1f seconds=%.2f\n",
    summary.requests, errors.status, errors.connect + errors.read + errors.write + errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, summary.duration / 1e6))
end
