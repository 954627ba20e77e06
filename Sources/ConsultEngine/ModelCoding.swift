/// The model as data: what the content cache (`ConsultContent`'s `ContentCache`) writes of a
/// checked `DialogSet` and reads back instead of parsing and checking the YAML again. Most types
/// are coded as Swift synthesizes it; the ones here keep out what is derived (an expression's
/// depth, a set's indexes) and rebuild it through their initializers, so that a decoded value is
/// the value the loader built.

extension MessageKey: Codable {
    public init(from decoder: any Decoder) throws {
        self.init(try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

extension Expr: Codable {
    private enum CodingKeys: String, CodingKey { case kind, offset, length }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let kind = try container.decode(Kind.self, forKey: .kind)
        self.init(
            kind, offset: try container.decode(Int.self, forKey: .offset),
            length: try container.decode(Int.self, forKey: .length))
        guard depth <= ExpressionParser.maxDepth else {
            throw DecodingError.dataCorruptedError(
                forKey: .kind, in: container, debugDescription: "an expression deeper than the parser allows")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(kind, forKey: .kind)
        try container.encode(offset, forKey: .offset)
        try container.encode(length, forKey: .length)
    }
}

extension Group: Equatable, Codable {
    private enum CodingKeys: String, CodingKey { case fields, more, item, derive, maxItems, recordType }
    private enum DeriveKeys: String, CodingKey { case name, value }

    public static func == (a: Group, b: Group) -> Bool {
        a.fields == b.fields && a.more == b.more && a.item == b.item && a.maxItems == b.maxItems
            && a.recordType == b.recordType && a.derive.elementsEqual(b.derive) { $0 == $1 }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let fields = try container.decode([Question].self, forKey: .fields)
        var deriveContainer = try container.nestedUnkeyedContainer(forKey: .derive)
        var derive: [(name: String, value: Expr)] = []
        while !deriveContainer.isAtEnd {
            let pair = try deriveContainer.nestedContainer(keyedBy: DeriveKeys.self)
            derive.append((try pair.decode(String.self, forKey: .name), try pair.decode(Expr.self, forKey: .value)))
        }
        let recordType = try container.decode(RecordType.self, forKey: .recordType)
        // The derived fields' types are the record type's, after the asked fields.
        let deriveTypes = recordType.fields.filter(\.derived).map(\.type)
        self.init(
            fact: recordType.group, fields: fields, more: try container.decode(MessageKey.self, forKey: .more),
            item: try container.decode(MessageKey.self, forKey: .item), derive: derive,
            maxItems: try container.decode(Int.self, forKey: .maxItems), deriveTypes: deriveTypes)
        guard self.recordType == recordType else {
            throw DecodingError.dataCorruptedError(
                forKey: .recordType, in: container, debugDescription: "a group's record type does not match its fields")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(fields, forKey: .fields)
        var deriveContainer = container.nestedUnkeyedContainer(forKey: .derive)
        for (name, value) in derive {
            var pair = deriveContainer.nestedContainer(keyedBy: DeriveKeys.self)
            try pair.encode(name, forKey: .name)
            try pair.encode(value, forKey: .value)
        }
        try container.encode(recordType, forKey: .recordType)
        try container.encode(more, forKey: .more)
        try container.encode(item, forKey: .item)
        try container.encode(maxItems, forKey: .maxItems)
    }
}

extension DialogSet: Equatable, Codable {
    private enum CodingKeys: String, CodingKey { case dialogs, start, factTypes, roles, timeZone }

    /// Equal when the public parts are: the indexes are derived from them.
    public static func == (a: DialogSet, b: DialogSet) -> Bool {
        a.dialogs == b.dialogs && a.start == b.start && a.factTypes == b.factTypes && a.roles == b.roles
            && a.timeZone == b.timeZone
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let dialogs = try container.decode([Dialog].self, forKey: .dialogs)
        let start = try container.decode(Int.self, forKey: .start)
        guard dialogs.indices.contains(start) else {
            throw DecodingError.dataCorruptedError(
                forKey: .start, in: container, debugDescription: "the start dialog is not among the dialogs")
        }
        self.init(
            dialogs: dialogs, start: start,
            factTypes: try container.decode([String: ValueType].self, forKey: .factTypes),
            roles: try container.decode(FactRoles.self, forKey: .roles),
            timeZone: try container.decode(String.self, forKey: .timeZone))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(dialogs, forKey: .dialogs)
        try container.encode(start, forKey: .start)
        try container.encode(factTypes, forKey: .factTypes)
        try container.encode(roles, forKey: .roles)
        try container.encode(timeZone, forKey: .timeZone)
    }
}

extension DialogStep: Codable {
    private enum CodingKeys: String, CodingKey { case id, when, kind, location }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            id: try container.decodeIfPresent(String.self, forKey: .id),
            when: try container.decodeIfPresent(Expr.self, forKey: .when),
            kind: try container.decode(Kind.self, forKey: .kind),
            location: try container.decode(SourceLocation.self, forKey: .location))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(id, forKey: .id)
        try container.encodeIfPresent(when, forKey: .when)
        try container.encode(kind, forKey: .kind)
        try container.encode(location, forKey: .location)
    }
}

extension Diagnostic.Severity: Codable {}

extension Diagnostic: Codable {
    private enum CodingKeys: String, CodingKey { case severity, location, message, id }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        severity = try container.decode(Severity.self, forKey: .severity)
        location = try container.decode(SourceLocation.self, forKey: .location)
        message = try container.decode(String.self, forKey: .message)
        id = try container.decode(String.self, forKey: .id)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(severity, forKey: .severity)
        try container.encode(location, forKey: .location)
        try container.encode(message, forKey: .message)
        try container.encode(id, forKey: .id)
    }
}
