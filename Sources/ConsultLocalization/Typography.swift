import ConsultEngine
import Foundation
import Yams

/// Where a language wants a non-breaking space (U+00A0) instead of an ordinary one, so that a line
/// is never broken between an abbreviation and its word (a Russian street, "ul. Sretenka"), inside a phone number, or between a number and
/// what it counts. The words are the locale's own (`typography:` in the locale file); the phone
/// number rule holds in every language. Lint warns at the file, line and column of each space.
public struct Typography: Sendable, Equatable {
    /// Abbreviations that an ordinary space may not follow ("ul.", "d." in Russian; "str." in English).
    public var noBreakAfter: [String]
    /// Words that an ordinary space may not separate from the number before them ("30 days", "30 dney",
    /// and the `#` of a plural form).
    public var noBreakBefore: [String]

    public init(noBreakAfter: [String] = [], noBreakBefore: [String] = []) {
        self.noBreakAfter = noBreakAfter
        self.noBreakBefore = noBreakBefore
    }

    /// One character of a message as written in the file, with its place. A space that the YAML
    /// makes of a line break is a breakable space at the end of its line; `\u00A0` in double quotes
    /// is one non-breaking space.
    struct Character {
        let scalar: Unicode.Scalar
        let line: Int
        let column: Int
    }

    /// The warnings for one message's text (its characters as written in the file).
    func check(_ characters: [Character], key: String, file: String) -> [Diagnostic] {
        var found: [Diagnostic] = []
        let scalars = characters.map(\.scalar)
        func isLetter(_ s: Unicode.Scalar) -> Bool { s.properties.isAlphabetic }
        func matches(_ word: [Unicode.Scalar], at i: Int) -> Bool {
            i >= 0 && i + word.count <= scalars.count && Array(scalars[i..<(i + word.count)]) == word
        }
        func warn(_ space: Int, _ place: LocaleProblem.NoBreakPlace) {
            let c = characters[space]
            found.append(
                Diagnostic(
                    SourceLocation(file: file, line: c.line, column: c.column),
                    LocaleProblem.noBreak(key: key, place: place)))
        }
        for (i, scalar) in scalars.enumerated() where scalar == " " {
            // An abbreviation, as a whole word, right before the space.
            if let abbreviation = noBreakAfter.first(where: { word in
                let w = Array(word.unicodeScalars)
                let start = i - w.count
                return matches(w, at: start) && (start == 0 || !isLetter(scalars[start - 1]))
            }) {
                warn(i, .after(abbreviation))
                continue
            }
            // A number (or the # of a plural form), the space, then a word it counts.
            if i > 0, scalars[i - 1] == "#" || scalars[i - 1].properties.numericType != nil,
                let word = noBreakBefore.first(where: { word in
                    let w = Array(word.unicodeScalars)
                    return matches(w, at: i + 1)
                        && (i + 1 + w.count == scalars.count || !isLetter(scalars[i + 1 + w.count]))
                })
            {
                warn(i, .numberBefore(word))
                continue
            }
        }
        // A phone number written +7 495 …: digits, spaces, hyphens and brackets after a plus.
        var i = 0
        while i < scalars.count {
            guard scalars[i] == "+", i + 1 < scalars.count, scalars[i + 1].properties.numericType != nil else {
                i += 1
                continue
            }
            var j = i + 1
            var lastDigit = j
            while j < scalars.count,
                scalars[j].properties.numericType != nil || ["-", "(", ")", " ", "\u{00A0}"].contains(scalars[j])
            {
                if scalars[j].properties.numericType != nil { lastDigit = j }
                j += 1
            }
            if let space = (i...lastDigit).first(where: { scalars[$0] == " " }) {
                warn(space, .phoneNumber)
            }
            i = lastDigit + 1
        }
        return found
    }

    /// The characters of a scalar node's text as written in `file`, from the node's start to
    /// `end` (the start of the next entry): quotes, escapes and line breaks resolved as YAML does
    /// for spaces, everything else as written.
    /// `lines`: the file's lines as Unicode scalars (split once per file by the caller).
    static func characters(of node: Node, until end: Mark?, lines: [[Unicode.Scalar]]) -> [Character] {
        guard let mark = node.mark, case .scalar(let scalar) = node else { return [] }
        let doubleQuoted = scalar.style == .doubleQuoted
        let quoted = doubleQuoted || scalar.style == .singleQuoted
        var result: [Character] = []
        var line = mark.line - 1
        var column = mark.column - 1 + (quoted ? 1 : 0)
        let block = scalar.style == .literal || scalar.style == .folded
        if block {
            line += 1
            column = 0
        }  // the text starts below the > or |
        let lastLine = min(lines.count - 1, (end?.line ?? lines.count + 1) - 1)
        var blockIndentation: Int?
        while line <= lastLine {
            let text = lines[line]
            // The next entry's line (its key is what ends this value).
            if let end, line == end.line - 1, line != mark.line - 1 { break }
            var c = column
            if c == 0 {
                while c < text.count, text[c] == " " { c += 1 }  // indentation
                if c == text.count {
                    line += 1
                    continue
                }  // a blank line
                if block {
                    if let indentation = blockIndentation, c < indentation { break }  // the block has ended
                    blockIndentation = blockIndentation ?? c
                } else if text[c] == "#" {
                    line += 1
                    continue  // a comment line between entries
                }
            }
            while c < text.count {
                let s = text[c]
                if quoted && c > 0 && s == (doubleQuoted ? "\"" : "'") && !(doubleQuoted && text[c - 1] == "\\") {
                    if !doubleQuoted, c + 1 < text.count, text[c + 1] == "'" {
                        result.append(Character(scalar: "'", line: line + 1, column: c + 1))
                        c += 2
                        continue
                    }
                    return result  // the closing quote
                }
                if doubleQuoted && s == "\\" && c + 1 < text.count {
                    let escape = text[c + 1]
                    let width = escape == "u" ? 6 : escape == "U" ? 10 : escape == "x" ? 4 : 2
                    let hex = String(
                        String.UnicodeScalarView(text[min(c + 2, text.count)..<min(c + width, text.count)]))
                    let decoded: Unicode.Scalar =
                        width > 2
                        ? (UInt32(hex, radix: 16).flatMap(Unicode.Scalar.init) ?? "?")
                        : escape == "_" ? "\u{00A0}" : escape == "n" ? "\n" : escape
                    result.append(Character(scalar: decoded, line: line + 1, column: c + 1))
                    c += width
                    continue
                }
                if !quoted && !block && s == "#" && c > 0 && text[c - 1] == " " { break }  // a comment
                result.append(Character(scalar: s, line: line + 1, column: c + 1))
                c += 1
            }
            // The line break: a space where YAML folds the lines (kept as such in a literal block).
            result.append(Character(scalar: " ", line: line + 1, column: text.count + 1))
            line += 1
            column = 0
        }
        return result
    }
}
