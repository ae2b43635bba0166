#pragma once
// A POSIX utility, not part of the protocol: the owning file descriptor every layer uses, and the
// project's one place where close(2) is called on a descriptor that something owns.

#include <unistd.h>

#include <utility>

namespace robotbench {

// Owns one descriptor and closes it on destruction. Moves transfer ownership; -1 means empty.
class unique_fd {
public:
    unique_fd() = default;
    explicit unique_fd(int fd) noexcept : fd_(fd) {}
    unique_fd(unique_fd&& other) noexcept : fd_(other.release()) {}
    unique_fd& operator=(unique_fd&& other) noexcept {
        if (this != &other) reset(other.release());
        return *this;
    }
    unique_fd(const unique_fd&) = delete;
    unique_fd& operator=(const unique_fd&) = delete;
    ~unique_fd() { reset(); }

    int get() const noexcept { return fd_; }
    explicit operator bool() const noexcept { return fd_ >= 0; }

    // Gives up ownership without closing; the caller now owns the descriptor.
    int release() noexcept { return std::exchange(fd_, -1); }

    // Closes the owned descriptor (if any) and takes ownership of `fd`.
    void reset(int fd = -1) noexcept {
        if (fd_ >= 0) ::close(fd_);
        fd_ = fd;
    }

private:
    int fd_ = -1;
};

}  // namespace robotbench
