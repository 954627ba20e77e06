import ConsultContent
import ConsultEngine
import ConsultRecords

/// The appointment request: reviewed (any item can be corrected), saved by the caller under a
/// reference, and the applicant told.
extension Conversation {
    /// The request to review when the consultation is finished: a dialog collected one, with a name
    /// or contact, and its transcript is being written.
    func reviewToShow() -> Review? {
        guard records == .kept, !transcriptFailed,
            let fields = content.dialogs.dialogs.first(where: { $0.appointment != nil })?.appointment,
            fields.applicant.contains(where: { consultation.answers[$0] != nil })
        else { return nil }
        let items = consultation.answeredFacts.filter { fields.all.contains($0.fact) }.map {
            FactValue($0.fact, $0.value)
        }
        return Review(fields: fields, items: items)
    }

    mutating func heardAtReview(_ heard: Heard, _ review: Review) -> [Effect] {
        switch heard {
        case .end(let reason):
            guard reason == .quit else { return ending(reason) }
            state = .confirming(.quitAtReview(review))
            return []
        case .interrupted:
            return []  // shown again
        case .line(let line):
            let typed = line.trimmingCharacters(in: .whitespaces)
            if let n = Int(typed), review.items.indices.contains(n - 1) {
                // The item's question is asked again; the review follows when the consultation is finished.
                state = .correcting(review.items[n - 1].fact)
                return [.record(.command(.init(name: "correct", input: line)))]
            }
            switch AnswerParser.parse(typed, as: .yesNo, vocabulary: presenter.vocabulary) {
            case .success(.bool(true)):
                state = .confirmed(review.fields)
                return []
            case .success(.bool(false)):
                return [.show(Message("ui.change.prompt"), .note)]
            default:
                return [.show(Message("answer.expected_yesno"), .problem)]
            }
        }
    }

    /// The request as the consultation gives it.
    func draft(_ fields: AppointmentFields) -> AppointmentDraft {
        func pick(_ names: [String]) -> [String: Value] {
            var result: [String: Value] = [:]
            for name in names { if let v = consultation.answers[name] { result[name] = v } }
            return result
        }
        var question: String? = nil
        if let q = fields.question, case .text(let s)? = consultation.answers[q], !s.isEmpty { question = s }
        let facts = factsSnapshot
        return AppointmentDraft(
            language: language, applicant: pick(fields.applicant), facts: facts,
            outcomes: consultation.outcomes.map(\.id),
            openPoints: consultation.outcomes.flatMap { $0.confirm.map(\.rawValue) },
            preferences: pick(fields.preferences),
            question: question, urgent: fields.urgent.map { facts[$0] == .bool(true) } ?? false)
    }

    mutating func saved(_ request: AppointmentRequest) -> [Effect] {
        appointment = request
        state = .finishing
        let saved = ConsultationEvent.AppointmentSaved(reference: request.reference, requestHash: request.hash)
        return [
            .record(.appointment(saved)), .gap,
            .show(Message("appointment.saved", ["reference": .text(request.reference)]), .heading),
        ]
    }

    mutating func notSaved(_ error: String) -> [Effect] {
        appointmentFailed = true
        state = .finishing
        return [.record(.appointmentFailed(.init(error: error))), .show(Message("appointment.not_saved"), .problem)]
    }
}
