#pragma once
// Writing a whole text file (a JSON document, a CSV) in one go.

#include <string>

namespace robotbench {

// Writes `text` to `path` (replacing it), creating its folder; `-` is standard output. Throws
// std::system_error, or std::runtime_error when standard output cannot be written. Main thread.
void write_text_file(const std::string& path, const std::string& text);

}  // namespace robotbench
