import ConsultContent
import ConsultEngine
import ConsultLocalization
import Testing

// Each test lints a minimal dialog with minimal locales and checks the diagnostic's id, severity
// and exact file:line:column, taken from a marker (1️⃣) in the fixture.
//
// Where a column points inside an expression or a message, it is the node's column (as Yams
// reports it) plus the offset inside the value: for a plain scalar the marker column is
// `mark.column + offset`, for a quoted one `mark.column + 1 + offset` (the opening quote).

// MARK: - Fixtures

/// Valid en/es/ru locale files for a set of message keys: every key of `SystemMessages`,
/// `fact.X` for each fact, `outcome.ID.title` for each outcome, and the dialogs' own keys.
/// A test leaves keys out of a language (`omitted`) or adds raw message lines, which may carry
/// markers (`extra`).
struct LocaleSet {
    var keys: [String]
    var facts: [String] = []
    var outcomes: [String] = []
    /// Keys left out of a language.
    var omitted: [String: Set<String>] = [:]
    /// Raw lines added at the end of a language's `messages:` (indented by two spaces).
    var extra: [String: [String]] = [:]

    static let languages = ["en", "es", "ru"]

    static let headers: [String: String] = [
        "en": """
            language: en
            name: English
            formatting_locale: en_GB
            plural_rules:
              one: "i = 1 and v = 0"
            words:
              yes: [yes, y]
              no: [no, n]
            commands: {help: [help], back: [back], change: [change], summary: [summary], why: [why], language: [language], restart: [restart], quit: [quit]}
            list:
              pair: "{0} and {1}"
              middle: "{0}, {1}"
              last: "{0} and {1}"
            """,
        "es": """
            language: es
            name: Español
            formatting_locale: es_ES
            plural_rules:
              one: "i = 1 and v = 0"
            words:
              yes: [sí, si, s]
              no: [no, n]
            commands: {help: [help], back: [back], change: [change], summary: [summary], why: [why], language: [language], restart: [restart], quit: [quit]}
            list:
              pair: "{0} y {1}"
              middle: "{0}, {1}"
              last: "{0} y {1}"
            """,
        "ru": """
            language: ru
            name: Русский
            formatting_locale: ru_RU
            plural_rules:
              one: "i % 10 = 1 and i % 100 != 11"
              few: "i % 10 = 2..4 and i % 100 != 12..14"
              many: "i % 10 = 0 or i % 10 = 5..9 or i % 100 = 11..14"
            words:
              yes: [да, д]
              no: [нет, н]
            commands: {help: [help], back: [back], change: [change], summary: [summary], why: [why], language: [language], restart: [restart], quit: [quit]}
            list:
              pair: "{0} и {1}"
              middle: "{0}, {1}"
              last: "{0} и {1}"
            """,
    ]

    /// Every key these locales hold (before `omitted` and `extra`), sorted.
    var allKeys: [String] {
        let system = SystemMessages.keys.keys.map(\.rawValue)
        let factKeys = facts.map { SystemMessages.factName($0).rawValue }
        let outcomeKeys = outcomes.map { SystemMessages.outcomeTitle($0).rawValue }
        return Array(Set(system + factKeys + outcomeKeys + keys)).sorted()
    }

    func text(_ language: String) -> MarkedText {
        var lines = [LocaleSet.headers[language]!, "messages:"]
        let left = omitted[language] ?? []
        for key in allKeys where !left.contains(key) {
            lines.append("  \(key): \"\(language) text of \(key)\"")
        }
        for line in extra[language] ?? [] {
            lines.append("  " + line)
        }
        return MarkedText(lines.joined(separator: "\n") + "\n")
    }

    var files: [(path: String, text: MarkedText)] {
        LocaleSet.languages.map { ("locales/\($0).yaml", text($0)) }
    }
}

/// Parses the files as `consult lint` reads them (a YAML syntax error is a diagnostic too) and lints them.
func lintFixture(dialogs: [(path: String, text: MarkedText)], locales: [(path: String, text: MarkedText)]) -> [Diagnostic] {
    var diagnostics: [Diagnostic] = []
    let dialogFiles = dialogs.compactMap { YAMLFile.parse($0.text.text, displayPath: $0.path, into: &diagnostics) }
    let localeFiles = locales.compactMap { YAMLFile.parse($0.text.text, displayPath: $0.path, into: &diagnostics) }
    let report = Linter.lint(dialogFiles: dialogFiles, localeFiles: localeFiles)
    return diagnostics + report.diagnostics
}

/// Lints one dialog (`dialogs/main.yaml`) with locales.
func lintFixture(_ dialog: MarkedText, _ locales: LocaleSet) -> [Diagnostic] {
    lintFixture(dialogs: [("dialogs/main.yaml", dialog)], locales: locales.files)
}

/// Expects exactly one diagnostic with `id` at `file:location`, of that severity, whose message
/// contains every string of `message`.
@discardableResult
func expectDiagnostic(
    _ diagnostics: [Diagnostic], id: String, _ severity: Diagnostic.Severity,
    file: String, at location: MarkedText.Location, message: [String] = [],
    sourceLocation: Testing.SourceLocation = #_sourceLocation
) -> Diagnostic? {
    let place = ConsultEngine.SourceLocation(file: file, line: location.line, column: location.column)
    let matching = diagnostics.filter { $0.id == id && $0.location == place }
    #expect(matching.count == 1, "expected one [\(id)] at \(place); got:\n\(describeDiagnostics(diagnostics))", sourceLocation: sourceLocation)
    guard let d = matching.first else { return nil }
    #expect(d.severity == severity, "\(d)", sourceLocation: sourceLocation)
    for part in message {
        #expect(d.message.contains(part), "message \"\(d.message)\" lacks \"\(part)\"", sourceLocation: sourceLocation)
    }
    return d
}

/// Expects that nothing but `expected` was reported (no cascade of other problems).
func expectNothingElse(_ diagnostics: [Diagnostic], than expected: [Diagnostic?], sourceLocation: Testing.SourceLocation = #_sourceLocation) {
    let others = diagnostics.filter { d in !expected.contains { $0 == d } }
    #expect(others.isEmpty, "unexpected diagnostics:\n\(describeDiagnostics(others))", sourceLocation: sourceLocation)
}

/// Expects that no error but `expected` was reported (warnings are not looked at).
func expectNoOtherErrors(_ diagnostics: [Diagnostic], than expected: [Diagnostic?], sourceLocation: Testing.SourceLocation = #_sourceLocation) {
    let others = diagnostics.filter { d in d.severity == .error && !expected.contains { $0 == d } }
    #expect(others.isEmpty, "unexpected errors:\n\(describeDiagnostics(others))", sourceLocation: sourceLocation)
}

func describeDiagnostics(_ diagnostics: [Diagnostic]) -> String {
    diagnostics.isEmpty ? "(none)" : diagnostics.map(\.description).joined(separator: "\n")
}

// MARK: - Tests

@Suite("lint")
struct LintTests {
    // MARK: A small content with nothing wrong

    @Test("valid content produces no diagnostics at all")
    func validContent() {
        let main = MarkedText("""
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
        let closing = MarkedText("""
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
            keys: ["m.intro", "q.has_permit", "q.has_permit.help", "q.permit_status", "c.issued", "c.pending",
                   "q.start_date", "q.family", "q.family.more", "q.family.relation", "c.spouse", "c.child",
                   "q.family.age", "o.permit_ok.confirm", "q.name"],
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
        let diagnostics = lintFixture(dialogs: [("dialogs/main.yaml", main), ("dialogs/closing.yaml", closing)], locales: locales.files)
        #expect(diagnostics.isEmpty, "\(describeDiagnostics(diagnostics))")
    }

    // MARK: Structure

    @Test("a YAML syntax error is reported at libyaml's place")
    func yamlSyntaxError() {
        let dialog = MarkedText("""
            dialog: main
            start: true
            nodes:
              - ask: has_permit
                type: yesno
                prompt: q.has_permit1️⃣: x
            """)
        let diagnostics = lintFixture(dialog, LocaleSet(keys: []))
        let d = expectDiagnostic(diagnostics, id: "yaml-syntax", .error, file: "dialogs/main.yaml",
                                 at: dialog.location("1️⃣"), message: ["YAML syntax", "mapping values are not allowed"])
        expectNothingElse(diagnostics, than: [d])
    }

    @Test("an unknown kind of step, with a suggestion")
    func unknownStepKind() {
        let dialog = MarkedText("""
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
        let d = expectDiagnostic(diagnostics, id: "unknown-step-kind", .error, file: "dialogs/main.yaml",
                                 at: dialog.location("1️⃣"), message: ["'aks'", "did you mean 'ask'?"])
        expectNoOtherErrors(diagnostics, than: [d])
    }

    @Test("an unknown field, with a suggestion")
    func unknownField() {
        let dialog = MarkedText("""
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
        let diagnostics = lintFixture(dialog, LocaleSet(keys: ["q.has_permit", "o.ok"], facts: ["has_permit"], outcomes: ["ok"]))
        let d = expectDiagnostic(diagnostics, id: "unknown-field", .error, file: "dialogs/main.yaml",
                                 at: dialog.location("1️⃣"), message: ["unknown field 'hlep'", "did you mean 'help'?"])
        expectNoOtherErrors(diagnostics, than: [d])
    }

    @Test("an unknown question type, with a suggestion")
    func unknownQuestionType() {
        let dialog = MarkedText("""
            dialog: main
            start: true
            nodes:
              - ask: has_permit
                type: 1️⃣yesnoo
                prompt: q.has_permit
              - outcome: ok
                explain: o.ok
            """)
        let diagnostics = lintFixture(dialog, LocaleSet(keys: ["q.has_permit", "o.ok"], facts: ["has_permit"], outcomes: ["ok"]))
        let d = expectDiagnostic(diagnostics, id: "unknown-type", .error, file: "dialogs/main.yaml",
                                 at: dialog.location("1️⃣"), message: ["unknown question type 'yesnoo'", "did you mean 'yesno'?"])
        expectNoOtherErrors(diagnostics, than: [d])
    }

    @Test("a goto to a name no dialog or step has")
    func danglingGoto() {
        let dialog = MarkedText("""
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
        let diagnostics = lintFixture(dialog, LocaleSet(keys: ["q.has_permit", "o.ok"], facts: ["has_permit"], outcomes: ["ok"]))
        let d = expectDiagnostic(diagnostics, id: "dangling-reference", .error, file: "dialogs/main.yaml",
                                 at: dialog.location("1️⃣"), message: ["goto 'nowhere'"])
        expectNoOtherErrors(diagnostics, than: [d])
    }

    @Test("a next to a dialog that does not exist, with a suggestion")
    func danglingNext() {
        let dialog = MarkedText("""
            dialog: main
            start: true
            next: 1️⃣closng
            nodes:
              - ask: has_permit
                type: yesno
                prompt: q.has_permit
            """)
        let closing = MarkedText("""
            dialog: closing
            nodes:
              - say: m.bye
            """)
        let locales = LocaleSet(keys: ["q.has_permit", "m.bye"], facts: ["has_permit"])
        let diagnostics = lintFixture(dialogs: [("dialogs/main.yaml", dialog), ("dialogs/closing.yaml", closing)], locales: locales.files)
        let d = expectDiagnostic(diagnostics, id: "dangling-reference", .error, file: "dialogs/main.yaml",
                                 at: dialog.location("1️⃣"), message: ["next 'closng'", "did you mean 'closing'?"])
        expectNoOtherErrors(diagnostics, than: [d])
    }

    @Test("a step after an unconditional goto is unreachable (warning)")
    func unreachableStep() {
        let dialog = MarkedText("""
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
        let locales = LocaleSet(keys: ["q.has_permit", "m.skipped", "m.skipped_too", "o.ok"], facts: ["has_permit"], outcomes: ["ok"])
        let diagnostics = lintFixture(dialog, locales)
        // Only the first unreachable step of a run is reported.
        let d = expectDiagnostic(diagnostics, id: "unreachable", .warning, file: "dialogs/main.yaml",
                                 at: dialog.location("1️⃣"), message: ["never be reached"])
        expectNothingElse(diagnostics, than: [d])
    }

    @Test("a dialog that no goto or next leads to is unreachable (warning)")
    func unreachableDialog() {
        let main = MarkedText("""
            dialog: main
            start: true
            nodes:
              - ask: has_permit
                type: yesno
                prompt: q.has_permit
            """)
        let orphan = MarkedText("""
            dialog: 1️⃣orphan
            nodes:
              - say: m.orphan
            """)
        let locales = LocaleSet(keys: ["q.has_permit", "m.orphan"], facts: ["has_permit"])
        let diagnostics = lintFixture(dialogs: [("dialogs/main.yaml", main), ("dialogs/orphan.yaml", orphan)], locales: locales.files)
        let d = expectDiagnostic(diagnostics, id: "unreachable", .warning, file: "dialogs/orphan.yaml",
                                 at: orphan.location("1️⃣"), message: ["'orphan' is never reached"])
        expectNothingElse(diagnostics, than: [d])
    }

    // MARK: Loops

    @Test("a goto backwards is a loop")
    func loopGotoBackwards() {
        let dialog = MarkedText("""
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
        let d = expectDiagnostic(diagnostics, id: "loop", .error, file: "dialogs/main.yaml",
                                 at: dialog.location("1️⃣"), message: ["goto 'top' goes back"])
        expectNoOtherErrors(diagnostics, than: [d])
    }

    @Test("two dialogs that go to each other are a loop")
    func loopBetweenDialogs() {
        let main = MarkedText("""
            dialog: main
            start: true
            nodes:
              - ask: has_permit
                type: yesno
                prompt: q.has_permit
              - goto: other
                when: has_permit
            """)
        let other = MarkedText("""
            dialog: other
            next: 1️⃣main
            nodes:
              - say: m.other
            """)
        let locales = LocaleSet(keys: ["q.has_permit", "m.other"], facts: ["has_permit"])
        let diagnostics = lintFixture(dialogs: [("dialogs/main.yaml", main), ("dialogs/other.yaml", other)], locales: locales.files)
        // The walk from main meets main again at other's `next`.
        let d = expectDiagnostic(diagnostics, id: "loop", .error, file: "dialogs/other.yaml",
                                 at: other.location("1️⃣"), message: ["'main' leads back to 'other'", "a loop that cannot end"])
        expectNoOtherErrors(diagnostics, than: [d])
    }

    // MARK: Expressions

    @Test("an expression syntax error points inside a plain scalar")
    func expressionSyntaxPlain() {
        let dialog = MarkedText("""
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
        let diagnostics = lintFixture(dialog, LocaleSet(keys: ["q.has_permit", "o.ok"], facts: ["has_permit"], outcomes: ["ok"]))
        let d = expectDiagnostic(diagnostics, id: "expression-syntax", .error, file: "dialogs/main.yaml",
                                 at: dialog.location("1️⃣"), message: ["'=' is not an operator", "'=='"])
        #expect(dialog.location("1️⃣") == .init(line: 9, column: 22))
        expectNoOtherErrors(diagnostics, than: [d])
    }

    @Test("an expression syntax error points inside a quoted scalar (after the quote)")
    func expressionSyntaxQuoted() {
        let dialog = MarkedText("""
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
        let diagnostics = lintFixture(dialog, LocaleSet(keys: ["q.has_permit", "o.ok"], facts: ["has_permit"], outcomes: ["ok"]))
        let d = expectDiagnostic(diagnostics, id: "expression-syntax", .error, file: "dialogs/main.yaml",
                                 at: dialog.location("1️⃣"), message: ["'&' is not an operator"])
        expectNoOtherErrors(diagnostics, than: [d])
    }

    @Test("an expression in a double-quoted scalar with escapes still points at the right column")
    func expressionColumnAfterEscapes() {
        // The YAML text has `\"` (two characters) where the value has `"` (one): the column must
        // count the source characters, not the value's.
        let dialog = MarkedText(#"""
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
        let locales = LocaleSet(keys: ["q.permit_status", "c.issued", "o.ok"], facts: ["permit_status"], outcomes: ["ok"])
        let diagnostics = lintFixture(dialog, locales)
        let d = expectDiagnostic(diagnostics, id: "expression-type", .error, file: "dialogs/main.yaml",
                                 at: dialog.location("1️⃣"), message: ["unknown fact 'has_permt'"])
        expectNoOtherErrors(diagnostics, than: [d])
    }

    @Test("comparing a date with a number is a type error")
    func typeErrorDateVersusNumber() {
        let dialog = MarkedText("""
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
        let locales = LocaleSet(keys: ["q.has_permit", "q.start_date", "o.late", "o.exact"],
                                facts: ["has_permit", "start_date"], outcomes: ["late", "exact"])
        let diagnostics = lintFixture(dialog, locales)
        // `<`, `>`: the comparison is pointed at (it starts at its left operand).
        let d1 = expectDiagnostic(diagnostics, id: "expression-type", .error, file: "dialogs/main.yaml",
                                  at: dialog.location("1️⃣"), message: ["'>' compares two numbers or two dates, not date and number"])
        // `==`: the right operand is pointed at.
        let d2 = expectDiagnostic(diagnostics, id: "expression-type", .error, file: "dialogs/main.yaml",
                                  at: dialog.location("2️⃣"), message: ["cannot compare date with number"])
        expectNoOtherErrors(diagnostics, than: [d1, d2])
    }

    @Test("a choice compared with a value it does not offer points at the string")
    func typeErrorChoiceValueNotOffered() {
        let dialog = MarkedText("""
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
        let locales = LocaleSet(keys: ["q.permit_status", "c.issued", "c.pending", "o.ok", "o.waiting"],
                                facts: ["permit_status"], outcomes: ["ok", "waiting"])
        let diagnostics = lintFixture(dialog, locales)
        let d1 = expectDiagnostic(diagnostics, id: "expression-type", .error, file: "dialogs/main.yaml",
                                  at: dialog.location("1️⃣"), message: [#""isued" is not a value of 'permit_status' (issued, pending)"#])
        let d2 = expectDiagnostic(diagnostics, id: "expression-type", .error, file: "dialogs/main.yaml",
                                  at: dialog.location("2️⃣"), message: [#""denied" is not a value of 'permit_status'"#])
        expectNoOtherErrors(diagnostics, than: [d1, d2])
    }

    @Test("an unknown fact, with a suggestion")
    func unknownFact() {
        let dialog = MarkedText("""
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
        let diagnostics = lintFixture(dialog, LocaleSet(keys: ["q.has_permit", "o.ok"], facts: ["has_permit"], outcomes: ["ok"]))
        let d = expectDiagnostic(diagnostics, id: "expression-type", .error, file: "dialogs/main.yaml",
                                 at: dialog.location("1️⃣"), message: ["unknown fact 'has_permt'; did you mean 'has_permit'?"])
        expectNoOtherErrors(diagnostics, than: [d])
    }

    @Test("a fact read before any path can set it")
    func readBeforeSet() {
        let dialog = MarkedText("""
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
        let locales = LocaleSet(keys: ["q.wants_help", "m.intro", "q.has_permit"], facts: ["wants_help", "has_permit"])
        let diagnostics = lintFixture(dialog, locales)
        let d = expectDiagnostic(diagnostics, id: "expression-type", .error, file: "dialogs/main.yaml",
                                 at: dialog.location("1️⃣"), message: ["'has_permit' is read before any path can set it"])
        expectNoOtherErrors(diagnostics, than: [d])
    }

    @Test("the same fact asked twice")
    func duplicateFact() {
        let dialog = MarkedText("""
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
        let d = expectDiagnostic(diagnostics, id: "duplicate-fact", .error, file: "dialogs/main.yaml",
                                 at: dialog.location("2️⃣"),
                                 message: ["the fact 'has_permit' is already asked at dialogs/main.yaml:\(first.line):\(first.column)"])
        expectNoOtherErrors(diagnostics, than: [d])
    }

    @Test("no dialog is marked start: true")
    func noStartDialog() {
        let dialog = MarkedText("""
            1️⃣dialog: main
            nodes:
              - ask: has_permit
                type: yesno
                prompt: q.has_permit
            """)
        let diagnostics = lintFixture(dialog, LocaleSet(keys: ["q.has_permit"], facts: ["has_permit"]))
        let d = expectDiagnostic(diagnostics, id: "no-start", .error, file: "dialogs/main.yaml",
                                 at: dialog.location("1️⃣"), message: ["no dialog is marked 'start: true'"])
        expectNoOtherErrors(diagnostics, than: [d])
    }

    // MARK: Messages

    /// A dialog whose keys and facts the message tests share.
    static let messageDialog = MarkedText("""
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
        let d1 = expectDiagnostic(diagnostics, id: "missing-key", .error, file: "dialogs/main.yaml",
                                  at: LintTests.messageDialog.location("1️⃣"),
                                  message: ["'q.has_permit' is missing in locales/es.yaml"])
        // A key of the program itself is not named by a dialog: it is reported at the locale file.
        let d2 = expectDiagnostic(diagnostics, id: "missing-key", .error, file: "locales/ru.yaml",
                                  at: .init(line: 1, column: 1), message: ["'app.title' is missing in locales/ru.yaml"])
        expectNothingElse(diagnostics, than: [d1, d2])
    }

    @Test("a key nobody uses is a warning at its line")
    func unusedKey() {
        var locales = messageLocales(ok: ["en": #""ok""#, "es": #""ok""#, "ru": #""ok""#])
        locales.extra["es", default: []].append("1️⃣q.forgotten: \"olvidado\"")
        let es = locales.text("es")
        let diagnostics = lintFixture(LintTests.messageDialog, locales)
        let d = expectDiagnostic(diagnostics, id: "unused-key", .warning, file: "locales/es.yaml",
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
        let d1 = expectDiagnostic(diagnostics, id: "placeholder-mismatch", .error, file: "locales/es.yaml",
                                  at: locales.text("es").location("1️⃣"),
                                  message: ["'o.ok' has placeholders none but locales/en.yaml has {permit_until}"])
        let d2 = expectDiagnostic(diagnostics, id: "placeholder-mismatch", .error, file: "locales/ru.yaml",
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
        let d = expectDiagnostic(diagnostics, id: "plural-missing", .error, file: "locales/ru.yaml",
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
            found.append(expectDiagnostic(diagnostics, id: "unknown-placeholder", .error, file: "locales/\(language).yaml",
                                          at: locales.text(language).location(marker),
                                          message: ["'o.ok' uses {permit_untill}, which it is never given", "did you mean '{permit_until}'?"]))
        }
        expectNothingElse(diagnostics, than: found)
    }

    // MARK: Errors do not drown in follow-up noise

    @Test("one error in a dialog does not make every fact's message 'unused'")
    func oneDialogErrorNoCascade() {
        // The same content as `messageFixtureIsValid`, with one misspelt fact in a condition.
        let dialog = MarkedText("""
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
        let d = expectDiagnostic(diagnostics, id: "expression-type", .error, file: "dialogs/main.yaml",
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
