import ConsultContent
import ConsultEngine
import ConsultLocalization
import ConsultTestSupport
import Foundation
import Testing

// Every lint rule, by its case: a small content that breaks it, and the rule's id and severity
// in what lint reports. A rule added without content here fails `everyRuleHasAFixture`.

/// One dialog and the locales `ruleFixture` starts from, with nothing wrong in them.
private let baseDialog = """
    dialog: main
    start: true
    nodes:
      - ask: has_permit
        type: yesno
        prompt: q.has_permit
      - outcome: ok
        explain: o.ok
    """

private let baseLocales = LocaleSet(keys: ["q.has_permit", "o.ok"], facts: ["has_permit"], outcomes: ["ok"])

/// Content that breaks one rule: the dialogs (the base one when none) and edits of the locale
/// files: lines added to a language's messages, and replacements in its text.
private struct RuleFixture: Sendable {
    var dialogs: [String] = [baseDialog]
    var extra: [String: [String]] = [:]
    var omitted: [String: Set<String>] = [:]
    var replace: [String: [(String, String)]] = [:]
    var languages = LocaleSet.languages
    /// Whole locale files written instead of the generated ones.
    var texts: [String: String] = [:]
    var recordSources = true

    /// The base dialog with `steps` (indented as steps) added before the outcome.
    static func steps(_ steps: String, header: String = "") -> RuleFixture {
        let indented = steps.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }.joined(
            separator: "\n")
        let dialog = baseDialog.replacingOccurrences(of: "  - outcome: ok", with: indented + "\n  - outcome: ok")
        return RuleFixture(dialogs: [
            header.isEmpty ? dialog : dialog.replacingOccurrences(of: "start: true", with: header)
        ])
    }

    func lint() -> [Diagnostic] {
        var locales = baseLocales
        locales.extra = extra
        locales.omitted = omitted
        locales.recordSources = recordSources
        let localeFiles = languages.map { language in
            var text = texts[language] ?? locales.text(language).text
            for (old, new) in replace[language] ?? [] { text = text.replacingOccurrences(of: old, with: new) }
            return (path: "locales/\(language).yaml", text: MarkedText(text))
        }
        let dialogFiles = dialogs.enumerated().map {
            (path: "dialogs/d\($0.offset).yaml", text: MarkedText($0.element))
        }
        return lintFixture(dialogs: dialogFiles, locales: localeFiles)
    }
}

private let otherDialog = "dialog: other\nnodes:\n  - say: o.ok\n"

/// A content breaking each rule of the dialogs, the locales and the translations.
private let ruleFixtures: [String: RuleFixture] = [
    StructureRule.yamlSyntax.id: .steps("- say: o.ok: x"),
    StructureRule.unknownField.id: .steps("- say: o.ok\n  hlep: x"),
    StructureRule.missingField.id: .steps("- let: x"),
    StructureRule.fieldType.id: .steps("", header: "start: maybe"),
    LocaleRule.localeShape.id: RuleFixture(texts: ["es": "- language: es\n- messages\n"]),
    LocaleRule.languageMismatch.id: RuleFixture(replace: ["es": [("language: es", "language: pt")]]),
    LocaleRule.pluralRule.id: RuleFixture(replace: ["es": [(#"one: "i = 1 and v = 0""#, #"one: "i = = 1""#)]]),
    LocaleRule.missingCommand.id: RuleFixture(replace: ["es": [(", quit: [quit]}", "}")]]),
    LocaleRule.messageKey.id: RuleFixture(extra: ["es": [#""": "x""#]]),
    LocaleRule.duplicateKey.id: RuleFixture(extra: ["es": [#"o.ok: "again""#]]),
    LocaleRule.messageType.id: RuleFixture(extra: ["es": ["o.other: [a, b]"]]),
    LocaleRule.messageSyntax.id: RuleFixture(replace: ["es": [(#""es text of o.ok""#, #""{unclosed""#)]]),
    LocaleRule.typographyNoBreak.id: RuleFixture(replace: ["es": [(#""es text of o.ok""#, #""+7 495 972-30-11""#)]]),
    DialogRule.dialogShape.id: RuleFixture(dialogs: [baseDialog, "- a\n- b\n"]),
    DialogRule.duplicateDialog.id: RuleFixture(dialogs: [baseDialog, "dialog: main\nnodes: []\n"]),
    DialogRule.badName.id: .steps("- ask: HasPermit\n  type: yesno\n  prompt: q.has_permit"),
    DialogRule.stepShape.id: .steps("- just text"),
    DialogRule.unknownStepKind.id: .steps("- aks: x"),
    DialogRule.duplicateField.id: .steps("- say: o.ok\n  when: has_permit\n  when: has_permit"),
    DialogRule.expressionSyntax.id: .steps("- say: o.ok\n  when: has_permit =="),
    DialogRule.expressionType.id: .steps("- say: o.ok\n  when: has_permt"),
    DialogRule.typeMismatch.id: .steps("- say: o.ok\n  when: 3"),
    DialogRule.unknownType.id: .steps("- ask: x\n  type: yesnoo\n  prompt: q.has_permit"),
    DialogRule.nestedGroup.id: .steps(
        """
        - ask: g
          type: group
          prompt: q.has_permit
          more: q.has_permit
          item: q.has_permit
          fields:
            - ask: inner
              type: group
              prompt: q.has_permit
        """),
    DialogRule.duplicateChoice.id: .steps(
        """
        - ask: c
          type: choice
          prompt: q.has_permit
          choices:
            - {value: a, label: o.ok}
            - {value: a, label: o.ok}
        """),
    DialogRule.badRange.id: .steps("- ask: n\n  type: number\n  min: 5\n  max: 1\n  prompt: q.has_permit"),
    DialogRule.noStart.id: .steps("", header: "start: false"),
    DialogRule.severalStarts.id: RuleFixture(dialogs: [baseDialog, "dialog: other\nstart: true\nnodes: []\n"]),
    DialogRule.duplicateFact.id: .steps("- ask: has_permit\n  type: yesno\n  prompt: q.has_permit"),
    DialogRule.duplicateID.id: .steps("- id: a\n  say: o.ok\n- id: a\n  say: o.ok"),
    DialogRule.loop.id: .steps("- id: a\n  say: o.ok\n- goto: a"),
    DialogRule.danglingReference.id: .steps("- goto: nowhere"),
    DialogRule.unreachable.id: RuleFixture(dialogs: [baseDialog, otherDialog]),
    DialogRule.appointmentUrgent.id: RuleFixture(dialogs: [
        baseDialog + "\nappointment: {applicant: [has_permit], urgent: nothing}\n"
    ]),
    // A consent role must be a yes/no question, a language role a choice.
    DialogRule.factRole.id: RuleFixture(dialogs: [baseDialog + "\nroles: {language: has_permit}\n"]),
    DialogRule.timeZone.id: RuleFixture(dialogs: [baseDialog + "\ntime_zone: Mars/Olympus_Mons\n"]),
    TranslationRule.noFallback.id: RuleFixture(languages: ["es", "ru"]),
    TranslationRule.missingKey.id: RuleFixture(omitted: ["es": ["o.ok"]]),
    TranslationRule.unknownPlaceholder.id: RuleFixture(replace: ["es": [(#""es text of o.ok""#, #""{nothing}""#)]]),
    TranslationRule.unusedKey.id: RuleFixture(extra: ["es": [#"o.unused: "x""#]]),
    TranslationRule.placeholderMismatch.id: RuleFixture(replace: ["es": [(#""es text of o.ok""#, #""{has_permit}""#)]]),
    TranslationRule.pluralMissing.id: RuleFixture(replace: [
        "ru": [(#""ru text of o.ok""#, #""{has_permit, plural, one {#} other {#}}""#)]
    ]),
    TranslationRule.staleTranslation.id: RuleFixture(replace: ["en": [(#""en text of o.ok""#, #""new English""#)]]),
    TranslationRule.missingSource.id: RuleFixture(recordSources: false),
    TranslationRule.orphanSource.id: RuleFixture(replace: [
        "es": [("translated_from:\n", "translated_from:\n  o.gone: \"0123abcd gone\"\n")]
    ]),
    TranslationRule.pluralExtra.id: RuleFixture(replace: [
        "es": [(#""es text of o.ok""#, #""{has_permit, plural, one {#} few {#} other {#}}""#)]
    ]),
]

/// Rules that Yams pre-empts: it refuses a mapping with a key written twice, so the file gets
/// `yaml-syntax` (at line 1, naming the key) and the loaders' own check is a second line of defence.
private let shadowedByYAML = [DialogRule.duplicateField.id, LocaleRule.duplicateKey.id]

/// The rules found in a content folder rather than in a file's text.
private let folderRules = [StructureRule.unreadableFile.id, LocaleRule.noLocales.id, DialogRule.noDialogs.id]

/// Every rule lint knows, with its severity.
let allRules: [(id: String, severity: Diagnostic.Severity)] =
    StructureRule.allCases.map { ($0.id, $0.severity) } + LocaleRule.allCases.map { ($0.id, $0.severity) }
    + DialogRule.allCases.map { ($0.id, $0.severity) } + TranslationRule.allCases.map { ($0.id, $0.severity) }
    + ScenarioRule.allCases.map { ($0.id, $0.severity) }

@Suite("lint rules")
struct RuleTests {
    @Test("each rule has its own id, in kebab-case")
    func idsAreUniqueAndKebabCase() {
        let ids = allRules.map(\.id)
        #expect(Set(ids).count == ids.count, "an id is used by two rules: \(ids.sorted())")
        for id in ids {
            #expect(id.wholeMatch(of: /[a-z]+(-[a-z]+)*/) != nil, "\(id) is not kebab-case")
        }
    }

    @Test("only the rules about style and reach are warnings")
    func warnings() {
        let warnings = allRules.filter { $0.severity == .warning }.map(\.id).sorted()
        #expect(
            warnings == [
                "missing-source", "orphan-source", "plural-extra", "stale-translation", "typography-no-break",
                "unreachable", "unused-key",
            ])
    }

    @Test("every rule of the dialogs and the locales is broken by some fixture")
    func everyRuleHasAFixture() {
        let scenarioRules = Set(ScenarioRule.allCases.map(\.id))
        for rule in allRules where !scenarioRules.contains(rule.id) {
            #expect(ruleFixtures[rule.id] != nil || folderRules.contains(rule.id), "no fixture breaks [\(rule.id)]")
        }
    }

    @Test("lint reports the rule a fixture breaks, with the rule's severity", arguments: ruleFixtures.keys.sorted())
    func fixtureBreaksItsRule(_ id: String) throws {
        let diagnostics = try #require(ruleFixtures[id]).lint()
        if shadowedByYAML.contains(id) {
            #expect(diagnostics.contains { $0.is(StructureRule.yamlSyntax) && $0.message.contains("duplicated key") })
            return
        }
        let found = diagnostics.filter { $0.id == id }
        #expect(!found.isEmpty, "no [\(id)] in:\n\(describeDiagnostics(diagnostics))")
        let severity = try #require(allRules.first { $0.id == id }).severity
        #expect(found.allSatisfy { $0.severity == severity })
    }

    @Test("an empty dialogs folder, an empty locales folder and a file that is not UTF-8")
    func folderRulesAreReported() throws {
        let root = temporaryPath("rules")
        defer { try? FileManager.default.removeItem(at: root) }
        let dialogs = root.appendingPathComponent("dialogs"), locales = root.appendingPathComponent("locales")
        try FileManager.default.createDirectory(at: dialogs, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: locales, withIntermediateDirectories: true)
        var ids = Linter.lint(dialogs: dialogs, locales: locales).diagnostics.map(\.id)
        #expect(ids.contains(DialogRule.noDialogs.id) && ids.contains(LocaleRule.noLocales.id))
        try Data([0x64, 0xFF, 0xFE, 0x0A]).write(to: dialogs.appendingPathComponent("bad.yaml"))
        ids = Linter.lint(dialogs: dialogs, locales: locales).diagnostics.map(\.id)
        #expect(ids.contains(StructureRule.unreadableFile.id))
    }
}

/// A scenario case that breaks each rule of the scenario files, with the shipped content.
private let scenarioFixtures: [String: String] = {
    let answers = "answers: {topic: vks_residence_permit, has_vks_work_permit: none}"
    func oneCase(_ lines: String, today: String = "today: 2026-11-25\n") -> String {
        "\(today)cases:\n" + "  - " + lines.split(separator: "\n").joined(separator: "\n    ") + "\n"
    }
    return [
        ScenarioRule.shape.id: "today: 2026-11-25\ncases: x\n",
        ScenarioRule.key.id: "colour: red\n" + oneCase("name: n\n\(answers)\noutcomes: [vks_rp_not_eligible]"),
        ScenarioRule.name.id: oneCase("\(answers)\noutcomes: [vks_rp_not_eligible]"),
        ScenarioRule.today.id: oneCase("name: n\n\(answers)\noutcomes: [vks_rp_not_eligible]", today: ""),
        ScenarioRule.answers.id: oneCase("name: n\noutcomes: [vks_rp_not_eligible]"),
        ScenarioRule.outcomes.id: oneCase(
            "name: n\n\(answers)\noutcomes: [vks_rp_not_eligible]\noutcomes_include: [vks_rp_not_eligible]"),
        ScenarioRule.empty.id: oneCase("name: n\n\(answers)"),
        ScenarioRule.date.id: oneCase(
            "name: n\n\(answers)\noutcomes: [vks_rp_not_eligible]", today: "today: 2026-13-45\n"),
        ScenarioRule.computedAnswer.id: oneCase(
            "name: n\nanswers: {topic: general_residence_permit, rvp_expires: 2027-01-01}\noutcomes: [x]"),
        ScenarioRule.unknownFact.id: oneCase(
            "name: n\nanswers: {topic: vks_residence_permit, nope: 1}\noutcomes: [vks_rp_not_eligible]"),
        ScenarioRule.outcome.id: oneCase("name: n\n\(answers)\noutcomes: [[a]]"),
        ScenarioRule.unknownOutcome.id: oneCase("name: n\n\(answers)\noutcomes: [nope]"),
        ScenarioRule.value.id: oneCase("name: n\n\(answers)\nfacts: {has_vks_work_permit: banana}"),
        ScenarioRule.language.id: oneCase("name: n\n\(answers)\nexplanation: {xx: [a]}"),
    ]
}()

extension RuleTests {
    @Test("every rule of the scenario files is broken by some fixture")
    func everyScenarioRuleHasAFixture() {
        for rule in ScenarioRule.allCases {
            #expect(scenarioFixtures[rule.id] != nil, "no scenario breaks [\(rule.id)]")
        }
    }

    @Test("consult test reports the rule a scenario breaks", arguments: scenarioFixtures.keys.sorted())
    func scenarioBreaksItsRule(_ id: String) throws {
        let (_, diagnostics) = try scenarioFile(try #require(scenarioFixtures[id]))
        #expect(
            diagnostics.contains { $0.id == id && $0.severity == .error },
            "no [\(id)] in:\n\(describeDiagnostics(diagnostics))")
    }
}
