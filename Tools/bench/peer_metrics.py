"""anomalib (2.7) timings of the work `xad-benchmarks metrics` measures: pixel AUROC and AUPRO
(FPR limit 0.3) over 100 and 1,000 score maps of 256x256 with 0 to 3 rectangular defects each.

The maps are built from the same 32-bit integer hash as Benchmarks/MetricsBenchmarks.swift, in
float32, so both sides see identical inputs (scores already lie in [0, 1], as anomalib needs).
Each metric is a fresh `_AUPRO` / `_AUROC` updated with the whole batch and computed; the time
includes anomalib's connected-component labelling. Two threads; medians of wall time and of
process CPU time over several runs after a warm-up (one run, no warm-up, at 1,000 maps).
"""
import statistics
import time

import numpy as np
import torch
from anomalib.metrics.aupro import _AUPRO
from anomalib.metrics.auroc import _AUROC

torch.set_num_threads(2)


def lowbias32(x):
    """Chris Wellons' 32-bit hash, vectorised over uint32."""
    x = np.asarray(x, dtype=np.uint32)
    with np.errstate(over="ignore"):  # multiplication modulo 2^32 is the point
        x = x ^ (x >> np.uint32(16))
        x = x * np.uint32(0x7FEB352D)
        x = x ^ (x >> np.uint32(15))
        x = x * np.uint32(0x846CA68B)
        return x ^ (x >> np.uint32(16))


def synthetic_pairs(count, side=256):
    masks = np.zeros((count, side, side), dtype=np.float32)
    maps = np.empty((count, side, side), dtype=np.float32)
    pixels = np.arange(side * side, dtype=np.uint32)
    for m in range(count):
        for r in range(m % 4):
            key = m * 16 + r * 4
            top, left = int(lowbias32(key) % 200), int(lowbias32(key + 1) % 200)
            height, width = 5 + int(lowbias32(key + 2) % 45), 5 + int(lowbias32(key + 3) % 45)
            masks[m, top:top + height, left:left + width] = 1
        base = np.uint32((m * side * side) & 0xFFFFFFFF)
        noise = (lowbias32(base + pixels + np.uint32(0x9E3779B9)) & np.uint32(0xFFFFFF)).astype(np.float32)
        noise = noise / np.float32(16777216)
        maps[m] = ((noise + masks[m].reshape(-1) * np.float32(0.3)) / np.float32(1.3)).reshape(side, side)
    return torch.from_numpy(maps), torch.from_numpy(masks)


def medians(body, repetitions, warm_up=True):
    """Median wall time and median process CPU time (all threads) of `body()`, in seconds."""
    if warm_up:
        body()
    walls, cpus = [], []
    for _ in range(repetitions):
        start, start_cpu = time.perf_counter(), time.process_time()
        body()
        cpus.append(time.process_time() - start_cpu)
        walls.append(time.perf_counter() - start)
    return statistics.median(walls), statistics.median(cpus)


def run():
    results = {}
    for count in (100, 1000):
        maps, masks = synthetic_pairs(count)
        repetitions = 3 if count == 100 else 1
        values = {}

        def aupro():
            metric = _AUPRO(fpr_limit=0.3)
            metric.update(maps, masks)
            values["aupro"] = float(metric.compute())

        def auroc():
            metric = _AUROC()
            metric.update(maps, masks.int())
            values["auroc"] = float(metric.compute())

        warm_up = count == 100  # a run at 1,000 maps takes about a minute: no warm-up there
        for metric, body in (("aupro", aupro), ("pixel_auroc", auroc)):
            wall, cpu = medians(body, repetitions, warm_up)
            results[f"anomalib_{metric}_{count}x256x256_seconds"] = round(wall, 4)
            results[f"anomalib_{metric}_{count}x256x256_cpu_seconds"] = round(cpu, 4)
        results[f"anomalib_aupro_{count}x256x256"] = round(values["aupro"], 6)
        results[f"anomalib_pixel_auroc_{count}x256x256"] = round(values["auroc"], 6)
    return results


if __name__ == "__main__":
    print(run())
