#define _GNU_SOURCE 1

#include "CPseudoTerminal.h"

#include <errno.h>
#include <fcntl.h>
#include <pty.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

int cpty_open(unsigned short columns, unsigned short rows, int *master, char *path, unsigned long path_size) {
    struct winsize size;
    memset(&size, 0, sizeof size);
    size.ws_col = columns;
    size.ws_row = rows;
    int m = -1, s = -1;
    if (openpty(&m, &s, NULL, NULL, &size) != 0) return errno;
    int error = 0;
    if (ttyname_r(s, path, path_size) != 0) error = errno ? errno : ENAMETOOLONG;
    if (!error && fcntl(m, F_SETFD, FD_CLOEXEC) != 0) error = errno;
    close(s);
    if (error) {
        close(m);
        return error;
    }
    *master = m;
    return 0;
}

int cpty_set_size(int fd, unsigned short columns, unsigned short rows) {
    struct winsize size;
    memset(&size, 0, sizeof size);
    size.ws_col = columns;
    size.ws_row = rows;
    return ioctl(fd, TIOCSWINSZ, &size) == 0 ? 0 : errno;
}

// RFC 4254 §8 opcodes, the way OpenSSH's ttymodes.h maps them.
struct control_character { unsigned char opcode; int index; };
struct flag { unsigned char opcode; int field; tcflag_t bit; };
enum { IFLAG, LFLAG, OFLAG, CFLAG };

static const struct control_character characters[] = {
    {1, VINTR}, {2, VQUIT}, {3, VERASE}, {4, VKILL}, {5, VEOF}, {6, VEOL}, {7, VEOL2},
    {8, VSTART}, {9, VSTOP}, {10, VSUSP}, {12, VREPRINT}, {13, VWERASE}, {14, VLNEXT},
    {18, VDISCARD},
};

static const struct flag flags[] = {
    {30, IFLAG, IGNPAR}, {31, IFLAG, PARMRK}, {32, IFLAG, INPCK}, {33, IFLAG, ISTRIP},
    {34, IFLAG, INLCR}, {35, IFLAG, IGNCR}, {36, IFLAG, ICRNL}, {38, IFLAG, IXON},
    {39, IFLAG, IXANY}, {40, IFLAG, IXOFF}, {41, IFLAG, IMAXBEL}, {42, IFLAG, IUTF8},
    {50, LFLAG, ISIG}, {51, LFLAG, ICANON}, {53, LFLAG, ECHO}, {54, LFLAG, ECHOE},
    {55, LFLAG, ECHOK}, {56, LFLAG, ECHONL}, {57, LFLAG, NOFLSH}, {58, LFLAG, TOSTOP},
    {59, LFLAG, IEXTEN}, {60, LFLAG, ECHOCTL}, {61, LFLAG, ECHOKE}, {62, LFLAG, PENDIN},
    {70, OFLAG, OPOST}, {72, OFLAG, ONLCR}, {73, OFLAG, OCRNL}, {74, OFLAG, ONOCR},
    {75, OFLAG, ONLRET}, {92, CFLAG, PARENB}, {93, CFLAG, PARODD},
};

static tcflag_t *field_of(struct termios *t, int field) {
    switch (field) {
    case IFLAG: return &t->c_iflag;
    case LFLAG: return &t->c_lflag;
    case OFLAG: return &t->c_oflag;
    default: return &t->c_cflag;
    }
}

int cpty_apply_modes(int fd, const unsigned char *opcodes, const unsigned int *values, int count) {
    struct termios t;
    if (tcgetattr(fd, &t) != 0) return errno;
    for (int i = 0; i < count; i++) {
        unsigned char opcode = opcodes[i];
        unsigned int value = values[i];
        for (size_t c = 0; c < sizeof characters / sizeof characters[0]; c++) {
            if (characters[c].opcode == opcode) {
                // 255 means "not set" in SSH, _POSIX_VDISABLE (0) on Linux.
                t.c_cc[characters[c].index] = value == 255 ? _POSIX_VDISABLE : (cc_t)value;
            }
        }
        for (size_t f = 0; f < sizeof flags / sizeof flags[0]; f++) {
            if (flags[f].opcode == opcode) {
                tcflag_t *field = field_of(&t, flags[f].field);
                if (value) *field |= flags[f].bit; else *field &= ~flags[f].bit;
            }
        }
        if (opcode == 90 || opcode == 91) {  // CS7, CS8
            if (value) t.c_cflag = (t.c_cflag & ~CSIZE) | (opcode == 90 ? CS7 : CS8);
        }
    }
    // The consultation is UTF-8 whatever the client says: erase must remove a whole character.
    t.c_iflag |= IUTF8;
    return tcsetattr(fd, TCSANOW, &t) == 0 ? 0 : errno;
}

int cpty_spawn(const char *path, char *const argv[], char *const envp[], const char *slave_path, pid_t *pid) {
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attributes;
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attributes);
    // glibc runs setsid() before the file actions: opening the slave then makes it the new
    // session's controlling terminal (a dup2 would not).
    posix_spawn_file_actions_addopen(&actions, 0, slave_path, O_RDWR, 0);
    posix_spawn_file_actions_adddup2(&actions, 0, 1);
    posix_spawn_file_actions_adddup2(&actions, 0, 2);
    posix_spawn_file_actions_addclosefrom_np(&actions, 3);
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    // The server ignores SIGPIPE and blocks signals on its threads; neither may reach the child.
    posix_spawnattr_setsigmask(&attributes, &none);
    posix_spawnattr_setsigdefault(&attributes, &all);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    int result = posix_spawn(pid, path, &actions, &attributes, argv, envp);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
    return result;
}

int cpty_spawn_plain(const char *path, char *const argv[], char *const envp[], int output, pid_t *pid) {
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attributes;
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attributes);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, output, 1);
    posix_spawn_file_actions_adddup2(&actions, output, 2);
    posix_spawn_file_actions_addclosefrom_np(&actions, 3);
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&attributes, &none);
    posix_spawnattr_setsigdefault(&attributes, &all);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    int result = posix_spawn(pid, path, &actions, &attributes, argv, envp);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
    return result;
}

int cpty_wait(pid_t pid, int *status) {
    int raw = 0;
    while (waitpid(pid, &raw, 0) == -1) {
        if (errno != EINTR) return errno;
    }
    if (WIFEXITED(raw)) *status = WEXITSTATUS(raw);
    else if (WIFSIGNALED(raw)) *status = 128 + WTERMSIG(raw);
    else *status = 255;
    return 0;
}
