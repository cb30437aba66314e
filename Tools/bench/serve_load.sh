#!/usr/bin/env bash
# Load test of `xad serve` (BENCHMARKS.md, "xad serve under load"): PatchCore fitted on MTD
# defect-free tiles, served on loopback and driven by wrk with 1, 4 and 16 connections for
# DURATION seconds each, POSTing one MTD-size JPEG to /v1/score?maps=false. Prints one Markdown
# table row per level (throughput, p50/p99 latency, errors, RSS), then the library's own
# throughput on the same image (`xad predict`, one image at a time, start-up subtracted).
#
#   bash Tools/bench/serve_load.sh            # DURATION=30 FIT_IMAGES=60 by default
#   DURATION=60 bash Tools/bench/serve_load.sh
#   XAD=.build/release/xad bash Tools/bench/serve_load.sh   # an xad already built (no build step)
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION=${DURATION:-30}
FIT_IMAGES=${FIT_IMAGES:-60}
PORT=${PORT:-18080}
DATA=${DATA:-../shared/data/mtd/MT_Free/Imgs}
WORK=${WORK:-/tmp/xad-serve-bench}
unset XAD_TOKEN

command -v wrk >/dev/null || { apt-get install -y -qq wrk >&2 || sudo apt-get install -y -qq wrk >&2; }
if [ -z "${XAD:-}" ]; then
  swift build -c release --product xad >&2
  XAD="$(swift build -c release --show-bin-path)/xad"
fi

mkdir -p "$WORK/data/normal" "$WORK/copies" "$WORK/one"
mapfile -t images < <(ls "$DATA"/*.jpg | sort)
for image in "${images[@]:0:$FIT_IMAGES}"; do ln -sf "$(realpath "$image")" "$WORK/data/normal/"; done
# The scored image: the first tile after the fitted ones (not seen in fitting).
export XAD_BENCH_IMAGE; XAD_BENCH_IMAGE="$(realpath "${images[$FIT_IMAGES]}")"
[ -f "$WORK/model.xadm" ] || "$XAD" fit --detector patchcore --data "$WORK/data" --format folder --out "$WORK/model.xadm" --quiet >&2

# The library alone: `xad predict` on COPIES links to the image minus `xad predict` on one,
# measured before and after the HTTP runs (the machine's load may change in between).
COPIES=${COPIES:-100}
for i in $(seq 1 "$COPIES"); do ln -sf "$XAD_BENCH_IMAGE" "$WORK/copies/c$i.jpg"; done
ln -sf "$XAD_BENCH_IMAGE" "$WORK/one/c1.jpg"
seconds() { local start; start=$(date +%s.%N); "$XAD" predict --model "$WORK/model.xadm" --quiet "$1" > /dev/null; echo "$(date +%s.%N) - $start" | bc; }
library_throughput() { local one many; one=$(seconds "$WORK/one"); many=$(seconds "$WORK/copies"); python3 -c "print(f'{($COPIES - 1) / ($many - $one):.2f}')"; }
library_before=$(library_throughput)

"$XAD" serve --model "$WORK/model.xadm" --port "$PORT" 2> "$WORK/serve.log" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
until grep -q "listening on" "$WORK/serve.log"; do sleep 0.2; kill -0 $SERVER; done
# RSS once a second during a level; the row shows it 5 s in, at the end, and the process's peak so far.
sample_rss() { while kill -0 "$SERVER" 2>/dev/null; do awk '/^VmRSS/ {print int($2 / 1024)}' "/proc/$SERVER/status"; sleep 1; done; }
rss() { echo "$(sed -n 6p "$1") / $(tail -1 "$1") / $(awk '/^VmHWM/ {print int($2 / 1024)}' "/proc/$SERVER/status")"; }

echo "image: $XAD_BENCH_IMAGE ($(python3 -c "import sys; from struct import unpack; d=open(sys.argv[1],'rb').read(); i=d.find(b'\xff\xc0'); h,w=unpack('>HH', d[i+5:i+9]); print(f'{w} x {h}')" "$XAD_BENCH_IMAGE"), $(stat -c %s "$XAD_BENCH_IMAGE") bytes)"
echo "CPU: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
curl -s -o /dev/null --data-binary "@$XAD_BENCH_IMAGE" "http://127.0.0.1:$PORT/v1/score"   # warm-up
echo "| clients | requests/s | p50 ms | p99 ms | errors (non-2xx + socket) | RSS MiB at 5 s / end / peak |"
echo "|---|---|---|---|---|---|"
declare -A throughput
for clients in 1 4 16; do
  sample_rss > "$WORK/rss-$clients.txt" &
  SAMPLER=$!
  line=$(wrk -t "$(( clients < 2 ? 1 : 2 ))" -c "$clients" -d "${DURATION}s" --timeout 30s -s Tools/bench/serve_post.lua \
           "http://127.0.0.1:$PORT/v1/score?maps=false" | grep XAD_RESULT)
  kill "$SAMPLER"
  eval "$(echo "$line" | sed 's/XAD_RESULT //')"
  throughput[$clients]=$(python3 -c "print(f'{$requests / $seconds:.2f}')")
  echo "| $clients | ${throughput[$clients]} | $p50_ms | $p99_ms | $((non2xx + socket_errors)) | $(rss "$WORK/rss-$clients.txt") |"
done
echo "detector passes and images: $(curl -s "http://127.0.0.1:$PORT/metrics" | grep -E '^xad_batch_images_(count|sum)' | tr '\n' ' ')"
kill -TERM $SERVER; wait $SERVER; echo "server exit status after SIGTERM: $?"
trap - EXIT

library_after=$(library_throughput)
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
library=$(python3 -c "print(f'{($library_before + $library_after) / 2:.2f}')")
echo "library (xad predict, one image at a time): $library images/s (before the HTTP runs $library_before, after $library_after)"
for clients in 1 4 16; do
  echo "HTTP at $clients clients: $(python3 -c "print(f'{100 * ${throughput[$clients]} / $library:.0f}')")% of the library's throughput"
done
