#!/usr/bin/env bash
# Peak memory of `xad predict` over a folder of N generated images (default 10000): scoring must
# stream (one image decoded at a time), so the peak RSS should not grow with N.
# Usage: Tools/reliability/predict_rss.sh MODEL.xadm [N...]   (needs the release xad and python3)
set -euo pipefail
model=$1; shift
counts=("${@:-10000}")
xad=$(swift build -c release --show-bin-path)/xad
work=$(mktemp -d /tmp/xad-rss-XXXXXX)
trap 'rm -rf "$work"' EXIT
for count in "${counts[@]}"; do
    folder="$work/images-$count"
    mkdir -p "$folder"
    # 64 x 64 grey PNGs of seeded noise, written by the standard library only (zlib + struct).
    python3 - "$folder" "$count" <<'PY'
import random, struct, sys, zlib
folder, count = sys.argv[1], int(sys.argv[2])
def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff)
random.seed(16)
for index in range(count):
    rows = b"".join(b"\x00" + bytes(random.getrandbits(8) for _ in range(64)) for _ in range(64))
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 64, 64, 8, 0, 0, 0, 0)) \
        + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
    open(f"{folder}/{index:05d}.png", "wb").write(png)
PY
    /usr/bin/time -f "%M" -o "$work/rss" "$xad" predict --model "$model" --quiet "$folder" > /dev/null
    echo "images=$count peak_rss_kb=$(cat "$work/rss")"
done
