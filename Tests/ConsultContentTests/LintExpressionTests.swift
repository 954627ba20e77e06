import ConsultContent
import ConsultEngine
import ConsultLocalization
import Testing

// Lint of expressions and messages; the structure and loops are in LintTests.swift.

extension LintTests {
    // MARK: Expressions

    @Test("an expression syntax error points inside a plain scalar")
    func expressionSyntaxPlain() {
        let dialog = MarkedText(
            """
            dialog: main
            start: true
            nodes:
              - ask: has_permit
                type: yesno
                prompt: q.has_permit
              - outcome: ok
                explain: o.ok
                when: has_permit 1️⃣= true
            """)
        let diagnostics = lintFixture(
            dialog, LocaleSet(keys: ["q.has_permit", "o.ok"], facts: ["has_permit"], outcomes: ["ok"]))
        let d = expectDiagnostic(
            diagnostics, DialogRule.expressionSyntax, .error, file: "dialogs/main.yaml",
            at: dialog.location("1️⃣"), message: ["'=' is not an operator", "'=='"])
        #expect(dialog.location("1️⃣") == .init(line: 9, column: 22))
        expectNoOtherErrors(diagnostics, than: [d])
    }

    @Test("an expression syntax error points inside a quoted scalar (after the quote)")
    func expressionSyntaxQuoted() {
        let dialog = MarkedText(
            """
            dialog: main
            start: true
            nodes:
              - ask: has_permit
                type: yesno
                prompt: q.has_permit
              - outcome: ok
                explain: o.ok
                when: 'has_permit and 1️⃣&& true'
            """)
        let diagnostics = lintFixture(
            dialog, LocaleSet(keys: ["q.has_permit", "o.ok"], facts: ["has_permit"], outcomes: ["ok"]))
        let d = expectDiagnostic(
            diagnostics, DialogRule.expressionSyntax, .error, file: "dialogs/main.yaml",
            at: dialog.location("1️⃣"), message: ["'&' is not an operator"])
        expectNoOtherErrors(diagnostics, than: [d])
    }

    @Test("an expression in a double-quoted scalar with escapes still points at the right column")
    func expressionColumnAfterEscapes() {
        // The YAML text has `\"` (two characters) where the value has `"` (one): the column must
        // count the source characters, not the value's.
        let dialog = MarkedText(
            #"""
            dialog: main
            start: true
            nodes:
              - ask: permit_status
                type: choice
                prompt: q.permit_status
                choices:
                  - {value: issued, label: c.issued}
              - outcome: ok
                explain: o.ok
                when: "permit_status == \"issued\" and 1️⃣has_permt"
            """#)
        let locales = LocaleSet(
            keys: ["q.permit_status", "c.issued", "o.ok"], facts: ["permit_status"], outcomes: ["ok"])
        let diagnostics = lintFixture(dialog, locales)
        let d = expectDiagnostic(
            diagnostics, DialogRule.expressionType, .error, file: "dialogs/main.yaml",
            at: dialog.location("1️⃣"), message: ["unknown fact 'has_permt'"])
        expectNoOtherErrors(diagnostics, than: [d])
    }

    @Test("comparing a date with a number is a type error")
    func typeErrorDateVersusNumber() {
        let dialog = MarkedText(
            """
            dialog: main
            start: true
            nodes:
              - ask: has_permit
                type: yesno
                prompt: q.has_permit
              - ask: start_date
                type: date
                prompt: q.start_date
              - outcome: late
                explain: o.late
                when: has_permit and 1️⃣start_date > 5
              - outcome: exact
                explain: o.exact
                when: start_date == 2️⃣30
            """)
        let locales = LocaleSet(
            keys: ["q.has_permit", "q.start_date", "o.late", "o.exact"],
            facts: ["has_permit", "start_date"], outcomes: ["late", "exact"])
        let diagnostics = lintFixture(dialog, locales)
        // `<`, `>`: the comparison is pointed at (it starts at its left operand).
        let d1 = expectDiagnostic(
            diagnostics, DialogRule.expressionType, .error, file: "dialogs/main.yaml",
            at: dialog.location("1️⃣"), message: ["'>' compares two numbers or two dates, not date and number"])
        // `==`: the right operand is pointed at.
        let d2 = expectDiagnostic(
            diagnostics, DialogRule.expressionType, .error, file: "dialogs/main.yaml",
            at: dialog.location("2️⃣"), message: ["cannot compare date with number"])
        expectNoOtherErrors(diagnostics, than: [d1, d2])
    }

    @Test("a choice compared with a value it does not offer points at the string")
    func typeErrorChoiceValueNotOffered() {
        let dialog = MarkedText(
            """
            dialog: main
            start: true
            nodes:
              - ask: permit_status
                type: choice
                prompt: q.permit_status
                choices:
                  - {value: issued, label: c.issued}
                  - {value: pending, label: c.pending}
              - outcome: ok
                explain: o.ok
                when: permit_status == 1️⃣"isued"
              - outcome: waiting
                explain: o.waiting
                when: permit_status in ["pending", 2️⃣"denied"]
            """)
        let locales = LocaleSet(
            keys: ["q.permit_status", "c.issued", "c.pending", "o.ok", "o.waiting"],
            facts: ["permit_status"], outcomes: ["ok", "waiting"])
        let diagnostics = lintFixture(dialog, locales)
        let d1 = expectDiagnostic(
            diagnostics, DialogRule.expressionType, .error, file: "dialogs/main.yaml",
            at: dialog.location("1️⃣"), message: [#""isued" is not a value of 'permit_status' (issued, pending)"#])
        let d2 = expectDiagnostic(
            diagnostics, DialogRule.expressionType, .error, file: "dialogs/main.yaml",
            at: dialog.location("2️⃣"), message: [#""denied" is not a value of 'permit_status'"#])
        expectNoOtherErrors(diagnostics, than: [d1, d2])
    }

    @Test("an unknown fact, with a suggestion")
    func unknownFact() {
        let dialog = MarkedText(
            """
            dialog: main
            start: true
            nodes:
              - ask: has_permit
                type: yesno
                prompt: q.has_permit
              - outcome: ok
                explain: o.ok
                when: not 1️⃣has_permt
            """)
        let diagnostics = lintFixture(
            dialog, LocaleSet(keys: ["q.has_permit", "o.ok"], facts: ["has_permit"], outcomes: ["ok"]))
        let d = expectDiagnostic(
            diagnostics, DialogRule.expressionType, .error, file: "dialogs/main.yaml",
            at: dialog.location("1️⃣"), message: ["unknown fact 'has_permt'; did you mean 'has_permit'?"])
        expectNoOtherErrors(diagnostics, than: [d])
    }

    @Test("a fact read before any path can set it")
    func readBeforeSet() {
        let dialog = MarkedText(
            """
            dialog: main
            start: true
            nodes:
              - ask: wants_help
                type: yesno
                prompt: q.wants_help
              - say: m.intro
                when: wants_help and 1️⃣has_permit
              - ask: has_permit
                type: yesno
                prompt: q.has_permit
            """)
        let locales = LocaleSet(
            keys: ["q.wants_help", "m.intro", "q.has_permit"], facts: ["wants_help", "has_permit"])
        let diagnostics = lintFixture(dialog, locales)
        let d = expectDiagnostic(
            diagnostics, DialogRule.expressionType, .error, file: "dialogs/main.yaml",
            at: dialog.location("1️⃣"), message: ["'has_permit' is read before any path can set it"])
        expectNoOtherErrors(diagnostics, than: [d])
    }

    @Test("the same fact asked twice")
    func duplicateFact() {
        let dialog = MarkedText(
            """
            dialog: main
            start: true
            nodes:
              - ask: 1️⃣has_permit
                type: yesno
                prompt: q.has_permit
              - ask: 2️⃣has_permit
                type: yesno
                prompt: q.has_permit_again
            """)
        let locales = LocaleSet(keys: ["q.has_permit", "q.has_permit_again"], facts: ["has_permit"])
        let diagnostics = lintFixture(dialog, locales)
        let first = dialog.location("1️⃣")
        let d = expectDiagnostic(
            diagnostics, DialogRule.duplicateFact, .error, file: "dialogs/main.yaml",
            at: dialog.location("2️⃣"),
            message: ["the fact 'has_permit' is already asked at dialogs/main.yaml:\(first.line):\(first.column)"])
        expectNoOtherErrors(diagnostics, than: [d])
    }

    @Test("no dialog is marked start: true")
    func noStartDialog() {
        let dialog = MarkedText(
            """
            1️⃣dialog: main
            nodes:
              - ask: has_permit
                type: yesno
                prompt: q.has_permit
            """)
        let diagnostics = lintFixture(dialog, LocaleSet(keys: ["q.has_permit"], facts: ["has_permit"]))
        let d = expectDiagnostic(
            diagnostics, DialogRule.noStart, .error, file: "dialogs/main.yaml",
            at: dialog.location("1️⃣"), message: ["no dialog is marked 'start: true'"])
        expectNoOtherErrors(diagnostics, than: [d])
    }

    // MARK: Messages

    /// A dialog whose keys and facts the message tests share.
    static let messageDialog = MarkedText(
        """
        dialog: main
        start: true
        nodes:
          - ask: has_permit
            type: yesno
            prompt: 1️⃣q.has_permit
          - ask: permit_until
            type: date
            prompt: q.permit_until
            when: has_permit
          - let: days_left
            value: days_between(today, permit_until)
            when: has_permit
          - outcome: ok
            explain: o.ok
            when: has_permit
        """)
    static let messageKeys = ["q.has_permit", "q.permit_until"]
    static let messageFacts = ["has_permit", "permit_until", "days_left"]

    func messageLocales(ok: [String: String]) -> LocaleSet {
        var locales = LocaleSet(keys: LintTests.messageKeys, facts: LintTests.messageFacts, outcomes: ["ok"])
        locales.extra = ok.mapValues { ["o.ok: \($0)"] }
        return locales
    }

    @Test("the message tests' dialog and locales are valid as they are")
    func messageFixtureIsValid() {
        let locales = messageLocales(ok: [
            "en": #""{days_left, plural, one {# day} other {# days}} until {permit_until}.""#,
            "es": #""{days_left, plural, one {# día} other {# días}} hasta {permit_until}.""#,
            "ru": #""{days_left, plural, one {# день} few {# дня} many {# дней} other {# дня}} до {permit_until}.""#,
        ])
        let diagnostics = lintFixture(LintTests.messageDialog, locales)
        #expect(diagnostics.isEmpty, "\(describeDiagnostics(diagnostics))")
    }

    @Test("a key missing in one locale is reported where the dialog uses it")
    func missingKeyInOneLocale() {
        var locales = messageLocales(ok: ["en": #""ok""#, "es": #""ok""#, "ru": #""ok""#])
        locales.omitted = ["es": ["q.has_permit"], "ru": ["app.title"]]
        let diagnostics = lintFixture(LintTests.messageDialog, locales)
        let d1 = expectDiagnostic(
            diagnostics, TranslationRule.missingKey, .error, file: "dialogs/main.yaml",
            at: LintTests.messageDialog.location("1️⃣"),
            message: ["'q.has_permit' is missing in locales/es.yaml"])
        // A key of the program itself is not named by a dialog: it is reported at the locale file.
        let d2 = expectDiagnostic(
            diagnostics, TranslationRule.missingKey, .error, file: "locales/ru.yaml",
            at: .init(line: 1, column: 1), message: ["'app.title' is missing in locales/ru.yaml"])
        expectNothingElse(diagnostics, than: [d1, d2])
    }

    @Test("a key nobody uses is a warning at its line")
    func unusedKey() {
        var locales = messageLocales(ok: ["en": #""ok""#, "es": #""ok""#, "ru": #""ok""#])
        locales.extra["es", default: []].append("1️⃣q.forgotten: \"olvidado\"")
        let es = locales.text("es")
        let diagnostics = lintFixture(LintTests.messageDialog, locales)
        let d = expectDiagnostic(
            diagnostics, TranslationRule.unusedKey, .warning, file: "locales/es.yaml",
            at: es.location("1️⃣"), message: ["'q.forgotten' is not used"])
        expectNothingElse(diagnostics, than: [d])
    }

    @Test("placeholders that differ from English are reported in es and ru at the key")
    func placeholderMismatch() {
        var locales = LocaleSet(keys: LintTests.messageKeys, facts: LintTests.messageFacts, outcomes: ["ok"])
        locales.extra = [
            "en": [#"o.ok: "Valid until {permit_until}.""#],
            "es": [#"1️⃣o.ok: "Válido.""#],
            "ru": [#"2️⃣o.ok: "Действительно до {today}.""#],
        ]
        let diagnostics = lintFixture(LintTests.messageDialog, locales)
        let d1 = expectDiagnostic(
            diagnostics, TranslationRule.placeholderMismatch, .error, file: "locales/es.yaml",
            at: locales.text("es").location("1️⃣"),
            message: ["'o.ok' has placeholders none but locales/en.yaml has {permit_until}"])
        let d2 = expectDiagnostic(
            diagnostics, TranslationRule.placeholderMismatch, .error, file: "locales/ru.yaml",
            at: locales.text("ru").location("2️⃣"),
            message: ["'o.ok' has placeholders {today} but locales/en.yaml has {permit_until}"])
        expectNothingElse(diagnostics, than: [d1, d2])
    }

    @Test("a Russian plural without the 'many' form")
    func pluralMissingRussian() {
        var locales = LocaleSet(keys: LintTests.messageKeys, facts: LintTests.messageFacts, outcomes: ["ok"])
        locales.extra = [
            "en": [#"o.ok: "{days_left, plural, one {# day} other {# days}}""#],
            "es": [#"o.ok: "{days_left, plural, one {# día} other {# días}}""#],
            "ru": [#"1️⃣o.ok: "{days_left, plural, one {# день} few {# дня} other {# дней}}""#],
        ]
        let diagnostics = lintFixture(LintTests.messageDialog, locales)
        let d = expectDiagnostic(
            diagnostics, TranslationRule.pluralMissing, .error, file: "locales/ru.yaml",
            at: locales.text("ru").location("1️⃣"),
            message: ["the plural of {days_left} in 'o.ok' lacks many, which Русский needs"])
        expectNothingElse(diagnostics, than: [d])
    }

    @Test("a placeholder that is not a fact, with a suggestion")
    func unknownPlaceholder() {
        var locales = LocaleSet(keys: LintTests.messageKeys, facts: LintTests.messageFacts, outcomes: ["ok"])
        locales.extra = [
            "en": [#"1️⃣o.ok: "Valid until {permit_untill}.""#],
            "es": [#"2️⃣o.ok: "Válido hasta {permit_untill}.""#],
            "ru": [#"3️⃣o.ok: "Действительно до {permit_untill}.""#],
        ]
        let diagnostics = lintFixture(LintTests.messageDialog, locales)
        var found: [Diagnostic?] = []
        for (language, marker) in [("en", "1️⃣"), ("es", "2️⃣"), ("ru", "3️⃣")] {
            found.append(
                expectDiagnostic(
                    diagnostics, TranslationRule.unknownPlaceholder, .error, file: "locales/\(language).yaml",
                    at: locales.text(language).location(marker),
                    message: ["'o.ok' uses {permit_untill}, which it is never given", "did you mean '{permit_until}'?"])
            )
        }
        expectNothingElse(diagnostics, than: found)
    }

    // MARK: Errors do not drown in follow-up noise

    @Test("one error in a dialog does not make every fact's message 'unused'")
    func oneDialogErrorNoCascade() {
        // The same content as `messageFixtureIsValid`, with one misspelt fact in a condition.
        let dialog = MarkedText(
            """
            dialog: main
            start: true
            nodes:
              - ask: has_permit
                type: yesno
                prompt: q.has_permit
              - ask: permit_until
                type: date
                prompt: q.permit_until
                when: has_permit
              - let: days_left
                value: days_between(today, permit_until)
                when: has_permit
              - outcome: ok
                explain: o.ok
                when: 1️⃣has_permt
            """)
        let locales = messageLocales(ok: [
            "en": #""{days_left, plural, one {# day} other {# days}} until {permit_until}.""#,
            "es": #""{days_left, plural, one {# día} other {# días}} hasta {permit_until}.""#,
            "ru": #""{days_left, plural, one {# день} few {# дня} many {# дней} other {# дня}} до {permit_until}.""#,
        ])
        let diagnostics = lintFixture(dialog, locales)
        let d = expectDiagnostic(
            diagnostics, DialogRule.expressionType, .error, file: "dialogs/main.yaml",
            at: dialog.location("1️⃣"), message: ["unknown fact 'has_permt'"])
        expectNothingElse(diagnostics, than: [d])
    }
}

@Suite("MarkedText")
struct MarkedTextTests {
    @Test func stripsMarkersAndRecordsPlaces() {
        let m = MarkedText("ab1️⃣c\n  2️⃣дé3️⃣f")
        #expect(m.text == "abc\n  дéf")
        #expect(m.location("1️⃣") == .init(line: 1, column: 3))
        #expect(m.location("2️⃣") == .init(line: 2, column: 3))
        #expect(m.location("3️⃣") == .init(line: 2, column: 5))
        #expect(m.markers.count == 3)
    }

    @Test func digitsBeforeAMarkerStayText() {
        let m = MarkedText("31️⃣2")
        #expect(m.text == "32")
        #expect(m.location("1️⃣") == .init(line: 1, column: 2))
    }
}
