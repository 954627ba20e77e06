import ArgumentParser
import ConsultContent
import ConsultEngine
import ConsultLocalization
import Foundation

extension Consult {
    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Walk a consultation with answers from a file, asking nothing.",
            discussion: """
                Exit status: 0 an outcome was reached; 3 facts are missing (listed in "missing" and on \
                standard error); 2 the file or a value is malformed. With --batch FILE.jsonl (one JSON \
                object of facts a line; - for standard input) one result a line comes out, in order: \
                {"line", "outcomes", "facts", "missing"} or {"line", "error"}; the exit status is the \
                worst of the lines'.
                """)

        enum Format: String, ExpressibleByArgument, CaseIterable { case json, text }

        @Option(help: ArgumentHelp("A YAML or JSON file of facts (topic and answers).", valueName: "file"))
        var facts: String?

        @Option(
            help: ArgumentHelp(
                "Many profiles in one run: one JSON object of facts a line (- for standard input).",
                valueName: "file.jsonl"))
        var batch: String?

        @Option(
            help: ArgumentHelp(
                "The date of the consultation, YYYY-MM-DD (default: today in Moscow).", valueName: "date"))
        var today: DateArgument?

        @Option(help: "The language of the text output: en, es or ru.")
        var lang = "en"

        @Option(help: "json or text.")
        var format: Format = .json

        @OptionGroup var content: ContentOptions

        func validate() throws {
            guard (facts == nil) != (batch == nil) else {
                throw ValidationError("give either --facts FILE or --batch FILE.jsonl")
            }
            if batch != nil && format == .text { throw ValidationError("--batch writes JSON lines only") }
        }

        func run() throws {
            let content = try self.content.load()
            if let batch {
                let status = try BatchRun.run(
                    content, path: batch, today: today?.date ?? .today(in: content.dialogs.timeZone))
                if status != 0 { throw ExitCode(status) }
                return
            }
            guard let facts else { return }
            let lang: String
            do {
                lang = try content.language(requested: self.lang)
            } catch {
                throw ValidationError("--lang: \(error)")
            }
            var diagnostics: [Diagnostic] = []
            let url = URL(fileURLWithPath: facts)
            guard let file = YAMLFile.load(url, displayPath: facts, into: &diagnostics) else {
                diagnostics.forEach { printError($0.description) }
                throw ExitCode(2)
            }
            let result: HeadlessRun
            do {
                result = try HeadlessRun.run(
                    content, facts: file, today: today?.date ?? .today(in: content.dialogs.timeZone))
            } catch {
                printError(error.description)
                throw ExitCode(2)
            }
            for name in result.unknown {
                printError("\(facts): warning: unknown fact '\(name)' is not used")
            }
            for name in result.computed {
                printError("\(facts): warning: '\(name)' is computed by the consultation; the given value is not used")
            }
            switch format {
            case .json:
                // Plain JSON values (dates YYYY-MM-DD): what PRODUCT.md promises other tools.
                let object: [String: UntypedJSON] = [
                    "outcomes": .array(result.outcomes.map { .string($0.id) }),
                    "facts": .object(result.facts.mapValues(\.untyped)),
                    "missing": .array(result.missing.map(UntypedJSON.string)),
                ]
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                let data = try encoder.encode(object)
                print(String(decoding: data, as: UTF8.self))
            case .text:
                let presenter = Presenter(content: content, language: lang)
                if result.isComplete {
                    print(OutcomeText.render(result.outcomes, environment: result.environment, presenter: presenter))
                }
            }
            if !result.isComplete {
                printError("missing facts: \(result.missing.joined(separator: ", "))")
                throw ExitCode(3)
            }
        }
    }
}
