#!/usr/bin/env bash
# Fuzzes every reader with libFuzzer (Swift's -sanitize=fuzzer plus AddressSanitizer) for
# FUZZ_SECONDS each (default 300) and writes the results table to docs/RELIABILITY.md between its
# FUZZ-TABLE markers. FUZZ_TARGETS (space-separated) picks targets; FUZZ_NO_TABLE=1 skips the table.
# FUZZ_CONFIG=debug builds without optimisation: `make test`'s short pass needs coverage, not speed,
# and the -Onone build is the cheaper one (docs/RELIABILITY.md has both build times).
#
# The build needs lld (gold cannot link libFuzzer's main beside SwiftPM's entry-point alias), so
# Tests/Fuzz/toolset.json passes -use-ld=lld. A crash stops that target: libFuzzer writes the input
# to Tests/Fuzz/regressions/<target>/ and this script fails at the end.
set -uo pipefail
seconds=${FUZZ_SECONDS:-300}
config=${FUZZ_CONFIG:-release}
scratch=.build-fuzz
swift build -c "$config" --scratch-path "$scratch" --toolset Tests/Fuzz/toolset.json \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -DXAD_LIBFUZZER --product XADFuzz 2>&1 \
    | grep -v "Cannot export local symbol" >&2 || true
fuzzer="$scratch/$config/XADFuzz"
[ -x "$fuzzer" ] || { echo "fuzz: the XADFuzz build failed" >&2; exit 1; }
targets=${FUZZ_TARGETS:-$(ls Tests/Fuzz/corpus)}
rows=""
failed=0
for target in $targets; do
    work="$scratch/corpus/$target"          # what libFuzzer adds; the committed seeds stay as they are
    crashes="Tests/Fuzz/regressions/$target"
    mkdir -p "$work" "$crashes" "$scratch/logs"
    log="$scratch/logs/$target.log"
    echo "fuzz: $target for ${seconds}s" >&2
    # Swift's own backtracer would take the crash signal from libFuzzer, which saves the input.
    # Leak detection is off: Foundation's Data/String(contentsOf:) (swift 6.3.1) leaks its 4 KB
    # read buffer on an empty file, which LeakSanitizer reports as a crash of every file reader.
    ASAN_OPTIONS=detect_leaks=0 SWIFT_BACKTRACE=enable=no XAD_FUZZ_TARGET=$target "$fuzzer" "$work" "Tests/Fuzz/corpus/$target" -max_total_time="$seconds" \
        -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$crashes/" -print_final_stats=1 > "$log" 2>&1
    status=$?
    runs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' | tail -1)
    coverage=$(grep -oE 'cov: [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+')
    rate=$(grep -oE 'stat::average_exec_per_sec: *[0-9]+' "$log" | grep -oE '[0-9]+$' | tail -1)
    # The time this machine would need for the goal of 1,000,000 executions per reader.
    million=$([ "${rate:-0}" -gt 0 ] && echo "$(( (1000000 / rate + 59) / 60 )) min" || echo "?")
    found=$(ls "$crashes" 2>/dev/null | grep -cE '^(crash|leak|timeout|oom|slow-unit)-' || true)
    if [ "$status" -ne 0 ]; then
        failed=1
        echo "fuzz: the $target reader failed (exit $status); the input is in $crashes/, the report in $log:" >&2
        grep -E "ERROR: |SUMMARY|Fatal error|Test unit written" "$log" | head -8 >&2
    fi
    rows+="| $target | ${runs:-?} | ${rate:-?} | $million | ${coverage:-?} | $([ "$status" -eq 0 ] && echo none || echo "exit $status, see $log") | ${found} |"$'\n'
done
table="| target | executions | per second | 1,000,000 would take | coverage (edges) | crashes in this run | inputs in regressions/ |"$'\n'"|---|---|---|---|---|---|---|"$'\n'"$rows"
printf '%s' "$table"
if [ "${FUZZ_NO_TABLE:-0}" != 1 ] && grep -q "FUZZ-TABLE-BEGIN" docs/RELIABILITY.md; then
    stamp="Run $(date -u +%Y-%m-%dT%H:%MZ), FUZZ_SECONDS=$seconds, $(lscpu | sed -n 's/^Model name: *//p'), load average $(cut -d' ' -f1-3 /proc/loadavg)."
    python3 - "$stamp" "$table" <<'PY'
import sys, re
stamp, table = sys.argv[1], sys.argv[2]
path = "docs/RELIABILITY.md"
text = open(path).read()
block = "<!-- FUZZ-TABLE-BEGIN -->\n" + stamp + "\n\n" + table + "<!-- FUZZ-TABLE-END -->"
text = re.sub(r"<!-- FUZZ-TABLE-BEGIN -->.*?<!-- FUZZ-TABLE-END -->", lambda _: block, text, flags=re.S)
open(path + ".tmp", "w").write(text)
import os; os.replace(path + ".tmp", path)
PY
fi
exit $failed
