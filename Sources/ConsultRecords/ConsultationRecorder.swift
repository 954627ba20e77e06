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

    public init(writer: TranscriptWriter) {
        self.writer = writer
    }

    public var id: String { writer.id }

    public func record(_ kind: String, _ data: [String: Any] = [:]) {
        guard failure == nil else { return }
        do {
            try writer.append(kind, data)
        } catch {
            failure = error
        }
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
