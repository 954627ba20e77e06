/// One pass over the dialogs from a starting point, given the answers so far.
///
/// The walk is the whole of the engine's logic: everything a consultation shows follows from it.
/// It goes through every step to the end, also past questions not yet answered (their facts are
/// then unknown), so that it can tell which questions are certainly still to come (`missing`) and
/// which answers can no longer be reached (`unreachable`).
public struct Walk: Sendable {
    /// Whether a step is on the way.
    public enum Status: Hashable, Sendable {
        /// Certainly on the way.
        case onPath
        /// On the way or not, depending on answers still to come.
        case maybe
        /// Certainly not on the way.
        case skipped
    }

    /// Something shown on the way to the current question: a message or an outcome.
    public enum Note: Hashable, Sendable {
        case say(MessageKey)
        case outcome(OutcomeStep)
    }

    public struct Location: Hashable, Sendable {
        public let dialog: Int
        public let step: Int

        public init(dialog: Int, step: Int) {
            self.dialog = dialog
            self.step = step
        }
    }

    /// The first question on the way that has no answer yet; nil when every question is answered.
    public private(set) var current: Question?
    public private(set) var currentLocation: Location?
    /// The facts known just before the current question (or at the end).
    public private(set) var environmentAtCurrent: Environment
    /// The facts known at the end of the walk (unknown where answers are still to come).
    public private(set) var environment: Environment
    /// What is shown between the last answered question and the current one.
    public private(set) var notes: [Note] = []
    /// Outcomes reached on the certain part of the way, once each, in order.
    public private(set) var outcomes: [OutcomeStep] = []
    /// Questions certainly on the way and not answered yet, in order.
    public private(set) var missing: [String] = []
    /// Answered facts on the way, in order.
    public private(set) var answeredOnPath: [String] = []
    /// Answers that no way can reach any more.
    public private(set) var unreachable: Set<String> = []
    /// Every step passed, with its status (for lint and tests).
    public private(set) var statuses: [Location: Status] = [:]

    /// True when every question on the way is answered: the outcomes are final.
    public var isComplete: Bool { current == nil && missing.isEmpty }

    public enum Failure: Error, Hashable, Sendable {
        /// The way came back to a dialog it had passed: it would never end.
        case loop(dialog: String)
        case unknownDialog(String)
    }

    // The walk's own state between steps: kept so that a walk stopped at its current question can
    // go on from there when that question is answered (``resume(answering:with:answers:)``).
    private var set: DialogSet
    private var followNext: Bool
    private var recordStatuses: Bool
    private var dialogIndex: Int
    private var step = 0
    private var entered: Set<Int> = []
    private var askedStatus: [String: Status] = [:]
    private var seenOutcomes: Set<String> = []
    private var certain = true
    private var pending = false
    /// The distinct answers used before the current question.
    private var used: Set<String> = []
    /// Stopped at the current question with every answer behind it: `missing`, `statuses` and
    /// `unreachable` cover only the way up to it, and answering it may go on from here.
    public private(set) var stoppedAtQuestion = false

    /// Walks from the start of dialog `start` (the set's start dialog by default).
    /// With `followNext` false the walk ends with that dialog (a topic's tree on its own).
    /// With `stopAtQuestion` the walk stops at the first question without an answer when every
    /// answer lies behind it (nothing after it could become unreachable): what a consultation
    /// needs after each answer, without walking the rest of the tree.
    /// With `recordStatuses` false, `statuses` stays empty (a walk that only wants its results).
    public init(
        _ set: DialogSet, answers: [String: Value], today: LocalDate,
        start: Int? = nil, followNext: Bool = true, stopAtQuestion: Bool = false,
        recordStatuses: Bool = true
    ) throws(Failure) {
        let env = Environment(today: today)
        environmentAtCurrent = env
        environment = env
        self.set = set
        self.followNext = followNext
        self.recordStatuses = recordStatuses
        dialogIndex = start ?? set.start
        entered.insert(dialogIndex)
        try proceed(env, answers: answers, stopAtQuestion: stopAtQuestion)
    }

    /// The current question was answered with `value` (and `answers`, which hold it, are otherwise
    /// those this walk was made with): goes on from the current question, as a new walk with
    /// `answers` would (the way before a question never reads its answer), and stops at the next.
    /// Returns false, changing nothing, when this walk did not stop at `fact`'s question.
    public mutating func resume(answering fact: String, answers: [String: Value]) throws(Failure) -> Bool {
        guard stoppedAtQuestion, let current, current.fact == fact, answers[fact] != nil,
            answers.count == used.count + 1
        else { return false }
        // Taken out, so that the walk owns the only copy and extends it in place.
        let env = environmentAtCurrent
        environmentAtCurrent = Self.placeholder
        environment = Self.placeholder
        self.current = nil
        currentLocation = nil
        pending = false
        stoppedAtQuestion = false
        missing.removeAll()
        step -= 1  // the current question's step, passed again with its answer
        // Consumed: a copy kept here would make the walk copy every binding at its first step.
        try proceed(consume env, answers: answers, stopAtQuestion: true)
        return true
    }

    private static let placeholder = Environment(today: LocalDate(year: 2000, month: 1, day: 1)!)

    private mutating func enter(_ name: String) throws(Failure) {
        guard let next = set.dialogIndex(named: name) else { throw .unknownDialog(name) }
        guard entered.insert(next).inserted else { throw .loop(dialog: name) }
        dialogIndex = next
        step = 0
    }

    private mutating func proceed(
        _ start: consuming Environment, answers: [String: Value], stopAtQuestion: Bool
    ) throws(Failure) {
        var env = consume start
        walking: while true {
            let dialog = set.dialogs[dialogIndex]
            guard step < dialog.nodes.count else {
                if followNext, let next = dialog.next {
                    try enter(next)
                    continue
                }
                break walking
            }
            let node = dialog.nodes[step]
            let location = Location(dialog: dialogIndex, step: step)
            step += 1

            let condition = node.when.map { Evaluator.evaluate($0, in: env) } ?? .value(.bool(true))
            var status: Status = condition == .unknown ? .maybe : (condition.boolValue == true ? .onPath : .skipped)
            if status == .onPath && !certain { status = .maybe }
            if recordStatuses { statuses[location] = status }

            switch node.kind {
            case .ask(let question):
                let fact = question.fact
                askedStatus[fact] = merge(askedStatus[fact], status)
                switch status {
                case .skipped:
                    break
                case .maybe:
                    env.set(fact, .unknown)
                case .onPath:
                    if let value = answers[fact] {
                        env.set(fact, .value(value))
                        answeredOnPath.append(fact)
                        if !pending {
                            notes = []
                            used.insert(fact)
                        }
                    } else {
                        if !pending {
                            current = question
                            currentLocation = location
                            if stopAtQuestion && used.count == answers.count {
                                missing.append(fact)
                                environmentAtCurrent = env
                                environment = env
                                stoppedAtQuestion = true
                                return
                            }
                            environmentAtCurrent = env
                        }
                        pending = true
                        missing.append(fact)
                        env.set(fact, .unknown)
                    }
                }
            case .compute(let fact, let value):
                guard env.value(fact) == nil else { break }  // a fact set once on a way stays set
                switch status {
                case .skipped: break
                case .maybe: env.set(fact, .unknown)
                case .onPath: env.set(fact, Evaluator.evaluate(value, in: env))
                }
            case .outcome(let outcome):
                if status == .onPath, !pending, seenOutcomes.insert(outcome.id).inserted {
                    outcomes.append(outcome)
                    notes.append(.outcome(outcome))
                }
            case .say(let key):
                if status == .onPath, !pending { notes.append(.say(key)) }
            case .goto(let target):
                switch status {
                case .skipped: break
                case .maybe: certain = false
                case .onPath:
                    switch target {
                    case .dialog(let name): try enter(name)
                    case .step(let index): step = index
                    }
                }
            }
        }
        if !pending { environmentAtCurrent = env }
        environment = env
        let reachable = Set(askedStatus.filter { $0.value != .skipped }.keys)
        for fact in answers.keys where !reachable.contains(fact) {
            // A question the walk never reached may lie behind a way it could not yet decide.
            if askedStatus[fact] == .skipped || certain {
                unreachable.insert(fact)
            }
        }
    }

    private func merge(_ a: Status?, _ b: Status) -> Status {
        guard let a else { return b }
        if a == .onPath || b == .onPath { return .onPath }
        if a == .maybe || b == .maybe { return .maybe }
        return .skipped
    }
}
