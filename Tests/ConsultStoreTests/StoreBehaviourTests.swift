import ConsultEngine
import ConsultRecords
import ConsultTestSupport
import Foundation
import Testing

@testable import ConsultStore

/// What the staff and the sessions rely on, the same on the embedded store and on PostgreSQL.
@Suite struct StoreBehaviourTests {
    @Test(
        "events written with a store attached are in the store, and verify over the stored bytes",
        arguments: StoreKind.allCases)
    func liveEventsReachTheStore(_ kind: StoreKind) throws {
        let place = try Place(kind)
        defer { place.remove() }
        let mirror = StoreMirror(location: place.location, spool: place.spool())
        let writer = try writeConsultation(in: place.directory, mirror: mirror)
        #expect(mirror.failure == nil)
        mirror.close()
        let store = try place.open()
        defer { store.close() }
        // Byte for byte what the spool holds.
        #expect(try store.transcriptBytes(writer.id) == [UInt8](try Data(contentsOf: writer.url)))
        let read = try #require(try store.read(transcript: writer.id))
        #expect(read.verification.status == .intact)
        #expect(read.events.count == 6)
        let rows = try store.transcripts()
        #expect(rows.map(\.id) == [writer.id])
        #expect(rows.first?.office == "Tverskaya")
        #expect(rows.first?.host == "kiosk-1")
        #expect(rows.first?.language == "ru")
        #expect(rows.first?.endReason == "completed")
        #expect(rows.first?.outcomes == ["vks_rp_eligible"])
        #expect(rows.first?.events == 6)
    }

    @Test(
        "forwarding twice stores every line once; a line stored with other bytes is a conflict",
        arguments: StoreKind.allCases)
    func forwardingIsIdempotent(_ kind: StoreKind) throws {
        let place = try Place(kind)
        defer { place.remove() }
        let writer = try writeConsultation(in: place.directory)
        let store = try place.open()
        defer { store.close() }
        // Half of it reached the store before it went away.
        let lines = try fileLines(writer.url)
        try store.append(
            transcript: writer.id,
            lines: lines.prefix(3).enumerated().map { RecordStore.Line(number: $0.offset, bytes: $0.element) })
        var report = place.spool().forward(to: store, keep: .infinity)
        #expect(report.lines == 3)
        #expect(report.problems.isEmpty)
        report = place.spool().forward(to: store, keep: .infinity)
        #expect(report.lines == 0)
        #expect(try store.lines(of: writer.id).count == lines.count)
        #expect(try store.transcripts().first?.events == lines.count)
        // The same line number with other bytes (the spool altered after it was forwarded).
        var altered = lines[2]
        altered[altered.count - 70] ^= 1
        #expect(throws: StoreError.self) {
            try store.append(transcript: writer.id, lines: [RecordStore.Line(number: 2, bytes: altered)])
        }
        #expect(try store.read(transcript: writer.id)?.verification.status == .intact)
    }

    @Test("a stored line altered in the database is ALTERED for verify", arguments: StoreKind.allCases)
    func alteredStoredLineIsFound(_ kind: StoreKind) throws {
        let place = try Place(kind)
        defer { place.remove() }
        let writer = try writeConsultation(in: place.directory)
        let store = try place.open()
        defer { store.close() }
        place.spool().forward(to: store, keep: .infinity)
        var line = try fileLines(writer.url)[3]
        let text = String(decoding: line, as: UTF8.self).replacingOccurrences(of: "Ivan Petrov", with: "Ivan Sidorov")
        line = Array(text.utf8)
        try store.db.run(
            "UPDATE events SET bytes = ? WHERE transcript = ? AND line = 3", .bytes(line), .text(writer.id))
        let read = try #require(try store.read(transcript: writer.id))
        #expect(read.verification.status == .broken(line: 4, reason: "the event was altered"))
        #expect(read.events.count == 3, "events after the altered line are not vouched for")
    }

    @Test(
        "a spooled line altered after it was stored is a conflict: both copies kept, staff told",
        arguments: StoreKind.allCases)
    func spoolAlteredAfterForwarding(_ kind: StoreKind) throws {
        let place = try Place(kind)
        defer { place.remove() }
        let writer = try writeConsultation(in: place.directory)
        let store = try place.open()
        defer { store.close() }
        #expect(place.spool().forward(to: store, keep: .infinity).conflicts.isEmpty)
        let text = try String(contentsOf: writer.url, encoding: .utf8).replacingOccurrences(
            of: "Ivan Petrov", with: "Ivan Sidorov")
        try text.write(to: writer.url, atomically: false, encoding: .utf8)
        let report = place.spool().forward(to: store, keep: 0)
        #expect(report.conflicts.map(\.name) == [writer.id])
        #expect(report.conflicts.first?.line == 4, "the answer with the name is the fourth line")
        #expect(report.removed == 0)
        #expect(FileManager.default.fileExists(atPath: writer.url.path), "the evidence stays")
        #expect(
            try store.read(transcript: writer.id)?.verification.status == .intact, "the store keeps what was stored")
    }

    @Test(
        "a forwarded spool file is removed once ended and stored; one still written or cut short by a live writer stays",
        arguments: StoreKind.allCases)
    func forwardedSpoolIsRemoved(_ kind: StoreKind) throws {
        let place = try Place(kind)
        defer { place.remove() }
        let ended = try writeConsultation(in: place.directory)
        let live = try writeConsultation(in: place.directory, end: false)
        let store = try place.open()
        defer { store.close() }
        let report = place.spool().forward(to: store, keep: 0)
        #expect(report.removed == 1)
        #expect(report.live == 1)
        #expect(!FileManager.default.fileExists(atPath: ended.url.path))
        #expect(FileManager.default.fileExists(atPath: live.url.path), "the writer still holds it")
        #expect(try store.read(transcript: ended.id)?.verification.status == .intact)
        #expect(try store.read(transcript: live.id)?.verification.status == .cutShort)
    }

    @Test("staff filter by day, office, host, channel, outcome, end and urgency", arguments: StoreKind.allCases)
    func filters(_ kind: StoreKind) throws {
        let place = try Place(kind)
        defer { place.remove() }
        let a = try writeConsultation(in: place.directory, office: "Tverskaya", host: "kiosk-1")
        let b = try writeConsultation(in: place.directory, end: false, office: "Arbat", host: "ssh-1")
        let store = try place.open()
        defer { store.close() }
        place.spool().forward(to: store, keep: .infinity)
        let day = try #require(try store.transcripts().first?.day)
        #expect(Set(try store.transcripts().map(\.id)) == [a.id, b.id])
        #expect(try store.transcripts(TranscriptFilter(office: "Arbat")).map(\.id) == [b.id])
        #expect(try store.transcripts(TranscriptFilter(host: "kiosk-1")).map(\.id) == [a.id])
        #expect(try store.transcripts(TranscriptFilter(endReason: "")).map(\.id) == [b.id])
        #expect(try store.transcripts(TranscriptFilter(endReason: "completed")).map(\.id) == [a.id])
        #expect(try store.transcripts(TranscriptFilter(outcome: "vks_rp_eligible")).count == 2)
        #expect(try store.transcripts(TranscriptFilter(outcome: "no_such_outcome")).isEmpty)
        #expect(try store.transcripts(TranscriptFilter(channel: "kiosk")).count == 2)
        #expect(try store.transcripts(TranscriptFilter(channel: "ssh")).isEmpty)
        #expect(try store.transcripts(TranscriptFilter(since: day, until: day)).count == 2)
        #expect(try store.transcripts(TranscriptFilter(until: "2000-01-01")).isEmpty)
        #expect(try store.transcripts(TranscriptFilter(urgent: true)).isEmpty)
        #expect(try store.transcripts(TranscriptFilter(limit: 1)).count == 1)
    }

    @Test("migrate is idempotent and a store of a newer schema is refused", arguments: StoreKind.allCases)
    func migrations(_ kind: StoreKind) throws {
        let place = try Place(kind)
        defer { place.remove() }
        let store = try place.open()
        #expect(try store.schemaVersion() == Schema.version)
        #expect(try store.migrate() == (from: Schema.version, to: Schema.version))
        try store.db.run(
            "INSERT INTO schema_version (version, applied) VALUES (?, ?)", .int(Schema.version + 1), .text("later"))
        store.close()
        #expect {
            try place.open()
        } throws: { error in
            guard case StoreError.schemaTooNew(_, let found, let known)? = error as? StoreError else { return false }
            return found == Schema.version + 1 && known == Schema.version
        }
    }

    @Test(
        "erase removes an applicant's transcript and request for good and audits it without the name",
        arguments: StoreKind.allCases)
    func eraseLeavesNoTraceInTheStore(_ kind: StoreKind) throws {
        let place = try Place(kind)
        defer { place.remove() }
        let name = "Zoryana Kvitkova"
        let kept = try writeConsultation(in: place.directory)
        let gone = try writeConsultation(in: place.directory, name: name)
        let store = try place.open()
        defer { store.close() }
        place.spool().forward(to: store, keep: .infinity)
        let removal = try RecordsMaintenance(store: store, spool: place.spool(), actor: "lawyer")
            .erase([gone.id], reason: "consent withdrawn")
        #expect(removal.transcripts == [gone.id])
        #expect(try store.read(transcript: gone.id) == nil)
        #expect(try store.read(transcript: kept.id)?.verification.status == .intact)
        #expect(!FileManager.default.fileExists(atPath: gone.url.path), "the spool file is gone too")
        let audit = try store.auditEntries()
        #expect(audit.count == 1)
        #expect(audit.first?.action == "erase")
        #expect(audit.first?.actor == "lawyer")
        #expect(audit.first?.reason == "consent withdrawn")
        #expect(audit.first?.target.contains(gone.id) == true)
        #expect(try dump(store).contains(name) == false, "the name is still in the store")
        if kind == .sqlite { #expect(files(under: place.directory.url.path, containing: name).isEmpty) }
    }

    @Test(
        "purge removes what was held before a day, from the store and the spool, with one audit entry",
        arguments: StoreKind.allCases)
    func purgeBeforeADay(_ kind: StoreKind) throws {
        let place = try Place(kind)
        defer { place.remove() }
        let old = try writeConsultation(in: place.directory, name: "Old Applicant")
        let store = try place.open()
        defer { store.close() }
        place.spool().forward(to: store, keep: .infinity)
        // Written today: a purge before tomorrow takes it, one before today keeps it.
        let today = try #require(try store.transcripts().first?.day)
        var removal = try RecordsMaintenance(store: store, spool: place.spool(), actor: "admin").purge(
            before: today, reason: "test")
        #expect(removal.transcripts.isEmpty)
        #expect(try store.read(transcript: old.id) != nil)
        removal = try RecordsMaintenance(store: store, spool: place.spool(), actor: "admin").purge(
            before: "2999-01-01", reason: "retention")
        #expect(removal.transcripts == [old.id])
        #expect(try store.transcripts().isEmpty)
        #expect(!FileManager.default.fileExists(atPath: old.url.path))
        #expect(try store.auditEntries().map(\.action) == ["purge", "purge"])
        #expect(try dump(store).contains("Old Applicant") == false)
    }

    /// Every row of every table as text: what a query can still find.
    func dump(_ store: RecordStore) throws -> String {
        var text = ""
        for table in ["transcripts", "events", "transcript_outcomes", "appointments", "audit"] {
            for row in try store.db.run("SELECT * FROM \(table)") {
                text +=
                    row.map { value -> String in
                        switch value {
                        case .text(let s): return s
                        case .int(let i): return String(i)
                        case .bytes(let b): return String(decoding: b, as: UTF8.self)
                        case .null: return ""
                        }
                    }.joined(separator: "|") + "\n"
            }
        }
        return text
    }
}
