internal import CSignals
import ConsultRecords

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What one call to ``LineReader/readLine(prompt:)`` produced.
public enum LineReadResult: Equatable, Sendable {
    /// A line, without its trailing newline.
    case line(String)
    /// Ctrl-D on an empty line, or the input closed.
    case endOfInput
    /// Ctrl-C: the line being typed was abandoned; the session goes on.
    case interrupted
    /// Nothing was entered before the timeout given to ``LineReader/readLine(prompt:timeout:)``.
    case timedOut
    /// A line longer than ``LineLimit/characters``: its first characters (control characters
    /// removed) and its whole length in characters. The rest was read and thrown away.
    case tooLong(String, length: Int)
}

/// Reads the applicant's answers one line at a time.
///
/// Call it from the main thread only: libedit's terminal and signal handling break elsewhere.
public protocol LineReader: AnyObject {
    /// Reads one line with the prompt shown (the prompt may contain ANSI colour escapes).
    /// No trailing newline in the result.
    func readLine(prompt: String) -> LineReadResult
    /// Like ``readLine(prompt:)``, giving up after `timeout` seconds without a finished line
    /// (kiosk idle timeout). Readers that cannot time out wait as long as it takes.
    func readLine(prompt: String, timeout: Int?) -> LineReadResult
    /// Completion candidates for the word before the cursor: given the whole line so far,
    /// returns candidate full replacements for the current word.
    var completion: (@Sendable (_ lineBeforeCursor: String) -> [String])? { get set }
    /// Forget everything typed so far (kiosk: nothing of the previous applicant survives).
    func clearHistory()
    /// Adds an entry to the in-memory history (never persisted to disk).
    func addHistory(_ line: String)
    /// Whether a person is typing at a terminal (as opposed to a pipe or a file).
    var isInteractive: Bool { get }
    /// Whether the other end is still there: false once a terminal has hung up.
    var isConnected: Bool { get }
}

extension LineReader {
    public var isConnected: Bool { terminalIsConnected() }

    public func readLine(prompt: String) -> LineReadResult {
        readLine(prompt: prompt, timeout: nil)
    }

    /// Reads a line without showing what is typed (the operator's passphrase). On a terminal, echo
    /// is turned off for the read and put back after it; after `timeout` seconds without a line
    /// the read gives up, as any kiosk prompt does.
    public func readSecret(prompt: String, timeout: Int?) -> LineReadResult {
        print(LineReaderText.plainPrompt(prompt), terminator: "")
        TerminalOutput.flush()
        var saved = termios()
        let isTerminal = tcgetattr(0, &saved) == 0
        if isTerminal {
            var quiet = saved
            quiet.c_lflag &= ~tcflag_t(ECHO)
            quiet.c_lflag |= tcflag_t(ICANON)
            tcsetattr(0, TCSAFLUSH, &quiet)
        }
        defer {
            if isTerminal {
                tcsetattr(0, TCSAFLUSH, &saved)
                print()
            }
        }
        if let timeout, !StandardInput.shared.hasBufferedInput {
            // In canonical mode the input becomes readable only when a whole line is there.
            var descriptor = pollfd(fd: 0, events: Int16(POLLIN), revents: 0)
            switch poll(&descriptor, 1, Int32(clamping: timeout * 1000)) {
            case 0: return .timedOut
            case ..<0: return .interrupted  // a signal: the caller decides
            default: break
            }
        }
        // Any signal ends the wait (Ctrl-C included): the caller decides.
        return readPlainLine(
            maximum: LineLimit.characters, signals: [.termination, .interrupt], stopOnSignal: { true })
    }
}

/// Whether standard input is still a terminal with someone at the other end: false once the
/// terminal has hung up (the SSH connection or the terminal window is gone), when reads only fail.
public func terminalIsConnected() -> Bool {
    guard isatty(0) == 1 else { return false }
    var descriptor = pollfd(fd: 0, events: Int16(POLLIN), revents: 0)
    guard poll(&descriptor, 1, 0) >= 0 else { return false }
    return descriptor.revents & Int16(POLLHUP | POLLERR | POLLNVAL) == 0
}

/// SIGTERM, SIGHUP and SIGPIPE end a consultation properly: the read in progress is interrupted, the
/// session records why it ended, and the program exits with the terminal restored.
public enum Termination {
    /// Installs the handlers (after the line reader, whose own handlers these replace).
    /// SIGQUIT (Ctrl-\) is ignored: in a consultation it does nothing.
    public static func catchSignals() {
        csignals_catch_termination()
        csignals_ignore_quit()
    }

    /// The signal received, if any: SIGTERM or SIGHUP (SIGPIPE, output gone, counts as SIGHUP).
    public static var signal: Int32? {
        let s = csignals_termination_signal()
        return s == 0 ? nil : s
    }

    /// How the signal received, if any, ends a consultation.
    public static var endReason: EndReason? { signal.map(EndReason.init(signal:)) }
}

extension EndReason {
    /// The one place a signal becomes an end: the terminal hung up (SIGHUP, or SIGPIPE: the output
    /// is gone) is `disconnected`; any other (SIGTERM) asked the program to stop: `interrupted`.
    public init(signal: Int32) {
        self = signal == SIGHUP || signal == SIGPIPE ? .disconnected : .interrupted
    }
}

/// The C library's idea of the character set, which libedit depends on.
public enum TerminalLocale {
    /// Makes the C character type UTF-8: `setlocale(LC_ALL, "")` (which changes nothing when LANG
    /// names a locale that is not installed), and if the codeset is then not UTF-8 (LANG unset, or
    /// naming a locale this machine lacks — which is what SSH clients often send) falls back to the
    /// environment's LC_CTYPE alone, then `C.UTF-8`, then `en_US.UTF-8`. Without it libedit silently drops every
    /// non-ASCII character, prompt included. Must run before libedit is initialised;
    /// `EditLineReader` calls it itself.
    ///
    /// - Returns: whether the character type is UTF-8 now.
    @discardableResult
    public static func ensureUTF8CharacterType() -> Bool {
        _ = setlocale(LC_ALL, "")
        if codesetIsUTF8 { return true }
        for fallback in ["", "C.UTF-8", "C.utf8", "en_US.UTF-8"]
        where setlocale(LC_CTYPE, fallback) != nil && codesetIsUTF8 {
            return true
        }
        return false
    }

    private static var codesetIsUTF8: Bool {
        guard let codeset = nl_langinfo(nl_item(CODESET)) else { return false }
        let name = String(cString: codeset).uppercased()
        return name == "UTF-8" || name == "UTF8"
    }
}

/// Standard output as libedit shares it (one C stream): flushing it, and the terminal's width.
public enum TerminalOutput {
    /// Flushes every C output stream (Swift's `print` writes to the C `stdout`, which Swift 6 does
    /// not let a program name).
    public static func flush() {
        fflush(nil)
    }

    /// Columns of the terminal on `descriptor`, or 0 if unknown.
    public static func columns(_ descriptor: Int32) -> Int32 {
        var size = winsize()
        guard ioctl(descriptor, UInt(TIOCGWINSZ), &size) == 0 else { return 0 }
        return Int32(size.ws_col)
    }
}
