#pragma once
// Aligned text tables for people: each column as wide as its widest cell (UTF-8 aware, so `µs`
// lines up); numbers right-aligned, labels and sentences left-aligned.

#include <string>
#include <string_view>
#include <vector>

namespace robotbench {

// Rows of cells (the first row is usually the heading). Used by one thread.
class text_table {
  public:
    // numbers: the first column left-aligned, the others right-aligned (a table of figures).
    // labels: every column left-aligned (label and sentence lines).
    enum class layout { numbers, labels };

    explicit text_table(layout l = layout::numbers) : layout_(l) {}

    void add_row(std::vector<std::string> cells) { rows_.push_back(std::move(cells)); }

    // Every row on its own line, each prefixed with `indent`, columns two spaces apart.
    std::string render(std::string_view indent = "") const;

  private:
    layout layout_;
    std::vector<std::vector<std::string>> rows_;
};

// Display width of UTF-8 text, counting code points. Pure.
std::size_t display_width(std::string_view text);

}  // namespace robotbench
