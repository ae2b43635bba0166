#!/usr/bin/python3
"""CI performance runs: turn a sweep's CSV into Google Benchmark JSON.

  ci_perf.py to-json SWEEP.csv OUT.json     one benchmark entry per run of a cell, plus its median

The JSON is Google Benchmark's format, so its own tools/compare.py (Debian's libbenchmark-tools)
reads it too: real_time is the wall time per request at the measured throughput (1e9 / throughput,
in ns) and cpu_time is the server's CPU time per request (ns). Each entry also carries the cell's
throughput_rps and latency_p99_us as user counters.

The comparison of two runs is `robotbench compare BASELINE.json NEW.csv`, which reads this JSON
(cells named BACKEND/c:N/size:S/P:P[/R:R], one iteration entry per run) as well as robotbench's
own CSV and JSON.
"""

import argparse
import csv
import json
import math
import platform
import statistics
import sys
from collections import defaultdict


def fail(message):
    print(f"ci_perf.py: {message}", file=sys.stderr)
    sys.exit(2)


def number(text):
    try:
        value = float(text)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def cell_name(row):
    rate = number(row.get("rate_rps")) or 0
    name = (f"{row['backend'] or 'target'}/c:{row['connections']}/size:{row['size_bytes']}"
            f"/P:{row['pipeline']}")
    return name + (f"/R:{rate:g}" if rate else "")


def entry(name, run_type, throughput, p99, server_cpu_us, requests, **extra):
    e = {
        "name": name,
        "run_name": name,
        "run_type": run_type,
        "iterations": int(requests or 0),
        "real_time": 1e9 / throughput,
        "cpu_time": server_cpu_us * 1e3 if server_cpu_us is not None else 0.0,
        "time_unit": "ns",
        "throughput_rps": throughput,
        "latency_p99_us": p99,
    }
    e.update(extra)
    return e


def to_json(csv_path, out_path):
    try:
        with open(csv_path, newline="") as f:
            rows = list(csv.DictReader(f))
    except OSError as e:
        fail(f"cannot read {csv_path}: {e.strerror}")
    cells = defaultdict(list)
    for row in rows:
        if number(row.get("throughput_rps")) and number(row.get("latency_p99_us")) is not None:
            cells[cell_name(row)].append(row)
    if not cells:
        fail(f"{csv_path} has no measured runs")
    benchmarks = []
    for name, runs in cells.items():
        for i, r in enumerate(runs):
            benchmarks.append(entry(name, "iteration", number(r["throughput_rps"]),
                                    number(r["latency_p99_us"]),
                                    number(r.get("server_cpu_us_per_request")),
                                    number(r.get("requests")),
                                    repetitions=len(runs), repetition_index=i, threads=1))
        med = lambda key: statistics.median(
            [v for v in (number(r.get(key)) for r in runs) if v is not None] or [0.0])
        benchmarks.append(entry(name + "_median", "aggregate", med("throughput_rps"),
                                med("latency_p99_us"), med("server_cpu_us_per_request"),
                                med("requests"), aggregate_name="median",
                                repetitions=len(runs), threads=1))
    first = rows[0]
    context = {
        "date": first.get("timestamp", ""),
        "host_name": platform.node(),
        "executable": "robotbench sweep",
        "num_cpus": int(number(first.get("cores")) or 0) or None,
        "library_build_type": "release",
        "robotbench_revision": first.get("git_revision", ""),
        "machine": first.get("machine", ""),
    }
    with open(out_path, "w") as f:
        json.dump({"context": {k: v for k, v in context.items() if v is not None},
                   "benchmarks": benchmarks}, f, indent=2)
        f.write("\n")


def main(argv):
    parser = argparse.ArgumentParser(prog="ci_perf.py", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    j = sub.add_parser("to-json", help="sweep CSV -> Google Benchmark JSON")
    j.add_argument("csv")
    j.add_argument("out")
    args = parser.parse_args(argv)
    to_json(args.csv, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
