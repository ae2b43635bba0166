"""Chart titles that say what ran: line size, pipeline depth, measured time and repeats."""

from .data import cells, loaded, number


def _values(rows, column):
    return sorted({number(r.get(column)) for r in rows if number(r.get(column)) is not None})


def _list(values, unit=""):
    return ", ".join(f"{v:,g}" for v in values) + unit


def duration_text(seconds):
    """`1 s`, `500 ms`, `2.5 s`."""
    return f"{seconds * 1000:,g} ms" if seconds < 1 else f"{seconds:,g} s"


def describe(rows):
    """`64 B, pipeline 1, 1 s × 3 runs per cell` for the loaded rows; ranges where they vary."""
    rows = loaded(rows) or rows
    parts = []
    sizes = _values(rows, "size_bytes")
    if sizes:
        parts.append(_list(sizes, " B"))
    pipelines = _values(rows, "pipeline")
    if pipelines:
        parts.append(f"pipeline {_list(pipelines)}")
    rates = _values(rows, "rate_rps")
    if rates == [0.0]:
        parts.append("closed loop")
    elif len(rates) == 1:
        parts.append(f"{rates[0]:,g} req/s offered")
    else:  # a rate sweep: the offered load is the x axis, the connections are fixed or listed
        parts.insert(0, f"{_list(_values(rows, 'connections'))} connections")
    durations = _values(rows, "duration_s")
    runs = sorted({len(group) for group in cells(rows).values()})
    repeats = (f"{runs[0]} run{'s' if runs[0] != 1 else ''}" if len(runs) == 1
               else f"{runs[0]}–{runs[-1]} runs") + " per cell" if runs else ""
    if durations:
        measured = ", ".join(duration_text(d) for d in durations)
        parts.append(f"{measured} × {repeats}" if repeats else measured)
    elif repeats:
        parts.append(repeats)
    return ", ".join(parts)


def title(what, rows):
    """The chart's subject on the first line, what ran on the second."""
    details = describe(rows)
    return f"{what}\n{details}" if details else what
