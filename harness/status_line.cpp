#include "status_line.hpp"

#include <fmt/core.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>

#include "units.hpp"

namespace robotbench {

std::string status_text(std::string_view label, const loadgen::progress& p) {
    const auto elapsed = std::chrono::duration<double>(p.elapsed).count();
    return fmt::format("[{}] {:.0f}s {}: {} req/s, p99 {}, {} errors", label, elapsed,
                       p.warming_up ? "warming up" : "measured", format_rate(p.requests_per_s),
                       p.warming_up ? std::string("n/a") : format_latency(p.p99_ns),
                       format_count(p.errors));
}

status_line::status_line(std::FILE* to)
    : to_(to), enabled_(to != nullptr && ::isatty(::fileno(to)) == 1) {}

void status_line::show(std::string_view label, const loadgen::progress& p) {
    if (!enabled_) return;
    // Carriage return, then erase to the end of the line (ANSI EL).
    fmt::print(to_, "\r\x1b[K{}", status_text(label, p));
    std::fflush(to_);
    shown_ = true;
}

void status_line::show(std::string_view label, std::string_view phase) {
    if (!enabled_) return;
    fmt::print(to_, "\r\x1b[K[{}] {}", label, phase);
    std::fflush(to_);
    shown_ = true;
}

void status_line::clear() {
    if (!shown_) return;
    fmt::print(to_, "\r\x1b[K");
    std::fflush(to_);
    shown_ = false;
}

}  // namespace robotbench
