"""PyTorch (timm) timings of the work `xad-benchmarks backbone` measures: EfficientNet-Lite0
features up to stride 16 (taps stage1..stage3) on 256x256 inputs, batch 1 and 16, in images/s.

Two threads, `torch.no_grad()`, eval mode (batch norm not folded: timm runs it as it ships), one
warm-up run, median of several. Two peers:
  torch_features_only_*: timm `features_only=True, out_indices=(1, 2, 3)`, as anomalib's feature
      extractor uses it; timm still runs blocks 5 and 6 (stride 32) that no tap needs.
  torch_truncated_*: stem and blocks 0..4 only, the same work XADKit does (the fair comparison).
One thread's process CPU time per image (best of several runs) is measured too, for
comparisons on a shared machine. Peak memory (max RSS) at batch 16 is measured in a fresh Python
process running only the truncated network, so that other peers' allocations do not count.
"""
import json
import subprocess
import sys

import timm
import torch

from timing import cpu_seconds, median_seconds

SIZE = 256
REPETITIONS = {1: 15, 16: 5}
CPU_REPETITIONS = {1: 7, 16: 3}


def features_only():
    return timm.create_model("efficientnet_lite0", features_only=True, out_indices=(1, 2, 3), bn_eps=1e-3).eval()


def truncated():
    """The stem and blocks up to the stride-16 tap (blocks.4), returning the three taps."""
    model = timm.create_model("efficientnet_lite0", bn_eps=1e-3).eval()

    def forward(x):
        x = model.bn1(model.conv_stem(x))
        taps = []
        for index, block in enumerate(model.blocks[:5]):
            x = block(x)
            if index in (1, 2, 4):
                taps.append(x)
        return taps
    return forward


def peak_rss_mb_batch16():
    """Max RSS of a child process that loads torch and runs the truncated network at batch 16."""
    code = ("import resource, torch, sys; sys.path.insert(0, %r); import peer_backbone as p;"
            "torch.set_num_threads(2); f = p.truncated(); x = torch.rand(16, 3, %d, %d);"
            "torch.no_grad().__enter__(); f(x); f(x);"
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)") % (
        str(__import__("pathlib").Path(__file__).resolve().parent), SIZE, SIZE)
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return round(float(output.stdout.strip().splitlines()[-1]), 1)


def run():
    torch.set_num_threads(2)
    results = {}
    with torch.no_grad():
        for name, network in (("features_only", features_only()), ("truncated", truncated())):
            for batch, repetitions in REPETITIONS.items():
                x = torch.rand(batch, 3, SIZE, SIZE)
                seconds = median_seconds(lambda: network(x), repetitions)
                results[f"torch_{name}_stride16_{SIZE}_b{batch}_images_per_s"] = round(batch / seconds, 2)
        torch.set_num_threads(1)
        network = truncated()
        for batch, repetitions in CPU_REPETITIONS.items():
            x = torch.rand(batch, 3, SIZE, SIZE)
            seconds = cpu_seconds(lambda: network(x), repetitions)
            results[f"torch_truncated_stride16_{SIZE}_b{batch}_1thread_cpu_ms_per_image"] = round(seconds * 1000 / batch, 2)
        torch.set_num_threads(2)
    results["torch_truncated_peak_rss_mb_b16"] = peak_rss_mb_batch16()
    return results


if __name__ == "__main__":
    print(json.dumps(run(), indent=2, sort_keys=True))
