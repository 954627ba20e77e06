/// A value written in a record says what it is: `{"date":"2026-03-01"}`, `{"choice":"spouse"}`,
/// `{"text":"..."}`, `{"bool":true}`, `{"int":3}`, `{"list":[{"age":{"int":7}}]}`. Reading it back
/// needs no content and guesses nothing from the look of a string.
///
/// Records written before values described themselves hold plain JSON (`"2026-03-01"`, `true`,
/// `[{"age":7}]`); `Value(untyped:)` reads that as what it plainly is (a string is text), and
/// `retyped(as:)` turns it into the value of the type the content declares for its fact.
extension Value: Codable {
    private enum Tag: String, CodingKey, CaseIterable {
        case bool, int, date, text, choice, list
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Tag.self)
        switch self {
        case .bool(let b): try container.encode(b, forKey: .bool)
        case .int(let n): try container.encode(n, forKey: .int)
        case .date(let d): try container.encode(d, forKey: .date)
        case .text(let s): try container.encode(s, forKey: .text)
        case .choice(let c): try container.encode(c, forKey: .choice)
        case .list(let items): try container.encode(items.map(\.fields), forKey: .list)
        }
    }

    /// Set (to true) in a decoder's `userInfo` to read values written before values described
    /// themselves, as `init(untyped:)` does.
    public static let untypedValues = CodingUserInfoKey(rawValue: "consult.untypedValues")!

    public init(from decoder: any Decoder) throws {
        if decoder.userInfo[Value.untypedValues] as? Bool == true {
            let json = try UntypedJSON(from: decoder)
            guard let value = Value(untyped: json) else {
                throw DecodingError.dataCorrupted(
                    .init(codingPath: decoder.codingPath, debugDescription: "not a value of a fact"))
            }
            self = value
            return
        }
        let container = try decoder.container(keyedBy: Tag.self)
        guard container.allKeys.count == 1, let tag = container.allKeys.first else {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: decoder.codingPath,
                    debugDescription:
                        "a value is an object with one of the keys \(Tag.allCases.map(\.rawValue).joined(separator: ", "))"
                ))
        }
        switch tag {
        case .bool: self = .bool(try container.decode(Bool.self, forKey: tag))
        case .int: self = .int(try container.decode(Int.self, forKey: tag))
        case .date: self = .date(try container.decode(LocalDate.self, forKey: tag))
        case .text: self = .text(try container.decode(String.self, forKey: tag))
        case .choice: self = .choice(try container.decode(String.self, forKey: tag))
        case .list: self = .list(try container.decode([[String: Value]].self, forKey: tag).map(Record.init))
        }
    }

    /// The value of a record written before values described themselves, read as what its JSON
    /// plainly is: a string is text, a number an int, an array a list of items. Nil for JSON no
    /// fact ever held (null, fractions, nested arrays).
    public init?(untyped json: UntypedJSON) {
        switch json {
        case .bool(let b): self = .bool(b)
        case .int(let n): self = .int(n)
        case .string(let s): self = .text(s)
        case .array(let items):
            var records: [Record] = []
            for item in items {
                guard case .object(let fields) = item else { return nil }
                records.append(Record(fields.compactMapValues { Value(untyped: $0) }))
            }
            self = .list(records)
        case .null, .double, .object: return nil
        }
    }

    /// This value as a value of `type`, the type the content declares for its fact: text that
    /// reads as a date becomes the date, text becomes the choice it names, a list's fields are
    /// retyped by the group's record type (fields it does not know are left out). Nil when the
    /// value cannot be one of that type. A value already of the type is returned as it is.
    public func retyped(as type: ValueType) -> Value? {
        switch (self, type) {
        case (.bool, .bool), (.int, .int), (.date, .date), (.text, .text), (.choice, .choice): return self
        case (.text(let s), .date): return LocalDate(parsing: s).map(Value.date)
        case (.text(let s), .choice): return .choice(s)
        case (.choice(let c), .text): return .text(c)
        case (.list(let items), .list(let recordType)):
            return .list(
                items.map { item in
                    var record = Record()
                    for (name, value) in item.fields {
                        guard let field = recordType.field(name), let typed = value.retyped(as: field.type) else {
                            continue
                        }
                        record[name] = typed
                    }
                    return record
                })
        default: return nil
        }
    }

    /// The value as plain JSON, for tools that know the facts' types (`consult run`'s output):
    /// dates `YYYY-MM-DD`, choices and text as strings, lists as arrays of objects.
    public var untyped: UntypedJSON {
        switch self {
        case .bool(let b): return .bool(b)
        case .int(let n): return .int(n)
        case .date(let d): return .string(d.description)
        case .text(let s): return .string(s)
        case .choice(let c): return .string(c)
        case .list(let items): return .array(items.map { .object($0.fields.mapValues(\.untyped)) })
        }
    }
}

extension LocalDate: Codable {
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        // Only the form `description` writes: a record holds nothing else.
        guard let date = LocalDate(parsing: text), date.description == text else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "'\(text)' is not a date YYYY-MM-DD")
        }
        self = date
    }
}

/// Any JSON value, for what a reader does not know the shape of: values of records written before
/// values described themselves, the data of an event kind this release does not know, and the plain
/// output of `consult run`. Integers are kept apart from fractions, so that `7` is read back as 7.
public indirect enum UntypedJSON: Codable, Hashable, Sendable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([UntypedJSON])
    case object([String: UntypedJSON])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let b = try? container.decode(Bool.self) {
            self = .bool(b)
        } else if let n = try? container.decode(Int.self) {
            self = .int(n)
        } else if let d = try? container.decode(Double.self) {
            self = .double(d)
        } else if let s = try? container.decode(String.self) {
            self = .string(s)
        } else if let a = try? container.decode([UntypedJSON].self) {
            self = .array(a)
        } else {
            self = .object(try container.decode([String: UntypedJSON].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let b): try container.encode(b)
        case .int(let n): try container.encode(n)
        case .double(let d): try container.encode(d)
        case .string(let s): try container.encode(s)
        case .array(let a): try container.encode(a)
        case .object(let o): try container.encode(o)
        }
    }

    public var string: String? {
        if case .string(let s) = self { return s }
        return nil
    }
}
