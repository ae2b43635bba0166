"""scripts/plot.py on a small sweep CSV, .hgrm files and JSON timelines: every chart, what a
reader sees on them (colours, ticks, units, axes, titles), the report, bad input."""

import csv
import json
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
import matplotlib.pyplot as plt  # noqa: E402

from plotting import charts, colours, distribution, ticks, timeline, timeline_data  # noqa: E402
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
    mantissa = step / 10 ** __import__("math").floor(__import__("math").log10(step))
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


class backend_colours(unittest.TestCase):
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

    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.tmp = self.dir.name

    def tearDown(self):
        self.dir.cleanup()


class readable_axes(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.tmp = self.dir.name

    def tearDown(self):
        self.dir.cleanup()

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


class merged_distribution(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.tmp = self.dir.name

    def tearDown(self):
        self.dir.cleanup()

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


class timeline_chart(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.tmp = self.dir.name

    def tearDown(self):
        self.dir.cleanup()

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
        data = os.path.join(self.tmp, "sweep.csv")
        write_csv(data, COLUMNS, sweep_rows())
        doc = os.path.join(self.tmp, "sweep.json")
        with open(doc, "w") as f:
            json.dump(timeline_document(), f)
        out = os.path.join(self.tmp, "charts")
        result = run_plot(data, "--json", doc, "--out", out, "--report")
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
        result = run_plot(data, "--timeline", timeline_csv, "--out", out2)
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


class report_page(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.tmp = self.dir.name

    def tearDown(self):
        self.dir.cleanup()

    def test_report_states_what_ran_and_each_cells_numbers(self):
        columns = COLUMNS + ["errors", "server_memory_per_connection_kib", "warmup_s"]
        rows = [r + [repeat_errors, 12.5, "0.300"]
                for r, repeat_errors in zip(sweep_rows(), [0, 2, 1] * 7)]
        rows[-1][-3:] = ["n/a", "n/a", "0.300"]  # the skipped cell
        rows[6][10] = 2400  # two slow select c=100 runs: the median p99 is in ms
        rows[7][10] = 2600
        data = os.path.join(self.tmp, "sweep.csv")
        write_csv(data, columns, rows)
        doc = os.path.join(self.tmp, "sweep.json")
        with open(doc, "w") as f:
            json.dump(timeline_document(), f)
        out = os.path.join(self.tmp, "charts")
        result = run_plot(data, "--json", doc, "--out", out, "--report")
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
