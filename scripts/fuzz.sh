#!/usr/bin/env bash
# Fuzzes the codec, the load generator's reply validator and the /online answer parser with
# libFuzzer (tests/fuzz/; docs/protocol.md#fuzzing).
#   scripts/fuzz.sh [--merge] [SECONDS] [TARGET...]
# Runs each TARGET (session, validator, online_reply; all by default) for SECONDS (default 300),
# as many at once as there are cores, after installing clang and building build-fuzz/
# (scripts/setup.sh --fuzz). Each starts from the
# committed seeds in tests/fuzz/corpus/TARGET and from what earlier runs found, which is kept in
# build-fuzz/corpus/TARGET, out of the repository; --merge afterwards adds the inputs that reach
# code the seeds do not to tests/fuzz/corpus/TARGET. A failure is saved in
# build-fuzz/crashes/TARGET/ and makes the exit status 1.
set -euo pipefail
cd "$(dirname "$0")/.."

all_targets=(session validator online_reply)
usage() {
    echo "fuzz.sh: $1 (usage: scripts/fuzz.sh [--merge] [SECONDS] [TARGET...];" \
         "targets: ${all_targets[*]})" >&2
    exit 2
}

merge=false
if [ "${1:-}" = --merge ]; then merge=true; shift; fi
seconds=300
if [ $# -gt 0 ] && [[ $1 =~ ^[0-9]+$ ]]; then seconds=$1; shift; fi
[ "$seconds" -gt 0 ] || usage "SECONDS must be above 0"
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${all_targets[@]}")
for t in "${targets[@]}"; do
    [[ " ${all_targets[*]} " == *" $t "* ]] || usage "unknown target '$t'"
done

scripts/setup.sh --fuzz

# Runs one target for SECONDS; its exit status goes to build-fuzz/logs/TARGET.status.
fuzz_one() {
    local t=$1 status=0
    local found=build-fuzz/corpus/$t crashes=build-fuzz/crashes/$t log=build-fuzz/logs/$t.log
    local dict=()
    [ -f "tests/fuzz/$t.dict" ] && dict=(-dict="tests/fuzz/$t.dict")
    # Slow inputs (the session target's long streams) are picked less often, so the quick ones
    # get most of the time.
    build-fuzz/tests/fuzz/fuzz_"$t" -max_total_time="$seconds" -timeout=10 -print_final_stats=1 \
        -entropic_scale_per_exec_time=1 -artifact_prefix="$crashes/" "${dict[@]}" \
        "$found" "tests/fuzz/corpus/$t" >"$log" 2>&1 || status=$?
    echo "$status" >"build-fuzz/logs/$t.status"
}

# One target per core at a time (each libFuzzer process runs on one thread): on 2 cores the three
# targets take 2 x SECONDS rather than 3 x SECONDS, each still fuzzed for SECONDS.
cores=$(nproc)
for t in "${targets[@]}"; do
    mkdir -p "build-fuzz/corpus/$t" "build-fuzz/crashes/$t" build-fuzz/logs
    rm -f "build-fuzz/logs/$t.status"
    while [ "$(jobs -rp | wc -l)" -ge "$cores" ]; do wait -n || true; done
    echo "fuzz.sh: $t for ${seconds} s (log: build-fuzz/logs/$t.log)"
    fuzz_one "$t" &
done
wait

failed=()
for t in "${targets[@]}"; do
    seeds=tests/fuzz/corpus/$t
    found=build-fuzz/corpus/$t
    log=build-fuzz/logs/$t.log
    status=$(cat "build-fuzz/logs/$t.status" 2>/dev/null || echo "?")
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    if [ "$status" = 0 ]; then
        echo "fuzz.sh: $t: ${execs:-?} inputs in ${seconds} s, no failure;" \
             "$(find "$found" -type f | wc -l) inputs kept in $found"
    else
        failed+=("$t")
        echo "fuzz.sh: $t FAILED after ${execs:-?} inputs (exit status $status):"
        grep -E "fuzz check failed|ERROR: |SUMMARY: |Test unit written to" "$log" | head -5 |
            sed 's/^/    /'
    fi
    if $merge; then
        build-fuzz/tests/fuzz/fuzz_"$t" -merge=1 "$seeds" "$found" >>"$log" 2>&1
        echo "fuzz.sh: $t: $(find "$seeds" -type f | wc -l) inputs in $seeds after --merge"
    fi
done

if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzz.sh: failures in ${failed[*]}; reproduce with build-fuzz/tests/fuzz/fuzz_TARGET FILE"
    exit 1
fi
