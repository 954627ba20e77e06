import ConsultEngine
import ConsultRecords
import ConsultSealing
import Foundation
import Testing

/// Figures, printed not asserted (a shared machine's timings say little): the cost of an event
/// written sealed beside one written in the clear (each fsync'ed), and a consultation's start-up.
@Suite struct SealingFiguresTests {
    static func percentiles(_ samples: [Double]) -> (p50: Double, p99: Double) {
        let sorted = samples.sorted()
        return (sorted[sorted.count / 2], sorted[min(sorted.count - 1, sorted.count * 99 / 100)])
    }

    func appendTimes(sealing: RecordSealing?, count: Int) throws -> [Double] {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "consult-figures-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: folder) }
        var directory = DataDirectory(folder)
        try directory.prepare()
        directory.sealing = sealing
        let writer = try TranscriptWriter(directory: directory)
        writer.crashEnd = { _, _ in }  // as in a consultation: the crash line is prepared after each event
        try writer.append(
            .start(
                .init(
                    id: writer.id, channel: "kiosk", contentHash: "x", version: "0.1.0",
                    today: LocalDate(year: 2026, month: 11, day: 25)!, language: "en")))
        let clock = ContinuousClock()
        return try (0..<count).map { i in
            let event = ConsultationEvent.answer(
                .init(fact: "applicant_name", input: "Applicant \(i)", value: .text("Applicant \(i)")))
            let elapsed = try clock.measure { try writer.append(event) }
            return Double(elapsed.components.attoseconds) / 1e12 + Double(elapsed.components.seconds) * 1e6
        }
    }

    @Test func sealingCostPerEventBesideAnUnsealedWrite() throws {
        let recipients = (0..<3).map { _ in Identity().recipient }
        let sealing = RecordSealing(recipients: recipients, host: HostKey(name: "figures"))
        let plain = Self.percentiles(try appendTimes(sealing: nil, count: 300))
        let sealed = Self.percentiles(try appendTimes(sealing: sealing, count: 300))
        print(
            String(
                format:
                    "figures: event written in the clear p50 %.0f µs, p99 %.0f µs; sealed to 3 recipients and signed p50 %.0f µs, p99 %.0f µs",
                plain.p50, plain.p99, sealed.p50, sealed.p99))
        #expect(sealed.p50 > 0 && plain.p50 > 0)
    }

    @Test func startUpWithSealingOn() throws {
        let office = try Office()
        defer { office.remove() }
        func startUp(_ extra: [String]) throws -> Double {
            let clock = ContinuousClock()
            var samples: [Double] = []
            for _ in 0..<5 {
                let elapsed = try clock.measure {
                    // Input ends at once: the first screen is shown and the consultation closes.
                    try office.run(["--today", "2026-11-25", "--data-dir", office.data] + extra, input: "")
                }
                samples.append(Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1e3)
            }
            return Self.percentiles(samples).p50
        }
        let plain = try startUp([])
        let sealed = try startUp(["--recipients", office.recipients])
        print(
            String(
                format:
                    "figures: consult start to its end on empty input, median of 5: in the clear %.0f ms, sealed %.0f ms",
                plain, sealed))
        #expect(office.transcriptIDs().count == 10)
    }
}
