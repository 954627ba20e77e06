import ArgumentParser
import ConsultContent
import Foundation

extension Consult {
    struct Lint: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check the question trees and locale files; every problem is printed as file:line:col.")

        @OptionGroup var content: ContentOptions

        @Flag(help: "Treat warnings as errors.")
        var strict = false

        func run() throws {
            // Lint checks the copy being edited: ./dialogs and ./locales when they are here.
            let location = ContentLocation.locate(dialogs: content.dialogs, locales: content.locales, editing: true)
            let report = Linter.lint(dialogs: location.dialogs, locales: location.locales)
            for d in report.diagnostics {
                print(d.description)
            }
            let summary = "\(report.errorCount) error\(report.errorCount == 1 ? "" : "s"), \(report.warningCount) warning\(report.warningCount == 1 ? "" : "s")"
            printError(summary)
            if report.hasErrors || (strict && report.warningCount > 0) { throw ExitCode(1) }
        }
    }
}
