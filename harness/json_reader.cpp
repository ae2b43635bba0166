#include "json_reader.hpp"

#include <fmt/core.h>

#include <charconv>
#include <stdexcept>

namespace robotbench {

namespace {

constexpr int max_depth = 256;

// A recursive-descent parser over one document. Used by one thread.
class parser {
  public:
    explicit parser(std::string_view text) : text_(text) {}

    json_value document() {
        auto v = value(0);
        skip_space();
        if (pos_ != text_.size()) fail("the end of the document");
        return v;
    }

  private:
    [[noreturn]] void fail(std::string_view expected) const {
        throw std::runtime_error(
            fmt::format("not valid JSON at byte {}: expected {}", pos_, expected));
    }

    void skip_space() {
        while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' ||
                                       text_[pos_] == '\n' || text_[pos_] == '\r'))
            ++pos_;
    }

    bool take(char c) {
        skip_space();
        if (pos_ < text_.size() && text_[pos_] == c) {
            ++pos_;
            return true;
        }
        return false;
    }

    void expect(char c) {
        if (!take(c)) fail(fmt::format("'{}'", c));
    }

    bool take_word(std::string_view word) {
        if (text_.substr(pos_, word.size()) != word) return false;
        pos_ += word.size();
        return true;
    }

    json_value value(int depth) {
        if (depth > max_depth) fail("less nesting");
        skip_space();
        if (pos_ >= text_.size()) fail("a value");
        const char c = text_[pos_];
        if (c == '{') return object(depth);
        if (c == '[') return array(depth);
        if (c == '"') return {string()};
        if (take_word("true")) return {true};
        if (take_word("false")) return {false};
        if (take_word("null")) return {nullptr};
        return {number()};
    }

    json_value object(int depth) {
        expect('{');
        json_value::object members;
        if (take('}')) return {std::move(members)};
        do {
            skip_space();
            if (pos_ >= text_.size() || text_[pos_] != '"') fail("a member name");
            auto name = string();
            expect(':');
            members.emplace_back(std::move(name), value(depth + 1));
        } while (take(','));
        expect('}');
        return {std::move(members)};
    }

    json_value array(int depth) {
        expect('[');
        json_value::array items;
        if (take(']')) return {std::move(items)};
        do {
            items.push_back(value(depth + 1));
        } while (take(','));
        expect(']');
        return {std::move(items)};
    }

    double number() {
        // JSON's grammar: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
        const auto start = pos_;
        const auto digits = [&] {
            const auto from = pos_;
            while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') ++pos_;
            return pos_ > from;
        };
        if (pos_ < text_.size() && text_[pos_] == '-') ++pos_;
        if (pos_ < text_.size() && text_[pos_] == '0')
            ++pos_;
        else if (!digits())
            fail("a value");
        if (pos_ < text_.size() && text_[pos_] == '.' && (++pos_, !digits())) fail("a digit");
        if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
            ++pos_;
            if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-')) ++pos_;
            if (!digits()) fail("a digit");
        }
        double v = 0;
        const auto [end, ec] = std::from_chars(text_.data() + start, text_.data() + pos_, v);
        if (ec == std::errc::result_out_of_range) fail("a number in range");
        if (ec != std::errc{} || end != text_.data() + pos_) fail("a number");
        return v;
    }

    unsigned hex4() {
        if (pos_ + 4 > text_.size()) fail("four hex digits");
        unsigned v = 0;
        const auto [end, ec] = std::from_chars(text_.data() + pos_, text_.data() + pos_ + 4, v, 16);
        if (ec != std::errc{} || end != text_.data() + pos_ + 4) fail("four hex digits");
        pos_ += 4;
        return v;
    }

    static void append_utf8(std::string& out, unsigned cp) {
        if (cp < 0x80) {
            out += static_cast<char>(cp);
        } else if (cp < 0x800) {
            out += static_cast<char>(0xC0 | (cp >> 6));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            out += static_cast<char>(0xE0 | (cp >> 12));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        } else {
            out += static_cast<char>(0xF0 | (cp >> 18));
            out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        }
    }

    std::string string() {
        ++pos_;  // the opening quote
        std::string out;
        for (;;) {
            if (pos_ >= text_.size()) fail("the closing quote");
            const char c = text_[pos_++];
            if (c == '"') return out;
            if (static_cast<unsigned char>(c) < 0x20) fail("no control character in a string");
            if (c != '\\') {
                out += c;
                continue;
            }
            if (pos_ >= text_.size()) fail("an escape");
            switch (const char e = text_[pos_++]) {
                case '"':
                case '\\':
                case '/':
                    out += e;
                    break;
                case 'b':
                    out += '\b';
                    break;
                case 'f':
                    out += '\f';
                    break;
                case 'n':
                    out += '\n';
                    break;
                case 'r':
                    out += '\r';
                    break;
                case 't':
                    out += '\t';
                    break;
                case 'u': {
                    unsigned cp = hex4();
                    if (cp >= 0xD800 && cp < 0xDC00 && take_word("\\u")) {
                        const unsigned low = hex4();
                        if (low < 0xDC00 || low >= 0xE000) fail("a low surrogate");
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                    } else if (cp >= 0xD800 && cp < 0xE000) {
                        cp = 0xFFFD;  // a lone surrogate
                    }
                    append_utf8(out, cp);
                    break;
                }
                default:
                    fail("a valid escape");
            }
        }
    }

    std::string_view text_;
    std::size_t pos_ = 0;
};

}  // namespace

const json_value* json_value::find(std::string_view key) const {
    const auto* m = members();
    if (m == nullptr) return nullptr;
    for (const auto& [name, v] : *m)
        if (name == key) return &v;
    return nullptr;
}

json_value parse_json(std::string_view text) {
    return parser(text).document();
}

}  // namespace robotbench
