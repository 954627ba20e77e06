// Fixed-argument wrappers around libedit's variadic calls, plus the process-wide pieces a line
// editor needs around it (locale, SIGINT, saved terminal modes). Swift cannot call C variadic
// functions, and Swift 6 rejects the C globals stdin/stdout/stderr, so both live here.
//
// Everything here is meant for one EditLine at a time, used from the main thread.

#ifndef CLIBEDIT_SHIM_H
#define CLIBEDIT_SHIM_H

#include <histedit.h>
#include <termios.h>
#include <wchar.h>

#include "CrashGuard.h"

#pragma clang assume_nonnull begin

/// Prompt callback for EL_PROMPT_ESC: returns a NUL-terminated wide string that must stay
/// valid until the next call (libedit reads it on every redisplay).
typedef wchar_t *_Nullable (*clibedit_prompt_function)(EditLine *editLine);

/// Character reader set with EL_GETCFN: 1 with a character, 0 at end of input, -1 on error
/// (errno says which; EINTR makes el_wgets return at once).
typedef int (*clibedit_character_reader)(EditLine *editLine, wchar_t *character);

/// Editor command added with EL_ADDFN; returns one of the CC_* codes.
typedef unsigned char (*clibedit_command_function)(EditLine *editLine, int key);

// MARK: - Locale

/// setlocale(LC_ALL, ""); if the character type is then not UTF-8 (LANG unset, or naming a locale
/// this machine lacks), falls back to the environment's LC_CTYPE alone, then "C.UTF-8", then
/// "en_US.UTF-8". Must run before el_init: libedit decides at init whether it speaks UTF-8.
/// Returns 0 if the environment's locale was already UTF-8, 1 if a fallback was installed,
/// -1 if no UTF-8 character type could be set.
int clibedit_ensure_utf8_ctype(void);

// MARK: - EditLine lifetime

/// el_init on the given descriptors. Descriptors 0, 1 and 2 use the C stdio streams (so libedit's
/// output and Swift's print() share one buffer); others get their own FILE over a dup().
EditLine *_Nullable clibedit_init(const char *program, int input, int output, int error);

/// el_end, then closes the FILEs clibedit_init opened itself.
void clibedit_end(EditLine *editLine);

/// el_wgets with errno captured right away. Returns the line (count includes the newline),
/// NULL with count 0 at end of input, NULL with count -1 on error (errorNumber EINTR when a
/// signal interrupted the read). Flushes stdout first so earlier print() output comes out
/// before the prompt.
const wchar_t *_Nullable clibedit_gets(EditLine *editLine, int *count, int *errorNumber);

/// Writes UTF-8 text to libedit's output stream and flushes it.
int clibedit_write(EditLine *editLine, const char *text);

// MARK: - el_wset / el_wget

/// EL_PROMPT_ESC: text between two `literalDelimiter` characters is sent to the terminal but
/// takes no room (colour escapes).
int clibedit_set_prompt(EditLine *editLine, clibedit_prompt_function function, wchar_t literalDelimiter);
/// EL_EDITOR: L"emacs" or L"vi".
int clibedit_set_editor(EditLine *editLine, const wchar_t *editor);
/// EL_SIGNAL: while reading, libedit catches SIGINT, SIGTSTP, SIGQUIT, SIGHUP, SIGTERM, SIGCONT
/// and SIGWINCH, puts the terminal back in cooked mode and re-raises with kill(0, signal): to the
/// whole process group, a parent shell included. consult keeps it off (see EL_GETCFN).
int clibedit_set_signal_handling(EditLine *editLine, int enabled);
/// EL_HIST with history_w.
int clibedit_set_history(EditLine *editLine, HistoryW *history);
/// EL_ADDFN. libedit keeps the name and help pointers: the shim keeps a copy of each distinct
/// pair for the life of the process (at most 32).
int clibedit_add_function(EditLine *editLine, const wchar_t *name, const wchar_t *help,
                          clibedit_command_function function);
/// EL_BIND keys command: `keys` is a key sequence (control characters may be given literally),
/// `command` an editor command name such as L"ed-move-to-beg" or one added with EL_ADDFN.
int clibedit_bind(EditLine *editLine, const wchar_t *keys, const wchar_t *command);
/// EL_SETTY -d -susp susp=: while editing, the terminal has no suspend character, so ^Z reaches
/// the key map as an ordinary key instead of raising SIGTSTP.
int clibedit_disable_suspend_character(EditLine *editLine);
/// EL_GETCFN: libedit reads each character through `reader` instead of its own read(2) loop.
int clibedit_set_character_reader(EditLine *editLine, clibedit_character_reader reader);
/// EL_PREP_TERM: the terminal in libedit's editing mode (non-zero) or back as it was (zero).
int clibedit_prepare_terminal(EditLine *editLine, int raw);
/// EL_REFRESH: draws the prompt and the line again.
int clibedit_refresh(EditLine *editLine);
/// EL_CLIENTDATA set / get.
int clibedit_set_client_data(EditLine *editLine, void *_Nullable data);
void *_Nullable clibedit_client_data(EditLine *editLine);

// MARK: - history_w

/// history_winit, H_SETSIZE and H_SETUNIQUE (a line repeated right away is stored once).
HistoryW *_Nullable clibedit_history_init(int size);
int clibedit_history_set_size(HistoryW *history, int size);
int clibedit_history_enter(HistoryW *history, const wchar_t *line);
int clibedit_history_clear(HistoryW *history);

// MARK: - Signals

/// Installs a SIGINT handler WITHOUT SA_RESTART (so a read in progress fails with EINTR),
/// remembering the previous disposition, and clears the interrupt flag.
/// Pair with clibedit_release_interrupt, which puts the previous disposition back.
void clibedit_catch_interrupt(void);
void clibedit_release_interrupt(void);
/// 1 when a read should end now: SIGINT, the alarm or a termination signal arrived (no flag cleared).
int clibedit_read_should_end(void);
/// Returns 1 if SIGINT arrived since clibedit_catch_interrupt, and clears the flag.
int clibedit_take_interrupt(void);

/// Ignores SIGTSTP (non-zero) or restores the disposition it replaced (zero).
void clibedit_ignore_stop_signal(int ignore);

/// While a line is read: SIGWINCH (and SIGTSTP when `stop` is non-zero) caught WITHOUT
/// SA_RESTART, so that the read fails with EINTR and the reader resizes (or stops) itself.
/// Pair with clibedit_release_reading_signals, which puts the previous dispositions back.
void clibedit_catch_reading_signals(int stop);
void clibedit_release_reading_signals(void);
/// 1 if SIGWINCH (SIGTSTP) arrived since the last call; clears the flag.
int clibedit_take_window_change(void);
int clibedit_take_stop(void);
/// Stops this process alone (SIGTSTP with its default action) and returns when it is continued.
void clibedit_stop_self(void);
enum {
    CLIBEDIT_WAIT_TERMINATION = 1, ///< SIGTERM, SIGHUP, SIGPIPE
    CLIBEDIT_WAIT_INTERRUPT = 2,   ///< SIGINT, the alarm
    CLIBEDIT_WAIT_WINDOW = 4,      ///< SIGWINCH, SIGTSTP (while a line is edited)
};
/// Waits until `fd` is readable (0), or fails with EINTR (-1) when a signal came, or had already
/// come, whose flag `wanted` names (CLIBEDIT_WAIT_* bits). Without the race of looking at a flag
/// and then calling read(2): a signal between the two would be missed until the next key.
int clibedit_wait_for_input(int fd, int wanted);
/// SIGQUIT (Ctrl-\) ignored: in a consultation it does nothing.
void clibedit_ignore_quit(void);

// MARK: - The line being edited

/// A malloc'ed copy of the line being edited (free it), or NULL when it is empty.
wchar_t *_Nullable clibedit_copy_line(EditLine *editLine);
/// el_wpush: the text is read as if typed, at the next el_wgets.
void clibedit_push(EditLine *editLine, const wchar_t *text);

// MARK: - Termination

/// Catches SIGTERM, SIGHUP and SIGPIPE (counted as SIGHUP) without SA_RESTART: a read in progress fails with EINTR and the
/// program can end its records before it exits (instead of dying mid-consultation).
void clibedit_catch_termination(void);
/// The signal that asked the program to end (SIGTERM or SIGHUP), or 0.
int clibedit_termination_signal(void);

// MARK: - Idle timeout

/// Installs a SIGALRM handler WITHOUT SA_RESTART and schedules the alarm in `seconds`, so that a
/// read still waiting then fails with EINTR. Pair with clibedit_disarm_alarm.
void clibedit_arm_alarm(unsigned int seconds);
/// Cancels the alarm and puts the previous SIGALRM disposition back.
void clibedit_disarm_alarm(void);
/// Returns 1 if the alarm went off since clibedit_arm_alarm, and clears the flag.
int clibedit_take_alarm(void);

// MARK: - Terminal modes

/// Saves the terminal modes of `fd` (tcgetattr) so that clibedit_release_terminal and the
/// fatal-signal handlers can put them back. Fails with EBUSY if a terminal is already claimed.
int clibedit_claim_terminal(int fd);
/// Restores the saved modes (tcsetattr) and forgets them.
void clibedit_release_terminal(void);
/// The descriptor of the claimed terminal, or -1; and the modes saved when it was claimed.
int clibedit_claimed_terminal(void);
const struct termios *clibedit_claimed_terminal_modes(void);

// MARK: - Small helpers

/// 1 on the process's main thread.
int clibedit_is_main_thread(void);
/// Columns of the terminal on `fd`, or 0 if unknown.
int clibedit_terminal_columns(int fd);
/// wcwidth(3) in the current locale; -1 for non-printable characters.
int clibedit_character_width(wchar_t character);
/// fflush(stdout).
void clibedit_flush_standard_output(void);

#pragma clang assume_nonnull end

#endif
