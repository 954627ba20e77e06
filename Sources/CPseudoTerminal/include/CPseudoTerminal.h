#ifndef CPSEUDOTERMINAL_H
#define CPSEUDOTERMINAL_H

#include <sys/types.h>

/// Opens a pseudo-terminal pair of the given size. On success returns 0, the master (O_CLOEXEC,
/// non-blocking left to the caller) in *master and the slave's path in path (size path_size);
/// the slave is not kept open. On failure returns an errno value.
int cpty_open(unsigned short columns, unsigned short rows, int *master, char *path, unsigned long path_size);

/// Sets the terminal size of the pseudo-terminal behind `fd` (TIOCSWINSZ: the foreground
/// process group gets SIGWINCH). Returns 0 or an errno value.
int cpty_set_size(int fd, unsigned short columns, unsigned short rows);

/// Applies SSH terminal modes (RFC 4254 §8 opcodes and values, `count` pairs) to the terminal
/// behind `fd`; opcodes this system does not know are skipped. IUTF8 is always set. Returns 0 or
/// an errno value.
int cpty_apply_modes(int fd, const unsigned char *opcodes, const unsigned int *values, int count);

/// Starts `path` with `argv` and `envp` as the leader of a new session whose controlling terminal
/// is the slave at `slave_path` (standard input, output and error), with default signal
/// dispositions, an empty signal mask and every other descriptor closed. Returns 0 and the
/// child's pid in *pid, or an errno value.
int cpty_spawn(const char *path, char *const argv[], char *const envp[], const char *slave_path, pid_t *pid);

/// Starts `path` with `argv` and `envp` without a terminal: standard input from /dev/null,
/// standard output and error to `output`, default signal dispositions, an empty signal mask and
/// every other descriptor closed (`consult records sync`, run by the server now and then).
/// Returns 0 and the child's pid in *pid, or an errno value.
int cpty_spawn_plain(const char *path, char *const argv[], char *const envp[], int output, pid_t *pid);

/// Waits for the child `pid`; returns its exit status (0-255) or 128 + the signal that ended it,
/// in *status. Retries on EINTR. Returns 0 or an errno value.
int cpty_wait(pid_t pid, int *status);

#endif
