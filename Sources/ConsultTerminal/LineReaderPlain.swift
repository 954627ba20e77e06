#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
internal import CLibEditShim

/// Reads standard input with Swift's `readLine`, for pipes, CI and `ssh -T`: no editing, no
/// terminal modes, no history, no completion, and nothing written but the prompt (and, when the
/// input is not a terminal, the line read, so that the output reads like a transcript).
/// Invalid UTF-8 becomes U+FFFD whatever the locale.
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
        clibedit_flush_standard_output()
        guard let raw = Swift.readLine(strippingNewline: true) else {
            if !shown.isEmpty && !shown.hasSuffix("\n") { print() }
            return .endOfInput
        }
        let line = LineReaderText.withoutControlCharacters(raw)
        if echoesInput {
            print(line)
            clibedit_flush_standard_output()
        }
        return .line(line)
    }

    public func addHistory(_ line: String) {}
    public func clearHistory() {}
}
