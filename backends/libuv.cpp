// PLACEHOLDER: replaced by the real backend.
#include <stdexcept>
#include "backend.hpp"
namespace robotbench {
std::unique_ptr<server> make_libuv_server(const server_options&) { throw std::runtime_error("not implemented"); }
}
