#!/usr/bin/env bash
# A short, fixed performance run for CI: every backend at a few cells, each run three times.
# Writes results/ci/<revision>.json (Google Benchmark's JSON format, so its compare.py reads it
# too) and the sweep's CSV beside it; with a baseline, `robotbench compare` matches the two cell
# by cell and exits 1 when a significant regression past the threshold (default 10%) is found.
#
#   scripts/ci-perf.sh [--report-only] [--threshold 10%] [BASELINE.json]
set -euo pipefail
cd "$(dirname "$0")/.."

report_only=0
threshold=10%
baseline=""
while (($#)); do
    case "$1" in
        --report-only) report_only=1 ;;
        --threshold) threshold="${2:?--threshold needs a value}"; shift ;;
        -h|--help) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        -*) echo "ci-perf.sh: unknown option '$1' (valid: --report-only, --threshold PCT)" >&2; exit 2 ;;
        *) baseline="$1" ;;
    esac
    shift
done
if [ -n "$baseline" ] && [ ! -r "$baseline" ]; then
    echo "ci-perf.sh: cannot read the baseline '$baseline'" >&2
    exit 2
fi
[ -x build/robotbench ] || { echo "ci-perf.sh: build/robotbench is missing: run scripts/setup.sh" >&2; exit 2; }

revision=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
mkdir -p results/ci
csv="results/ci/$revision.csv"
json="results/ci/$revision.json"
rm -f "$csv"

# The cells: a light and a heavy closed loop, and a pipelined one, on every backend.
sweep_status=0
build/robotbench sweep --backends=all --connections=8,64 --pipeline=1,16 --repeat=3 \
    --duration=1s --warmup=300ms --no-presence --csv "$csv" || sweep_status=$?
if [ "$sweep_status" -eq 2 ]; then exit 2; fi

/usr/bin/python3 scripts/ci_perf.py to-json "$csv" "$json"
echo "ci-perf: wrote $json"
compare_status=0
if [ -n "$baseline" ]; then
    build/robotbench compare "$baseline" "$csv" --threshold "$threshold" || compare_status=$?
fi
if [ "$report_only" -eq 1 ]; then
    [ "$compare_status" -eq 0 ] || echo "ci-perf: report only: the comparison exited $compare_status" >&2
    exit 0
fi
if [ "$compare_status" -ne 0 ]; then exit "$compare_status"; fi
if [ "$sweep_status" -ne 0 ]; then
    echo "ci-perf: some runs had errors (see the summary above)" >&2
    exit 1
fi
