#define _GNU_SOURCE
#include "CBenchTerminal.h"
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

int bench_spawn_in_terminal(const char *path, char *const argv[], char *const envp[], int *master, pid_t *pid) {
    int m = -1, s = -1;
    struct winsize size = {.ws_row = 40, .ws_col = 100};
    if (openpty(&m, &s, NULL, NULL, &size) != 0) return errno;
    char slave[256];
    if (ttyname_r(s, slave, sizeof slave) != 0) { int e = errno; close(m); close(s); return e; }
    close(s);
    fcntl(m, F_SETFD, FD_CLOEXEC);
    fcntl(m, F_SETFL, fcntl(m, F_GETFL) | O_NONBLOCK);
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attributes;
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attributes);
    // glibc runs setsid before the file actions: the slave opened first becomes the controlling terminal.
    posix_spawn_file_actions_addopen(&actions, 0, slave, O_RDWR, 0);
    posix_spawn_file_actions_adddup2(&actions, 0, 1);
    posix_spawn_file_actions_adddup2(&actions, 0, 2);
    posix_spawn_file_actions_addclosefrom_np(&actions, 3);
    sigset_t all, none;
    sigfillset(&all);
    sigemptyset(&none);
    posix_spawnattr_setsigdefault(&attributes, &all);
    posix_spawnattr_setsigmask(&attributes, &none);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
    int result = posix_spawn(pid, path, &actions, &attributes, argv, envp);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
    if (result != 0) { close(m); return result; }
    *master = m;
    return 0;
}

long bench_read(int master, char *buffer, unsigned long size, int timeout_ms) {
    struct pollfd p = {.fd = master, .events = POLLIN};
    int ready = poll(&p, 1, timeout_ms);
    if (ready == 0) return 0;
    if (ready < 0) return errno == EINTR ? 0 : -1;
    ssize_t n = read(master, buffer, size);
    if (n > 0) return n;
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return 0;
    return -1;
}

void bench_end(pid_t pid, int master) {
    kill(pid, SIGKILL);
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    close(master);
}
