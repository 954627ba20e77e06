import ConsultEngine
import ConsultLocalization
import Testing

/// Lint's typography rule: where a locale wants a non-breaking space, an ordinary one is reported
/// at its file, line and column, whatever way the message is written in YAML.
@Suite("typography: non-breaking spaces")
struct TypographyTests {
    /// A Russian locale file with `messages` appended (written as given, so its places are known).
    func warnings(_ messages: String) -> [Diagnostic] {
        let text = """
            language: ru
            name: Русский
            formatting_locale: ru_RU
            plural_rules:
              one: "i % 10 = 1 and i % 100 != 11"
              few: "i % 10 = 2..4 and i % 100 != 12..14"
              many: "i % 10 = 0 or i % 10 = 5..9 or i % 100 = 11..14"
            words: {yes: [да], no: [нет]}
            commands: {help: [помощь], back: [назад], change: [изменить], summary: [итог], why: [почему], language: [язык], restart: [заново], pause: [пауза], quit: [выход]}
            list: {pair: "{0} и {1}", middle: "{0}, {1}", last: "{0} и {1}"}
            typography:
              no_break_after: ["ул.", "д."]
              no_break_before: ["дней", "дня", "день"]
            messages:

            """ + messages
        var diagnostics: [Diagnostic] = []
        guard let file = YAMLFile.parse(text, displayPath: "locales/ru.yaml", into: &diagnostics) else {
            return diagnostics
        }
        _ = CatalogLoader.load(file, expectedLanguage: "ru", into: &diagnostics)
        return diagnostics
    }

    func places(_ diagnostics: [Diagnostic]) -> [String] {
        diagnostics.map { "\($0.location.line):\($0.location.column) \($0.severity.rawValue) \($0.id)" }
    }

    @Test("an ordinary space after an abbreviation, in a number's phrase and in a phone number")
    func ordinarySpaces() {
        let found = warnings(
            """
              office.address: "107045, Москва, ул. Сретенка, д.\\u00A027/29"
              office.phone: +7 495 972-30-11
              grace: "{n, plural, one {# день} few {# дня} many {# дней} other {# дня}}"
              deadline: 'осталось 30 дней'

            """)
        #expect(
            places(found) == [
                "15:39 warning typography-no-break",  // after ул.
                "16:19 warning typography-no-break",  // the phone's first space (one warning a number)
                "17:29 warning typography-no-break", "17:42 warning typography-no-break",  // # день, # дня
                "17:55 warning typography-no-break", "17:70 warning typography-no-break",  // # дней, # дня
                "18:25 warning typography-no-break",  // 30 дней
            ], "\(found.map(\.description).joined(separator: "\n"))")
        #expect(found.first?.message.contains("«ул.»") == true)
    }

    @Test("non-breaking spaces written literally or as \\u00A0 pass; a word that only starts the same does not count")
    func nonBreakingSpacesPass() {
        let found = warnings(
            """
              office.address: "Москва, ул.\\u00A0Сретенка, д.\u{00A0}27/29"
              office.phone: "+7\u{00A0}495\u{00A0}972-30-11"
              plain: по ул.\u{00A0}Сретенка, 30\u{00A0}дней; 5 днейка; суд. решение

            """)
        #expect(found.isEmpty, "\(found.map(\.description).joined(separator: "\n"))")
    }

    @Test("in a folded block the space is found on its line, and a line break counts as a space")
    func foldedBlock() {
        let found = warnings(
            """
              long: >
                Приходите в офис по адресу ул.
                Сретенка, д.\u{00A0}27/29; у вас 15 дней.
              # a comment that mentions ул. Сретенка
              next: "x"

            """)
        #expect(
            places(found) == ["16:35 warning typography-no-break", "17:33 warning typography-no-break"],
            "\(found.map(\.description).joined(separator: "\n"))")
    }

}
