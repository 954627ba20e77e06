#define _GNU_SOURCE 1

#include "CrashGuard.h"
#include "CSignals.h"

#include <errno.h>
#include <execinfo.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

// Everything the handler uses is written here ahead of time. A buffer is published by setting its
// length last (0 while it is rewritten), so that a crash in the middle finds either nothing or a
// whole text.

static char apology[4096];
static volatile sig_atomic_t apology_length = 0;

static char report_directory[PATH_MAX];
static char report_path[PATH_MAX];
static char report_label[128];
static volatile sig_atomic_t report_ready = 0;
static volatile sig_atomic_t report_to_standard_error = 0;

static char end_line[8192];
static volatile sig_atomic_t end_line_length = 0;
static int transcript_copy = -1;
static dev_t transcript_device;
static ino_t transcript_inode;
static off_t transcript_committed = 0;

// While a consultation runs, standard error (the applicant's terminal) goes to a nameless file in
// the report directory: what the Swift runtime prints before it traps ("Fatal error: …", with
// source paths) reaches staff, not the applicant. The handler gives the file its report name.
static int standard_error_saved = -1;
static volatile sig_atomic_t standard_error_captured = 0;

static const int crash_signals[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP, SIGABRT};
#define CRASH_SIGNAL_COUNT (sizeof crash_signals / sizeof crash_signals[0])

// MARK: - Writing without formatting

static void write_all(int fd, const char *text, size_t length) {
    while (length > 0) {
        ssize_t n = write(fd, text, length);
        if (n < 0) {
            if (errno == EINTR) continue;
            return;
        }
        text += n;
        length -= (size_t)n;
    }
}

static void write_text(int fd, const char *text) {
    write_all(fd, text, strlen(text));
}

static void write_number(int fd, unsigned long long value, unsigned base) {
    char digits[32];
    size_t i = sizeof digits;
    do {
        digits[--i] = "0123456789abcdef"[value % base];
        value /= base;
    } while (value > 0 && i > 0);
    if (base == 16) write_text(fd, "0x");
    write_all(fd, digits + i, sizeof digits - i);
}

static void write_signed(int fd, long long value) {
    if (value < 0) {
        write_text(fd, "-");
        write_number(fd, (unsigned long long)(-(value + 1)) + 1, 10);
    } else {
        write_number(fd, (unsigned long long)value, 10);
    }
}

static const char *signal_name(int signal_number) {
    switch (signal_number) {
    case SIGSEGV: return "SIGSEGV";
    case SIGBUS: return "SIGBUS";
    case SIGILL: return "SIGILL";
    case SIGFPE: return "SIGFPE";
    case SIGTRAP: return "SIGTRAP";
    case SIGABRT: return "SIGABRT";
    default: return "signal";
    }
}

// MARK: - The handler

static void write_report(int fd, int signal_number, const siginfo_t *_Nullable info) {
    write_text(fd, "consult crashed\n");
    write_text(fd, "consultation: ");
    write_text(fd, report_label[0] ? report_label : "(none yet)");
    write_text(fd, "\npid: ");
    write_signed(fd, getpid());
    struct timespec now;
    if (clock_gettime(CLOCK_REALTIME, &now) == 0) {
        write_text(fd, "\ntime (seconds since 1970, UTC): ");
        write_signed(fd, (long long)now.tv_sec);
    }
    write_text(fd, "\nsignal: ");
    write_signed(fd, signal_number);
    write_text(fd, " (");
    write_text(fd, signal_name(signal_number));
    write_text(fd, ")");
    if (info != NULL) {
        write_text(fd, ", code ");
        write_signed(fd, info->si_code);
        if (info->si_code <= 0) {
            write_text(fd, ", sent by pid ");
            write_signed(fd, info->si_pid);
            write_text(fd, " (uid ");
            write_signed(fd, info->si_uid);
            write_text(fd, ")");
        } else {
            write_text(fd, ", address ");
            write_number(fd, (unsigned long long)(uintptr_t)info->si_addr, 16);
        }
    }
    write_text(fd, "\nbacktrace:\n");
    void *frames[64];
    int count = backtrace(frames, 64);
    backtrace_symbols_fd(frames, count, fd);
    write_text(fd, "\n");
}

static void on_crash(int signal_number, siginfo_t *info, void *context) {
    (void)context;
    static volatile sig_atomic_t entered = 0;
    if (!entered) {
        entered = 1;
        // No core file: it would hold the applicant's answers.
        prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
        // 1. The applicant's terminal as it was found.
        int terminal = csignals_claimed_terminal();
        if (terminal >= 0) {
            tcsetattr(terminal, TCSANOW, csignals_claimed_terminal_modes());
        }
        // 2. The transcript: back to its last whole event, then the prepared end.
        size_t length = (size_t)end_line_length;
        if (transcript_copy >= 0 && length > 0) {
            if (ftruncate(transcript_copy, transcript_committed) == 0) {
                write_all(transcript_copy, end_line, length);
                fsync(transcript_copy);
            }
        }
        // 3. A few words for the applicant (before the backtrace, the step most likely to fail).
        size_t apology_bytes = (size_t)apology_length;
        if (apology_bytes > 0) {
            // The terminal is back in its own modes, which turn \n into \r\n.
            write_all(STDOUT_FILENO, "\n\n", 2);
            write_all(STDOUT_FILENO, apology, apology_bytes);
            write_all(STDOUT_FILENO, "\n", 1);
        }
        // 4. The report, where staff read it: after what standard error caught, or on its own.
        int reported = 0;
        if (standard_error_captured && report_ready) {
            write_report(STDERR_FILENO, signal_number, info);
            fsync(STDERR_FILENO);
            mkdir(report_directory, 0700);
            reported = linkat(AT_FDCWD, "/proc/self/fd/2", AT_FDCWD, report_path, AT_SYMLINK_FOLLOW) == 0;
        }
        if (report_ready && !reported) {
            mkdir(report_directory, 0700);
            int fd = open(report_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
            if (fd >= 0) {
                write_report(fd, signal_number, info);
                fsync(fd);
                close(fd);
            }
        }
        if (report_to_standard_error && !standard_error_captured) {
            write_report(STDERR_FILENO, signal_number, info);
        }
    }
    // 5. End with the signal's default action.
    struct sigaction default_action;
    memset(&default_action, 0, sizeof default_action);
    default_action.sa_handler = SIG_DFL;
    sigemptyset(&default_action.sa_mask);
    sigaction(signal_number, &default_action, NULL);
    sigset_t unblock;
    sigemptyset(&unblock);
    sigaddset(&unblock, signal_number);
    sigprocmask(SIG_UNBLOCK, &unblock, NULL);
    raise(signal_number);
    // A fault raised by the CPU happens again on return, now with the default action.
    if (!(info != NULL && info->si_code > 0)) {
        _exit(128 + signal_number);
    }
}

// MARK: - Set-up, from the main program

void consult_crash_guard_install(void) {
    static int prepared = 0;
    if (!prepared) {
        prepared = 1;
        // backtrace() loads libgcc_s at its first call, which allocates: do it now.
        void *frames[4];
        (void)backtrace(frames, 4);
        // An alternate stack, so that a stack overflow is reported too.
        stack_t current;
        if (sigaltstack(NULL, &current) == 0 && (current.ss_flags & SS_DISABLE)) {
            size_t size = 64 * 1024;
            void *memory = malloc(size);
            if (memory != NULL) {
                stack_t stack = {.ss_sp = memory, .ss_size = size, .ss_flags = 0};
                if (sigaltstack(&stack, NULL) != 0) free(memory);
            }
        }
    }
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = on_crash;
    sigfillset(&action.sa_mask);  // nothing else runs in the middle of it
    action.sa_flags = SA_SIGINFO | SA_ONSTACK;
    for (size_t i = 0; i < CRASH_SIGNAL_COUNT; i++) {
        sigaction(crash_signals[i], &action, NULL);
    }
}

int consult_crash_guard_capture_standard_error(void) {
    if (standard_error_captured || !report_ready) return -1;
    mkdir(report_directory, 0700);
    int file = open(report_directory, O_TMPFILE | O_WRONLY | O_APPEND | O_CLOEXEC, 0600);
    if (file < 0) return -1;
    standard_error_saved = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
    if (standard_error_saved < 0 || dup2(file, STDERR_FILENO) < 0) {
        if (standard_error_saved >= 0) close(standard_error_saved);
        standard_error_saved = -1;
        close(file);
        return -1;
    }
    close(file);
    standard_error_captured = 1;
    return 0;
}

void consult_crash_guard_release_standard_error(void) {
    if (!standard_error_captured) return;
    standard_error_captured = 0;
    dup2(standard_error_saved, STDERR_FILENO);
    close(standard_error_saved);
    standard_error_saved = -1;
}

static void copy_text(char *destination, size_t capacity, const char *source) {
    size_t length = strlen(source);
    if (length >= capacity) length = capacity - 1;
    memcpy(destination, source, length);
    destination[length] = '\0';
}

void consult_crash_guard_set_report(const char *directory, const char *fileName, const char *label,
                                    int standardErrorIsStaff) {
    report_ready = 0;
    report_to_standard_error = standardErrorIsStaff != 0;
    copy_text(report_label, sizeof report_label, label);
    if (directory[0] == '\0' || fileName[0] == '\0' ||
        strlen(directory) + 1 + strlen(fileName) >= sizeof report_path) {
        return;
    }
    copy_text(report_directory, sizeof report_directory, directory);
    copy_text(report_path, sizeof report_path, directory);
    strcat(report_path, "/");
    strcat(report_path, fileName);
    report_ready = 1;
}

void consult_crash_guard_set_apology(const char *text) {
    apology_length = 0;
    size_t length = strlen(text);
    if (length > sizeof apology) length = sizeof apology;
    memcpy(apology, text, length);
    apology_length = (sig_atomic_t)length;
}

void consult_crash_guard_set_transcript_end(int descriptor, const uint8_t *line, size_t length) {
    end_line_length = 0;
    struct stat status;
    if (line == NULL || length == 0 || length > sizeof end_line || fstat(descriptor, &status) != 0) {
        if (transcript_copy >= 0) {
            close(transcript_copy);
            transcript_copy = -1;
        }
        return;
    }
    // A descriptor of its own on this file: the writer's may be closed and its number reused.
    if (transcript_copy < 0 || status.st_dev != transcript_device || status.st_ino != transcript_inode) {
        if (transcript_copy >= 0) close(transcript_copy);
        transcript_copy = fcntl(descriptor, F_DUPFD_CLOEXEC, 3);
        transcript_device = status.st_dev;
        transcript_inode = status.st_ino;
        if (transcript_copy < 0) return;
    }
    transcript_committed = status.st_size;
    memcpy(end_line, line, length);
    end_line_length = (sig_atomic_t)length;
}
