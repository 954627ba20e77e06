import ConsultEngine

/// What a consultation records, one case per kind of transcript event: the one definition that the
/// writer, the staff view, `consult run`, the tests and the SSH harness read and write.
///
/// On disk an event is `{"data":{...},"kind":"answer","prev":"...","seq":3,"time":"..."}` plus its
/// hash; `kind` names the case and `data` holds its fields. A kind this release does not know (written
/// by a later one) is read as `unknown`, with its data kept as written, and shown as such to the lawyer.
public enum ConsultationEvent: Sendable, Equatable {
    case start(Start)
    case question(Question)
    case shown(Shown)
    case rejected(Rejected)
    case answer(Answer)
    case change(Change)
    case language(LanguageChange)
    case outcome(OutcomeShown)
    case command(Command)
    case back(Back)
    case restart
    case appointment(AppointmentSaved)
    case appointmentFailed(AppointmentFailed)
    /// The consultation continues an earlier one, whose applicant typed its code.
    case resumed(Resumed)
    case end(End)
    case unknown(kind: String, data: UntypedJSON)

    /// The format of the transcripts this release writes, recorded in the start event. Version 1
    /// (no `format` field) wrote values as plain JSON; version 2 writes them self-describing.
    public static let format = 2

    public var kind: String {
        switch self {
        case .start: return "start"
        case .question: return "question"
        case .shown: return "shown"
        case .rejected: return "rejected"
        case .answer: return "answer"
        case .change: return "change"
        case .language: return "language"
        case .outcome: return "outcome"
        case .command: return "command"
        case .back: return "back"
        case .restart: return "restart"
        case .appointment: return "appointment"
        case .appointmentFailed: return "appointment_failed"
        case .resumed: return "resumed"
        case .end: return "end"
        case .unknown(let kind, _): return kind
        }
    }

    /// The beginning of a consultation: where and with what it was held.
    public struct Start: Codable, Sendable, Equatable {
        public var id: String
        public var channel: String
        public var contentHash: String
        public var version: String
        /// The date the consultation reasons with.
        public var today: LocalDate
        /// The first screen's language (the applicant may choose another: a `language` event).
        public var language: String
        /// The SSH client's address, for a remote consultation.
        public var remote: String?
        /// The transcript's format (`ConsultationEvent.format`); nil in transcripts of version 1.
        public var format: Int?
        /// The office (`--office`) and the machine that held the consultation; nil in transcripts
        /// written before records met in one store.
        public var office: String?
        public var host: String?

        public init(
            id: String, channel: String, contentHash: String, version: String, today: LocalDate, language: String,
            remote: String? = nil, format: Int? = ConsultationEvent.format, office: String? = nil, host: String? = nil
        ) {
            self.office = office
            self.host = host
            self.id = id
            self.channel = channel
            self.contentHash = contentHash
            self.version = version
            self.today = today
            self.language = language
            self.remote = remote
            self.format = format
        }

        enum CodingKeys: String, CodingKey {
            case id, channel, version, today, language, remote, format, office, host
            case contentHash = "content_hash"
        }
    }

    /// A question as it was asked (its text in the applicant's language).
    public struct Question: Codable, Sendable, Equatable {
        public enum Part: String, Codable, Sendable {
            case question
            case groupStart = "group_start"
            case groupMore = "group_more"
            case groupField = "group_field"
        }

        public var fact: String
        public var key: String
        public var text: String
        public var part: Part
        /// For `group_more`: how many items there are so far.
        public var items: Int?
        /// For `group_field`: the item's number and the field asked.
        public var item: Int?
        public var field: String?

        public init(
            fact: String, key: String, text: String, part: Part, items: Int? = nil, item: Int? = nil,
            field: String? = nil
        ) {
            self.fact = fact
            self.key = key
            self.text = text
            self.part = part
            self.items = items
            self.item = item
            self.field = field
        }
    }

    /// A message shown (not a question, not an outcome).
    public struct Shown: Codable, Sendable, Equatable {
        public var keys: [String]
        public var text: String

        public init(keys: [String], text: String) {
            self.keys = keys
            self.text = text
        }
    }

    /// An answer the program did not take, and what it said. The input is kept shortened.
    public struct Rejected: Codable, Sendable, Equatable {
        /// The fact asked; nil when the line was refused before any question (too long at the menu).
        public var fact: String?
        public var input: String
        /// The input's whole length in characters when `input` holds only its beginning.
        public var inputLength: Int?
        public var problem: String

        public init(fact: String?, input: String, inputLength: Int? = nil, problem: String) {
            self.fact = fact
            self.input = input
            self.inputLength = inputLength
            self.problem = problem
        }

        enum CodingKeys: String, CodingKey {
            case fact, input, problem
            case inputLength = "input_length"
            /// What a line refused at the reader recorded as its length in earlier releases.
            case length
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            fact = try c.decodeIfPresent(String.self, forKey: .fact)
            input = try c.decode(String.self, forKey: .input)
            // A line refused at the reader in the first format recorded its whole length as `length`
            // (and, shortened once more by the recorder, the reader's part of it as `input_length`).
            inputLength =
                try c.decodeIfPresent(Int.self, forKey: .length) ?? c.decodeIfPresent(Int.self, forKey: .inputLength)
            problem = try c.decode(String.self, forKey: .problem)
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encodeIfPresent(fact, forKey: .fact)
            try c.encode(input, forKey: .input)
            try c.encodeIfPresent(inputLength, forKey: .inputLength)
            try c.encode(problem, forKey: .problem)
        }
    }

    /// An answer taken: what was typed and the value it gave.
    public struct Answer: Codable, Sendable, Equatable {
        public var fact: String
        public var input: String
        public var inputLength: Int?
        public var value: Value
        /// For a group's field: the field's name (`fact` is the group's).
        public var field: String?

        public init(fact: String, input: String, inputLength: Int? = nil, value: Value, field: String? = nil) {
            self.fact = fact
            self.input = input
            self.inputLength = inputLength
            self.value = value
            self.field = field
        }

        enum CodingKeys: String, CodingKey {
            case fact, input, value, field
            case inputLength = "input_length"
        }
    }

    /// An earlier answer changed: its old and new value, and the answers that no longer apply.
    public struct Change: Codable, Sendable, Equatable {
        public var fact: String
        public var old: Value
        public var new: Value
        public var dropped: [String: Value]

        public init(fact: String, old: Value, new: Value, dropped: [String: Value]) {
            self.fact = fact
            self.old = old
            self.new = new
            self.dropped = dropped
        }
    }

    /// The consultation's language: chosen at the first screen or switched later (`/language`).
    public struct LanguageChange: Codable, Sendable, Equatable {
        public enum Reason: String, Codable, Sendable {
            case chosen, switched
        }

        public var language: String
        public var reason: Reason

        public init(language: String, reason: Reason) {
            self.language = language
            self.reason = reason
        }
    }

    /// An explanation shown: the outcomes, the lawyer's open points (message keys), and its text.
    public struct OutcomeShown: Codable, Sendable, Equatable {
        public var ids: [String]
        public var openPoints: [String]
        public var text: String

        public init(ids: [String], openPoints: [String], text: String) {
            self.ids = ids
            self.openPoints = openPoints
            self.text = text
        }

        enum CodingKeys: String, CodingKey {
            case ids, text
            case openPoints = "open_points"
        }
    }

    /// A command typed (`/back`, `/change`, ...), its input kept shortened.
    public struct Command: Codable, Sendable, Equatable {
        public var name: String
        public var input: String
        public var inputLength: Int?

        public init(name: String, input: String, inputLength: Int? = nil) {
            self.name = name
            self.input = input
            self.inputLength = inputLength
        }

        enum CodingKeys: String, CodingKey {
            case name, input
            case inputLength = "input_length"
        }
    }

    /// `/back`: the answer to `fact` was taken back.
    public struct Back: Codable, Sendable, Equatable {
        public var fact: String

        public init(fact: String) {
            self.fact = fact
        }
    }

    /// An appointment request saved: its reference and the hash the request carries.
    public struct AppointmentSaved: Codable, Sendable, Equatable {
        public var reference: String
        /// Empty or absent in transcripts of releases that did not chain requests.
        public var requestHash: String?

        public init(reference: String, requestHash: String?) {
            self.reference = reference
            self.requestHash = requestHash
        }

        enum CodingKeys: String, CodingKey {
            case reference
            case requestHash = "request_hash"
        }
    }

    /// An appointment request that could not be saved, and why.
    public struct AppointmentFailed: Codable, Sendable, Equatable {
        public var error: String

        public init(error: String) {
            self.error = error
        }
    }

    /// An earlier consultation continued with its code: the transcript it continues, the language
    /// and the answers carried over (the lawyer joins the two transcripts by `from`).
    public struct Resumed: Codable, Sendable, Equatable {
        /// The id of the transcript that kept the answers last.
        public var from: String
        public var language: String
        public var answers: [String: Value]

        public init(from: String, language: String, answers: [String: Value]) {
            self.from = from
            self.language = language
            self.answers = answers
        }
    }

    /// The end of a consultation: why, and the facts and outcomes it reached.
    public struct End: Codable, Sendable, Equatable {
        public var reason: String
        public var facts: [String: Value]
        public var outcomes: [String]

        public init(reason: String, facts: [String: Value] = [:], outcomes: [String] = []) {
            self.reason = reason
            self.facts = facts
            self.outcomes = outcomes
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            reason = try c.decode(String.self, forKey: .reason)
            // The end a crash handler writes holds the reason only.
            facts = try c.decodeIfPresent([String: Value].self, forKey: .facts) ?? [:]
            outcomes = try c.decodeIfPresent([String].self, forKey: .outcomes) ?? []
        }
    }
}

extension ConsultationEvent {
    private struct Line: Decodable {
        let kind: String
    }

    /// Writes the case's fields (the line's `data`).
    public func encodeData(to encoder: any Encoder) throws {
        switch self {
        case .start(let e): try e.encode(to: encoder)
        case .question(let e): try e.encode(to: encoder)
        case .shown(let e): try e.encode(to: encoder)
        case .rejected(let e): try e.encode(to: encoder)
        case .answer(let e): try e.encode(to: encoder)
        case .change(let e): try e.encode(to: encoder)
        case .language(let e): try e.encode(to: encoder)
        case .outcome(let e): try e.encode(to: encoder)
        case .command(let e): try e.encode(to: encoder)
        case .back(let e): try e.encode(to: encoder)
        case .restart: _ = encoder.container(keyedBy: UnknownKey.self)
        case .appointment(let e): try e.encode(to: encoder)
        case .appointmentFailed(let e): try e.encode(to: encoder)
        case .resumed(let e): try e.encode(to: encoder)
        case .end(let e): try e.encode(to: encoder)
        case .unknown(_, let data): try data.encode(to: encoder)
        }
    }

    /// Reads the fields of an event of `kind` (the line's `data`). A kind this release does not know,
    /// or data that is not what this release writes for its kind, is `unknown` with the data as written.
    init(kind: String, data decoder: any Decoder) throws {
        func decode<T: Decodable>(_ type: T.Type) throws -> T { try T(from: decoder) }
        do {
            switch kind {
            case "start": self = .start(try decode(Start.self))
            case "question": self = .question(try decode(Question.self))
            case "shown": self = .shown(try decode(Shown.self))
            case "rejected": self = .rejected(try decode(Rejected.self))
            case "answer": self = .answer(try decode(Answer.self))
            case "change": self = .change(try decode(Change.self))
            case "language": self = .language(try decode(LanguageChange.self))
            case "outcome": self = .outcome(try decode(OutcomeShown.self))
            case "command": self = .command(try decode(Command.self))
            case "back": self = .back(try decode(Back.self))
            case "restart": self = .restart
            case "appointment": self = .appointment(try decode(AppointmentSaved.self))
            case "appointment_failed": self = .appointmentFailed(try decode(AppointmentFailed.self))
            case "resumed": self = .resumed(try decode(Resumed.self))
            case "end": self = .end(try decode(End.self))
            default: self = .unknown(kind: kind, data: try decode(UntypedJSON.self))
            }
        } catch {
            self = .unknown(kind: kind, data: try decode(UntypedJSON.self))
        }
    }

    private struct UnknownKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}

extension UntypedJSON {
    /// The JSON written compactly (keys sorted), for data whose shape the reader does not know.
    public var compact: String {
        guard let data = try? StoredLine.encoder.encode(self) else { return "?" }
        return String(decoding: data, as: UTF8.self)
    }
}
