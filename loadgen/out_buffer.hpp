#pragma once
// Bytes written by the generator and not yet accepted by the socket.

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <memory>
#include <span>

namespace robotbench::loadgen {

// A send buffer that keeps its capacity: appending after a full send reuses the same memory, so
// in steady state it never allocates, and the room it hands out is not zeroed first (the caller
// writes every byte). Owned by one connection.
class out_buffer {
  public:
    void reserve(std::size_t bytes) {
        if (bytes > capacity_) reallocate(bytes);
    }

    // Room for n more bytes at the end; the caller fills all of them.
    char* append(std::size_t n) {
        if (head_ == size_) head_ = size_ = 0;
        if (size_ + n > capacity_) {
            if (head_ > 0) {
                std::memmove(data_.get(), data_.get() + head_, size_ - head_);
                size_ -= head_;
                head_ = 0;
            }
            if (size_ + n > capacity_) reallocate(std::max(2 * capacity_, size_ + n));
        }
        char* at = data_.get() + size_;
        size_ += n;
        return at;
    }

    std::span<const char> pending() const noexcept { return {data_.get() + head_, size_ - head_}; }
    void consume(std::size_t n) noexcept { head_ += n; }
    bool empty() const noexcept { return head_ == size_; }
    void clear() noexcept { head_ = size_ = 0; }

  private:
    void reallocate(std::size_t capacity) {
        auto bigger = std::make_unique_for_overwrite<char[]>(capacity);
        if (size_ > head_) std::memcpy(bigger.get(), data_.get() + head_, size_ - head_);
        size_ -= head_;
        head_ = 0;
        data_ = std::move(bigger);
        capacity_ = capacity;
    }

    std::unique_ptr<char[]> data_;
    std::size_t capacity_ = 0;
    std::size_t size_ = 0;  // bytes of data_ in use
    std::size_t head_ = 0;  // bytes of data_ already sent
};

}  // namespace robotbench::loadgen
