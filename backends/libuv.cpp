// The libuv backend: one libuv event loop on the serving thread. The listener is watched with a
// uv_poll_t and accepted from with the acceptor every backend shares, rather than through
// uv_listen: libuv's own accept loop calls back for every failed accept and tries again at once,
// so a listener it cannot empty (its reserve descriptor lost, the kernel out of memory) keeps it
// spinning, and it sheds clients without a word. The acceptor refuses them with `!ERR server
// full` and pauses when even that fails: the poll stops and a timer restarts it. Each client is
// a uv_tcp_t opened on the accepted socket (uv_tcp_open), read into one shared scratch buffer;
// replies leave through uv_try_write, with uv_write for what the socket did not take at once.
//
// --idle-timeout: the clients are kept in an idle_list by last progress, and one uv_timer is due
// when the longest-idle client expires; progress only moves a client in the list. The timer may
// fire for a client that has made progress since; it then waits for the next deadline.

#include <sys/socket.h>
#include <uv.h>

#include <cerrno>
#include <cstdint>
#include <memory>
#include <new>
#include <span>
#include <string_view>
#include <system_error>
#include <utility>

#include "backend.hpp"
#include "connection.hpp"
#include "descriptors.hpp"
#include "idle_list.hpp"
#include "libuv_loop.hpp"
#include "net.hpp"
#include "system/unique_fd.hpp"

namespace robotbench {

namespace {

using libuv::as_handle;
using libuv::check;
using libuv::owner_of;

// Descriptors uv_loop_init opens (libuv 1.44: an epoll set, its process-wide signal pipe, the
// loop's signal pipe, an eventfd and one more). It aborts the process when it cannot make the
// signal pipe, so they are made sure of before it is called.
constexpr unsigned loop_descriptors = 7;

// Clients accepted per listener event before the loop serves the others again.
constexpr int accept_batch = 64;

// A uv_buf_t over bytes libuv only reads (uv_buf_t has no const flavour).
uv_buf_t read_only_buf(std::span<const char> bytes) noexcept {
    return uv_buf_init(const_cast<char*>(bytes.data()), static_cast<unsigned>(bytes.size()));
}

class loop_server;

// One client: its TCP handle, its protocol session and its two reusable requests. Created on
// accept; owned by its handle from then on and freed by its own close callback. Loop thread only.
//
// Writes point straight into the session's output buffer, which moves when input is appended to
// it or sent bytes are compacted away. So while a uv_write is in flight the client is not read
// (no input, no consume) and the pointer stays valid. This costs nothing in the common case
// (uv_try_write takes everything), avoids a second per-client copy of the output, and pauses a
// client exactly when the kernel no longer takes its replies, below the max_output bound.
class client final : public libuv::handle_owner, public idle_hook {
public:
    explicit client(loop_server& server);

    // Serves an accepted socket: counts it online and starts reading.
    static void serve(loop_server& server, unique_fd socket) noexcept;

    void close_handle(uv_handle_t*) noexcept override { close_now(); }

    // It made no progress for --idle-timeout: says `!ERR idle timeout` and closes gracefully, or,
    // with replies still pending, just closes. Takes it out of the idle list.
    void expire() noexcept;

private:
    static void on_alloc(uv_handle_t* handle, std::size_t, uv_buf_t* buf) noexcept;
    static void on_read(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf) noexcept;
    static void on_write(uv_write_t* req, int status) noexcept;
    static void on_shutdown(uv_shutdown_t* req, int status) noexcept;
    static void on_close(uv_handle_t* handle) noexcept;

    // Counts the client online and starts reading.
    void start() noexcept;
    // Sends pending output (uv_try_write, then uv_write for the rest), then closes if the session
    // is finished, or reads if it wants input and nothing is in flight.
    void flush() noexcept;
    void update_reading() noexcept;
    // Shuts the write side down once the queued bytes are out; the close follows in on_shutdown.
    void shut_down() noexcept;
    // Drops unread input, so that closing does not turn into a reset that destroys the last reply.
    void discard_unread() noexcept;
    void close_now() noexcept;

    uv_stream_t* stream() noexcept { return reinterpret_cast<uv_stream_t*>(&tcp_); }

    loop_server& server_;
    uv_tcp_t tcp_{};
    uv_write_t write_req_{};        // the one uv_write in flight, reused
    uv_shutdown_t shutdown_req_{};  // used once, when closing gracefully
    protocol::session session_;
    std::size_t in_flight_ = 0;  // bytes of session_.output() handed to uv_write; 0: none
    bool reading_ = false;       // uv_read_start is in effect
    bool shutting_down_ = false;
    bool closing_ = false;  // uv_close was called; on_close frees the client
    bool counted_ = false;  // counted online (not if its socket could not be opened)
};

// The state of one serve() call: the loop, the listener's watch and acceptor, the stop watch and
// the read buffer every client shares. Lives on the serving thread's stack for the whole of
// serve(); built, run and destroyed on that thread.
class loop_server {
public:
    // Sets up the loop and every handle of its own. Throws std::system_error.
    loop_server(const server_options& options, const server_context& ctx);

    // Serves until stop is requested, then closes every handle and the loop.
    void run();

    const server_options& options() const noexcept { return options_; }
    const server_context& ctx() const noexcept { return ctx_; }
    uv_loop_t* loop() noexcept { return loop_.get(); }
    // The one read buffer: a read callback consumes it before the next read fills it.
    std::span<char> scratch() noexcept { return {scratch_.get(), read_chunk}; }

    // The client made progress (or arrived): it moves to the back of the idle list, and the idle
    // timer starts if it was not running. Nothing while --idle-timeout is off.
    void touch(client& c) noexcept;
    // The client is closing: out of the idle list.
    void forget(client& c) noexcept { idle_.remove(c); }

private:
    static void on_listener(uv_poll_t* watch, int status, int events) noexcept;
    static void on_pause_end(uv_timer_t* timer) noexcept;
    static void on_stop(uv_poll_t* watch, int status, int events) noexcept;
    static void on_idle_timer(uv_timer_t* timer) noexcept;
    // Accepts a batch of clients; stops watching the listener while the acceptor pauses.
    void accept_clients() noexcept;
    // Starts the idle timer for the longest-idle client's deadline, if a client is listed.
    void arm_idle_timer(idle_clock::time_point now) noexcept;

    const server_options& options_;
    const server_context& ctx_;
    std::unique_ptr<char[]> scratch_;
    acceptor acceptor_;           // accepts from ctx.listener, which stays the caller's
    uv_poll_t listen_watch_{};    // readable while clients wait; stopped during a pause
    uv_timer_t pause_timer_{};    // ends a pause of accepting
    uv_poll_t stop_watch_{};      // readable once stop is requested
    // --idle-timeout: the clients by last progress, and the timer due when the first of them
    // expires (initialised with --idle-timeout only; active while a client is listed).
    idle_list<client> idle_;
    uv_timer_t idle_timer_{};
    // Declared last so it is destroyed first: the handles above outlive their close callbacks.
    libuv::event_loop loop_;
};

client::client(loop_server& server) : server_(server), session_(server.options().limits) {}

void client::serve(loop_server& server, unique_fd socket) noexcept {
    std::unique_ptr<client> owned;
    try {
        owned = std::make_unique<client>(server);
    } catch (const std::bad_alloc&) {
        return refuse_full(std::move(socket));
    }
    // uv_tcp_init without a socket only links the handle into the loop; it cannot fail.
    if (uv_tcp_init(server.loop(), &owned->tcp_) != 0) return;
    client& self = *owned.release();  // the handle owns it now: on_close frees it
    self.tcp_.data = static_cast<libuv::handle_owner*>(&self);
    if (uv_tcp_open(&self.tcp_, socket.get()) != 0) return self.close_now();  // socket closes
    socket.release();  // the handle owns the descriptor now
    self.start();
}

void client::start() noexcept {
    server_.ctx().online.add();
    counted_ = true;
    server_.touch(*this);
    update_reading();
}

void client::on_alloc(uv_handle_t* handle, std::size_t, uv_buf_t* buf) noexcept {
    const auto scratch = owner_of<client>(handle).server_.scratch();
    *buf = uv_buf_init(scratch.data(), static_cast<unsigned>(scratch.size()));
}

void client::on_read(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf) noexcept {
    client& self = owner_of<client>(as_handle(stream));
    if (nread > 0) {
        if (self.session_.on_input({buf->base, static_cast<std::size_t>(nread)},
                                   self.server_.ctx().online.count()) > 0)
            self.server_.touch(self);
    } else if (nread == UV_EOF) {
        self.reading_ = false;  // libuv stops reading at EOF by itself
        self.session_.on_eof();
    } else if (nread < 0) {
        return self.close_now();  // reset or another read error: nothing can be sent any more
    } else {
        return;  // nothing to read after all
    }
    self.flush();
}

void client::flush() noexcept {
    if (closing_ || shutting_down_ || in_flight_ != 0) return;
    if (auto out = session_.output(); !out.empty()) {
        uv_buf_t buf = read_only_buf(out);
        const int sent = uv_try_write(stream(), &buf, 1);
        if (sent < 0 && sent != UV_EAGAIN) return close_now();
        if (sent > 0) {
            session_.consume(static_cast<std::size_t>(sent));
            server_.touch(*this);
        }
        out = session_.output();
        if (!out.empty()) {
            buf = read_only_buf(out);
            if (uv_write(&write_req_, stream(), &buf, 1, on_write) != 0) return close_now();
            in_flight_ = out.size();
        }
    }
    if (session_.finished()) return shut_down();
    update_reading();
}

void client::on_write(uv_write_t* req, int status) noexcept {
    client& self = owner_of<client>(as_handle(req->handle));
    const std::size_t sent = std::exchange(self.in_flight_, 0);
    if (self.closing_) return;  // cancelled by uv_close
    if (status < 0) return self.close_now();
    self.session_.consume(sent);
    self.server_.touch(self);
    self.flush();
}

void client::update_reading() noexcept {
    const bool want = in_flight_ == 0 && session_.wants_input();
    if (want == reading_) return;
    if (want) {
        if (uv_read_start(stream(), on_alloc, on_read) != 0) return close_now();
    } else {
        uv_read_stop(stream());
    }
    reading_ = want;
}

void client::shut_down() noexcept {
    if (shutting_down_ || closing_) return;
    shutting_down_ = true;
    if (reading_) uv_read_stop(stream());
    reading_ = false;
    if (uv_shutdown(&shutdown_req_, stream(), on_shutdown) != 0) close_now();
}

void client::on_shutdown(uv_shutdown_t* req, int status) noexcept {
    client& self = owner_of<client>(as_handle(req->handle));
    if (self.closing_) return;  // cancelled by uv_close
    if (status == 0) self.discard_unread();
    self.close_now();
}

void client::discard_unread() noexcept {
    uv_os_fd_t fd = -1;
    if (uv_fileno(as_handle(&tcp_), &fd) != 0) return;
    const auto sink = server_.scratch();
    for (int i = 0; i < 16; ++i) {
        const auto n = ::recv(fd, sink.data(), sink.size(), MSG_DONTWAIT);
        if (n > 0 || (n < 0 && errno == EINTR)) continue;
        break;
    }
}

void client::expire() noexcept {
    server_.forget(*this);
    if (closing_) return;
    // Replies pending, or a shutdown still waiting for them: nothing more can be said in order.
    if (shutting_down_ || in_flight_ != 0 || !session_.output().empty()) return close_now();
    const uv_buf_t notice = read_only_buf(protocol::idle_timeout_reply);
    uv_try_write(stream(), &notice, 1);
    shut_down();
}

void client::close_now() noexcept {
    if (closing_) return;
    closing_ = true;
    server_.forget(*this);
    uv_close(as_handle(&tcp_), on_close);
}

void client::on_close(uv_handle_t* handle) noexcept {
    std::unique_ptr<client> self(&owner_of<client>(handle));
    if (self->counted_) self->server_.ctx().online.remove();
}

loop_server::loop_server(const server_options& options, const server_context& ctx)
    : options_(options),
      ctx_(ctx),
      scratch_(std::make_unique_for_overwrite<char[]>(read_chunk)),
      acceptor_(ctx.listener),
      idle_(options.idle_timeout) {
    uv_loop_t* loop = loop_.get();
    loop->data = this;
    // Closing a uv_poll_t leaves its descriptor open: ctx.listener stays the caller's.
    check(uv_poll_init(loop, &listen_watch_, ctx.listener), "uv_poll_init listener");
    check(uv_poll_start(&listen_watch_, UV_READABLE, on_listener), "uv_poll_start listener");
    check(uv_timer_init(loop, &pause_timer_), "uv_timer_init");
    check(uv_poll_init(loop, &stop_watch_, ctx.stop.fd()), "uv_poll_init");
    check(uv_poll_start(&stop_watch_, UV_READABLE, on_stop), "uv_poll_start");
    if (idle_.enabled()) check(uv_timer_init(loop, &idle_timer_), "uv_timer_init");
}

void loop_server::touch(client& c) noexcept {
    if (!idle_.enabled()) return;
    const auto now = idle_clock::now();
    idle_.touch(c, now);
    if (uv_is_active(as_handle(&idle_timer_)) == 0) arm_idle_timer(now);
}

void loop_server::arm_idle_timer(idle_clock::time_point now) noexcept {
    const int wait_ms = idle_.wait_ms(now);
    if (wait_ms >= 0)
        uv_timer_start(&idle_timer_, on_idle_timer, static_cast<std::uint64_t>(wait_ms), 0);
}

void loop_server::on_idle_timer(uv_timer_t* timer) noexcept {
    auto& self = *static_cast<loop_server*>(timer->loop->data);
    const auto now = idle_clock::now();
    while (client* c = self.idle_.expired(now)) c->expire();
    self.arm_idle_timer(now);
}

void loop_server::run() {
    loop_.run();
    loop_.close();
}

void loop_server::on_listener(uv_poll_t* watch, int, int) noexcept {
    // An error status is the listener's and shows in accept too: the acceptor decides.
    static_cast<loop_server*>(watch->loop->data)->accept_clients();
}

void loop_server::accept_clients() noexcept {
    for (int i = 0; i < accept_batch; ++i) {
        auto socket = acceptor_.accept();
        if (!socket) break;
        if (at_capacity(options_, ctx_.online))
            refuse_full(std::move(*socket));
        else
            client::serve(*this, std::move(*socket));
    }
    if (const int pause_ms = acceptor_.pause_left_ms(); pause_ms >= 0) {
        uv_poll_stop(&listen_watch_);
        uv_timer_start(&pause_timer_, on_pause_end, static_cast<std::uint64_t>(pause_ms), 0);
    }
}

void loop_server::on_pause_end(uv_timer_t* timer) noexcept {
    auto& self = *static_cast<loop_server*>(timer->loop->data);
    if (uv_poll_start(&self.listen_watch_, UV_READABLE, on_listener) != 0)  // try again later
        uv_timer_start(timer, on_pause_end,
                       static_cast<std::uint64_t>(acceptor::longest_pause.count()), 0);
}

void loop_server::on_stop(uv_poll_t* watch, int, int) noexcept {
    // Every handle closes, so the loop ends once the close callbacks ran.
    static_cast<loop_server*>(watch->loop->data)->loop_.close_all();
}

class libuv_server final : public server {
public:
    explicit libuv_server(const server_options& options) : options_(options) {}
    void serve(const server_context& ctx) override {
        require_free_descriptors(loop_descriptors + 2,
                                 "libuv's loop, the acceptor's spare descriptor and a client");
        loop_server state(options_, ctx);
        ctx.ready(1);
        state.run();
    }

private:
    server_options options_;
};

}  // namespace

std::unique_ptr<server> make_libuv_server(const server_options& options) {
    return std::make_unique<libuv_server>(options);
}

}  // namespace robotbench
