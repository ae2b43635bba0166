"""Reading the per-second timeline of each run: the `timeline` member of robotbench's JSON
runs, or the rows of its --timeline CSV; and choosing the cell the timeline chart shows."""

import statistics
from collections import defaultdict

from .data import number, read_rows

TIMELINE_CSV_COLUMNS = ["backend", "connections", "size", "pipeline", "rate", "scenario",
                        "repeat", "second", "requests", "throughput_rps", "p50_us", "p99_us",
                        "errors", "online"]


def _cell(backend, connections, size, pipeline, rate, scenario):
    return {"backend": backend or "target", "connections": int(number(connections) or 0),
            "size": int(number(size) or 0), "pipeline": int(number(pipeline) or 0),
            "rate": number(rate) or 0.0, "scenario": scenario or "load"}


def runs_from_json(documents):
    """[(cell, [second rows])] of every run that has a timeline, from parsed JSON documents."""
    out = []
    for doc in documents:
        for run in doc.get("runs", []):
            seconds = run.get("timeline")
            if not seconds:
                continue
            cell = _cell(run.get("backend"), run.get("connections"), run.get("size_bytes"),
                         run.get("pipeline"), run.get("rate_rps"), run.get("scenario"))
            out.append((cell, seconds))
    return out


def runs_from_csv(paths):
    """[(cell, [second rows])] from --timeline CSV files: one run per (cell, repeat)."""
    runs = defaultdict(list)
    for path in paths:
        for row in read_rows([path], required=TIMELINE_CSV_COLUMNS):
            key = (path, row["backend"], row["connections"], row["size"], row["pipeline"],
                   row["rate"], row["scenario"], row["repeat"])
            runs[key].append({k: number(row[k]) for k in
                              ("second", "requests", "throughput_rps", "p50_us", "p99_us",
                               "errors", "online")})
    return [(_cell(k[1], k[2], k[3], k[4], k[5], k[6]), rows) for k, rows in runs.items()]

def chosen_cell(runs):
    """The cell (without the backend) the most backends ran; the largest connection count,
    then the smallest size, pipeline and rate among ties."""
    backends = defaultdict(set)
    for cell, _ in runs:
        key = tuple(cell[k] for k in ("connections", "size", "pipeline", "rate", "scenario"))
        backends[key].add(cell["backend"])
    return min(backends, key=lambda k: (-len(backends[k]), -k[0], k[1], k[2], k[3], k[4]))


def per_second(runs, field):
    """{second: (median, min, max)} of `field` over the runs' rows; seconds with no value in
    any run (p99 of an empty second) are left out."""
    values = defaultdict(list)
    for _, seconds in runs:
        for row in seconds:
            v = number(row.get(field))
            if v is not None and number(row.get("second")) is not None:
                values[number(row["second"])].append(v)
    return {s: (statistics.median(v), min(v), max(v)) for s, v in sorted(values.items())}


def describe_cell(key, repeats):
    connections, size, pipeline, rate, scenario = key
    load = f"{rate:,g} req/s offered" if rate else "closed loop"
    runs = f"{repeats} run{'s' if repeats != 1 else ''}"
    median = " (median per second, band min–max)" if repeats > 1 else ""
    return (f"{connections:,} connections, {size:,} B, pipeline {pipeline}, {load}, "
            f"{runs} per backend{median}")
