// The process-wide pieces a line reader needs around it that must be async-signal-safe: signal
// handlers that only set flags, waiting for input without missing a signal, the terminal's saved
// modes (which the crash handler puts back). Swift cannot write such handlers; everything else is
// Swift. No libedit here: the plain reader uses these too.

#ifndef CSIGNALS_H
#define CSIGNALS_H

#include <termios.h>

#include "CrashGuard.h"

#pragma clang assume_nonnull begin

// MARK: - Signals

/// Installs a SIGINT handler WITHOUT SA_RESTART (so a read in progress fails with EINTR),
/// remembering the previous disposition, and clears the interrupt flag.
/// Pair with csignals_release_interrupt, which puts the previous disposition back.
void csignals_catch_interrupt(void);
void csignals_release_interrupt(void);
/// 1 when a read should end now: SIGINT, the alarm or a termination signal arrived (no flag cleared).
int csignals_read_should_end(void);
/// Returns 1 if SIGINT arrived since csignals_catch_interrupt, and clears the flag.
int csignals_take_interrupt(void);

/// Ignores SIGTSTP (non-zero) or restores the disposition it replaced (zero).
void csignals_ignore_stop_signal(int ignore);

/// While a line is read: SIGWINCH (and SIGTSTP when `stop` is non-zero) caught WITHOUT
/// SA_RESTART, so that the read fails with EINTR and the reader resizes (or stops) itself.
/// Pair with csignals_release_reading_signals, which puts the previous dispositions back.
void csignals_catch_reading_signals(int stop);
void csignals_release_reading_signals(void);
/// 1 if SIGWINCH (SIGTSTP) arrived since the last call; clears the flag.
int csignals_take_window_change(void);
int csignals_take_stop(void);
/// Stops this process alone (SIGTSTP with its default action) and returns when it is continued.
void csignals_stop_self(void);
enum {
    CSIGNALS_WAIT_TERMINATION = 1, ///< SIGTERM, SIGHUP, SIGPIPE
    CSIGNALS_WAIT_INTERRUPT = 2,   ///< SIGINT, the alarm
    CSIGNALS_WAIT_WINDOW = 4,      ///< SIGWINCH, SIGTSTP (while a line is edited)
};
/// Waits until `fd` is readable (0), or fails with EINTR (-1) when a signal came, or had already
/// come, whose flag `wanted` names (CSIGNALS_WAIT_* bits). Without the race of looking at a flag
/// and then calling read(2): a signal between the two would be missed until the next key.
int csignals_wait_for_input(int fd, int wanted);
/// SIGQUIT (Ctrl-\) ignored: in a consultation it does nothing.
void csignals_ignore_quit(void);

// MARK: - Termination

/// Catches SIGTERM, SIGHUP and SIGPIPE (counted as SIGHUP) without SA_RESTART: a read in progress fails with EINTR and the
/// program can end its records before it exits (instead of dying mid-consultation).
void csignals_catch_termination(void);
/// The signal that asked the program to end (SIGTERM or SIGHUP), or 0.
int csignals_termination_signal(void);

// MARK: - Idle timeout

/// Installs a SIGALRM handler WITHOUT SA_RESTART and schedules the alarm in `seconds`, so that a
/// read still waiting then fails with EINTR. Pair with csignals_disarm_alarm.
void csignals_arm_alarm(unsigned int seconds);
/// Cancels the alarm and puts the previous SIGALRM disposition back.
void csignals_disarm_alarm(void);
/// Returns 1 if the alarm went off since csignals_arm_alarm, and clears the flag.
int csignals_take_alarm(void);

// MARK: - Terminal modes

/// Saves the terminal modes of `fd` (tcgetattr) so that csignals_release_terminal and the
/// fatal-signal handlers can put them back. Fails with EBUSY if a terminal is already claimed.
int csignals_claim_terminal(int fd);
/// Restores the saved modes (tcsetattr) and forgets them.
void csignals_release_terminal(void);
/// The descriptor of the claimed terminal, or -1; and the modes saved when it was claimed.
int csignals_claimed_terminal(void);
const struct termios *csignals_claimed_terminal_modes(void);

#pragma clang assume_nonnull end

#endif
