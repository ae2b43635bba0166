/* robotbench-reference-epoll: a lean C epoll server that speaks the robot protocol, written only
 * as a yardstick for the backends (docs/models.md, scripts/reference-compare.sh). It is what a
 * careful programmer would write for speed with nothing else in mind: one thread, edge-triggered
 * epoll, one 64 KiB read per readiness, all replies of a read in one send, a fixed per-client
 * line buffer. It keeps only the protocol's common path honest (echo, /online, /quit, EOF,
 * over-long lines); it has none of robotbench's bounds on pending output, descriptor shortage
 * handling or graceful shutdown, which is why it is not a backend.
 *
 *   robotbench-reference-epoll [PORT]     prints `listening on 127.0.0.1:PORT`; PORT 0 (default)
 *                                          picks a free one. Stops on SIGINT/SIGTERM.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

enum { max_line = 4096, read_size = 64 * 1024, max_events = 256 };

struct client {
    int fd;
    size_t partial;           /* bytes of an unfinished line in line[] */
    char line[max_line + 1];  /* the unfinished line, LF not included */
    char* out;                /* replies not yet sent */
    size_t out_len, out_cap;
    int closing;
};

static long online;
static volatile sig_atomic_t stopping;

static void on_signal(int sig) {
    (void)sig;
    stopping = 1;
}

static void die(const char* what) {
    perror(what);
    exit(1);
}

static void append(struct client* c, const char* bytes, size_t n) {
    if (c->out_len + n > c->out_cap) {
        size_t cap = c->out_cap ? c->out_cap : 4096;
        while (cap < c->out_len + n) cap *= 2;
        c->out = realloc(c->out, cap);
        if (!c->out) die("realloc");
        c->out_cap = cap;
    }
    memcpy(c->out + c->out_len, bytes, n);
    c->out_len += n;
}

static void answer(struct client* c, const char* line, size_t n) {
    if (n > 0 && line[n - 1] == '\r') --n;
    if (n == 7 && memcmp(line, "/online", 7) == 0) {
        char text[32];
        const int len = snprintf(text, sizeof text, "online %ld\n", online);
        append(c, text, (size_t)len);
    } else if (n == 5 && memcmp(line, "/quit", 5) == 0) {
        append(c, "bye\n", 4);
        c->closing = 1;
    } else {
        append(c, "====", 4);
        append(c, line, n);
        append(c, "====\n", 5);
    }
}

/* Splits `data` into lines, answering each; keeps an unfinished line for the next read. */
static void feed(struct client* c, const char* data, size_t n) {
    while (n > 0 && !c->closing) {
        const char* lf = memchr(data, '\n', n);
        const size_t take = lf ? (size_t)(lf - data) : n;
        if (c->partial + take > max_line + (lf ? 1 : 0)) {
            append(c, "!ERR line too long\n", 19);
            c->closing = 1;
            return;
        }
        if (!lf) {
            memcpy(c->line + c->partial, data, take);
            c->partial += take;
            return;
        }
        if (c->partial == 0) {
            answer(c, data, take);
        } else {
            memcpy(c->line + c->partial, data, take);
            answer(c, c->line, c->partial + take);
            c->partial = 0;
        }
        data += take + 1;
        n -= take + 1;
    }
}

/* Sends what is pending; returns -1 when the client must be closed. */
static int flush(struct client* c) {
    size_t sent = 0;
    while (sent < c->out_len) {
        const ssize_t w = send(c->fd, c->out + sent, c->out_len - sent, MSG_NOSIGNAL);
        if (w > 0) {
            sent += (size_t)w;
        } else if (w < 0 && errno == EINTR) {
            continue;
        } else if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            break;
        } else {
            return -1;
        }
    }
    memmove(c->out, c->out + sent, c->out_len - sent);
    c->out_len -= sent;
    return c->closing && c->out_len == 0 ? -1 : 0;
}

static void drop(struct client* c) {
    close(c->fd);
    free(c->out);
    free(c);
    --online;
}

/* Reads until EAGAIN (edge-triggered), answering as it goes; returns -1 to close. */
static int on_readable(struct client* c, char* buf) {
    for (;;) {
        const ssize_t n = recv(c->fd, buf, read_size, 0);
        if (n > 0) {
            feed(c, buf, (size_t)n);
            if (flush(c) < 0) return -1;
            if ((size_t)n < read_size) return 0;
        } else if (n == 0) {
            c->closing = 1;
            return flush(c);
        } else if (errno == EINTR) {
            continue;
        } else {
            return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
        }
    }
}

int main(int argc, char** argv) {
    const int port = argc > 1 ? atoi(argv[1]) : 0;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    const int listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (listener < 0) die("socket");
    const int one = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(listener, (struct sockaddr*)&addr, sizeof addr) != 0) die("bind");
    if (listen(listener, SOMAXCONN) != 0) die("listen");
    socklen_t len = sizeof addr;
    getsockname(listener, (struct sockaddr*)&addr, &len);
    printf("listening on 127.0.0.1:%d\n", ntohs(addr.sin_port));
    fflush(stdout);

    const int ep = epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0) die("epoll_create1");
    struct epoll_event ev = {.events = EPOLLIN, .data = {.ptr = NULL}};
    if (epoll_ctl(ep, EPOLL_CTL_ADD, listener, &ev) != 0) die("epoll_ctl");
    static char buf[read_size];
    struct epoll_event events[max_events];
    while (!stopping) {
        const int n = epoll_wait(ep, events, max_events, 200);
        for (int i = 0; i < n; ++i) {
            struct client* c = events[i].data.ptr;
            if (c == NULL) {
                for (;;) {
                    const int fd = accept4(listener, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
                    if (fd < 0) break;
                    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                    c = calloc(1, sizeof *c);
                    if (!c) die("calloc");
                    c->fd = fd;
                    ++online;
                    struct epoll_event cev = {.events = EPOLLIN | EPOLLOUT | EPOLLET,
                                              .data = {.ptr = c}};
                    if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &cev) != 0) drop(c);
                }
                continue;
            }
            int status = 0;
            if (events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) status = on_readable(c, buf);
            if (status == 0 && (events[i].events & EPOLLOUT)) status = flush(c);
            if (status < 0) drop(c);
        }
    }
    return 0;
}
