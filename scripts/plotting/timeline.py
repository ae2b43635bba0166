"""Throughput and p99 latency over the measured window, one line per backend, from the
per-second timeline of each run (timeline_data.py).

A sweep holds many cells; the chart shows one: the cell the most backends ran, the largest
connection count among those. A backend's line is the median of its repeats second by second,
with their min-max as a band.
"""

from collections import defaultdict

from matplotlib.ticker import MaxNLocator

from .colours import backend_colour, registry_rank
from .ticks import style_axis, time_unit
from .timeline_data import chosen_cell, describe_cell, per_second


def chart_timeline(plt, runs, note):
    """Two panels sharing the time axis: throughput (top) and p99 latency (bottom)."""
    key = chosen_cell(runs)
    chosen = defaultdict(list)
    for cell, seconds in runs:
        if tuple(cell[k] for k in ("connections", "size", "pipeline", "rate", "scenario")) == key:
            chosen[cell["backend"]].append((cell, seconds))
    repeats = max(len(r) for r in chosen.values())
    fig, (top, bottom) = plt.subplots(2, 1, sharex=True, figsize=(10, 7))
    fig.suptitle("Throughput and p99 latency over time\n" + describe_cell(key, repeats),
                 fontsize=11)
    fig.text(0.01, 0.01, note, fontsize=7, color="dimgray")
    p99s = {b: per_second(r, "p99_us") for b, r in chosen.items()}
    scale, unit = time_unit([m[2] for p in p99s.values() for m in p.values()])
    for backend in sorted(chosen, key=lambda b: (registry_rank(b), b)):
        colour = backend_colour(backend)
        for axis, data, div in ((top, per_second(chosen[backend], "throughput_rps"), 1.0),
                                (bottom, p99s[backend], scale)):
            if not data:
                continue
            xs = list(data)
            axis.plot(xs, [data[x][0] / div for x in xs], marker="o", markersize=3,
                      color=colour, label=backend)
            if repeats > 1:
                axis.fill_between(xs, [data[x][1] / div for x in xs],
                                  [data[x][2] / div for x in xs], color=colour, alpha=0.15)
    top.set_ylabel("throughput (requests/s)")
    bottom.set_ylabel(f"p99 latency ({unit})")
    bottom.set_xlabel("second of the measured window")
    bottom.set_yscale("log")
    style_axis(top.yaxis, False)
    style_axis(bottom.yaxis, True)
    style_axis(bottom.xaxis, False)
    bottom.xaxis.set_major_locator(MaxNLocator(nbins=10, steps=[1, 2, 5, 10], integer=True))
    top.set_ylim(bottom=0)
    for axis in (top, bottom):
        axis.grid(True, which="major", alpha=0.35)
        axis.grid(True, which="minor", alpha=0.12)
    top.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    return fig
