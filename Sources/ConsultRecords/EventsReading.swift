import ConsultEngine

/// What a consultation's events amount to, for whoever reads them back (the lawyer's view, replay).
extension Array where Element == TranscriptEvent {
    /// The start event's fields.
    public var startEvent: ConsultationEvent.Start? { timedStart?.start }

    /// The start event, with its time.
    public var timedStart: (time: String, start: ConsultationEvent.Start)? {
        for e in self { if case .start(let s) = e.event { return (e.time, s) } }
        return nil
    }

    /// The end event, with its time.
    public var endEvent: (time: String, end: ConsultationEvent.End)? {
        for e in reversed() { if case .end(let s) = e.event { return (e.time, s) } }
        return nil
    }

    /// The last explanation shown.
    public var lastOutcome: ConsultationEvent.OutcomeShown? {
        for e in reversed() { if case .outcome(let o) = e.event { return o } }
        return nil
    }

    /// The outcomes the consultation reached: the end event's, else the last explanation's.
    public var outcomeIDs: [String] {
        if let end = endEvent?.end, !end.outcomes.isEmpty { return end.outcomes }
        return lastOutcome?.ids ?? []
    }

    /// The facts as the end event records them; without one (cut short, or the end a crash handler
    /// writes, which holds none), what the answers, changes and steps back left. `ended` says which.
    public var lastFacts: (facts: [String: Value], ended: Bool) {
        if let end = endEvent?.end, !end.facts.isEmpty { return (end.facts, true) }
        var facts: [String: Value] = [:]
        for e in self {
            switch e.event {
            case .restart:
                facts.removeAll()
            case .resumed(let r):
                facts = r.answers
            case .answer(let a) where a.field == nil:
                facts[a.fact] = a.value
            case .change(let c):
                facts[c.fact] = c.new
                for name in c.dropped.keys { facts[name] = nil }
            case .back(let b):
                facts[b.fact] = nil
            default:
                break
            }
        }
        return (facts, false)
    }
}
