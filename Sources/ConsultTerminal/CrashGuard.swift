internal import CSignals
import ConsultRecords

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What a crash leaves: the applicant gets the terminal back and a few words with the office's
/// phone (never Swift's interactive backtracer, a dump or addresses), the transcript ends
/// "crashed", and the report goes to `DATA/crashes/<transcript id>.log` (mode 0600), where staff
/// read it. Ctrl-\ does nothing in a consultation.
///
/// A signal handler can neither format nor hash: everything it writes is prepared here, ahead.
public enum CrashGuard {
    /// Installs the handlers, replacing the Swift runtime's backtracer, and ignores SIGQUIT
    /// (Ctrl-\), which would otherwise open that backtracer. Until a transcript is opened the
    /// report is named after the process.
    ///
    /// - Parameter standardErrorIsStaff: the report is also written to standard error (a log, a
    ///   CI job), never when standard error is the applicant's (a terminal, an SSH channel).
    public static func install(dataDirectory: DataDirectory, standardErrorIsStaff: Bool) {
        directory = dataDirectory.url.appendingPathComponent("crashes").path
        toStandardError = standardErrorIsStaff
        consult_crash_guard_install()
        csignals_ignore_quit()
        consult_crash_guard_set_report(directory, "consult-\(getpid()).log", "", standardErrorIsStaff ? 1 : 0)
    }

    /// From now on a crash ends this transcript and reports under its id.
    public static func watch(_ writer: TranscriptWriter) {
        consult_crash_guard_set_report(directory, "\(writer.id).log", writer.id, toStandardError ? 1 : 0)
        writer.crashEnd = { descriptor, line in
            line.withUnsafeBufferPointer {
                consult_crash_guard_set_transcript_end(descriptor, $0.baseAddress, $0.count)
            }
        }
    }

    /// Runs `body` (the consultations) with standard error sent to a nameless file beside the
    /// reports, when standard error is the applicant's: what the Swift runtime prints before it
    /// traps ("Fatal error: …" with source paths) then reaches staff only, in the crash report.
    @discardableResult
    public static func withStandardErrorKept<T>(_ body: () throws -> T) rethrows -> T {
        let captured = !toStandardError && consult_crash_guard_capture_standard_error() == 0
        defer { if captured { consult_crash_guard_release_standard_error() } }
        return try body()
    }

    /// The words an applicant reads after a crash, in their language.
    public static func apology(_ text: String) {
        consult_crash_guard_set_apology(text)
    }

    // Set once at start, before any consultation, on the main thread.
    nonisolated(unsafe) private static var directory = ""
    nonisolated(unsafe) private static var toStandardError = false
}
