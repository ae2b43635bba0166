"""The pieces of scripts/plot.py, one job per module.

data          reading robotbench's CSV files, grouping rows into cells and series
colours       the fixed colour of each backend
ticks         1-2-5 ticks with thousands separators, and the µs/ms switch for latencies
figure        a new chart with the house look, and saving it
titles        chart titles that state size, pipeline, duration and repeats
charts        throughput, latency, CPU and memory against connections or offered load
distribution  the latency distribution from the .hgrm files of the repeats, merged
timeline_data reading the per-second timelines (JSON or --timeline CSV), choosing the cell
timeline      throughput and p99 over time, one line per backend
slo           the chart of `robotbench slo`
report        REPORT.md
cli           the command line of scripts/plot.py
"""
