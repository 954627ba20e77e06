// Fixed-argument wrappers around libedit's variadic calls: Swift cannot call C variadic functions,
// and Swift 6 rejects the C globals stdin/stdout/stderr that el_init wants, so both live here.
// The signals around the reader are CSignals'.
//
// Everything here is meant for one EditLine at a time, used from the main thread.

#ifndef CLIBEDIT_SHIM_H
#define CLIBEDIT_SHIM_H

#include <histedit.h>
#include <termios.h>
#include <wchar.h>

#pragma clang assume_nonnull begin

/// Prompt callback for EL_PROMPT_ESC: returns a NUL-terminated wide string that must stay
/// valid until the next call (libedit reads it on every redisplay).
typedef wchar_t *_Nullable (*clibedit_prompt_function)(EditLine *editLine);

/// Character reader set with EL_GETCFN: 1 with a character, 0 at end of input, -1 on error
/// (errno says which; EINTR makes el_wgets return at once).
typedef int (*clibedit_character_reader)(EditLine *editLine, wchar_t *character);

/// Editor command added with EL_ADDFN; returns one of the CC_* codes.
typedef unsigned char (*clibedit_command_function)(EditLine *editLine, int key);

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

// MARK: - The line being edited

/// A malloc'ed copy of the line being edited (free it), or NULL when it is empty.
wchar_t *_Nullable clibedit_copy_line(EditLine *editLine);
/// el_wpush: the text is read as if typed, at the next el_wgets.
void clibedit_push(EditLine *editLine, const wchar_t *text);

#pragma clang assume_nonnull end

#endif
