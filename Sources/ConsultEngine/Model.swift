/// The consultation as data: every dialog, loaded and checked (see `ConsultContent`).
/// The facts the program itself acts on, named by the content: which answer is the consultation's
/// language, which says the applicant agreed to the keeping of their data, which chooses the topic's
/// dialog. A role the content does not name is a feature the consultation goes without.
public struct FactRoles: Hashable, Sendable {
    /// A choice whose values are locale codes: answering it switches the consultation's language.
    public var language: String?
    /// A yes/no fact: counted as "no" when records cannot be kept.
    public var consent: String?
    /// A choice whose values name dialogs: what `consult run` starts from.
    public var topic: String?

    public init(language: String? = nil, consent: String? = nil, topic: String? = nil) {
        self.language = language
        self.consent = consent
        self.topic = topic
    }
}

public struct DialogSet: Sendable {
    public let dialogs: [Dialog]
    /// The dialog every consultation starts in.
    public let start: Int
    /// Every fact that a step sets, with its type.
    public let factTypes: [String: ValueType]
    /// The facts the program itself acts on, as the start dialog names them (`roles:`).
    public let roles: FactRoles
    /// The office's time zone (the start dialog's `time_zone:`, an IANA name such as Europe/Moscow):
    /// what "today" is for a consultation and the zone times are shown in to staff. UTC when unnamed.
    public let timeZone: String

    private let indexByName: [String: Int]
    private let questionsByFact: [String: Question]
    private let positions: [String: Position]

    public init(
        dialogs: [Dialog], start: Int, factTypes: [String: ValueType], roles: FactRoles = FactRoles(),
        timeZone: String = "UTC"
    ) {
        self.dialogs = dialogs
        self.start = start
        self.factTypes = factTypes
        self.roles = roles
        self.timeZone = timeZone
        var indexByName: [String: Int] = [:]
        var questions: [String: Question] = [:]
        var positions: [String: Position] = [:]
        for (i, d) in dialogs.enumerated() {
            indexByName[d.name] = i
            for (s, node) in d.nodes.enumerated() {
                switch node.kind {
                case .ask(let q):
                    questions[q.fact] = q
                    if positions[q.fact] == nil { positions[q.fact] = Position(dialog: i, step: s) }
                case .compute(let fact, _):
                    if positions[fact] == nil { positions[fact] = Position(dialog: i, step: s) }
                default:
                    break
                }
            }
        }
        self.positions = positions
        self.indexByName = indexByName
        self.questionsByFact = questions
    }

    public func dialogIndex(named name: String) -> Int? { indexByName[name] }

    public func dialog(named name: String) -> Dialog? { indexByName[name].map { dialogs[$0] } }

    /// Where a fact is first asked or computed: its dialog and step.
    public struct Position: Hashable, Comparable, Sendable {
        public let dialog: Int
        public let step: Int

        public init(dialog: Int, step: Int) {
            self.dialog = dialog
            self.step = step
        }

        public static func < (a: Position, b: Position) -> Bool { (a.dialog, a.step) < (b.dialog, b.step) }
    }

    public func position(of fact: String) -> Position? { positions[fact] }

    /// The question that asks for `fact`, if a question does.
    public func question(for fact: String) -> Question? { questionsByFact[fact] }

    /// Every outcome step, in dialog order.
    public var outcomes: [OutcomeStep] {
        dialogs.flatMap { d in
            d.nodes.compactMap { node -> OutcomeStep? in
                if case .outcome(let o) = node.kind { return o }
                return nil
            }
        }
    }
}

public struct Dialog: Sendable {
    public let name: String
    public let isStart: Bool
    /// The dialog to continue in when this one ends.
    public let next: String?
    public let nodes: [DialogStep]
    public let location: SourceLocation
    /// When this dialog collects an appointment request: which facts go where.
    public let appointment: AppointmentFields?

    public init(
        name: String, isStart: Bool, next: String?, nodes: [DialogStep], location: SourceLocation,
        appointment: AppointmentFields? = nil
    ) {
        self.name = name
        self.isStart = isStart
        self.next = next
        self.nodes = nodes
        self.location = location
        self.appointment = appointment
    }
}

/// The facts of an appointment request, as a dialog names them.
public struct AppointmentFields: Hashable, Sendable {
    /// Name and contact details.
    public let applicant: [String]
    /// Meeting format, preferred times...
    public let preferences: [String]
    /// The applicant's own question.
    public let question: String?
    /// A yes/no fact saying the request is urgent: such requests come first for the lawyer.
    public let urgent: String?

    public init(applicant: [String], preferences: [String], question: String?, urgent: String? = nil) {
        self.applicant = applicant
        self.preferences = preferences
        self.question = question
        self.urgent = urgent
    }

    public var all: [String] { applicant + preferences + (question.map { [$0] } ?? []) }
}

/// One step of a dialog.
public struct DialogStep: Sendable {
    public enum Kind: Sendable {
        case ask(Question)
        /// A computed fact.
        case compute(fact: String, value: Expr)
        case outcome(OutcomeStep)
        case say(MessageKey)
        case goto(GotoTarget)
    }

    public let id: String?
    public let when: Expr?
    public let kind: Kind
    public let location: SourceLocation

    public init(id: String? = nil, when: Expr? = nil, kind: Kind, location: SourceLocation) {
        self.id = id
        self.when = when
        self.kind = kind
        self.location = location
    }
}

public enum GotoTarget: Hashable, Sendable {
    /// The first step of another dialog.
    case dialog(String)
    /// A later step of the same dialog, by index.
    case step(Int)
}

public struct OutcomeStep: Hashable, Sendable {
    public let id: String
    public let explain: MessageKey
    /// Points the lawyer will confirm at the appointment (message keys).
    public let confirm: [MessageKey]
    /// The condition that produces the outcome, kept to answer "why".
    public let when: Expr?

    public init(id: String, explain: MessageKey, confirm: [MessageKey], when: Expr?) {
        self.id = id
        self.explain = explain
        self.confirm = confirm
        self.when = when
    }
}

public struct Question: Sendable {
    public enum Kind: Sendable {
        case yesNo
        case choice([Choice])
        case number(min: Int, max: Int)
        case date(min: Expr?, max: Expr?)
        case text(maxLength: Int, optional: Bool, format: TextFormat?)
        case group(Group)
    }

    public let fact: String
    public let kind: Kind
    public let prompt: MessageKey
    public let help: MessageKey?

    public init(fact: String, kind: Kind, prompt: MessageKey, help: MessageKey? = nil) {
        self.fact = fact
        self.kind = kind
        self.prompt = prompt
        self.help = help
    }

    /// The type of the fact this question sets.
    public var valueType: ValueType {
        switch kind {
        case .yesNo: return .bool
        case .choice(let choices): return .choice(Set(choices.map(\.value)))
        case .number: return .int
        case .date: return .date
        case .text: return .text
        case .group(let g): return .list(g.recordType)
        }
    }
}

/// A shape a text answer must have.
public enum TextFormat: String, Hashable, Sendable, CaseIterable {
    /// A phone number: 7 to 15 digits, an optional leading +, spaces, dashes, dots and brackets.
    case phone
    /// An e-mail address: local@domain.tld.
    case email
}

public struct Choice: Hashable, Sendable {
    public let value: String
    public let label: MessageKey

    public init(value: String, label: MessageKey) {
        self.value = value
        self.label = label
    }
}

/// A repeating group: "add a family member" (fields), "add another?" (more), until no.
public struct Group: Sendable {
    public let fields: [Question]
    public let more: MessageKey
    public let item: MessageKey
    public let derive: [(name: String, value: Expr)]
    public let maxItems: Int
    public let recordType: RecordType

    public init(
        fact: String, fields: [Question], more: MessageKey, item: MessageKey,
        derive: [(name: String, value: Expr)], maxItems: Int, deriveTypes: [ValueType]
    ) {
        self.fields = fields
        self.more = more
        self.item = item
        self.derive = derive
        self.maxItems = maxItems
        var recordFields = fields.map { RecordType.Field(name: $0.fact, type: $0.valueType, derived: false) }
        for (d, t) in zip(derive, deriveTypes) {
            recordFields.append(RecordType.Field(name: d.name, type: t, derived: true))
        }
        recordType = RecordType(group: fact, fields: recordFields, itemMessage: item)
    }

    /// Completes an item from its answered fields: adds the derived facts.
    public func complete(_ answered: Record, today: LocalDate) -> Record {
        var record = answered
        let env = Environment(today: today)
        for d in derive {
            if case .value(let v) = Evaluator.evaluate(d.value, in: env, item: record) {
                record[d.name] = v
            }
        }
        return record
    }
}
