#include "child_setup.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <system_error>

namespace robotbench {

unique_fd open_child_exits() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGCHLD);
    ::pthread_sigmask(SIG_BLOCK, &set, nullptr);
    unique_fd fd(::signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC));
    if (!fd) throw std::system_error(errno, std::generic_category(), "signalfd SIGCHLD");
    return fd;
}

void drain_child_exits(int signal_fd) noexcept {
    std::array<signalfd_siginfo, 16> infos;
    for (;;) {
        const auto n = ::read(signal_fd, infos.data(), sizeof infos);
        if (n > 0 || (n < 0 && errno == EINTR)) continue;
        return;
    }
}

void detach_from_parent(pid_t parent) noexcept {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(1);
    for (const int sig : {SIGTERM, SIGINT, SIGHUP, SIGCHLD}) ::signal(sig, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
}

void silence_stdin_stdout() noexcept {
    const int null = ::open("/dev/null", O_RDWR);
    if (null < 0) return;
    ::dup2(null, STDIN_FILENO);
    ::dup2(null, STDOUT_FILENO);
    if (null > STDERR_FILENO) ::close(null);
}

}  // namespace robotbench
