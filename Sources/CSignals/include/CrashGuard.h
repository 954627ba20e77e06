// What happens when consult crashes (a fault, an abort, a signal of that kind): the applicant
// gets the terminal back and a short apology with the office's phone, never a debugger, a dump
// or a backtrace; the transcript is closed with "end, reason crashed"; the report (signal,
// address, backtrace) goes where staff read it. A signal handler can neither format nor hash,
// so everything it writes is prepared ahead, by the functions below, from the main program.

#ifndef CONSULT_CRASH_GUARD_H
#define CONSULT_CRASH_GUARD_H

#include <stddef.h>
#include <stdint.h>

#pragma clang assume_nonnull begin

/// Installs (once; again after anything replaced them) the crash handlers for SIGSEGV, SIGBUS,
/// SIGILL, SIGFPE, SIGTRAP and SIGABRT, replacing the Swift runtime's backtracer, on an
/// alternate stack of their own. Also loads what `backtrace` needs, so that the handler does
/// not allocate.
void consult_crash_guard_install(void);

/// Where the crash report goes: `directory` (created 0700 by the handler if missing) and the file
/// name in it (created 0600). Empty strings: no report file. When `standardErrorIsStaff` is
/// non-zero the report is also written to standard error (it is not the applicant's).
void consult_crash_guard_set_report(const char *directory, const char *fileName, const char *label,
                                    int standardErrorIsStaff);

/// The words the applicant reads after a crash (UTF-8, already rendered in their language).
void consult_crash_guard_set_apology(const char *text);

/// The transcript's last whole state: the handler cuts `descriptor`'s file back to its present
/// size (a line torn by the crash goes) and appends `line` (a whole, chained "end, reason crashed"
/// event). The handler keeps a descriptor of its own on the file. An empty line: nothing to append
/// (the transcript has ended).
void consult_crash_guard_set_transcript_end(int descriptor, const uint8_t *_Nullable line, size_t length);

/// While a consultation runs: standard error goes to a nameless file in the report directory
/// (O_TMPFILE), so that what the Swift runtime prints before a trap reaches staff and never the
/// applicant; after a crash the handler links it under the report's name (with the report), else
/// it vanishes. 0 on success. Release puts standard error back.
int consult_crash_guard_capture_standard_error(void);
void consult_crash_guard_release_standard_error(void);

#pragma clang assume_nonnull end

#endif
