import ConsultContent
import ConsultEngine
import ConsultRecords

/// `consult replay`: the answers of past consultations walked through the content as it is now.
/// Which consultations would now end with other outcomes, or another urgency, and which would now
/// need a question they were never asked: what a lawyer wants to know before an edit goes live.
public struct Replayer: Sendable {
    public let set: DialogSet
    /// The yes/no fact that makes an appointment request urgent (the closing dialog's
    /// `appointment: urgent`), if the content has one.
    public let urgentFact: String?

    public init(content: Content) {
        set = content.dialogs
        urgentFact = content.dialogs.dialogs.lazy.compactMap(\.appointment).first?.urgent
    }

    /// Replays one consultation, its events as stored.
    public func replay(id: String, events: [TranscriptEvent]) -> ReplayCase {
        var result = ReplayCase(id: id, today: events.startEvent?.today)
        // A sealed record that no identity given opened: nothing of it can be read, let alone replayed.
        if events.contains(where: \.sealed) {
            result.change = .notReplayable(.sealed)
            return result
        }
        guard let today = result.today else {
            result.change = .notReplayable(.noStart)
            return result
        }
        let recorded = events.lastFacts.facts
        let ended = events.endEvent != nil
        result.oldOutcomes = events.outcomeIDs
        if let urgentFact, case .bool(let b)? = recorded[urgentFact] { result.oldUrgent = b }
        // The answers, as the content now types its questions (a first-format record holds plain JSON).
        var answers: [String: Value] = [:]
        for (name, value) in recorded {
            guard set.question(for: name) != nil, let type = set.factTypes[name], let typed = value.retyped(as: type)
            else { continue }
            answers[name] = typed
        }
        guard let topicFact = set.roles.topic, case .choice(let topic)? = answers[topicFact],
            let dialog = set.dialogIndex(named: topic)
        else {
            result.change = .notReplayable(.noTopic)
            return result
        }
        result.topic = topic
        guard let walk = try? Walk(set, answers: answers, today: today, start: dialog, followNext: false) else {
            result.change = .notReplayable(.cannotWalk)
            return result
        }
        result.missing = walk.missing
        result.newOutcomes = walk.isComplete ? walk.outcomes.map(\.id) : []
        if let urgentFact, case .value(.bool(let b))? = walk.environment.bindings[urgentFact] { result.newUrgent = b }
        result.cutShort = !ended
        if !walk.missing.isEmpty {
            result.change = ended ? .needsQuestions : .unchanged
        } else if result.oldOutcomes != result.newOutcomes {
            // A consultation that stopped before its outcomes had none to change.
            result.change = result.oldOutcomes.isEmpty && !ended ? .unchanged : .outcomes
        } else if let old = result.oldUrgent, let new = result.newUrgent, old != new {
            result.change = .urgency
        }
        return result
    }
}

/// What replaying one consultation found.
public struct ReplayCase: Sendable, Equatable {
    public enum Change: Sendable, Equatable {
        case unchanged
        /// Other outcomes now (the urgency may have changed too).
        case outcomes
        /// The same outcomes, another urgency.
        case urgency
        /// The content now asks something this consultation was never asked.
        case needsQuestions
        case notReplayable(Reason)
    }

    public enum Reason: String, Sendable {
        /// No start event: nothing says which day the consultation reasoned with.
        case noStart = "no_start"
        /// The applicant never chose a topic (or the topic's dialog is gone).
        case noTopic = "no_topic"
        case cannotWalk = "cannot_walk"
        /// Sealed, and no identity given opens it (`--identity`).
        case sealed
    }

    public let id: String
    public let today: LocalDate?
    public var topic: String?
    public var oldOutcomes: [String] = []
    public var newOutcomes: [String] = []
    public var oldUrgent: Bool?
    public var newUrgent: Bool?
    /// Questions on the way now that the consultation's answers do not answer.
    public var missing: [String] = []
    /// The transcript has no end event (the answers are those recorded up to where it stops).
    public var cutShort = false
    public var change: Change = .unchanged

    public init(id: String, today: LocalDate?) {
        self.id = id
        self.today = today
    }
}

/// The totals of a replay.
public struct ReplayTotals: Sendable, Equatable {
    public var replayed = 0
    public var unchanged = 0
    public var outcomes = 0
    public var urgency = 0
    public var needsQuestions = 0
    public var notReplayable = 0

    public init() {}

    public mutating func count(_ c: ReplayCase) {
        replayed += 1
        switch c.change {
        case .unchanged: unchanged += 1
        case .outcomes: outcomes += 1
        case .urgency: urgency += 1
        case .needsQuestions: needsQuestions += 1
        case .notReplayable: notReplayable += 1
        }
    }
}
