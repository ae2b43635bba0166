#!/usr/bin/python3
"""Charts and a one-page report from robotbench sweep results, and the chart of an slo search.

Reads one or more CSV files written by `robotbench sweep` (or `robotbench run`), and optionally .hgrm
files written with --hgrm, and writes PNG charts into a folder:

  throughput.png             throughput vs connections, one line per backend
  latency.png                p50 and p99 latency vs connections
  cpu_per_request.png        server CPU time per request vs connections
  memory.png                 memory the connections added, server and kernel, vs connections
                             (log-log: the slope is the cost of one connection)
  latency_distribution.png   latency percentile distribution from .hgrm files

Repeated runs of one cell are drawn as their median, with the min-max spread as an error bar.
With --report, it also writes REPORT.md beside the charts: configuration, environment, summary tables
and the charts, on one page.

With --slo, the CSV files are the steps.csv of `robotbench slo`, and the one chart is

  slo.png                    the latency percentile against the offered rate, one line per
                             backend, each step's interval as an error bar, failing steps hollow,
                             the sustainable rate starred and the target drawn across
"""

import argparse
import csv
import math
import os
import statistics
import sys
from collections import defaultdict

REQUIRED_COLUMNS = [
    "backend", "connections", "size_bytes", "pipeline", "rate_rps", "status", "throughput_rps",
    "latency_p50_us", "latency_p99_us", "server_cpu_us_per_request", "server_peak_memory_kib",
    "git_revision",
]


SLO_COLUMNS = [
    "backend", "target", "percentile", "target_us", "rate_rps", "percentile_us",
    "percentile_ci_low_us", "percentile_ci_high_us", "passed", "sustainable_rate_rps",
]


def fail(message):
    print(f"plot.py: {message}", file=sys.stderr)
    sys.exit(2)


def read_rows(paths, required=None):
    required = REQUIRED_COLUMNS if required is None else required
    rows = []
    for path in paths:
        try:
            with open(path, newline="") as f:
                reader = csv.DictReader(f)
                missing = [c for c in required if c not in (reader.fieldnames or [])]
                if missing:
                    fail(f"{path} lacks the columns: {', '.join(missing)} "
                         "(is it a robotbench CSV?)")
                rows.extend(reader)
        except OSError as e:
            fail(f"cannot read {path}: {e.strerror}")
    if not rows:
        fail("the CSV files hold no rows")
    return rows


def number(text):
    """A cell as a float, or None for n/a and empty cells."""
    try:
        value = float(text)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def series_label(row, varying):
    label = row["backend"] or "target"
    extras = []
    if "size_bytes" in varying:
        extras.append(f"{row['size_bytes']} B")
    if "pipeline" in varying:
        extras.append(f"P={row['pipeline']}")
    if "rate_rps" in varying:
        extras.append(f"R={row['rate_rps']}")
    return f"{label} ({', '.join(extras)})" if extras else label


def group(rows):
    """{series label: {connections: [rows]}} over rows that ran a load."""
    varying = {c for c in ("size_bytes", "pipeline", "rate_rps") if len({r[c] for r in rows}) > 1}
    series = defaultdict(lambda: defaultdict(list))
    for row in rows:
        if number(row["throughput_rps"]) is None or number(row["connections"]) is None:
            continue  # a skipped cell, or a presence-only run
        series[series_label(row, varying)][int(float(row["connections"]))].append(row)
    return series


def spread(rows, value_of):
    """(median, min, max) of value_of over the rows that have it, or None."""
    values = [v for v in (value_of(r) for r in rows) if v is not None]
    if not values:
        return None
    return statistics.median(values), min(values), max(values)


def footnote(rows, machine):
    revisions = sorted({r["git_revision"] for r in rows if r["git_revision"]})
    machines = sorted({r.get("machine", "") for r in rows if r.get("machine")})
    where = machine or "; ".join(machines) or "machine not recorded"
    return f"machine: {where}    revision: {', '.join(revisions) or 'unknown'}"


def new_figure(plt, title, ylabel, note, log_x=True):
    fig, ax = plt.subplots(figsize=(8, 5))
    ax.set_title(title)
    ax.set_xlabel("connections")
    ax.set_ylabel(ylabel)
    if log_x:
        from matplotlib.ticker import FuncFormatter
        ax.set_xscale("log")
        ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:,.0f}"))
    ax.grid(True, which="both", alpha=0.3)
    fig.text(0.01, 0.01, note, fontsize=7, color="dimgray")
    return fig, ax


def plot_metric(ax, series, value_of, style="-", suffix="", marker="o"):
    plotted = False
    for label in sorted(series):
        points = []
        for conns in sorted(series[label]):
            s = spread(series[label][conns], value_of)
            if s is not None:
                points.append((conns, *s))
        if not points:
            continue
        xs = [p[0] for p in points]
        med = [p[1] for p in points]
        low = [p[1] - p[2] for p in points]
        high = [p[3] - p[1] for p in points]
        ax.errorbar(xs, med, yerr=[low, high], fmt=style, marker=marker, capsize=3,
                    label=label + suffix)
        plotted = True
    return plotted


def save(fig, ax, path, plotted):
    if not plotted:
        ax.text(0.5, 0.5, "no data", transform=ax.transAxes, ha="center")
    else:
        ax.legend(fontsize=8)
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    fig.savefig(path, dpi=110)
    import matplotlib.pyplot as plt
    plt.close(fig)
    return path


def chart_throughput(plt, series, out, note):
    fig, ax = new_figure(plt, "Throughput vs connections", "throughput (requests/s)", note)
    ok = plot_metric(ax, series, lambda r: number(r["throughput_rps"]))
    ax.set_ylim(bottom=0)
    return save(fig, ax, os.path.join(out, "throughput.png"), ok)


def chart_latency(plt, series, out, note):
    fig, ax = new_figure(plt, "Latency vs connections (p50 dashed, p99 solid)", "latency (µs)",
                         note)
    ax.set_yscale("log")
    ok = plot_metric(ax, series, lambda r: number(r["latency_p99_us"]), "-", " p99")
    ax.set_prop_cycle(None)
    ok |= plot_metric(ax, series, lambda r: number(r["latency_p50_us"]), "--", " p50", "s")
    return save(fig, ax, os.path.join(out, "latency.png"), ok)


def chart_cpu(plt, series, out, note):
    fig, ax = new_figure(plt, "Server CPU time per request", "server CPU per request (µs)", note)
    ok = plot_metric(ax, series, lambda r: number(r["server_cpu_us_per_request"]))
    ax.set_ylim(bottom=0)
    return save(fig, ax, os.path.join(out, "cpu_per_request.png"), ok)


def memory_growth(column):
    """The memory the connections added (KiB): `column`'s per-connection value times the
    connections held; falls back to peak memory / connections for CSVs without the column."""
    def value_of(row):
        conns = number(row["connections"])
        per_conn = number(row.get(column))
        if per_conn is None and column == "server_memory_per_connection_kib":
            kib = number(row["server_peak_memory_kib"])
            return kib if kib and conns else None
        if per_conn is None or not conns or per_conn <= 0:
            return None  # log axes: a growth lost in noise is not drawn
        held = conns + (4 if row.get("scenario") == "idle" else 0)
        return per_conn * held
    return value_of


def chart_memory(plt, series, out, note):
    fig, ax = new_figure(plt, "Memory the connections cost (server solid, kernel dashed)",
                         "memory added by the connections (KiB)", note)
    ax.set_yscale("log")
    ok = plot_metric(ax, series, memory_growth("server_memory_per_connection_kib"), "-",
                     " server")
    ax.set_prop_cycle(None)
    ok |= plot_metric(ax, series, memory_growth("kernel_memory_per_connection_kib"), "--",
                      " kernel", "s")
    return save(fig, ax, os.path.join(out, "memory.png"), ok)


def read_hgrm(path):
    """[(value_us, percentile 0..1)] from HdrHistogram's percentile distribution text."""
    points = []
    try:
        with open(path) as f:
            for line in f:
                parts = line.split()
                if len(parts) != 4 or line.startswith("#"):
                    continue
                try:
                    value, percentile = float(parts[0]), float(parts[1])
                except ValueError:
                    continue  # the header line
                points.append((value, percentile))
    except OSError as e:
        fail(f"cannot read {path}: {e.strerror}")
    if not points:
        fail(f"{path} holds no percentile distribution (is it an .hgrm file?)")
    return points


def hgrm_label(spec):
    """LABEL=FILE, or FILE whose name gives the label (robotbench writes NAME.BACKEND.hgrm)."""
    if "=" in spec:
        label, path = spec.split("=", 1)
        return label, path
    base = os.path.basename(spec)
    stem = base[:-5] if base.endswith(".hgrm") else base
    return (stem.rsplit(".", 1)[-1] if "." in stem else stem), spec


def chart_distribution(plt, hgrm_specs, out, note):
    from matplotlib.ticker import FixedLocator, NullLocator
    fig, ax = plt.subplots(figsize=(8, 5))
    ax.set_title("Latency by percentile")
    ax.set_xlabel("percentile")
    ax.set_ylabel("latency (µs)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.grid(True, which="major", alpha=0.3)
    fig.text(0.01, 0.01, note, fontsize=7, color="dimgray")
    top = 1.0
    for spec in hgrm_specs:
        label, path = hgrm_label(spec)
        points = [(1.0 / (1.0 - p), v) for v, p in read_hgrm(path) if p < 1.0]
        if points:
            top = max(top, points[-1][0])
            ax.plot([x for x, _ in points], [v for _, v in points], label=label)
    nines = [10 ** k for k in range(0, 7) if 10 ** k <= top * 10]
    ax.xaxis.set_major_locator(FixedLocator(nines))
    ax.xaxis.set_minor_locator(NullLocator())
    ax.set_xticklabels([f"{100 * (1 - 1 / x):g}%" for x in nines])
    return save(fig, ax, os.path.join(out, "latency_distribution.png"), bool(hgrm_specs))


def summary_table(rows):
    """Markdown table: median and min-max of throughput and p99 per cell."""
    cells = defaultdict(list)
    for r in rows:
        key = (r["backend"] or r.get("target", ""), int(float(r["connections"] or 0)),
               r["size_bytes"], r["pipeline"], r["rate_rps"])
        cells[key].append(r)
    lines = ["| backend | connections | size (B) | pipeline | rate (req/s) | runs | "
             "throughput median (req/s) | throughput min–max | p99 median (µs) | p99 min–max | "
             "status |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for key in sorted(cells):
        group_rows = cells[key]
        tput = spread(group_rows, lambda r: number(r["throughput_rps"]))
        p99 = spread(group_rows, lambda r: number(r["latency_p99_us"]))
        statuses = ", ".join(sorted({r["status"] for r in group_rows}))
        fmt_spread = (lambda s, d: f"{s[1]:,.{d}f}–{s[2]:,.{d}f}" if s else "n/a")
        lines.append(
            f"| {key[0]} | {key[1]} | {key[2]} | {key[3]} | {key[4] if number(key[4]) else 'closed loop'} | "
            f"{len(group_rows)} | {f'{tput[0]:,.0f}' if tput else 'n/a'} | {fmt_spread(tput, 0)} | "
            f"{f'{p99[0]:,.1f}' if p99 else 'n/a'} | {fmt_spread(p99, 1)} | {statuses} |")
    return "\n".join(lines)


def format_latency_us(us):
    """A latency for a label: 850 µs, 1 ms, 2.5 s."""
    if us >= 1e6:
        return f"{us / 1e6:g} s"
    if us >= 1e3:
        return f"{us / 1e3:g} ms"
    return f"{us:g} µs"


def chart_slo(plt, rows, out, note):
    """The percentile against offered load, per backend, with the target across."""
    from matplotlib.ticker import FuncFormatter
    label = rows[0]["percentile"]
    targets = sorted({number(r["target_us"]) for r in rows if number(r["target_us"])})
    fig, ax = plt.subplots(figsize=(9, 5.5))
    title = f"{label} latency vs offered load"
    if len(targets) == 1:
        title += f" (target {format_latency_us(targets[0])})"
    ax.set_title(title)
    ax.set_xlabel("offered load (requests/s, open loop)")
    ax.set_ylabel(f"{label} latency from the intended send time (µs)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:,.0f}"))
    ax.grid(True, which="both", alpha=0.3)
    fig.text(0.01, 0.01, note, fontsize=7, color="dimgray")
    series = defaultdict(list)
    for r in rows:
        if number(r["rate_rps"]) and number(r["percentile_us"]):
            series[r["backend"] if r["backend"] not in ("", "n/a") else r["target"]].append(r)
    for name in sorted(series):
        points = sorted(series[name], key=lambda r: number(r["rate_rps"]))
        xs = [number(r["rate_rps"]) for r in points]
        ys = [number(r["percentile_us"]) for r in points]
        low = [y - (number(r["percentile_ci_low_us"]) or y) for y, r in zip(ys, points)]
        high = [(number(r["percentile_ci_high_us"]) or y) - y for y, r in zip(ys, points)]
        line = ax.errorbar(xs, ys, yerr=[low, high], fmt="-", capsize=2, alpha=0.8, label=name)
        color = line[0].get_color()
        passed = [(x, y) for x, y, r in zip(xs, ys, points) if r["passed"] == "yes"]
        failed = [(x, y) for x, y, r in zip(xs, ys, points) if r["passed"] != "yes"]
        if passed:
            ax.plot(*zip(*passed), "o", color=color)
        if failed:
            ax.plot(*zip(*failed), "o", mfc="none", color=color)
        best = number(points[0]["sustainable_rate_rps"])
        at = [y for x, y, r in zip(xs, ys, points) if best and x == best and r["passed"] == "yes"]
        if at:
            ax.plot([best], [at[0]], "*", markersize=14, color=color, markeredgecolor="black")
    for t in targets:
        ax.axhline(t, color="red", linestyle="--", linewidth=1.2,
                   label=f"target {format_latency_us(t)}")
    if series:
        ax.legend(fontsize=8, ncol=2)
    else:
        ax.text(0.5, 0.5, "no data", transform=ax.transAxes, ha="center")
    ax.text(0.99, 0.02, "filled: meets the target; hollow: fails; star: sustainable rate; "
            "bars: the interval of each step's median over its runs",
            transform=ax.transAxes, ha="right", fontsize=7, color="dimgray")
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    path = os.path.join(out, "slo.png")
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def read_summary(path):
    """The rows of a summary CSV (robotbench --summary-csv), or fail."""
    needed = ["backend", "connections", "size_bytes", "pipeline", "rate_rps", "runs", "status",
              "ci_confidence", "throughput_rps", "throughput_rps_ci_low",
              "throughput_rps_ci_high", "latency_p99_us", "latency_p99_us_ci_low",
              "latency_p99_us_ci_high", "throughput_spread_pct", "noisy"]
    return read_rows([path], needed)


def interval_table(summary):
    """Markdown table from robotbench's summary CSV: medians with their confidence intervals."""
    def span(row, column, digits):
        low, high = number(row[column + "_ci_low"]), number(row[column + "_ci_high"])
        return f"{low:,.{digits}f}–{high:,.{digits}f}" if low is not None else "n/a"

    def value(row, column, digits):
        v = number(row[column])
        return f"{v:,.{digits}f}" if v is not None else "n/a"

    lines = ["| backend | connections | size (B) | pipeline | rate (req/s) | runs | "
             "throughput median (req/s) | its interval | p99 median (µs) | its interval | "
             "confidence | spread | status |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for r in summary:
        rate = r["rate_rps"] if number(r["rate_rps"]) else "closed loop"
        confidence = number(r["ci_confidence"])
        spread = number(r["throughput_spread_pct"])
        lines.append(
            f"| {r['backend'] if r['backend'] != 'n/a' else r['target']} | {r['connections']} | "
            f"{r['size_bytes']} | {r['pipeline']} | {rate} | {r['runs']} | "
            f"{value(r, 'throughput_rps', 0)} | {span(r, 'throughput_rps', 0)} | "
            f"{value(r, 'latency_p99_us', 1)} | {span(r, 'latency_p99_us', 1)} | "
            f"{f'{100 * confidence:.1f}%' if confidence is not None else 'n/a'} | "
            f"{f'{spread:.1f}%' if spread is not None else 'n/a'}"
            f"{' noisy' if r['noisy'] == 'yes' else ''} | {r['status']} |")
    return "\n".join(lines)


def write_report(out, rows, charts, csv_paths, note, summary=None):
    config_keys = ["warmup_s", "duration_s", "threads", "server_threads"]
    config = {k: sorted({r.get(k, "") for r in rows if r.get(k)}) for k in config_keys}
    lines = ["# robotbench sweep report", "",
             f"Source: {', '.join(os.path.basename(p) for p in csv_paths)} — {len(rows)} runs.", "",
             "## Configuration and environment", ""]
    lines += [f"- {k.replace('_', ' ')}: {', '.join(v)}" for k, v in config.items() if v]
    lines += [f"- {note}", "", "## Summary", ""]
    if summary:
        lines += ["Median of the repeated runs of each cell, with the confidence interval of "
                  "the median (exact, from the order statistics: [min, max] for up to 8 runs; "
                  "the confidence column says how sure it is, 95% from 6 runs) and the spread "
                  "of the runs, (max − min) / median; a cell spread more than 10% is noisy.", "",
                  interval_table(summary)]
    else:
        lines += ["Median of the repeated runs of each cell, with the min–max spread.", "",
                  summary_table(rows)]
    lines += ["", "## Charts", ""]
    lines += [f"![{os.path.splitext(os.path.basename(c))[0]}]({os.path.basename(c)})\n"
              for c in charts]
    path = os.path.join(out, "REPORT.md")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return path


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="plot.py", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("csv", nargs="+", help="robotbench CSV files (sweep or run results)")
    parser.add_argument("--hgrm", action="append", default=[], metavar="[LABEL=]FILE",
                        help="an .hgrm file for the percentile chart; repeat for each backend; the "
                             "label defaults to the backend in NAME.BACKEND.hgrm")
    parser.add_argument("-o", "--out", default="results/plots",
                        help="folder for the PNG charts (created; default: %(default)s)")
    parser.add_argument("--report", action="store_true",
                        help="also write REPORT.md in the output folder")
    parser.add_argument("--summary", metavar="FILE",
                        help="robotbench's summary CSV (--summary-csv): the report's table shows "
                             "each median with its confidence interval")
    parser.add_argument("--slo", action="store_true",
                        help="the CSV files are the steps.csv of robotbench slo: draw slo.png")
    parser.add_argument("--machine", default="",
                        help="machine description for the footnote (default: the CSV's machine "
                             "column)")
    return parser.parse_args(argv)


def main(argv):
    args = parse_args(argv)
    rows = read_rows(args.csv, SLO_COLUMNS if args.slo else None)
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        fail("matplotlib is missing: apt-get install python3-matplotlib")
    os.makedirs(args.out, exist_ok=True)
    note = footnote(rows, args.machine)
    if args.slo:
        print(chart_slo(plt, rows, args.out, note))
        return 0
    series = group(rows)
    charts = [chart(plt, series, args.out, note)
              for chart in (chart_throughput, chart_latency, chart_cpu, chart_memory)]
    if args.hgrm:
        charts.append(chart_distribution(plt, args.hgrm, args.out, note))
    for c in charts:
        print(c)
    if args.report:
        summary = read_summary(args.summary) if args.summary else None
        print(write_report(args.out, rows, charts, args.csv, note, summary))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
