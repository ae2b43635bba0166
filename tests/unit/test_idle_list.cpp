// backends/idle_list.hpp: the order of last progress that the event loops keep for
// --idle-timeout, when the next client expires, and how long a loop may wait for it.

#include "backends/idle_list.hpp"

#include <gtest/gtest.h>

#include <memory>

namespace robotbench {
namespace {

using namespace std::chrono_literals;

struct fake_client : idle_hook {
    int id = 0;
};

const idle_clock::time_point t0{};

TEST(idle_list, the_client_silent_longest_expires_first_once_the_timeout_has_passed) {
    idle_list<fake_client> idle(100ms);
    fake_client a, b, c;
    a.id = 1, b.id = 2, c.id = 3;
    idle.touch(a, t0);
    idle.touch(b, t0 + 10ms);
    idle.touch(c, t0 + 20ms);
    idle.touch(a, t0 + 30ms);  // progress moves a behind the others
    EXPECT_EQ(idle.expired(t0 + 109ms), nullptr) << "b has been silent 99 ms";
    ASSERT_EQ(idle.expired(t0 + 110ms), &b) << "exactly the timeout is enough";
    idle.remove(b);
    EXPECT_EQ(idle.expired(t0 + 110ms), nullptr) << "c has 10 ms left";
    EXPECT_EQ(idle.expired(t0 + 120ms), &c);
    idle.remove(c);
    EXPECT_EQ(idle.expired(t0 + 129ms), nullptr);
    EXPECT_EQ(idle.expired(t0 + 130ms), &a);
}

TEST(idle_list, wait_ms_rounds_up_to_the_first_deadline_and_is_minus_1_when_empty) {
    idle_list<fake_client> idle(100ms);
    EXPECT_EQ(idle.wait_ms(t0), -1) << "no client: wait for ever";
    EXPECT_EQ(idle.next_deadline(), std::nullopt);
    fake_client a;
    idle.touch(a, t0);
    EXPECT_EQ(idle.next_deadline(), t0 + 100ms);
    EXPECT_EQ(idle.wait_ms(t0), 100);
    EXPECT_EQ(idle.wait_ms(t0 + 40ms + 1us), 60) << "59.999 ms rounds up, never wakes early";
    EXPECT_EQ(idle.wait_ms(t0 + 100ms), 0);
    EXPECT_EQ(idle.wait_ms(t0 + 1s), 0) << "past the deadline: do not wait";
}

TEST(idle_list, a_client_destroyed_without_remove_leaves_the_list) {
    idle_list<fake_client> idle(100ms);
    fake_client stays;
    idle.touch(stays, t0 + 50ms);
    {
        auto gone = std::make_unique<fake_client>();
        idle.touch(*gone, t0);
    }
    EXPECT_EQ(idle.expired(t0 + 120ms), nullptr) << "only the one still alive is listed";
    EXPECT_EQ(idle.expired(t0 + 150ms), &stays);
}

TEST(idle_list, a_list_with_zero_timeout_is_off_and_lists_nothing) {
    idle_list<fake_client> idle(0ns);
    EXPECT_FALSE(idle.enabled());
    fake_client a;
    idle.touch(a, t0);
    EXPECT_EQ(idle.expired(t0 + 24h), nullptr);
    EXPECT_EQ(idle.wait_ms(t0), -1);
}

TEST(idle_list, clients_may_outlive_the_list) {
    auto client = std::make_unique<fake_client>();
    {
        idle_list<fake_client> idle(100ms);
        idle.touch(*client, t0);
    }
    client.reset();  // its hook must not write into the list that is gone (ASan would see it)
}

}  // namespace
}  // namespace robotbench
