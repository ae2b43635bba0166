"""Reading robotbench's CSV files, and grouping their rows into cells and chart series."""

import csv
import math
import statistics
import sys
from collections import defaultdict

from .colours import registry_rank

REQUIRED_COLUMNS = [
    "backend", "connections", "size_bytes", "pipeline", "rate_rps", "status", "throughput_rps",
    "latency_p50_us", "latency_p99_us", "server_cpu_us_per_request", "server_peak_memory_kib",
    "git_revision",
]

SLO_COLUMNS = [
    "backend", "target", "percentile", "target_us", "rate_rps", "percentile_us",
    "percentile_ci_low_us", "percentile_ci_high_us", "passed", "sustainable_rate_rps",
]

SUMMARY_COLUMNS = [
    "backend", "connections", "size_bytes", "pipeline", "rate_rps", "runs", "status",
    "ci_confidence", "throughput_rps", "throughput_rps_ci_low", "throughput_rps_ci_high",
    "latency_p99_us", "latency_p99_us_ci_low", "latency_p99_us_ci_high",
    "throughput_spread_pct", "noisy",
]

# What tells the cells of a sweep apart, besides the backend.
CELL_COLUMNS = ("connections", "size_bytes", "pipeline", "rate_rps")


def fail(message):
    """One line on stderr and exit status 2: the input cannot be used."""
    print(f"plot.py: {message}", file=sys.stderr)
    sys.exit(2)


def read_rows(paths, required=None):
    """Every row of the CSV files, as dicts; fails on a missing file or column."""
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


def spread(rows, value_of):
    """(median, min, max) of value_of over the rows that have it, or None."""
    values = [v for v in (value_of(r) for r in rows) if v is not None]
    if not values:
        return None
    return statistics.median(values), min(values), max(values)


def loaded(rows):
    """The rows of runs that measured a load (not skipped cells or presence-only runs)."""
    return [r for r in rows
            if number(r["throughput_rps"]) is not None and number(r["connections"]) is not None]


def name_of(row):
    """The backend of a row, or its target for `robotbench load`."""
    backend = row.get("backend") or ""
    return backend if backend not in ("", "n/a") else (row.get("target") or "target")


def is_rate_sweep(rows):
    """True when the loaded rows ran at two or more offered rates (open loop): their charts
    put the offered load on the x axis."""
    return len({number(r["rate_rps"]) for r in loaded(rows) if number(r["rate_rps"])}) > 1


def x_axis(rows):
    """(column, axis label) of the charts' x axis: offered load for rate sweeps, else
    connections."""
    if is_rate_sweep(rows):
        return "rate_rps", "offered load (requests/s, open loop)"
    return "connections", "connections"


class series:
    """One line on a chart: one backend at one combination of the cell columns off the x axis.
    points maps an x value to the rows of its repeats."""

    def __init__(self, label, backend, variant):
        self.label = label
        self.backend = backend
        self.variant = variant  # 0, 1, ...: which of its backend's lines this is
        self.points = defaultdict(list)


def group(rows, x_column):
    """[series] over the loaded rows, in the registry's order of their backends. A rate sweep leaves closed-loop rows out
    (they have no offered load to stand at)."""
    rows = [r for r in loaded(rows) if number(r[x_column])]
    varying = [c for c in CELL_COLUMNS
               if c != x_column and len({r[c] for r in rows}) > 1]
    units = {"connections": ("", " conns"), "size_bytes": ("", " B"), "pipeline": ("P=", ""),
             "rate_rps": ("R=", "/s")}
    by_label = {}
    for row in rows:
        extras = [f"{units[c][0]}{number(row[c]):,g}{units[c][1]}" for c in varying]
        backend = name_of(row)
        label = f"{backend} ({', '.join(extras)})" if extras else backend
        if label not in by_label:
            by_label[label] = series(label, backend, 0)
        by_label[label].points[number(row[x_column])].append(row)
    ordered = sorted(by_label.values(), key=lambda s: (registry_rank(s.backend), s.label))
    seen = defaultdict(int)
    for s in ordered:
        s.variant = seen[s.backend]
        seen[s.backend] += 1
    return ordered


def cells(rows):
    """{(backend, connections, size, pipeline, rate): [rows]} over every row, skipped ones
    included, backends in the registry's order."""
    out = defaultdict(list)
    for r in rows:
        key = (name_of(r), int(number(r["connections"]) or 0), int(number(r["size_bytes"]) or 0),
               int(number(r["pipeline"]) or 0), number(r["rate_rps"]) or 0.0)
        out[key].append(r)
    return dict(sorted(out.items(), key=lambda item: (registry_rank(item[0][0]), item[0])))
