// The reactors backend: one edge-triggered epoll loop per thread (--threads, default one per
// core), each with its own epoll set and its own clients, as muduo's EventLoopThreadPool, netty's
// event loop group or asio's io_context per core. A client lives on one loop from accept to
// close, so the loops share nothing on the hot path but the online count (one atomic).
//
// How clients reach the loops: one acceptor, round-robin. Loop 0 (on the serving thread) accepts
// from the one listener and hands each client to the next loop through that loop's queue and
// eventfd (muduo's way), rather than every loop accepting on its own SO_REUSEPORT listener:
//  - the spread is exact (50 clients on 4 loops: 13, 13, 12, 12); the kernel's hash of the
//    client's address and port can leave one loop with far more, and the busiest loop sets the
//    throughput of a closed-loop benchmark;
//  - --max-conns is exact, since only the acceptor adds to the count it checks;
//  - one listener and one spare descriptor serve the EMFILE trick for the whole process;
//  - no connection can be lost in a closing listener's queue, and no other process that binds
//    the port with SO_REUSEPORT can take a share of the clients.
// The price is one queue push and one eventfd write per accepted client, never per request;
// accepting costs loop 0 a little time its own clients do not get.

#include <exception>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "backend.hpp"
#include "epoll_loop.hpp"

namespace robotbench {

namespace {

// The first failure of any loop, kept for the serving thread. Any thread may record.
class first_failure {
  public:
    // Runs `loop`; if it throws, keeps the error and asks every loop to stop.
    void run(epoll_loop& loop, const stop_event& stop) noexcept {
        try {
            loop.run();
        } catch (...) {
            {
                const std::lock_guard lock(mutex_);
                if (!error_) error_ = std::current_exception();
            }
            stop.request();
        }
    }

    // Rethrows the kept error, if any. Once every loop has ended.
    void rethrow() {
        const std::lock_guard lock(mutex_);
        if (error_) std::rethrow_exception(error_);
    }

  private:
    std::mutex mutex_;
    std::exception_ptr error_;
};

class reactors_server final : public server {
  public:
    explicit reactors_server(const server_options& options) : options_(options) {}
    void serve(const server_context& ctx) override;

  private:
    server_options options_;
};

void reactors_server::serve(const server_context& ctx) {
    unsigned count = options_.threads != 0 ? options_.threads : std::thread::hardware_concurrency();
    if (count == 0) count = 1;
    // Destroyed after the threads below have joined: each loop then closes its clients.
    std::vector<std::unique_ptr<epoll_loop>> loops;
    std::vector<epoll_loop*> targets;
    for (unsigned i = 0; i < count; ++i) {
        loops.push_back(std::make_unique<epoll_loop>(options_, ctx));
        targets.push_back(loops.back().get());
    }
    loops.front()->accept_into(std::move(targets));
    first_failure failure;
    {
        std::vector<std::jthread> threads;  // joined on leaving this block, even by an exception
        threads.reserve(count - 1);
        try {
            for (unsigned i = 1; i < count; ++i)
                threads.emplace_back(
                    [&failure, &ctx, loop = loops[i].get()] { failure.run(*loop, ctx.stop); });
            ctx.ready(1);
        } catch (...) {
            ctx.stop.request();  // lets the loops already started end, so they can be joined
            throw;
        }
        failure.run(*loops.front(), ctx.stop);
    }
    failure.rethrow();
}

}  // namespace

std::unique_ptr<server> make_reactors_server(const server_options& options) {
    return std::make_unique<reactors_server>(options);
}

}  // namespace robotbench
