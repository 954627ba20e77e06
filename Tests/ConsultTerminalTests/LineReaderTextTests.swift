import Testing

@testable import ConsultTerminal

private func shown(_ scalars: [Unicode.Scalar]) -> String {
    String(String.UnicodeScalarView(scalars.map { $0 == "\u{1}" ? "|" : $0 == "\u{1B}" ? "E" : $0 }))
}

@Suite struct PromptTests {
    @Test func plainPromptIsUnchanged() {
        #expect(shown(LineReaderText.editLinePrompt("Вопрос ¿sí? > ")) == "Вопрос ¿sí? > ")
    }
    @Test func escapesAreBracketedAndTheTrailingResetMovesBeforeTheLastCharacter() {
        let prompt = "\u{1B}[1m\u{1B}[36mВопрос\u{1B}[0m > \u{1B}[0m"
        #expect(shown(LineReaderText.editLinePrompt(prompt)) == "|E[1mE[36m|Вопрос|E[0m| >|E[0m| ")
    }
    @Test func promptOfOnlyEscapesIsEmpty() {
        #expect(LineReaderText.editLinePrompt("\u{1B}[0m").isEmpty)
    }
    @Test func oscAndControlCharacters() {
        #expect(shown(LineReaderText.editLinePrompt("\u{1B}]0;title\u{7}a\u{1}\tb")) == "|E]0;title\u{7}|a b")
    }
    @Test func splitAtLastNewline() {
        #expect(LineReaderText.splitPrompt("one\ntwo\n> ") == ("one\ntwo\n", "> "))
        #expect(LineReaderText.splitPrompt("> ") == (nil, "> "))
    }
    @Test func plainPromptDropsEscapesKeepsNewlines() {
        #expect(LineReaderText.plainPrompt("\u{1B}[1mа\u{1B}[0m\nб > ") == "а\nб > ")
    }
    @Test func linesLoseControlCharacters() {
        #expect(LineReaderText.withoutControlCharacters("no\r") == "no")
        #expect(LineReaderText.withoutControlCharacters("\u{1B}[31mred\u{1B}[0m\tok\n") == "red ok")
    }
}

@Suite struct CompletionTests {
    let words = ["issued", "applied", "none", "назад", "/back", "/by"]
    func action(_ line: String, _ candidates: [String], space: Bool = false) -> LineReaderText.CompletionAction {
        LineReaderText.completionAction(lineBeforeCursor: line, candidates: candidates, spaceFollowsCursor: space)
    }
    @Test func single() {
        #expect(action("x iss", ["issued"]) == .replace(wordLength: 3, text: "issued "))
        #expect(action("на", ["назад"], space: true) == .replace(wordLength: 2, text: "назад"))
        #expect(action("", ["issued", "issued"]) == .replace(wordLength: 0, text: "issued "))
    }
    @Test func commonPrefixThenList() {
        #expect(action("/", ["/back", "/by"]) == .replace(wordLength: 1, text: "/b"))
        #expect(action("/b", ["/back", "/by"]) == .list(["/back", "/by"]))
        #expect(action("", words) == .list(words))
    }
    @Test func nothingOrShorterPrefix() {
        #expect(action("q", []) == .beep)
        #expect(action("xyz", ["xa", "xb"]) == .list(["xa", "xb"]))
        #expect(action("i", ["Issued", "Ignore"]) == .replace(wordLength: 1, text: "I"))
    }
    @Test func prefixNeverSplitsACharacter() {
        #expect(LineReaderText.longestCommonPrefix(["e\u{301}a", "eb"]) == "")
        #expect(LineReaderText.longestCommonPrefix(["назад", "нет"]) == "н")
    }
    @Test func columnsDownThenAcross() {
        let text = LineReaderText.columns(["a", "bb", "c", "d", "e"], terminalWidth: 10) { $0.count }
        #expect(text == "a   d\nbb  e\nc\n")
        #expect(LineReaderText.columns(["x"], terminalWidth: 1) { $0.count } == "x\n")
    }
}
