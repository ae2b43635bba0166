"""Throughput and p99 over time, from robotbench's JSON or its --timeline CSV, and input that is
not robotbench's refused."""

import os
import unittest

from plot_test_support import (plot_report, plt, scratch_case, COLUMNS, write_csv, sweep_rows,
                               run_plot, drawn, labels, timeline_document)
from plotting import timeline, timeline_data


class timeline_chart(scratch_case):
    def test_throughput_and_p99_over_time_from_the_json(self):
        runs = timeline_data.runs_from_json([timeline_document()])
        self.assertEqual(len(runs), 5)
        fig = drawn(timeline.chart_timeline(plt, runs, "note"))
        top, bottom = fig.axes
        title = fig._suptitle.get_text()
        self.assertIn("10 connections, 64 B, pipeline 1, closed loop, 2 runs per backend", title)
        lines = {l.get_label(): l for l in top.get_lines()}
        self.assertEqual([l.get_label() for l in top.get_lines()], ["select", "epoll"])  # registry

        self.assertEqual(lines["select"].get_color(), "#1f77b4")
        self.assertEqual(list(lines["select"].get_xdata()), [1, 2, 3, 4, 5])
        # The median of the two repeats (10,000 and 11,000 requests/s); the last, half second
        # reports its true rate.
        self.assertEqual(list(lines["select"].get_ydata()), [10500.0] * 5)
        p99 = {l.get_label(): l for l in bottom.get_lines()}
        self.assertEqual(list(p99["epoll"].get_xdata()), [1, 2, 4, 5])  # second 3 had no replies
        self.assertEqual(list(p99["epoll"].get_ydata()), [105.0, 205.0, 405.0, 505.0])
        self.assertEqual(bottom.get_ylabel(), "p99 latency (µs)")
        self.assertEqual(bottom.get_xlabel(), "second of the measured window")
        self.assertIn("10,000", labels(top.yaxis))
        plt.close(fig)

    def test_plot_py_draws_the_timeline_from_json_or_csv(self):
        result, out = plot_report(self.tmp, COLUMNS, sweep_rows())
        self.assertEqual(result.returncode, 0, result.stderr)
        path = os.path.join(out, "timeline.png")
        self.assertIn(path, result.stdout.splitlines())
        self.assertGreater(os.path.getsize(path), 5000)
        with open(os.path.join(out, "REPORT.md")) as f:
            self.assertIn("![timeline](timeline.png)", f.read())
        # The same rows from a --timeline CSV.
        rows = [[run["backend"], run["connections"], 64, 1, 0, "load", repeat, s["second"],
                 s["requests"], s["throughput_rps"], s["p50_us"] or "n/a", s["p99_us"] or "n/a",
                 0, run["connections"]]
                for repeat, run in enumerate(timeline_document()["runs"]) for s in run["timeline"]]
        timeline_csv = os.path.join(self.tmp, "timeline.csv")
        write_csv(timeline_csv, timeline_data.TIMELINE_CSV_COLUMNS, rows)
        out2 = os.path.join(self.tmp, "charts2")
        result = run_plot(os.path.join(self.tmp, "sweep.csv"), "--timeline", timeline_csv,
                          "--out", out2)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertTrue(os.path.isfile(os.path.join(out2, "timeline.png")))

    def test_refuses_input_that_is_not_robotbenchs(self):
        data = os.path.join(self.tmp, "sweep.csv")
        write_csv(data, COLUMNS, sweep_rows())
        bad_json = os.path.join(self.tmp, "bad.json")
        with open(bad_json, "w") as f:
            f.write("{not json")
        result = run_plot(data, "--json", bad_json, "--out", self.tmp)
        self.assertEqual(result.returncode, 2)
        self.assertIn("is not JSON", result.stderr)
        self.assertEqual(result.stderr.count("\n"), 1)
        bad_csv = os.path.join(self.tmp, "bad-timeline.csv")
        write_csv(bad_csv, ["backend", "second"], [["select", 1]])
        result = run_plot(data, "--timeline", bad_csv, "--out", self.tmp)
        self.assertEqual(result.returncode, 2)
        self.assertIn("lacks the columns: connections", result.stderr)


if __name__ == "__main__":
    unittest.main()
