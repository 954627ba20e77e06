#define _GNU_SOURCE 1

#include "CLibEditShim.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <termios.h>
#include <unistd.h>


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

