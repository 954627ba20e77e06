internal import CSignals
import ConsultConversation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where the session writes: wraps text to the terminal's width (read anew for every block, so a
/// resized window is followed), adds colour only on a terminal without `NO_COLOR`, and nothing but
/// plain lines in `--plain` mode (screen readers).
public final class Screen {
    public let color: Bool
    public let plain: Bool
    private let sink: (String) -> Void
    private let fixedWidth: Int?

    /// - Parameters:
    ///   - color: use ANSI colour and bold (the caller decides: a terminal, no `NO_COLOR`, not plain).
    ///   - width: a fixed width (tests); by default the terminal's, else 80.
    public init(color: Bool, plain: Bool, width: Int? = nil, sink: @escaping (String) -> Void = Screen.standardOutput) {
        self.color = color && !plain
        self.plain = plain
        self.fixedWidth = width
        self.sink = sink
    }

    /// Writes to standard output through the same C stream libedit uses, flushed.
    public static func standardOutput(_ text: String) {
        print(text, terminator: "")
        TerminalOutput.flush()
    }

    /// Whether colour is wanted: standard output is a terminal and `NO_COLOR` is not set.
    public static var colorWanted: Bool {
        isatty(1) == 1 && getenv("NO_COLOR") == nil && getenv("TERM").map { String(cString: $0) } != "dumb"
    }

    public var width: Int {
        if let fixedWidth { return fixedWidth }
        let columns = Int(TerminalOutput.columns(1))
        return columns > 0 ? columns : 80
    }

    public func write(_ text: String) {
        sink(text)
    }

    /// A block of text, wrapped, followed by a newline.
    public func show(_ text: String, style: TextStyle = .normal, indent: Int = 0) {
        let lines = TextLayout.wrap(text, width: max(20, width - 1), indent: indent)
        write(lines.map { styled($0, style) }.joined(separator: "\n") + "\n")
    }

    /// An empty line between blocks.
    public func gap() {
        write("\n")
    }

    /// A numbered list (choices): one item a line, continuation lines aligned after the number.
    public func numbered(_ items: [String]) {
        let digits = String(items.count).count
        for (i, item) in items.enumerated() {
            let number = String(i + 1)
            let label = String(repeating: " ", count: digits - number.count) + number + ". "
            let lines = TextLayout.wrap(item, width: max(20, width - 1 - 2 - label.count), indent: 0)
            let pad = String(repeating: " ", count: 2 + label.count)
            var out = "  " + styled(label, .hint) + (lines.first ?? "")
            for line in lines.dropFirst() { out += "\n" + pad + line }
            write(out + "\n")
        }
    }

    /// Clears the screen and the terminal's scrollback (kiosk: nothing of the previous applicant stays).
    public func clearAll() {
        write("\u{1B}[H\u{1B}[2J\u{1B}[3J")
    }

    public func styled(_ text: String, _ style: TextStyle) -> String {
        guard color, !text.isEmpty else { return text }
        let code: String
        switch style {
        case .normal: return text
        case .question: code = "1"
        case .hint: code = "2"
        case .problem: code = "33"
        case .heading: code = "1;36"
        case .note: code = "36"
        }
        return "\u{1B}[\(code)m\(text)\u{1B}[0m"
    }
}

/// Wrapping text to a width, by the characters' display width.
public enum TextLayout {
    /// Splits `text` into lines of at most `width` columns. Line breaks in the text are kept;
    /// a line starting with "- " or "• " continues under its text (hanging indent).
    public static func wrap(_ text: String, width: Int, indent: Int) -> [String] {
        let pad = String(repeating: " ", count: indent)
        var result: [String] = []
        for paragraph in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let bullet = paragraph.hasPrefix("- ") || paragraph.hasPrefix("• ")
            let hanging = pad + (bullet ? "  " : "")
            var line = pad
            var lineWidth = indent
            var first = true
            for word in units(paragraph) {
                let w = displayWidth(word)
                if !first && lineWidth + 1 + w > width {
                    result.append(line)
                    line = hanging
                    lineWidth = hanging.count
                    first = true
                }
                if !first {
                    line += " "
                    lineWidth += 1
                }
                line += word
                lineWidth += w
                first = false
            }
            result.append(line)
        }
        return result.map { $0.replacingOccurrences(of: glue, with: " ") }
    }

    private static let glue = "\u{F8FF}"

    /// Words to wrap, with a number kept on the line of the word after it ("31 March",
    /// "31 de marzo", "+7 495 972-30-11"), so that no date or phone number is split.
    static func units(_ paragraph: Substring) -> [String] {
        var units: [String] = []
        var pending: String?
        for word in paragraph.split(separator: " ", omittingEmptySubsequences: true) {
            let current = pending.map { $0 + glue + word } ?? String(word)
            let numeric =
                word.first.map { $0.isNumber || $0 == "+" } == true
                && word.allSatisfy { $0.isNumber || "+-.,:/".contains($0) }
            if numeric {
                pending = current
            } else {
                units.append(current)
                pending = nil
            }
        }
        if let pending { units.append(pending) }
        return units
    }

    /// Columns a string takes: wide (CJK) characters two, combining marks none.
    public static func displayWidth<S: StringProtocol>(_ s: S) -> Int {
        var total = 0
        for scalar in s.unicodeScalars {
            let v = scalar.value
            if scalar.properties.generalCategory == .nonspacingMark
                || scalar.properties.generalCategory == .enclosingMark || v == 0x200B
            {
                continue
            }
            if (0x1100...0x115F).contains(v) || (0x2E80...0xA4CF).contains(v) || (0xAC00...0xD7A3).contains(v)
                || (0xF900...0xFAFF).contains(v) || (0xFE30...0xFE4F).contains(v) || (0xFF00...0xFF60).contains(v)
                || (0x1F300...0x1FAFF).contains(v) || (0x20000...0x3FFFD).contains(v)
            {
                total += 2
            } else {
                total += 1
            }
        }
        return total
    }
}
