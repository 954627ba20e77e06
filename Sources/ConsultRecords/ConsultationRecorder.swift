import ConsultContent
import ConsultEngine
import Crypto
import Foundation

/// What a front end tells the transcript, in the words of the consultation. Turns engine values
/// into JSON and never throws at the caller: a failed write is kept in `failure` so the session
/// can tell the applicant, and nothing personal is asked after it.
public final class ConsultationRecorder: @unchecked Sendable {
    public let writer: TranscriptWriter
    public private(set) var failure: RecordError?
    /// The transcript reached its size limit: nothing but the end is recorded any more, and the
    /// session ends ("record_limit").
    public private(set) var limitReached = false

    /// How much of a rejected answer or a command line is kept: its first characters, and its length.
    public static let keptInput = 200

    /// The size limit of a consultation's record when none is given: 1 MiB.
    public static let defaultLimit = 1024 * 1024

    public init(writer: TranscriptWriter) {
        self.writer = writer
    }

    public var id: String { writer.id }

    public func record(_ kind: String, _ data: [String: Any] = [:]) {
        guard failure == nil, !limitReached || kind == "end" else { return }
        // What the applicant typed and the program did not take is kept shortened: a paste of a
        // megabyte is not worth a megabyte of record.
        let data = kind == "rejected" || kind == "command" ? Self.shortened(data) : data
        do {
            try writer.append(kind, data)
        } catch {
            if case .limitReached = error { limitReached = true } else { failure = error }
        }
    }

    /// `data` with an `input` longer than `keptInput` characters cut to them, and its whole length
    /// in `input_length`.
    static func shortened(_ data: [String: Any]) -> [String: Any] {
        guard let input = data["input"] as? String, input.count > keptInput else { return data }
        var data = data
        data["input"] = String(input.prefix(keptInput))
        data["input_length"] = input.count
        return data
    }

    public func start(channel: String, remote: String?, contentHash: String, version: String, today: LocalDate, language: String) {
        var data: [String: Any] = [
            "id": writer.id, "channel": channel, "content_hash": contentHash, "version": version,
            "today": today.description, "language": language,
        ]
        if let remote { data["remote"] = remote }
        record("start", data)
    }

    public func end(_ reason: String, facts: [String: Value] = [:], outcomes: [OutcomeStep] = []) {
        record("end", ["reason": reason, "facts": facts.mapValues(\.jsonObject), "outcomes": outcomes.map(\.id)])
    }
}
