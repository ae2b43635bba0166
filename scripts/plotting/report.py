"""REPORT.md: what ran (the exact command line, kernel, compiler, machine), a table of each
cell's medians (p50, p99, CPU per request, memory, errors), the confidence intervals when
robotbench's summary CSV is given, and the charts."""

import os

from .data import cells, number, spread
from .ticks import format_time_us
from .titles import describe


def _median(rows, column):
    s = spread(rows, lambda r: number(r.get(column)))
    return s[0] if s else None


def _or_na(value, render):
    return render(value) if value is not None else "n/a"


def cell_table(rows):
    """Markdown table, one line per cell: medians over its repeats, errors summed."""
    lines = ["| backend | connections | size (B) | pipeline | rate (req/s) | runs | "
             "throughput (req/s) | p50 | p99 | server CPU per request | server peak memory | "
             "memory per connection | errors | status |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for (backend, conns, size, pipeline, rate), group in cells(rows).items():
        tput = _median(group, "throughput_rps")
        p50 = _median(group, "latency_p50_us")
        p99 = _median(group, "latency_p99_us")
        cpu = _median(group, "server_cpu_us_per_request")
        memory = _median(group, "server_peak_memory_kib")
        per_conn = _median(group, "server_memory_per_connection_kib")
        errors = [number(r.get("errors")) for r in group if number(r.get("errors")) is not None]
        statuses = ", ".join(sorted({r["status"] for r in group}))
        lines.append(
            f"| {backend} | {conns:,} | {size:,} | {pipeline} | "
            f"{f'{rate:,g}' if rate else 'closed loop'} | {len(group)} | "
            f"{_or_na(tput, lambda v: f'{v:,.0f}')} | {_or_na(p50, format_time_us)} | "
            f"{_or_na(p99, format_time_us)} | {_or_na(cpu, format_time_us)} | "
            f"{_or_na(memory, lambda v: f'{v / 1024:,.1f} MiB')} | "
            f"{_or_na(per_conn, lambda v: f'{v:,.1f} KiB')} | "
            f"{f'{sum(errors):,.0f}' if errors else 'n/a'} | {statuses} |")
    return "\n".join(lines)


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
        spread_pct = number(r["throughput_spread_pct"])
        lines.append(
            f"| {r['backend'] if r['backend'] != 'n/a' else r['target']} | {r['connections']} | "
            f"{r['size_bytes']} | {r['pipeline']} | {rate} | {r['runs']} | "
            f"{value(r, 'throughput_rps', 0)} | {span(r, 'throughput_rps', 0)} | "
            f"{value(r, 'latency_p99_us', 1)} | {span(r, 'latency_p99_us', 1)} | "
            f"{f'{100 * confidence:.1f}%' if confidence is not None else 'n/a'} | "
            f"{f'{spread_pct:.1f}%' if spread_pct is not None else 'n/a'}"
            f"{' noisy' if r['noisy'] == 'yes' else ''} | {r['status']} |")
    return "\n".join(lines)


NOT_RECORDED = "not recorded (give plot.py robotbench's JSON with --json)"


def what_ran(rows, environment, machine):
    """The bullet list of the command, the cells, the build and the machine."""
    env = environment or {}
    command = env.get("command_line")
    lines = [f"- command: `{command}`" if command else f"- command: {NOT_RECORDED}",
             f"- cells: {describe(rows)}"]
    for column, name in (("warmup_s", "warm-up (s)"), ("threads", "generator threads"),
                         ("server_threads", "server threads (0: the backend's default)")):
        values = sorted({r.get(column) for r in rows if r.get(column) not in (None, "", "n/a")})
        if values:
            lines.append(f"- {name}: {', '.join(values)}")
    revisions = sorted({r["git_revision"] for r in rows if r.get("git_revision")})
    build = []
    if env.get("robotbench_version"):
        build.append(f"robotbench {env['robotbench_version']}")
    if env.get("build_type"):
        build.append(f"{env['build_type']} build")
    if env.get("sanitizers"):
        build.append(f"sanitizers {env['sanitizers']}")
    lines.append(f"- revision: {', '.join(revisions) or 'unknown'}" +
                 (f" ({', '.join(build)})" if build else ""))
    lines.append(f"- kernel: {env.get('kernel') or NOT_RECORDED}")
    lines.append(f"- compiler: {env.get('compiler') or NOT_RECORDED}")
    machines = sorted({r.get("machine", "") for r in rows if r.get("machine")})
    where = machine or "; ".join(machines)
    if not where and env.get("cpu_model"):
        where = f"{env['cpu_model']} ({env.get('cores', '?')} cores)"
    lines.append(f"- machine: {where or 'not recorded'}")
    return lines


def write_report(out, rows, charts, csv_paths, environment=None, machine="", summary=None):
    """Writes OUT/REPORT.md and returns its path."""
    lines = ["# robotbench sweep report", "",
             f"Source: {', '.join(os.path.basename(p) for p in csv_paths)} — {len(rows)} runs.",
             "", "## What ran", ""]
    lines += what_ran(rows, environment, machine)
    lines += ["", "## Results per cell", "",
              "The median of each cell's repeated runs: throughput, latency percentiles (p50, "
              "p99; from the intended send time in open loop), the server's CPU time per "
              "request, its peak memory (process tree) and the memory each connection added; "
              "errors are summed over the runs. Skipped cells are listed with their status.",
              "", cell_table(rows)]
    if summary:
        lines += ["", "## Confidence intervals", "",
                  "Median of the repeated runs of each cell, with the confidence interval of "
                  "the median (exact, from the order statistics: [min, max] for up to 8 runs; "
                  "the confidence column says how sure it is, 95% from 6 runs) and the spread "
                  "of the runs, (max − min) / median; a cell spread more than 10% is noisy.", "",
                  interval_table(summary)]
    lines += ["", "## Charts", ""]
    lines += [f"![{os.path.splitext(os.path.basename(c))[0]}]({os.path.basename(c)})\n"
              for c in charts]
    path = os.path.join(out, "REPORT.md")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return path
