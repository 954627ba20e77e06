import ConsultEngine
import ConsultLocalization
import Yams

/// `consult run --batch`: many profiles in one process, one JSON object of facts a line in, one
/// JSON result a line out, in the same order. The content is loaded once; each line is read by a
/// small JSON reader straight into the nodes `HeadlessRun` walks (no YAML parser per line), and
/// each result is written without an encoder object.
public struct HeadlessBatch {
    public let content: Content
    public let today: LocalDate
    /// The file's name, for the locations of problems.
    public let path: String

    /// How the lines went: the exit status of the batch is the worst (2 malformed, 3 missing, 0).
    public private(set) var completed = 0
    public private(set) var incomplete = 0
    public private(set) var malformed = 0

    public init(content: Content, today: LocalDate, path: String) {
        self.content = content
        self.today = today
        self.path = path
    }

    public var exitStatus: Int32 { malformed > 0 ? 2 : incomplete > 0 ? 3 : 0 }

    /// The result line for input line `number` (1-based), without its newline; nil for a blank line.
    public mutating func run(line bytes: ArraySlice<UInt8>, number: Int) -> String? {
        guard bytes.contains(where: { !JSONLine.isSpace($0) }) else { return nil }
        let root: Node
        do {
            root = try JSONLine.parse(bytes)
        } catch {
            malformed += 1
            return "{\"line\":\(number),\"error\":\(JSONLine.quoted("\(path):\(number): not a JSON object: \(error)"))}"
        }
        let file = YAMLFile(path: "\(path):\(number)", text: "", root: root)
        let result: HeadlessRun
        do {
            result = try HeadlessRun.run(content, facts: root, in: file, today: today, coverage: false)
        } catch {
            malformed += 1
            let fact = error.fact.map { ",\"fact\":\(JSONLine.quoted($0))" } ?? ""
            return "{\"line\":\(number),\"error\":\(JSONLine.quoted("\(path):\(number): \(error.message)"))\(fact)}"
        }
        if result.isComplete { completed += 1 } else { incomplete += 1 }
        var out = "{\"line\":\(number),\"outcomes\":["
        out += (result.isComplete ? result.outcomes.map { JSONLine.quoted($0.id) } : []).joined(separator: ",")
        out += "],\"facts\":"
        JSONLine.write(.object(result.facts.mapValues(\.untyped)), to: &out)
        out += ",\"missing\":[" + result.missing.map(JSONLine.quoted).joined(separator: ",") + "]"
        if !result.unknown.isEmpty {
            out += ",\"unknown\":[" + result.unknown.map(JSONLine.quoted).joined(separator: ",") + "]"
        }
        if !result.computed.isEmpty {
            out += ",\"computed\":[" + result.computed.map(JSONLine.quoted).joined(separator: ",") + "]"
        }
        return out + "}"
    }
}

/// One line of JSON read into YAML nodes (scalars as their text: `true`, `42`, `"2027-03-31"`),
/// and values written back as compact JSON with sorted keys.
enum JSONLine {
    struct Malformed: Error, CustomStringConvertible {
        let description: String
    }

    /// One tag for every node: `Tag.implicit` builds a new tag, with its resolver and constructor
    /// tables, at each use (most of the reading time). Nodes only read it.
    nonisolated(unsafe) static let tag = Tag(.implicit)

    static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }

    static func parse(_ bytes: ArraySlice<UInt8>) throws(Malformed) -> Node {
        var reader = Reader(bytes: bytes, index: bytes.startIndex)
        let value = try reader.value(depth: 0)
        reader.skipSpace()
        guard reader.index == bytes.endIndex else { throw reader.fail("more after the object") }
        guard case .mapping = value else { throw Malformed(description: "a line holds one object of facts") }
        return value
    }

    struct Reader {
        let bytes: ArraySlice<UInt8>
        var index: Int

        func fail(_ what: String) -> Malformed {
            Malformed(description: "\(what) at column \(index - bytes.startIndex + 1)")
        }

        mutating func skipSpace() {
            while index < bytes.endIndex, JSONLine.isSpace(bytes[index]) { index += 1 }
        }

        mutating func expect(_ byte: UInt8) throws(Malformed) {
            skipSpace()
            guard index < bytes.endIndex, bytes[index] == byte else {
                throw fail("expected '\(Character(Unicode.Scalar(byte)))'")
            }
            index += 1
        }

        mutating func value(depth: Int) throws(Malformed) -> Node {
            guard depth < 16 else { throw fail("nested too deep") }
            skipSpace()
            guard index < bytes.endIndex else { throw fail("a value expected") }
            switch bytes[index] {
            case UInt8(ascii: "{"):
                index += 1
                var pairs: [(Node, Node)] = []
                skipSpace()
                if index < bytes.endIndex, bytes[index] == UInt8(ascii: "}") {
                    index += 1
                    return .mapping(Node.Mapping(pairs, JSONLine.tag))
                }
                while true {
                    skipSpace()
                    let key = try string()
                    try expect(UInt8(ascii: ":"))
                    pairs.append((.scalar(Node.Scalar(key, JSONLine.tag)), try value(depth: depth + 1)))
                    skipSpace()
                    guard index < bytes.endIndex else { throw fail("'}' expected") }
                    index += 1
                    if bytes[index - 1] == UInt8(ascii: "}") { return .mapping(Node.Mapping(pairs, JSONLine.tag)) }
                    guard bytes[index - 1] == UInt8(ascii: ",") else {
                        index -= 1
                        throw fail("',' or '}' expected")
                    }
                }
            case UInt8(ascii: "["):
                index += 1
                var items: [Node] = []
                skipSpace()
                if index < bytes.endIndex, bytes[index] == UInt8(ascii: "]") {
                    index += 1
                    return .sequence(Node.Sequence(items, JSONLine.tag))
                }
                while true {
                    items.append(try value(depth: depth + 1))
                    skipSpace()
                    guard index < bytes.endIndex else { throw fail("']' expected") }
                    index += 1
                    if bytes[index - 1] == UInt8(ascii: "]") { return .sequence(Node.Sequence(items, JSONLine.tag)) }
                    guard bytes[index - 1] == UInt8(ascii: ",") else {
                        index -= 1
                        throw fail("',' or ']' expected")
                    }
                }
            case UInt8(ascii: "\""):
                return .scalar(Node.Scalar(try string(), JSONLine.tag))
            default:
                // true, false, null or a number: kept as written (null as nothing).
                let start = index
                while index < bytes.endIndex, !JSONLine.isSpace(bytes[index]),
                    ![UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]")].contains(bytes[index])
                {
                    index += 1
                }
                let word = String(decoding: bytes[start..<index], as: UTF8.self)
                guard word == "true" || word == "false" || word == "null" || Double(word) != nil else {
                    index = start
                    throw fail("a value expected")
                }
                return .scalar(Node.Scalar(word == "null" ? "" : word, JSONLine.tag))
            }
        }

        mutating func string() throws(Malformed) -> String {
            guard index < bytes.endIndex, bytes[index] == UInt8(ascii: "\"") else { throw fail("a string expected") }
            index += 1
            let start = index
            // The common case: no escapes.
            while index < bytes.endIndex, bytes[index] != UInt8(ascii: "\""), bytes[index] != UInt8(ascii: "\\") {
                guard bytes[index] >= 0x20 else { throw fail("a control character in a string") }
                index += 1
            }
            guard index < bytes.endIndex else { throw fail("an unterminated string") }
            if bytes[index] == UInt8(ascii: "\"") {
                index += 1
                return String(decoding: bytes[start..<(index - 1)], as: UTF8.self)
            }
            var scalars = String.UnicodeScalarView()
            scalars.append(contentsOf: String(decoding: bytes[start..<index], as: UTF8.self).unicodeScalars)
            var raw: [UInt8] = []
            func flush() {
                scalars.append(contentsOf: String(decoding: raw, as: UTF8.self).unicodeScalars)
                raw.removeAll()
            }
            while true {
                guard index < bytes.endIndex else { throw fail("an unterminated string") }
                let byte = bytes[index]
                index += 1
                if byte == UInt8(ascii: "\"") { break }
                guard byte >= 0x20 else { throw fail("a control character in a string") }
                guard byte == UInt8(ascii: "\\") else {
                    raw.append(byte)
                    continue
                }
                flush()
                guard index < bytes.endIndex else { throw fail("an unterminated string") }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "\""): scalars.append("\"")
                case UInt8(ascii: "\\"): scalars.append("\\")
                case UInt8(ascii: "/"): scalars.append("/")
                case UInt8(ascii: "b"): scalars.append("\u{8}")
                case UInt8(ascii: "f"): scalars.append("\u{C}")
                case UInt8(ascii: "n"): scalars.append("\n")
                case UInt8(ascii: "r"): scalars.append("\r")
                case UInt8(ascii: "t"): scalars.append("\t")
                case UInt8(ascii: "u"):
                    var code = try hex4()
                    if (0xD800..<0xDC00).contains(code) {
                        guard index + 1 < bytes.endIndex, bytes[index] == UInt8(ascii: "\\"),
                            bytes[index + 1] == UInt8(ascii: "u")
                        else {
                            throw fail("a lone surrogate")
                        }
                        index += 2
                        let low = try hex4()
                        guard (0xDC00..<0xE000).contains(low) else { throw fail("a lone surrogate") }
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let scalar = Unicode.Scalar(code) else { throw fail("a lone surrogate") }
                    scalars.append(scalar)
                default:
                    throw fail("an unknown escape")
                }
            }
            flush()
            return String(scalars)
        }

        mutating func hex4() throws(Malformed) -> UInt32 {
            guard index + 4 <= bytes.endIndex,
                let code = UInt32(String(decoding: bytes[index..<(index + 4)], as: UTF8.self), radix: 16)
            else {
                throw fail("four hex digits expected")
            }
            index += 4
            return code
        }
    }

    static func quoted(_ text: String) -> String {
        if !text.utf8.contains(where: {
            $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") || $0 >= 0x7F
        }) {
            return "\"" + text + "\""
        }
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case let s
            where s.value < 0x20 || s.value == 0x7F || (0x80..<0xA0).contains(s.value) || s.value == 0x2028
                || s.value == 0x2029:
                let hex = String(s.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    static func write(_ value: UntypedJSON, to out: inout String) {
        switch value {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let n): out += String(n)
        case .double(let d): out += d.isFinite ? "\(d)" : "null"
        case .string(let s): out += quoted(s)
        case .array(let items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                write(item, to: &out)
            }
            out += "]"
        case .object(let fields):
            out += "{"
            for (i, key) in fields.keys.sorted().enumerated() {
                if i > 0 { out += "," }
                out += quoted(key) + ":"
                write(fields[key]!, to: &out)
            }
            out += "}"
        }
    }
}
