import ConsultEngine

/// Catalogs in the binary form of `ConsultEngine`'s `BinaryCoding.swift`: everything a loaded
/// catalog holds except its formatters, which are made again (at first use) from `formattingLocale`.

extension MessageFormat: BinaryCodable {
    public func write(to writer: inout BinaryWriter) {
        writer.array(parts) { w, part in w.part(part) }
    }

    public init(from reader: inout BinaryReader) throws(BinaryError) {
        self.init(parts: try reader.parts())
    }
}

extension BinaryWriter {
    fileprivate mutating func part(_ part: MessageFormat.Part) {
        switch part {
        case .text(let s):
            int(0)
            string(s)
        case .placeholder(let name):
            int(1)
            string(name)
        case .number:
            int(2)
        case .plural(let name, let branches), .select(let name, let branches):
            if case .plural = part { int(3) } else { int(4) }
            string(name)
            dictionary(branches, { $0.string($1) }, { w, parts in w.array(parts) { $0.part($1) } })
        case .include(let key):
            int(5)
            string(key)
        }
    }
}

extension BinaryReader {
    fileprivate mutating func parts() throws(BinaryError) -> [MessageFormat.Part] {
        try array { (r: inout BinaryReader) throws(BinaryError) in try r.part() }
    }

    fileprivate mutating func part() throws(BinaryError) -> MessageFormat.Part {
        switch try choice(6) {
        case 0: return .text(try string())
        case 1: return .placeholder(try string())
        case 2: return .number
        case let kind where kind == 3 || kind == 4:
            let name = try string()
            let branches = try nested { (r: inout BinaryReader) throws(BinaryError) in
                try r.dictionary(
                    { (r: inout BinaryReader) throws(BinaryError) in try r.string() },
                    { (r: inout BinaryReader) throws(BinaryError) in try r.parts() })
            }
            return kind == 3 ? .plural(name, branches) : .select(name, branches)
        default: return .include(try string())
        }
    }
}

extension PluralRules: BinaryCodable {
    public func write(to writer: inout BinaryWriter) {
        writer.array(rules) { w, rule in
            w.string(rule.category)
            w.array(rule.condition) { w, ands in
                w.array(ands) { w, relation in
                    w.string(String(relation.operand))
                    w.optional(relation.modulus) { $0.int($1) }
                    w.bool(relation.negated)
                    w.array(relation.ranges) { w, range in
                        w.int(range.lowerBound)
                        w.int(range.upperBound)
                    }
                }
            }
        }
    }

    public init(from reader: inout BinaryReader) throws(BinaryError) {
        let rules = try reader.array { (r: inout BinaryReader) throws(BinaryError) -> Rule in
            let category = try r.string()
            let condition = try r.array { (r: inout BinaryReader) throws(BinaryError) -> [Relation] in
                try r.array { (r: inout BinaryReader) throws(BinaryError) -> Relation in
                    let operand = try r.string()
                    guard operand.count == 1, let character = operand.first, "nivwfte".contains(character) else {
                        throw r.fail("not a plural operand")
                    }
                    let modulus = try r.optional { (r: inout BinaryReader) throws(BinaryError) in try r.int() }
                    guard (modulus ?? 1) > 0 else { throw r.fail("a modulus that is not positive") }
                    let negated = try r.bool()
                    let ranges = try r.array { (r: inout BinaryReader) throws(BinaryError) -> ClosedRange<Int> in
                        let low = try r.int()
                        let high = try r.int()
                        guard low <= high else { throw r.fail("a range's bounds out of order") }
                        return low...high
                    }
                    return Relation(operand: character, modulus: modulus, negated: negated, ranges: ranges)
                }
            }
            return Rule(category: category, condition: condition)
        }
        self.init(rules: rules)
    }
}

extension TranslationSource: BinaryCodable {
    public func write(to writer: inout BinaryWriter) {
        writer.string(hash)
        writer.string(english)
        writer.value(location)
    }

    public init(from reader: inout BinaryReader) throws(BinaryError) {
        self.init(hash: try reader.string(), english: try reader.string(), location: try reader.value())
    }
}

extension Catalog: BinaryCodable {
    public func write(to writer: inout BinaryWriter) {
        writer.string(language)
        writer.string(name)
        writer.string(formattingLocale)
        writer.value(plurals)
        writer.strings(yesWords)
        writer.strings(noWords)
        writer.string(list.pair)
        writer.string(list.middle)
        writer.string(list.last)
        writer.dictionary(commands, { $0.string($1) }, { $0.strings($1) })
        writer.dictionary(messages, { $0.value($1) }, { $0.value($1) })
        writer.dictionary(locations, { $0.value($1) }, { $0.value($1) })
        writer.string(file)
        writer.dictionary(texts, { $0.value($1) }, { $0.string($1) })
        writer.dictionary(sources, { $0.value($1) }, { $0.value($1) })
    }

    public init(from reader: inout BinaryReader) throws(BinaryError) {
        func key(_ r: inout BinaryReader) throws(BinaryError) -> MessageKey { try r.value() }
        let language = try reader.string()
        let name = try reader.string()
        let formattingLocale = try reader.string()
        let plurals: PluralRules = try reader.value()
        let yesWords = try reader.strings()
        let noWords = try reader.strings()
        let list = ListPatterns(pair: try reader.string(), middle: try reader.string(), last: try reader.string())
        let commands = try reader.dictionary(
            { (r: inout BinaryReader) throws(BinaryError) in try r.string() },
            { (r: inout BinaryReader) throws(BinaryError) in try r.strings() })
        let messages = try reader.dictionary(key) { (r: inout BinaryReader) throws(BinaryError) in
            try r.value(MessageFormat.self)
        }
        let locations = try reader.dictionary(key) { (r: inout BinaryReader) throws(BinaryError) in
            try r.value(SourceLocation.self)
        }
        let file = try reader.string()
        let texts = try reader.dictionary(key) { (r: inout BinaryReader) throws(BinaryError) in try r.string() }
        let sources = try reader.dictionary(key) { (r: inout BinaryReader) throws(BinaryError) in
            try r.value(TranslationSource.self)
        }
        self.init(
            language: language, name: name, formattingLocale: formattingLocale, plurals: plurals, yesWords: yesWords,
            noWords: noWords, list: list, commands: commands, messages: messages, locations: locations, file: file,
            texts: texts, sources: sources)
    }
}

extension Localizer: BinaryCodable {
    public func write(to writer: inout BinaryWriter) {
        writer.array(languages.compactMap { catalogs[$0] })
        writer.string(fallback)
    }

    public init(from reader: inout BinaryReader) throws(BinaryError) {
        self.init(catalogs: try reader.array(), fallback: try reader.string())
    }
}
