import ConsultContent
import ConsultEngine
import ConsultRecords

/// The consultation's own way: notes, questions and answers.
extension Conversation {
    /// The top of the loop: an end already decided, else the review of the request when the
    /// consultation is finished, else the notes and the question.
    mutating func top() -> [Effect] {
        if let pendingEnd { return ending(pendingEnd) }
        // What changed is kept for later before anything more is shown: a batch of its own, so that
        // a code that could not be made is not shown.
        let keeping = keepForLater()
        if !keeping.isEmpty { return keeping }
        let code = codeNote()
        if case .ask = consultation.step { return code + proceed() }
        // The end: the appointment request is reviewed (and saved) before the closing words,
        // which thank the applicant and say what happens next.
        if let review = reviewToShow() { return code + asking(.review(review)) }
        return code + proceed()
    }

    /// The notes passed (when they changed), then the question; or, when the consultation is
    /// finished, the notes and the closing words.
    mutating func proceed() -> [Effect] {
        let notes = consultation.notes
        var finishing = true
        if case .ask = consultation.step { finishing = false }
        guard notes == shownNotes else { return showNotes(NotesCursor(notes: notes, finishing: finishing)) }
        return afterNotes(finishing: finishing)
    }

    private mutating func afterNotes(finishing: Bool) -> [Effect] {
        if finishing {
            var effects: [Effect] = []
            if closingWordsUntrue && !appointmentFailed {
                effects = [.gap, .show(Message("records.closing"), .normal)]
            }
            return effects + ending(.completed)
        }
        guard case .ask(let prompt) = consultation.step else {
            state = .top
            return top()
        }
        state = .question(prompt)
        promptShown = true
        return render(prompt)
    }

    /// Shows messages and outcomes in the order the walk passed them, one message (with the outcomes
    /// before it) at a time; consecutive outcomes form one explanation.
    mutating func showNotes(_ cursor: NotesCursor) -> [Effect] {
        var cursor = cursor
        var outcomes: [OutcomeStep] = []
        while cursor.index < cursor.notes.count {
            let note = cursor.notes[cursor.index]
            cursor.index += 1
            switch note {
            case .say(let key):
                // Without records, the closing words about consent and the request are not true.
                if closingWordsUntrue && appointmentSays.contains(key) { continue }
                state = .notes(cursor)
                let text = presenter.text(key, facts: consultation.environment)
                return explanation(outcomes) + [
                    .gap, .record(.shown(.init(keys: [key.rawValue], text: text))), .say(key, text),
                ]
            case .outcome(let outcome):
                outcomes.append(outcome)
            }
        }
        let last = explanation(outcomes)
        if !last.isEmpty {
            state = .notes(cursor)
            return last
        }
        if !cursor.finishing { shownNotes = cursor.notes }
        return afterNotes(finishing: cursor.finishing)
    }

    /// The messages of the dialog that collects the appointment request (its closing words).
    private var appointmentSays: Set<MessageKey> {
        Set(
            content.dialogs.dialogs.filter { $0.appointment != nil }.flatMap(\.nodes).compactMap {
                node -> MessageKey? in
                if case .say(let key) = node.kind { return key }
                return nil
            })
    }

    private func explanation(_ outcomes: [OutcomeStep]) -> [Effect] {
        guard !outcomes.isEmpty else { return [] }
        let environment = consultation.environment
        let text = OutcomeText.render(outcomes, environment: environment, presenter: presenter)
        let shown = ConsultationEvent.OutcomeShown(
            ids: outcomes.map(\.id),
            openPoints: outcomes.flatMap { $0.confirm.map(\.rawValue) }, text: text)
        let explained = outcomes.map { outcome in
            let (text, points) = presenter.explanation(outcome, facts: environment)
            return ExplainedOutcome(id: outcome.id, text: text, openPoints: points)
        }
        return [.record(.outcome(shown)), .outcomes(explained)]
    }

    /// The question, recorded as it is shown, and what Tab completes at it.
    func render(_ prompt: Consultation.Prompt) -> [Effect] {
        let text = presenter.prompt(prompt, facts: consultation.walk.environmentAtCurrent)
        var event = ConsultationEvent.Question(
            fact: prompt.question.fact, key: prompt.message.rawValue, text: text,
            part: .question)
        switch prompt.part {
        case .question: break
        case .groupStart: event.part = .groupStart
        case .groupMore(let count):
            event.part = .groupMore
            event.items = count
        case .groupField(let item, let field):
            event.part = .groupField
            event.item = item
            event.field = field
        }
        let expected = shownExpected(prompt)
        let shown = ShownQuestion(fact: prompt.question.fact, key: prompt.message, text: text, expected: expected)
        return [
            .gap, .record(.question(event)), .question(shown), .complete(completion(for: prompt, expected: expected)),
        ]
    }

    // MARK: - Answers

    mutating func heardAtQuestion(_ heard: Heard, prompt: Consultation.Prompt) -> [Effect] {
        switch heard {
        case .end(let reason):
            // Only Ctrl-D (quit) asks whether to leave; every other end is final.
            guard reason == .quit else { return ending(reason) }
            state = .confirming(.quitAtEndOfInput)
            return []
        case .interrupted:
            state = .top
            return []
        case .line(let raw):
            let line = raw.trimmingCharacters(in: .whitespaces)
            let command = command(in: line, prompt: prompt)
            var effects: [Effect] = []
            if let command { effects.append(.record(.command(.init(name: command.rawValue, input: raw)))) }
            if !line.isEmpty { effects.append(.addHistory(line)) }
            if let command {
                state = .command(command, argument: Self.argument(of: line))
                return effects
            }
            return effects + answer(line, prompt: prompt)
        }
    }

    private mutating func answer(_ line: String, prompt: Consultation.Prompt) -> [Effect] {
        // The first screen's last choice: continue an earlier consultation with its code.
        if offersResume(at: prompt) {
            switch AnswerParser.parse(line, as: shownExpected(prompt), vocabulary: presenter.vocabulary) {
            case .success(.choice(Self.resumeChoice.value)):
                return [.record(.command(.init(name: "resume", input: line)))] + asking(.enteringCode)
            case .failure(let problem):
                state = .top
                let rejected = ConsultationEvent.Rejected(
                    fact: prompt.question.fact, input: line, problem: presenter.problem(problem))
                return [.record(.rejected(rejected)), .problem(problem)]
            default:
                break
            }
        }
        switch consultation.answered(line, vocabulary: presenter.vocabulary) {
        case .failure(let problem):
            state = .top
            let rejected = ConsultationEvent.Rejected(
                fact: prompt.question.fact, input: line,
                problem: presenter.problem(problem))
            return [.record(.rejected(rejected)), .problem(problem)]
        case .success(let answered):
            var event = ConsultationEvent.Answer(fact: answered.fact, input: line, value: answered.parsed)
            if case .groupField(_, let field) = prompt.part { event.field = field }
            state = .answered(prompt, answered)
            return [.record(.answer(event))]
        }
    }

    /// What an answer taken changed: an earlier answer, the language, a group's items, answers dropped.
    mutating func said(_ answered: Consultation.Answered, at prompt: Consultation.Prompt) -> [Effect] {
        var effects: [Effect] = []
        if let previous = answered.previous, let value = answered.value {
            let change = ConsultationEvent.Change(
                fact: answered.fact, old: previous, new: value, dropped: answered.dropped)
            effects.append(.record(.change(change)))
        }
        if answered.fact == content.dialogs.roles.language, case .choice(let chosen)? = answered.value,
            content.localizer.hasLanguage(chosen)
        {
            language = chosen
            effects += [.setLanguage(chosen), .record(.language(.init(language: chosen, reason: .chosen)))]
        }
        if case .groupField = prompt.part, case .ask(let next) = consultation.step,
            case .groupMore(let count) = next.part,
            let item = next.items.last, case .group(let group) = prompt.question.kind
        {
            let added = Term.item(group.complete(item, today: consultation.today), group: prompt.question.fact)
            effects.append(.show(Message("ui.item_added", ["item": added, "count": .number(count)]), .note))
        }
        if let previous = answered.previous, let value = answered.value {
            let fact = answered.fact
            let done = Message(
                "ui.change.done",
                [
                    "fact": .factName(fact), "old": .value(previous, fact: fact),
                    "new": .value(value, fact: fact),
                ])
            effects.append(.show(done, .note))
        }
        if !answered.dropped.isEmpty {
            let dropped = Message("ui.change.dropped", ["facts": .factNames(consultationOrder(answered.dropped.keys))])
            effects.append(.show(dropped, .note))
        }
        return effects
    }

    /// Facts in the order their questions stand in the dialogs.
    private func consultationOrder<S: Sequence>(_ facts: S) -> [String] where S.Element == String {
        let end = DialogSet.Position(dialog: .max, step: .max)
        let dialogs = content.dialogs
        return facts.sorted { (dialogs.position(of: $0) ?? end, $0) < (dialogs.position(of: $1) ?? end, $1) }
    }
}
