// robotbench-fail-accept ERRNO PROGRAM [ARGS...]: runs PROGRAM with every accept(2) and
// accept4(2) failing with ERRNO (EMFILE, ENFILE, ENOMEM or ENOBUFS), through a seccomp filter.
// The waiting client stays in the listen queue and the listener stays readable, as when a
// process is out of descriptors with no spare left, or the kernel out of memory for sockets:
// for the tests that a server never spins on a listener it cannot empty.

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <iterator>

namespace {

int errno_named(const char* name) {
    const struct {
        const char* name;
        int value;
    } known[] = {{"EMFILE", EMFILE}, {"ENFILE", ENFILE}, {"ENOMEM", ENOMEM}, {"ENOBUFS", ENOBUFS}};
    for (const auto& k : known)
        if (std::strcmp(k.name, name) == 0) return k.value;
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    const int error = argc >= 3 ? errno_named(argv[1]) : 0;
    if (error == 0) {
        std::fprintf(stderr,
                     "usage: robotbench-fail-accept EMFILE|ENFILE|ENOMEM|ENOBUFS PROGRAM [ARGS...]\n");
        return 2;
    }
    const auto fail_with = static_cast<unsigned>(SECCOMP_RET_ERRNO | static_cast<unsigned>(error));
    sock_filter filter[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_accept4, 2, 0),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_accept, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        BPF_STMT(BPF_RET | BPF_K, fail_with),
    };
    const sock_fprog program{static_cast<unsigned short>(std::size(filter)), filter};
    if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
        ::prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program) != 0) {
        std::perror("robotbench-fail-accept: seccomp");
        return 1;
    }
    ::execv(argv[2], argv + 2);
    std::perror("robotbench-fail-accept: execv");
    return 127;
}
