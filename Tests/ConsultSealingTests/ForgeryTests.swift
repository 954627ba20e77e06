import ConsultEngine
import ConsultSealing
import Foundation
import Testing

@testable import ConsultRecords

/// Someone who has the lawyers' public keys (they are no secret) cannot add to the records unnoticed.
@Suite struct ForgeryTests {
    /// A line sealed with the public keys, chained and hashed as the host would, but signed by
    /// another key: without the signature the chain alone would take it.
    @Test func aForgedLineSealedWithThePublicKeyIsCaughtByVerify() throws {
        let office = try Office()
        defer { office.remove() }
        let id = try office.consultation(name: "Real Applicant", email: "real@example.org")
        let url = office.transcript(id)
        var lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map(String.init)
        lines = Array(lines.prefix(10))
        let last = try #require(lines.last)
        let previous = String(last.suffix(66).prefix(64))
        // The forger's own transcript seal, to the office's real recipients.
        let recipients = try RecipientList.recipients(at: office.recipients).keys
        let forger = try TranscriptSeal(
            id: id, sealing: RecordSealing(recipients: recipients, host: HostKey(name: "vm")))
        let event = ConsultationEvent.answer(.init(fact: "applicant_name", input: "Mallory", value: .text("Mallory")))
        let body = try forger.body(sequence: 10, time: "2026-11-25T10:00:00.000Z", event: event, previous: previous)
        let forged = String(body.dropLast()) + ",\"hash\":\"\(TranscriptWriter.hash(previous: previous, body: body))\"}"
        try Data((lines + [forged]).joined(separator: "\n").appending("\n").utf8).write(to: url)

        // The store holds the line as written: the file's forged line is not it.
        var result = try office.run(["transcripts", "verify", id, "--data-dir", office.data])
        #expect(result.status == 1)
        #expect(result.stdout.contains("\(id): ALTERED at line 11: line 11 in "), "\(result.stdout)")
        // With the store lost and built again from the forged file, the host's signature catches it.
        office.forgetStore()
        result = try office.run(["transcripts", "verify", id, "--data-dir", office.data])
        #expect(result.status == 1)
        #expect(
            result.stdout.contains(
                "\(id): ALTERED at line 11: the line is not signed by the host that wrote the transcript"),
            "\(result.stdout)")
        // Opened by a lawyer, the forged line is not shown as part of the consultation.
        let shown = try office.run(["transcripts", "show", id, "--data-dir", office.data] + office.opening("anna"))
        #expect(!shown.stdout.contains("Mallory"))
    }

    /// A whole transcript made up with the public keys and a host key of the forger's: `verify`
    /// names the host, and with the office's known hosts refuses it.
    @Test func aMadeUpTranscriptIsRefusedByTheKnownHosts() throws {
        let office = try Office()
        defer { office.remove() }
        _ = try office.consultation(name: "Real Applicant", email: "real@example.org")
        let hosts = office.folder.appendingPathComponent("hosts").path
        let host = try office.run(["keys", "host", "--data-dir", office.data])
        try Data(host.stdout.utf8).write(to: URL(fileURLWithPath: hosts))

        var directory = DataDirectory(URL(fileURLWithPath: office.data))
        directory.sealing = RecordSealing(
            recipients: try RecipientList.recipients(at: office.recipients).keys, host: HostKey(name: "vm"))
        let writer = try TranscriptWriter(directory: directory)
        try writer.append(
            .start(
                .init(
                    id: writer.id, channel: "kiosk", contentHash: "x", version: "0.1.0",
                    today: LocalDate(year: 2026, month: 11, day: 25)!, language: "en")))
        try writer.append(.end(.init(reason: "completed")))

        var result = try office.run(["transcripts", "verify", "--all", "--data-dir", office.data])
        #expect(result.status == 0)
        #expect(result.stdout.contains("\(writer.id): intact (2 events; sealed, written by host vm (key"))
        result = try office.run(["transcripts", "verify", "--all", "--data-dir", office.data, "--hosts", hosts])
        #expect(result.status == 1)
        #expect(
            result.stdout.contains("\(writer.id): ALTERED at line 1: written by a host not in \(hosts)"),
            "\(result.stdout)")
        #expect(result.stdout.contains("a known host"))
        // The lawyer, with the same file, is not shown it as a consultation.
        result = try office.run(
            ["transcripts", "show", writer.id, "--data-dir", office.data, "--hosts", hosts] + office.opening("anna"))
        #expect(result.stderr.contains("written by a host not in"))
    }
}
