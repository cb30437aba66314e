"""Shared timing for the peer scripts: the same measures as Benchmarks/Benchmark.swift's
medianSeconds and cpuSeconds."""
import statistics
import time


def median_seconds(body, repetitions=9):
    """The median wall time of `body()` in seconds over `repetitions` runs, after one warm-up run."""
    body()
    times = []
    for _ in range(repetitions):
        start = time.perf_counter()
        body()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def cpu_seconds(body, repetitions=7):
    """Least process CPU time of `body()` in seconds after one warm-up run."""
    body()
    times = []
    for _ in range(repetitions):
        start = time.process_time()
        body()
        times.append(time.process_time() - start)
    return min(times)
