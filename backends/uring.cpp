#include "uring.hpp"

#include <sys/mman.h>

#include <cerrno>
#include <system_error>

namespace robotbench::uring {

namespace {

[[noreturn]] void fail(int error, const char* what) {
    throw std::system_error(error, std::generic_category(), what);
}

}  // namespace

mapping::mapping(std::size_t size) : size_(size) {
    base_ = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base_ == MAP_FAILED) fail(errno, "mmap");
}

mapping::~mapping() { ::munmap(base_, size_); }

ring::ring(unsigned entries, unsigned cq_entries, std::initializer_list<unsigned> flag_choices) {
    int status = -EINVAL;
    for (const unsigned flags : flag_choices) {
        io_uring_params params{};
        params.flags = flags | IORING_SETUP_CQSIZE;
        params.cq_entries = cq_entries;
        status = io_uring_queue_init_params(entries, &ring_, &params);
        if (status != -EINVAL) break;
    }
    if (status < 0) fail(-status, "io_uring_setup");
}

ring::~ring() { io_uring_queue_exit(&ring_); }

io_uring_sqe* ring::next_sqe() {
    for (;;) {
        if (io_uring_sqe* sqe = io_uring_get_sqe(&ring_)) return sqe;
        const int status = io_uring_submit(&ring_);
        if (status < 0 && status != -EINTR && status != -EAGAIN && status != -EBUSY)
            fail(-status, "io_uring_submit");
    }
}

buffer_ring::buffer_ring(ring& owner, std::uint16_t group, unsigned count, unsigned size)
    : owner_(owner),
      group_(group),
      count_(count),
      size_(size),
      entries_(count * sizeof(io_uring_buf)),
      buffers_(std::size_t{count} * size) {
    auto* entries = reinterpret_cast<io_uring_buf_ring*>(entries_.data());
    io_uring_buf_ring_init(entries);
    io_uring_buf_reg reg{};
    reg.ring_addr = reinterpret_cast<std::uintptr_t>(entries);
    reg.ring_entries = count;
    reg.bgid = group;
    if (const int status = io_uring_register_buf_ring(owner.get(), &reg, 0); status < 0)
        fail(-status, "io_uring_register_buf_ring");
    for (unsigned id = 0; id < count; ++id) recycle(static_cast<std::uint16_t>(id));
    publish();
}

buffer_ring::~buffer_ring() { io_uring_unregister_buf_ring(owner_.get(), group_); }

void buffer_ring::recycle(std::uint16_t id) noexcept {
    auto* entries = reinterpret_cast<io_uring_buf_ring*>(entries_.data());
    io_uring_buf_ring_add(entries, buffers_.data() + std::size_t{id} * size_, size_, id,
                          io_uring_buf_ring_mask(count_), static_cast<int>(recycled_));
    ++recycled_;
}

void buffer_ring::publish() noexcept {
    if (recycled_ == 0) return;
    io_uring_buf_ring_advance(reinterpret_cast<io_uring_buf_ring*>(entries_.data()),
                              static_cast<int>(recycled_));
    recycled_ = 0;
}

}  // namespace robotbench::uring
