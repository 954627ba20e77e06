import ConsultContent
import ConsultEngine
import ConsultRecords
import ConsultTestSupport
import Foundation
import Testing

@testable import ConsultTerminal

/// A line reader that types a script and records what the session asked.
final class ScriptedReader: LineReader {
    var lines: [LineReadResult]
    var prompts: [String] = []
    var history: [String] = []
    var completion: (@Sendable (String) -> [String])?
    let isInteractive = true
    let isConnected = true

    init(_ script: [LineReadResult]) {
        lines = script
    }

    func readLine(prompt: String, timeout: Int?) -> LineReadResult {
        prompts.append(prompt)
        return lines.isEmpty ? .endOfInput : lines.removeFirst()
    }

    func clearHistory() { history = [] }
    func addHistory(_ line: String) { history.append(line) }
}

/// Runs a session over typed lines; returns how it ended, the text shown and the session.
func session(
    _ typed: [String], language: String = "en", plain: Bool = false, color: Bool = false, width: Int = 80,
    extra: [LineReadResult] = []
) throws -> (EndReason, String, Session, ScriptedReader) {
    var output = ""
    let reader = ScriptedReader(typed.map { .line($0) } + extra)
    let screen = Screen(color: color, plain: plain, width: width) { output += $0 }
    let s = try Session(
        content: shipped, today: LocalDate(year: 2026, month: 11, day: 25)!, language: language,
        reader: reader, screen: screen)
    let end = s.run()
    return (end, output, s, reader)
}

@Suite struct SessionTests {
    @Test func aSpanishConsultationWithBackAndAFamilyChangeAndASwitchToRussian() throws {
        let (end, out, s, _) = try session([
            "2", "sí", "1",  // Español, consent, VKS
            "1",  // I am the specialist
            "1", "31.03.2028", "no",  // issued, expires, not terminated
            "atrás", "volver",  // back twice (from the permit-holder question): to the expiry date question
            "31.03.2028", "no", "no",  // again; no VKS residence permit yet
            "sí", "no",  // citizenship yes, independent no
            "sí", "1", "40", "no",  // a spouse of 40
            "cambiar", "11",  // change the family list (11th answer)
            "sí", "2", "12", "no",  // now a child of 12
            "/idioma ru",
            "нет",  // no appointment
        ])
        #expect(end == .completed)
        #expect(s.language == "ru")
        #expect(
            s.consultation.answers["family_members"]
                == .list([Record(["relation": .choice("child"), "age": .int(12), "included": .bool(true)])]))
        #expect(out.contains("¿Cuándo vence su permiso de trabajo?"))
        // "12 años" is joined by a no-break space; the line may wrap before it.
        #expect(
            out.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ").contains("hijo o hija (12 años)"),
            "\(out)")
        #expect(out.contains("¿Desea solicitar una cita"))
        #expect(out.contains("Хотите записаться на консультацию к юристу?"))  // asked again in Russian after the switch
        #expect(out.contains("Продолжаем на русском языке."))
        #expect(!out.contains("vks."))
    }

    @Test func commandsWorkAsSlashFormsAndWordsOfTheLanguage() throws {
        let (_, out, _, _) = try session(
            ["3", "да", "1", "/помощь", "ответы", "/nonsense", "/quit", "да"], language: "ru")
        #expect(out.contains("/back, назад — "))
        #expect(out.contains("Ваши ответы на данный момент:"))
        #expect(out.contains("/nonsense"))
    }

    @Test func whyBeforeAndAfterAnOutcome() throws {
        let (_, out, _, _) = try session(["1", "yes", "1", "1", "why", "3", "/why", "/quit", "yes"])
        #expect(out.contains("There is no result yet"))
        #expect(out.contains("follows from these answers"))
    }

    @Test func endOfInputAsksBeforeLeaving() throws {
        let (end, out, _, _) = try session(["1"], extra: [.endOfInput, .line("no"), .endOfInput, .line("yes")])
        #expect(end == .quit)
        #expect(out.components(separatedBy: "Do you want to leave the consultation?").count == 3)
    }

    @Test func interruptedLinesShowTheQuestionAgain() throws {
        let (_, out, _, _) = try session([], extra: [.interrupted, .line("1"), .endOfInput, .line("yes")])
        #expect(out.components(separatedBy: "Choose your language").count == 3)
    }

    @Test func plainModeHasNoEscapesAndColourModeHas() throws {
        let (_, plain, _, _) = try session(
            ["1", "yes", "1", "1", "1", "31.03.2028", "no", "no", "no", "no", "no", "no"], plain: true, color: true)
        #expect(!plain.contains("\u{1B}["))
        #expect(plain.contains("- "))
        let (_, colour, _, _) = try session(["1"], color: true, extra: [.endOfInput, .line("yes")])
        #expect(colour.contains("\u{1B}[1m"))
    }

    @Test func textIsWrappedToTheWidth() throws {
        let (_, out, _, _) = try session(
            ["3", "да", "1"], language: "ru", width: 40, extra: [.endOfInput, .line("да")])
        for line in out.split(separator: "\n") {
            #expect(TextLayout.displayWidth(line) <= 40, "too wide: \(line)")
        }
    }

    @Test func completionOffersChoicesInTheSessionLanguageAndCommands() throws {
        let reader = ScriptedReader([.line("3"), .line("да"), .line("1"), .line("1"), .endOfInput, .line("да")])
        var completions: [String: [String]] = [:]
        let screen = Screen(color: false, plain: false, width: 80) { _ in }
        let s = try Session(
            content: shipped, today: LocalDate(year: 2026, month: 11, day: 25)!, language: "ru", reader: reader,
            screen: screen)
        _ = s.run()
        // After the run the reader holds the completion of the last question asked (the VKS permit).
        let complete = try #require(reader.completion)
        completions["За"] = complete("За")
        completions["/на"] = complete("/на")
        completions["наз"] = complete("наз")
        completions["Да, в"] = complete("Да, в")
        #expect(completions["За"] == ["Заявление подано, разрешение ещё не выдано"])
        #expect(completions["/на"] == ["/назад"])
        #expect(completions["Да, в"] == ["выдано"])
        #expect(completions["наз"] == ["назад"])
    }
}

@Suite struct TextLayoutTests {
    @Test func wrapsAtSpacesWithinTheWidth() {
        #expect(TextLayout.wrap("один два три четыре", width: 9, indent: 0) == ["один два", "три", "четыре"])
    }

    @Test func bulletsHangAndBreaksAreKept() {
        #expect(TextLayout.wrap("- aaa bbb ccc\nnext", width: 8, indent: 0) == ["- aaa", "  bbb", "  ccc", "next"])
    }

    @Test func datesAndPhoneNumbersAreNotSplit() {
        #expect(
            TextLayout.wrap("до 31 марта 2028 г. звоните", width: 12, indent: 0) == [
                "до 31 марта", "2028 г.", "звоните",
            ])
        #expect(
            TextLayout.wrap("Телефон: +7 495 972-30-11.", width: 12, indent: 0) == ["Телефон:", "+7 495 972-30-11."])
    }

    @Test func wideCharactersCountTwice() {
        #expect(TextLayout.displayWidth("日本") == 4)
        #expect(TextLayout.displayWidth("ёж") == 2)
    }
}
