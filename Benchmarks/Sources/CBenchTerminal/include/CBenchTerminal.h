#ifndef CBENCHTERMINAL_H
#define CBENCHTERMINAL_H

#include <sys/types.h>

/// Starts `path` with `argv` and `envp` in a new pseudo-terminal of 100x40 as its controlling
/// terminal (standard input, output and error). Returns 0 with the master (non-blocking,
/// close-on-exec) in *master and the child in *pid, or an errno value.
int bench_spawn_in_terminal(const char *path, char *const argv[], char *const envp[], int *master, pid_t *pid);

/// Reads what is there on `master` into `buffer`, waiting at most `timeout_ms` for the first
/// byte. Returns the count, 0 on timeout, -1 when the terminal is closed.
long bench_read(int master, char *buffer, unsigned long size, int timeout_ms);

/// Kills and reaps the child; closes the master.
void bench_end(pid_t pid, int master);

#endif
