#!/bin/sh
# `cmake --install BUILD --prefix P` into a scratch prefix: P/bin/robotbench runs a benchmark from
# any folder, and a sweep draws its charts with the plot.py installed beside it (a stand-in that
# says where it ran from), not the one in the source tree.
# Usage: test_install.sh BUILD_DIR [CMAKE]
set -eu
build=$1
cmake=${2:-cmake}
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
"$cmake" --install "$build" --prefix "$prefix" >/dev/null
for f in bin/robotbench bin/robotbench-plot share/robotbench/plot.py; do
    test -x "$prefix/$f" || { echo "not installed: $f"; exit 1; }
done
cmp -s "$prefix/share/robotbench/plot.py" "$prefix/bin/robotbench-plot"
"$prefix/bin/robotbench-plot" --help >/dev/null

cd "$prefix"
bin/robotbench --backend=thread -d 1s --warmup 200ms --json run.json --csv run.csv >run.log 2>&1 ||
    { cat run.log; echo "installed robotbench failed"; exit 1; }
grep -q '"backend": "thread"' run.json || { echo "no run in run.json"; exit 1; }
test "$(wc -l <run.csv)" -eq 2 || { echo "run.csv is not a header and one row"; exit 1; }

cat >share/robotbench/plot.py <<'PY'
import sys
print("installed plot.py ran with", " ".join(sys.argv[1:2]))
PY
bin/robotbench sweep -b thread -c 1 --sizes 64 -d 200ms --warmup 0s --report sweep \
    --csv sweep.csv >sweep.log 2>&1 || true
grep -q "installed plot.py ran with" sweep.log ||
    { cat sweep.log; echo "the sweep did not run the installed plot.py"; exit 1; }
echo "install: ok"
