// The floor for time to first prompt: a C program that links libedit, asks for the language in
// three languages and waits for the answer, as `consult start`'s first screen does (wide API,
// UTF-8 character type, as consult sets them up).
#include <histedit.h>
#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>

static const wchar_t *prompt(EditLine *el) {
    (void)el;
    return L"> ";
}

int main(int argc, char *argv[]) {
    (void)argc;
    setlocale(LC_ALL, "");
    if (strcmp(nl_langinfo(CODESET), "UTF-8") != 0) setlocale(LC_CTYPE, "C.UTF-8");
    EditLine *el = el_init(argv[0], stdin, stdout, stderr);
    el_wset(el, EL_PROMPT, prompt);
    el_wset(el, EL_EDITOR, L"emacs");
    el_wset(el, EL_SIGNAL, 1);
    fputs("Choose your language / Elija su idioma / Выберите язык\n"
          "  1. English\n  2. Español\n  3. Русский\n", stdout);
    fflush(stdout);
    int count = 0;
    const wchar_t *line = el_wgets(el, &count);
    el_end(el);
    return line ? 0 : 1;
}
