#pragma once
// Ownership of an io_uring instance and of a provided-buffer ring registered with it, for the
// io_uring backend and its availability probe. liburing 2.3 has no io_uring_setup_buf_ring, so
// the buffer ring's memory is mapped here and registered with io_uring_register_buf_ring.

#include <liburing.h>

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <span>

namespace robotbench::uring {

// An anonymous private mapping of `size` bytes, unmapped on destruction. Throws std::system_error.
class mapping {
public:
    explicit mapping(std::size_t size);
    ~mapping();
    mapping(const mapping&) = delete;
    mapping& operator=(const mapping&) = delete;

    char* data() const noexcept { return static_cast<char*>(base_); }

private:
    void* base_;
    std::size_t size_;
};

// One io_uring: set up in the constructor, torn down (io_uring_queue_exit) in the destructor.
// Not movable, since buffer rings and in-flight requests refer to it. One thread at a time.
class ring {
public:
    // Sets up `entries` submission slots and `cq_entries` completion slots with the first set of
    // IORING_SETUP_* flags in `flag_choices` the kernel accepts (an older kernel rejects newer
    // flags with EINVAL). Throws std::system_error naming io_uring_setup with the kernel's errno.
    ring(unsigned entries, unsigned cq_entries, std::initializer_list<unsigned> flag_choices);
    ~ring();
    ring(const ring&) = delete;
    ring& operator=(const ring&) = delete;

    io_uring* get() noexcept { return &ring_; }

    // A free submission slot; when the queue is full, what is queued is submitted first.
    // Throws std::system_error if that submission fails.
    io_uring_sqe* next_sqe();

private:
    io_uring ring_{};
};

// `count` (a power of two) provided buffers of `size` bytes each, in buffer group `group`,
// registered with a ring. The kernel takes one per completed receive; recycle() gives it back.
// Unregistered and unmapped on destruction, which must come before the ring's. Ring thread only.
class buffer_ring {
public:
    // Maps the buffers and registers them, all available. Throws std::system_error naming
    // io_uring_register_buf_ring with the kernel's errno.
    buffer_ring(ring& owner, std::uint16_t group, unsigned count, unsigned size);
    ~buffer_ring();
    buffer_ring(const buffer_ring&) = delete;
    buffer_ring& operator=(const buffer_ring&) = delete;

    std::uint16_t group() const noexcept { return group_; }

    // The first `n` bytes of buffer `id`, as the kernel filled them.
    std::span<const char> bytes(std::uint16_t id, std::size_t n) const noexcept {
        return {buffers_.data() + std::size_t{id} * size_, n};
    }

    // Hands buffer `id` back; the kernel sees it after the next publish().
    void recycle(std::uint16_t id) noexcept;

    // Makes every recycled buffer visible to the kernel at once.
    void publish() noexcept;

private:
    ring& owner_;
    std::uint16_t group_;
    unsigned count_;
    unsigned size_;
    mapping entries_;  // the io_uring_buf_ring the kernel reads
    mapping buffers_;  // count_ * size_ bytes of buffer space
    unsigned recycled_ = 0;  // added since the last publish()
};

}  // namespace robotbench::uring
