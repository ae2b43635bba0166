"""Axis ticks people can read: 1-2-5 steps, thousands separators, latencies in µs or ms."""

import math

from matplotlib.ticker import FuncFormatter, Locator, MaxNLocator, NullFormatter, LogLocator

MAX_TICKS = 16


def tick_label(x):
    """`20,000`, `1,500`, `0.05`, `2.5`: thousands separators, no trailing zeros."""
    if x == 0:
        return "0"
    text = f"{x:,.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def linear_ticks(vmin, vmax):
    """Ticks at a step of 1, 2 or 5 times a power of ten across [vmin, vmax]."""
    return list(MaxNLocator(nbins=8, steps=[1, 2, 5, 10]).tick_values(vmin, vmax))


def log_ticks(vmin, vmax):
    """Ticks at 1, 2 and 5 times each power of ten in [vmin, vmax]; powers of ten alone when
    that would crowd the axis; linear 1-2-5 steps when the range holds fewer than three."""
    if vmax <= 0:
        return []
    vmin = vmin if vmin > 0 else vmax / 1e6
    low, high = math.floor(math.log10(vmin)), math.ceil(math.log10(vmax))
    inside = lambda t: vmin * (1 - 1e-9) <= t <= vmax * (1 + 1e-9)
    for multiples in ((1, 2, 5), (1,)):
        ticks = [float(f"{m}e{k}") for k in range(low, high + 1) for m in multiples]
        ticks = [t for t in ticks if inside(t)]
        if len(ticks) <= MAX_TICKS:
            break
    if len(ticks) >= 3:
        return ticks
    return [t for t in linear_ticks(vmin, vmax) if t > 0 and inside(t)]


class one_two_five_log_locator(Locator):
    """log_ticks() over the axis' view."""

    def __call__(self):
        vmin, vmax = sorted(self.axis.get_view_interval())
        return self.tick_values(vmin, vmax)

    def tick_values(self, vmin, vmax):
        return log_ticks(vmin, vmax)


def style_axis(axis, log):
    """1-2-5 major ticks labelled with separators on `axis` (ax.xaxis or ax.yaxis); on a log
    axis, unlabelled minor ticks at the other integers for the grid."""
    formatter = FuncFormatter(lambda x, _: tick_label(x))
    if log:
        axis.set_major_locator(one_two_five_log_locator())
        axis.set_minor_locator(LogLocator(subs=(3, 4, 6, 7, 8, 9)))
    else:
        axis.set_major_locator(MaxNLocator(nbins=8, steps=[1, 2, 5, 10]))
    axis.set_major_formatter(formatter)
    axis.set_minor_formatter(NullFormatter())


def time_unit(values_us):
    """(divisor, unit) for times given in µs: ms once the largest reaches 1 ms, µs below."""
    largest = max((v for v in values_us if v is not None), default=0)
    return (1000.0, "ms") if largest >= 1000 else (1.0, "µs")


def format_time_us(us):
    """A time for text: `850 µs`, `1.2 ms`, `2.5 s`."""
    if us >= 1e6:
        return f"{us / 1e6:,.3g} s"
    if us >= 1e3:
        return f"{us / 1e3:,.3g} ms"
    return f"{us:,.3g} µs"
