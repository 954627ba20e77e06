import ArgumentParser
import ConsultContent
import ConsultEngine
import ConsultRecords
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
        try load(cache: nil, log: DataDirectory.resolve(nil)).content
    }

    /// `load()`, and the hash of the files the content was loaded from (what the records name).
    /// With a cache (``ContentCache``), through it: what the cache could not do is written to the
    /// staff log of `data`, never to the applicant's terminal.
    func load(cache: ContentCache?, log data: DataDirectory) throws -> (content: Content, hash: String) {
        let location = self.location
        do {
            try location.checkOnlyOwnerCanChange()
        } catch {
            printError("The content (\(location.source)) is not safe to show: \(error.description)")
            throw ExitCode(2)
        }
        let files = ContentFiles(location)
        do throws(Content.Invalid) {
            guard let cache else { return (try Content.load(files), files.hash) }
            let (content, outcome) = try cache.load(files)
            if outcome != .hit {
                // The folders the records will be kept in (made as the records make them), so that
                // a fresh installation's first line is not lost.
                try? data.prepare()
                StaffLog(directory: data).log(outcome, contentHash: files.hash)
            }
            return (content, files.hash)
        } catch {
            printError(error.description)
            printError("The content has errors: run `consult lint` for the full list.")
            throw ExitCode(2)
        }
    }
}

extension StaffLog {
    /// What the content cache did, when there is something to say (a hit is the usual case).
    func log(_ outcome: ContentCache.Outcome, contentHash: String) {
        switch outcome {
        case .hit: break
        case .stored(nil): log("info", "content checked and cached", [("content_hash", contentHash)])
        case .stored(let replaced?):
            log(
                "warning", "content cache entry not used, checked again and replaced: \(replaced)",
                [("content_hash", contentHash)])
        case .notStored(let why):
            log("warning", "content cache not used: \(why)", [("content_hash", contentHash)])
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
