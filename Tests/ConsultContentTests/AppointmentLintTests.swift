import ConsultContent
import ConsultEngine
import Testing

/// The closing dialog's `appointment: urgent:` names the yes/no fact that makes a request urgent.
@Suite("lint: the appointment's urgent fact")
struct AppointmentLintTests {
    func lint(urgent: String) -> (MarkedText, [Diagnostic]) {
        let main = MarkedText(
            """
            dialog: main
            start: true
            nodes:
              - ask: days
                type: number
                min: 0
                max: 99
                prompt: q.days
              - let: urgent
                value: days <= 10
            """)
        let closing = MarkedText(
            """
            dialog: closing
            appointment:
              1️⃣applicant: [name]
              urgent: \(urgent)
            nodes:
              - ask: name
                type: text
                max_length: 50
                prompt: q.name
            """)
        let locales = LocaleSet(keys: ["q.days", "q.name"], facts: ["days", "urgent", "name"])
        return (
            closing,
            lintFixture(
                dialogs: [("dialogs/main.yaml", main), ("dialogs/closing.yaml", closing)], locales: locales.files)
        )
    }

    @Test("a yes/no fact worked out by a let is accepted")
    func valid() {
        let (_, diagnostics) = lint(urgent: "urgent")
        #expect(diagnostics.filter { $0.severity == .error }.isEmpty, "\(describeDiagnostics(diagnostics))")
    }

    @Test(
        "a fact of another type, or none, is an error at the appointment",
        arguments: [
            ("days", "'days' is a fact of type number"), ("urgnet", "'urgnet' is no fact of that name"),
        ])
    func wrong(fact: String, message: String) {
        let (closing, diagnostics) = lint(urgent: fact)
        let d = expectDiagnostic(
            diagnostics, DialogRule.appointmentUrgent, .error, file: "dialogs/closing.yaml",
            at: closing.location("1️⃣"), message: [message])
        expectNoOtherErrors(diagnostics, than: [d])
    }
}

/// `KEY.lawyer`: a message's version for the lawyer's view.
@Suite("lint: versions for the lawyer")
struct LawyerVersionLintTests {
    func lint(_ extra: [String: [String]]) -> [Diagnostic] {
        let main = MarkedText(
            """
            dialog: main
            start: true
            nodes:
              - ask: ok
                type: yesno
                prompt: q.ok
              - outcome: done
                explain: o.done
                confirm: [o.point]
            """)
        var locales = LocaleSet(keys: ["q.ok", "o.done", "o.point"], facts: ["ok"], outcomes: ["done"])
        locales.extra = extra
        return lintFixture(dialogs: [("dialogs/main.yaml", main)], locales: locales.files)
    }

    @Test("a lawyer's version in every language is used, not reported as unused")
    func used() {
        let diagnostics = lint([
            "en": [#"o.point.lawyer: "Does the applicant…""#], "es": [#"o.point.lawyer: "¿Necesita el solicitante…""#],
            "ru": [#"o.point.lawyer: "Нужно ли заявителю…""#],
        ])
        #expect(diagnostics.isEmpty, "\(describeDiagnostics(diagnostics))")
    }

    @Test("a lawyer's version missing in a language is an error, as any missing message")
    func missing() {
        let diagnostics = lint([
            "en": [#"o.point.lawyer: "Does the applicant…""#], "ru": [#"o.point.lawyer: "Нужно ли заявителю…""#],
        ])
        let errors = diagnostics.filter { $0.is(TranslationRule.missingKey) }
        #expect(
            errors.count == 1 && errors[0].message.contains("o.point.lawyer") && errors[0].message.contains("es.yaml"),
            "\(describeDiagnostics(diagnostics))")
    }
}
