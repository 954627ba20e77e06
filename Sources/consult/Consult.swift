import ArgumentParser
import ConsultContent
import ConsultEngine
import Foundation

@main
struct Consult: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consult",
        abstract: "A consultation assistant for the residence permit of a Highly Qualified Specialist (VKS).",
        discussion: "With no subcommand, starts a consultation in this terminal.",
        version: "0.1.0",
        subcommands: [
            Start.self, Kiosk.self, Run.self, Lint.self, Translations.self, Test.self, Graph.self, Transcripts.self,
            Appointments.self, Replay.self, Records.self, Keys.self,
        ],
        defaultSubcommand: Start.self
    )
}

/// Where the content is read from.
struct ContentOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The folder of question trees.", valueName: "dir"))
    var dialogs: String?

    @Option(help: ArgumentHelp("The folder of locale files.", valueName: "dir"))
    var locales: String?

    /// Where the content is read from (never the working directory: see ``ContentLocation``).
    var location: ContentLocation { ContentLocation.locate(dialogs: dialogs, locales: locales) }

    /// Loads the copy of the content someone is editing (`./dialogs` and `./locales` first, as lint
    /// reads them), or prints every error with its place and exits 2: for graph and test.
    func loadForEditing() throws -> (location: ContentLocation, content: Content) {
        let location = ContentLocation.locate(dialogs: dialogs, locales: locales, editing: true)
        do {
            return (location, try Content.load(dialogs: location.dialogs, locales: location.locales))
        } catch {
            printError(error.description)
            printError("The content has errors: run `consult lint` for the full list.")
            throw ExitCode(2)
        }
    }

    /// Loads the content an applicant will read, or prints every error with its place and exits 2.
    /// Content that others could change is refused with its path.
    func load() throws -> Content {
        let location = self.location
        do {
            try location.checkOnlyOwnerCanChange()
        } catch {
            printError("The content (\(location.source)) is not safe to show: \(error.description)")
            throw ExitCode(2)
        }
        do {
            return try Content.load(dialogs: location.dialogs, locales: location.locales)
        } catch {
            printError(error.description)
            printError("The content has errors: run `consult lint` for the full list.")
            throw ExitCode(2)
        }
    }
}

/// A date given on the command line.
struct DateArgument: ExpressibleByArgument {
    let date: LocalDate

    init?(argument: String) {
        guard argument.count == 10, argument.contains("-"), let d = LocalDate(parsing: argument) else { return nil }
        date = d
    }

    static var defaultCompletionKind: CompletionKind { .default }
}

extension LocalDate {
    /// Today in the office's time zone (the content's `time_zone`): the one place the wall clock is read.
    static func today(in zone: String) -> LocalDate {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: zone) ?? .gmt
        let c = calendar.dateComponents([.year, .month, .day], from: Date())
        return LocalDate(year: c.year!, month: c.month!, day: c.day!)!
    }
}

func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}
