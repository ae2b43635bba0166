#pragma once
// Everything one benchmark run found, as plain data: what the table, the CSV row and the JSON
// document are written from. Latencies are in nanoseconds.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "loadgen/load.hpp"
#include "run_options.hpp"
#include "timeline.hpp"

namespace robotbench {

// The percentiles of one latency histogram, in ns.
struct latency_summary {
    std::uint64_t count = 0;
    std::uint64_t min = 0, p50 = 0, p90 = 0, p99 = 0, p999 = 0, p9999 = 0, max = 0;
    double mean = 0;
};

// What the server's process tree reported about itself once it had exited (wait4), over its
// whole life, children it reaped included.
struct lifetime_usage {
    double user_s = 0;
    double sys_s = 0;
    std::uint64_t voluntary_switches = 0;
    std::uint64_t involuntary_switches = 0;
    std::uint64_t max_rss_kib = 0;  // of the largest single process
};

// What serving cost the server: its whole process tree, sampled from /proc.
struct server_cost {
    double user_s = 0;  // CPU over the measured window
    double sys_s = 0;
    std::uint64_t peak_memory_kib = 0;     // peak of the tree's summed memory during the load
    std::string memory_metric = "PSS";     // "PSS" (smaps_rollup) or "RSS" (status)
    std::uint64_t baseline_memory_kib = 0; // the tree's memory before the generator connected
    std::uint64_t baseline_kernel_kib = 0; // system-wide kernel memory then (proc_stats.hpp)
    std::uint64_t peak_kernel_kib = 0;     // its peak during the load
    std::uint64_t voluntary_switches = 0;  // over the measured window
    std::uint64_t involuntary_switches = 0;
    unsigned peak_threads = 0;
    unsigned peak_processes = 0;
    std::optional<lifetime_usage> lifetime;  // once the server was reaped
};

// How the presence check went.
enum class presence_state { off, skipped, passed, failed };

struct presence_summary {
    presence_state state = presence_state::off;
    unsigned checks = 0;
    unsigned failures = 0;
    std::uint64_t max_convergence_ns = 0;
    std::uint64_t median_convergence_ns = 0;
    std::string note;                  // why it was skipped, when it was
    std::vector<std::string> details;  // one line per failed check
};

// What one rank drove and what it cost, for the report's per-rank columns.
struct rank_share {
    std::string host;                  // MPI_Get_processor_name
    unsigned connections = 0;          // its share of -c
    double rate = 0;                   // its share of -R (0: closed loop)
    std::uint64_t requests = 0;        // replies it validated in its measured window
    double generator_cpu_s = 0;        // its generator CPU over the whole run
    double generator_window_cpu_s = 0; // over its measured window
    // When it left the start barrier, in µs after rank 0 did (CLOCK_REALTIME of each host, so
    // across hosts it includes their clocks' offset); its warm-up and window start that much
    // later than rank 0's.
    double start_offset_us = 0;
};

// One run: one backend (or one target) under one configuration.
struct run_record {
    std::string timestamp;     // UTC, ISO 8601, when the run started
    std::string git_revision;  // of the robotbench build that ran it
    std::string machine;       // `CPU model (N cores)` of the machine it ran on
    std::string backend;       // the backend started; empty for `load --target`
    std::string target;        // HOST:PORT that was measured
    run_options options;       // as run; threads holds the generator threads actually used

    bool loaded = false;  // a load or churn ran and returned
    bool interrupted = false;  // SIGINT ended the measured window early
    std::uint64_t requests = 0;
    std::uint64_t unanswered = 0;  // requests of the window still unanswered when it closed
    std::uint64_t unsent = 0;      // open loop (or -n): requests due in the window, never sent
    std::uint64_t sent = 0;        // requests sent in the window (open loop: scheduled in it)
    std::string latency_spectrum;  // --latency: the percentile spectrum text; empty otherwise
    loadgen::error_counts errors;
    double measured_s = 0;         // the measured window actually observed
    latency_summary latency;       // open loop: from the intended send time
    latency_summary service;       // from the actual send time
    std::uint64_t max_lag_ns = 0;  // open loop: worst send behind schedule
    std::uint64_t connects = 0;
    latency_summary connect_latency;
    // Connections open at once while the server's memory peaked (load: -c; idle: -c and the
    // probes); 0 when they came and went (churn), so no memory per connection is reported.
    std::uint64_t connections_held = 0;

    std::optional<server_cost> server;                // n/a against an outside target
    std::optional<loadgen::cpu_times> generator_cpu;  // the generator, whole run
    std::optional<double> generator_window_cpu_s;     // the generator, measured window
    // A distributed run (mpirun): what each rank drove, by rank; empty for one process.
    std::vector<rank_share> ranks;

    std::vector<timeline_row> timeline;  // one row per second of the measured window

    presence_summary presence;
    std::string skipped;                // why a sweep did not run this cell; empty when it ran
    std::vector<std::string> problems;  // failures besides counted errors (server died, ...)
    std::vector<std::string> warnings;  // e.g. the generator may have been the bottleneck

    // What makes the numbers unstable (noise.hpp): the machine before the run, and whether a
    // bottleneck warning said the generator rather than the server set the pace.
    std::optional<double> load_average;  // 1-minute load average just before the server started
    std::string cpu_governor;            // cpufreq governor; empty when not readable
    bool generator_bound = false;

    double throughput() const { return measured_s > 0 ? requests / measured_s : 0.0; }
    // (peak − before the generator connected) / connections_held, in KiB: the server's own
    // memory (PSS or RSS), and the kernel's (system-wide, both ends of each loopback connection).
    std::optional<double> server_memory_per_connection_kib() const {
        if (!server || connections_held == 0) return std::nullopt;
        return (double(server->peak_memory_kib) - double(server->baseline_memory_kib)) /
               double(connections_held);
    }
    std::optional<double> kernel_memory_per_connection_kib() const {
        if (!server || connections_held == 0 || server->peak_kernel_kib == 0) return std::nullopt;
        return (double(server->peak_kernel_kib) - double(server->baseline_kernel_kib)) /
               double(connections_held);
    }
    double server_cpu_s() const { return server ? server->user_s + server->sys_s : 0.0; }
    bool failed() const {
        return !problems.empty() || errors.total() != 0 || presence.state == presence_state::failed;
    }
    // The generator's CPU over the measured window divided by the server's, when both are known.
    std::optional<double> generator_server_cpu_ratio() const {
        if (!loaded || !generator_window_cpu_s || !server || server_cpu_s() <= 0) return {};
        return *generator_window_cpu_s / server_cpu_s();
    }
    // "ok", "errors", "presence-failed", "failed" (a problem beyond counted errors), "skipped" (a
    // sweep cell the backend cannot serve), or "interrupted" (SIGINT ended it early).
    std::string status() const {
        if (!skipped.empty()) return "skipped";
        if (interrupted) return "interrupted";
        if (!problems.empty()) return "failed";
        if (errors.total() != 0) return "errors";
        if (presence.state == presence_state::failed) return "presence-failed";
        return "ok";
    }
};

// The name of a presence state in reports: off, skipped, passed, failed.
inline const char* presence_state_name(presence_state s) {
    switch (s) {
        case presence_state::off:
            return "off";
        case presence_state::skipped:
            return "skipped";
        case presence_state::passed:
            return "passed";
        case presence_state::failed:
            return "failed";
    }
    return "?";
}

}  // namespace robotbench
