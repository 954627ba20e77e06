import ConsultEngine
import ConsultRecords
import ConsultTestSupport
import Foundation
import Testing

@testable import ConsultStore

#if canImport(Glibc)
    import Glibc
#endif

/// Figures for issue 12, printed, never asserted (`make bench-store`; `make test` skips every
/// "Benchmark"): the commit of one event before the next prompt on today's fsync'ed file, the
/// embedded store and PostgreSQL (its own server, fsync on); listing and filtering 100,000 stored
/// consultations; forwarding 10,000 spooled events.
@Suite(.serialized) struct StoreBenchmark {
    static let events = Int(ProcessInfo.processInfo.environment["STORE_BENCH_EVENTS"] ?? "") ?? 400
    static let consultations = Int(ProcessInfo.processInfo.environment["STORE_BENCH_CONSULTATIONS"] ?? "") ?? 100_000

    static let server = Result { try PostgresServer(durable: true) }

    func place(_ kind: StoreKind, _ name: String) throws -> (DataDirectory, StoreLocation) {
        let directory = DataDirectory(temporaryPath("consult-bench-\(name)"))
        try directory.prepare()
        let url =
            kind == .sqlite
            ? "sqlite:" + directory.url.appendingPathComponent("records.sqlite").path
            : try Self.server.get().newDatabase()
        return (directory, try StoreLocation.parse(url))
    }

    static func milliseconds(_ d: Duration) -> Double {
        Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15
    }

    static func percentile(_ sorted: [Double], _ p: Double) -> Double {
        sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)]
    }

    static func report(_ line: String) {
        print("bench-store: \(line)")
    }

    @Test func perEventCommitLatency() throws {
        let clock = ContinuousClock()
        for target in ["file", "sqlite", "postgres"] {
            let kind: StoreKind? = target == "file" ? nil : StoreKind(rawValue: target)
            let (directory, location) = try place(kind ?? .sqlite, target)
            defer { try? FileManager.default.removeItem(at: directory.url) }
            let writer = try TranscriptWriter(directory: directory)
            let mirror = kind.map { _ in
                StoreMirror(location: location, spool: Spool(directory: directory, office: "Bench", host: "bench"))
            }
            mirror?.attach(to: writer)
            defer { mirror?.close() }
            let recorder = ConsultationRecorder(writer: writer)
            recorder.start(
                channel: "kiosk", remote: nil, contentHash: "bench", version: "0",
                today: LocalDate(year: 2026, month: 11, day: 25)!,
                language: "en", office: "Bench", host: "bench")
            var samples: [Double] = []
            for i in 0..<Self.events {
                let event = ConsultationEvent.answer(
                    .init(fact: "applicant_name", input: "Answer \(i)", value: .text("Answer \(i)")))
                let started = clock.now
                try writer.append(event)
                samples.append(Self.milliseconds(clock.now - started))
            }
            #expect(mirror?.failure == nil)
            samples.sort()
            Self.report(
                String(
                    format: "commit of one event, %@: p50 %.2f ms, p99 %.2f ms (%d events%@)", target,
                    Self.percentile(samples, 0.5), Self.percentile(samples, 0.99), samples.count,
                    target == "file" ? ", fsync per event" : ", after the file's fsync"))
        }
    }

    @Test(arguments: StoreKind.allCases)
    func listingAndFiltering(_ kind: StoreKind) throws {
        let (directory, location) = try place(kind, "list")
        defer { try? FileManager.default.removeItem(at: directory.url) }
        let store = try RecordStore.open(location)
        defer { store.close() }
        store.statementTimeout = nil
        let clock = ContinuousClock()
        let offices = ["Tverskaya", "Arbat", "Lubyanka", "Kitay-gorod"]
        let filling = clock.now
        // Summary rows as forwarding leaves them: 100,000 consultations over ~3 years, 4 offices,
        // 8 hosts, 3 channels, one in ten urgent, each with one outcome.
        let batch = 1000
        for start in stride(from: 0, to: Self.consultations, by: batch) {
            try store.db.transaction { () throws(StoreError) in
                var rows: [String] = []
                var outcomes: [String] = []
                var binds: [SQLValue] = []
                var outcomeBinds: [SQLValue] = []
                for n in start..<min(start + batch, Self.consultations) {
                    let day = LocalDate(year: 2024, month: 1, day: 1)!.adding(days: n % 1000)
                    let id = String(format: "B%06d", n)
                    rows.append("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
                    binds += [
                        .text(id), .text("\(day)T0\(n % 10):00:00Z"), .text(day.description),
                        .text(["kiosk", "ssh", "local"][n % 3]),
                        .text("ru"), .text(offices[n % 4]), .text("host-\(n % 8)"), .text("completed"),
                        .text(n % 5 == 0 ? "vks_rp_eligible" : "not_eligible"), .int(n % 10 == 0 ? 1 : 0), .int(40),
                    ]
                    outcomes.append("(?, ?)")
                    outcomeBinds += [.text(id), .text(n % 5 == 0 ? "vks_rp_eligible" : "not_eligible")]
                }
                _ = try store.db.query(
                    """
                    INSERT INTO transcripts (id, started, day, channel, language, office, host, end_reason, outcomes, urgent, events)
                    VALUES \(rows.joined(separator: ", "))
                    """, binds)
                _ = try store.db.query(
                    "INSERT INTO transcript_outcomes (transcript, outcome) VALUES \(outcomes.joined(separator: ", "))",
                    outcomeBinds)
            }
        }
        try store.db.run("ANALYZE")
        Self.report(
            String(
                format: "%@: %d consultations stored in %.1f s", kind.rawValue, Self.consultations,
                Self.milliseconds(clock.now - filling) / 1000))
        let queries: [(String, TranscriptFilter)] = [
            ("newest 100 (transcripts list --limit 100)", TranscriptFilter(limit: 100)),
            ("one office, one month", TranscriptFilter(since: "2025-03-01", until: "2025-03-31", office: "Arbat")),
            ("one host, urgent", TranscriptFilter(urgent: true, host: "host-0")),
            (
                "an outcome, one channel, one week",
                TranscriptFilter(since: "2025-06-01", until: "2025-06-07", outcome: "vks_rp_eligible", channel: "ssh")
            ),
            ("everything (transcripts list)", TranscriptFilter()),
        ]
        for (name, filter) in queries {
            var samples: [Double] = []
            var count = 0
            for _ in 0..<5 {
                let started = clock.now
                count = try store.transcripts(filter).count
                samples.append(Self.milliseconds(clock.now - started))
            }
            samples.sort()
            Self.report(
                String(
                    format: "%@, %@: %d rows, median %.1f ms (goal < 100 ms)", kind.rawValue, name, count, samples[2]))
        }
    }

    @Test(arguments: StoreKind.allCases)
    func forwardingTenThousandEvents(_ kind: StoreKind) throws {
        let (directory, location) = try place(kind, "forward")
        defer { try? FileManager.default.removeItem(at: directory.url) }
        // 10,000 events: 1,000 spooled consultations of 10 events each, written as a session writes them.
        for c in 0..<1000 {
            let writer = try TranscriptWriter(directory: directory)
            let recorder = ConsultationRecorder(writer: writer)
            recorder.start(
                channel: "kiosk", remote: nil, contentHash: "bench", version: "0",
                today: LocalDate(year: 2026, month: 11, day: 25)!,
                language: "en", office: "Bench", host: "bench")
            for i in 0..<8 {
                recorder.record(
                    .answer(.init(fact: "f\(i)", input: "answer \(c).\(i)", value: .text("answer \(c).\(i)"))))
            }
            recorder.end("completed", facts: [:], outcomes: [])
        }
        let store = try RecordStore.open(location)
        defer { store.close() }
        store.statementTimeout = nil
        let clock = ContinuousClock()
        let started = clock.now
        let report = Spool(directory: directory, office: "Bench", host: "bench").forward(to: store, keep: .infinity)
        let elapsed = Self.milliseconds(clock.now - started)
        #expect(report.problems.isEmpty)
        Self.report(
            String(
                format: "%@: forwarding %d spooled events (%d transcripts) took %.1f s (%.0f events/s)", kind.rawValue,
                report.lines, report.transcripts, elapsed / 1000, Double(report.lines) / (elapsed / 1000)))
    }
}
