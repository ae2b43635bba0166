#pragma once
// Running plot.py with the python3 CMake found (Debian's, with python3-matplotlib), for the sweep
// report and the slo chart: the copy `cmake --install` put next to this robotbench, else
// scripts/plot.py of the source tree it was built from.

#include <cstdio>
#include <string>
#include <vector>

namespace robotbench {

// Where plot.py is: SHARE/robotbench/plot.py beside an installed robotbench's bin folder when it
// exists, else the source tree's scripts/plot.py. Any thread.
std::string plot_script_path();

// Runs `python3 plot.py ARGS...`, printing each line it prints on `to`, indented.
// True when it exited 0 within two minutes; false, after one line on stderr saying why, when
// it could not start, failed or hung (it is then killed).
bool run_plot_script(const std::vector<std::string>& args, std::FILE* to);

}  // namespace robotbench
