#pragma once
// The sweep's closing summary and its one-page report (charts and REPORT.md, drawn by
// scripts/plot.py).

#include <string>
#include <vector>

#include "run_record.hpp"
#include "sweep.hpp"

namespace robotbench {

// Writes the sweep's rows to DIR/sweep.csv (this sweep's rows only), the summary of its cells
// to DIR/summary.csv and its JSON document to DIR/sweep.json, and runs scripts/plot.py on them,
// with the .hgrm files of every repeat of each backend's largest cell, to write the charts and
// DIR/REPORT.md. False, after saying why on stderr, when
// any step failed; the CSVs stay.
bool write_sweep_report(const sweep_options& options, const std::vector<run_record>& runs);

}  // namespace robotbench
