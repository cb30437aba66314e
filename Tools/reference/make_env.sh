#!/usr/bin/env bash
# Creates Tools/reference/.venv with the reference libraries (PyTorch, timm, scikit-learn,
# anomalib, Captum, pytorch-grad-cam). Only needed to regenerate fixtures or to time peers.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
[ -x "$here/.venv/bin/python" ] || python3 -m venv "$here/.venv"
"$here/.venv/bin/python" -m pip install -q --disable-pip-version-check -r "$here/requirements.txt"
