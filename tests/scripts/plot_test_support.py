"""What the tests of scripts/plot.py share: the plotting package on the path with matplotlib's
Agg backend, small sweep CSVs, .hgrm files and JSON timelines written to a scratch folder, plot.py
run as a user runs it, and the test case that gives each test that folder."""

import csv
import json
import math
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPTS = os.path.join(HERE, "..", "..", "scripts")
PLOT = os.path.join(SCRIPTS, "plot.py")
sys.path.insert(0, SCRIPTS)

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402,F401


class scratch_case(unittest.TestCase):
    """A test with a fresh folder, self.tmp, removed after it."""

    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.tmp = self.dir.name

    def tearDown(self):
        self.dir.cleanup()


COLUMNS = ["timestamp", "git_revision", "backend", "connections", "size_bytes", "pipeline",
           "rate_rps", "status", "throughput_rps", "latency_p50_us", "latency_p99_us",
           "server_cpu_us_per_request", "server_peak_memory_kib", "machine", "duration_s"]


def write_csv(path, columns, rows):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(columns)
        w.writerows(rows)


def sweep_rows():
    rows = []
    for backend, scale in (("select", 1.0), ("thread", 1.5)):
        for conns in (1, 10, 100):
            for repeat in range(3):
                tput = 10000 * scale * (1 + conns / 100) * (1 + repeat / 50)
                rows.append(["2026-01-01T00:00:00Z", "abc123", backend, conns, 64, 1, 0, "ok",
                             tput, 30 + conns, 80 + 2 * conns, 5.5, 4000 + 50 * conns,
                             "Test CPU (2 cores)", 1])
    rows.append(["2026-01-01T00:00:00Z", "abc123", "select", 2000, 64, 1, 0, "skipped",
                 "n/a", "n/a", "n/a", "n/a", "n/a", "Test CPU (2 cores)", 1])
    return rows


def write_hgrm(path, scale):
    lines = ["       Value     Percentile TotalCount 1/(1-Percentile)", ""]
    total = 1000
    for i, p in enumerate((0.0, 0.5, 0.9, 0.99, 0.999, 1.0)):
        inv = "inf" if p == 1.0 else f"{1 / (1 - p):.2f}"
        lines.append(f"{(20 + 10 * i) * scale:12.3f} {p:14.12f} {int(total * p):10d} {inv:>14}")
    lines += ["#[Mean    =       25.000, StdDeviation   =        5.000]",
              "#[Max     =       80.000, Total count    =         1000]",
              "#[Buckets =           26, SubBuckets     =         2048]"]
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def run_plot(*args):
    return subprocess.run(["/usr/bin/python3", PLOT, *args], capture_output=True, text=True,
                          timeout=120)


def plot_report(tmp, columns, rows):
    """plot.py --report on these rows (tmp/sweep.csv) and timeline_document() (tmp/sweep.json),
    into tmp/charts; returns the finished process and that folder."""
    data = os.path.join(tmp, "sweep.csv")
    write_csv(data, columns, rows)
    doc = os.path.join(tmp, "sweep.json")
    with open(doc, "w") as f:
        json.dump(timeline_document(), f)
    out = os.path.join(tmp, "charts")
    return run_plot(data, "--json", doc, "--out", out, "--report"), out


def read_sweep(tmp, rows=None, columns=COLUMNS):
    """The rows as plot.py reads them, from a CSV written to tmp."""
    from plotting.data import read_rows
    path = os.path.join(tmp, "rows.csv")
    write_csv(path, columns, sweep_rows() if rows is None else rows)
    return read_rows([path])


def drawn(fig):
    """The figure after a draw, so its tick labels exist."""
    fig.canvas.draw()
    return fig


def labels(axis):
    return [t.get_text() for t in axis.get_ticklabels() if t.get_text()]


def is_one_two_five(step):
    mantissa = step / 10 ** math.floor(math.log10(step))
    return any(abs(mantissa - m) < 1e-6 for m in (1, 2, 5))


def timeline_run(backend, connections, repeat, base):
    """One JSON run with a 5-second timeline (the last second 0.5 s long; second 3 of epoll
    had no replies)."""
    seconds = []
    for second in range(1, 6):
        length = 0.5 if second == 5 else 1.0
        requests = int(base * length * (1 + repeat / 10))
        empty = backend == "epoll" and second == 3
        seconds.append({"second": second, "requests": 0 if empty else requests,
                        "throughput_rps": 0.0 if empty else requests / length,
                        "p50_us": None if empty else 40.0 + second,
                        "p99_us": None if empty else 100.0 * second + 10 * repeat,
                        "errors": 0, "online": connections})
    return {"backend": backend, "connections": connections, "size_bytes": 64, "pipeline": 1,
            "rate_rps": 0.0, "scenario": "load", "throughput_rps": base, "timeline": seconds}


def timeline_document():
    runs = [timeline_run(b, 10, r, base) for b, base in (("select", 10000), ("epoll", 30000))
            for r in range(2)]
    runs.append(timeline_run("select", 1, 0, 5000))  # a cell only one backend ran
    return {"environment": {"robotbench_version": "0.1.0", "git_revision": "abc123",
                            "build_type": "Release", "sanitizers": "",
                            "compiler": "g++ 12.2.0", "kernel": "Linux 6.1.0-test",
                            "cpu_model": "Test CPU", "cores": 2,
                            "command_line": "robotbench sweep --backends=select,thread "
                                            "--report 'my dir'"},
            "runs": runs, "summary": []}


def write_points(path, points):
    """An .hgrm file with exactly these (value_us, cumulative count) rows."""
    total = points[-1][1]
    lines = ["       Value     Percentile TotalCount 1/(1-Percentile)", ""]
    for value, count in points:
        p = count / total
        inv = "" if p == 1.0 else f" {1 / (1 - p):14.2f}"
        lines.append(f"{value:12.3f} {p:14.12f} {count:10d}{inv}")
    lines.append(f"#[Max     = {points[-1][0]:12.3f}, Total count    = {total:12d}]")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
