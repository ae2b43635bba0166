#pragma once
// Incremental splitting of a TCP byte stream into protocol lines, shared by the server session
// and the load generator's reply reader.

#include <cstring>
#include <span>
#include <string>
#include <string_view>

namespace robotbench::protocol {

enum class split_status {
    ok,        // every byte was consumed; a partial line may be buffered
    too_long,  // a line's payload passed the limit; the stream must be abandoned
    stopped,   // the line callback asked to stop; the remaining bytes were not looked at
};

// Splits bytes into lines: the bytes up to LF, with one CR right before the LF dropped. Holds at
// most max_payload + 1 bytes of an unfinished line. Not thread-safe; one per stream.
class line_splitter {
public:
    explicit line_splitter(std::size_t max_payload) : max_(max_payload) {}

    // Calls on_line(std::string_view payload) for every complete line in `data`, in order.
    // on_line returns false to stop. Complete lines are handed out without copying unless they
    // straddle two calls.
    template <class OnLine>
    split_status feed(std::span<const char> data, OnLine&& on_line) {
        const char* p = data.data();
        const char* const end = p + data.size();
        while (p < end) {
            const auto* nl = static_cast<const char*>(std::memchr(p, '\n', end - p));
            if (nl == nullptr) {
                if (partial_.size() + (end - p) > max_ + 1) return split_status::too_long;
                partial_.append(p, end);
                return split_status::ok;
            }
            std::string_view line(p, nl - p);
            if (!partial_.empty()) {
                if (partial_.size() + line.size() > max_ + 1) return split_status::too_long;
                partial_.append(line);
                line = partial_;
            }
            if (line.ends_with('\r')) line.remove_suffix(1);
            if (line.size() > max_) return split_status::too_long;
            const bool go_on = on_line(line);
            partial_.clear();
            p = nl + 1;
            if (!go_on) return split_status::stopped;
        }
        return split_status::ok;
    }

    // Bytes of an unfinished line held since the last LF.
    std::size_t buffered() const { return partial_.size(); }

    // Forgets any unfinished line.
    void clear() { partial_.clear(); }

private:
    std::string partial_;
    std::size_t max_;
};

}  // namespace robotbench::protocol
