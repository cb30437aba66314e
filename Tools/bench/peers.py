"""Times the peer libraries (PyTorch, Pillow, anomalib, Captum, pytorch-grad-cam) on the same
work as `xad-benchmarks`, on this machine, with two threads. Runs every Tools/bench/peer_*.py
(each defines `run() -> dict`) and prints one JSON object keyed like xad-benchmarks' sections.
`peers.py tensor backbone` runs only the named scripts (peer_tensor.py, peer_backbone.py), to pair
with `xad-benchmarks tensor backbone` in one run.
"""
import importlib.util
import json
import pathlib
import sys

import torch

torch.set_num_threads(2)
here = pathlib.Path(__file__).resolve().parent
requested = set(sys.argv[1:])
results = {}
for script in sorted(here.glob("peer_*.py")):
    if requested and script.stem.removeprefix("peer_") not in requested:
        continue
    print(f"peer benchmark {script.stem}", file=sys.stderr)
    spec = importlib.util.spec_from_file_location(script.stem, script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    results[script.stem.removeprefix("peer_")] = module.run()
print(json.dumps(results, indent=2, sort_keys=True))
