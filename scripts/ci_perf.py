#!/usr/bin/python3
"""CI performance runs: turn a sweep's CSV into Google Benchmark JSON, and compare two such runs.

  ci_perf.py to-json SWEEP.csv OUT.json     one benchmark entry per run of a cell, plus its median
  ci_perf.py compare BASELINE.json NEW.json [--threshold 0.25] [--report-only]

The JSON is Google Benchmark's format, so its own tools/compare.py (Debian's libbenchmark-tools)
reads it too: real_time is the wall time per request at the measured throughput (1e9 / throughput,
in ns) and cpu_time is the server's CPU time per request (ns). Each entry also carries the cell's
throughput_rps and latency_p99_us as user counters.

compare matches cells by name and compares medians: a cell whose throughput fell, or whose p99 rose,
by more than the threshold (default 25%) is a regression, and the exit status is then 1 (0 with
--report-only). Cells present on one side only are listed, never counted as regressions.
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


def medians(path):
    """{cell name: (median throughput, median p99)} from our Google Benchmark JSON."""
    try:
        with open(path) as f:
            doc = json.load(f)
    except (OSError, ValueError) as e:
        fail(f"cannot read {path}: {e}")
    runs = defaultdict(list)
    for b in doc.get("benchmarks", []):
        if b.get("run_type") == "iteration" and "throughput_rps" in b:
            runs[b.get("run_name", b["name"])].append(b)
    if not runs:
        fail(f"{path} holds no robotbench cells")
    return {name: (statistics.median(b["throughput_rps"] for b in bs),
                   statistics.median(b["latency_p99_us"] for b in bs))
            for name, bs in runs.items()}


def compare(base_path, new_path, threshold):
    """Prints the cell-by-cell table; returns the number of regressions."""
    base, new = medians(base_path), medians(new_path)
    names = sorted(set(base) & set(new))
    width = max([len(n) for n in names] + [4])
    print(f"{'cell':<{width}}  {'throughput':>12} {'base':>12} {'ratio':>6}  "
          f"{'p99 (µs)':>10} {'base':>10} {'ratio':>6}  verdict")
    regressions = 0
    for name in names:
        (bt, bp), (nt, np_) = base[name], new[name]
        t_ratio = nt / bt if bt else float("inf")
        p_ratio = np_ / bp if bp else float("inf")
        worse = []
        if t_ratio < 1 - threshold:
            worse.append("throughput")
        if p_ratio > 1 + threshold:
            worse.append("p99")
        regressions += bool(worse)
        verdict = "REGRESSION (" + ", ".join(worse) + ")" if worse else "ok"
        print(f"{name:<{width}}  {nt:>12,.0f} {bt:>12,.0f} {t_ratio:>6.2f}  "
              f"{np_:>10,.1f} {bp:>10,.1f} {p_ratio:>6.2f}  {verdict}")
    for name in sorted(set(base) - set(new)):
        print(f"{name:<{width}}  only in the baseline")
    for name in sorted(set(new) - set(base)):
        print(f"{name:<{width}}  new: no baseline")
    print(f"{regressions} of {len(names)} cells regressed by more than {threshold:.0%}")
    return regressions


def main(argv):
    parser = argparse.ArgumentParser(prog="ci_perf.py", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    j = sub.add_parser("to-json", help="sweep CSV -> Google Benchmark JSON")
    j.add_argument("csv")
    j.add_argument("out")
    c = sub.add_parser("compare", help="compare two runs cell by cell")
    c.add_argument("baseline")
    c.add_argument("new")
    c.add_argument("--threshold", type=float, default=0.25,
                   help="relative worsening that counts as a regression (default: 0.25)")
    c.add_argument("--report-only", action="store_true",
                   help="print the comparison but exit 0 whatever it finds")
    args = parser.parse_args(argv)
    if args.command == "to-json":
        to_json(args.csv, args.out)
        return 0
    if not 0 < args.threshold < 1:
        fail(f"--threshold must be between 0 and 1, not {args.threshold}")
    regressions = compare(args.baseline, args.new, args.threshold)
    return 1 if regressions and not args.report_only else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
