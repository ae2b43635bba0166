"""What a reader sees on plot.py's charts: one fixed colour per backend, log ticks at 1-2-5 steps
with thousands separators, latency units, titles, and the latency distribution of repeats merged
by their counts."""

import os
import subprocess
import unittest

from plot_test_support import (SCRIPTS, plt, scratch_case, sweep_rows, read_sweep, drawn, labels,
                               is_one_two_five, write_points)
from plotting import charts, colours, distribution, ticks


class backend_colours(scratch_case):
    NINE = ["select", "fork", "thread", "libuv", "thread-per-client", "prefork", "epoll",
            "reactors", "io_uring"]

    def test_each_backend_has_its_own_fixed_colour(self):
        got = [colours.backend_colour(b) for b in self.NINE]
        self.assertEqual(len(set(got)), 9, got)
        self.assertEqual(list(colours.BACKEND_COLOURS), self.NINE)  # the registry's order
        self.assertEqual(colours.backend_colour("select"), "#1f77b4")
        self.assertEqual(colours.backend_colour("io_uring"), "#17becf")

    def test_an_unknown_name_keeps_its_colour_in_every_process(self):
        code = ("import sys; sys.path.insert(0, sys.argv[1]); "
                "from plotting.colours import backend_colour; "
                "print(backend_colour('127.0.0.1:7000'), backend_colour('nginx'))")
        seen = set()
        for seed in ("1", "2", "3"):
            out = subprocess.run(["/usr/bin/python3", "-c", code, SCRIPTS], capture_output=True,
                                 text=True, timeout=60, env={**os.environ, "PYTHONHASHSEED": seed})
            self.assertEqual(out.returncode, 0, out.stderr)
            seen.add(out.stdout)
        self.assertEqual(len(seen), 1, seen)
        for name in seen.pop().split():
            self.assertNotIn(name, colours.BACKEND_COLOURS.values())

    def test_a_backend_has_the_same_colour_on_every_chart(self):
        rows = read_sweep(self.tmp)
        for _, chart in charts.CHARTS:
            fig = chart(plt, rows, "note")
            found = {}
            for container in fig.axes[0].containers:
                backend = container.get_label().split(" ")[0]
                found.setdefault(backend, set()).add(container.lines[0].get_color())
            plt.close(fig)
            self.assertEqual(found, {"select": {"#1f77b4"}, "thread": {"#2ca02c"}}, chart)


class readable_axes(scratch_case):
    def test_log_ticks_step_1_2_5(self):
        self.assertEqual(ticks.log_ticks(1, 1000), [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000])
        self.assertEqual(ticks.log_ticks(0.02, 3), [0.02, 0.05, 0.1, 0.2, 0.5, 1, 2])
        self.assertEqual(ticks.log_ticks(1, 1e9), [10.0 ** k for k in range(10)])  # crowded
        self.assertEqual(ticks.log_ticks(42, 48), list(range(42, 49)))  # no 1-2-5 inside: steps of 1

    def test_tick_labels_have_thousands_separators(self):
        self.assertEqual(ticks.tick_label(20000), "20,000")
        self.assertEqual(ticks.tick_label(1234567), "1,234,567")
        self.assertEqual(ticks.tick_label(500), "500")
        self.assertEqual(ticks.tick_label(0.05), "0.05")
        self.assertEqual(ticks.tick_label(2.5), "2.5")
        self.assertEqual(ticks.tick_label(0.1 + 0.2), "0.3")
        self.assertEqual(ticks.tick_label(0), "0")

    def test_charts_label_both_axes_at_1_2_5_steps(self):
        rows = read_sweep(self.tmp)
        fig = drawn(charts.chart_throughput(plt, rows, "note"))
        ax = fig.axes[0]
        self.assertEqual(labels(ax.xaxis), ["1", "2", "5", "10", "20", "50", "100"])
        y = labels(ax.yaxis)
        self.assertIn("10,000", y)
        self.assertIn("20,000", y)
        values = [float(t.replace(",", "")) for t in y]
        steps = {round(b - a, 6) for a, b in zip(values, values[1:])}
        self.assertEqual(len(steps), 1, y)
        self.assertTrue(is_one_two_five(steps.pop()), y)
        plt.close(fig)
        fig = drawn(charts.chart_latency(plt, rows, "note"))
        self.assertEqual(labels(fig.axes[0].yaxis), ["50", "100", "200"])
        plt.close(fig)

    def test_latency_switches_to_ms_when_values_reach_1_ms(self):
        slow = [r[:9] + [800 + 10 * r[3], 1500 + 10 * r[3]] + r[11:] for r in sweep_rows()]
        fig = drawn(charts.chart_latency(plt, read_sweep(self.tmp, slow), "note"))
        ax = fig.axes[0]
        self.assertEqual(ax.get_ylabel(), "latency (ms)")
        top = max(max(c.lines[0].get_ydata()) for c in ax.containers)
        self.assertAlmostEqual(top, 2.5)  # 1,500 + 10 × 100 µs
        self.assertEqual(labels(ax.yaxis), ["1", "1.5", "2", "2.5"])  # 0.5 ms steps
        plt.close(fig)
        fig = charts.chart_latency(plt, read_sweep(self.tmp), "note")
        self.assertEqual(fig.axes[0].get_ylabel(), "latency (µs)")  # 280 µs at most
        plt.close(fig)

    def test_titles_state_size_pipeline_duration_and_repeats(self):
        rows = read_sweep(self.tmp)
        for _, chart in charts.CHARTS:
            fig = chart(plt, rows, "note")
            self.assertIn("64 B, pipeline 1, closed loop, 1 s × 3 runs per cell",
                          fig.axes[0].get_title())
            plt.close(fig)

    def test_a_rate_sweep_draws_latency_against_offered_load(self):
        rows = []
        for backend, knee in (("select", 20000), ("epoll", 40000)):
            for rate in (5000, 10000, 20000, 40000, 80000):
                for repeat in range(2):
                    p99 = 100 if rate <= knee else 100 * (rate / knee) ** 4
                    rows.append(["2026-01-01T00:00:00Z", "abc123", backend, 50, 64, 1, rate,
                                 "ok", min(rate, knee), p99 / 3, p99, 5.0, 5000,
                                 "Test CPU (2 cores)", 2])
        fig = drawn(charts.chart_latency(plt, read_sweep(self.tmp, rows), "note"))
        ax = fig.axes[0]
        self.assertEqual(ax.get_xlabel(), "offered load (requests/s, open loop)")
        self.assertIn("vs offered load", ax.get_title())
        self.assertIn("50 connections, 64 B, pipeline 1, 2 s × 2 runs per cell", ax.get_title())
        for c in ax.containers:
            self.assertEqual(list(c.lines[0].get_xdata()), [5000, 10000, 20000, 40000, 80000])
        self.assertIn("10,000", labels(ax.xaxis))
        plt.close(fig)
        fig = charts.chart_throughput(plt, read_sweep(self.tmp, rows), "note")
        self.assertIn("offered", [l.get_label() for l in fig.axes[0].get_lines()])
        plt.close(fig)
        # A closed-loop sweep stays against connections.
        fig = charts.chart_latency(plt, read_sweep(self.tmp), "note")
        self.assertEqual(fig.axes[0].get_xlabel(), "connections")
        plt.close(fig)


class merged_distribution(scratch_case):
    def test_repeats_merge_their_counts_not_their_percentiles(self):
        fast = [(10.0, 1), (20.0, 50), (30.0, 100)]
        slow = [(40.0, 1), (50.0, 150), (60.0, 300)]
        self.assertEqual(distribution.cumulative_at(fast, 25.0), 75.0)  # between its rows
        self.assertEqual(distribution.cumulative_at(fast, 5.0), 0.0)
        self.assertEqual(distribution.cumulative_at(slow, 99.0), 300.0)
        merged = dict(distribution.merge([fast, slow]))
        self.assertEqual(merged[30.0], 0.25)  # the fast run's 100 of 400 requests
        self.assertEqual(merged[50.0], 250 / 400)
        self.assertEqual(merged[60.0], 1.0)
        # A run merged with itself keeps its distribution.
        self.assertEqual(distribution.merge([fast, fast]), distribution.merge([fast]))

    def test_files_with_one_label_are_one_line(self):
        paths = []
        for i, points in enumerate(([(10.0, 1), (20.0, 50), (30.0, 100)],
                                    [(40.0, 1), (50.0, 150), (60.0, 300)]), start=1):
            paths.append(os.path.join(self.tmp, f"epoll-c8-s64-P1-{i}.hgrm"))
            write_points(paths[-1], points)
        single = os.path.join(self.tmp, "lat.select.hgrm")
        write_points(single, [(5.0, 1), (6.0, 10)])
        fig = distribution.chart_distribution(
            plt, [f"epoll (8 conns)={p}" for p in paths] + [single], "note", "64 B")
        legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
        self.assertEqual(legend, ["epoll (8 conns), 2 runs merged", "select"])
        colours_drawn = [l.get_color() for l in fig.axes[0].get_lines()]
        self.assertEqual(colours_drawn, ["#e377c2", "#1f77b4"])
        plt.close(fig)


if __name__ == "__main__":
    unittest.main()
