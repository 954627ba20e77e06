import ConsultEngine
import ConsultRecords
import Crypto
import Foundation

/// The office's records in one store: the events of every transcript as their lines were written
/// (so that `verify` checks the chain over the stored bytes), the appointment requests as their
/// documents were saved, a summary row per consultation for listing and filtering, and the audit
/// of what was purged or erased. The same statements serve SQLite and PostgreSQL.
///
/// One `RecordStore` is one connection, used from one thread at a time.
public final class RecordStore: @unchecked Sendable {
    let db: any SQLDatabase
    public let location: StoreLocation

    /// The store as people read its name (never a password).
    public var name: String { db.name }

    init(db: any SQLDatabase, location: StoreLocation) {
        self.db = db
        self.location = location
    }

    /// Connects to the store and brings its schema to this program's version (an empty store is
    /// created). A store of a newer schema is refused.
    public static func open(_ location: StoreLocation, migrate: Bool = true) throws(StoreError) -> RecordStore {
        let store = RecordStore(db: try location.connect(), location: location)
        do throws(StoreError) {
            let version = try store.schemaVersion()
            if version > Schema.version { throw StoreError.schemaTooNew(store.name, version, Schema.version) }
            if version < Schema.version {
                guard migrate else { throw StoreError.schemaTooOld(store.name, version, Schema.version) }
                _ = try store.migrate()
            }
        } catch {
            store.close()
            throw error
        }
        return store
    }

    public func close() {
        db.close()
    }

    /// Seconds a statement may take on PostgreSQL before the connection is given up (nil: no
    /// limit; 60 unless set). An embedded store has none.
    public var statementTimeout: Int? {
        get { (db as? PostgresDatabase)?.timeout }
        set { (db as? PostgresDatabase)?.timeout = newValue }
    }

    /// The schema version the store is at (0: no schema yet).
    public func schemaVersion() throws(StoreError) -> Int {
        let exists: [[SQLValue]]
        switch db.dialect {
        case .sqlite:
            exists = try db.run("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'")
        case .postgres: exists = try db.run("SELECT to_regclass('schema_version')::text")
        }
        guard exists.first?.first?.text != nil else { return 0 }
        return try db.run("SELECT MAX(version) FROM schema_version").first?.first?.int ?? 0
    }

    /// Applies the migrations the store lacks; returns the versions before and after.
    @discardableResult
    public func migrate() throws(StoreError) -> (from: Int, to: Int) {
        try db.transaction { () throws(StoreError) -> (from: Int, to: Int) in
            // Two programs starting at once on an empty PostgreSQL: one creates, the other waits.
            if db.dialect == .postgres { try db.run("SELECT pg_advisory_xact_lock(7160152)") }
            try db.run("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied TEXT NOT NULL)")
            let from = try db.run("SELECT MAX(version) FROM schema_version").first?.first?.int ?? 0
            if from > Schema.version { throw StoreError.schemaTooNew(name, from, Schema.version) }
            for (version, statements) in Schema.migrations(db.dialect) where version > from {
                for statement in statements { try db.run(statement) }
                try db.run(
                    "INSERT INTO schema_version (version, applied) VALUES (?, ?)", .int(version), .text(Self.now()))
            }
            return (from, Schema.version)
        }
    }

    static func now() -> String {
        Date().formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    // MARK: - Writing

    /// One line of a transcript as written: its number (from 0), its bytes without the newline,
    /// and whether it was whole (a line cut by a crash has no newline).
    public struct Line: Sendable, Equatable {
        public var number: Int
        public var bytes: [UInt8]
        public var complete: Bool

        public init(number: Int, bytes: [UInt8], complete: Bool = true) {
            self.number = number
            self.bytes = bytes
            self.complete = complete
        }

        var hash: String { RecordStore.sha256(bytes + [complete ? 0x0A : 0x00]) }
    }

    static func sha256(_ bytes: [UInt8]) -> String {
        SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }

    /// Stores lines of a transcript in one transaction, each once: a line already stored with the
    /// same bytes is left as it is, one stored with other bytes is a conflict (nothing is stored).
    /// Returns how many lines were new.
    @discardableResult
    /// `office` and `host` say where a sealed transcript was taken (its start event, which says so
    /// of a transcript in the clear, is sealed); they are the forwarding machine's.
    public func append(
        transcript: String, lines: [Line], office: String = "", host: String = ""
    ) throws(StoreError) -> Int {
        guard !lines.isEmpty else { return 0 }
        return try db.transaction { () throws(StoreError) -> Int in
            var inserted = 0
            for line in lines {
                let hash = line.hash
                let rows = try db.run(
                    """
                    INSERT INTO events (transcript, line, bytes, hash, complete) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (transcript, line) DO NOTHING RETURNING line
                    """, .text(transcript), .int(line.number), .bytes(line.bytes), .text(hash),
                    .int(line.complete ? 1 : 0))
                if rows.isEmpty {
                    let stored = try db.run(
                        "SELECT hash FROM events WHERE transcript = ? AND line = ?", .text(transcript),
                        .int(line.number))
                    guard stored.first?.first?.text == hash else {
                        throw StoreError.conflict(
                            name, "line \(line.number + 1) of transcript \(transcript)",
                            "the line forwarded is not the line stored")
                    }
                    continue
                }
                inserted += 1
                try summarize(transcript: transcript, line: line, office: office, host: host)
            }
            return inserted
        }
    }

    /// Keeps the consultation's summary row up to date with a line just stored. Of a sealed
    /// transcript only what is in the clear: its times, its length and whether it ended.
    private func summarize(transcript id: String, line: Line, office: String, host: String) throws(StoreError) {
        let decoded = line.complete ? TranscriptReader.decode(line: line.bytes) : nil
        if let decoded, line.number == 0, decoded.kind == "start" {
            let time = decoded.time
            // Of a sealed start only its time; where it was taken from the machine forwarding it.
            var fields = (channel: "", language: "", office: office, host: host, day: Self.day(time) ?? "")
            if case .start(let start)? = decoded.event {
                fields = (
                    start.channel, start.language, start.office ?? "", start.host ?? "",
                    Self.day(time) ?? start.today.description
                )
            }
            try db.run(
                """
                INSERT INTO transcripts (id, started, day, channel, language, office, host, events, urgent, sealed)
                VALUES (?, ?, ?, ?, ?, ?, ?, 1, (SELECT COALESCE(MAX(urgent), 0) FROM appointments WHERE transcript = ?), ?)
                ON CONFLICT (id) DO UPDATE SET started = excluded.started, day = excluded.day, channel = excluded.channel,
                    office = excluded.office, host = excluded.host, events = transcripts.events + 1,
                    sealed = excluded.sealed,
                    language = CASE WHEN transcripts.language = '' THEN excluded.language ELSE transcripts.language END
                """, .text(id), .text(time), .text(fields.day), .text(fields.channel), .text(fields.language),
                .text(fields.office), .text(fields.host), .text(id), .int(decoded.isSealed ? 1 : 0))
            return
        }
        try db.run("INSERT INTO transcripts (id) VALUES (?) ON CONFLICT (id) DO NOTHING", .text(id))
        try db.run("UPDATE transcripts SET events = events + 1 WHERE id = ?", .text(id))
        if decoded?.isSealed == true, decoded?.kind == "end" {
            // How it ended is sealed; that it ended is not (the kind is in the clear).
            try db.run("UPDATE transcripts SET end_reason = '' WHERE id = ?", .text(id))
            return
        }
        switch decoded?.event {
        case .language(let change)?:
            try db.run("UPDATE transcripts SET language = ? WHERE id = ?", .text(change.language), .text(id))
        case .outcome(let shown)?:
            let ended =
                try db.run("SELECT end_reason FROM transcripts WHERE id = ?", .text(id)).first?.first?.text != nil
            if !ended { try setOutcomes(shown.ids, of: id) }
        case .end(let end)?:
            try db.run("UPDATE transcripts SET end_reason = ? WHERE id = ?", .text(end.reason), .text(id))
            if !end.outcomes.isEmpty { try setOutcomes(end.outcomes, of: id) }
        default:
            break
        }
    }

    private func setOutcomes(_ ids: [String], of transcript: String) throws(StoreError) {
        try db.run(
            "UPDATE transcripts SET outcomes = ? WHERE id = ?", .text(ids.joined(separator: " ")), .text(transcript))
        try db.run("DELETE FROM transcript_outcomes WHERE transcript = ?", .text(transcript))
        for outcome in Set(ids) {
            try db.run(
                "INSERT INTO transcript_outcomes (transcript, outcome) VALUES (?, ?)", .text(transcript), .text(outcome)
            )
        }
    }

    /// The day in Moscow (where the office is) of a time as transcripts write it.
    static func day(_ time: String) -> String? {
        guard
            let date = (try? Date(time, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
                ?? (try? Date(time, strategy: Date.ISO8601FormatStyle()))
        else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Europe/Moscow") ?? TimeZone(secondsFromGMT: 3 * 3600)!
        let c = calendar.dateComponents([.year, .month, .day], from: date)
        guard let y = c.year, let m = c.month, let d = c.day else { return nil }
        return String(format: "%04d-%02d-%02d", y, m, d)
    }

    /// Stores an appointment request's document as saved, once (the same reference with another
    /// document is a conflict). `office` and `host` say where it was taken. Returns whether it was new.
    @discardableResult
    public func put(appointment document: [UInt8], office: String, host: String) throws(StoreError) -> Bool {
        // A sealed request says only its reference, its transcript and when it was made.
        let request: (reference: String, transcript: String?, created: String, urgent: Bool, channel: String)
        var sealed = false
        do throws(RecordError) {
            switch try AppointmentRequest.load(Data(document), keys: .none).request {
            case .open(let r): request = (r.reference, r.transcript, r.createdText, r.urgent, r.channel)
            case .sealed(let s):
                request = (s.reference, s.transcript, s.createdText, false, "")
                sealed = true
            }
        } catch {
            throw StoreError.failed(
                name, "storing an appointment request", "the document is not a request: \(error.reason)")
        }
        let hash = Self.sha256(document)
        return try db.transaction { () throws(StoreError) -> Bool in
            let rows = try db.run(
                """
                INSERT INTO appointments (reference, transcript, created, day, urgent, channel, office, host, document, hash, sealed)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (reference) DO NOTHING RETURNING reference
                """, .text(request.reference), request.transcript.map { .text($0) } ?? .null, .text(request.created),
                .text(Self.day(request.created) ?? ""), .int(request.urgent ? 1 : 0), .text(request.channel),
                .text(office), .text(host), .bytes(document), .text(hash), .int(sealed ? 1 : 0))
            if rows.isEmpty {
                let stored = try db.run("SELECT hash FROM appointments WHERE reference = ?", .text(request.reference))
                guard stored.first?.first?.text == hash else {
                    throw StoreError.conflict(
                        name, "appointment request \(request.reference)", "the document forwarded is not the one stored"
                    )
                }
                return false
            }
            if request.urgent, let transcript = request.transcript {
                try db.run("UPDATE transcripts SET urgent = 1 WHERE id = ?", .text(transcript))
            }
            return true
        }
    }
}
