// The epoll backend: one thread, one edge-triggered epoll set (the redis ae / muduo EventLoop
// shape). Every client is registered once for input, output and peer shutdown, and never touched
// with epoll_ctl again; each event drains the socket (read up to 64 KiB into the loop's spill
// buffer, answer, write every reply of that read in one send) until it has no more input. The
// loop itself is epoll_loop, shared with the reactors backend; here it also accepts.
//
// No client owns a read buffer: the spill buffer is the loop's, and the session keeps only an
// unfinished line (at most --max-line + 1 bytes) and the replies not sent yet. Since the session
// answers every read at once and keeps the unfinished line itself, muduo's readv into a
// per-client buffer plus a spill buffer would only add a copy: one recv into the spill buffer
// does the same job.

#include <memory>

#include "backend.hpp"
#include "epoll_loop.hpp"

namespace robotbench {

namespace {

class epoll_server final : public server {
  public:
    explicit epoll_server(const server_options& options) : options_(options) {}

    // Runs the one loop on the calling thread; its clients are closed when it is destroyed.
    void serve(const server_context& ctx) override {
        epoll_loop loop(options_, ctx);
        loop.accept_into({&loop});
        ctx.ready(1);
        loop.run();
    }

  private:
    server_options options_;
};

}  // namespace

std::unique_ptr<server> make_epoll_server(const server_options& options) {
    return std::make_unique<epoll_server>(options);
}

}  // namespace robotbench
