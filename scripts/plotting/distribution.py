"""The latency distribution by percentile, from the .hgrm files of a cell's repeats merged
into one.

An .hgrm row (value, percentile, total count) says that `total count` of the recorded
latencies were at most `value`: an exact point of that run's cumulative count. Merging the
repeats adds their cumulative counts at every value any of them reports; between a run's own
rows its count is interpolated linearly. The result is the distribution of all the repeats'
requests together, not an average of their percentiles.
"""

import bisect
import os
from collections import OrderedDict

from matplotlib.ticker import FixedLocator, NullLocator

from .colours import backend_colour
from .data import fail
from .figure import finish, new_chart
from .ticks import time_unit


def read_hgrm(path):
    """[(value_us, cumulative count)] from HdrHistogram's percentile distribution text."""
    points = []
    try:
        with open(path) as f:
            for line in f:
                parts = line.split()
                if len(parts) not in (3, 4) or line.startswith("#"):
                    continue
                try:
                    value, count = float(parts[0]), int(parts[2])
                    float(parts[1])
                except ValueError:
                    continue  # the header line
                if not points or points[-1] != (value, count):
                    points.append((value, count))
    except OSError as e:
        fail(f"cannot read {path}: {e.strerror}")
    if not points:
        fail(f"{path} holds no percentile distribution (is it an .hgrm file?)")
    return points


def cumulative_at(points, value):
    """One run's count of latencies at most `value`: exact at its rows, linear between."""
    values = [v for v, _ in points]
    i = bisect.bisect_right(values, value)
    if i == 0:
        return 0.0
    v0, c0 = points[i - 1]
    if i == len(points) or value == v0:
        return float(c0)
    v1, c1 = points[i]
    return c0 + (c1 - c0) * (value - v0) / (v1 - v0)


def merge(tables):
    """[(value_us, percentile 0..1)] of the runs' latencies together, at every value any run
    reports."""
    total = sum(t[-1][1] for t in tables)
    if total == 0:
        return []
    values = sorted({v for t in tables for v, _ in t})
    return [(v, sum(cumulative_at(t, v) for t in tables) / total) for v in values]


def hgrm_label(spec):
    """LABEL=FILE, or FILE whose name gives the label (robotbench writes NAME.BACKEND.hgrm)."""
    if "=" in spec:
        label, path = spec.split("=", 1)
        return label, path
    base = os.path.basename(spec)
    stem = base[:-5] if base.endswith(".hgrm") else base
    return (stem.rsplit(".", 1)[-1] if "." in stem else stem), spec


def grouped_specs(specs):
    """{label: [paths]}: files with the same label are repeats of one cell, merged."""
    out = OrderedDict()
    for spec in specs:
        label, path = hgrm_label(spec)
        out.setdefault(label, []).append(path)
    return out


def chart_distribution(plt, specs, note, describe=""):
    """Latency against percentile on HdrHistogram's axis (1/(1-p)), one line per label."""
    lines = []
    for label, paths in grouped_specs(specs).items():
        points = [(v, p) for v, p in merge([read_hgrm(p) for p in paths]) if p < 1.0]
        runs = f", {len(paths)} runs merged" if len(paths) > 1 else ""
        lines.append((label + runs, label.split(" ")[0], points))
    scale, unit = time_unit([v for _, _, pts in lines for v, _ in pts])
    what = "Latency by percentile"
    title = f"{what}\n{describe}" if describe else what
    fig, ax = new_chart(plt, title, "percentile", f"latency ({unit})", note, log_y=True)
    top = 1.0
    for label, backend, points in lines:
        if not points:
            continue
        xs = [1.0 / (1.0 - p) for _, p in points]
        top = max(top, xs[-1])
        ax.plot(xs, [v / scale for v, _ in points], label=label, color=backend_colour(backend))
    nines = [10 ** k for k in range(0, 7) if 10 ** k <= top * 10]
    ax.xaxis.set_major_locator(FixedLocator(nines))
    ax.xaxis.set_minor_locator(NullLocator())
    ax.set_xticklabels([f"{100 * (1 - 1 / x):g}%" for x in nines])
    return finish(fig, ax, any(pts for _, _, pts in lines))
