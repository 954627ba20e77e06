import ArgumentParser
import ConsultContent
import ConsultEngine
import ConsultRecords
import ConsultStaff
import ConsultStore
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

            @Option(help: ArgumentHelp("Only consultations held on or before this day, YYYY-MM-DD.", valueName: "date"))
            var until: DateArgument?

            @Option(
                help: ArgumentHelp("Only consultations held at this office (as --office named it).", valueName: "name"))
            var fromOffice: String?

            @Option(help: ArgumentHelp("Only consultations held on this machine (its host name).", valueName: "name"))
            var host: String?

            @Flag(help: "Only consultations whose appointment request is urgent.")
            var urgent = false

            @Option(help: "At most this many lines (the newest).")
            var limit: Int?

            @OptionGroup var data: DataOptions
            @OptionGroup var records: StoreOptions
            @OptionGroup var staff: StaffLanguageOptions
            @OptionGroup var content: ContentOptions
            @OptionGroup var keys: KeyOptions

            func run() throws {
                let view = try staff.view(try content.load())
                let opening = try keys.keys()
                // The store keeps each day in Moscow; the office's day comes from the content's time
                // zone: the store is asked a day wider on each side, and the day checked here.
                let zoned = since != nil || until != nil
                // Sealed transcripts say nothing of their outcome, channel or urgency in the clear: with
                // an identity they are opened and filtered here, without one such a filter leaves them out.
                let contentFilter = outcome != nil || channel != nil || urgent
                let openSealed = !opening.identities.isEmpty && contentFilter
                var filter = TranscriptFilter(
                    since: since?.date.subtracting(days: 1).description, until: until?.date.adding(days: 1).description,
                    outcome: outcome, urgent: urgent ? true : nil, channel: channel, office: fromOffice, host: host,
                    limit: zoned || openSealed ? nil : limit)
                var lines: [String] = []
                do {
                    let store = try records.openForReading(data.directory)
                    var rows = try store?.transcripts(filter) ?? []
                    if openSealed {
                        (filter.outcome, filter.urgent, filter.channel, filter.sealed) = (nil, nil, nil, true)
                        rows += try store?.transcripts(filter) ?? []
                        rows.sort { ($0.started, $1.id) > ($1.started, $0.id) }
                    }
                    for row in rows {
                        let line: String
                        let day: LocalDate?
                        var summary = TranscriptSummary(
                            id: row.id, started: row.started, channel: row.channel, language: row.language,
                            endReason: row.endReason, outcomes: row.outcomes, events: row.events,
                            today: LocalDate(parsing: row.day), office: row.office, host: row.host)
                        if row.sealed, !opening.identities.isEmpty,
                            let read = try store?.read(transcript: row.id, keys: opening),
                            !read.events.contains(where: \.sealed)
                        {
                            summary = TranscriptSummary(id: row.id, events: read.events)
                            (summary.office, summary.host) = (row.office, row.host)
                            if let outcome, !summary.outcomes.contains(outcome) { continue }
                            if let channel, summary.channel != channel { continue }
                            if urgent { continue }
                            line = view.line(summary)
                            day = summary.day(in: view.timeZone)
                        } else if row.sealed {
                            if contentFilter { continue }
                            line = view.sealedLine(
                                id: row.id, started: row.started, events: row.events, ended: row.endReason != nil,
                                place: [row.office, row.host].filter { !$0.isEmpty }.joined(separator: "/"))
                            day = summary.day(in: view.timeZone)
                        } else {
                            line = view.line(summary)
                            day = summary.day(in: view.timeZone)
                        }
                        if zoned {
                            guard let day else { continue }
                            if let since, day < since.date { continue }
                            if let until, day > until.date { continue }
                        }
                        lines.append(line)
                        if let limit, lines.count >= limit { break }
                    }
                } catch let error as StoreError {
                    printError(error.description)
                    throw ExitCode(1)
                }
                for line in lines { print(line) }
                if lines.isEmpty { printError(view.text("staff.no_transcripts")) }
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
            @OptionGroup var records: StoreOptions
            @OptionGroup var content: ContentOptions
            @OptionGroup var keys: KeyOptions

            func run() throws {
                let (opened, conflicts) = try records.openForChecking(data.directory)
                guard let store = opened, let found = try storedTranscript(id, in: store, keys: try keys.keys()) else {
                    try notFound()
                    return
                }
                // Only the events verify vouches for; the integrity line says where the rest begins.
                let (events, verification) = checked(found.read, id: found.id, conflicts)
                let id = found.id
                if format == .json {
                    print(StaffView.json(events))
                    if case .broken = verification.status {
                        printError(SafeText.escape(verification.description))
                        throw ExitCode(1)
                    }
                    return
                }
                let view = try staff.view(try content.load())
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
            @OptionGroup var records: StoreOptions
            @OptionGroup var staff: StaffLanguageOptions
            @OptionGroup var content: ContentOptions
            @OptionGroup var keys: KeyOptions

            func validate() throws {
                if id != nil && all { throw ValidationError("give a transcript's id or --all, not both") }
            }

            func run() throws {
                let directory = data.directory
                let (store, conflicts) = try records.openForChecking(directory)
                // No identity is needed: the chain and the hosts' signatures are in the clear.
                let opening = try keys.keys()
                var results: [Verification] = []
                if let id {
                    guard let store, let found = try storedTranscript(id, in: store, keys: opening) else {
                        printError(
                            "There is no transcript \(SafeText.escape(id)) in \(SafeText.escape(store?.name ?? directory.transcripts.path))."
                        )
                        throw ExitCode(1)
                    }
                    results = [checked(found.read, id: found.id, conflicts).verification]
                } else {
                    for row in try stored({ try store?.transcripts() ?? [] }) {
                        if let read = try stored({ try store?.read(transcript: row.id, keys: opening) }) {
                            results.append(checked(read, id: row.id, conflicts).verification)
                        }
                    }
                    // Nothing verified is no "all intact": a wrong --data-dir or a lost folder must show.
                    if store == nil {
                        let dir = directory.url.path
                        printError(
                            staff.message(
                                content, "staff.no_data_directory", ["dir": dir],
                                else: "There is no data directory at \(SafeText.escape(dir))."))
                        throw ExitCode(1)
                    }
                    if results.isEmpty {
                        // The embedded store holds what the data directory's transcripts folder held.
                        let dir =
                            records.isEmbeddedDefault
                            ? directory.transcripts.path : store?.name ?? directory.transcripts.path
                        printError(
                            staff.message(
                                content, "staff.no_transcripts_in", ["dir": dir],
                                else: "There are no transcripts in \(SafeText.escape(dir))."))
                        throw ExitCode(1)
                    }
                }
                var altered = 0
                for result in results {
                    print(SafeText.escape(result.description))
                    if case .broken = result.status { altered += 1 }
                }
                // Every request, also one its transcript does not know of (made up, or copied in).
                var badRequests = 0
                if id == nil, let store {
                    var problems = try stored({ try requestProblems(in: store, keys: opening) })
                    for conflict in conflicts
                    where conflict.line == nil && !problems.contains(where: { $0.reference == conflict.name }) {
                        problems.append((conflict.name, conflict.reason))
                    }
                    for (reference, problem) in problems {
                        print(SafeText.escape("\(reference): ALTERED appointment request: \(problem)"))
                        badRequests += 1
                    }
                }
                if altered > 0 || badRequests > 0 {
                    var counts = ["\(altered) of \(results.count) transcript\(results.count == 1 ? "" : "s") altered"]
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

/// A transcript named on the command line (any case) as the store holds it, read and verified
/// over its stored bytes; nil when the store has none.
func storedTranscript(
    _ name: String, in store: RecordStore, keys: OpeningKeys = .none
) throws -> (id: String, read: (events: [TranscriptEvent], verification: Verification))? {
    var base = name
    if base.hasSuffix(".jsonl") { base.removeLast(6) }
    guard !base.isEmpty, !base.unicodeScalars.contains(where: SafeText.isUnsafe) else { return nil }
    for candidate in [base, base.uppercased()] {
        if let read = try stored({ try store.read(transcript: candidate, keys: keys) }) { return (candidate, read) }
    }
    return nil
}

/// A stored transcript as read, unless the spool's copy differs from it: then ALTERED at the first
/// line that differs, with only the events before it.
func checked(
    _ read: (events: [TranscriptEvent], verification: Verification), id: String, _ conflicts: [Spool.Conflict]
)
    -> (events: [TranscriptEvent], verification: Verification)
{
    guard let conflict = conflicts.first(where: { $0.name == id }), let line = conflict.line else { return read }
    if case .broken(let first, _) = read.verification.status, first <= line { return read }
    let events = Array(read.events.prefix(line - 1))
    return (events, Verification(id: id, status: .broken(line: line, reason: conflict.reason), events: events.count))
}

/// Every stored request that is not what its transcript recorded, by reference.
func requestProblems(
    in store: RecordStore, keys: OpeningKeys = .none
) throws(StoreError) -> [(reference: String, problem: String)] {
    var problems: [(reference: String, problem: String)] = []
    for (reference, document) in try store.appointments() {
        let object: [String: UntypedJSON]
        do throws(RecordError) {
            object = try AppointmentRequest.load(Data(document), keys: .none).object
        } catch {
            problems.append((reference, error.reason))
            continue
        }
        var failure: StoreError?
        let problem = AppointmentRequest.problem(with: object, reference: reference, keys: keys) { id in
            do throws(StoreError) { return try store.read(transcript: id)?.events } catch {
                failure = error
                return nil
            }
        }
        if let failure { throw failure }
        if let problem { problems.append((reference, problem)) }
    }
    return problems
}

/// Runs a store read; a store that fails is said on standard error with exit status 1.
func stored<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as StoreError {
        printError(error.description)
        throw ExitCode(1)
    }
}
