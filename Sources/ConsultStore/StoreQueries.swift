import ConsultEngine
import ConsultRecords
import Foundation

/// A consultation's summary row: what `transcripts list` shows and filters on.
public struct StoredTranscript: Sendable, Equatable {
    public var id: String
    /// The start event's time as written (ISO 8601, UTC).
    public var started: String
    /// The day it was held in Moscow, YYYY-MM-DD.
    public var day: String
    public var channel: String
    public var language: String
    public var office: String
    public var host: String
    /// nil while the transcript has no end event.
    public var endReason: String?
    public var outcomes: [String]
    public var urgent: Bool
    public var events: Int
    /// Sealed to lawyers' keys: channel, language, how it ended and outcomes are not known here.
    public var sealed: Bool
}

/// What `transcripts list` filters on; nil: any.
public struct TranscriptFilter: Sendable {
    /// Days (YYYY-MM-DD, Moscow), both included.
    public var since: String?
    public var until: String?
    public var outcome: String?
    public var urgent: Bool?
    public var channel: String?
    public var office: String?
    public var host: String?
    /// The end reason; "" for transcripts that have none (cut short).
    public var endReason: String?
    /// Only sealed transcripts (true) or only those in the clear (false).
    public var sealed: Bool?
    public var limit: Int?

    public init(
        since: String? = nil, until: String? = nil, outcome: String? = nil, urgent: Bool? = nil, channel: String? = nil,
        office: String? = nil, host: String? = nil, endReason: String? = nil, sealed: Bool? = nil, limit: Int? = nil
    ) {
        self.since = since
        self.until = until
        self.outcome = outcome
        self.urgent = urgent
        self.channel = channel
        self.office = office
        self.host = host
        self.endReason = endReason
        self.sealed = sealed
        self.limit = limit
    }
}

/// One entry of the audit: who removed what, when and why. Never the personal data removed.
public struct AuditEntry: Sendable, Equatable {
    public var at: String
    public var actor: String
    public var action: String
    public var target: String
    public var reason: String
    public var office: String
    public var host: String

    public init(at: String, actor: String, action: String, target: String, reason: String, office: String, host: String)
    {
        self.at = at
        self.actor = actor
        self.action = action
        self.target = target
        self.reason = reason
        self.office = office
        self.host = host
    }
}

extension RecordStore {
    // MARK: - Reading

    /// The consultations the filter lets through, newest first.
    public func transcripts(_ filter: TranscriptFilter = TranscriptFilter()) throws(StoreError) -> [StoredTranscript] {
        var sql = """
            SELECT id, started, day, channel, language, office, host, end_reason, outcomes, urgent, events, sealed
            FROM transcripts WHERE 1 = 1
            """
        var binds: [SQLValue] = []
        func add(_ condition: String, _ value: String?) {
            guard let value else { return }
            sql += " AND \(condition)"
            binds.append(.text(value))
        }
        add("day >= ?", filter.since)
        add("day <= ?", filter.until)
        add("channel = ?", filter.channel)
        add("office = ?", filter.office)
        add("host = ?", filter.host)
        add("id IN (SELECT transcript FROM transcript_outcomes WHERE outcome = ?)", filter.outcome)
        if let urgent = filter.urgent {
            sql += " AND urgent = ?"
            binds.append(.int(urgent ? 1 : 0))
        }
        if let sealed = filter.sealed {
            sql += " AND sealed = ?"
            binds.append(.int(sealed ? 1 : 0))
        }
        if let reason = filter.endReason {
            if reason.isEmpty { sql += " AND end_reason IS NULL" } else { add("end_reason = ?", reason) }
        }
        sql += " ORDER BY started DESC, id"
        if let limit = filter.limit {
            sql += " LIMIT ?"
            binds.append(.int(limit))
        }
        return try db.query(sql, binds).map { r in
            StoredTranscript(
                id: r[0].text ?? "", started: r[1].text ?? "", day: r[2].text ?? "", channel: r[3].text ?? "",
                language: r[4].text ?? "", office: r[5].text ?? "", host: r[6].text ?? "", endReason: r[7].text,
                outcomes: (r[8].text ?? "").split(separator: " ").map(String.init), urgent: r[9].int == 1,
                events: r[10].int ?? 0, sealed: r[11].int == 1)
        }
    }

    /// The lines of a transcript as stored, in order; empty when the store has none.
    public func lines(of transcript: String) throws(StoreError) -> [Line] {
        try db.run("SELECT line, bytes, complete FROM events WHERE transcript = ? ORDER BY line", .text(transcript)).map
        {
            Line(number: $0[0].int ?? 0, bytes: $0[1].bytes ?? [], complete: $0[2].int != 0)
        }
    }

    /// The hash of each stored line of a transcript, by line number.
    public func lineHashes(of transcript: String) throws(StoreError) -> [Int: String] {
        var hashes: [Int: String] = [:]
        for row in try db.run("SELECT line, hash FROM events WHERE transcript = ?", .text(transcript)) {
            hashes[row[0].int ?? -1] = row[1].text ?? ""
        }
        return hashes
    }

    /// How many lines of each transcript the store holds (those it holds none of are left out).
    public func lineCounts(_ transcripts: [String]) throws(StoreError) -> [String: Int] {
        var counts: [String: Int] = [:]
        for chunk in stride(from: 0, to: transcripts.count, by: 500).map({
            Array(transcripts[$0..<min($0 + 500, transcripts.count)])
        }) {
            let marks = Array(repeating: "?", count: chunk.count).joined(separator: ", ")
            for row in try db.query(
                "SELECT transcript, COUNT(*) FROM events WHERE transcript IN (\(marks)) GROUP BY transcript",
                chunk.map { .text($0) })
            {
                counts[row[0].text ?? ""] = row[1].int ?? 0
            }
        }
        return counts
    }

    /// A transcript's bytes as stored, the lines joined as the file held them; nil when the store
    /// has no line of it.
    public func transcriptBytes(_ id: String) throws(StoreError) -> [UInt8]? {
        let lines = try lines(of: id)
        guard !lines.isEmpty else { return nil }
        var bytes: [UInt8] = []
        var expected = 0
        for line in lines {
            // A line missing from the store (never forwarded) leaves a gap `verify` reports.
            if line.number != expected {
                bytes += Array("{\"missing\":\"line \(expected + 1) was never stored\"}\n".utf8)
            }
            bytes += line.bytes
            if line.complete { bytes.append(0x0A) }
            expected = line.number + 1
        }
        return bytes
    }

    /// Reads and checks a stored transcript as `TranscriptReader.read` checks a file, its
    /// appointment requests taken from the store; nil when the store has no line of it.
    public func read(
        transcript id: String, keys: OpeningKeys = .none
    ) throws(StoreError) -> (events: [TranscriptEvent], verification: Verification)? {
        guard let bytes = try transcriptBytes(id) else { return nil }
        var failure: StoreError?
        let result = TranscriptReader.read(bytes: bytes, id: id, keys: keys, requestsPlace: name) { reference in
            do throws(StoreError) {
                return try appointment(reference).map { Data($0) }
            } catch {
                failure = error
                return nil
            }
        }
        if let failure { throw failure }
        return result
    }

    /// An appointment request's document as saved; nil when the store has none under `reference`.
    public func appointment(_ reference: String) throws(StoreError) -> [UInt8]? {
        try db.run("SELECT document FROM appointments WHERE reference = ?", .text(reference)).first?.first?.bytes
    }

    /// Every request, urgent first, each group newest first: reference and document.
    public func appointments(
        since: String? = nil, office: String? = nil, urgent: Bool? = nil
    ) throws(StoreError)
        -> [(reference: String, document: [UInt8])]
    {
        var sql = "SELECT reference, document FROM appointments WHERE 1 = 1"
        var binds: [SQLValue] = []
        if let since {
            sql += " AND day >= ?"
            binds.append(.text(since))
        }
        if let office {
            sql += " AND office = ?"
            binds.append(.text(office))
        }
        if let urgent {
            sql += " AND urgent = ?"
            binds.append(.int(urgent ? 1 : 0))
        }
        sql += " ORDER BY urgent DESC, created DESC, reference"
        return try db.query(sql, binds).map { ($0[0].text ?? "", $0[1].bytes ?? []) }
    }

    /// The references of the requests the store holds, of those given.
    public func storedReferences(_ references: [String]) throws(StoreError) -> Set<String> {
        guard !references.isEmpty else { return [] }
        let marks = Array(repeating: "?", count: references.count).joined(separator: ", ")
        return Set(
            try db.query(
                "SELECT reference FROM appointments WHERE reference IN (\(marks))", references.map { .text($0) }
            )
            .compactMap { $0.first?.text })
    }

    // MARK: - Removing personal data

    /// Removes transcripts and requests for good: their events, summaries and documents. A request
    /// removed takes its transcript along, and a transcript its requests. Returns what was removed.
    public func erase(
        transcripts ids: [String], references: [String]
    ) throws(StoreError) -> (transcripts: [String], references: [String]) {
        let removed = try db.transaction { () throws(StoreError) -> (transcripts: [String], references: [String]) in
            var transcripts = Set(ids)
            var refs = Set(references)
            for reference in references {
                if let t = try db.run("SELECT transcript FROM appointments WHERE reference = ?", .text(reference))
                    .first?.first?.text
                {
                    transcripts.insert(t)
                }
            }
            for id in transcripts {
                for row in try db.run("SELECT reference FROM appointments WHERE transcript = ?", .text(id)) {
                    if let r = row.first?.text { refs.insert(r) }
                }
            }
            var foundTranscripts: [String] = []
            for id in transcripts.sorted() {
                let lines = try db.run("DELETE FROM events WHERE transcript = ? RETURNING line", .text(id)).count
                try db.run("DELETE FROM transcript_outcomes WHERE transcript = ?", .text(id))
                let rows = try db.run("DELETE FROM transcripts WHERE id = ? RETURNING id", .text(id)).count
                if lines + rows > 0 { foundTranscripts.append(id) }
            }
            var foundReferences: [String] = []
            for reference in refs.sorted()
            where !(try db.run("DELETE FROM appointments WHERE reference = ? RETURNING reference", .text(reference)))
                .isEmpty
            {
                foundReferences.append(reference)
            }
            return (foundTranscripts, foundReferences)
        }
        try scrub()
        return removed
    }

    /// The transcripts held on a day before `day` (YYYY-MM-DD) and the requests created before it.
    public func held(before day: String) throws(StoreError) -> (transcripts: [String], references: [String]) {
        let transcripts = try db.run("SELECT id FROM transcripts WHERE day < ? AND day <> ''", .text(day)).compactMap {
            $0.first?.text
        }
        let references = try db.run("SELECT reference FROM appointments WHERE day < ?", .text(day)).compactMap {
            $0.first?.text
        }
        return (transcripts, references)
    }

    /// After a removal: what the database keeps of removed rows is overwritten or dropped (SQLite
    /// zeroes freed cells with secure_delete and its write-ahead log is truncated; PostgreSQL's
    /// tables are rewritten without their dead rows).
    func scrub() throws(StoreError) {
        switch db.dialect {
        case .sqlite:
            try db.run("PRAGMA wal_checkpoint(TRUNCATE)")
        case .postgres:
            // Rewriting a large table takes as long as it takes.
            let limit = statementTimeout
            statementTimeout = nil
            defer { statementTimeout = limit }
            for table in ["events", "transcripts", "transcript_outcomes", "appointments"] {
                try db.run("VACUUM FULL \(table)")
            }
        }
    }

    /// Adds an entry to the audit.
    public func audit(_ entry: AuditEntry) throws(StoreError) {
        try db.run(
            "INSERT INTO audit (at, actor, action, target, reason, office, host) VALUES (?, ?, ?, ?, ?, ?, ?)",
            .text(entry.at), .text(entry.actor), .text(entry.action), .text(entry.target), .text(entry.reason),
            .text(entry.office), .text(entry.host))
    }

    /// The audit, oldest first.
    public func auditEntries() throws(StoreError) -> [AuditEntry] {
        try db.run("SELECT at, actor, action, target, reason, office, host FROM audit ORDER BY id").map {
            AuditEntry(
                at: $0[0].text ?? "", actor: $0[1].text ?? "", action: $0[2].text ?? "", target: $0[3].text ?? "",
                reason: $0[4].text ?? "", office: $0[5].text ?? "", host: $0[6].text ?? "")
        }
    }
}
