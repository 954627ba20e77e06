/// A message parsed from its locale text: literal text, placeholders, plural and select branches.
///
/// The syntax is a small subset of ICU MessageFormat, which translators know:
/// `{name}`, `{n, plural, one {# day} few {…} many {…} other {# days}}`,
/// `{relation, select, spouse {…} other {…}}`, `{@other.key}`, and `'` to quote braces.
public struct MessageFormat: Hashable, Sendable {
    public indirect enum Part: Hashable, Sendable {
        case text(String)
        case placeholder(String)
        /// `#` inside a plural branch: the number, formatted.
        case number
        case plural(String, [String: [Part]])
        case select(String, [String: [Part]])
        case include(String)
    }

    public let parts: [Part]

    public init(parts: [Part]) {
        self.parts = parts
    }

    /// The named placeholders, in order of first appearance (plural and select names included).
    public var placeholders: [String] {
        var names: [String] = []
        func visit(_ parts: [Part]) {
            for part in parts {
                switch part {
                case .placeholder(let n): names.append(n)
                case .plural(let n, let branches), .select(let n, let branches):
                    names.append(n)
                    for key in branches.keys.sorted() { visit(branches[key]!) }
                case .text, .number, .include: break
                }
            }
        }
        visit(parts)
        var seen = Set<String>()
        return names.filter { seen.insert($0).inserted }
    }

    /// Every plural construct: its placeholder and the categories it writes.
    public var plurals: [(name: String, categories: Set<String>)] {
        var result: [(String, Set<String>)] = []
        func visit(_ parts: [Part]) {
            for part in parts {
                switch part {
                case .plural(let n, let branches):
                    result.append((n, Set(branches.keys)))
                    for b in branches.values { visit(b) }
                case .select(_, let branches):
                    for b in branches.values { visit(b) }
                default: break
                }
            }
        }
        visit(parts)
        return result
    }

    /// Other messages this one inserts.
    public var includes: [String] {
        var result: [String] = []
        func visit(_ parts: [Part]) {
            for part in parts {
                switch part {
                case .include(let k): result.append(k)
                case .plural(_, let branches), .select(_, let branches):
                    for key in branches.keys.sorted() { visit(branches[key]!) }
                default: break
                }
            }
        }
        visit(parts)
        return result
    }

    /// Parses a message; the error's offset counts Unicode scalars from the start of `text`.
    public static func parse(_ text: String) throws(MessageFormatError) -> MessageFormat {
        var parser = Parser(scalars: Array(text.unicodeScalars))
        let parts = try parser.parseParts(inPlural: false, nested: false)
        return MessageFormat(parts: parts)
    }

    /// The deepest nesting of plural and select placeholders accepted (real messages use two):
    /// parsing and writing a message recurse once per level.
    public static let maxDepth = 32

    private struct Parser {
        let scalars: [Unicode.Scalar]
        var i = 0
        var nesting = 0

        var atEnd: Bool { i >= scalars.count }

        mutating func parseParts(inPlural: Bool, nested: Bool) throws(MessageFormatError) -> [Part] {
            var parts: [Part] = []
            var literal = String.UnicodeScalarView()
            func flush() {
                if !literal.isEmpty {
                    parts.append(.text(String(literal)))
                    literal = String.UnicodeScalarView()
                }
            }
            while !atEnd {
                let c = scalars[i]
                switch c {
                case "'":
                    // ICU: an apostrophe quotes only before a brace, '#' or another apostrophe.
                    if i + 1 < scalars.count, scalars[i + 1] == "'" {
                        literal.append("'")
                        i += 2
                    } else if i + 1 < scalars.count, ["{", "}", "#"].contains(scalars[i + 1]) {
                        i += 1
                        while !atEnd, scalars[i] != "'" {
                            literal.append(scalars[i])
                            i += 1
                        }
                        i += 1
                    } else {
                        literal.append(c)
                        i += 1
                    }
                case "{":
                    flush()
                    parts.append(try parseArgument())
                case "}":
                    guard nested else { throw MessageFormatError("unmatched '}'", at: i) }
                    flush()
                    return parts
                case "#" where inPlural:
                    flush()
                    parts.append(.number)
                    i += 1
                default:
                    literal.append(c)
                    i += 1
                }
            }
            if nested { throw MessageFormatError("a branch is not closed with '}'", at: scalars.count) }
            flush()
            return parts
        }

        mutating func skipSpaces() {
            while !atEnd, scalars[i].properties.isWhitespace { i += 1 }
        }

        mutating func word() -> String {
            var w = String.UnicodeScalarView()
            while !atEnd,
                scalars[i].properties.isAlphabetic || ("0"..."9").contains(scalars[i])
                    || ["_", ".", "@", "="].contains(scalars[i])
            {
                w.append(scalars[i])
                i += 1
            }
            return String(w)
        }

        mutating func parseArgument() throws(MessageFormatError) -> Part {
            let start = i
            i += 1  // {
            skipSpaces()
            let name = word()
            guard !name.isEmpty else { throw MessageFormatError("expected a placeholder name after '{'", at: start) }
            skipSpaces()
            if !atEnd, scalars[i] == "}" {
                i += 1
                if name.hasPrefix("@") { return .include(String(name.dropFirst())) }
                return .placeholder(name)
            }
            guard !atEnd, scalars[i] == "," else {
                throw MessageFormatError("expected '}' or ', plural' / ', select' after '{\(name)'", at: i)
            }
            i += 1
            skipSpaces()
            let kindStart = i
            let kind = word()
            guard kind == "plural" || kind == "select" else {
                throw MessageFormatError(
                    "unknown placeholder kind '\(kind)' (expected plural or select)", at: kindStart)
            }
            skipSpaces()
            guard !atEnd, scalars[i] == "," else { throw MessageFormatError("expected ',' after '\(kind)'", at: i) }
            i += 1
            nesting += 1
            defer { nesting -= 1 }
            guard nesting <= MessageFormat.maxDepth else {
                throw MessageFormatError(
                    "placeholders are nested too deeply (more than \(MessageFormat.maxDepth) levels)", at: start)
            }
            var branches: [String: [Part]] = [:]
            while true {
                skipSpaces()
                guard !atEnd else { throw MessageFormatError("'{\(name), \(kind)' is not closed with '}'", at: start) }
                if scalars[i] == "}" {
                    i += 1
                    break
                }
                let keyStart = i
                let key = word()
                guard !key.isEmpty else { throw MessageFormatError("expected a branch name (e.g. one, other)", at: i) }
                skipSpaces()
                guard !atEnd, scalars[i] == "{" else {
                    throw MessageFormatError("expected '{' after the branch '\(key)'", at: i)
                }
                i += 1
                guard branches[key] == nil else {
                    throw MessageFormatError("the branch '\(key)' is written twice", at: keyStart)
                }
                branches[key] = try parseParts(inPlural: kind == "plural", nested: true)
                i += 1  // }
            }
            guard branches["other"] != nil else {
                throw MessageFormatError("'{\(name), \(kind)' needs an 'other' branch", at: start)
            }
            return kind == "plural" ? .plural(name, branches) : .select(name, branches)
        }
    }
}

public struct MessageFormatError: Error, Hashable, Sendable {
    public let message: String
    public let offset: Int

    public init(_ message: String, at offset: Int) {
        self.message = message
        self.offset = offset
    }
}
