/// One applicant's consultation: a value with no I/O.
///
/// Its state is its answers (plus the items of a group being filled in). Every event is a
/// `mutating func` named after what happened — the applicant answered, went back, asked to change
/// an answer — and returns what the caller should know; the caller (REPL, SSH session, headless
/// runner) does all the showing and recording. `today` is given, never read from a clock.
public struct Consultation: Sendable {
    public let dialogs: DialogSet
    public let today: LocalDate
    public private(set) var answers: [String: Value] = [:]
    /// The group question being filled in, if the current question is a group.
    public private(set) var draft: GroupDraft?
    /// An answer taken back to be changed: its old value, until the question is answered again.
    public private(set) var changing: (fact: String, old: Value)?
    public private(set) var walk: Walk

    public init(dialogs: DialogSet, today: LocalDate, answers: [String: Value] = [:]) throws(Walk.Failure) {
        self.dialogs = dialogs
        self.today = today
        self.answers = answers
        // No statuses: a consultation never reads them, and recording one per step was a good part
        // of a step's time on large trees.
        self.walk = try Walk(dialogs, answers: answers, today: today, stopAtQuestion: true, recordStatuses: false)
    }

    // MARK: - What is asked now

    /// The step the applicant is at.
    public enum Step: Sendable {
        case ask(Prompt)
        /// Every question on the way is answered.
        case finished
    }

    /// One prompt: a question, or a part of a group question.
    public struct Prompt: Sendable {
        public enum Part: Hashable, Sendable {
            /// An ordinary question.
            case question
            /// A group's first yes/no ("Will family members come with you?").
            case groupStart
            /// A field of item `item` (0-based) of a group.
            case groupField(item: Int, field: String)
            /// "Add another?" after `count` items.
            case groupMore(count: Int)
        }

        public let question: Question
        public let part: Part
        /// The message to show.
        public let message: MessageKey
        /// What the answer must be.
        public let expected: Expected
        /// The items of the group so far (for a group's prompts).
        public let items: [Record]
        /// The fields of the item being filled in.
        public let partialItem: Record
    }

    public var step: Step {
        guard let question = walk.current else { return .finished }
        return .ask(prompt(for: question))
    }

    /// What is shown before the current prompt: messages and outcomes passed since the last answer.
    public var notes: [Walk.Note] { walk.notes }

    /// The outcomes reached so far, in order, once each.
    public var outcomes: [OutcomeStep] { walk.outcomes }

    /// The facts known now: answers on the way and computed facts.
    public var environment: Environment { walk.environment }

    /// Answered facts on the way, in the order they were asked.
    public var answeredFacts: [(fact: String, value: Value)] {
        walk.answeredOnPath.compactMap { fact in answers[fact].map { (fact, $0) } }
    }

    private func prompt(for question: Question) -> Prompt {
        let env = walk.environmentAtCurrent
        guard case .group(let group) = question.kind else {
            return Prompt(
                question: question, part: .question, message: question.prompt,
                expected: expected(for: question, env), items: [], partialItem: Record())
        }
        let draft = self.draft ?? GroupDraft(fact: question.fact)
        switch draft.next(in: group) {
        case .start:
            return Prompt(
                question: question, part: .groupStart, message: question.prompt, expected: .yesNo,
                items: [], partialItem: Record())
        case .more:
            return Prompt(
                question: question, part: .groupMore(count: draft.items(in: group).count), message: group.more,
                expected: .yesNo, items: draft.items(in: group), partialItem: Record())
        case .field(let index):
            let field = group.fields[index]
            return Prompt(
                question: question, part: .groupField(item: draft.items(in: group).count, field: field.fact),
                message: field.prompt, expected: expected(for: field, env),
                items: draft.items(in: group), partialItem: draft.partial(in: group))
        }
    }

    private func expected(for question: Question, _ env: Environment) -> Expected {
        switch question.kind {
        case .yesNo: return .yesNo
        case .choice(let choices): return .choice(choices)
        case .number(let min, let max): return .number(min: min, max: max)
        case .date(let min, let max):
            func bound(_ e: Expr?) -> LocalDate? {
                guard let e, case .value(.date(let d)) = Evaluator.evaluate(e, in: env) else { return nil }
                return d
            }
            return .date(min: bound(min), max: bound(max))
        case .text(let maxLength, let optional, let format):
            return .text(maxLength: maxLength, optional: optional, format: format)
        case .group: return .yesNo
        }
    }

    // MARK: - Events

    /// The result of an answer that was accepted.
    public struct Answered: Sendable {
        /// The fact answered, or for a part of a group, the group's fact.
        public let fact: String
        /// The value stored (for a group: the whole list once the applicant says no more).
        public let value: Value?
        /// The value parsed from this input (for a group's part: that part).
        public let parsed: Value
        /// When the answer replaced an earlier one (a change): that earlier value.
        public let previous: Value?
        /// Answers dropped because no way reaches them any more.
        public let dropped: [String: Value]
    }

    /// The applicant typed `input` at the current prompt.
    public mutating func answered(_ input: String, vocabulary: AnswerVocabulary) -> Result<Answered, AnswerProblem> {
        guard case .ask(let prompt) = step else { return .failure(.empty) }
        switch AnswerParser.parse(input, as: prompt.expected, vocabulary: vocabulary) {
        case .failure(let problem):
            return .failure(problem)
        case .success(let value):
            return accept(value, for: prompt)
        }
    }

    /// Stores an already parsed value for the current prompt (a value chosen from a menu, a replay).
    public mutating func accept(_ value: Value, for prompt: Prompt) -> Result<Answered, AnswerProblem> {
        let question = prompt.question
        guard case .group(let group) = question.kind else {
            return .success(store(question.fact, value, parsed: value))
        }
        var draft = self.draft ?? GroupDraft(fact: question.fact)
        switch prompt.part {
        case .groupStart, .groupMore:
            guard case .bool(let more) = value else { return .failure(.expectedYesNo) }
            if more, draft.items(in: group).count >= group.maxItems {
                return .failure(.tooManyItems(maxItems: group.maxItems))
            }
            if !more {
                let items = draft.items(in: group).map { group.complete($0, today: today) }
                self.draft = nil
                return .success(store(question.fact, .list(items), parsed: value))
            }
            draft.entries.append(.more(true))
        case .groupField(_, let field):
            draft.entries.append(.field(field, value))
        case .question:
            break
        }
        self.draft = draft
        return .success(Answered(fact: question.fact, value: nil, parsed: value, previous: nil, dropped: [:]))
    }

    private mutating func store(_ fact: String, _ value: Value, parsed: Value) -> Answered {
        var previous: Value? = nil
        if let changing, changing.fact == fact {
            previous = changing.old
            self.changing = nil
        }
        answers[fact] = value
        // The usual case, an answer to the question asked: the way goes on from that question.
        if previous == nil, (try? walk.resume(answering: fact, answers: answers)) == true {
            return Answered(fact: fact, value: value, parsed: parsed, previous: nil, dropped: [:])
        }
        let dropped = refresh()
        return Answered(fact: fact, value: value, parsed: parsed, previous: previous, dropped: dropped)
    }

    /// Recomputes the way and drops the answers it can no longer reach.
    private mutating func refresh() -> [String: Value] {
        var dropped: [String: Value] = [:]
        // Each drop can change the way again; the way is short, so a few passes suffice.
        while true {
            // A set that loaded without lint errors has no loops, so the walk cannot fail; if a set
            // built by hand does, the consultation stays where it was rather than crash.
            guard
                let next = try? Walk(
                    dialogs, answers: answers, today: today, stopAtQuestion: true, recordStatuses: false)
            else {
                return dropped
            }
            walk = next
            let gone = walk.unreachable.subtracting([changing?.fact].compactMap { $0 })
            guard !gone.isEmpty else { return dropped }
            for fact in gone {
                dropped[fact] = answers.removeValue(forKey: fact)
            }
        }
    }

    /// What going back took away.
    public enum WentBack: Hashable, Sendable {
        /// A whole answer was removed: the question is asked again.
        case answer(fact: String, value: Value)
        /// A part of a group being filled in was removed.
        case groupPart(fact: String)
        /// An answer being changed was put back as it was.
        case changeCancelled(fact: String)
    }

    /// The applicant asked to go back: the last answer is removed. Nil when nothing is answered.
    public mutating func wentBack() -> WentBack? {
        if var draft, !draft.entries.isEmpty {
            draft.entries.removeLast()
            self.draft = draft
            return .groupPart(fact: draft.fact)
        }
        draft = nil
        if let changing {
            // Going back during a change restores the answer being changed.
            answers[changing.fact] = changing.old
            self.changing = nil
            _ = refresh()
            return .changeCancelled(fact: changing.fact)
        }
        guard let fact = walk.answeredOnPath.last, let value = answers.removeValue(forKey: fact) else { return nil }
        if case .group(let group) = dialogs.question(for: fact)?.kind, case .list(let items) = value, !items.isEmpty {
            // Back from a finished list reopens it at "add another?".
            draft = GroupDraft(fact: fact, items: items, group: group)
        }
        _ = refresh()
        return .answer(fact: fact, value: value)
    }

    /// The applicant asked to change an earlier answer: it is taken back, its question becomes the
    /// current one, and the next answer records the change (old → new). Answers that the new value
    /// puts out of reach are dropped then. Returns false when `fact` has no answer on the way.
    @discardableResult
    public mutating func changeRequested(_ fact: String) -> Bool {
        guard walk.answeredOnPath.contains(fact), let old = answers[fact] else { return false }
        if let changing { answers[changing.fact] = changing.old }
        draft = nil
        changing = (fact, old)
        answers.removeValue(forKey: fact)
        _ = refresh()
        return true
    }

    /// The applicant gave up changing an answer: the old value is restored.
    public mutating func changeCancelled() {
        guard let changing else { return }
        answers[changing.fact] = changing.old
        self.changing = nil
        draft = nil
        _ = refresh()
    }

    /// A consultation continued later, rebuilt from the answers it kept: the answers that no
    /// question on the way reaches any more (the content changed meanwhile) are dropped, and the
    /// parts of a group question being filled in are put back when it is the question asked.
    public init(
        dialogs: DialogSet, today: LocalDate, continuing answers: [String: Value], group: GroupDraft?
    )
        throws(Walk.Failure)
    {
        try self.init(dialogs: dialogs, today: today, answers: answers.filter { dialogs.question(for: $0.key) != nil })
        _ = refresh()
        if let group, let question = walk.current, question.fact == group.fact, case .group = question.kind {
            draft = group
        }
    }

    /// Answers a fact directly with a value (a replay, or a headless run).
    public mutating func set(_ fact: String, _ value: Value) -> [String: Value] {
        answers[fact] = value
        return refresh()
    }

    /// The answers that led to an outcome: the answered facts its condition reads, directly or
    /// through computed facts, in the order they were asked.
    public func why(_ outcome: OutcomeStep) -> [(fact: String, value: Value)] {
        var needed = Set<String>()
        var queue = outcome.when?.references ?? []
        let computed = dialogs.computedFacts
        while let name = queue.popLast() {
            guard needed.insert(name).inserted else { continue }
            for definition in computed[name] ?? [] {
                queue += definition.references
            }
        }
        return answeredFacts.filter { needed.contains($0.fact) }
    }
}

extension DialogSet {
    /// For each computed fact, the expressions (value and condition) that define it.
    var computedFacts: [String: [Expr]] {
        var result: [String: [Expr]] = [:]
        for d in dialogs {
            for node in d.nodes {
                if case .compute(let fact, let value) = node.kind {
                    result[fact, default: []] += [value] + (node.when.map { [$0] } ?? [])
                }
            }
        }
        return result
    }
}

/// The parts of a group answered so far: a yes for each new item, then its fields.
public struct GroupDraft: Hashable, Sendable {
    public enum Entry: Hashable, Sendable {
        case more(Bool)
        case field(String, Value)
    }

    public let fact: String
    public var entries: [Entry] = []

    public init(fact: String) {
        self.fact = fact
    }

    /// A draft holding `items` already, waiting at "add another?".
    init(fact: String, items: [Record], group: Group) {
        self.fact = fact
        for item in items {
            entries.append(.more(true))
            for field in group.fields {
                if let v = item[field.fact] { entries.append(.field(field.fact, v)) }
            }
        }
    }

    enum Next: Hashable {
        case start
        case field(Int)
        case more
    }

    func next(in group: Group) -> Next {
        guard !entries.isEmpty else { return .start }
        let partial = self.partial(in: group)
        if entries.last == .more(true) || !partial.fields.isEmpty {
            return .field(partial.fields.count)
        }
        return .more
    }

    /// The finished items.
    func items(in group: Group) -> [Record] {
        chunks(group).filter { $0.fields.count == group.fields.count }
    }

    /// The item being filled in (empty when none is).
    func partial(in group: Group) -> Record {
        guard let last = chunks(group).last, last.fields.count < group.fields.count else { return Record() }
        return last
    }

    private func chunks(_ group: Group) -> [Record] {
        var result: [Record] = []
        for entry in entries {
            switch entry {
            case .more(true): result.append(Record())
            case .more(false): break
            case .field(let name, let value):
                if result.isEmpty { result.append(Record()) }
                result[result.count - 1][name] = value
            }
        }
        return result
    }
}
