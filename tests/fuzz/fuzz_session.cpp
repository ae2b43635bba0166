// Fuzz target `session`: the server codec (protocol::session) against a reference model of
// docs/protocol.md written here on its own, byte by byte, with none of the codec's code or
// constants. The same stream is fed three ways: whole, one byte at a time, and in chunks the
// input chooses (draining the output in input-chosen amounts, as a transport would); each must
// give exactly the reference's reply bytes and end in the reference's state.
//
// Input: byte 0 is max-line (0..255); byte 1 the output bound (1..256 bytes, so backpressure
// shows); bytes 2..9 the online count (non-negative); byte 10 bit 0 says whether the client
// half-closes at the end. Then chunks, each a header byte (bits 0..6 the chunk's length, bit 7
// whether the transport sends all the pending output after each read of it or only half), a
// byte that says how many reads in a row bring the same bytes (0xff: 256, so the pending output
// can pass the points where the codec compacts and releases its buffer; else 1..4, which keeps
// most inputs small and fast), and the chunk's bytes. The stream stops growing at 32 KiB.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_input.hpp"
#include "protocol/session.hpp"

namespace {

using robotbench::fuzz::require;
using robotbench::protocol::session;
using robotbench::protocol::session_limits;

// What the protocol says a client that sent `stream` (and, if `eof`, then half-closed) gets.
struct expected {
    std::string output;
    bool closing = false;  // the server answers no more input and closes once the output is sent
};

// docs/protocol.md, read line by line: framing, replies, the line length limit with its no-LF
// cutoff at max-line + 1 held bytes, `/quit`, and end of input.
expected reference(std::string_view stream, bool eof, std::size_t max_line, std::int64_t online) {
    expected e;
    std::string held;  // the bytes of the line not yet ended by an LF
    for (const char c : stream) {
        if (c != '\n') {
            held += c;
            if (held.size() > max_line + 1) {  // certain to be too long: answered at once
                e.output += "!ERR line too long\n";
                e.closing = true;
                return e;
            }
            continue;
        }
        std::string payload = held;
        held.clear();
        if (!payload.empty() && payload.back() == '\r') payload.pop_back();  // one CR only
        if (payload.size() > max_line) {
            e.output += "!ERR line too long\n";
            e.closing = true;
            return e;
        }
        if (payload == "/online") {
            e.output += "online " + std::to_string(online) + "\n";
        } else if (payload == "/quit") {
            e.output += "bye\n";  // what follows the `/quit` line is never answered
            e.closing = true;
            return e;
        } else {
            e.output += "====" + payload + "====\n";
        }
    }
    e.closing = eof;  // a trailing partial line is dropped without an answer
    return e;
}

// One way of feeding the stream, driven by the codec and checked after every step.
class transport {
  public:
    explicit transport(const session_limits& limits) : limits_(limits), s_(limits) {}

    void feed(std::string_view bytes, std::int64_t online) {
        s_.on_input({bytes.data(), bytes.size()}, online);
        check_state();
    }
    void eof() {
        s_.on_eof();
        check_state();
    }
    // Takes `n` bytes of output (at most what is pending), as a send that wrote that much.
    void drain(std::size_t n) {
        const auto out = s_.output();
        if (n > out.size()) n = out.size();
        sent_.append(out.data(), n);
        s_.consume(n);
        check_state();
    }
    void drain_all() { drain(s_.output().size()); }

    // Everything sent so far, and whether the session is closing.
    const std::string& sent() const { return sent_; }
    bool closing() const { return s_.closing(); }
    std::size_t pending() const { return s_.output().size(); }

  private:
    void check_state() const {
        const bool below_bound = s_.output().size() < limits_.max_output;
        require(s_.wants_input() == (!s_.closing() && below_bound),
                "wants_input() is open and below the output bound");
        require(s_.finished() == (s_.closing() && s_.output().empty()),
                "finished() is closing with nothing left to send");
    }

    session_limits limits_;
    session s_;
    std::string sent_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    robotbench::fuzz::input_reader in(data, size);
    session_limits limits;
    limits.max_line = in.byte();
    limits.max_output = std::size_t{in.byte()} + 1;
    const auto online = static_cast<std::int64_t>(in.number(8) >> 1);
    const bool eof = (in.byte() & 1) != 0;

    // Chunks as the input cuts them; the stream is their concatenation, repeats included.
    struct chunk {
        std::string_view bytes;
        bool drain_all;
        unsigned reads;
    };
    constexpr std::size_t longest_stream = 32 * 1024;  // 288 KiB of replies to empty lines
    std::vector<chunk> chunks;
    std::string stream;
    while (!in.empty()) {
        const auto header = in.byte();
        const auto repeat = in.byte();
        const auto bytes = in.bytes(header & 0x7f);
        unsigned reads = repeat == 0xff ? 256 : 1 + repeat % 4;
        while (reads > 1 && stream.size() + reads * bytes.size() > longest_stream) --reads;
        chunks.push_back({bytes, (header & 0x80) != 0, reads});
        for (unsigned i = 0; i < reads; ++i) stream.append(bytes);
    }
    const auto want = reference(stream, eof, limits.max_line, online);

    const auto finish = [&](transport& t, std::string_view how) {
        if (eof) t.eof();
        t.drain_all();
        require(t.sent() == want.output,
                std::string(how) + ": the replies differ from docs/protocol.md's");
        require(t.closing() == want.closing,
                std::string(how) + ": closing differs from docs/protocol.md's");
    };

    transport whole(limits);
    whole.feed(stream, online);
    finish(whole, "fed whole");

    transport bytewise(limits);
    for (const char c : stream) {
        bytewise.feed({&c, 1}, online);
        bytewise.drain_all();
    }
    finish(bytewise, "fed one byte at a time");

    transport chunked(limits);
    for (const auto& c : chunks) {
        for (unsigned i = 0; i < c.reads; ++i) {
            chunked.feed(c.bytes, online);
            chunked.drain(c.drain_all ? chunked.pending() : chunked.pending() / 2);
        }
    }
    finish(chunked, "fed in the input's chunks");
    return 0;
}
