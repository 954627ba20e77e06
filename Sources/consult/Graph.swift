import ArgumentParser
import ConsultContent
import ConsultEngine
import Foundation

extension Consult {
    struct Graph: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Draw the consultation: every dialog, question, condition and outcome.",
            discussion: """
                Urgent outcomes are those a scenario (dialogs/tests) reaches with the urgent fact yes. \
                --format svg needs Graphviz's `dot` (Debian: graphviz); without it the command says so \
                and exits with status 69.
                """)

        enum Format: String, ExpressibleByArgument, CaseIterable { case dot, mermaid, svg }

        @Option(help: "dot, mermaid or svg.")
        var format: Format = .dot

        @Option(help: "The language of the prompts and answers: en, es or ru.")
        var lang = "en"

        @Option(help: ArgumentHelp("Draw only this dialog.", valueName: "dialog"))
        var dialog: String?

        @Option(
            name: .shortAndLong, help: ArgumentHelp("Write to this file instead of standard output.", valueName: "file")
        )
        var output: String?

        @Option(
            help: ArgumentHelp(
                "The scenarios that show which outcomes are urgent (default: the dialogs' tests folder).",
                valueName: "dir"))
        var scenarios: String?

        @OptionGroup var content: ContentOptions

        func run() throws {
            // Like lint, the graph shows the copy being edited.
            let (location, content) = try self.content.loadForEditing()
            do {
                _ = try content.language(requested: lang)
            } catch {
                throw ValidationError("--lang: \(error)")
            }
            if let dialog, content.dialogs.dialog(named: dialog) == nil {
                throw ValidationError(
                    "--dialog: no dialog '\(dialog)' (dialogs: \(content.dialogs.dialogs.map(\.name).joined(separator: ", ")))"
                )
            }
            let folder = scenarios.map { URL(fileURLWithPath: $0) } ?? location.dialogs.appendingPathComponent("tests")
            var diagnostics: [Diagnostic] = []
            let results = ScenarioSuite.load(paths: [], defaultFolder: folder, content: content, into: &diagnostics)
                .flatMap(\.scenarios).map { ScenarioRunner.run($0, content: content) }
            if !diagnostics.isEmpty {
                printError(
                    "warning: urgency is drawn from the scenarios that could be read; \(diagnostics.count) problem(s) in \(folder.path) (run `consult test`)"
                )
            }
            let graph = GraphBuilder.build(
                content, language: lang, dialog: dialog,
                evidence: UrgencyEvidence(content: content, results: results))
            let data: Data
            switch format {
            case .dot: data = Data(DOTRenderer.render(graph).utf8)
            case .mermaid: data = Data(MermaidRenderer.render(graph).utf8)
            case .svg:
                do {
                    data = try Graphviz.svg(fromDOT: DOTRenderer.render(graph))
                } catch let error as Graphviz.Unavailable {
                    printError("consult graph --format svg: \(error.description)")
                    throw ExitCode(69)
                } catch {
                    printError("consult graph --format svg: \(error)")
                    throw ExitCode(1)
                }
            }
            if let output {
                try data.write(to: URL(fileURLWithPath: output))
            } else {
                FileHandle.standardOutput.write(data)
            }
        }
    }
}
