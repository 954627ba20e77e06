import Foundation

extension TranscriptWriter {
    /// The reason of the end event that a crash handler appends.
    public static let crashedReason = EndReason.crashed.rawValue

    /// The line of an end event "crashed" that follows event `sequence - 1` (whose hash is
    /// `previous`), chained like any other, newline included. Prepared after every event because a
    /// signal handler cannot hash: its time is that of the last event, the crash came after it.
    static func crashEndLine(sequence: Int, previous: String, at time: Date = Date()) -> [UInt8] {
        let line = StoredLine(
            sequence: sequence, time: timestamp(time), event: .end(.init(reason: crashedReason)), previous: previous)
        guard let json = try? StoredLine.encoder.encode(line) else { return [] }
        let text = String(decoding: json, as: UTF8.self)
        let hash = hash(previous: previous, body: text)
        return Array((String(text.dropLast()) + ",\"hash\":\"\(hash)\"}\n").utf8)
    }
}
