#pragma once
// Hand-overs through the kernel, stated to ThreadSanitizer. The thread pool passes a client from
// one worker to the next by re-arming the client's one-shot epoll event (EPOLL_CTL_MOD): the
// kernel finishes that epoll_ctl call before the event can reach another worker's epoll_wait, so
// everything the old owner did, the call included, happens before the new owner touches the
// client. ThreadSanitizer models only EPOLL_CTL_ADD as a release and cannot see this order; it
// then reports the new owner's close of the socket as racing with the old owner's re-arm. These
// calls state the order for one object at a time. They compile to nothing outside TSan builds.

#if defined(__SANITIZE_THREAD__)
#define ROBOTBENCH_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define ROBOTBENCH_TSAN 1
#endif
#endif

#if defined(ROBOTBENCH_TSAN)
#include <sanitizer/tsan_interface.h>
// ThreadSanitizer's dynamic annotations (exported by its runtime, declared by no header).
extern "C" void AnnotateIgnoreReadsBegin(const char* file, int line);
extern "C" void AnnotateIgnoreReadsEnd(const char* file, int line);
#endif

namespace robotbench::tsan {

#if defined(ROBOTBENCH_TSAN)

// The owner of `object`, right before the epoll_ctl that passes it on: everything this thread
// did so far happens before the next owner's acquire(object).
inline void release(const void* object) noexcept {
    __tsan_release(const_cast<void*>(object));
}

// The thread that received `object`'s event from epoll_wait, before it touches the object.
inline void acquire(const void* object) noexcept {
    __tsan_acquire(const_cast<void*>(object));
}

// Held around the one epoll_ctl that passes an object on, after release(): ThreadSanitizer reads
// the descriptor inside that call, after any release the caller can make, so that read alone is
// left out of its view; the kernel orders it before the next owner receives the event. Covers
// nothing else: every other access to the object or the descriptor is still checked.
class handover_call {
  public:
    handover_call() noexcept { AnnotateIgnoreReadsBegin(__FILE__, __LINE__); }
    ~handover_call() { AnnotateIgnoreReadsEnd(__FILE__, __LINE__); }
    handover_call(const handover_call&) = delete;
    handover_call& operator=(const handover_call&) = delete;
};

#else

inline void release(const void*) noexcept {}
inline void acquire(const void*) noexcept {}

class handover_call {
  public:
    handover_call() noexcept {}  // user-provided, so an unused guard draws no warning
    handover_call(const handover_call&) = delete;
    handover_call& operator=(const handover_call&) = delete;
};

#endif

}  // namespace robotbench::tsan
