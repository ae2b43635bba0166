#pragma once
// Bytes written by the generator and not yet accepted by the socket.

#include <cstddef>
#include <span>
#include <vector>

namespace robotbench::loadgen {

// A send buffer that keeps its capacity: appending after a full send reuses the same memory, so
// in steady state it never allocates. Owned by one connection.
class out_buffer {
  public:
    void reserve(std::size_t bytes) { data_.reserve(bytes); }

    // Room for n more bytes at the end; the caller fills all of them.
    char* append(std::size_t n) {
        if (head_ == data_.size()) {
            data_.clear();
            head_ = 0;
        } else if (head_ > 0 && data_.size() + n > data_.capacity()) {
            data_.erase(data_.begin(), data_.begin() + static_cast<std::ptrdiff_t>(head_));
            head_ = 0;
        }
        const std::size_t at = data_.size();
        data_.resize(at + n);
        return data_.data() + at;
    }

    std::span<const char> pending() const noexcept {
        return {data_.data() + head_, data_.size() - head_};
    }
    void consume(std::size_t n) noexcept { head_ += n; }
    bool empty() const noexcept { return head_ == data_.size(); }
    void clear() noexcept { data_.clear(), head_ = 0; }

  private:
    std::vector<char> data_;
    std::size_t head_ = 0;  // bytes of data_ already sent
};

}  // namespace robotbench::loadgen
