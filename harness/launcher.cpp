#include "launcher.hpp"

#include <algorithm>
#include <cstdlib>
#include <string>

namespace robotbench {

int launcher_world_size() {
    for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE"}) {
        const char* value = std::getenv(name);
        if (value == nullptr || *value == '\0') continue;
        try {
            return std::max(std::stoi(value), 1);
        } catch (const std::exception&) {
            return 1;
        }
    }
    return 0;
}

}  // namespace robotbench
