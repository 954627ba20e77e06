import ConsultEngine

/// Catalogs as data, for the content cache (`ConsultContent`'s `ContentCache`): everything a
/// loaded catalog holds except its formatters, which are made again from `formattingLocale`.
/// Dictionaries are written as pairs sorted by key, so that the same catalog is the same bytes.
extension Catalog: Equatable, Codable {
    private enum CodingKeys: String, CodingKey {
        case language, name, formattingLocale, plurals, yesWords, noWords, list, commands, messages, locations, file,
            texts, sources
    }

    /// Equal when everything loaded from the file is (the formatters follow from `formattingLocale`).
    public static func == (a: Catalog, b: Catalog) -> Bool {
        a.language == b.language && a.name == b.name && a.formattingLocale == b.formattingLocale
            && a.plurals == b.plurals && a.yesWords == b.yesWords && a.noWords == b.noWords && a.list == b.list
            && a.commands == b.commands && a.messages == b.messages && a.locations == b.locations && a.file == b.file
            && a.texts == b.texts && a.sources == b.sources
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let language = try c.decode(String.self, forKey: .language)
        let name = try c.decode(String.self, forKey: .name)
        let formattingLocale = try c.decode(String.self, forKey: .formattingLocale)
        let plurals = try c.decode(PluralRules.self, forKey: .plurals)
        let yesWords = try c.decode([String].self, forKey: .yesWords)
        let noWords = try c.decode([String].self, forKey: .noWords)
        let list = try c.decode(ListPatterns.self, forKey: .list)
        let commands = try Self.decodePairs(String.self, [String].self, c, .commands) { $0 }
        let messages = try Self.decodePairs(String.self, MessageFormat.self, c, .messages) { MessageKey($0) }
        let locations = try Self.decodePairs(String.self, SourceLocation.self, c, .locations) { MessageKey($0) }
        let file = try c.decode(String.self, forKey: .file)
        let texts = try Self.decodePairs(String.self, String.self, c, .texts) { MessageKey($0) }
        let sources = try Self.decodePairs(String.self, TranslationSource.self, c, .sources) { MessageKey($0) }
        self.init(
            language: language, name: name, formattingLocale: formattingLocale, plurals: plurals, yesWords: yesWords,
            noWords: noWords, list: list, commands: commands, messages: messages, locations: locations, file: file,
            texts: texts, sources: sources)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(language, forKey: .language)
        try c.encode(name, forKey: .name)
        try c.encode(formattingLocale, forKey: .formattingLocale)
        try c.encode(plurals, forKey: .plurals)
        try c.encode(yesWords, forKey: .yesWords)
        try c.encode(noWords, forKey: .noWords)
        try c.encode(list, forKey: .list)
        try Self.encodePairs(commands, &c, .commands) { $0 }
        try Self.encodePairs(messages, &c, .messages, \.rawValue)
        try Self.encodePairs(locations, &c, .locations, \.rawValue)
        try c.encode(file, forKey: .file)
        try Self.encodePairs(texts, &c, .texts, \.rawValue)
        try Self.encodePairs(sources, &c, .sources, \.rawValue)
    }

    /// A dictionary as a list alternating key and value, sorted by key.
    private static func encodePairs<K, V: Encodable>(
        _ dictionary: [K: V], _ container: inout KeyedEncodingContainer<CodingKeys>, _ key: CodingKeys,
        _ text: (K) -> String
    ) throws {
        var pairs = container.nestedUnkeyedContainer(forKey: key)
        for (k, v) in dictionary.map({ (text($0.key), $0.value) }).sorted(by: { $0.0 < $1.0 }) {
            try pairs.encode(k)
            try pairs.encode(v)
        }
    }

    private static func decodePairs<S: Decodable, V: Decodable, K: Hashable>(
        _: S.Type, _: V.Type, _ container: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys,
        _ make: (S) -> K
    ) throws -> [K: V] {
        var pairs = try container.nestedUnkeyedContainer(forKey: key)
        var result: [K: V] = [:]
        result.reserveCapacity((pairs.count ?? 0) / 2)
        while !pairs.isAtEnd {
            let k = make(try pairs.decode(S.self))
            result[k] = try pairs.decode(V.self)
        }
        return result
    }
}

extension PluralRules: Codable {
    private enum CodingKeys: String, CodingKey { case rules }

    public init(from decoder: any Decoder) throws {
        self.init(rules: try decoder.container(keyedBy: CodingKeys.self).decode([Rule].self, forKey: .rules))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(rules, forKey: .rules)
    }
}

extension PluralRules.Rule: Codable {
    private enum CodingKeys: String, CodingKey { case category, condition }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        category = try container.decode(String.self, forKey: .category)
        condition = try container.decode([[PluralRules.Relation]].self, forKey: .condition)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(category, forKey: .category)
        try container.encode(condition, forKey: .condition)
    }
}

extension PluralRules.Relation: Codable {
    private enum CodingKeys: String, CodingKey { case operand, modulus, negated, low, high }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let operand = try container.decode(String.self, forKey: .operand)
        guard operand.count == 1, let character = operand.first, "nivwfte".contains(character) else {
            throw DecodingError.dataCorruptedError(
                forKey: .operand, in: container, debugDescription: "'\(operand)' is not a plural operand")
        }
        let modulus = try container.decodeIfPresent(Int.self, forKey: .modulus)
        if let modulus, modulus <= 0 {
            throw DecodingError.dataCorruptedError(
                forKey: .modulus, in: container, debugDescription: "a modulus is positive")
        }
        let lows = try container.decode([Int].self, forKey: .low)
        let highs = try container.decode([Int].self, forKey: .high)
        guard lows.count == highs.count, zip(lows, highs).allSatisfy({ $0 <= $1 }) else {
            throw DecodingError.dataCorruptedError(
                forKey: .high, in: container, debugDescription: "a range's bounds are out of order")
        }
        self.init(
            operand: character, modulus: modulus, negated: try container.decode(Bool.self, forKey: .negated),
            ranges: zip(lows, highs).map { $0...$1 })
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(String(operand), forKey: .operand)
        try container.encodeIfPresent(modulus, forKey: .modulus)
        try container.encode(ranges.map(\.lowerBound), forKey: .low)
        try container.encode(ranges.map(\.upperBound), forKey: .high)
        try container.encode(negated, forKey: .negated)
    }
}

extension Localizer: Equatable, Codable {
    private enum CodingKeys: String, CodingKey { case catalogs, fallback }

    public static func == (a: Localizer, b: Localizer) -> Bool {
        a.fallback == b.fallback && a.catalogs == b.catalogs
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            catalogs: try container.decode([Catalog].self, forKey: .catalogs),
            fallback: try container.decode(String.self, forKey: .fallback))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(languages.compactMap { catalogs[$0] }, forKey: .catalogs)
        try container.encode(fallback, forKey: .fallback)
    }
}
