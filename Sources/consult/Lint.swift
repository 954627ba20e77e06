import ArgumentParser
import ConsultContent
import ConsultEngine
import Foundation

extension Consult {
    struct Lint: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check the question trees and locale files; every problem is printed as file:line:col.")

        @OptionGroup var content: ContentOptions

        @Flag(help: "Treat warnings as errors.")
        var strict = false

        enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

        @Option(
            help:
                "text (file:line:col: severity: message [id]) or json (an array of {file, line, column, severity, id, message}, for editors and CI annotations)."
        )
        var format: Format = .text

        func run() throws {
            // Lint checks the copy being edited: ./dialogs and ./locales when they are here.
            let location = ContentLocation.locate(dialogs: content.dialogs, locales: content.locales, editing: true)
            let report = Linter.lint(dialogs: location.dialogs, locales: location.locales)
            switch format {
            case .text:
                for d in report.diagnostics { print(d.description) }
            case .json:
                print(try Self.json(report.diagnostics))
            }
            let summary =
                "\(report.errorCount) error\(report.errorCount == 1 ? "" : "s"), \(report.warningCount) warning\(report.warningCount == 1 ? "" : "s")"
            printError(summary)
            if report.hasErrors || (strict && report.warningCount > 0) { throw ExitCode(1) }
        }

        /// One object per diagnostic, in the order lint found them.
        struct Entry: Encodable {
            let file: String
            let line: Int
            let column: Int
            let severity: String
            let id: String
            let message: String
        }

        static func json(_ diagnostics: [Diagnostic]) throws -> String {
            let entries = diagnostics.map {
                Entry(
                    file: $0.location.file, line: $0.location.line, column: $0.location.column,
                    severity: $0.severity.rawValue, id: $0.id, message: $0.message)
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            return String(decoding: try encoder.encode(entries), as: UTF8.self)
        }
    }
}
