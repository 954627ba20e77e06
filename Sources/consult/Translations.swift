import ArgumentParser
import ConsultContent
import ConsultEngine
import ConsultLocalization
import Foundation

extension Consult {
    struct Translations: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "How far each language is translated, and recording that translations were reviewed.",
            discussion: """
                Each translated message records the English it was made from (translated_from: in \
                es.yaml and ru.yaml). When the English changes, lint warns at the translation until a \
                translator reviews it and runs mark-current.
                """,
            subcommands: [Status.self, MarkCurrent.self])

        /// The locale files being edited (./locales when it is here, as lint reads them).
        static func folder(_ content: ContentOptions) -> LocaleFolder {
            let location = ContentLocation.locate(dialogs: content.dialogs, locales: content.locales, editing: true)
            return LocaleFolder.load(location.locales, displayPrefix: Linter.displayPath(location.locales))
        }
    }
}

extension Consult.Translations {
    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Per language: messages, translated, missing, stale, unrecorded and current.")

        @OptionGroup var content: ContentOptions

        enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

        @Option(help: "text (one line per language) or json.")
        var format: Format = .text

        func run() throws {
            let coverage: [TranslationCoverage]
            do throws(TranslationReviewError) {
                coverage = try Consult.Translations.folder(content).coverage()
            } catch {
                throw ValidationError(error.description)
            }
            switch format {
            case .text:
                for language in coverage { print(language.summary) }
            case .json:
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                print(String(decoding: try encoder.encode(coverage), as: UTF8.self))
            }
        }
    }

    struct MarkCurrent: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "mark-current",
            abstract: "Record that the translations of these messages match the English as it is now.",
            discussion: "Only the translated_from lines of those messages change; the rest of each file stays as it is."
        )

        @ArgumentParser.Argument(
            help: ArgumentHelp("Message keys, e.g. vks.outcome.vks_rp_eligible.", valueName: "key"))
        var keys: [String] = []

        @Option(
            help: ArgumentHelp(
                "Only this language (es, ru); repeat for several. Default: every translation.", valueName: "lang"))
        var lang: [String] = []

        @Flag(help: "Every translated message (after reviewing a whole file).")
        var all = false

        @OptionGroup var content: ContentOptions

        func validate() throws {
            if all == !keys.isEmpty { throw ValidationError("give message keys or --all (not both)") }
        }

        func run() throws {
            let folder = Consult.Translations.folder(content)
            do throws(TranslationReviewError) {
                let marked = try folder.markCurrent(
                    all ? nil : keys.map { MessageKey($0) }, languages: lang.isEmpty ? nil : lang)
                for (file, count) in marked {
                    print(
                        "\(file.catalog.language): \(count) message\(count == 1 ? "" : "s") marked current in \(file.yaml.path)"
                    )
                }
            } catch {
                printError("error: \(error.description)")
                throw ExitCode(1)
            }
        }
    }
}
