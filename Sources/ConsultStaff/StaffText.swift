import ConsultEngine
import ConsultRecords

/// Makes text from a file safe to print on a terminal: control characters become visible escapes.
public enum SafeText {
    /// `s` with every C0 control (newline → `\n`, tab → `\t`, ESC → `\e`, others `\u{7}`), DEL, every C1
    /// control (CSI → `\u{9b}`), the bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069)
    /// and the line and paragraph separators written as escapes. A backslash is doubled, so that an
    /// escape can be told from the same characters typed.
    public static func escape(_ s: String) -> String {
        escape(s, keepingNewlines: false)
    }

    /// As `escape(_:)`, but newlines are kept (for multi-line text the program itself showed).
    public static func escape(_ s: String, keepingNewlines: Bool) -> String {
        guard s.unicodeScalars.contains(where: { isUnsafe($0) || $0 == "\\" }) else { return s }
        var out = ""
        out.unicodeScalars.reserveCapacity(s.unicodeScalars.count)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\n": out += keepingNewlines ? "\n" : "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            case "\u{1B}": out += "\\e"
            default:
                if isUnsafe(scalar) {
                    out += "\\u{" + String(scalar.value, radix: 16) + "}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    /// True for the characters that must never reach a terminal raw.
    public static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F: return true
        case 0x202A...0x202E, 0x2066...0x2069: return true
        case 0x2028, 0x2029: return true
        default: return false
        }
    }

    /// JSON text with the characters a JSON writer leaves raw (DEL, C1 controls, bidi overrides)
    /// written as `\uXXXX` escapes: the same JSON value, safe on a terminal.
    public static func escapeJSON(_ json: String) -> String {
        // C0 controls are escaped by the writer inside strings; outside them they are white space.
        func raw(_ scalar: Unicode.Scalar) -> Bool { scalar.value >= 0x20 && isUnsafe(scalar) }
        guard json.unicodeScalars.contains(where: raw) else { return json }
        var out = ""
        for scalar in json.unicodeScalars {
            if raw(scalar) {
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}

/// Plain text for a terminal, or Markdown: headings, labelled fields, items and timed entries.
/// Every string given to it is already escaped; Markdown's own characters are escaped here.
struct Document {
    let markdown: Bool
    private var lines: [String] = []

    init(markdown: Bool) {
        self.markdown = markdown
    }

    var text: String { lines.joined(separator: "\n") + "\n" }

    private func md(_ s: String) -> String {
        guard markdown else { return s }
        var out = ""
        for c in s {
            if "\\`*_[]<>#|~&".contains(c) { out.append("\\") }
            out.append(c)
        }
        return out
    }

    /// Continuation lines of a multi-line text, indented under the first (blank lines stay empty).
    private func indent(_ s: String, by prefix: String) -> String {
        s.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
            .map { $0.offset == 0 || $0.element.isEmpty ? String($0.element) : prefix + $0.element }.joined(
                separator: "\n")
    }

    mutating func title(_ s: String) {
        lines.append(markdown ? "# " + md(s) : s)
        if !markdown { lines.append(String(repeating: "=", count: s.count)) }
        lines.append("")
    }

    mutating func field(_ label: String, _ value: String) {
        lines.append(markdown ? "- **\(md(label)):** \(md(value))" : "\(label): \(value)")
    }

    mutating func section(_ s: String) {
        lines.append("")
        lines.append(markdown ? "## " + md(s) : s)
        if !markdown { lines.append(String(repeating: "-", count: s.count)) }
        if markdown { lines.append("") }
    }

    mutating func note(_ s: String) {
        lines.append(markdown ? "_\(md(s))_" : "(\(s))")
        if markdown { lines.append("") }
    }

    mutating func item(_ s: String) {
        lines.append(markdown ? "- " + indent(md(s), by: "  ") : "  " + indent(s, by: "    "))
    }

    mutating func item(labelled label: String, _ value: String) {
        lines.append(
            markdown ? "- **\(md(label)):** " + indent(md(value), by: "  ") : "  \(label): " + indent(value, by: "    ")
        )
    }

    mutating func entry(time: String, label: String, text: String) {
        if markdown {
            lines.append(
                "- `\(time.replacingOccurrences(of: "`", with: "'"))` **\(md(label)):** " + indent(md(text), by: "  "))
        } else {
            lines.append("  \(time)  \(label): " + indent(text, by: "            "))
        }
    }
}
