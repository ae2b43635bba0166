#include "cell_key.hpp"

#include <fmt/core.h>

namespace robotbench {

cell_key key_of(const run_record& r) {
    return {r.backend,
            std::string(scenario_name(r.options.kind)),
            r.options.load.connections,
            r.options.load.size,
            r.options.load.pipeline,
            r.options.load.rate};
}

std::string cell_text(const cell_key& k) {
    auto text = fmt::format("{} c={} size={} P={} {}", k.backend.empty() ? "target" : k.backend,
                            k.connections, k.size, k.pipeline,
                            k.rate > 0 ? fmt::format("R={:g}", k.rate) : std::string("closed"));
    if (k.scenario != "load") text += " " + k.scenario;
    return text;
}

}  // namespace robotbench
