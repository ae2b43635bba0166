"""Throughput, latency, CPU per request and memory, against connections (or, for a rate
sweep, against offered load), one colour per backend, repeats as median with min-max bars."""

from .colours import backend_colour, variant_marker
from .data import group, number, spread, x_axis
from .figure import finish, new_chart
from .ticks import time_unit
from .titles import title


def _points(s, value_of):
    """[(x, median, min, max)] of one series."""
    out = []
    for x in sorted(s.points):
        m = spread(s.points[x], value_of)
        if m is not None:
            out.append((x, *m))
    return out


def _draw(ax, all_series, value_of, style="-", suffix="", scale=1.0, filled=True):
    """One error-bar line per series; True when anything was drawn."""
    plotted = False
    for s in all_series:
        points = _points(s, value_of)
        if not points:
            continue
        xs = [p[0] for p in points]
        med = [p[1] / scale for p in points]
        low = [(p[1] - p[2]) / scale for p in points]
        high = [(p[3] - p[1]) / scale for p in points]
        colour = backend_colour(s.backend)
        ax.errorbar(xs, med, yerr=[low, high], fmt=style, marker=variant_marker(s.variant),
                    color=colour, mfc=colour if filled else "white", capsize=3,
                    label=s.label + suffix)
        plotted = True
    return plotted


def _all_values(all_series, value_of):
    return [value_of(r) for s in all_series for rs in s.points.values() for r in rs]


def _setup(plt, rows, what, ylabel, note, log_y):
    x_column, xlabel = x_axis(rows)
    against = "offered load" if x_column == "rate_rps" else "connections"
    fig, ax = new_chart(plt, title(f"{what} vs {against}", rows), xlabel, ylabel, note,
                        log_y=log_y)
    return fig, ax, group(rows, x_column)


def chart_throughput(plt, rows, note):
    """Throughput achieved; in a rate sweep, the offered load is drawn as a grey diagonal."""
    fig, ax, all_series = _setup(plt, rows, "Throughput", "throughput (requests/s)", note, False)
    value = lambda r: number(r["throughput_rps"])
    ok = _draw(ax, all_series, value)
    if x_axis(rows)[0] == "rate_rps" and ok:
        rates = sorted({x for s in all_series for x in s.points})
        ax.plot(rates, rates, color="gray", linestyle=":", linewidth=1, label="offered")
    ax.set_ylim(bottom=0)
    return finish(fig, ax, ok)


def chart_latency(plt, rows, note):
    """p50 (dashed, hollow) and p99 (solid) latency, in ms once any reaches 1 ms."""
    p99 = lambda r: number(r["latency_p99_us"])
    p50 = lambda r: number(r["latency_p50_us"])
    probe = group(rows, x_axis(rows)[0])
    scale, unit = time_unit(_all_values(probe, p99) + _all_values(probe, p50))
    fig, ax, all_series = _setup(plt, rows, "Latency (p99 solid, p50 dashed)",
                                 f"latency ({unit})", note, True)
    ok = _draw(ax, all_series, p99, "-", " p99", scale)
    ok |= _draw(ax, all_series, p50, "--", " p50", scale, filled=False)
    return finish(fig, ax, ok)


def chart_cpu(plt, rows, note):
    """The server's CPU time per request."""
    value = lambda r: number(r["server_cpu_us_per_request"])
    scale, unit = time_unit(_all_values(group(rows, x_axis(rows)[0]), value))
    fig, ax, all_series = _setup(plt, rows, "Server CPU time per request",
                                 f"server CPU per request ({unit})", note, False)
    ok = _draw(ax, all_series, value, scale=scale)
    ax.set_ylim(bottom=0)
    return finish(fig, ax, ok)


def memory_growth(column):
    """The memory the connections added (KiB): `column`'s per-connection value times the
    connections held; falls back to peak memory for CSVs without the column."""
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


def chart_memory(plt, rows, note):
    """Memory the connections cost, server (solid) and kernel (dashed), log-log."""
    fig, ax, all_series = _setup(plt, rows, "Memory the connections cost (server solid, "
                                 "kernel dashed)", "memory added by the connections (KiB)",
                                 note, True)
    ok = _draw(ax, all_series, memory_growth("server_memory_per_connection_kib"), "-",
               " server")
    ok |= _draw(ax, all_series, memory_growth("kernel_memory_per_connection_kib"), "--",
                " kernel", filled=False)
    return finish(fig, ax, ok)


CHARTS = [("throughput.png", chart_throughput), ("latency.png", chart_latency),
          ("cpu_per_request.png", chart_cpu), ("memory.png", chart_memory)]
