import ConsultContent
import ConsultEngine
import ConsultLocalization
import ConsultTestSupport
import Foundation
import Testing

/// Not a timed test: it checks that a large generated tree loads and lints cleanly and prints
/// how long that took, so a change that makes lint slow shows in the figures (`make bench`).
@Suite struct BenchmarkTests {
    /// A dialog of `steps` steps: questions of every kind, computed facts reading earlier answers,
    /// forward gotos and outcomes, with the three locales that go with it.
    static func generate(steps: Int, into dir: URL) throws {
        let fm = FileManager.default
        try fm.createDirectory(at: dir.appendingPathComponent("dialogs"), withIntermediateDirectories: true)
        try fm.createDirectory(at: dir.appendingPathComponent("locales"), withIntermediateDirectories: true)
        var dialog = "dialog: big\nstart: true\nnodes:\n"
        var facts: [String] = []
        var outcomes: [String] = []
        var i = 0
        while i < steps {
            let kind = i % 5
            switch kind {
            case 0:
                dialog += "  - ask: f\(i)\n    type: yesno\n    prompt: q.yesno\n"
                if i >= 5 { dialog += "    when: not f\(i - 5) or true\n" }
                facts.append("f\(i)")
            case 1:
                dialog += "  - ask: f\(i)\n    type: number\n    min: 0\n    max: 120\n    prompt: q.number\n"
                facts.append("f\(i)")
            case 2:
                dialog += "  - let: f\(i)\n    value: f\(i - 1) + 30\n    when: f\(i - 2)\n"
                facts.append("f\(i)")
            case 3:
                dialog += "  - goto: s\(i + 2)\n    when: f\(i - 1) > 100\n"
            default:
                dialog +=
                    "  - outcome: o\(i)\n    id: s\(i + 1)\n    explain: o.text\n    when: f\(i - 2) >= 60 and f\(i - 4)\n"
                outcomes.append("o\(i)")
            }
            i += 1
        }
        // The outcome steps carry the ids the gotos jump to (s<i+1> on step i+1 = i+2 of the goto).
        try dialog.write(to: dir.appendingPathComponent("dialogs/big.yaml"), atomically: true, encoding: .utf8)

        let system = SystemMessages.keys.map { key, args in
            "  \(key.rawValue): \"x \(args.map { "{\($0)}" }.joined(separator: " "))\""
        }
        var english = ""
        for language in ["en", "es", "ru"] {
            let plural =
                language == "ru"
                ? "  one: \"i % 10 = 1 and i % 100 != 11\"\n  few: \"i % 10 = 2..4 and i % 100 != 12..14\"\n  many: \"i % 10 = 0 or i % 10 = 5..9 or i % 100 = 11..14\""
                : "  one: \"i = 1 and v = 0\""
            var text = """
                language: \(language)
                name: \(language)
                formatting_locale: \(language)
                plural_rules:
                \(plural)
                words:
                  yes: [y]
                  no: [n]
                commands: {help: [help], back: [back], change: [change], summary: [summary], why: [why], language: [language], restart: [restart], quit: [quit]}
                list:
                  pair: "{0} & {1}"
                  middle: "{0}, {1}"
                  last: "{0} & {1}"
                messages:
                  q.yesno: "Yes or no?"
                  q.number: "How many?"
                  o.text: "Outcome."

                """
            text += system.joined(separator: "\n") + "\n"
            text += facts.map { "  fact.\($0): \"Fact \($0)\"" }.joined(separator: "\n") + "\n"
            text += outcomes.map { "  outcome.\($0).title: \"Outcome \($0)\"" }.joined(separator: "\n") + "\n"
            if language == "en" { english = text } else { text += translatedFromSection(of: text, english: english) }
            try text.write(
                to: dir.appendingPathComponent("locales/\(language).yaml"), atomically: true, encoding: .utf8)
        }
    }

    @Test func tenThousandStepsLoadAndLint() throws {
        let dir = temporaryPath("bench")
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.generate(steps: 10_000, into: dir)
        let clock = ContinuousClock()
        var report: LintReport?
        let elapsed = clock.measure {
            report = Linter.lint(
                dialogs: dir.appendingPathComponent("dialogs"), locales: dir.appendingPathComponent("locales"))
        }
        let r = try #require(report)
        #expect(r.diagnostics.isEmpty, "\(r.diagnostics.prefix(3).map(\.description))")
        guard let set = r.dialogs else {
            Issue.record("the generated tree did not load")
            return
        }
        #expect(set.dialogs[0].nodes.count == 10_000)
        // A walk over the whole tree, as every answer triggers.
        let walkTime = clock.measure {
            _ = try? Walk(set, answers: [:], today: LocalDate(year: 2026, month: 11, day: 25)!)
        }
        // The phases: YAML parsing (Yams) and our own checks.
        var diagnostics: [Diagnostic] = []
        var files: [YAMLFile] = []
        let parse = clock.measure {
            for path in ["dialogs/big.yaml", "locales/en.yaml", "locales/es.yaml", "locales/ru.yaml"] {
                if let f = YAMLFile.load(dir.appendingPathComponent(path), displayPath: path, into: &diagnostics) {
                    files.append(f)
                }
            }
        }
        let checks = clock.measure {
            _ = Linter.lint(dialogFiles: [files[0]], localeFiles: Array(files.dropFirst()))
        }
        print(
            "benchmark: load + lint of 10,000 steps and 3 locales: \(elapsed) (YAML parsing \(parse), checks \(checks)); one walk over the tree: \(walkTime)"
        )
    }
}
