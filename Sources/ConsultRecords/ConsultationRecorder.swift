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

    public func record(_ event: ConsultationEvent) {
        let isEnd = event.kind == "end"
        guard failure == nil, !limitReached || isEnd else { return }
        do {
            // What the applicant typed and the program did not take is kept shortened: a paste of a
            // megabyte is not worth a megabyte of record.
            try writer.append(Self.shortened(event))
        } catch {
            if case .limitReached = error { limitReached = true } else { failure = error }
        }
    }

    /// `event` with an input (of a rejected line or a command) longer than `keptInput` characters
    /// cut to them, and its whole length in `inputLength`.
    static func shortened(_ event: ConsultationEvent) -> ConsultationEvent {
        func cut(_ input: inout String, _ length: inout Int?) {
            guard input.count > keptInput else { return }
            length = length ?? input.count
            input = String(input.prefix(keptInput))
        }
        switch event {
        case .rejected(var r):
            cut(&r.input, &r.inputLength)
            return .rejected(r)
        case .command(var c):
            cut(&c.input, &c.inputLength)
            return .command(c)
        default:
            return event
        }
    }

    public func start(
        channel: String, remote: String?, contentHash: String, version: String, today: LocalDate, language: String,
        office: String? = nil, host: String? = nil
    ) {
        record(
            .start(
                .init(
                    id: writer.id, channel: channel, contentHash: contentHash, version: version, today: today,
                    language: language, remote: remote, office: office, host: host)))
    }

    public func end(_ reason: String, facts: [String: Value] = [:], outcomes: [OutcomeStep] = []) {
        record(.end(.init(reason: reason, facts: facts, outcomes: outcomes.map(\.id))))
    }
}
