import ArgumentParser
import ConsultRecords
import ConsultStaff
import ConsultStore
import Foundation

/// Who does a purge or an erasure, for the audit.
struct ActorOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Who does it, for the audit (default: $USER).", valueName: "name"))
    var actor: String?

    @Option(
        help: ArgumentHelp("Why, for the audit (e.g. \"consent withdrawn, letter of 2026-03-02\").", valueName: "text"))
    var reason: String

    var name: String { actor ?? ProcessInfo.processInfo.environment["USER"] ?? "unknown" }

    func validate() throws {
        guard !reason.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw ValidationError("--reason must say why")
        }
    }
}

extension Consult {
    struct Records: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The record store: its schema, the local spool, import, purge and erasure.",
            subcommands: [Migrate.self, Sync.self, Import.self, Purge.self, Erase.self, Audit.self])

        struct Migrate: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Create the store's schema or bring it to this release's version.")

            @OptionGroup var data: DataOptions
            @OptionGroup var records: StoreOptions

            func run() throws {
                let location = try records.location(data.directory)
                if case .sqlite = location { try prepare(data.directory) }
                let store: RecordStore
                do {
                    store = try RecordStore.open(location, migrate: false)
                } catch StoreError.schemaTooOld {
                    store = try records.open(data.directory)
                    print("\(store.name): schema migrated to version \(try stored { try store.schemaVersion() })")
                    return
                }
                defer { store.close() }
                print("\(store.name): schema at version \(try stored { try store.schemaVersion() }), nothing to do")
            }
        }

        struct Sync: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Forward what the local spool holds and the store lacks; apply the retention period.",
                discussion:
                    "Consultations forward their events as they go; this brings what they could not send (the store was unreachable) and removes spool files already in the store."
            )

            @OptionGroup var data: DataOptions
            @OptionGroup var records: StoreOptions
            @OptionGroup var retention: RetentionOptions

            func run() throws {
                let store = try records.open(data.directory)
                defer { store.close() }
                let (report, purge) = SpoolSync.run(
                    store: store, spool: records.spool(data.directory), keepHours: retention.spoolKeepHours,
                    retentionDays: retention.retention, actor: ProcessInfo.processInfo.environment["USER"] ?? "consult")
                print(report.description)
                if let purge, purge != RecordsMaintenance.Removal() {
                    print(
                        "purged (retention): \(purge.transcripts.count) transcript(s), \(purge.references.count) appointment request(s)"
                    )
                }
                for problem in report.problems { printError(SafeText.escape(problem)) }
                if !report.problems.isEmpty { throw ExitCode(1) }
            }
        }

        struct Import: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract:
                    "Bring a data directory's transcripts and appointment requests into the store, each verified first.",
                discussion:
                    "An altered record is refused (named, exit status 1); importing twice stores everything once. The folder is left as it is."
            )

            @Argument(help: "The data directory to import (holding transcripts/ and appointments/).")
            var directory: String

            @OptionGroup var data: DataOptions
            @OptionGroup var records: StoreOptions

            func run() throws {
                let source = DataDirectory(URL(fileURLWithPath: directory))
                guard
                    FileManager.default.fileExists(atPath: source.transcripts.path)
                        || FileManager.default.fileExists(atPath: source.appointments.path)
                else {
                    throw ValidationError(
                        "\(directory): expected a data directory holding transcripts/ or appointments/")
                }
                let store = try records.open(data.directory)
                defer { store.close() }
                let report = RecordsMaintenance(store: store, spool: records.spool(data.directory), actor: "import")
                    .importDirectory(source)
                print(
                    "imported \(report.lines) line(s) of \(report.transcripts) transcript(s) and \(report.requests) appointment request(s)"
                )
                for refused in report.refused { printError("refused: " + SafeText.escape(refused)) }
                if !report.refused.isEmpty { throw ExitCode(1) }
            }
        }

        struct Purge: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract:
                    "Remove for good every consultation held and every request made before a day, from the store and this machine's spool.",
                discussion: "An audit entry says who, when, what (how many records) and why; never the personal data.")

            @Option(help: ArgumentHelp("The first day kept, YYYY-MM-DD (Moscow).", valueName: "date"))
            var before: DateArgument

            @OptionGroup var actor: ActorOptions
            @OptionGroup var data: DataOptions
            @OptionGroup var records: StoreOptions

            func run() throws {
                let store = try records.open(data.directory)
                defer { store.close() }
                let removal = try stored {
                    try RecordsMaintenance(store: store, spool: records.spool(data.directory), actor: actor.name)
                        .purge(before: before.date.description, reason: actor.reason)
                }
                print(
                    "purged \(removal.transcripts.count) transcript(s) and \(removal.references.count) appointment request(s) before \(before.date)"
                )
            }
        }

        struct Erase: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract:
                    "Remove for good one applicant's records (an applicant withdrew consent): a transcript by id or a request by reference, with what belongs to it.",
                discussion:
                    "An audit entry says who, when, which records and why; never the personal data. Exit status 1 when nothing was found."
            )

            @Argument(help: "Transcript ids or appointment references.")
            var names: [String]

            @OptionGroup var actor: ActorOptions
            @OptionGroup var data: DataOptions
            @OptionGroup var records: StoreOptions

            func run() throws {
                let store = try records.open(data.directory)
                defer { store.close() }
                let removal = try stored {
                    try RecordsMaintenance(store: store, spool: records.spool(data.directory), actor: actor.name)
                        .erase(names.flatMap { [$0, $0.uppercased()] }.uniqued(), reason: actor.reason)
                }
                for id in removal.transcripts { print("erased transcript \(id)") }
                for reference in removal.references { print("erased appointment request \(reference)") }
                if removal == RecordsMaintenance.Removal() {
                    printError(
                        "nothing found under \(names.map(SafeText.escape).joined(separator: ", ")) in \(store.name)")
                    throw ExitCode(1)
                }
            }
        }

        struct Audit: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "What was purged or erased: when, by whom, what and why.")

            @OptionGroup var data: DataOptions
            @OptionGroup var records: StoreOptions

            func run() throws {
                let store = try records.open(data.directory)
                defer { store.close() }
                for e in try stored({ try store.auditEntries() }) {
                    print(
                        [
                            e.at, e.action, e.actor, e.office.isEmpty ? "-" : e.office, e.host, e.target,
                            "reason: \(e.reason)",
                        ]
                        .map(SafeText.escape).joined(separator: "  "))
                }
            }
        }
    }
}

/// Creates the data directory of an embedded store (its folder must exist before SQLite opens the file).
func prepare(_ directory: DataDirectory) throws {
    do throws(RecordError) {
        try directory.prepare()
    } catch {
        printError(error.description)
        throw ExitCode(1)
    }
}

extension Array where Element: Hashable {
    func uniqued() -> [Element] {
        var seen = Set<Element>()
        return filter { seen.insert($0).inserted }
    }
}
