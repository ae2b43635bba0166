#pragma once
// The load generator's public interface: what a run is asked to do and what it found. The load
// generator speaks only the wire protocol; it never includes a backend header.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "histogram.hpp"

namespace robotbench::loadgen {

using namespace std::chrono_literals;

// Where the server under test listens.
struct endpoint {
    std::string host = "127.0.0.1";
    std::uint16_t port = 0;
};

// One load run (closed loop, or open loop when rate > 0).
struct load_config {
    endpoint target;
    unsigned connections = 64;            // -c
    unsigned threads = 0;                 // -t, generator threads; 0: generator_threads()' default
    std::size_t size = 64;                // --size, payload bytes per request
    unsigned pipeline = 1;                // -P, requests in flight per connection
    double rate = 0;                      // -R, total requests per second; 0: closed loop
    std::chrono::nanoseconds warmup = 1s; // not recorded
    std::chrono::nanoseconds duration = 5s;
    // When above 0, the measured window holds this many requests instead of lasting `duration`:
    // closed loop, each connection sends its share (N / connections, the first N % connections
    // one more) after the warm-up and the window closes when every reply is in; open loop, the
    // N scheduled sends after the warm-up, and the window closes when their replies are in (at
    // most `timeout` after the last send). Run_load only.
    std::uint64_t requests = 0;
    std::chrono::nanoseconds timeout = 5s;  // a reply later than this is a timeout
    // The measured window is cut into intervals of this length from its start, each recorded
    // on its own (load_result::intervals): the timeline and the HdrHistogram interval log.
    std::chrono::nanoseconds interval = 1s;
    // Set by another thread (e.g. on SIGINT) to end the run early: the measured window closes at
    // the generator threads' next loop pass (within ~50 ms), what is in flight is recorded as
    // unanswered, and no drain follows. nullptr: the run always lasts its full length. Not owned.
    const std::atomic<bool>* stop = nullptr;
    // Called once, on the thread that called run_load (or run_churn, run_idle), when every
    // generator thread is connected and waiting at the start line, just before the run's clock
    // starts: a distributed run waits there for the other ranks (a barrier), so that they all
    // start the warm-up together, each then on its own clock. Empty: the clock starts at once.
    std::function<void()> before_start;
};

// The generator threads a run uses: config.threads, or half the cores (at least one) when 0,
// leaving the rest to a server on the same machine; never more than there are connections. The
// one place that default is decided. Pure; any thread.
unsigned generator_threads(const load_config& config);

// In open loop a connection keeps at most this many requests in flight; sends due beyond it
// wait (and count as unsent if the window ends first). -P does not apply to open loop.
constexpr std::size_t open_loop_max_in_flight = 4096;

// Failures counted by kind.
struct error_counts {
    std::uint64_t connect = 0;    // connect() failed or timed out
    std::uint64_t reset = 0;      // ECONNRESET / EPIPE while connected
    std::uint64_t closed = 0;     // the server closed a connection that had requests in flight
    std::uint64_t timeout = 0;    // a reply did not come within the timeout
    std::uint64_t wrong = 0;      // a reply line that is not the echo of any request in flight
    std::uint64_t reordered = 0;  // the echo of a later request arrived before an earlier one's
    std::uint64_t missing = 0;    // requests in flight whose replies never came

    std::uint64_t total() const noexcept {
        return connect + reset + closed + timeout + wrong + reordered + missing;
    }
    error_counts& operator+=(const error_counts& o) noexcept {
        connect += o.connect, reset += o.reset, closed += o.closed, timeout += o.timeout;
        wrong += o.wrong, reordered += o.reordered, missing += o.missing;
        return *this;
    }
};

// CPU time of a process (or of a group of processes).
struct cpu_times {
    double user_s = 0;
    double sys_s = 0;
};

// One interval of the measured window, every generator thread together.
struct interval_result {
    std::chrono::nanoseconds begin{};   // from the start of the measured window
    std::chrono::nanoseconds length{};  // load_config::interval; the last one may be shorter
    std::uint64_t requests = 0;         // replies validated in it
    std::uint64_t errors = 0;           // errors counted in it (all kinds)
    std::uint64_t open_connections = 0; // connections the generator held open at its end
    // As load_result::latency; the last interval also holds the unanswered and unsent requests,
    // recorded when the window closed, so the intervals add up to load_result::latency.
    histogram_snapshot latency;
};

// What one load run measured. Latencies in ns.
struct load_result {
    std::uint64_t requests = 0;           // replies validated inside the measured window
    // Requests of the measured window still waiting for their reply when it closed (closed loop:
    // every request in flight; open loop: those the schedule asked for in the window). Each is in
    // `latency` with the time it had waited by then.
    std::uint64_t unanswered = 0;
    // Open loop: requests the schedule asked for in the window that were never sent (connection
    // reconnecting, in-flight bound reached, generator behind). In `latency` likewise.
    std::uint64_t unsent = 0;
    // Requests sent in the measured window (open loop: of those it scheduled). With a request
    // count (load_config::requests) every one is validated, unanswered, or counted as an error,
    // and sent + unsent is the count.
    std::uint64_t sent = 0;
    bool interrupted = false;             // config.stop ended the run early
    error_counts errors;                  // over warm-up and measured window together
    histogram latency;                    // open loop: from the intended send time; count is
                                          // requests + unanswered + unsent
    histogram service;                    // from the actual send time (never-sent excluded)
    std::chrono::nanoseconds measured{};  // length of the measured window actually observed
    // When the measured window opened and closed (steady clock; zero when it never did), so the
    // harness can charge the server's CPU to the same stretch of time.
    std::chrono::steady_clock::time_point window_begin{};
    std::chrono::steady_clock::time_point window_end{};
    std::chrono::nanoseconds max_lag{};   // open loop: worst delay of a send behind its schedule
    std::uint64_t connects = 0;           // connections established (churn: the connect count)
    histogram connect_latency;            // connect() to established
    cpu_times generator_cpu;              // the generator's own CPU over the whole run
    std::vector<interval_result> intervals;  // the measured window, in order (config.interval)

    double throughput() const {           // replies per second in the measured window
        return measured.count() > 0 ? requests * 1e9 / double(measured.count()) : 0.0;
    }
};

// A once-a-second snapshot for a live status line.
struct progress {
    std::chrono::nanoseconds elapsed{};
    bool warming_up = false;
    double requests_per_s = 0;   // over the last second
    std::uint64_t p99_ns = 0;    // so far in the measured window
    std::uint64_t errors = 0;    // so far
};
using progress_fn = std::function<void(const progress&)>;

// Runs the closed- or open-loop load. Calls on_progress (if set) about once a second from the
// calling thread. Throws usage_error for impossible settings.
load_result run_load(const load_config& config, const progress_fn& on_progress = {});

// --scenario churn: connections open, send `requests_per_connection` requests, and close, at a
// target rate of `connect_rate` connections per second.
struct churn_config {
    load_config load;                         // target, threads, size, warmup, duration, timeout
    double connect_rate = 1000;               // connections per second, all threads together
    unsigned requests_per_connection = 4;     // K
};
load_result run_churn(const churn_config& config, const progress_fn& on_progress = {});

// --scenario idle: `load.connections` connections held open, each sending one request every
// `interval` (their sends staggered over it), while `probes` probe connections send `probe_rate`
// requests per second in total. The latency reported is the probes'; every reply of every
// connection is validated. What the idle connections cost the server is the harness's to measure.
struct idle_config {
    load_config load;                       // target, connections, threads, size, durations
    std::chrono::nanoseconds interval = 2s; // between two requests of one idle connection
    unsigned probes = 4;
    double probe_rate = 200;                // requests per second over all probes
};
struct idle_result {
    load_result probes;  // latency, throughput and errors of the probe connections
    load_result idle;    // requests, errors and connects of the idle connections
};
idle_result run_idle(const idle_config& config, const progress_fn& on_progress = {});

// --scenario presence: clients open in waves and close in every way (FIN, RST, /quit,
// half-close); `/online` asked at checkpoints from a control connection.
struct presence_config {
    endpoint target;
    unsigned waves = 4;
    unsigned clients_per_wave = 40;
    std::chrono::nanoseconds settle = 2s;   // longest wait for the count to become exact
    // Clients the server has besides the generator's, when known: 0 for a server robotbench
    // started itself (a count off by a constant is then caught). Unknown (nullopt): taken from
    // the first steady `/online` answer, as another load generator or users may be connected.
    std::optional<std::int64_t> others;
    // A distributed run (mpirun): every rank runs this check at the same time against the same
    // server, each with its own clients and control connection, and the count is checked against
    // all of them. Called by every rank at the same steps (a collective, from the thread that
    // runs the check): takes this rank's connections that the server counts (its open clients
    // and its control connection) and returns their sum over every rank. Empty: this process is
    // the only generator.
    std::function<std::int64_t(std::int64_t)> sum_over_ranks;
};
struct presence_result {
    bool supported = true;        // false when the server does not answer `/online`
    std::string note;             // why checks were skipped, when they were
    unsigned checks = 0;
    unsigned failures = 0;
    std::vector<std::string> failure_details;   // one line each
    std::chrono::nanoseconds max_convergence{};
    std::chrono::nanoseconds median_convergence{};
};
presence_result run_presence(const presence_config& config);

}  // namespace robotbench::loadgen
