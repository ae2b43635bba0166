// Connecting, sending and closing one load-generator connection.

#include "connection.hpp"

#include "protocol/reply.hpp"

namespace robotbench::loadgen {

client_connection::client_connection(std::uint32_t id, std::size_t payload_size,
                                     std::size_t expected_in_flight)
    : payloads_(id, payload_size),
      validator_(expected_in_flight),
      splitter_(protocol::echo_reply_size(payload_size)) {
    out_.reserve(expected_in_flight * payloads_.request_size());
}

int client_connection::connect(const resolved_endpoint& target, std::int64_t now) {
    connect_started_ = now;
    connect_attempt attempt = start_connect(target);
    if (attempt.error != 0) return attempt.error;
    fd_ = std::move(attempt.fd);
    state_ = attempt.established ? conn_state::open : conn_state::connecting;
    return 0;
}

int client_connection::complete_connect() noexcept {
    const int error = finish_connect(fd_.get());
    if (error == 0) state_ = conn_state::open;
    return error;
}

io_status client_connection::flush() noexcept {
    while (!out_.empty()) {
        const io_result r = write_some(fd_.get(), out_.pending());
        if (r.status != io_status::ok) return r.status;
        out_.consume(r.bytes);
    }
    return io_status::ok;
}

void client_connection::close() noexcept {
    fd_.reset();
    state_ = conn_state::idle;
    splitter_.clear();
    out_.clear();
}

}  // namespace robotbench::loadgen
