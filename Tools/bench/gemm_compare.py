#!/usr/bin/env python3
"""sgemm side by side: `xad-benchmarks gemm` once per GEMM, in one session, as a Markdown table.

    python3 Tools/bench/gemm_compare.py BINARY [ROUNDS]

BINARY is the release `xad-benchmarks`. Each configuration runs in its own process (OpenBLAS
reads OPENBLAS_CORETYPE, XADKit reads XAD_GEMM and XAD_CPU_LEVEL once at start-up); the
configurations alternate for ROUNDS rounds (default 2) and each figure is the best of its
rounds, GFLOP/s per process CPU second (see Benchmarks/GEMMBenchmarks.swift). The last column
is XADKit at the detected level over OpenBLAS's AVX2 (Haswell) kernels: the kernels Debian's
OpenBLAS 0.3.21 runs on AVX-512 CPUs it does not know (AMD Zen 5), emulated here for the
comparison only. Only the standard library is used.
"""
import json
import os
import subprocess
import sys

CONFIGURATIONS = [
    ("OpenBLAS Haswell", {"XAD_GEMM": "blas", "OPENBLAS_CORETYPE": "Haswell"}),
    ("OpenBLAS own choice", {"XAD_GEMM": "blas"}),
    ("XADKit detected level", {"XAD_GEMM": "blocked"}),
    ("XADKit avx2", {"XAD_GEMM": "blocked", "XAD_CPU_LEVEL": "avx2"}),
]


def run(binary, environment):
    """The gemm section of one `xad-benchmarks gemm` run."""
    output = subprocess.run([binary, "gemm"], env=dict(os.environ, **environment), capture_output=True,
                            text=True, check=True).stdout
    return json.loads(output)["gemm"]


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    binary, rounds = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 2
    best = {name: {} for name, _ in CONFIGURATIONS}
    for _ in range(rounds):
        for name, environment in CONFIGURATIONS:
            for key, value in run(binary, environment).items():
                if key == "gemm":
                    best[name][key] = value
                else:
                    best[name][key] = max(value, best[name].get(key, 0))
    for name, _ in CONFIGURATIONS:
        print(f"- {name}: `{best[name]['gemm']}`")
    print()
    names = [name for name, _ in CONFIGURATIONS]
    print("| sgemm m x n x k | threads | " + " | ".join(names) + " | XADKit / OpenBLAS Haswell |")
    print("|---" * (len(names) + 3) + "|")
    keys = [key for key in best[names[0]] if key != "gemm"]
    for key in keys:
        shape, threads = key[len("sgemm_"):].rsplit("_", 3)[0], key.rsplit("_", 3)[1][0]
        values = [best[name][key] for name in names]
        ratio = values[2] / values[0]
        print(f"| {shape.replace('_nt', ' (Bᵀ)')} | {threads} | " + " | ".join(f"{v:.1f}" for v in values)
              + f" | {ratio:.2f}x |")


if __name__ == "__main__":
    main()
