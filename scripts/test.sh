#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test: the release build, then the same suite
# under AddressSanitizer and UndefinedBehaviorSanitizer, then each libFuzzer target for 30 s.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
(cd build && ctest --output-on-failure --timeout 600)

scripts/setup.sh --sanitize
(cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --output-on-failure --timeout 900)

# Each fuzz target for 30 s from the committed seeds: about 2.5 min with the clang build.
scripts/fuzz.sh 30
