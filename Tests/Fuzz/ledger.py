#!/usr/bin/env python3
"""The fuzzing ledger: every `make fuzz` run adds one line per target to Tests/Fuzz/ledger.tsv
(committed), and the results table in docs/RELIABILITY.md shows this run's executions beside the
sum over every run in the ledger, as OSS-Fuzz counts a reader's executions across runs.

Called by Tests/Fuzz/run.sh with this run's results, one line per target:
target, executions, executions per second, coverage (edges), result ("none" or "exit N").
--print-only (make test's short pass) prints the table and writes nothing.
"""
import argparse
import os
import re
import subprocess
import time

LEDGER = "Tests/Fuzz/ledger.tsv"
PAGE = "docs/RELIABILITY.md"
REGRESSIONS = "Tests/Fuzz/regressions"
COLUMNS = ["finished_utc", "commit", "config", "seconds", "target", "executions", "exec_per_s",
           "coverage", "result", "load_average"]
GOAL = 1_000_000


def write_whole(path, text):
    """Writes `text` to `path` through a temporary file and a rename: never half a file."""
    with open(path + ".tmp", "w") as handle:
        handle.write(text)
    os.replace(path + ".tmp", path)


def read_ledger():
    if not os.path.exists(LEDGER):
        return []
    with open(LEDGER) as handle:
        lines = [line.rstrip("\n").split("\t") for line in handle if line.strip()]
    return [dict(zip(COLUMNS, fields)) for fields in lines[1:]]


def regression_count(target):
    folder = os.path.join(REGRESSIONS, target)
    names = os.listdir(folder) if os.path.isdir(folder) else []
    return sum(1 for name in names if re.match(r"(crash|leak|timeout|oom|slow-unit)-", name))


def machine():
    model = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
    found = re.search(r"^Model name:\s*(.+)$", model, re.M)
    return found.group(1).strip() if found else "unknown CPU"


def main():
    arguments = argparse.ArgumentParser(description=__doc__)
    arguments.add_argument("--runs", required=True, help="this run's results (tab-separated)")
    arguments.add_argument("--seconds", required=True)
    arguments.add_argument("--config", required=True)
    arguments.add_argument("--print-only", action="store_true")
    options = arguments.parse_args()

    with open(options.runs) as handle:
        runs = [line.rstrip("\n").split("\t") for line in handle if line.strip()]
    finished = time.strftime("%Y-%m-%dT%H:%MZ", time.gmtime())
    with open("/proc/loadavg") as handle:
        load = " ".join(handle.read().split()[:3])
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    new_rows = [dict(zip(COLUMNS, [finished, commit or "?", options.config, options.seconds, target, executions,
                                   rate, coverage, result, load]))
                for target, executions, rate, coverage, result in runs]

    ledger = read_ledger()
    totals = {}
    for row in ledger + new_rows:
        totals[row["target"]] = totals.get(row["target"], 0) + int(row["executions"] or 0)
    # The short pass shows itself; a recorded run shows every target's latest run, so that running
    # a few targets keeps the others' rows.
    latest = {row["target"]: row for row in ledger + new_rows}
    shown = new_rows if options.print_only else [latest[name] for name in sorted(latest)]

    lines = ["| target | last run | executions, last run | executions, all runs | per second | to 1,000,000 "
             "| coverage (edges) | crashes in the last run | inputs in regressions/ |",
             "|---|---|---|---|---|---|---|---|---|"]
    for row in shown:
        total, rate = totals[row["target"]], int(row["exec_per_s"] or 0)
        # What is left of the goal, at the last run's speed on this machine.
        seconds_left = -(-(GOAL - total) // rate) if rate else 0
        left = "reached" if total >= GOAL else (f"{-(-seconds_left // 60)} min more" if rate else "?")
        lines.append(f"| {row['target']} | {row['finished_utc']}, {row['seconds']} s | {int(row['executions'] or 0):,} "
                     f"| {total:,} | {rate:,} | {left} | {row['coverage']} | {row['result']} "
                     f"| {regression_count(row['target'])} |")
    table = "\n".join(lines) + "\n"
    print(table, end="")
    if options.print_only:
        return

    old = open(LEDGER).read() if os.path.exists(LEDGER) else ""
    header = "" if old else "\t".join(COLUMNS) + "\n"
    write_whole(LEDGER, old + header + "".join("\t".join(row[c] for c in COLUMNS) + "\n" for row in new_rows))

    text = open(PAGE).read()
    stamp = (f"Last written {finished} by a {options.config} run of FUZZ_SECONDS={options.seconds} on {machine()}, "
             f"load average {load}. Each row is the target's latest run; \"all runs\" sums `Tests/Fuzz/ledger.tsv` "
             "(every run's commit, build and load average).")
    block = "<!-- FUZZ-TABLE-BEGIN -->\n" + stamp + "\n\n" + table + "<!-- FUZZ-TABLE-END -->"
    if "<!-- FUZZ-TABLE-BEGIN -->" in text:
        write_whole(PAGE, re.sub(r"<!-- FUZZ-TABLE-BEGIN -->.*?<!-- FUZZ-TABLE-END -->", lambda _: block, text, flags=re.S))


if __name__ == "__main__":
    main()
