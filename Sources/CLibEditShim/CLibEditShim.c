#define _GNU_SOURCE 1

#include "CLibEditShim.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#if defined(__linux__)
#include <sys/syscall.h>
#else
#include <pthread.h>
#endif

// MARK: - Locale

static int codeset_is_utf8(void) {
    const char *codeset = nl_langinfo(CODESET);
    return codeset != NULL && (strcasecmp(codeset, "UTF-8") == 0 || strcasecmp(codeset, "UTF8") == 0);
}

int clibedit_ensure_utf8_ctype(void) {
    // Fails as a whole (and changes nothing) when LANG names a locale that is not installed.
    (void)setlocale(LC_ALL, "");
    if (codeset_is_utf8()) {
        return 0;
    }
    static const char *const fallbacks[] = {"", "C.UTF-8", "C.utf8", "en_US.UTF-8"};
    for (size_t i = 0; i < sizeof fallbacks / sizeof fallbacks[0]; i++) {
        if (setlocale(LC_CTYPE, fallbacks[i]) != NULL && codeset_is_utf8()) {
            return 1;
        }
    }
    return -1;
}

// MARK: - EditLine lifetime

static FILE *open_stream(int fd, const char *mode) {
    switch (fd) {
    case 0: return stdin;
    case 1: return stdout;
    case 2: return stderr;
    default: {
        int copy = dup(fd);
        if (copy < 0) {
            return NULL;
        }
        FILE *stream = fdopen(copy, mode);
        if (stream == NULL) {
            close(copy);
        }
        return stream;
    }
    }
}

static void close_stream(FILE *_Nullable stream) {
    if (stream != NULL && stream != stdin && stream != stdout && stream != stderr) {
        fclose(stream);
    }
}

EditLine *clibedit_init(const char *program, int input, int output, int error) {
    FILE *in = open_stream(input, "r");
    FILE *out = open_stream(output, "w");
    FILE *err = open_stream(error, "w");
    EditLine *editLine = NULL;
    if (in != NULL && out != NULL && err != NULL) {
        editLine = el_init(program, in, out, err);
    }
    if (editLine == NULL) {
        close_stream(in);
        close_stream(out);
        close_stream(err);
    }
    return editLine;
}

void clibedit_end(EditLine *editLine) {
    FILE *streams[3] = {NULL, NULL, NULL};
    for (int i = 0; i < 3; i++) {
        if (el_get(editLine, EL_GETFP, i, &streams[i]) != 0) {
            streams[i] = NULL;
        }
    }
    el_end(editLine);
    for (int i = 0; i < 3; i++) {
        close_stream(streams[i]);
    }
}

const wchar_t *clibedit_gets(EditLine *editLine, int *count, int *errorNumber) {
    fflush(stdout);
    errno = 0;
    const wchar_t *line = el_wgets(editLine, count);
    *errorNumber = errno;
    return line;
}

int clibedit_write(EditLine *editLine, const char *text) {
    FILE *out = NULL;
    if (el_get(editLine, EL_GETFP, 1, &out) != 0 || out == NULL) {
        return -1;
    }
    if (fputs(text, out) == EOF) {
        return -1;
    }
    return fflush(out);
}

// MARK: - el_wset / el_wget

int clibedit_set_prompt(EditLine *editLine, clibedit_prompt_function function, wchar_t literalDelimiter) {
    return el_wset(editLine, EL_PROMPT_ESC, function, literalDelimiter);
}

int clibedit_set_editor(EditLine *editLine, const wchar_t *editor) {
    return el_wset(editLine, EL_EDITOR, editor);
}

int clibedit_set_signal_handling(EditLine *editLine, int enabled) {
    return el_wset(editLine, EL_SIGNAL, enabled);
}

int clibedit_set_history(EditLine *editLine, HistoryW *history) {
    return el_wset(editLine, EL_HIST, history_w, history);
}

// EL_ADDFN keeps the name and help pointers (libedit's own narrow el_set duplicates them and
// leaks the copies). Keep one copy per distinct name for the life of the process, so that
// making EditLines again and again (clearHistory) does not grow memory.
enum { function_name_capacity = 32 };
static struct {
    wchar_t *name;
    wchar_t *help;
} function_names[function_name_capacity];

static int lasting_function_name(const wchar_t *name, const wchar_t *help,
                                 wchar_t *_Nullable *_Nonnull lastingName, wchar_t *_Nullable *_Nonnull lastingHelp) {
    for (int i = 0; i < function_name_capacity; i++) {
        if (function_names[i].name == NULL) {
            wchar_t *nameCopy = wcsdup(name);
            wchar_t *helpCopy = wcsdup(help);
            if (nameCopy == NULL || helpCopy == NULL) {
                free(nameCopy);
                free(helpCopy);
                return -1;
            }
            function_names[i].name = nameCopy;
            function_names[i].help = helpCopy;
        }
        if (wcscmp(function_names[i].name, name) == 0 && wcscmp(function_names[i].help, help) == 0) {
            *lastingName = function_names[i].name;
            *lastingHelp = function_names[i].help;
            return 0;
        }
    }
    return -1;
}

int clibedit_add_function(EditLine *editLine, const wchar_t *name, const wchar_t *help,
                          clibedit_command_function function) {
    wchar_t *lastingName = NULL;
    wchar_t *lastingHelp = NULL;
    if (lasting_function_name(name, help, &lastingName, &lastingHelp) != 0) {
        return -1;
    }
    return el_wset(editLine, EL_ADDFN, lastingName, lastingHelp, function);
}

int clibedit_bind(EditLine *editLine, const wchar_t *keys, const wchar_t *command) {
    return el_wset(editLine, EL_BIND, keys, command, (const wchar_t *)NULL);
}

int clibedit_disable_suspend_character(EditLine *editLine) {
    // "-susp" keeps it disabled if libedit later re-reads the terminal's characters; "susp="
    // disables it now. Changing the terminal before el_init is no use: libedit re-enables
    // disabled characters with its own defaults.
    return el_wset(editLine, EL_SETTY, L"-d", L"-susp", L"susp=", (const wchar_t *)NULL);
}

int clibedit_set_character_reader(EditLine *editLine, clibedit_character_reader reader) {
    return el_wset(editLine, EL_GETCFN, reader);
}

int clibedit_prepare_terminal(EditLine *editLine, int raw) {
    return el_wset(editLine, EL_PREP_TERM, raw);
}

int clibedit_refresh(EditLine *editLine) {
    return el_wset(editLine, EL_REFRESH);
}

int clibedit_set_client_data(EditLine *editLine, void *data) {
    return el_wset(editLine, EL_CLIENTDATA, data);
}

void *clibedit_client_data(EditLine *editLine) {
    void *data = NULL;
    if (el_wget(editLine, EL_CLIENTDATA, &data) != 0) {
        return NULL;
    }
    return data;
}

// MARK: - history_w

HistoryW *clibedit_history_init(int size) {
    HistoryW *history = history_winit();
    if (history == NULL) {
        return NULL;
    }
    HistEventW event;
    history_w(history, &event, H_SETSIZE, size);
    history_w(history, &event, H_SETUNIQUE, 1);
    return history;
}

int clibedit_history_set_size(HistoryW *history, int size) {
    HistEventW event;
    return history_w(history, &event, H_SETSIZE, size);
}

int clibedit_history_enter(HistoryW *history, const wchar_t *line) {
    HistEventW event;
    return history_w(history, &event, H_ENTER, line);
}

int clibedit_history_clear(HistoryW *history) {
    HistEventW event;
    return history_w(history, &event, H_CLEAR);
}

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

void clibedit_ignore_stop_signal(int ignore) {
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

void clibedit_catch_interrupt(void) {
    interrupt_received = 0;
    if (!interrupt_caught && install_interrupting_handler(SIGINT, on_interrupt, &previous_interrupt_action) == 0) {
        interrupt_caught = 1;
    }
}

void clibedit_release_interrupt(void) {
    if (interrupt_caught) {
        sigaction(SIGINT, &previous_interrupt_action, NULL);
        interrupt_caught = 0;
    }
}

int clibedit_read_should_end(void) {
    return interrupt_received != 0 || alarm_received != 0 || termination_signal != 0;
}

int clibedit_take_interrupt(void) {
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

void clibedit_catch_reading_signals(int stop) {
    if (!window_caught && install_interrupting_handler(SIGWINCH, on_window_change, &previous_window_action) == 0) {
        window_caught = 1;
    }
    if (stop && !stop_caught && install_interrupting_handler(SIGTSTP, on_stop, &previous_stop_catch_action) == 0) {
        stop_caught = 1;
    }
}

void clibedit_release_reading_signals(void) {
    if (window_caught) {
        sigaction(SIGWINCH, &previous_window_action, NULL);
        window_caught = 0;
    }
    if (stop_caught) {
        sigaction(SIGTSTP, &previous_stop_catch_action, NULL);
        stop_caught = 0;
    }
}

int clibedit_take_window_change(void) {
    int received = window_changed != 0;
    window_changed = 0;
    return received;
}

int clibedit_take_stop(void) {
    int received = stop_requested != 0;
    stop_requested = 0;
    return received;
}

void clibedit_stop_self(void) {
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

int clibedit_wait_for_input(int fd, int wanted) {
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
    int pending = ((wanted & CLIBEDIT_WAIT_TERMINATION) && termination_signal != 0) ||
                  ((wanted & CLIBEDIT_WAIT_INTERRUPT) && (interrupt_received != 0 || alarm_received != 0)) ||
                  ((wanted & CLIBEDIT_WAIT_WINDOW) && (window_changed != 0 || stop_requested != 0));
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

void clibedit_ignore_quit(void) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = SIG_IGN;
    sigemptyset(&action.sa_mask);
    sigaction(SIGQUIT, &action, NULL);
}

// MARK: - The line being edited

wchar_t *clibedit_copy_line(EditLine *editLine) {
    const LineInfoW *info = el_wline(editLine);
    if (info == NULL || info->lastchar <= info->buffer) {
        return NULL;
    }
    size_t length = (size_t)(info->lastchar - info->buffer);
    wchar_t *copy = malloc((length + 1) * sizeof(wchar_t));
    if (copy == NULL) {
        return NULL;
    }
    memcpy(copy, info->buffer, length * sizeof(wchar_t));
    copy[length] = L'\0';
    return copy;
}

void clibedit_push(EditLine *editLine, const wchar_t *text) {
    el_wpush(editLine, text);
}

// MARK: - Termination

static void on_termination(int signal_number) {
    // A write to a reader that has gone (a pipe or socket closed by an SSH client without a
    // terminal) is a hang-up too: the consultation ends "disconnected" instead of dying unrecorded.
    // SIGINT without a terminal (kill -INT, Ctrl-C in the shell of a pipeline) asks it to stop.
    termination_signal = signal_number == SIGPIPE ? SIGHUP : signal_number == SIGINT ? SIGTERM : signal_number;
}

void clibedit_catch_termination(void) {
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

int clibedit_termination_signal(void) {
    return termination_signal;
}

// MARK: - Idle timeout
static struct sigaction previous_alarm_action;
static int alarm_armed = 0;

static void on_alarm(int signal_number) {
    (void)signal_number;
    alarm_received = 1;
}

void clibedit_arm_alarm(unsigned int seconds) {
    alarm_received = 0;
    if (!alarm_armed && install_interrupting_handler(SIGALRM, on_alarm, &previous_alarm_action) == 0) {
        alarm_armed = 1;
    }
    alarm(seconds);
}

void clibedit_disarm_alarm(void) {
    alarm(0);
    if (alarm_armed) {
        sigaction(SIGALRM, &previous_alarm_action, NULL);
        alarm_armed = 0;
    }
}

int clibedit_take_alarm(void) {
    int received = alarm_received != 0;
    alarm_received = 0;
    return received;
}

// MARK: - Terminal modes

static volatile sig_atomic_t terminal_claimed = 0;
static int terminal_fd = -1;
static struct termios terminal_saved_modes;

int clibedit_claim_terminal(int fd) {
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

void clibedit_release_terminal(void) {
    if (terminal_claimed) {
        terminal_claimed = 0;
        tcsetattr(terminal_fd, TCSANOW, &terminal_saved_modes);
    }
}

int clibedit_claimed_terminal(void) {
    return terminal_claimed ? terminal_fd : -1;
}

const struct termios *clibedit_claimed_terminal_modes(void) {
    return &terminal_saved_modes;
}

// MARK: - Small helpers

int clibedit_is_main_thread(void) {
#if defined(__linux__)
    return (pid_t)syscall(SYS_gettid) == getpid();
#else
    return pthread_main_np() != 0;
#endif
}

int clibedit_terminal_columns(int fd) {
    struct winsize size;
    if (ioctl(fd, TIOCGWINSZ, &size) != 0) {
        return 0;
    }
    return size.ws_col;
}

int clibedit_character_width(wchar_t character) {
    return wcwidth(character);
}

void clibedit_flush_standard_output(void) {
    fflush(stdout);
}
