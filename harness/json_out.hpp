#pragma once
// Writing JSON documents: string literals, and a small writer of indented objects and arrays that
// the run, compare and slo documents share.

#include <fmt/core.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "columns.hpp"

namespace robotbench {

// `text` as a JSON string literal, quotes included; invalid UTF-8 becomes U+FFFD. Pure.
std::string json_string(std::string_view text);

// Writes objects and arrays with two-space indentation. Used by one thread.
class json_out {
  public:
    void open(char bracket) {
        separate();
        text_ += bracket;
        first_.push_back(true);
    }
    void close(char bracket) {
        const bool empty = first_.back();
        first_.pop_back();
        if (!empty) newline();
        text_ += bracket;
    }
    void key(std::string_view name) {
        separate();
        text_ += json_string(name);
        text_ += ": ";
        after_key_ = true;
    }
    void raw(std::string_view literal) {
        separate();
        text_ += literal;
    }
    void string(std::string_view s) { raw(json_string(s)); }
    void number(double v, int places) {
        raw(std::isfinite(v) ? fmt::format("{:.{}f}", v, places) : std::string("null"));
    }
    void count(std::uint64_t n) { raw(fmt::format("{}", n)); }
    void boolean(bool b) { raw(b ? "true" : "false"); }
    void cell_value(const cell& c) {
        if (std::holds_alternative<std::monostate>(c))
            raw("null");
        else if (auto s = std::get_if<std::string>(&c))
            string(*s);
        else if (auto n = std::get_if<std::uint64_t>(&c))
            count(*n);
        else if (auto d = std::get_if<decimal>(&c))
            number(d->value, d->places);
    }
    // A member of the current object: its name, then its value.
    void text(std::string_view name, std::string_view s) {
        key(name);
        string(s);
    }
    void count(std::string_view name, std::uint64_t n) {
        key(name);
        count(n);
    }
    void number(std::string_view name, double v, int places) {
        key(name);
        number(v, places);
    }
    void flag(std::string_view name, bool b) {
        key(name);
        boolean(b);
    }
    void null(std::string_view name) {
        key(name);
        raw("null");
    }

    std::string take() { return std::move(text_) + "\n"; }

  private:
    void separate() {
        if (after_key_) {
            after_key_ = false;
            return;
        }
        if (first_.empty()) return;
        if (!first_.back()) text_ += ',';
        first_.back() = false;
        newline();
    }
    void newline() {
        text_ += '\n';
        text_.append(2 * first_.size(), ' ');
    }

    std::string text_;
    std::vector<bool> first_;  // per open bracket: nothing written inside it yet
    bool after_key_ = false;
};

// Writes `text` to `path` (replacing it), creating its folder; `-` is standard output. Throws
// std::system_error, or std::runtime_error when standard output cannot be written.
void write_text_file(const std::string& path, const std::string& text);

}  // namespace robotbench
