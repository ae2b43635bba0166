"""scripts/plot.py on a small sweep CSV and .hgrm files: every chart, the report, bad input."""

import csv
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
PLOT = os.path.join(HERE, "..", "..", "scripts", "plot.py")
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


class plot_script(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.tmp = self.dir.name

    def tearDown(self):
        self.dir.cleanup()

    def test_writes_every_chart_and_the_report(self):
        data = os.path.join(self.tmp, "sweep.csv")
        write_csv(data, COLUMNS, sweep_rows())
        hgrm_a, hgrm_b = (os.path.join(self.tmp, n) for n in ("lat.select.hgrm", "lat.thread.hgrm"))
        write_hgrm(hgrm_a, 1.0)
        write_hgrm(hgrm_b, 2.0)
        out = os.path.join(self.tmp, "charts")
        result = run_plot(data, "--hgrm", hgrm_a, "--hgrm", "thread=" + hgrm_b, "--out", out,
                          "--report")
        self.assertEqual(result.returncode, 0, result.stderr)
        for chart in ("throughput", "latency", "cpu_per_request", "memory",
                      "latency_distribution"):
            path = os.path.join(out, chart + ".png")
            self.assertTrue(os.path.isfile(path), path)
            with open(path, "rb") as f:
                self.assertEqual(f.read(8), b"\x89PNG\r\n\x1a\n", path)
            self.assertGreater(os.path.getsize(path), 5000, path)
        with open(os.path.join(out, "REPORT.md")) as f:
            report = f.read()
        self.assertIn("![throughput](throughput.png)", report)
        self.assertIn("| select | 2,000 |", report)  # the skipped cell is listed, not dropped
        self.assertIn("skipped", report)
        self.assertIn("Test CPU (2 cores)", report)

    def test_the_report_shows_intervals_from_robotbenchs_summary(self):
        data = os.path.join(self.tmp, "sweep.csv")
        write_csv(data, COLUMNS, sweep_rows())
        summary = os.path.join(self.tmp, "summary.csv")
        write_csv(summary, ["backend", "target", "connections", "size_bytes", "pipeline",
                            "rate_rps", "runs", "status", "ci_confidence", "throughput_rps",
                            "throughput_rps_ci_low", "throughput_rps_ci_high", "latency_p99_us",
                            "latency_p99_us_ci_low", "latency_p99_us_ci_high",
                            "throughput_spread_pct", "noisy"],
                  [["select", "n/a", 10, 64, 1, "0.0", 3, "ok", "0.7500", "10100.0", "10000.0",
                    "10300.0", "100.0", "99.0", "102.0", "2.97", "no"],
                   ["thread", "n/a", 10, 64, 1, "0.0", 3, "ok", "0.7500", "15000.0", "12000.0",
                    "17000.0", "90.0", "80.0", "95.0", "33.33", "yes"]])
        out = os.path.join(self.tmp, "charts")
        result = run_plot(data, "--out", out, "--report", "--summary", summary)
        self.assertEqual(result.returncode, 0, result.stderr)
        with open(os.path.join(out, "REPORT.md")) as f:
            report = f.read()
        self.assertIn("confidence interval of the median", report)
        self.assertIn("| select | 10 | 64 | 1 | closed loop | 3 | 10,100 | 10,000–10,300 | "
                      "100.0 | 99.0–102.0 | 75.0% | 3.0% | ok |", report)
        self.assertIn("33.3% noisy", report)

    def test_refuses_a_csv_with_missing_columns(self):
        data = os.path.join(self.tmp, "bad.csv")
        write_csv(data, ["backend", "connections"], [["select", 1]])
        result = run_plot(data, "--out", os.path.join(self.tmp, "charts"))
        self.assertEqual(result.returncode, 2)
        self.assertIn("lacks the columns", result.stderr)
        self.assertIn("throughput_rps", result.stderr)
        self.assertEqual(result.stderr.count("\n"), 1)  # one line
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "charts", "throughput.png")))

    def test_slo_chart_from_the_steps_of_a_search(self):
        columns = ["backend", "target", "percentile", "target_us", "step", "rate_rps", "runs",
                   "percentile_us", "percentile_ci_low_us", "percentile_ci_high_us", "passed",
                   "sustainable_rate_rps", "machine", "git_revision"]
        rows = []
        for backend, capacity in (("select", 40000), ("epoll", 90000)):
            for step, rate in enumerate((60000, 30000, 42426, 35676, 38910, 40634, 39773)):
                passed = rate <= capacity
                p99 = 300 if passed else 300 * rate / capacity * 20
                best = max(r for r in (60000, 30000, 42426, 35676, 38910, 40634, 39773)
                           if r <= capacity)
                rows.append([backend, "n/a", "p99", 1000, step + 1, rate, 3, p99, p99 * 0.9,
                             p99 * 1.2, "yes" if passed else "no", best, "Test CPU (2 cores)",
                             "abc123"])
        rows.append(["fork", "n/a", "p99", 1000, 1, 5000, 1, "n/a", "n/a", "n/a", "no", "n/a",
                     "Test CPU (2 cores)", "abc123"])  # a step that failed on errors
        data = os.path.join(self.tmp, "steps.csv")
        write_csv(data, columns, rows)
        out = os.path.join(self.tmp, "slo")
        result = run_plot("--slo", data, "--out", out)
        self.assertEqual(result.returncode, 0, result.stderr)
        path = os.path.join(out, "slo.png")
        with open(path, "rb") as f:
            self.assertEqual(f.read(8), b"\x89PNG\r\n\x1a\n")
        self.assertGreater(os.path.getsize(path), 5000)
        self.assertEqual(result.stdout.strip(), path)
        # A sweep CSV is not a steps CSV: refused with the missing columns named.
        sweep = os.path.join(self.tmp, "sweep.csv")
        write_csv(sweep, COLUMNS, sweep_rows())
        refused = run_plot("--slo", sweep, "--out", out)
        self.assertEqual(refused.returncode, 2)
        self.assertIn("percentile_us", refused.stderr)

    def test_help_documents_every_option(self):
        result = run_plot("--help")
        self.assertEqual(result.returncode, 0)
        for option in ("--hgrm", "--out", "--report", "--machine", "--slo", "--summary"):
            self.assertIn(option, result.stdout)


if __name__ == "__main__":
    unittest.main()
