import ConsultContent
import ConsultEngine
import Testing

/// The closing dialog's `appointment: urgent:` names the yes/no fact that makes a request urgent.
@Suite("lint: the appointment's urgent fact")
struct AppointmentLintTests {
    func lint(urgent: String) -> (MarkedText, [Diagnostic]) {
        let main = MarkedText("""
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
        let closing = MarkedText("""
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
        return (closing, lintFixture(dialogs: [("dialogs/main.yaml", main), ("dialogs/closing.yaml", closing)], locales: locales.files))
    }

    @Test("a yes/no fact worked out by a let is accepted")
    func valid() {
        let (_, diagnostics) = lint(urgent: "urgent")
        #expect(diagnostics.filter { $0.severity == .error }.isEmpty, "\(describeDiagnostics(diagnostics))")
    }

    @Test("a fact of another type, or none, is an error at the appointment", arguments: [
        ("days", "'days' is a fact of type number"), ("urgnet", "'urgnet' is no fact of that name"),
    ])
    func wrong(fact: String, message: String) {
        let (closing, diagnostics) = lint(urgent: fact)
        let d = expectDiagnostic(diagnostics, id: "appointment-urgent", .error, file: "dialogs/closing.yaml",
                                 at: closing.location("1️⃣"), message: [message])
        expectNoOtherErrors(diagnostics, than: [d])
    }
}
