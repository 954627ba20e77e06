import ConsultContent
import ConsultTestSupport
import Foundation
import Testing

@testable import ConsultTerminal

#if canImport(Glibc)
    import Glibc
#endif

/// The reader's side of issue 9's line limit: lines are cut as they arrive, and the session says so.
@Suite struct LineLimitTests {
    /// `text` written into a pipe (then closed), read through a ``StandardInput`` of its own.
    func input(_ text: String) throws -> StandardInput {
        var fds: [Int32] = [0, 0]
        try #require(pipe(&fds) == 0)
        let bytes = Array(text.utf8)
        let writeEnd = fds[1]
        let thread = Thread {
            var written = 0
            while written < bytes.count {
                let n = bytes[written...].withUnsafeBytes { write(writeEnd, $0.baseAddress, $0.count) }
                if n <= 0 { break }
                written += n
            }
            close(writeEnd)
        }
        thread.start()
        return StandardInput(descriptor: fds[0])
    }

    @Test func aLongLineKeepsItsFirstBytesAndCountsTheRestInCharacters() throws {
        let source = try input(String(repeating: "ж", count: 300_000) + "\nnext\nlast")
        guard case .success(let long) = source.line(keep: 100, { false }) else {
            Issue.record("no line")
            return
        }
        #expect(long.cut && long.bytes.count == 100 && long.characters == 300_000)
        guard case .success(let next) = source.line(keep: 100, { false }) else {
            Issue.record("no line")
            return
        }
        #expect(String(decoding: next.bytes, as: UTF8.self) == "next" && !next.cut && next.characters == 4)
        // A last line without its newline is a line; then the end.
        guard case .success(let last) = source.line(keep: 100, { false }) else {
            Issue.record("no line")
            return
        }
        #expect(String(decoding: last.bytes, as: UTF8.self) == "last")
        guard case .failure(let end) = source.line(keep: 100, { false }) else {
            Issue.record("a line after the end")
            return
        }
        #expect(end.stop == .end)
    }

    @Test func anOverlongAnswerIsRefusedWithTheReasonAndTheQuestionAskedAgain() throws {
        let (end, out, s, reader) = try session(
            [],
            extra: [
                .tooLong(String(repeating: "x", count: 4096), length: 1_000_000),
                .line("1"), .line("yes"), .line("/quit"), .line("yes"),
            ])
        #expect(end == .quit)
        // The reason as the catalog words it (with its no-break spaces), whatever the wrapping.
        func words(_ s: String) -> String { s.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ") }
        let reason = shipped.localizer.text("ui.line_too_long", language: "en") {
            $0 == "max_length" ? .number(4096) : nil
        }
        #expect(reason.contains("4,096"))
        #expect(words(out).contains(words(reason)), "\(out)")
        #expect(!out.contains(String(repeating: "x", count: 100)))
        #expect(s.language == "en")
        // The language question was asked again after the refusal, and the answer after it taken.
        #expect(out.components(separatedBy: "Choose your language").count - 1 == 2, "\(out)")
        #expect(reader.lines.isEmpty)
    }
}
