import ConsultContent
import ConsultEngine
import ConsultLocalization
import ConsultTestSupport
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
    /// Whether es and ru record the English each message was made from (`translated_from:`, all
    /// current), as the shipped locales do.
    var recordSources = true

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
        commands: {help: [help], back: [back], change: [change], summary: [summary], why: [why], language: [language], restart: [restart], pause: [pause], quit: [quit]}
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
        commands: {help: [help], back: [back], change: [change], summary: [summary], why: [why], language: [language], restart: [restart], pause: [pause], quit: [quit]}
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
        commands: {help: [help], back: [back], change: [change], summary: [summary], why: [why], language: [language], restart: [restart], pause: [pause], quit: [quit]}
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
        let marked = lines.joined(separator: "\n") + "\n"
        guard language != "en", recordSources else { return MarkedText(marked) }
        return MarkedText(marked + translatedFromSection(of: MarkedText(marked).text, english: text("en").text))
    }

    var files: [(path: String, text: MarkedText)] {
        LocaleSet.languages.map { ("locales/\($0).yaml", text($0)) }
    }
}

/// The `translated_from:` section of a translation's text: a record of the English text for each
/// of its messages that English has (the translations are current).
func translatedFromSection(of translation: String, english englishText: String) -> String {
    var ignored: [Diagnostic] = []
    guard let englishFile = YAMLFile.parse(englishText, displayPath: "en.yaml", into: &ignored),
        let english = CatalogLoader.load(englishFile, expectedLanguage: nil, typography: false, into: &ignored),
        let file = YAMLFile.parse(translation, displayPath: "xx.yaml", into: &ignored),
        let catalog = CatalogLoader.load(file, expectedLanguage: nil, typography: false, into: &ignored)
    else { return "" }
    let records = catalog.locations.keys.sorted().compactMap { key in
        english.texts[key].map { TranslationSource.line(key, english: $0) }
    }
    return (["translated_from:"] + records).joined(separator: "\n") + "\n"
}

/// Parses the files as `consult lint` reads them (a YAML syntax error is a diagnostic too) and lints them.
func lintFixture(
    dialogs: [(path: String, text: MarkedText)], locales: [(path: String, text: MarkedText)]
) -> [Diagnostic] {
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

/// Expects exactly one diagnostic of `rule` at `file:location`, of that severity, whose message
/// contains every string of `message`.
@discardableResult
func expectDiagnostic(
    _ diagnostics: [Diagnostic], _ rule: some DiagnosticRule, _ severity: Diagnostic.Severity,
    file: String, at location: MarkedText.Location, message: [String] = [],
    sourceLocation: Testing.SourceLocation = #_sourceLocation
) -> Diagnostic? {
    let place = ConsultEngine.SourceLocation(file: file, line: location.line, column: location.column)
    let matching = diagnostics.filter { $0.is(rule) && $0.location == place }
    #expect(
        matching.count == 1, "expected one [\(rule.id)] at \(place); got:\n\(describeDiagnostics(diagnostics))",
        sourceLocation: sourceLocation)
    guard let d = matching.first else { return nil }
    #expect(d.severity == severity, "\(d)", sourceLocation: sourceLocation)
    for part in message {
        #expect(d.message.contains(part), "message \"\(d.message)\" lacks \"\(part)\"", sourceLocation: sourceLocation)
    }
    return d
}

/// Expects that nothing but `expected` was reported (no cascade of other problems).
func expectNothingElse(
    _ diagnostics: [Diagnostic], than expected: [Diagnostic?], sourceLocation: Testing.SourceLocation = #_sourceLocation
) {
    let others = diagnostics.filter { d in !expected.contains { $0 == d } }
    #expect(others.isEmpty, "unexpected diagnostics:\n\(describeDiagnostics(others))", sourceLocation: sourceLocation)
}

/// Expects that no error but `expected` was reported (warnings are not looked at).
func expectNoOtherErrors(
    _ diagnostics: [Diagnostic], than expected: [Diagnostic?], sourceLocation: Testing.SourceLocation = #_sourceLocation
) {
    let others = diagnostics.filter { d in d.severity == .error && !expected.contains { $0 == d } }
    #expect(others.isEmpty, "unexpected errors:\n\(describeDiagnostics(others))", sourceLocation: sourceLocation)
}

func describeDiagnostics(_ diagnostics: [Diagnostic]) -> String {
    diagnostics.isEmpty ? "(none)" : diagnostics.map(\.description).joined(separator: "\n")
}
