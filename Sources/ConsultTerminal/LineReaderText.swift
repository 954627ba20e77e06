/// Text handling behind the line readers that needs no terminal: prompt escapes, the Tab
/// completion decision, the candidate list layout. Pure functions, so they can be tested alone.
package enum LineReaderText {
    /// The character that brackets text libedit must print without counting its width
    /// (given to `EL_PROMPT_ESC`).
    package static let literalDelimiter: Unicode.Scalar = "\u{1}"

    private enum PromptPiece {
        case visible(Unicode.Scalar)
        case escapes([Unicode.Scalar])
    }

    /// Splits a prompt at its last newline: what comes before is printed as ordinary output, the
    /// last line is what libedit shows (and redraws after a completion list).
    package static func splitPrompt(_ prompt: String) -> (leadingLines: String?, lastLine: String) {
        guard let newline = prompt.lastIndex(where: { $0 == "\n" || $0 == "\r\n" }) else {
            return (nil, prompt)
        }
        return (String(prompt[...newline]), String(prompt[prompt.index(after: newline)...]))
    }

    /// The prompt as libedit wants it with `EL_PROMPT_ESC`: each run of ANSI escape sequences
    /// between ``literalDelimiter``s, other control characters dropped.
    ///
    /// libedit prints a literal run together with the visible character that follows it and drops
    /// a run that nothing visible follows. So a run at the very end (typically the colour reset
    /// after "> ") is moved in front of the last visible character: a trailing space then shows
    /// uncoloured, which looks the same.
    package static func editLinePrompt(_ prompt: String) -> [Unicode.Scalar] {
        var pieces = promptPieces(prompt)
        if case .escapes(let trailing) = pieces.last {
            pieces.removeLast()
            if let lastVisible = pieces.lastIndex(where: { if case .visible = $0 { true } else { false } }) {
                if lastVisible > 0, case .escapes(let before) = pieces[lastVisible - 1] {
                    pieces[lastVisible - 1] = .escapes(before + trailing)
                } else {
                    pieces.insert(.escapes(trailing), at: lastVisible)
                }
            }
        }
        var result: [Unicode.Scalar] = []
        for piece in pieces {
            switch piece {
            case .visible(let scalar):
                result.append(scalar)
            case .escapes(let scalars):
                result.append(literalDelimiter)
                result.append(contentsOf: scalars)
                result.append(literalDelimiter)
            }
        }
        return result
    }

    /// A line as typed, minus what could drive a terminal when it is shown again (escape
    /// sequences, other control characters, a CR left by CRLF input); tabs become spaces.
    package static func withoutControlCharacters(_ line: String) -> String {
        var scalars = String.UnicodeScalarView()
        for piece in promptPieces(line) {
            if case .visible(let scalar) = piece { scalars.append(scalar) }
        }
        return String(scalars)
    }

    /// The prompt without any escape sequence or control character (for output that is not a terminal).
    package static func plainPrompt(_ prompt: String) -> String {
        var scalars = String.UnicodeScalarView()
        for piece in promptPieces(prompt, keepingNewlines: true) {
            if case .visible(let scalar) = piece { scalars.append(scalar) }
        }
        return String(scalars)
    }

    private static func promptPieces(_ prompt: String, keepingNewlines: Bool = false) -> [PromptPiece] {
        let scalars = Array(prompt.unicodeScalars)
        var pieces: [PromptPiece] = []
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == "\u{1B}" {
                let end = endOfEscapeSequence(scalars, from: index)
                let sequence = Array(scalars[index..<end])
                if case .escapes(let previous) = pieces.last {
                    pieces[pieces.count - 1] = .escapes(previous + sequence)
                } else {
                    pieces.append(.escapes(sequence))
                }
                index = end
                continue
            }
            if keepingNewlines && scalar == "\n" {
                pieces.append(.visible(scalar))
            } else if scalar == "\t" {
                pieces.append(.visible(" "))
            } else if !(scalar.value < 0x20 || (0x7F..<0xA0).contains(scalar.value)) {
                pieces.append(.visible(scalar))
            }
            index += 1
        }
        return pieces
    }

    /// Index just past the escape sequence starting at `start` (which holds ESC): CSI up to its
    /// final byte, OSC / DCS / PM / APC up to BEL or ESC \, otherwise ESC and one character.
    private static func endOfEscapeSequence(_ scalars: [Unicode.Scalar], from start: Int) -> Int {
        var index = start + 1
        guard index < scalars.count else { return index }
        switch scalars[index] {
        case "[":
            index += 1
            while index < scalars.count {
                let value = scalars[index].value
                index += 1
                if (0x40...0x7E).contains(value) { break }
            }
            return index
        case "]", "P", "X", "^", "_":
            index += 1
            while index < scalars.count {
                if scalars[index] == "\u{7}" { return index + 1 }
                if scalars[index] == "\u{1B}", index + 1 < scalars.count, scalars[index + 1] == "\\" {
                    return index + 2
                }
                index += 1
            }
            return index
        default:
            return index + 1
        }
    }

    // MARK: - Completion

    /// What Tab does with the completion callback's candidates.
    package enum CompletionAction: Equatable {
        /// Nothing to offer: beep.
        case beep
        /// Replace the `wordLength` Unicode scalars before the cursor with `text`.
        case replace(wordLength: Int, text: String)
        /// Show these candidates below the line and redraw it.
        case list([String])
    }

    /// The word the cursor is at the end of: everything after the last white space.
    package static func currentWord(_ lineBeforeCursor: String) -> Substring.UnicodeScalarView {
        let scalars = lineBeforeCursor.unicodeScalars
        guard let space = scalars.lastIndex(where: { $0.properties.isWhitespace }) else {
            return scalars[...]
        }
        return scalars[scalars.index(after: space)...]
    }

    /// One candidate replaces the current word (followed by a space unless one follows already);
    /// several insert their longest common prefix, or, when that adds nothing, are listed.
    package static func completionAction(
        lineBeforeCursor: String, candidates: [String], spaceFollowsCursor: Bool
    ) -> CompletionAction {
        var seen = Set<String>()
        let unique = candidates.filter { !$0.isEmpty && seen.insert($0).inserted }
        let word = currentWord(lineBeforeCursor)
        switch unique.count {
        case 0:
            return .beep
        case 1:
            return .replace(wordLength: word.count, text: unique[0] + (spaceFollowsCursor ? "" : " "))
        default:
            let prefix = longestCommonPrefix(unique)
            if prefix.unicodeScalars.count >= word.count && prefix != String(String.UnicodeScalarView(word)) {
                return .replace(wordLength: word.count, text: prefix)
            }
            return .list(unique)
        }
    }

    /// Longest common prefix, compared character by character (never splits a character).
    package static func longestCommonPrefix(_ strings: [String]) -> String {
        guard var prefix = strings.first.map({ Substring($0) }) else { return "" }
        for string in strings.dropFirst() {
            var common = prefix.startIndex
            var other = string.startIndex
            while common < prefix.endIndex, other < string.endIndex, prefix[common] == string[other] {
                prefix.formIndex(after: &common)
                string.formIndex(after: &other)
            }
            prefix = prefix[..<common]
        }
        return String(prefix)
    }

    /// Candidates in columns, down then across, as `ls` does; each line ends with a newline.
    package static func columns(_ items: [String], terminalWidth: Int, width: (String) -> Int) -> String {
        guard !items.isEmpty else { return "" }
        let gap = 2
        let widths = items.map(width)
        let columnWidth = (widths.max() ?? 0) + gap
        // The last column is left free: a character there leaves some terminals about to wrap.
        let columnCount = max(1, min(items.count, (terminalWidth - 1 + gap) / columnWidth))
        let rowCount = (items.count + columnCount - 1) / columnCount
        var output = ""
        for row in 0..<rowCount {
            var line = ""
            for column in 0..<columnCount {
                let index = column * rowCount + row
                guard index < items.count else { break }
                let isLast = (column + 1) * rowCount + row >= items.count
                line += items[index]
                if !isLast { line += String(repeating: " ", count: columnWidth - widths[index]) }
            }
            output += line + "\n"
        }
        return output
    }
}
