#!/usr/bin/env python3
"""Instruction-count regression check: XADKit's fixed workloads under valgrind's callgrind.

    python3 Tools/bench/instruction_counts.py BINARY            # check (make instruction-check)
    python3 Tools/bench/instruction_counts.py BINARY --update   # record (make bench-baseline)

BINARY is the release `xad-benchmarks`. Each workload (`xad-benchmarks --workload NAME`, see
Benchmarks/InstructionWorkloads.swift) runs once on one thread under
`valgrind --tool=callgrind --collect-atstart=no --toggle-collect=xad_counted_workload`, so only
the work itself is counted, not loading weights or building inputs. Counts are compared with
Benchmarks/instruction-baseline.json; the check fails when any count rises more than 5 % above
its baseline. Counts depend on the code path: the key of a baseline is the CPU's x86-64 feature
level (from /proc/cpuinfo), the valgrind version and the BLAS build with the kernel it chose under
valgrind (valgrind shows no AVX-512, so OpenBLAS takes its AVX2 kernels there). A machine whose
key has no baseline yet gets its counts printed and recorded in the file (the file is not
committed by this script), and the check passes: there is nothing to compare with.
Only the standard library is used: CI runs it with the system python3.
"""
import json
import os
import platform
import re
import subprocess
import sys
import tempfile

WORKLOADS = ["backbone_b1", "nearest_neighbours_block", "aupro_8x256x256"]
TOLERANCE = 0.05
BASELINE = os.path.join(os.path.dirname(__file__), "..", "..", "Benchmarks", "instruction-baseline.json")


def feature_level():
    """x86-64-v4 (AVX-512), -v3 (AVX2, FMA), -v2 or the machine name for other CPUs."""
    if platform.machine() not in ("x86_64", "AMD64"):
        return platform.machine()
    flags = set()
    with open("/proc/cpuinfo") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("flags"):
                flags = set(line.split(":", 1)[1].split())
                break
    if {"avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl"} <= flags:
        return "x86-64-v4"
    if {"avx2", "fma", "bmi2"} <= flags:
        return "x86-64-v3"
    return "x86-64-v2" if "sse4_2" in flags else "x86-64"


def count(binary, workload):
    """The instructions (Ir) callgrind counts inside the workload, and the BLAS line it prints."""
    with tempfile.TemporaryDirectory() as folder:
        out = os.path.join(folder, "callgrind.out")
        environment = dict(os.environ, OPENBLAS_NUM_THREADS="1", SWIFT_DETERMINISTIC_HASHING="1")
        run = subprocess.run(
            ["valgrind", "--tool=callgrind", "--collect-atstart=no", "--toggle-collect=xad_counted_workload",
             f"--callgrind-out-file={out}", binary, "--workload", workload],
            capture_output=True, text=True, env=environment)
        if run.returncode != 0:
            sys.exit(f"instruction check: {workload} failed under valgrind (exit {run.returncode}):\n{run.stderr[-2000:]}")
        blas = next((line[len("blas: "):].strip() for line in run.stdout.splitlines() if line.startswith("blas: ")), "unknown BLAS")
        with open(out) as profile:
            totals = [int(m.group(1)) for m in (re.match(r"(?:summary|totals): (\d+)", line) for line in profile) if m]
        if not totals or totals[-1] == 0:
            sys.exit(f"instruction check: callgrind counted nothing in {workload} (is xad_counted_workload in the binary?)")
        return totals[-1], blas


def main():
    if len(sys.argv) < 2 or not os.access(sys.argv[1], os.X_OK):
        sys.exit(__doc__)
    binary, update = sys.argv[1], "--update" in sys.argv[2:]
    with tempfile.TemporaryDirectory() as folder:
        # valgrind 3.19 (Debian 12) gives up on the DWARF 5 debug info of the C packages linked
        # in with XADBench (SwiftNIO, swift-crypto); callgrind needs only the symbol table, kept.
        stripped = os.path.join(folder, os.path.basename(binary))
        subprocess.run(["objcopy", "--strip-debug", binary, stripped], check=True)
        check(stripped, update)


def check(binary, update):
    """Counts every workload in `binary` and compares with (or, on `update`, records) the baseline."""
    valgrind = subprocess.run(["valgrind", "--version"], capture_output=True, text=True).stdout.strip()
    counts, blas = {}, None
    for workload in WORKLOADS:
        counts[workload], blas = count(binary, workload)
        print(f"{workload}: {counts[workload]:,} instructions", file=sys.stderr)
    key = f"{feature_level()} | {valgrind} | {blas}"
    baselines = {}
    if os.path.exists(BASELINE):
        with open(BASELINE) as file:
            baselines = json.load(file)
    recorded = baselines.get(key)
    if update or recorded is None:
        baselines[key] = counts
        with open(BASELINE + ".tmp", "w") as file:
            json.dump(baselines, file, indent=2, sort_keys=True)
            file.write("\n")
        os.replace(BASELINE + ".tmp", BASELINE)
        why = "updated" if update else "no baseline for this machine yet; recorded"
        print(f"instruction check: {why} [{key}] in Benchmarks/instruction-baseline.json", file=sys.stderr)
        return
    failures = []
    for workload, value in counts.items():
        base = recorded.get(workload)
        if base is None:
            continue
        change = value / base - 1
        print(f"  {workload}: {value:,} vs baseline {base:,} ({change:+.2%})", file=sys.stderr)
        if change > TOLERANCE:
            failures.append(f"{workload} rose {change:.1%} (limit {TOLERANCE:.0%})")
    if failures:
        sys.exit(f"instruction check failed [{key}]: " + "; ".join(failures)
                 + ". If the rise is intended, record it with `make bench-baseline` and commit the file.")
    print(f"instruction check passed [{key}]", file=sys.stderr)


if __name__ == "__main__":
    main()
