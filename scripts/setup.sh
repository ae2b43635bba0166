#!/usr/bin/env bash
# Installs what robotbench needs from Debian's packages (only what is missing) and builds it.
#   scripts/setup.sh                 release build in build/
#   scripts/setup.sh --sanitize      AddressSanitizer + UndefinedBehaviorSanitizer build in build-asan/
#   scripts/setup.sh --tsan          ThreadSanitizer build in build-tsan/ (what scripts/test.sh runs)
#   scripts/setup.sh --fuzz          clang, and the libFuzzer targets (ASan + UBSan) in build-fuzz/
set -euo pipefail
cd "$(dirname "$0")/.."

build_dir=build
cmake_args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo)
build_targets=()
# The tests run HdrHistogram's own Java tool on the interval logs robotbench writes, and put MPI
# ranks in network namespaces (ip, of iproute2).
test_packages=(libhdrhistogram-java default-jre-headless iproute2)
extra_packages=()
case "${1:-}" in
    "") ;;
    --sanitize) build_dir=build-asan
                cmake_args=(-DCMAKE_BUILD_TYPE=Debug -DROBOTBENCH_SANITIZE=address,undefined
                            -DROBOTBENCH_BENCH=OFF) ;;
    --tsan) build_dir=build-tsan
            cmake_args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DROBOTBENCH_SANITIZE=thread
                        -DROBOTBENCH_BENCH=OFF)
            # Only what the ThreadSanitizer tests run (scripts/test.sh): the integration tests and
            # the programs they start, not the unit tests or the fuzz targets' replays.
            build_targets=(--target robotbench robotbench_integration_tests robotbench-fake-server
                           robotbench-fail-accept) ;;
    --fuzz) build_dir=build-fuzz
            cmake_args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++
                        -DROBOTBENCH_FUZZ=ON -DROBOTBENCH_SANITIZE=address,undefined
                        -DROBOTBENCH_TESTS=OFF -DROBOTBENCH_BENCH=OFF)
            build_targets=(--target robotbench-fuzzers)
            test_packages=()
            extra_packages=(clang libclang-rt-14-dev) ;;
    *) echo "setup.sh: unknown option '$1' (valid: --sanitize, --tsan, --fuzz)" >&2; exit 2 ;;
esac

packages=(g++ cmake make pkg-config git util-linux libuv1-dev liburing-dev libcli11-dev libfmt-dev
          zlib1g-dev nlohmann-json3-dev
          libgtest-dev libbenchmark-dev libbenchmark-tools python3 python3-matplotlib python3-scipy
          libopenmpi-dev openmpi-bin
          "${test_packages[@]}" "${extra_packages[@]}")
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
    echo "setup.sh: installing ${missing[*]}"
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo=sudo
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get install -y --no-install-recommends "${missing[@]}" ||
        { $sudo apt-get update && $sudo apt-get install -y --no-install-recommends "${missing[@]}"; }
fi

cmake -S . -B "$build_dir" "${cmake_args[@]}" >/dev/null
cmake --build "$build_dir" -j "$(nproc)" "${build_targets[@]}"
