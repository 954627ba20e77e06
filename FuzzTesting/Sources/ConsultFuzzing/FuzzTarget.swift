import ConsultContent
import ConsultEngine
import ConsultLocalization
import Foundation

/// The parsers of consult that read what someone else wrote, each behind one entry point that takes
/// raw bytes. The libFuzzer executables (`FuzzTesting/Sources/Fuzz*/main.swift`) and the ordinary
/// regression test (`Tests/ConsultFuzzingTests`) call the same `run`, so an input that once crashed
/// a fuzzer fails `make test` if the crash comes back, without sanitizers.
///
/// An entry point never crashes on purpose for bad input (that is what the parsers must survive); it
/// traps only when a parser breaks a promise it makes: a diagnostic placed outside the text, an
/// accepted answer outside the prompt's bounds, a date that does not survive printing and reading.
public enum FuzzTarget: String, CaseIterable, Sendable {
    /// `AnswerParser.parse` for every kind of prompt, with the shipped languages' words and choice labels.
    case answerParser = "FuzzAnswerParser"
    /// `ExpressionParser.parse`, then `ExpressionChecker` against the shipped dialogs' facts, then `Evaluator`.
    case expression = "FuzzExpression"
    /// `YAMLFile.parse` and `DialogLoader.load` of one dialog file.
    case dialogLoader = "FuzzDialogLoader"
    /// `YAMLFile.parse` and `CatalogLoader.load` of one locale file, then every message written.
    case localeLoader = "FuzzLocaleLoader"
    /// `MessageFormat.parse` of one message, then `Localizer.text` with arguments of every kind.
    case messageFormat = "FuzzMessageFormat"
    // The transcript's target (FuzzTranscript) is `TranscriptFuzzing` in ConsultFuzzingRecords.

    /// Feeds one input to the target's parsers. Returns 0, as libFuzzer wants.
    @discardableResult
    public func run(_ data: UnsafeRawBufferPointer) -> CInt {
        let bytes = Array(data)
        switch self {
        case .answerParser: AnswerParserFuzzing.run(bytes)
        case .expression: ExpressionFuzzing.run(bytes)
        case .dialogLoader: DialogLoaderFuzzing.run(bytes)
        case .localeLoader: LocaleLoaderFuzzing.run(bytes)
        case .messageFormat: MessageFormatFuzzing.run(bytes)
        }
        return 0
    }

    /// Convenience for tests: one input given as bytes.
    @discardableResult
    public func run(_ bytes: [UInt8]) -> CInt {
        bytes.withUnsafeBytes { run($0) }
    }
}

/// Reads a fuzzer's bytes as a few small parameters followed by text; missing bytes read as zero.
public struct FuzzInput {
    private var bytes: ArraySlice<UInt8>

    public init(_ bytes: [UInt8]) {
        self.bytes = bytes[...]
    }

    mutating func byte() -> UInt8 {
        bytes.popFirst() ?? 0
    }

    /// A signed 16-bit number, big-endian.
    mutating func int16() -> Int {
        let high = UInt16(byte())
        let low = UInt16(byte())
        return Int(Int16(bitPattern: high << 8 | low))
    }

    /// The rest of the input as text (invalid UTF-8 becomes U+FFFD, as the line reader does).
    var rest: String {
        String(decoding: bytes, as: UTF8.self)
    }
}

/// A check that holds for every input, whatever the input; a failure is a finding.
public func require(
    _ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String,
    file: StaticString = #fileID, line: UInt = #line
) {
    if !condition() {
        fatalError("fuzz invariant broken: \(message())", file: file, line: line)
    }
}
