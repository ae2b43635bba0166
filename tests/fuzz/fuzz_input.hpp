#pragma once
// What every fuzz target shares: reading an input byte by byte as numbers and lengths, and a
// check that stops the run with a one-line reason (libFuzzer then saves the input as a crash).

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace robotbench::fuzz {

// Reports a broken property and aborts. Any thread.
[[noreturn]] inline void fail(std::string_view what) {
    std::fprintf(stderr, "fuzz check failed: %.*s\n", static_cast<int>(what.size()), what.data());
    std::abort();
}

// Aborts with `what` unless `ok`.
inline void require(bool ok, std::string_view what) {
    if (!ok) fail(what);
}

// Consumes a fuzz input from the front. Past the end every read gives zeros (or nothing), so a
// short input is still a valid one. Not thread-safe; one per input.
class input_reader {
  public:
    input_reader(const std::uint8_t* data, std::size_t size)
        : data_(reinterpret_cast<const char*>(data)), size_(size) {}

    bool empty() const noexcept { return pos_ >= size_; }

    std::uint8_t byte() noexcept {
        return pos_ < size_ ? static_cast<std::uint8_t>(data_[pos_++]) : 0;
    }

    // `n` bytes (1..8) as a little-endian number.
    std::uint64_t number(unsigned n) noexcept {
        std::uint64_t v = 0;
        for (unsigned i = 0; i < n; ++i) v |= std::uint64_t{byte()} << (8 * i);
        return v;
    }

    // The next `n` bytes, or as many as are left.
    std::string_view bytes(std::size_t n) noexcept {
        if (n > size_ - pos_) n = size_ - pos_;
        const std::string_view out(data_ + pos_, n);
        pos_ += n;
        return out;
    }

    // Every byte not yet read.
    std::string_view rest() noexcept { return bytes(size_ - pos_); }

  private:
    const char* data_;
    std::size_t size_;
    std::size_t pos_ = 0;
};

}  // namespace robotbench::fuzz
