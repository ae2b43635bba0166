"""scripts/plot.py as a user runs it, on a small sweep CSV, .hgrm files and JSON: every chart
and the report, what the report states, bad input refused. `python3 -m unittest test_plot` (CTest's
scripts.test_plot) runs the chart tests of test_plot_charts.py and test_plot_timeline.py too."""

import os
import unittest

from plot_test_support import (scratch_case, COLUMNS, write_csv, sweep_rows, write_hgrm, run_plot,
                               plot_report)

import test_plot_charts
import test_plot_timeline


def load_tests(loader, tests, pattern):
    """Loaded by name (pattern None), this module stands for every plot test; discovery finds
    the other modules itself."""
    if pattern is None:
        for module in (test_plot_charts, test_plot_timeline):
            tests.addTests(loader.loadTestsFromModule(module))
    return tests


class plot_script(scratch_case):
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
        # Without the JSON, the report says what it could not know, and there is no timeline.
        self.assertIn("- kernel: not recorded (give plot.py robotbench's JSON with --json)",
                      report)
        self.assertIn("- command: not recorded", report)
        self.assertFalse(os.path.exists(os.path.join(out, "timeline.png")))

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
        for option in ("--hgrm", "--out", "--report", "--machine", "--slo", "--summary", "--json",
                       "--timeline"):
            self.assertIn(option, result.stdout)


class report_page(scratch_case):
    def test_report_states_what_ran_and_each_cells_numbers(self):
        columns = COLUMNS + ["errors", "server_memory_per_connection_kib", "warmup_s"]
        rows = [r + [repeat_errors, 12.5, "0.300"]
                for r, repeat_errors in zip(sweep_rows(), [0, 2, 1] * 7)]
        rows[-1][-3:] = ["n/a", "n/a", "0.300"]  # the skipped cell
        rows[6][10] = 2400  # two slow select c=100 runs: the median p99 is in ms
        rows[7][10] = 2600
        result, out = plot_report(self.tmp, columns, rows)
        self.assertEqual(result.returncode, 0, result.stderr)
        with open(os.path.join(out, "REPORT.md")) as f:
            report = f.read()
        for expected in (
                "- command: `robotbench sweep --backends=select,thread --report 'my dir'`",
                "- kernel: Linux 6.1.0-test",
                "- compiler: g++ 12.2.0",
                "- machine: Test CPU (2 cores)",
                "- cells: 64 B, pipeline 1, closed loop, 1 s × 3 runs per cell",
                "- warm-up (s): 0.300",
                "- revision: abc123 (robotbench 0.1.0, Release build)",
                "| backend | connections | size (B) | pipeline | rate (req/s) | runs | "
                "throughput (req/s) | p50 | p99 | server CPU per request | server peak memory | "
                "memory per connection | errors | status |",
                "| select | 10 | 64 | 1 | closed loop | 3 | 11,220 | 40 µs | 100 µs | 5.5 µs | "
                "4.4 MiB | 12.5 KiB | 3 | ok |",
                "| select | 100 | 64 | 1 | closed loop | 3 | 20,400 | 130 µs | 2.4 ms | 5.5 µs | "
                "8.8 MiB | 12.5 KiB | 3 | ok |",
                "| select | 2,000 | 64 | 1 | closed loop | 1 | n/a | n/a | n/a | n/a | n/a | n/a | "
                "n/a | skipped |",
                "![timeline](timeline.png)"):
            self.assertIn(expected, report)
        self.assertNotIn("not recorded", report)


if __name__ == "__main__":
    unittest.main()
