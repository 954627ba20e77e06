#define _GNU_SOURCE 1

#include "CSignals.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

// Signal handlers set flags only (async-signal-safe); the readers look at them. Swift cannot write
// a signal handler that is guaranteed async-signal-safe, hence this file.

// MARK: - Signals

static volatile sig_atomic_t interrupt_received = 0;
static volatile sig_atomic_t termination_signal = 0;
static volatile sig_atomic_t alarm_received = 0;
static struct sigaction previous_interrupt_action;
static int interrupt_caught = 0;
static struct sigaction previous_stop_action;
static int stop_ignored = 0;

static void on_interrupt(int signal_number) {
    (void)signal_number;
    interrupt_received = 1;
}

/// Installs `handler` for `signal_number` WITHOUT SA_RESTART, so that a read in progress (el_wgets)
/// fails with EINTR; the disposition it replaces goes to `previous` when given. 0 on success.
static int install_interrupting_handler(int signal_number, void (*handler)(int), struct sigaction *previous) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = handler;
    sigemptyset(&action.sa_mask);
    action.sa_flags = 0; // no SA_RESTART
    return sigaction(signal_number, &action, previous);
}

void csignals_ignore_stop_signal(int ignore) {
    if (ignore && !stop_ignored) {
        struct sigaction action;
        memset(&action, 0, sizeof action);
        action.sa_handler = SIG_IGN;
        sigemptyset(&action.sa_mask);
        if (sigaction(SIGTSTP, &action, &previous_stop_action) == 0) {
            stop_ignored = 1;
        }
    } else if (!ignore && stop_ignored) {
        sigaction(SIGTSTP, &previous_stop_action, NULL);
        stop_ignored = 0;
    }
}

void csignals_catch_interrupt(void) {
    interrupt_received = 0;
    if (!interrupt_caught && install_interrupting_handler(SIGINT, on_interrupt, &previous_interrupt_action) == 0) {
        interrupt_caught = 1;
    }
}

void csignals_release_interrupt(void) {
    if (interrupt_caught) {
        sigaction(SIGINT, &previous_interrupt_action, NULL);
        interrupt_caught = 0;
    }
}

int csignals_read_should_end(void) {
    return interrupt_received != 0 || alarm_received != 0 || termination_signal != 0;
}

int csignals_take_interrupt(void) {
    int received = interrupt_received != 0;
    interrupt_received = 0;
    return received;
}

// While a line is read: the window size changed, or Ctrl-Z asked to stop.
static volatile sig_atomic_t window_changed = 0;
static volatile sig_atomic_t stop_requested = 0;
static struct sigaction previous_window_action;
static struct sigaction previous_stop_catch_action;
static int window_caught = 0;
static int stop_caught = 0;

static void on_window_change(int signal_number) {
    (void)signal_number;
    window_changed = 1;
}

static void on_stop(int signal_number) {
    (void)signal_number;
    stop_requested = 1;
}

void csignals_catch_reading_signals(int stop) {
    if (!window_caught && install_interrupting_handler(SIGWINCH, on_window_change, &previous_window_action) == 0) {
        window_caught = 1;
    }
    if (stop && !stop_caught && install_interrupting_handler(SIGTSTP, on_stop, &previous_stop_catch_action) == 0) {
        stop_caught = 1;
    }
}

void csignals_release_reading_signals(void) {
    if (window_caught) {
        sigaction(SIGWINCH, &previous_window_action, NULL);
        window_caught = 0;
    }
    if (stop_caught) {
        sigaction(SIGTSTP, &previous_stop_catch_action, NULL);
        stop_caught = 0;
    }
}

int csignals_take_window_change(void) {
    int received = window_changed != 0;
    window_changed = 0;
    return received;
}

int csignals_take_stop(void) {
    int received = stop_requested != 0;
    stop_requested = 0;
    return received;
}

void csignals_stop_self(void) {
    struct sigaction caught;
    struct sigaction stop_default;
    memset(&stop_default, 0, sizeof stop_default);
    stop_default.sa_handler = SIG_DFL;
    sigemptyset(&stop_default.sa_mask);
    sigaction(SIGTSTP, &stop_default, &caught);
    // This process only (libedit's own handler signalled the whole process group, its parent
    // shell included); it stops here and goes on when continued.
    kill(getpid(), SIGTSTP);
    sigaction(SIGTSTP, &caught, NULL);
}

int csignals_wait_for_input(int fd, int wanted) {
    // The signals block while the flags are looked at, and ppoll unblocks them only while it
    // waits: a signal that comes between the look and the wait still ends the wait.
    sigset_t blocked;
    sigset_t previous;
    sigemptyset(&blocked);
    int signals[] = {SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGALRM, SIGWINCH, SIGTSTP};
    for (size_t i = 0; i < sizeof signals / sizeof signals[0]; i++) {
        sigaddset(&blocked, signals[i]);
    }
    pthread_sigmask(SIG_BLOCK, &blocked, &previous);
    int pending = ((wanted & CSIGNALS_WAIT_TERMINATION) && termination_signal != 0) ||
                  ((wanted & CSIGNALS_WAIT_INTERRUPT) && (interrupt_received != 0 || alarm_received != 0)) ||
                  ((wanted & CSIGNALS_WAIT_WINDOW) && (window_changed != 0 || stop_requested != 0));
    int result;
    int saved_errno = 0;
    if (pending) {
        result = -1;
        saved_errno = EINTR;
    } else {
        struct pollfd descriptor = {.fd = fd, .events = POLLIN, .revents = 0};
        result = ppoll(&descriptor, 1, NULL, &previous);
        saved_errno = errno;
    }
    pthread_sigmask(SIG_SETMASK, &previous, NULL);
    errno = saved_errno;
    return result < 0 ? -1 : 0;
}

void csignals_ignore_quit(void) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = SIG_IGN;
    sigemptyset(&action.sa_mask);
    sigaction(SIGQUIT, &action, NULL);
}

// MARK: - Termination

static void on_termination(int signal_number) {
    // A write to a reader that has gone (a pipe or socket closed by an SSH client without a
    // terminal) is a hang-up too: the consultation ends "disconnected" instead of dying unrecorded.
    // SIGINT without a terminal (kill -INT, Ctrl-C in the shell of a pipeline) asks it to stop.
    termination_signal = signal_number == SIGPIPE ? SIGHUP : signal_number == SIGINT ? SIGTERM : signal_number;
}

void csignals_catch_termination(void) {
    int signals[] = {SIGTERM, SIGHUP, SIGPIPE};
    for (size_t i = 0; i < sizeof signals / sizeof signals[0]; i++) {
        install_interrupting_handler(signals[i], on_termination, NULL);
    }
    if (isatty(STDIN_FILENO)) {
        // At a terminal Ctrl-C cancels the line being typed (the reader catches it while it
        // reads); one that comes between two reads must not end the consultation unrecorded.
        struct sigaction ignore;
        memset(&ignore, 0, sizeof ignore);
        ignore.sa_handler = SIG_IGN;
        sigemptyset(&ignore.sa_mask);
        sigaction(SIGINT, &ignore, NULL);
    } else {
        install_interrupting_handler(SIGINT, on_termination, NULL);
    }
}

int csignals_termination_signal(void) {
    return termination_signal;
}

// MARK: - Idle timeout
static struct sigaction previous_alarm_action;
static int alarm_armed = 0;

static void on_alarm(int signal_number) {
    (void)signal_number;
    alarm_received = 1;
}

void csignals_arm_alarm(unsigned int seconds) {
    alarm_received = 0;
    if (!alarm_armed && install_interrupting_handler(SIGALRM, on_alarm, &previous_alarm_action) == 0) {
        alarm_armed = 1;
    }
    alarm(seconds);
}

void csignals_disarm_alarm(void) {
    alarm(0);
    if (alarm_armed) {
        sigaction(SIGALRM, &previous_alarm_action, NULL);
        alarm_armed = 0;
    }
}

int csignals_take_alarm(void) {
    int received = alarm_received != 0;
    alarm_received = 0;
    return received;
}

// MARK: - Terminal modes

static volatile sig_atomic_t terminal_claimed = 0;
static int terminal_fd = -1;
static struct termios terminal_saved_modes;

int csignals_claim_terminal(int fd) {
    if (terminal_claimed) {
        errno = EBUSY;
        return -1;
    }
    if (tcgetattr(fd, &terminal_saved_modes) != 0) {
        return -1;
    }
    terminal_fd = fd;
    terminal_claimed = 1;
    return 0;
}

void csignals_release_terminal(void) {
    if (terminal_claimed) {
        terminal_claimed = 0;
        tcsetattr(terminal_fd, TCSANOW, &terminal_saved_modes);
    }
}

int csignals_claimed_terminal(void) {
    return terminal_claimed ? terminal_fd : -1;
}

const struct termios *csignals_claimed_terminal_modes(void) {
    return &terminal_saved_modes;
}

