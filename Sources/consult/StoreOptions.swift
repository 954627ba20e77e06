import ArgumentParser
import ConsultRecords
import ConsultStaff
import ConsultStore
import Foundation

/// Where the records are stored and where this machine is: shared by every command that reads or
/// writes records.
struct StoreOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Where the records are stored: sqlite:PATH or postgresql://user@host/database (libpq's URL; default: $CONSULT_STORE, else records.sqlite in the data directory).",
            valueName: "url"))
    var store: String?

    @Option(
        help: ArgumentHelp(
            "The office this machine serves, recorded with every consultation (default: $CONSULT_OFFICE).",
            valueName: "name"))
    var office: String?

    func location(_ directory: DataDirectory) throws -> StoreLocation {
        do {
            return try StoreLocation.resolve(store, dataDirectory: directory)
        } catch {
            throw ValidationError(error.description)
        }
    }

    /// The embedded store of the data directory (no --store, no $CONSULT_STORE).
    var isEmbeddedDefault: Bool {
        (store ?? "").isEmpty && (ProcessInfo.processInfo.environment["CONSULT_STORE"] ?? "").isEmpty
    }

    var officeName: String {
        if let office, !office.isEmpty { return office }
        return ProcessInfo.processInfo.environment["CONSULT_OFFICE"] ?? ""
    }

    func spool(_ directory: DataDirectory) -> Spool {
        Spool(directory: directory, office: officeName, host: Self.hostName)
    }

    /// This machine's name as recorded: $CONSULT_HOST (a container's stable name), else the host name.
    static var hostName: String {
        if let name = ProcessInfo.processInfo.environment["CONSULT_HOST"], !name.isEmpty { return name }
        var name = [CChar](repeating: 0, count: 256)
        guard gethostname(&name, name.count) == 0 else { return "" }
        return String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    func validate() throws {
        if store != nil { _ = try location(DataDirectory(URL(fileURLWithPath: "/"))) }
    }

    /// Opens the store, or says why not and exits 1.
    func open(_ directory: DataDirectory) throws -> RecordStore {
        let location = try location(directory)
        // The embedded store lives in the data directory, which may not exist yet.
        if case .sqlite(let path) = location, path.hasPrefix(directory.url.path + "/") { try prepare(directory) }
        do {
            return try RecordStore.open(location)
        } catch {
            printError(error.description)
            throw ExitCode(1)
        }
    }

    /// The store a staff command reads, with this machine's spool forwarded into it first (what a
    /// consultation could not send yet). Nil when the store is the embedded default of a data
    /// directory that does not exist: there are no records.
    func openForReading(_ directory: DataDirectory) throws -> RecordStore? {
        let (records, conflicts) = try openForChecking(directory)
        for conflict in conflicts { printError(SafeText.escape(conflict.reason)) }
        return records
    }

    /// `openForReading`, with the spooled records that are not what the store holds (one of the two
    /// was altered after the record was stored): for `verify` and `show` to report.
    func openForChecking(_ directory: DataDirectory) throws -> (RecordStore?, [Spool.Conflict]) {
        let exists = FileManager.default.fileExists(atPath: directory.url.path)
        if !exists, isEmbeddedDefault { return (nil, []) }
        let records = try open(directory)
        guard exists else { return (records, []) }
        let report = spool(directory).forward(to: records, keep: .infinity)
        for problem in report.problems { printError(SafeText.escape(problem)) }
        return (records, report.conflicts)
    }
}

/// When forwarded spool files go, and how long records are kept.
struct RetentionOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Hours a forwarded transcript stays in the local spool before it is removed (0: at once).",
            valueName: "hours"))
    var spoolKeepHours: Double = 24

    @Option(
        help: ArgumentHelp(
            "Days records are kept: older ones are purged at every sync (default: $CONSULT_RETENTION_DAYS, else kept).",
            valueName: "days"))
    var retentionDays: Int?

    var retention: Int? {
        retentionDays ?? ProcessInfo.processInfo.environment["CONSULT_RETENTION_DAYS"].flatMap { Int($0) }
    }

    func validate() throws {
        guard spoolKeepHours >= 0 else {
            throw ValidationError("--spool-keep-hours must be 0 or more, not \(spoolKeepHours)")
        }
        if let retention, retention < 1 {
            throw ValidationError("the retention period must be at least 1 day, not \(retention)")
        }
    }
}

/// Forwarding the spool and applying the retention period: at the start of a consultation (in the
/// background), between kiosk consultations, and by `consult records sync`.
enum SpoolSync {
    /// One pass: forwards, then purges what the retention period no longer allows. Returns the
    /// report and the purge (nil when none was due).
    static func run(
        store: RecordStore, spool: Spool, keepHours: Double, retentionDays: Int?, actor: String
    )
        -> (Spool.Report, RecordsMaintenance.Removal?)
    {
        let report = spool.forward(to: store, keep: keepHours * 3600)
        guard let days = retentionDays else { return (report, nil) }
        let cutoff = LocalDateText.daysBeforeToday(days)
        let removal = try? RecordsMaintenance(store: store, spool: spool, actor: actor)
            .purge(before: cutoff, reason: "retention period of \(days) days", auditEmpty: false)
        return (report, removal)
    }

    nonisolated(unsafe) private static var running = false
    private static let lock = NSLock()

    /// A pass on a thread of its own, with its own connection, unless one is already running:
    /// the consultation does not wait for it.
    static func inBackground(location: StoreLocation, spool: Spool, keepHours: Double, retentionDays: Int?) {
        lock.lock()
        defer { lock.unlock() }
        guard !running else { return }
        running = true
        let thread = Thread {
            if let store = try? RecordStore.open(location) {
                _ = run(
                    store: store, spool: spool, keepHours: keepHours, retentionDays: retentionDays,
                    actor: "consult (retention)")
                store.close()
            }
            lock.lock()
            running = false
            lock.unlock()
        }
        thread.start()
    }
}

enum LocalDateText {
    /// The day `days` days before today in Moscow, YYYY-MM-DD.
    static func daysBeforeToday(_ days: Int, now: Date = Date()) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Europe/Moscow") ?? TimeZone(secondsFromGMT: 3 * 3600)!
        let day = calendar.date(byAdding: .day, value: -days, to: now) ?? now
        let c = calendar.dateComponents([.year, .month, .day], from: day)
        return String(format: "%04d-%02d-%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0)
    }
}
