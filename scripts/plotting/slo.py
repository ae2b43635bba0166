"""The chart of `robotbench slo`: the latency percentile against offered load per backend,
with the target across."""

from collections import defaultdict

from .colours import backend_colour
from .data import number
from .figure import new_chart
from .ticks import format_time_us, time_unit


def chart_slo(plt, rows, note):
    """Each step's interval as an error bar, failing steps hollow, the sustainable rate
    starred, the target drawn across."""
    label = rows[0]["percentile"]
    targets = sorted({number(r["target_us"]) for r in rows if number(r["target_us"])})
    series = defaultdict(list)
    for r in rows:
        if number(r["rate_rps"]) and number(r["percentile_us"]):
            series[r["backend"] if r["backend"] not in ("", "n/a") else r["target"]].append(r)
    scale, unit = time_unit([number(r["percentile_ci_high_us"]) or number(r["percentile_us"])
                             for rs in series.values() for r in rs] + targets)
    title = f"{label} latency vs offered load"
    if len(targets) == 1:
        title += f" (target {format_time_us(targets[0])})"
    fig, ax = new_chart(plt, title, "offered load (requests/s, open loop)",
                        f"{label} latency from the intended send time ({unit})", note,
                        log_y=True, size=(9, 5.5))
    for name in sorted(series):
        points = sorted(series[name], key=lambda r: number(r["rate_rps"]))
        colour = backend_colour(name)
        xs = [number(r["rate_rps"]) for r in points]
        ys = [number(r["percentile_us"]) / scale for r in points]
        low = [y - (number(r["percentile_ci_low_us"]) or y * scale) / scale
               for y, r in zip(ys, points)]
        high = [(number(r["percentile_ci_high_us"]) or y * scale) / scale - y
                for y, r in zip(ys, points)]
        ax.errorbar(xs, ys, yerr=[low, high], fmt="-", capsize=2, alpha=0.8, color=colour,
                    label=name)
        passed = [(x, y) for x, y, r in zip(xs, ys, points) if r["passed"] == "yes"]
        failed = [(x, y) for x, y, r in zip(xs, ys, points) if r["passed"] != "yes"]
        if passed:
            ax.plot(*zip(*passed), "o", color=colour)
        if failed:
            ax.plot(*zip(*failed), "o", mfc="none", color=colour)
        best = number(points[0]["sustainable_rate_rps"])
        at = [y for x, y, r in zip(xs, ys, points) if best and x == best and r["passed"] == "yes"]
        if at:
            ax.plot([best], [at[0]], "*", markersize=14, color=colour, markeredgecolor="black")
    for t in targets:
        ax.axhline(t / scale, color="red", linestyle="--", linewidth=1.2,
                   label=f"target {format_time_us(t)}")
    if series:
        ax.legend(fontsize=8, ncol=2)
    else:
        ax.text(0.5, 0.5, "no data", transform=ax.transAxes, ha="center")
    ax.text(0.99, 0.02, "filled: meets the target; hollow: fails; star: sustainable rate; "
            "bars: the interval of each step's median over its runs",
            transform=ax.transAxes, ha="right", fontsize=7, color="dimgray")
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    return fig
