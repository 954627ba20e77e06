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

    /// Walks from the start of dialog `start` (the set's start dialog by default).
    /// With `followNext` false the walk ends with that dialog (a topic's tree on its own).
    public init(
        _ set: DialogSet, answers: [String: Value], today: LocalDate,
        start: Int? = nil, followNext: Bool = true
    ) throws(Failure) {
        var env = Environment(today: today)
        environmentAtCurrent = env
        environment = env
        var askedStatus: [String: Status] = [:]
        var pending = false
        var certain = true
        var seenOutcomes = Set<String>()
        var entered = Set<Int>()

        var dialogIndex = start ?? set.start
        var step = 0
        entered.insert(dialogIndex)

        func enter(_ name: String) throws(Failure) {
            guard let next = set.dialogIndex(named: name) else { throw .unknownDialog(name) }
            guard entered.insert(next).inserted else { throw .loop(dialog: name) }
            dialogIndex = next
            step = 0
        }

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
            statuses[location] = status

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
                        if !pending { notes = [] }
                    } else {
                        if !pending {
                            current = question
                            currentLocation = location
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
