import ConsultEngine
import ConsultTestSupport
import Foundation
import Testing

@testable import ConsultRecords

/// Alterations that `consult transcripts verify` used to pass (issue 9, item 8), checked with the
/// real binary: the staff's `verify` must call them altered (exit 1) and `show` must not display
/// the altered events as if they were verified.
@Suite struct TamperCommandTests {
    let cli = CommandTests()

    /// The end event's reason rewritten ("completed" → "quit"), the file then ended as `ending` says.
    func alterLastLine(of url: URL, ending: String) throws {
        var all = try lines(of: url)
        #expect(all[all.count - 1].contains("\"reason\":\"completed\""))
        all[all.count - 1] = all[all.count - 1].replacingOccurrences(
            of: "\"reason\":\"completed\"", with: "\"reason\":\"quit\"")
        try Data((all.joined(separator: "\n") + ending).utf8).write(to: url)
    }

    @Test(
        "an altered last line ended with CR LF or a trailing blank is altered, and show does not display it",
        arguments: ["\r\n", " ", "\n ", "\r"])
    func alteredLastLineWithOddEnding(_ ending: String) throws {
        let directory = try temporaryDataDirectory()
        defer { removeDirectory(directory) }
        let writer = try writeConsultation(in: directory)
        try alterLastLine(of: writer.url, ending: ending)
        let verify = try cli.consult(["transcripts", "verify", writer.id, "--data-dir", directory.url.path])
        #expect(verify.status == 1, "ending \(ending.debugDescription): \(verify.stdout)")
        #expect(verify.stdout.contains("ALTERED at line 8"), "ending \(ending.debugDescription): \(verify.stdout)")
        let show = try cli.consult(["transcripts", "show", writer.id, "--lang", "en", "--data-dir", directory.url.path])
        #expect(!show.stdout.contains("the applicant quit"), "show displayed the altered end:\n\(show.stdout)")
        #expect(show.stdout.contains("ALTERED at line 8"), "\(show.stdout)")
        let json = try cli.consult([
            "transcripts", "show", writer.id, "--format", "json", "--data-dir", directory.url.path,
        ])
        #expect(!json.stdout.contains("\"quit\""), "show --format json displayed the altered end:\n\(json.stdout)")
        #expect(json.status == 1)
    }

    @Test("a correctly chained event after the end is altered")
    func eventAfterTheEnd() throws {
        let directory = try temporaryDataDirectory()
        defer { removeDirectory(directory) }
        let writer = try writeConsultation(in: directory)
        // Written by someone who knows the scheme: the right sequence number and chain.
        var all = try lines(of: writer.url)
        let last = all[all.count - 1]
        let previous = String(last.suffix(66).prefix(64))
        let body =
            "{\"data\":{\"fact\":\"applicant_name\",\"input\":\"Mallory\",\"value\":{\"text\":\"Mallory\"}},\"kind\":\"answer\",\"prev\":\"\(previous)\",\"seq\":8,\"time\":\"2026-03-01T10:40:00.000Z\"}"
        all.append(String(body.dropLast()) + ",\"hash\":\"\(TranscriptWriter.hash(previous: previous, body: body))\"}")
        try write(all, to: writer.url)
        let verify = try cli.consult(["transcripts", "verify", "--all", "--data-dir", directory.url.path])
        #expect(verify.status == 1, "\(verify.stdout)")
        #expect(verify.stdout.contains("\(writer.id): ALTERED at line 9"), "\(verify.stdout)")
        let show = try cli.consult(["transcripts", "show", writer.id, "--lang", "en", "--data-dir", directory.url.path])
        #expect(!show.stdout.contains("Mallory"), "show displayed an event after the end:\n\(show.stdout)")
    }

    @Test("a transcript copied under another id is altered")
    func copiedUnderAnotherID() throws {
        let directory = try temporaryDataDirectory()
        defer { removeDirectory(directory) }
        let writer = try writeConsultation(in: directory)
        let copy = directory.transcripts.appendingPathComponent("ZZZZ-ZZZZ-ZZZZ.jsonl")
        try FileManager.default.copyItem(at: writer.url, to: copy)
        let verify = try cli.consult(["transcripts", "verify", "ZZZZ-ZZZZ-ZZZZ", "--data-dir", directory.url.path])
        #expect(verify.status == 1, "\(verify.stdout)")
        #expect(verify.stdout.contains("ZZZZ-ZZZZ-ZZZZ: ALTERED at line 1"), "\(verify.stdout)")
        #expect(verify.stdout.contains(writer.id), "the message names the id written inside: \(verify.stdout)")
        // The original still verifies.
        let original = try cli.consult(["transcripts", "verify", writer.id, "--data-dir", directory.url.path])
        #expect(original.status == 0, "\(original.stdout)")
    }

    @Test("a cleanly torn last line is still cut short, never altered")
    func tornLastLineIsCutShort() throws {
        let directory = try temporaryDataDirectory()
        defer { removeDirectory(directory) }
        let writer = try writeConsultation(in: directory)
        let data = try Data(contentsOf: writer.url)
        let lastLineStart = data.dropLast().lastIndex(of: 0x0A)! + 1
        // Cut inside the end event, as a kill -9 or a full disk mid-write leaves it.
        try data.prefix(lastLineStart + 30).write(to: writer.url)
        let verify = try cli.consult(["transcripts", "verify", writer.id, "--data-dir", directory.url.path])
        #expect(verify.status == 0, "\(verify.stdout)")
        #expect(verify.stdout.contains("cut short"), "\(verify.stdout)")
    }

    /// A transcript with a request saved as a session saves it; without `recordEvent` the
    /// transcript stops right after the save (the disk filled up before the appointment event).
    func consultationWithRequest(in directory: DataDirectory, recordEvent: Bool = true) throws -> AppointmentRequest {
        let writer = try writeConsultation(in: directory, end: false)
        let recorder = ConsultationRecorder(writer: writer)
        let saved = try AppointmentRequest(
            language: "en", channel: "local", transcript: writer.id, applicant: ["applicant_name": .text("Ann Smith")],
            facts: [:], outcomes: ["vks_rp_eligible"], openPoints: [], preferences: [:], question: nil,
            transcriptHead: writer.head
        ).save(in: directory)
        if recordEvent {
            let hash: String = try #require(saved.hash)
            recorder.record(.appointment(.init(reference: saved.reference, requestHash: hash)))
            recorder.end("completed")
        }
        return saved
    }

    @Test("a request made up from a real one, under another reference, is found by verify --all")
    func forgedRequest() throws {
        let directory = try temporaryDataDirectory()
        defer { removeDirectory(directory) }
        let saved = try consultationWithRequest(in: directory)
        let intact = try cli.consult(["transcripts", "verify", "--all", "--data-dir", directory.url.path])
        #expect(intact.status == 0, "\(intact.stdout)\(intact.stderr)")
        let data = try Data(contentsOf: directory.appointments.appendingPathComponent("\(saved.reference).json"))
        var object = try AppointmentRequest.read(data).object
        object["reference"] = .string("ZZZZ-ZZZZ")
        object["applicant"] = .object(["applicant_name": .object(["text": .string("Mallory")])])
        object["hash"] = .string(try #require(AppointmentRequest.hash(of: object)))
        let forgedData = try JSONEncoder().encode(object)
        // A well-formed request in its own right: only its place in the records gives it away.
        #expect(try AppointmentRequest.read(forgedData).request.applicant["applicant_name"] == .text("Mallory"))
        try forgedData.write(to: directory.appointments.appendingPathComponent("ZZZZ-ZZZZ.json"))
        let forged = try cli.consult(["transcripts", "verify", "--all", "--data-dir", directory.url.path])
        #expect(forged.status == 1, "\(forged.stdout)")
        #expect(forged.stdout.contains("ZZZZ-ZZZZ: ALTERED appointment request"), "\(forged.stdout)")
        #expect(!forged.stdout.contains("\(saved.reference): ALTERED"), "\(forged.stdout)")
    }

    @Test("a request saved just before the disk filled up is not called altered")
    func requestSavedBeforeTheTranscriptFailed() throws {
        let directory = try temporaryDataDirectory()
        defer { removeDirectory(directory) }
        _ = try consultationWithRequest(in: directory, recordEvent: false)
        let result = try cli.consult(["transcripts", "verify", "--all", "--data-dir", directory.url.path])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("cut short"))
    }

    @Test("verify --all on a missing or empty data directory says so and fails")
    func verifyAllWithNothingToVerify() throws {
        let directory = try temporaryDataDirectory()
        defer { removeDirectory(directory) }
        let empty = try cli.consult(["transcripts", "verify", "--all", "--data-dir", directory.url.path])
        #expect(empty.status != 0, "\(empty.stdout)\(empty.stderr)")
        #expect(empty.stderr.contains(directory.transcripts.path), "\(empty.stderr)")
        let missing = directory.url.appendingPathComponent("nothing-here")
        let none = try cli.consult(["transcripts", "verify", "--all", "--data-dir", missing.path])
        #expect(none.status != 0, "\(none.stdout)\(none.stderr)")
        #expect(none.stderr.contains(missing.path), "\(none.stderr)")
        #expect(!FileManager.default.fileExists(atPath: missing.path), "verify created the data directory")
    }
}
