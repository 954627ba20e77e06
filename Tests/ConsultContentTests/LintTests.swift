import ConsultContent
import ConsultEngine
import ConsultLocalization
import Testing

// MARK: - Tests

@Suite("lint")
struct LintTests {
    // MARK: A small content with nothing wrong

    @Test("valid content produces no diagnostics at all")
    func validContent() {
        let main = MarkedText(
            """
            # The start.
            dialog: main
            start: true
            next: closing
            nodes:
              - say: m.intro
              - ask: has_permit
                type: yesno
                prompt: q.has_permit
                help: q.has_permit.help
              - ask: permit_status
                type: choice
                prompt: q.permit_status
                when: has_permit
                choices:
                  - {value: issued, label: c.issued}
                  - {value: pending, label: c.pending}
              - ask: start_date
                type: date
                min: date("2000-01-01")
                max: today
                prompt: q.start_date
                when: permit_status == "issued"
              - let: deadline
                value: start_date + 30
                when: permit_status == "issued"
              - let: days_left
                value: days_between(today, deadline)
                when: permit_status == "issued"
              - ask: family
                type: group
                prompt: q.family
                more: q.family.more
                item: q.family.item
                max_items: 5
                fields:
                  - ask: relation
                    type: choice
                    prompt: q.family.relation
                    choices:
                      - {value: spouse, label: c.spouse}
                      - {value: child, label: c.child}
                  - ask: age
                    type: number
                    min: 0
                    max: 120
                    prompt: q.family.age
                derive:
                  minor: relation == "child" and age < 18
              - goto: finish
                when: not has_permit
              - outcome: permit_ok
                explain: o.permit_ok
                when: permit_status == "issued" and days_left >= 0
                confirm: [o.permit_ok.confirm]
              - id: finish
                outcome: family_ok
                explain: o.family_ok
                when: count(family, minor) > 0 and permit_status not in ["pending"]
            """)
        let closing = MarkedText(
            """
            dialog: closing
            nodes:
              - ask: name
                type: text
                max_length: 50
                optional: true
                prompt: q.name
            """)
        let facts = ["has_permit", "permit_status", "start_date", "deadline", "days_left", "family", "name"]
        let outcomes = ["permit_ok", "family_ok"]
        var locales = LocaleSet(
            keys: [
                "m.intro", "q.has_permit", "q.has_permit.help", "q.permit_status", "c.issued", "c.pending",
                "q.start_date", "q.family", "q.family.more", "q.family.relation", "c.spouse", "c.child",
                "q.family.age", "o.permit_ok.confirm", "q.name",
            ],
            facts: facts, outcomes: outcomes)
        // Messages with placeholders, plurals, select and include, the same in every language.
        locales.extra = [
            "en": [
                #"q.family.item: "{relation, select, spouse {spouse} other {child}}, {age, plural, one {# year} other {# years}}""#,
                #"o.permit_ok: "Until {deadline}: {days_left, plural, one {# day} other {# days}}. {@office.phone}""#,
                #"o.family_ok: "{family} ({today})""#,
            ],
            "es": [
                #"q.family.item: "{relation, select, spouse {cónyuge} other {hijo}}, {age, plural, one {# año} other {# años}}""#,
                #"o.permit_ok: "Hasta {deadline}: {days_left, plural, one {# día} other {# días}}. {@office.phone}""#,
                #"o.family_ok: "{family} ({today})""#,
            ],
            "ru": [
                #"q.family.item: "{relation, select, spouse {супруг} other {ребёнок}}, {age, plural, one {# год} few {# года} many {# лет} other {# года}}""#,
                #"o.permit_ok: "До {deadline}: {days_left, plural, one {# день} few {# дня} many {# дней} other {# дня}}. {@office.phone}""#,
                #"o.family_ok: "{family} ({today})""#,
            ],
        ]
        let diagnostics = lintFixture(
            dialogs: [("dialogs/main.yaml", main), ("dialogs/closing.yaml", closing)], locales: locales.files)
        #expect(diagnostics.isEmpty, "\(describeDiagnostics(diagnostics))")
    }

    // MARK: Structure

    @Test("a YAML syntax error is reported at libyaml's place")
    func yamlSyntaxError() {
        let dialog = MarkedText(
            """
            dialog: main
            start: true
            nodes:
              - ask: has_permit
                type: yesno
                prompt: q.has_permit1️⃣: x
            """)
        let diagnostics = lintFixture(dialog, LocaleSet(keys: []))
        let d = expectDiagnostic(
            diagnostics, StructureRule.yamlSyntax, .error, file: "dialogs/main.yaml",
            at: dialog.location("1️⃣"), message: ["YAML syntax", "mapping values are not allowed"])
        expectNothingElse(diagnostics, than: [d])
    }

    @Test("an unknown kind of step, with a suggestion")
    func unknownStepKind() {
        let dialog = MarkedText(
            """
            dialog: main
            start: true
            nodes:
              - 1️⃣aks: has_permit
                type: yesno
                prompt: q.has_permit
              - outcome: ok
                explain: o.ok
            """)
        let diagnostics = lintFixture(dialog, LocaleSet(keys: ["o.ok"], outcomes: ["ok"]))
        let d = expectDiagnostic(
            diagnostics, DialogRule.unknownStepKind, .error, file: "dialogs/main.yaml",
            at: dialog.location("1️⃣"), message: ["'aks'", "did you mean 'ask'?"])
        expectNoOtherErrors(diagnostics, than: [d])
    }

    @Test("an unknown field, with a suggestion")
    func unknownField() {
        let dialog = MarkedText(
            """
            dialog: main
            start: true
            nodes:
              - ask: has_permit
                type: yesno
                prompt: q.has_permit
                1️⃣hlep: q.has_permit.help
              - outcome: ok
                explain: o.ok
            """)
        let diagnostics = lintFixture(
            dialog, LocaleSet(keys: ["q.has_permit", "o.ok"], facts: ["has_permit"], outcomes: ["ok"]))
        let d = expectDiagnostic(
            diagnostics, StructureRule.unknownField, .error, file: "dialogs/main.yaml",
            at: dialog.location("1️⃣"), message: ["unknown field 'hlep'", "did you mean 'help'?"])
        expectNoOtherErrors(diagnostics, than: [d])
    }

    @Test("an unknown question type, with a suggestion")
    func unknownQuestionType() {
        let dialog = MarkedText(
            """
            dialog: main
            start: true
            nodes:
              - ask: has_permit
                type: 1️⃣yesnoo
                prompt: q.has_permit
              - outcome: ok
                explain: o.ok
            """)
        let diagnostics = lintFixture(
            dialog, LocaleSet(keys: ["q.has_permit", "o.ok"], facts: ["has_permit"], outcomes: ["ok"]))
        let d = expectDiagnostic(
            diagnostics, DialogRule.unknownType, .error, file: "dialogs/main.yaml",
            at: dialog.location("1️⃣"), message: ["unknown question type 'yesnoo'", "did you mean 'yesno'?"])
        expectNoOtherErrors(diagnostics, than: [d])
    }

    @Test("a goto to a name no dialog or step has")
    func danglingGoto() {
        let dialog = MarkedText(
            """
            dialog: main
            start: true
            nodes:
              - ask: has_permit
                type: yesno
                prompt: q.has_permit
              - goto: 1️⃣nowhere
                when: has_permit
              - outcome: ok
                explain: o.ok
            """)
        let diagnostics = lintFixture(
            dialog, LocaleSet(keys: ["q.has_permit", "o.ok"], facts: ["has_permit"], outcomes: ["ok"]))
        let d = expectDiagnostic(
            diagnostics, DialogRule.danglingReference, .error, file: "dialogs/main.yaml",
            at: dialog.location("1️⃣"), message: ["goto 'nowhere'"])
        expectNoOtherErrors(diagnostics, than: [d])
    }

    @Test("a next to a dialog that does not exist, with a suggestion")
    func danglingNext() {
        let dialog = MarkedText(
            """
            dialog: main
            start: true
            next: 1️⃣closng
            nodes:
              - ask: has_permit
                type: yesno
                prompt: q.has_permit
            """)
        let closing = MarkedText(
            """
            dialog: closing
            nodes:
              - say: m.bye
            """)
        let locales = LocaleSet(keys: ["q.has_permit", "m.bye"], facts: ["has_permit"])
        let diagnostics = lintFixture(
            dialogs: [("dialogs/main.yaml", dialog), ("dialogs/closing.yaml", closing)], locales: locales.files)
        let d = expectDiagnostic(
            diagnostics, DialogRule.danglingReference, .error, file: "dialogs/main.yaml",
            at: dialog.location("1️⃣"), message: ["next 'closng'", "did you mean 'closing'?"])
        expectNoOtherErrors(diagnostics, than: [d])
    }

    @Test("a step after an unconditional goto is unreachable (warning)")
    func unreachableStep() {
        let dialog = MarkedText(
            """
            dialog: main
            start: true
            nodes:
              - ask: has_permit
                type: yesno
                prompt: q.has_permit
              - goto: finish
              - 1️⃣say: m.skipped
              - say: m.skipped_too
              - id: finish
                outcome: ok
                explain: o.ok
            """)
        let locales = LocaleSet(
            keys: ["q.has_permit", "m.skipped", "m.skipped_too", "o.ok"], facts: ["has_permit"], outcomes: ["ok"])
        let diagnostics = lintFixture(dialog, locales)
        // Only the first unreachable step of a run is reported.
        let d = expectDiagnostic(
            diagnostics, DialogRule.unreachable, .warning, file: "dialogs/main.yaml",
            at: dialog.location("1️⃣"), message: ["never be reached"])
        expectNothingElse(diagnostics, than: [d])
    }

    @Test("a dialog that no goto or next leads to is unreachable (warning)")
    func unreachableDialog() {
        let main = MarkedText(
            """
            dialog: main
            start: true
            nodes:
              - ask: has_permit
                type: yesno
                prompt: q.has_permit
            """)
        let orphan = MarkedText(
            """
            dialog: 1️⃣orphan
            nodes:
              - say: m.orphan
            """)
        let locales = LocaleSet(keys: ["q.has_permit", "m.orphan"], facts: ["has_permit"])
        let diagnostics = lintFixture(
            dialogs: [("dialogs/main.yaml", main), ("dialogs/orphan.yaml", orphan)], locales: locales.files)
        let d = expectDiagnostic(
            diagnostics, DialogRule.unreachable, .warning, file: "dialogs/orphan.yaml",
            at: orphan.location("1️⃣"), message: ["'orphan' is never reached"])
        expectNothingElse(diagnostics, than: [d])
    }

    // MARK: Loops

    @Test("a goto backwards is a loop")
    func loopGotoBackwards() {
        let dialog = MarkedText(
            """
            dialog: main
            start: true
            nodes:
              - id: top
                ask: has_permit
                type: yesno
                prompt: q.has_permit
              - goto: 1️⃣top
                when: not has_permit
            """)
        let diagnostics = lintFixture(dialog, LocaleSet(keys: ["q.has_permit"], facts: ["has_permit"]))
        let d = expectDiagnostic(
            diagnostics, DialogRule.loop, .error, file: "dialogs/main.yaml",
            at: dialog.location("1️⃣"), message: ["goto 'top' goes back"])
        expectNoOtherErrors(diagnostics, than: [d])
    }

    @Test("two dialogs that go to each other are a loop")
    func loopBetweenDialogs() {
        let main = MarkedText(
            """
            dialog: main
            start: true
            nodes:
              - ask: has_permit
                type: yesno
                prompt: q.has_permit
              - goto: other
                when: has_permit
            """)
        let other = MarkedText(
            """
            dialog: other
            next: 1️⃣main
            nodes:
              - say: m.other
            """)
        let locales = LocaleSet(keys: ["q.has_permit", "m.other"], facts: ["has_permit"])
        let diagnostics = lintFixture(
            dialogs: [("dialogs/main.yaml", main), ("dialogs/other.yaml", other)], locales: locales.files)
        // The walk from main meets main again at other's `next`.
        let d = expectDiagnostic(
            diagnostics, DialogRule.loop, .error, file: "dialogs/other.yaml",
            at: other.location("1️⃣"), message: ["'main' leads back to 'other'", "a loop that cannot end"])
        expectNoOtherErrors(diagnostics, than: [d])
    }
}
