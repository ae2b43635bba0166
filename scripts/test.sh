#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test: the release build and a 72 s soak of
# every backend, then the same suite under AddressSanitizer and UndefinedBehaviorSanitizer, then
# each libFuzzer target for 30 s, then the threaded backends', load generator's and harness's
# integration tests under ThreadSanitizer.
set -euo pipefail
cd "$(dirname "$0")/.."

# As many tests at once as there are cores, at most two: most wait on sleeps, timeouts and
# fixed-length runs; the few that bound a latency or a wall-clock time tightly are RUN_SERIAL
# (tests/CMakeLists.txt). Two is what the suites were run at; more at once has not been tried.
jobs=$(nproc)
[ "$jobs" -le 2 ] || jobs=2

scripts/setup.sh
(cd build && ctest --output-on-failure --timeout 600 -j "$jobs")
scripts/soak.sh 72s

# The same suite but two tests that add nothing under the sanitizers and cost a minute and a half:
# the plot script's own tests (Python only) and the SLO search's one-minute run against a fake
# server (its search logic is unit-tested here, and every backend's search still runs).
scripts/setup.sh --sanitize
(cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --output-on-failure --timeout 900 \
    -j "$jobs" -E '^scripts[.]test_plot$|^slo_test[.]finds_the_capacity')

# Each fuzz target for 30 s from the committed seeds, one per core at a time: about 1 min of
# fuzzing after the clang build.
scripts/fuzz.sh 30

# ThreadSanitizer, on the backends whose threads share clients (thread, thread-per-client,
# reactors) and on the load generator and harness, which run threads of their own. The other
# backends serve on one thread (or one process each); see docs/testing.md.
scripts/setup.sh --tsan
tsan_tests='/(thread|thread_per_client|reactors)( |$)|^(thread_pool|thread_per_client|reactors|loadgen|run_test)\.'
tsan=()
if ! build-tsan/robotbench list >/dev/null 2>&1; then
    # Kernels with more address randomisation (vm.mmap_rnd_bits above 28) leave no room for the
    # shadow memory of gcc 12's TSan runtime; without randomisation there is.
    tsan=(setarch "$(uname -m)" -R)
    "${tsan[@]}" build-tsan/robotbench list >/dev/null 2>&1 || {
        echo "test.sh: ThreadSanitizer builds cannot start here, even with setarch -R" \
             "(try: sysctl vm.mmap_rnd_bits=28)" >&2
        exit 1
    }
fi
(cd build-tsan && TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
    "${tsan[@]}" ctest --output-on-failure --timeout 900 -j "$jobs" --no-tests=error -R "$tsan_tests")
