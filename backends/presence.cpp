#include "presence.hpp"

#include <sys/mman.h>

#include <cerrno>
#include <new>
#include <system_error>

namespace robotbench {

presence::presence() {
    void* page = ::mmap(nullptr, sizeof(std::atomic<std::int64_t>), PROT_READ | PROT_WRITE,
                        MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (page == MAP_FAILED) throw std::system_error(errno, std::generic_category(), "mmap presence");
    counter_ = new (page) std::atomic<std::int64_t>(0);
}

presence::~presence() { ::munmap(counter_, sizeof(*counter_)); }

}  // namespace robotbench
