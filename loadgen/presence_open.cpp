// The presence scenario's opening step: a wave of clients connect at once, and each counts as
// known open once the server has echoed its first line.

#include <fmt/core.h>
#include <poll.h>

#include <cerrno>
#include <vector>

#include "presence_scenario.hpp"
#include "protocol/reply.hpp"

namespace robotbench::loadgen::presence_detail {

namespace {

// A client of the wave being opened.
struct opening {
    unsigned id = 0;
    line_socket socket;
    std::string payload;  // the line it sends; the echo proves the server accepted it
    bool connected = false;
    bool accepted = false;
    std::string failure;  // why it was not accepted, once it was not
};

// Handles news on one client of the wave; returns true once the client is settled either way.
bool advance(opening& c, clock::time_point& last_change) {
    if (c.socket.connecting()) {
        if (!c.socket.finish_connect()) {
            c.failure = "connect: " + error_text(c.socket.error());
            return true;
        }
        c.connected = true;
        last_change = clock::now();
        if (!c.socket.send_all(c.payload + "\n")) {
            c.failure = "send: " + error_text(c.socket.error());
            return true;
        }
        return false;
    }
    const auto status = c.socket.receive();
    if (auto line = c.socket.next_line()) {
        if (protocol::is_echo_of(*line, c.payload))
            c.accepted = true;
        else
            c.failure = fmt::format("answered '{}'", printable(*line));
        return true;
    }
    if (status == io_status::closed) c.failure = "closed by the server before any answer";
    if (status == io_status::failed) c.failure = error_text(c.socket.error());
    return status == io_status::closed || status == io_status::failed;
}

}  // namespace

void scenario::open_wave(unsigned wave) {
    if (control_lost_) return;
    ++checks_;
    std::vector<opening> wave_clients(config_.clients_per_wave);
    std::vector<std::size_t> unsettled;  // indexes into wave_clients
    for (std::size_t i = 0; i < wave_clients.size(); ++i) {
        auto& c = wave_clients[i];
        c.id = next_id_++;
        c.payload = fmt::format("presence client {}", c.id);
        if (!c.socket.start_connect(to_)) {
            const int e = c.socket.error();
            c.failure = e == EMFILE || e == ENFILE
                            ? "the generator is out of descriptors (raise ulimit -n)"
                            : "connect: " + error_text(e);
            continue;
        }
        if (!c.socket.connecting()) {
            c.connected = true;
            last_change_ = clock::now();
            if (!c.socket.send_all(c.payload + "\n")) {
                c.failure = "send: " + error_text(c.socket.error());
                continue;
            }
        }
        unsettled.push_back(i);
    }

    const auto deadline = clock::now() + answer_wait();
    std::vector<pollfd> fds;
    while (!unsettled.empty() && clock::now() < deadline) {
        fds.clear();
        for (const auto i : unsettled) {
            const auto& s = wave_clients[i].socket;
            fds.push_back({s.fd(), static_cast<short>(s.connecting() ? POLLOUT : POLLIN), 0});
        }
        if (::poll(fds.data(), fds.size(), poll_timeout(deadline)) <= 0) continue;
        std::size_t kept = 0;
        for (std::size_t k = 0; k < unsettled.size(); ++k) {
            const auto i = unsettled[k];
            if (fds[k].revents == 0 || !advance(wave_clients[i], last_change_))
                unsettled[kept++] = i;
        }
        unsettled.resize(kept);
    }
    for (const auto i : unsettled)
        wave_clients[i].failure = fmt::format("no answer within {}", format_ms(answer_wait()));

    unsigned refused = 0;
    const opening* first_refused = nullptr;
    for (auto& c : wave_clients) {
        if (c.accepted) {
            open_.push_back({c.id, std::move(c.socket)});
            continue;
        }
        if (++refused == 1) first_refused = &c;
        if (c.socket.is_open()) c.socket.close_with_reset();
        if (c.connected) last_change_ = clock::now();
    }
    if (refused > 0)
        fail(fmt::format("wave {}: {} of {} clients were not accepted (client {}: {})", wave,
                         refused, wave_clients.size(), first_refused->id, first_refused->failure));
}

}  // namespace robotbench::loadgen::presence_detail
