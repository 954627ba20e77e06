import ArgumentParser
import ConsultContent
import ConsultEngine
import ConsultTerminal
import Foundation

extension Consult {
    struct Start: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Start a consultation in this terminal (the default).")

        @Option(help: "The language of the first screen: en, es or ru (default: from LANG, else en).")
        var lang: String?

        @Option(help: ArgumentHelp("The date of the consultation, YYYY-MM-DD (default: today in Moscow).", valueName: "date"))
        var today: DateArgument?

        @OptionGroup var content: ContentOptions

        func run() throws {
            TerminalLocale.ensureUTF8CharacterType()
            let content = try self.content.load()
            let envLang = String((ProcessInfo.processInfo.environment["LANG"] ?? "").prefix(2))
            let language = lang ?? (content.localizer.catalogs[envLang] != nil ? envLang : "en")
            let reader = makeLineReader(programName: "consult", suspendAllowed: true)
            let session = try Session(content: content, today: today?.date ?? .todayInMoscow(), language: language,
                                      reader: reader) { text in
                FileHandle.standardOutput.write(Data(text.utf8))
            }
            _ = session.run()
        }
    }
}
