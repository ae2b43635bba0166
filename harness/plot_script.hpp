#pragma once
// Running scripts/plot.py from this source tree with the system python3 (Debian's
// python3-matplotlib), for the sweep report and the slo chart.

#include <cstdio>
#include <string>
#include <vector>

namespace robotbench {

// Runs `python3 scripts/plot.py ARGS...`, printing each line it prints on `to`, indented.
// True when it exited 0 within two minutes; false, after one line on stderr saying why, when
// it could not start, failed or hung (it is then killed).
bool run_plot_script(const std::vector<std::string>& args, std::FILE* to);

}  // namespace robotbench
