#include "presence_control.hpp"

#include <fmt/core.h>
#include <poll.h>

#include <stdexcept>

#include "protocol/reply.hpp"

namespace robotbench::loadgen::presence_detail {

namespace {

online_answer classify(std::string line) {
    online_answer out;
    out.at = clock::now();
    if (const auto n = protocol::parse_online_reply(line)) {
        out.what = online_answer::kind::count;
        out.count = *n;
        return out;
    }
    out.what = protocol::is_echo_of(line, protocol::online_command)
                   ? online_answer::kind::unsupported
                   : online_answer::kind::malformed;
    out.line = std::move(line);
    return out;
}

online_answer lost(std::string why) {
    online_answer out;
    out.what = online_answer::kind::lost;
    out.line = std::move(why);
    out.at = clock::now();
    return out;
}

}  // namespace

std::string describe(const online_answer& answer) {
    switch (answer.what) {
        case online_answer::kind::silent:
            return fmt::format("no answer to /online within {}", format_ms(answer_timeout));
        case online_answer::kind::unsupported:
            return fmt::format("answered /online with '{}': it does not implement /online",
                               printable(answer.line));
        case online_answer::kind::malformed:
            return fmt::format(
                "malformed /online answer '{}' (not 'online N', N a 64-bit "
                "count in plain digits)",
                printable(answer.line));
        case online_answer::kind::count:
            return fmt::format("online {}", answer.count);
        case online_answer::kind::lost:
            break;
    }
    return answer.line;
}

control_connection::control_connection(const address& to, clock::duration timeout) {
    if (!socket_.start_connect(to))
        throw std::runtime_error("connect: " + error_text(socket_.error()));
    const auto deadline = clock::now() + timeout;
    while (socket_.connecting()) {
        pollfd p{socket_.fd(), POLLOUT, 0};
        const int ready = ::poll(&p, 1, poll_timeout(deadline));
        if (ready <= 0) {
            if (clock::now() < deadline) continue;
            throw std::runtime_error("connect: no answer within the timeout");
        }
        if (!socket_.finish_connect())
            throw std::runtime_error("connect: " + error_text(socket_.error()));
    }
}

bool control_connection::ask() {
    if (!lost_.empty()) return false;
    if (!socket_.send_all("/online\n")) {
        lost_ = "send: " + error_text(socket_.error());
        return false;
    }
    asking_ = true;
    return true;
}

std::optional<online_answer> control_connection::try_answer() {
    if (!lost_.empty()) {
        asking_ = false;
        return lost(lost_);
    }
    for (;;) {
        if (auto line = socket_.next_line()) {
            asking_ = false;
            return classify(std::move(*line));
        }
        switch (socket_.receive()) {
            case io_status::ok:
                continue;
            case io_status::again:
                return std::nullopt;
            case io_status::closed:
                lost_ = "the server closed the control connection";
                break;
            case io_status::failed:
                lost_ = "control connection: " + error_text(socket_.error());
                break;
        }
        asking_ = false;
        return lost(lost_);
    }
}

online_answer control_connection::wait_answer(clock::time_point deadline) {
    for (;;) {
        if (auto answer = try_answer()) return std::move(*answer);
        pollfd p{socket_.fd(), POLLIN, 0};
        if (::poll(&p, 1, poll_timeout(deadline)) <= 0 && clock::now() >= deadline) {
            online_answer silent;
            silent.at = clock::now();
            return silent;
        }
    }
}

online_answer control_connection::ask_and_wait(clock::duration timeout) {
    const auto deadline = clock::now() + timeout;
    if (!ask()) return lost(lost_);
    return wait_answer(deadline);
}

}  // namespace robotbench::loadgen::presence_detail
