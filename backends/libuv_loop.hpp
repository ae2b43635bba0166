#pragma once
// Ownership of a libuv event loop and of the handles on it, for the libuv backend: the loop is
// closed properly (every handle closed, every close callback run, uv_loop_close) however serving
// ends.

#include <uv.h>

namespace robotbench::libuv {

// Throws std::system_error naming `what` when a libuv call returned an error (a negative errno).
void check(int status, const char* what);

// What a handle's `data` points to when something must run as it closes, such as a client that
// frees itself in its close callback. A handle whose `data` is null is closed without a callback:
// its memory belongs to an object that outlives the loop. Loop thread only.
class handle_owner {
public:
    // Starts closing `handle` (not closing yet); its memory stays valid until its close callback.
    virtual void close_handle(uv_handle_t* handle) noexcept = 0;

protected:
    ~handle_owner() = default;
};

// The owner stored in a handle's `data`, as its concrete type T.
template <class T>
T& owner_of(const uv_handle_t* handle) noexcept {
    return static_cast<T&>(*static_cast<handle_owner*>(handle->data));
}

// Any handle or stream type seen as the uv_handle_t it starts with.
template <class H>
uv_handle_t* as_handle(H* handle) noexcept {
    return reinterpret_cast<uv_handle_t*>(handle);
}

// One libuv loop, owned: on destruction (or close()) every handle still open is closed, the loop
// runs until every close callback ran, then uv_loop_close. Not movable, since handles point into
// it. Every member but the constructor runs on the loop thread.
class event_loop {
public:
    // Initialises the loop. Throws std::system_error.
    event_loop();
    // Closes whatever is still open; errors are swallowed (see close()).
    ~event_loop();
    event_loop(const event_loop&) = delete;
    event_loop& operator=(const event_loop&) = delete;

    uv_loop_t* get() noexcept { return &loop_; }

    // Runs callbacks until no handle or request is active any more.
    void run() noexcept;

    // Starts closing every handle not closing yet, through its owner. Safe inside a callback.
    void close_all() noexcept;

    // close_all(), runs until the close callbacks ran, then closes the loop. Throws
    // std::system_error if the loop is still busy. Not inside a callback.
    void close();

private:
    int try_close() noexcept;

    uv_loop_t loop_{};
    bool open_ = false;  // initialised and not closed yet
};

}  // namespace robotbench::libuv
