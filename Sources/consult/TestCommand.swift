import ArgumentParser
import ConsultContent
import ConsultEngine
import Foundation

extension Consult {
    struct Test: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Run the scenario tests (dialogs/tests/*.yaml): answers in, expected outcomes, facts and phrases out.",
            discussion: """
                Exit status: 0 every case passed; 1 a case failed or a scenario file has a problem; \
                2 the content itself does not load (run `consult lint`).
                """)

        @Argument(
            help: ArgumentHelp("Scenario files or folders (default: the dialogs' tests folder).", valueName: "files"))
        var files: [String] = []

        @Flag(help: "Also list the outcomes, conditions and messages that no scenario reaches.")
        var coverage = false

        @Flag(name: .shortAndLong, help: "List the cases that pass too.")
        var verbose = false

        @OptionGroup var content: ContentOptions

        func run() throws {
            // Like lint, the scenarios test the copy being edited.
            let (location, content) = try self.content.loadForEditing()
            var diagnostics: [Diagnostic] = []
            let files = ScenarioSuite.load(
                paths: self.files, defaultFolder: location.dialogs.appendingPathComponent("tests"),
                content: content, into: &diagnostics)
            let results = files.flatMap(\.scenarios).map { ScenarioRunner.run($0, content: content) }
            print(ScenarioSuite.report(results, diagnostics: diagnostics, verbose: verbose))
            if coverage {
                print("")
                print(
                    ScenarioSuite.report(ScenarioCoverage(content: content, results: results), scenarios: results.count)
                )
            }
            if !diagnostics.isEmpty || results.contains(where: { !$0.passed }) || results.isEmpty && diagnostics.isEmpty
            {
                if results.isEmpty && diagnostics.isEmpty { printError("no scenarios found") }
                throw ExitCode(1)
            }
        }
    }
}
