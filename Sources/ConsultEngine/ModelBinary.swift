/// The model in the binary form of `BinaryCoding.swift`, field by field in declaration order.
/// What is derived (an expression's depth, a set's indexes, a group's record type) is not
/// written: the initializers build it again, so a value read back is the value the loader built.

extension MessageKey: BinaryCodable {
    public func write(to writer: inout BinaryWriter) { writer.string(rawValue) }
    public init(from reader: inout BinaryReader) throws(BinaryError) { self.init(try reader.string()) }
}

extension SourceLocation: BinaryCodable {
    public func write(to writer: inout BinaryWriter) {
        writer.string(file)
        writer.int(line)
        writer.int(column)
    }

    public init(from reader: inout BinaryReader) throws(BinaryError) {
        self.init(file: try reader.string(), line: try reader.int(), column: try reader.int())
    }
}

extension LocalDate: BinaryCodable {
    public func write(to writer: inout BinaryWriter) {
        writer.int(year)
        writer.int(month)
        writer.int(day)
    }

    public init(from reader: inout BinaryReader) throws(BinaryError) {
        guard let date = LocalDate(year: try reader.int(), month: try reader.int(), day: try reader.int()) else {
            throw reader.fail("not a date")
        }
        self = date
    }
}

extension Value: BinaryCodable {
    public func write(to writer: inout BinaryWriter) {
        switch self {
        case .bool(let b):
            writer.int(0)
            writer.bool(b)
        case .int(let n):
            writer.int(1)
            writer.int(n)
        case .date(let d):
            writer.int(2)
            writer.value(d)
        case .text(let s):
            writer.int(3)
            writer.string(s)
        case .choice(let c):
            writer.int(4)
            writer.string(c)
        case .list(let items):
            writer.int(5)
            writer.array(items) { w, item in w.dictionary(item.fields, { $0.string($1) }, { $0.value($1) }) }
        }
    }

    public init(from reader: inout BinaryReader) throws(BinaryError) {
        switch try reader.choice(6) {
        case 0: self = .bool(try reader.bool())
        case 1: self = .int(try reader.int())
        case 2: self = .date(try reader.value())
        case 3: self = .text(try reader.string())
        case 4: self = .choice(try reader.string())
        default:
            self = .list(
                try reader.array { (r: inout BinaryReader) throws(BinaryError) in
                    Record(
                        try r.dictionary(
                            { (r: inout BinaryReader) throws(BinaryError) in try r.string() },
                            { (r: inout BinaryReader) throws(BinaryError) in try r.value(Value.self) }))
                })
        }
    }
}

extension ValueType: BinaryCodable {
    public func write(to writer: inout BinaryWriter) {
        switch self {
        case .bool: writer.int(0)
        case .int: writer.int(1)
        case .date: writer.int(2)
        case .text: writer.int(3)
        case .choice(let values):
            writer.int(4)
            writer.strings(values.sorted())
        case .list(let record):
            writer.int(5)
            writer.value(record)
        }
    }

    public init(from reader: inout BinaryReader) throws(BinaryError) {
        switch try reader.choice(6) {
        case 0: self = .bool
        case 1: self = .int
        case 2: self = .date
        case 3: self = .text
        case 4: self = .choice(Set(try reader.strings()))
        default: self = .list(try reader.value())
        }
    }
}

extension RecordType: BinaryCodable {
    public func write(to writer: inout BinaryWriter) {
        writer.string(group)
        writer.array(fields) { w, field in
            w.string(field.name)
            w.value(field.type)
            w.bool(field.derived)
        }
        writer.value(itemMessage)
    }

    public init(from reader: inout BinaryReader) throws(BinaryError) {
        let group = try reader.string()
        let fields = try reader.array { (r: inout BinaryReader) throws(BinaryError) in
            Field(name: try r.string(), type: try r.value(), derived: try r.bool())
        }
        self.init(group: group, fields: fields, itemMessage: try reader.value())
    }
}

extension Expr: BinaryCodable {
    public func write(to writer: inout BinaryWriter) {
        switch kind {
        case .literal(let value):
            writer.int(0)
            writer.value(value)
        case .reference(let name):
            writer.int(1)
            writer.string(name)
        case .not(let e):
            writer.int(2)
            writer.value(e)
        case .negate(let e):
            writer.int(3)
            writer.value(e)
        case .binary(let op, let l, let r):
            writer.int(4)
            writer.string(op.rawValue)
            writer.value(l)
            writer.value(r)
        case .membership(let e, let set, let negated):
            writer.int(5)
            writer.value(e)
            writer.array(set)
            writer.bool(negated)
        case .call(let function, let arguments):
            writer.int(6)
            writer.string(function.rawValue)
            writer.array(arguments)
        }
        writer.int(offset)
        writer.int(length)
    }

    public init(from reader: inout BinaryReader) throws(BinaryError) {
        let kind: Kind
        switch try reader.choice(7) {
        case 0: kind = .literal(try reader.value())
        case 1: kind = .reference(try reader.string())
        case 2: kind = .not(try reader.value())
        case 3: kind = .negate(try reader.value())
        case 4:
            guard let op = BinaryOperator(rawValue: try reader.string()) else { throw reader.fail("not an operator") }
            kind = .binary(op, try reader.value(), try reader.value())
        case 5: kind = .membership(try reader.value(), try reader.array(), negated: try reader.bool())
        default:
            guard let function = Function(rawValue: try reader.string()) else { throw reader.fail("not a function") }
            kind = .call(function, try reader.array())
        }
        self.init(kind, offset: try reader.int(), length: try reader.int())
        guard depth <= ExpressionParser.maxDepth else {
            throw reader.fail("an expression deeper than the parser allows")
        }
    }
}

extension Choice: BinaryCodable {
    public func write(to writer: inout BinaryWriter) {
        writer.string(value)
        writer.value(label)
    }

    public init(from reader: inout BinaryReader) throws(BinaryError) {
        self.init(value: try reader.string(), label: try reader.value())
    }
}

extension Question: BinaryCodable {
    public func write(to writer: inout BinaryWriter) {
        writer.string(fact)
        switch kind {
        case .yesNo: writer.int(0)
        case .choice(let choices):
            writer.int(1)
            writer.array(choices)
        case .number(let min, let max):
            writer.int(2)
            writer.int(min)
            writer.int(max)
        case .date(let min, let max):
            writer.int(3)
            writer.optional(min)
            writer.optional(max)
        case .text(let maxLength, let optional, let format):
            writer.int(4)
            writer.int(maxLength)
            writer.bool(optional)
            writer.optional(format) { $0.string($1.rawValue) }
        case .group(let group):
            writer.int(5)
            writer.value(group)
        }
        writer.value(prompt)
        writer.optional(help)
    }

    public init(from reader: inout BinaryReader) throws(BinaryError) {
        let fact = try reader.string()
        let kind: Kind
        switch try reader.choice(6) {
        case 0: kind = .yesNo
        case 1: kind = .choice(try reader.array())
        case 2: kind = .number(min: try reader.int(), max: try reader.int())
        case 3: kind = .date(min: try reader.optional(), max: try reader.optional())
        case 4:
            let maxLength = try reader.int()
            let optional = try reader.bool()
            let format = try reader.optional { (r: inout BinaryReader) throws(BinaryError) -> TextFormat in
                guard let format = TextFormat(rawValue: try r.string()) else { throw r.fail("not a text format") }
                return format
            }
            kind = .text(maxLength: maxLength, optional: optional, format: format)
        default: kind = .group(try reader.value())
        }
        self.init(fact: fact, kind: kind, prompt: try reader.value(), help: try reader.optional())
    }
}

extension Group: BinaryCodable {
    /// The group's fact is its record type's; the derived facts' types follow the asked fields.
    public func write(to writer: inout BinaryWriter) {
        writer.string(recordType.group)
        writer.array(fields)
        writer.value(more)
        writer.value(item)
        writer.array(derive) { w, d in
            w.string(d.name)
            w.value(d.value)
        }
        writer.int(maxItems)
        writer.array(recordType.fields.filter(\.derived).map(\.type))
    }

    public init(from reader: inout BinaryReader) throws(BinaryError) {
        let fact = try reader.string()
        let fields: [Question] = try reader.array()
        let more: MessageKey = try reader.value()
        let item: MessageKey = try reader.value()
        let derive = try reader.array { (r: inout BinaryReader) throws(BinaryError) -> (name: String, value: Expr) in
            (try r.string(), try r.value())
        }
        let maxItems = try reader.int()
        let deriveTypes: [ValueType] = try reader.array()
        guard deriveTypes.count == derive.count else { throw reader.fail("a group's derived facts do not match") }
        self.init(
            fact: fact, fields: fields, more: more, item: item, derive: derive, maxItems: maxItems,
            deriveTypes: deriveTypes)
    }
}

extension OutcomeStep: BinaryCodable {
    public func write(to writer: inout BinaryWriter) {
        writer.string(id)
        writer.value(explain)
        writer.array(confirm)
        writer.optional(when)
    }

    public init(from reader: inout BinaryReader) throws(BinaryError) {
        self.init(
            id: try reader.string(), explain: try reader.value(), confirm: try reader.array(),
            when: try reader.optional())
    }
}

extension DialogStep: BinaryCodable {
    public func write(to writer: inout BinaryWriter) {
        writer.optional(id) { $0.string($1) }
        writer.optional(when)
        switch kind {
        case .ask(let question):
            writer.int(0)
            writer.value(question)
        case .compute(let fact, let value):
            writer.int(1)
            writer.string(fact)
            writer.value(value)
        case .outcome(let outcome):
            writer.int(2)
            writer.value(outcome)
        case .say(let key):
            writer.int(3)
            writer.value(key)
        case .goto(.dialog(let name)):
            writer.int(4)
            writer.string(name)
        case .goto(.step(let index)):
            writer.int(5)
            writer.int(index)
        }
        writer.value(location)
    }

    public init(from reader: inout BinaryReader) throws(BinaryError) {
        let id = try reader.optional { (r: inout BinaryReader) throws(BinaryError) in try r.string() }
        let when: Expr? = try reader.optional()
        let kind: Kind
        switch try reader.choice(6) {
        case 0: kind = .ask(try reader.value())
        case 1: kind = .compute(fact: try reader.string(), value: try reader.value())
        case 2: kind = .outcome(try reader.value())
        case 3: kind = .say(try reader.value())
        case 4: kind = .goto(.dialog(try reader.string()))
        default: kind = .goto(.step(try reader.int()))
        }
        self.init(id: id, when: when, kind: kind, location: try reader.value())
    }
}

extension AppointmentFields: BinaryCodable {
    public func write(to writer: inout BinaryWriter) {
        writer.strings(applicant)
        writer.strings(preferences)
        writer.optional(question) { $0.string($1) }
        writer.optional(urgent) { $0.string($1) }
    }

    public init(from reader: inout BinaryReader) throws(BinaryError) {
        self.init(
            applicant: try reader.strings(), preferences: try reader.strings(),
            question: try reader.optional { (r: inout BinaryReader) throws(BinaryError) in try r.string() },
            urgent: try reader.optional { (r: inout BinaryReader) throws(BinaryError) in try r.string() })
    }
}

extension Dialog: BinaryCodable {
    public func write(to writer: inout BinaryWriter) {
        writer.string(name)
        writer.bool(isStart)
        writer.optional(next) { $0.string($1) }
        writer.array(nodes)
        writer.value(location)
        writer.optional(appointment)
    }

    public init(from reader: inout BinaryReader) throws(BinaryError) {
        self.init(
            name: try reader.string(), isStart: try reader.bool(),
            next: try reader.optional { (r: inout BinaryReader) throws(BinaryError) in try r.string() },
            nodes: try reader.array(), location: try reader.value(), appointment: try reader.optional())
    }
}

extension DialogSet: BinaryCodable {
    public func write(to writer: inout BinaryWriter) {
        writer.array(dialogs)
        writer.int(start)
        writer.dictionary(factTypes, { $0.string($1) }, { $0.value($1) })
        for role in [roles.language, roles.consent, roles.topic] { writer.optional(role) { $0.string($1) } }
        writer.string(timeZone)
    }

    public init(from reader: inout BinaryReader) throws(BinaryError) {
        let dialogs: [Dialog] = try reader.array()
        let start = try reader.int()
        guard dialogs.indices.contains(start) else { throw reader.fail("the start dialog is not among the dialogs") }
        let factTypes = try reader.dictionary(
            { (r: inout BinaryReader) throws(BinaryError) in try r.string() },
            { (r: inout BinaryReader) throws(BinaryError) in try r.value(ValueType.self) })
        func role(_ r: inout BinaryReader) throws(BinaryError) -> String? {
            try r.optional { (r: inout BinaryReader) throws(BinaryError) in try r.string() }
        }
        let roles = FactRoles(language: try role(&reader), consent: try role(&reader), topic: try role(&reader))
        self.init(dialogs: dialogs, start: start, factTypes: factTypes, roles: roles, timeZone: try reader.string())
    }
}

extension Diagnostic: BinaryCodable {
    public func write(to writer: inout BinaryWriter) {
        writer.bool(severity == .error)
        writer.value(location)
        writer.string(message)
        writer.string(id)
    }

    public init(from reader: inout BinaryReader) throws(BinaryError) {
        severity = try reader.bool() ? .error : .warning
        location = try reader.value()
        message = try reader.string()
        id = try reader.string()
    }
}
