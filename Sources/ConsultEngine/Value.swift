/// A fact's value: what an applicant answered, or what a dialog computed from the answers.
public enum Value: Hashable, Sendable {
    case bool(Bool)
    case int(Int)
    case date(LocalDate)
    /// Free text (also a string literal in an expression).
    case text(String)
    /// The `value` of one of a choice question's choices.
    case choice(String)
    /// The items of a repeating group, each a record of its fields and derived facts.
    case list([Record])
}

/// One item of a repeating group: its fields by name (answered and derived).
public struct Record: Hashable, Sendable {
    public var fields: [String: Value]

    public init(_ fields: [String: Value] = [:]) {
        self.fields = fields
    }

    public subscript(name: String) -> Value? {
        get { fields[name] }
        set { fields[name] = newValue }
    }
}

/// The static type of a fact or expression, checked when the dialogs are loaded.
public indirect enum ValueType: Hashable, Codable, Sendable, CustomStringConvertible {
    case bool
    case int
    case date
    case text
    /// One of a fixed set of values (a choice question's `value`s).
    case choice(Set<String>)
    /// A list of a group's items.
    case list(RecordType)

    public var description: String {
        switch self {
        case .bool: return "yes/no"
        case .int: return "number"
        case .date: return "date"
        case .text: return "text"
        case .choice(let values): return "choice (\(values.sorted().map { "\"\($0)\"" }.joined(separator: ", ")))"
        case .list(let record): return "list of \(record.group)"
        }
    }
}

/// The shape of a group's items: the fields asked and derived, in order.
public struct RecordType: Hashable, Codable, Sendable {
    /// The fact that holds the list (names the item type in messages).
    public let group: String
    public let fields: [Field]
    /// The message key that writes one item, e.g. "{relation}, {age}".
    public let itemMessage: MessageKey

    public struct Field: Hashable, Codable, Sendable {
        public let name: String
        public let type: ValueType
        public let derived: Bool

        public init(name: String, type: ValueType, derived: Bool) {
            self.name = name
            self.type = type
            self.derived = derived
        }
    }

    public init(group: String, fields: [Field], itemMessage: MessageKey) {
        self.group = group
        self.fields = fields
        self.itemMessage = itemMessage
    }

    public func field(_ name: String) -> Field? {
        fields.first { $0.name == name }
    }
}

/// The key of a message in `locales/` (e.g. `vks.outcome.grace_period_active`).
public struct MessageKey: Hashable, Sendable, Comparable, CustomStringConvertible, ExpressibleByStringLiteral {
    public let rawValue: String

    public init(_ rawValue: String) {
        self.rawValue = rawValue
    }

    public init(stringLiteral value: String) {
        self.rawValue = value
    }

    public var description: String { rawValue }

    public static func < (lhs: MessageKey, rhs: MessageKey) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// Where something was written: `dialogs/vks.yaml:42:7`.
public struct SourceLocation: Hashable, Codable, Sendable, CustomStringConvertible {
    public let file: String
    public let line: Int
    public let column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    public var description: String { "\(file):\(line):\(column)" }
}
