// io_uring_unavailable(): sets up a small ring and tries each feature the io_uring backend needs
// (a provided-buffer ring, multishot accept, multishot recv with a provided buffer) on local Unix
// sockets, once per process, and names the cause when the kernel refuses.

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <mutex>
#include <optional>
#include <system_error>

#include "backend.hpp"
#include "io_uring_refusal.hpp"
#include "system/unique_fd.hpp"
#include "uring.hpp"

namespace robotbench {

namespace {

// The value of kernel.io_uring_disabled, or nullopt where the kernel has no such sysctl.
std::optional<int> read_io_uring_disabled() {
    unique_fd file(::open("/proc/sys/kernel/io_uring_disabled", O_RDONLY | O_CLOEXEC));
    if (!file) return std::nullopt;
    char text[16];
    const auto n = ::read(file.get(), text, sizeof text);
    if (n <= 0) return std::nullopt;
    return parse_io_uring_disabled({text, static_cast<std::size_t>(n)});
}

// One completion's result (or -errno when none came) and flags.
struct completion {
    int res;
    unsigned flags;
};

// Submits what is queued and waits for one completion.
completion submit_and_reap(uring::ring& ring) {
    io_uring_submit(ring.get());
    io_uring_cqe* cqe = nullptr;
    __kernel_timespec wait{.tv_sec = 1, .tv_nsec = 0};  // a working kernel answers at once
    if (const int status = io_uring_wait_cqe_timeout(ring.get(), &cqe, &wait); status < 0)
        return {status, 0};
    const completion done{cqe->res, cqe->flags};
    io_uring_cqe_seen(ring.get(), cqe);
    return done;
}

// The errno a step failed with (EOPNOTSUPP when it completed but not as a multishot), or 0.
int multishot_error(const completion& done) {
    if (done.res < 0) return -done.res;
    return (done.flags & IORING_CQE_F_MORE) ? 0 : EOPNOTSUPP;
}

// Arms a multishot accept on a Unix listener and connects to it; the errno, or 0 when it works.
int try_multishot_accept(uring::ring& ring) {
    unique_fd listener(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    socklen_t len = sizeof addr;
    // Binding only the family asks for a free abstract address (autobind).
    if (!listener || ::bind(listener.get(), reinterpret_cast<sockaddr*>(&addr),
                            sizeof addr.sun_family) != 0 ||
        ::listen(listener.get(), 1) != 0 ||
        ::getsockname(listener.get(), reinterpret_cast<sockaddr*>(&addr), &len) != 0)
        return errno;
    io_uring_prep_multishot_accept(ring.next_sqe(), listener.get(), nullptr, nullptr,
                                   SOCK_CLOEXEC);
    unique_fd peer(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!peer || ::connect(peer.get(), reinterpret_cast<sockaddr*>(&addr), len) != 0) return errno;
    const completion done = submit_and_reap(ring);
    if (done.res >= 0) ::close(done.res);
    return multishot_error(done);
}

// Arms a multishot recv from `buffers` on a socket pair and writes a byte; the errno, or 0.
int try_multishot_recv(uring::ring& ring, const uring::buffer_ring& buffers) {
    int pair[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) return errno;
    const unique_fd ours(pair[0]), theirs(pair[1]);
    io_uring_sqe* sqe = ring.next_sqe();
    io_uring_prep_recv_multishot(sqe, ours.get(), nullptr, 0, 0);
    sqe->flags |= IOSQE_BUFFER_SELECT;
    sqe->buf_group = buffers.group();
    if (::write(theirs.get(), "x", 1) != 1) return errno;
    const completion done = submit_and_reap(ring);
    if (done.res >= 0 && !(done.flags & IORING_CQE_F_BUFFER)) return EOPNOTSUPP;
    return multishot_error(done);
}

// The first refusal met, or nullopt when everything the backend needs works.
std::optional<io_uring_refusal> probe() {
    const auto refused = [](io_uring_step step, int error) {
        return io_uring_refusal{step, error, read_io_uring_disabled()};
    };
    try {
        uring::ring ring(8, 16, {0});
        std::optional<uring::buffer_ring> buffers;
        try {
            buffers.emplace(ring, 0, 2, 64);
        } catch (const std::system_error& e) {
            return refused(io_uring_step::buffer_ring, e.code().value());
        }
        if (const int error = try_multishot_accept(ring))
            return refused(io_uring_step::multishot_accept, error);
        if (const int error = try_multishot_recv(ring, *buffers))
            return refused(io_uring_step::multishot_recv, error);
        return std::nullopt;
    } catch (const std::system_error& e) {
        return refused(io_uring_step::setup, e.code().value());
    }
}

}  // namespace

std::string io_uring_unavailable() {
    // A probe that ran out of descriptors proves nothing about the kernel: it counts as
    // available and is not remembered, and a server that then cannot set up its ring says it
    // lacks descriptors.
    static std::mutex mutex;
    static std::optional<std::string> why;  // guarded by mutex
    const std::lock_guard lock(mutex);
    if (why) return *why;
    const auto refusal = probe();
    if (refusal && (refusal->error == EMFILE || refusal->error == ENFILE)) return {};
    why = refusal ? describe(*refusal) : std::string();
    return *why;
}

}  // namespace robotbench
