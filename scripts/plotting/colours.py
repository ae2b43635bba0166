"""The fixed colour of each backend, the same on every chart."""

import zlib

# The registry's order (robotbench list); colours from matplotlib's tab10, one each.
BACKEND_COLOURS = {
    "select": "#1f77b4",             # blue
    "fork": "#ff7f0e",               # orange
    "thread": "#2ca02c",             # green
    "libuv": "#d62728",              # red
    "thread-per-client": "#9467bd",  # purple
    "prefork": "#8c564b",            # brown
    "epoll": "#e377c2",              # pink
    "reactors": "#bcbd22",           # olive
    "io_uring": "#17becf",           # cyan
}

# For names outside the registry (a --target, a backend added later): darker shades none of
# the nine use, chosen by a checksum of the name so that a name keeps its colour across runs.
FALLBACK_COLOURS = ["#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173", "#3182bd",
                    "#31a354", "#756bb1", "#636363"]


def backend_colour(name):
    """The colour of backend `name`: fixed for the nine backends, stable for any other name."""
    if name in BACKEND_COLOURS:
        return BACKEND_COLOURS[name]
    return FALLBACK_COLOURS[zlib.crc32(name.encode()) % len(FALLBACK_COLOURS)]


def registry_rank(name):
    """Where `name` stands in the registry's order (legends and tables follow it); other names
    after the nine."""
    names = list(BACKEND_COLOURS)
    return names.index(name) if name in names else len(names)


MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]


def variant_marker(index):
    """The marker of a backend's index-th line when sizes, pipelines or rates split it."""
    return MARKERS[index % len(MARKERS)]
