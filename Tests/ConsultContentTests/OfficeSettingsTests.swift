import ConsultContent
import ConsultEngine
import ConsultLocalization
import ConsultTestSupport
import Foundation
import Testing

/// The start dialog's `roles:` and `time_zone:`: what the program acts on comes from the content.
@Suite("roles and time zone of the start dialog")
struct OfficeSettingsTests {
    static let locales = LocaleSet(
        keys: ["q.lang", "l.en", "l.es", "q.agree", "q.topic", "t.main", "o.ok"],
        facts: ["lang", "agree", "topic"], outcomes: ["ok"])

    static func dialog(_ header: String) -> MarkedText {
        MarkedText(
            """
            dialog: main
            start: true
            \(header)
            nodes:
              - ask: lang
                type: choice
                prompt: q.lang
                choices: [{value: en, label: l.en}, {value: es, label: l.es}]
              - ask: agree
                type: yesno
                prompt: q.agree
              - ask: topic
                type: choice
                prompt: q.topic
                choices: [{value: main, label: t.main}]
              - outcome: ok
                explain: o.ok
            """)
    }

    @Test("the shipped content names its language, consent and topic facts and the office's zone")
    func shippedContent() {
        let set = shipped.dialogs
        #expect(set.roles == FactRoles(language: "language", consent: "consent", topic: "topic"))
        #expect(set.timeZone == "Europe/Moscow")
    }

    @Test("roles naming facts of another name are what the model carries")
    func rolesOfOtherNames() throws {
        let dialog = Self.dialog("roles: {language: lang, consent: agree, topic: topic}\ntime_zone: Asia/Vladivostok")
        var diagnostics: [Diagnostic] = []
        let file = try #require(YAMLFile.parse(dialog.text, displayPath: "dialogs/main.yaml", into: &diagnostics))
        let loaded = DialogLoader.load([file])
        #expect(loaded.diagnostics.isEmpty, "\(describeDiagnostics(loaded.diagnostics))")
        let set = try #require(loaded.set)
        #expect(set.roles == FactRoles(language: "lang", consent: "agree", topic: "topic"))
        #expect(set.timeZone == "Asia/Vladivostok")
    }

    @Test("without roles or a zone: no role, and times in UTC")
    func nothingNamed() throws {
        var diagnostics: [Diagnostic] = []
        let file = try #require(
            YAMLFile.parse(Self.dialog("").text, displayPath: "dialogs/main.yaml", into: &diagnostics))
        let set = try #require(DialogLoader.load([file]).set)
        #expect(set.roles == FactRoles())
        #expect(set.timeZone == "UTC")
    }

    @Test("a role of the wrong type, an unknown role, a fact not asked and an unknown zone, each at its place")
    func problems() {
        let dialog = Self.dialog(
            """
            roles: {language: 1️⃣agree, consent: 2️⃣lang, 3️⃣colour: lang, topic: 4️⃣nothing}
            time_zone: 5️⃣Europe/Atlantis
            """)
        let diagnostics = lintFixture(dialog, Self.locales)
        let file = "dialogs/main.yaml"
        let found = [
            expectDiagnostic(
                diagnostics, DialogRule.factRole, .error, file: file, at: dialog.location("1️⃣"),
                message: ["'language'", "a choice question", "'agree'"]),
            expectDiagnostic(
                diagnostics, DialogRule.factRole, .error, file: file, at: dialog.location("2️⃣"),
                message: ["'consent'", "a yes/no question"]),
            expectDiagnostic(
                diagnostics, DialogRule.factRole, .error, file: file, at: dialog.location("3️⃣"),
                message: ["unknown role 'colour'", "language, consent, topic"]),
            expectDiagnostic(
                diagnostics, DialogRule.factRole, .error, file: file, at: dialog.location("4️⃣"),
                message: ["'topic'", "'nothing'", "no question of the start dialog"]),
            expectDiagnostic(
                diagnostics, DialogRule.timeZone, .error, file: file, at: dialog.location("5️⃣"),
                message: ["'Europe/Atlantis'"]),
        ]
        expectNoOtherErrors(diagnostics, than: found)
    }

    @Test("roles and a zone belong in the start dialog only")
    func onlyInTheStartDialog() {
        let other = MarkedText(
            """
            dialog: other
            roles: {language: 1️⃣lang}
            time_zone: 2️⃣UTC
            nodes:
              - say: o.ok
            """)
        let diagnostics = lintFixture(
            dialogs: [("dialogs/main.yaml", Self.dialog("next: other")), ("dialogs/other.yaml", other)],
            locales: Self.locales.files)
        let found = [
            expectDiagnostic(
                diagnostics, DialogRule.factRole, .error, file: "dialogs/other.yaml", at: other.location("1️⃣"),
                message: ["'roles' belongs in the start dialog"]),
            expectDiagnostic(
                diagnostics, DialogRule.factRole, .error, file: "dialogs/other.yaml", at: other.location("2️⃣"),
                message: ["'time_zone' belongs in the start dialog"]),
        ]
        expectNoOtherErrors(diagnostics, than: found)
    }
}
