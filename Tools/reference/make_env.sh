#!/usr/bin/env bash
# Creates Tools/reference/.venv with the reference and peer libraries (PyTorch, torchvision, timm,
# scikit-learn, anomalib, Captum, pytorch-grad-cam, ...). Only needed to regenerate fixtures
# (`make references`) or to time the peers (`make bench`); XADKit itself never runs Python.
#
# Safe to run again: a working environment whose packages match requirements.txt is left as it
# is (a second run takes a few seconds); a missing or broken one (a dangling link, a Python that
# no longer starts) is made anew. PYTHON picks the interpreter (default python3).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="$here/.venv"
requirements="$here/requirements.txt"
stamp="$venv/.requirements.sha256"
python=${PYTHON:-python3}

# A leftover link or a venv whose interpreter is gone (its Python was removed or upgraded).
if [ -L "$venv" ] && [ ! -e "$venv" ]; then
  echo "make_env: removing the dangling link $venv" >&2
  rm -f "$venv"
elif [ -e "$venv" ] && ! "$venv/bin/python" -c 'import sys' >/dev/null 2>&1; then
  echo "make_env: $venv is broken; making it anew" >&2
  rm -rf "$venv"
fi

if [ ! -e "$venv" ]; then
  "$python" -c 'import sys' >/dev/null 2>&1 || { echo "make_env: no working Python at '$python' (set PYTHON)" >&2; exit 1; }
  # Debian's python3 needs python3-venv for `-m venv`: install it when root can.
  if ! "$python" -c 'import ensurepip, venv' >/dev/null 2>&1 && command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    echo "make_env: installing python3-venv" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-venv >&2 \
      || { apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-venv >&2; }
  fi
  echo "make_env: creating $venv with $("$python" --version 2>&1)" >&2
  "$python" -m venv "$venv"
fi

wanted="$(sha256sum "$requirements" | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
  echo "make_env: installing $requirements (PyTorch and anomalib take a few minutes the first time)" >&2
  "$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$requirements" >&2
  # Written only after a complete install, so an interrupted one is resumed next time.
  echo "$wanted" > "$stamp.tmp" && mv "$stamp.tmp" "$stamp"
fi
"$venv/bin/python" -c 'import torch, numpy' || { echo "make_env: $venv cannot import torch" >&2; rm -f "$stamp"; exit 1; }
