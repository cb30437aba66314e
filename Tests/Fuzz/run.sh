#!/usr/bin/env bash
# Fuzzes every reader with libFuzzer (Swift's -sanitize=fuzzer plus AddressSanitizer) for
# FUZZ_SECONDS each (default 300), adds one line per target to the ledger Tests/Fuzz/ledger.tsv and
# writes the results table (this run's and all runs' executions) to docs/RELIABILITY.md between
# its FUZZ-TABLE markers. FUZZ_TARGETS (space-separated) picks targets; FUZZ_NO_TABLE=1 (make
# test's short pass) leaves the ledger and the table alone.
# FUZZ_CONFIG=debug builds without optimisation: `make test`'s short pass needs coverage, not speed,
# and the -Onone build is the cheaper one (docs/RELIABILITY.md has both build times).
#
# The build needs lld (gold cannot link libFuzzer's main beside SwiftPM's entry-point alias), so
# Tests/Fuzz/toolset.json passes -use-ld=lld. A crash stops that target: libFuzzer writes the input
# to Tests/Fuzz/regressions/<target>/ and this script fails at the end.
#
# What libFuzzer adds to the seeds lives in .fuzz-corpus/<target> (git-ignored, outside the build
# folder so that `make clean` keeps it): each run, short or long, starts where the last stopped.
set -uo pipefail
seconds=${FUZZ_SECONDS:-300}
config=${FUZZ_CONFIG:-release}
scratch=.build-fuzz
corpora=.fuzz-corpus
ledger=Tests/Fuzz/ledger.tsv
swift build -c "$config" --scratch-path "$scratch" --toolset Tests/Fuzz/toolset.json \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -DXAD_LIBFUZZER --product XADFuzz 2>&1 \
    | grep -v "Cannot export local symbol" >&2 || true
fuzzer="$scratch/$config/XADFuzz"
[ -x "$fuzzer" ] || { echo "fuzz: the XADFuzz build failed" >&2; exit 1; }
targets=${FUZZ_TARGETS:-$(ls Tests/Fuzz/corpus)}
runs_file=$(mktemp)
trap 'rm -f "$runs_file"' EXIT
failed=0
for target in $targets; do
    work="$corpora/$target"                 # what libFuzzer adds; the committed seeds stay as they are
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
    if [ "$status" -ne 0 ]; then
        failed=1
        echo "fuzz: the $target reader failed (exit $status); the input is in $crashes/, the report in $log:" >&2
        grep -E "ERROR: |SUMMARY|Fatal error|Test unit written" "$log" | head -8 >&2
    fi
    result=$([ "$status" -eq 0 ] && echo none || echo "exit $status")
    printf '%s\t%s\t%s\t%s\t%s\n' "$target" "${runs:-0}" "${rate:-0}" "${coverage:-?}" "$result" >> "$runs_file"
done
# The ledger and the table: one python step, so that both are written whole (temporary file, rename).
python3 Tests/Fuzz/ledger.py --runs "$runs_file" --seconds "$seconds" --config "$config" \
    $([ "${FUZZ_NO_TABLE:-0}" = 1 ] && echo --print-only)
exit $failed
