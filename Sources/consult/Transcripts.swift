import ArgumentParser
import ConsultContent
import ConsultEngine
import ConsultRecords
import ConsultStaff
import Foundation

/// Where the records are kept.
struct DataOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "The folder of transcripts and appointment requests (default: $CONSULT_DATA_DIR, else $XDG_DATA_HOME/consult, else ~/.local/share/consult).",
            valueName: "dir"))
    var dataDir: String?

    var directory: DataDirectory { DataDirectory.resolve(dataDir) }
}

/// The language the staff read records in.
struct StaffLanguageOptions: ParsableArguments {
    @Option(help: "The language to read in: en, es or ru (default: from LANG, else en).")
    var lang: String?

    /// A message in the staff's language; `fallback` when the content cannot be loaded (so that a
    /// missing record is still named, with exit status 1 rather than 2).
    func message(_ options: ContentOptions, _ key: String, _ texts: [String: String], else fallback: String) -> String {
        let location = options.location
        guard let content = try? Content.load(dialogs: location.dialogs, locales: location.locales) else {
            return fallback
        }
        return (try? view(content))?.text(key, texts) ?? fallback
    }

    func view(_ content: Content) throws -> StaffView {
        do {
            return StaffView(content: content, language: try content.language(requested: lang))
        } catch {
            throw ValidationError("--lang: \(error)")
        }
    }
}

/// The file of a record named on the command line (`K7M2-Q9P2-ABCD`, any case, with or without its
/// extension); nil when there is none, or when the name is not a plain file name.
func recordFile(_ name: String, in folder: URL, extension ext: String) -> URL? {
    var base = name
    if base.hasSuffix("." + ext) { base.removeLast(ext.count + 1) }
    guard !base.isEmpty, !base.contains("/"), !base.hasPrefix("."),
        !base.unicodeScalars.contains(where: SafeText.isUnsafe)
    else { return nil }
    for candidate in [base, base.uppercased()] {
        let url = folder.appendingPathComponent("\(candidate).\(ext)")
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue {
            return url
        }
    }
    return nil
}

extension Consult {
    struct Transcripts: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "transcripts",
            abstract: "Read and check the transcripts of consultations.",
            subcommands: [List.self, Show.self, Verify.self])

        struct List: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "list",
                abstract:
                    "One line per transcript, newest first: id, start (Moscow time), channel, language, events, how it ended, outcomes."
            )

            @Option(help: ArgumentHelp("Only consultations held on or after this day, YYYY-MM-DD.", valueName: "date"))
            var since: DateArgument?

            @Option(
                help: ArgumentHelp(
                    "Only consultations that reached this outcome (its id, e.g. vks_rp_eligible).", valueName: "id"))
            var outcome: String?

            @Option(
                help: ArgumentHelp(
                    "Only consultations held over this channel: local, kiosk or ssh.", valueName: "channel"))
            var channel: String?

            @OptionGroup var data: DataOptions
            @OptionGroup var staff: StaffLanguageOptions
            @OptionGroup var content: ContentOptions
            @OptionGroup var keys: KeyOptions

            func run() throws {
                let view = try staff.view(try content.load())
                let opening = try keys.keys()
                var shown = 0
                for url in TranscriptReader.all(in: data.directory) {
                    let id = url.deletingPathExtension().lastPathComponent
                    guard let events = try? TranscriptReader.events(url, keys: opening) else { continue }
                    if events.contains(where: \.sealed) {
                        // Only what is in the clear: its day, not its outcome or channel.
                        if outcome != nil || channel != nil { continue }
                        if let since, let day = view.day(of: events), day < since.date { continue }
                        print(view.sealedLine(id: id, events: events))
                        shown += 1
                        continue
                    }
                    let summary = TranscriptSummary(id: id, events: events)
                    if let since {
                        guard let day = summary.day(in: view.timeZone), day >= since.date else { continue }
                    }
                    if let outcome, !summary.outcomes.contains(outcome) { continue }
                    if let channel, summary.channel != channel { continue }
                    print(view.line(summary))
                    shown += 1
                }
                if shown == 0 { printError(view.text("staff.no_transcripts")) }
            }
        }

        struct Show: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "show",
                abstract:
                    "A transcript for the lawyer: facts, outcomes and open points in the chosen language, then the exchange as it happened."
            )

            @Argument(help: "The transcript's id (as `consult transcripts list` shows it).")
            var id: String

            @OptionGroup var staff: StaffLanguageOptions

            @Option(help: "text, markdown or json (the events as a JSON array).")
            var format: StaffView.Format = .text

            @OptionGroup var data: DataOptions
            @OptionGroup var content: ContentOptions
            @OptionGroup var keys: KeyOptions

            func run() throws {
                let directory = data.directory
                guard let url = recordFile(id, in: directory.transcripts, extension: "jsonl") else {
                    try notFound()
                    return
                }
                // Only the events verify vouches for; the integrity line says where the rest begins.
                let (events, verification) = TranscriptReader.read(url, keys: try keys.keys())
                if format == .json {
                    print(StaffView.json(events))
                    if case .broken = verification.status {
                        printError(SafeText.escape(verification.description))
                        throw ExitCode(1)
                    }
                    return
                }
                let view = try staff.view(try content.load())
                let id = url.deletingPathExtension().lastPathComponent
                if events.contains(where: \.sealed) {
                    print(view.sealedTranscript(events, id: id, verification: verification), terminator: "")
                } else {
                    print(view.transcript(events, id: id, verification: verification, format: format), terminator: "")
                }
                if case .broken = verification.status { printError(SafeText.escape(verification.description)) }
            }

            func notFound() throws {
                let folder = data.directory.transcripts.path
                printError(
                    staff.message(
                        content, "staff.transcript_not_found", ["id": id, "dir": folder],
                        else: "There is no transcript \(SafeText.escape(id)) in \(SafeText.escape(folder))."))
                throw ExitCode(1)
            }
        }

        struct Verify: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "verify",
                abstract: "Check the hash chain of one transcript or of all of them.",
                discussion: """
                    One line per transcript: intact, cut short (no end event: the consultation was interrupted, \
                    the events there are intact) or ALTERED with the first bad line (an altered or added line, \
                    anything after the end, a transcript under another id, an appointment request that is not \
                    the one recorded). Exit status: 0 when nothing was altered, 1 when a transcript was altered, \
                    the one named does not exist, or there is no transcript to verify.
                    """)

            @Argument(help: "The transcript's id; without it (or with --all), every transcript.")
            var id: String?

            @Flag(help: "Check every transcript.")
            var all = false

            @OptionGroup var data: DataOptions
            @OptionGroup var staff: StaffLanguageOptions
            @OptionGroup var content: ContentOptions
            @OptionGroup var keys: KeyOptions

            func validate() throws {
                if id != nil && all { throw ValidationError("give a transcript's id or --all, not both") }
            }

            func run() throws {
                let directory = data.directory
                let urls: [URL]
                if let id {
                    guard let url = recordFile(id, in: directory.transcripts, extension: "jsonl") else {
                        printError(
                            "There is no transcript \(SafeText.escape(id)) in \(SafeText.escape(directory.transcripts.path))."
                        )
                        throw ExitCode(1)
                    }
                    urls = [url]
                } else {
                    urls = TranscriptReader.all(in: directory)
                    // Nothing verified is no "all intact": a wrong --data-dir or a lost folder must show.
                    if !FileManager.default.fileExists(atPath: directory.url.path) {
                        let dir = directory.url.path
                        printError(
                            staff.message(
                                content, "staff.no_data_directory", ["dir": dir],
                                else: "There is no data directory at \(SafeText.escape(dir))."))
                        throw ExitCode(1)
                    }
                    if urls.isEmpty {
                        let dir = directory.transcripts.path
                        printError(
                            staff.message(
                                content, "staff.no_transcripts_in", ["dir": dir],
                                else: "There are no transcripts in \(SafeText.escape(dir))."))
                        throw ExitCode(1)
                    }
                }
                // No identity is needed: the chain and the hosts' signatures are in the clear.
                let opening = try keys.keys()
                var altered = 0
                for url in urls {
                    let result = TranscriptReader.verify(url, keys: opening)
                    print(SafeText.escape(result.description))
                    if case .broken = result.status { altered += 1 }
                }
                // Every request, also one its transcript does not know of (made up, or copied in).
                var badRequests = 0
                if id == nil {
                    for (reference, problem) in AppointmentRequest.problems(in: directory, keys: opening) {
                        print(SafeText.escape("\(reference): ALTERED appointment request: \(problem)"))
                        badRequests += 1
                    }
                }
                if altered > 0 || badRequests > 0 {
                    var counts = ["\(altered) of \(urls.count) transcript\(urls.count == 1 ? "" : "s") altered"]
                    if badRequests > 0 {
                        counts.append("\(badRequests) appointment request\(badRequests == 1 ? "" : "s") altered")
                    }
                    printError(counts.joined(separator: ", "))
                    throw ExitCode(1)
                }
            }
        }
    }
}

extension StaffView.Format: ExpressibleByArgument {}
