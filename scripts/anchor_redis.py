#!/usr/bin/python3
"""The measuring half of scripts/anchor-redis.sh (see there). Run from the top of the tree."""

import argparse
import csv
import io
import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time

ROBOTBENCH = "build/robotbench"
HZ = os.sysconf("SC_CLK_TCK")

# (label, connections, pipeline, redis-benchmark requests per second of --seconds, what counts)
CASES = [
    ("50 connections", 50, 1, 60_000, "throughput"),
    ("50 connections, pipeline 16", 50, 16, 600_000, "throughput"),
    ("1 connection", 1, 1, 40_000, "p50"),
]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / HZ


def children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run_redis(port, pid, conns, pipeline, requests):
    server_before, client_before = cpu_seconds(pid), children_cpu()
    out = subprocess.run(["redis-benchmark", "-p", str(port), "-t", "ping_inline", "-c",
                          str(conns), "-P", str(pipeline), "-n", str(requests), "--csv"],
                         capture_output=True, text=True, check=True).stdout
    server_cpu, client_cpu = cpu_seconds(pid) - server_before, children_cpu() - client_before
    row = list(csv.DictReader(io.StringIO(out)))[-1]
    return {"rps": float(row["rps"]), "p50_us": float(row["p50_latency_ms"]) * 1000,
            "server_us": server_cpu * 1e6 / requests, "client_us": client_cpu * 1e6 / requests}


def run_robotbench(conns, pipeline, seconds, tmp):
    path = os.path.join(tmp, "anchor.csv")
    if os.path.exists(path):
        os.remove(path)
    subprocess.run([ROBOTBENCH, "--backend=libuv", "-c", str(conns), "-P", str(pipeline),
                    "-d", f"{seconds}s", "--warmup", "500ms", "--no-presence", "--csv", path],
                   stdout=subprocess.DEVNULL, check=True)
    with open(path, newline="") as f:
        row = list(csv.DictReader(f))[-1]
    return {"rps": float(row["throughput_rps"]), "p50_us": float(row["latency_p50_us"]),
            "server_us": float(row["server_cpu_us_per_request"]),
            "client_us": float(row["generator_cpu_us_per_request"])}


def median(runs, key):
    return statistics.median(r[key] for r in runs)


def main():
    parser = argparse.ArgumentParser(prog="anchor-redis.sh", description=__doc__)
    parser.add_argument("--rounds", type=int, default=3, help="runs of each side (default 3)")
    parser.add_argument("--seconds", type=int, default=3, help="length of each run (default 3)")
    args = parser.parse_args()
    if args.rounds < 1 or args.seconds < 1:
        parser.error("--rounds and --seconds must be at least 1")
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        redis = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1",
                                  "--save", "", "--appendonly", "no", "--logfile",
                                  os.path.join(tmp, "redis.log")])
        try:
            for _ in range(50):
                if subprocess.run(["redis-cli", "-p", str(port), "ping"],
                                  capture_output=True).returncode == 0:
                    break
                time.sleep(0.1)
            print(f"{'case':<30} {'side':<22} {'req/s':>10} {'p50 µs':>8} {'server µs/req':>14}"
                  f" {'client µs/req':>14}")
            failed = False
            for label, conns, pipeline, per_second, judged in CASES:
                ours, theirs = [], []
                for _ in range(args.rounds):
                    ours.append(run_robotbench(conns, pipeline, args.seconds, tmp))
                    theirs.append(run_redis(port, redis.pid, conns, pipeline,
                                            per_second * args.seconds))
                for side, runs in (("robotbench + libuv", ours), ("redis-benchmark + redis", theirs)):
                    print(f"{label:<30} {side:<22} {median(runs, 'rps'):>10,.0f} "
                          f"{median(runs, 'p50_us'):>8.1f} {median(runs, 'server_us'):>14.2f} "
                          f"{median(runs, 'client_us'):>14.2f}")
                rps_ratio = median(ours, "rps") / median(theirs, "rps")
                p50_ratio = median(ours, "p50_us") / median(theirs, "p50_us")
                cpu_ratio = median(ours, "client_us") / median(ours, "server_us")
                ok = rps_ratio > 1 if judged == "throughput" else p50_ratio <= 1
                failed |= not ok
                print(f"{'':<30} throughput ratio {rps_ratio:.2f}, p50 ratio {p50_ratio:.2f}, "
                      f"robotbench generator/server CPU per request {cpu_ratio:.2f}  "
                      f"[{judged}: {'ok' if ok else 'BEHIND'}]")
        finally:
            redis.terminate()
            redis.wait(timeout=10)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
