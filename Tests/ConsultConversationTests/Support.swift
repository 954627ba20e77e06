import ConsultContent
import ConsultConversation
import ConsultEngine
import ConsultRecords
import Foundation

let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()
/// The shipped content: the tests name its message keys and facts, never its wording.
let content = try! Content.load(
    dialogs: root.appendingPathComponent("dialogs"), locales: root.appendingPathComponent("locales"))
let today = LocalDate(year: 2026, month: 11, day: 25)!

/// A conversation driven as a transcript: each step feeds an input and returns the effects up to
/// the next read (or the end, or a request to save), as the terminal session would perform them.
struct Transcript {
    var conversation: Conversation
    /// What the answers kept for later were, each time (`.keep`), as the caller would seal them.
    var kept: [ResumeState] = []
    /// The code the caller makes at the first `.keep` (reported back as the session does); nil: none.
    var ticket: ResumeTicket?
    private var ticketGiven = false

    init(
        language: String = "en", options: SessionOptions = SessionOptions(), records: Conversation.Records = .none,
        ticket: ResumeTicket? = nil
    ) throws {
        conversation = try Conversation(
            content: content, today: today, language: language, options: options, records: records)
        self.ticket = ticket
    }

    /// The first screen: the greeting and the first question, up to its read.
    mutating func start() -> [Effect] { proceed() }

    /// `line` typed at the current prompt.
    mutating func type(_ line: String) -> [Effect] { send(.line(line)) }

    /// An input, and what follows up to the next wait.
    mutating func send(_ input: Input) -> [Effect] {
        let reaction = conversation.received(input)
        let reported = keep(reaction)
        if let last = reaction.last, last.waits { return reaction + reported }
        return reaction + reported + proceed()
    }

    /// What the session does for `.keep`: remembers the answers and, the first time, reports the
    /// new code (its report's effects are performed at once, as the session's are).
    private mutating func keep(_ batch: [Effect]) -> [Effect] {
        var effects: [Effect] = []
        for case .keep(let state) in batch {
            kept.append(state)
            if let ticket, !ticketGiven {
                ticketGiven = true
                effects += conversation.received(.keptForLater(ticket))
            }
        }
        return effects
    }

    /// Lines typed one after another; the effects of the last.
    @discardableResult
    mutating func answer(_ lines: [String]) -> [Effect] {
        var effects: [Effect] = []
        for line in lines { effects = type(line) }
        return effects
    }

    /// What comes next, up to the next wait (after the caller reported on a record, say).
    mutating func proceed() -> [Effect] {
        var effects: [Effect] = []
        for _ in 0..<100 {
            let batch = conversation.next()
            effects += batch
            effects += keep(batch)
            if let last = batch.last, last.waits { return effects }
        }
        effects.append(.show(Message("test.no_wait_after_100_batches"), .problem))
        return effects
    }
}

extension Effect {
    /// The effects after which the conversation waits for the caller.
    var waits: Bool {
        switch self {
        case .read, .save, .resume, .end: return true
        default: return false
        }
    }
}

extension Array where Element == Effect {
    /// The message keys put on the screen, in order: messages, confirmations, dialog messages and
    /// questions (`problem.<case>` for an answer refused).
    var keys: [String] {
        compactMap { effect in
            switch effect {
            case .show(let message, _): return message.key.rawValue
            case .confirmation(let key): return key.rawValue
            case .say(let key, _): return key.rawValue
            case .question(let question): return question.key.rawValue
            case .problem(let problem): return "problem.\(problem)"
            default: return nil
            }
        }
    }

    /// The transcript's events, in order.
    var records: [ConsultationEvent] {
        compactMap { if case .record(let event) = $0 { return event } else { return nil } }
    }

    /// The kinds of the transcript's events, in order.
    var recordKinds: [String] { records.map(\.kind) }

    /// The question shown, if any.
    var question: ShownQuestion? {
        for case .question(let question) in self { return question }
        return nil
    }

    /// What the conversation waits for at the end of these effects.
    var wait: Effect? { last.flatMap { $0.waits ? $0 : nil } }

    /// The messages shown, with their values.
    var messages: [Message] {
        compactMap { if case .show(let message, _) = $0 { return message } else { return nil } }
    }
}

/// Answers that reach the VKS outcome for a specialist with a valid permit and no family, in English.
let toTheVKSOutcome = ["1", "yes", "1", "1", "1", "31.03.2028", "no", "no", "no", "no", "no"]
/// Then an appointment request by phone, up to its review.
let toTheReview = toTheVKSOutcome + ["yes", "John Smith", "1", "+7 916 123-45-67", "2", "Tuesday afternoon", ""]

/// The request the caller saves for a draft.
func saved(_ draft: AppointmentDraft, reference: String = "TEST-0001") -> AppointmentRequest {
    AppointmentRequest(
        reference: reference, created: Date(timeIntervalSince1970: 0), language: draft.language, channel: "local",
        transcript: nil, applicant: draft.applicant, facts: draft.facts, outcomes: draft.outcomes,
        openPoints: draft.openPoints, preferences: draft.preferences, question: draft.question,
        urgent: draft.urgent)
}

let english = Presenter(content: content, language: "en")
