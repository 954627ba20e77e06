internal import CSignals

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads standard input with read(2), for pipes, CI and `ssh -T`: no editing, no terminal modes,
/// no history, no completion, and nothing written but the prompt (and, when the input is not a
/// terminal, the line read, so that the output reads like a transcript). Invalid UTF-8 becomes
/// U+FFFD whatever the locale. A line over ``LineLimit/characters`` is skipped as it arrives and
/// reported as ``LineReadResult/tooLong(_:length:)``. SIGTERM, SIGHUP and SIGPIPE end a read at
/// once (see ``Termination``).
public final class PlainLineReader: LineReader {
    /// Stored but never called: there is no Tab without a terminal.
    public var completion: (@Sendable (_ lineBeforeCursor: String) -> [String])?
    public let isInteractive: Bool
    private let keepsEscapes: Bool
    private let echoesInput: Bool

    /// - Parameter echoesInput: print each line read after its prompt; by default, when standard
    ///   input is not a terminal (nothing else would show the answer).
    public init(echoesInput: Bool? = nil) {
        isInteractive = isatty(0) == 1
        keepsEscapes = isatty(1) == 1
        self.echoesInput = echoesInput ?? !isInteractive
    }

    /// Waits without a timeout: a pipe or `ssh -T` has no idle applicant to protect.
    public func readLine(prompt: String, timeout: Int?) -> LineReadResult {
        let shown = keepsEscapes ? prompt : LineReaderText.plainPrompt(prompt)
        print(shown, terminator: "")
        TerminalOutput.flush()
        let result = readPlainLine(maximum: LineLimit.characters)
        switch result {
        case .line(let line):
            if echoesInput {
                print(line)
                TerminalOutput.flush()
            }
        case .tooLong:
            if echoesInput { print() }
        default:
            if !shown.isEmpty && !shown.hasSuffix("\n") { print() }
        }
        return result
    }

    public func addHistory(_ line: String) {}
    public func clearHistory() {}
}

/// One line of standard input through ``StandardInput``, at most `maximum` characters: a line,
/// ``LineReadResult/tooLong(_:length:)``, the end of input, or ``LineReadResult/interrupted``
/// when a termination signal (or `stopOnSignal`) ended the wait.
func readPlainLine(
    maximum: Int, signals: StandardInput.Signals = .termination,
    stopOnSignal: () -> Bool = { Termination.signal != nil }
) -> LineReadResult {
    StandardInput.shared.signals = signals
    switch StandardInput.shared.line(keep: maximum * 4, stopOnSignal) {
    case .failure(let stop):
        return stop.stop == .interrupted ? .interrupted : .endOfInput
    case .success(let read):
        var bytes = read.bytes
        if !read.cut && bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
        let text = String(decoding: bytes, as: UTF8.self)
        // Bytes kept can hold more than `maximum` characters when they are ASCII.
        let characters = read.cut ? read.characters : text.unicodeScalars.count
        guard characters <= maximum else {
            let prefix = String(String.UnicodeScalarView(text.unicodeScalars.prefix(maximum)))
            return .tooLong(LineReaderText.withoutControlCharacters(prefix), length: characters)
        }
        return .line(LineReaderText.withoutControlCharacters(text))
    }
}
