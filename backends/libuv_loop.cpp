#include "libuv_loop.hpp"

#include <system_error>

namespace robotbench::libuv {

namespace {

void close_through_owner(uv_handle_t* handle, void*) noexcept {
    if (uv_is_closing(handle)) return;
    if (handle->data != nullptr)
        static_cast<handle_owner*>(handle->data)->close_handle(handle);
    else
        uv_close(handle, nullptr);
}

}  // namespace

void check(int status, const char* what) {
    // libuv's error codes on Unix are negated errno values.
    if (status < 0) throw std::system_error(-status, std::generic_category(), what);
}

event_loop::event_loop() {
    check(uv_loop_init(&loop_), "uv_loop_init");
    open_ = true;
}

event_loop::~event_loop() {
    if (open_) try_close();
}

void event_loop::run() noexcept {
    uv_run(&loop_, UV_RUN_DEFAULT);
}

void event_loop::close_all() noexcept {
    uv_walk(&loop_, close_through_owner, nullptr);
}

void event_loop::close() {
    if (!open_) return;
    check(try_close(), "uv_loop_close");
}

int event_loop::try_close() noexcept {
    close_all();
    // Closing cancels every pending write and shutdown; their callbacks and the close callbacks
    // run here, after which nothing is left active.
    uv_run(&loop_, UV_RUN_DEFAULT);
    const int status = uv_loop_close(&loop_);
    if (status == 0) open_ = false;
    return status;
}

}  // namespace robotbench::libuv
