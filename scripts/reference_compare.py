#!/usr/bin/python3
"""Measures robotbench's backends against robotbench-reference-epoll (bench/reference_epoll.c), a
lean C epoll server written as a yardstick, side by side under the same generator: at 50
connections and at 50 connections with pipeline 16, alternating the reference and each backend in
every round, and prints the median throughput of --rounds runs and each backend's ratio to the
reference. Run from the top of the tree after scripts/setup.sh.

  scripts/reference_compare.py [--backends epoll,reactors,io_uring] [--rounds N] [--seconds S]
"""

import argparse
import csv
import os
import statistics
import subprocess
import sys
import tempfile

ROBOTBENCH = "build/robotbench"
REFERENCE = "build/bench/robotbench-reference-epoll"
CASES = [("50 connections", 50, 1), ("50 connections, pipeline 16", 50, 16)]


def last_row(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))[-1]


def measure(args, tmp, extra):
    """One robotbench run (`run` or `load`); its throughput in requests per second."""
    path = os.path.join(tmp, "compare.csv")
    if os.path.exists(path):
        os.remove(path)
    subprocess.run([ROBOTBENCH, *extra, "-d", f"{args.seconds}s", "--warmup", "500ms",
                    "--no-presence", "--csv", path], stdout=subprocess.DEVNULL, check=True)
    row = last_row(path)
    if row["status"] != "ok":
        sys.exit(f"reference_compare.py: a run was not clean ({row['status']}): {' '.join(extra)}")
    return float(row["throughput_rps"])


def reference_run(args, tmp, conns, pipeline):
    server = subprocess.Popen([REFERENCE, "0"], stdout=subprocess.PIPE, text=True)
    try:
        port = server.stdout.readline().strip().rsplit(":", 1)[1]
        return measure(args, tmp, ["load", "--target", f"127.0.0.1:{port}", "-c", str(conns),
                                   "-P", str(pipeline)])
    finally:
        server.terminate()
        server.wait(timeout=10)


def main():
    parser = argparse.ArgumentParser(prog="reference_compare.py", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backends", default="epoll,reactors,io_uring",
                        help="comma-separated backends to compare (default epoll,reactors,io_uring)")
    parser.add_argument("--rounds", type=int, default=3, help="runs of each side (default 3)")
    parser.add_argument("--seconds", type=int, default=3, help="length of each run (default 3)")
    args = parser.parse_args()
    if args.rounds < 1 or args.seconds < 1:
        parser.error("--rounds and --seconds must be at least 1")
    for exe in (ROBOTBENCH, REFERENCE):
        if not os.access(exe, os.X_OK):
            parser.error(f"{exe} is missing: run scripts/setup.sh first")
    backends = [b for b in args.backends.split(",") if b]
    print(f"{'case':<30} {'server':<12} {'median req/s':>13} {'runs':>28} {'ratio':>6}")
    with tempfile.TemporaryDirectory() as tmp:
        for label, conns, pipeline in CASES:
            runs = {name: [] for name in ["reference", *backends]}
            for _ in range(args.rounds):
                runs["reference"].append(reference_run(args, tmp, conns, pipeline))
                for b in backends:
                    runs[b].append(measure(args, tmp, ["run", "--backend", b, "-c", str(conns),
                                                       "-P", str(pipeline)]))
            ref = statistics.median(runs["reference"])
            for name, values in runs.items():
                med = statistics.median(values)
                shown = " ".join(f"{v / 1000:.1f}k" for v in values)
                print(f"{label:<30} {name:<12} {med:>13,.0f} {shown:>28} {med / ref:>6.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
