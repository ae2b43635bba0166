"""Charts and a one-page report from robotbench sweep results, and the chart of an slo search.

Reads one or more CSV files written by `robotbench sweep` (or `robotbench run`), optionally
the JSON document of the same runs (--json), .hgrm files (--hgrm) and --timeline CSVs, and
writes PNG charts into a folder:

  throughput.png             throughput vs connections, one line per backend
  latency.png                p50 and p99 latency vs connections
  cpu_per_request.png        server CPU time per request vs connections
  memory.png                 memory the connections added, server and kernel, vs connections
                             (log-log: the slope is the cost of one connection)
  latency_distribution.png   latency by percentile from .hgrm files; files with the same
                             label (repeats of one cell) are merged into one distribution
  timeline.png               throughput and p99 over time, one line per backend, from the
                             JSON `timeline` of each run (or --timeline CSV files)

For a rate sweep (two or more offered rates) the x axis is the offered load instead of
connections: the latency chart is then the "hockey stick". Each backend has one colour on
every chart. Repeated runs of one cell are drawn as their median, with the min-max spread as
an error bar. With --report, it also writes REPORT.md beside the charts: the command line,
kernel, compiler and machine, each cell's p50, p99, CPU per request, memory and errors, and
the charts.

With --slo, the CSV files are the steps.csv of `robotbench slo`, and the one chart is

  slo.png                    the latency percentile against the offered rate, one line per
                             backend, each step's interval as an error bar, failing steps hollow,
                             the sustainable rate starred and the target drawn across
"""

import argparse
import json
import os

# Only modules that do not need matplotlib: its absence is reported as one line in main().
from .data import SLO_COLUMNS, SUMMARY_COLUMNS, fail, loaded, read_rows
from .report import write_report
from .timeline_data import runs_from_csv, runs_from_json
from .titles import describe


def footnote(rows, machine, environment):
    """`machine: …  kernel: …  revision: …` for the foot of every chart."""
    revisions = sorted({r["git_revision"] for r in rows if r.get("git_revision")})
    machines = sorted({r.get("machine", "") for r in rows if r.get("machine")})
    where = machine or "; ".join(machines) or "machine not recorded"
    kernel = (environment or {}).get("kernel")
    return (f"machine: {where}    " + (f"kernel: {kernel}    " if kernel else "") +
            f"revision: {', '.join(revisions) or 'unknown'}")


def read_json(paths):
    """The parsed JSON documents; fails with one line on a file that is not JSON."""
    documents = []
    for path in paths:
        try:
            with open(path) as f:
                documents.append(json.load(f))
        except OSError as e:
            fail(f"cannot read {path}: {e.strerror}")
        except ValueError as e:
            fail(f"{path} is not JSON: {e}")
        if not isinstance(documents[-1], dict) or "runs" not in documents[-1]:
            fail(f"{path} is not a robotbench JSON document (it has no `runs`)")
    return documents


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="plot.py", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("csv", nargs="+", help="robotbench CSV files (sweep or run results)")
    parser.add_argument("--hgrm", action="append", default=[], metavar="[LABEL=]FILE",
                        help="an .hgrm file for the percentile chart; repeat for each backend "
                             "and each repeat (files with one label are merged); the label "
                             "defaults to the backend in NAME.BACKEND.hgrm")
    parser.add_argument("--json", action="append", default=[], metavar="FILE",
                        help="robotbench's JSON of the same runs (--json): the environment "
                             "(command line, kernel, compiler) for the report, and each run's "
                             "timeline for timeline.png")
    parser.add_argument("--timeline", action="append", default=[], metavar="FILE",
                        help="a CSV written by robotbench --timeline, for timeline.png")
    parser.add_argument("-o", "--out", default="results/plots",
                        help="folder for the PNG charts (created; default: %(default)s)")
    parser.add_argument("--report", action="store_true",
                        help="also write REPORT.md in the output folder")
    parser.add_argument("--summary", metavar="FILE",
                        help="robotbench's summary CSV (--summary-csv): the report also shows "
                             "each median with its confidence interval")
    parser.add_argument("--slo", action="store_true",
                        help="the CSV files are the steps.csv of robotbench slo: draw slo.png")
    parser.add_argument("--machine", default="",
                        help="machine description for the footnote (default: the CSV's machine "
                             "column)")
    return parser.parse_args(argv)


def main(argv):
    args = parse_args(argv)
    rows = read_rows(args.csv, SLO_COLUMNS if args.slo else None)
    documents = read_json(args.json)
    environment = next((d.get("environment") for d in documents if d.get("environment")), None)
    timeline_runs = runs_from_json(documents) + runs_from_csv(args.timeline)
    summary = read_rows([args.summary], SUMMARY_COLUMNS) if args.summary else None
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        fail("matplotlib is missing: apt-get install python3-matplotlib")
    from .charts import CHARTS
    from .distribution import chart_distribution
    from .figure import save
    from .slo import chart_slo
    from .timeline import chart_timeline
    os.makedirs(args.out, exist_ok=True)
    note = footnote(rows, args.machine, environment)
    if args.slo:
        print(save(plt, chart_slo(plt, rows, note), args.out, "slo.png"))
        return 0
    charts = [save(plt, chart(plt, rows, note), args.out, name) for name, chart in CHARTS]
    if args.hgrm:
        figure = chart_distribution(plt, args.hgrm, note, describe(loaded(rows) or rows))
        charts.append(save(plt, figure, args.out, "latency_distribution.png"))
    if timeline_runs:
        charts.append(save(plt, chart_timeline(plt, timeline_runs, note), args.out,
                           "timeline.png"))
    for c in charts:
        print(c)
    if args.report:
        print(write_report(args.out, rows, charts, args.csv, environment, args.machine, summary))
    return 0
