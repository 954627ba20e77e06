import ConsultContent
import ConsultEngine
import ConsultTestSupport
import Foundation
import Testing

@testable import ConsultRecords
@testable import ConsultStaff
@testable import ConsultTerminal

/// A session with records in a temporary data directory.
func recordedSession(
    _ typed: [String], language: String = "en", directory: DataDirectory? = nil,
    extra: [LineReadResult] = [], limit: Int? = nil
) throws -> (EndReason, String, Session, DataDirectory) {
    let dir = directory ?? DataDirectory(temporaryPath("consult"))
    var recorder: ConsultationRecorder? = nil
    if (try? dir.prepare()) != nil, let writer = try? TranscriptWriter(directory: dir, limit: limit) {
        recorder = ConsultationRecorder(writer: writer)
        recorder?.start(
            channel: "local", remote: nil, contentHash: "test", version: "test",
            today: LocalDate(year: 2026, month: 11, day: 25)!, language: language)
    }
    var output = ""
    let reader = ScriptedReader(typed.map { .line($0) } + extra)
    let screen = Screen(color: false, plain: false, width: 100) { output += $0 }
    let s = try Session(
        content: shipped, today: LocalDate(year: 2026, month: 11, day: 25)!, language: language,
        reader: reader, screen: screen, records: RecordsContext(directory: dir, recorder: recorder, channel: "local"))
    let end = s.run()
    return (end, output, s, dir)
}

/// The reason of an end event; nil for any other event.
func endReason(_ event: TranscriptEvent?) -> String? {
    guard case .end(let end)? = event?.event else { return nil }
    return end.reason
}

@Suite struct RecordedSessionTests {
    static let vksWithAppointment = [
        "2", "sí", "1",  // Español, consent, VKS
        "1",  // I am the specialist
        "1", "31.03.2028", "no", "no",  // issued, expires, not terminated, no VKS residence permit yet
        "sí", "no", "no",  // citizenship yes, independent no, no family
        "sí", "María González",  // appointment, name
        "1", "12345",  // by phone; an invalid number first
        "+7 916 123-45-67",
        "2", "martes por la tarde", "¿Puede venir mi marido?",
    ]

    @Test func aScriptedConsultationLeavesAVerifiedTranscriptAndAnAppointment() throws {
        let (end, out, session, dir) = try recordedSession(
            Self.vksWithAppointment + ["2", "2", "hello@example.com", "sí"], language: "en")
        #expect(end == .completed)
        let transcripts = TranscriptReader.all(in: dir)
        #expect(transcripts.count == 1)
        let verification = TranscriptReader.verify(try #require(transcripts.first))
        #expect(verification.status == .intact, "\(verification)")
        let events = try TranscriptReader.events(try #require(transcripts.first))
        let kinds = events.map(\.kind)
        #expect(kinds.first == "start" && kinds.last == "end")
        #expect(kinds.contains("rejected"))  // the phone number 12345
        #expect(kinds.contains("appointment"))
        #expect(endReason(events.last) == "completed")
        let answer = try #require(
            events.lazy.compactMap { event -> ConsultationEvent.Answer? in
                if case .answer(let a) = event.event, a.fact == "work_permit_expires" { return a }
                return nil
            }.first)
        #expect(answer.input == "31.03.2028")
        #expect(answer.value == .date(LocalDate(year: 2028, month: 3, day: 31)!))

        let request = try #require(session.appointment)
        #expect(out.contains(request.reference))
        // Review, then the reference, then the closing words (not "thank you" before the review).
        let es = Presenter(content: shipped, language: "es")
        let review = try #require(out.range(of: es.text("appointment.summary_heading"), options: .backwards))
        let reference = try #require(out.range(of: request.reference))
        let next = try #require(out.range(of: es.text("closing.appointment_next")))
        let thanks = try #require(out.range(of: es.text("closing.thanks")))
        #expect(
            review.lowerBound < reference.lowerBound && reference.lowerBound < next.lowerBound
                && next.lowerBound < thanks.lowerBound, "\(out)")
        #expect(out.components(separatedBy: es.text("closing.thanks")).count == 2)
        let saved = AppointmentRequest.all(in: dir)
        #expect(saved.count == 1)
        let read = try #require(saved.first)
        #expect(read.reference == request.reference)
        #expect(read.language == "es")
        #expect(read.applicant["applicant_name"] == .text("María González"))
        // Corrected at the review: the contact method became e-mail, the phone no longer applies.
        #expect(read.applicant["contact_email"] == .text("hello@example.com"))
        #expect(read.applicant["contact_phone"] == nil)
        #expect(read.question == "¿Puede venir mi marido?")
        #expect(read.outcomes == ["vks_rp_eligible", "citizenship_path"])
        let mode =
            try FileManager.default.attributesOfItem(atPath: try #require(transcripts.first).path)[.posixPermissions]
            as? Int
        #expect(mode == 0o600)
        let dirMode = try FileManager.default.attributesOfItem(atPath: dir.url.path)[.posixPermissions] as? Int
        #expect(dirMode == 0o700)
    }

    @Test func aRestartIsRecordedAndClearsTheReconstructedFacts() throws {
        // English, consent, VKS, then /restart (confirmed), Español; then the session is cut short.
        let (_, _, _, dir) = try recordedSession(["1", "yes", "1", "/restart", "yes", "2"], language: "en")
        let transcript = try #require(TranscriptReader.all(in: dir).first)
        var events = try TranscriptReader.events(transcript)
        #expect(events.contains { $0.kind == "restart" })
        // As if the process had been killed before its end event: the facts come from the answers.
        events.removeAll { $0.kind == "end" }
        let facts = events.lastFacts.facts
        #expect(facts["language"] == .choice("es"))
        #expect(facts["consent"] == nil && facts["topic"] == nil, "\(facts)")
    }

    @Test func anUnwritableDataDirectoryTellsTheApplicantAndAsksNothingPersonal() throws {
        let file = temporaryPath("consult-file")
        try "not a directory".write(to: file, atomically: true, encoding: .utf8)
        let dir = DataDirectory(file.appendingPathComponent("data"))
        let (end, out, session, _) = try recordedSession(["3", "1", "1", "3"], language: "ru", directory: dir)
        #expect(end == .completed)
        // The notice itself, in the applicant's language, before any question after the language.
        func words(_ s: String) -> String { s.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ") }
        let shown = words(out)
        let notice = try #require(shown.range(of: words(shipped.localizer.text("records.unavailable", language: "ru"))))
        let topic = try #require(shown.range(of: words(shipped.localizer.text("intake.topic.prompt", language: "ru"))))
        #expect(notice.lowerBound < topic.lowerBound)
        #expect(session.consultation.answers["consent"] == .bool(false))
        #expect(session.consultation.answers["applicant_name"] == nil)
        // The consent question itself was never asked.
        let consentPrompt = shipped.localizer.text("intake.consent.prompt", language: "ru")
        #expect(!out.contains(consentPrompt))
    }

    @Test func aDataDirectoryWhoseParentsDoNotExistIsCreated() throws {
        let base = temporaryPath("consult-fresh")
        defer { try? FileManager.default.removeItem(at: base) }
        let dir = DataDirectory(base.appendingPathComponent(".local/share/consult"))
        try dir.prepare()
        #expect(FileManager.default.fileExists(atPath: dir.transcripts.path))
        let mode =
            try FileManager.default.attributesOfItem(atPath: base.appendingPathComponent(".local").path)[
                .posixPermissions] as? Int
        #expect(mode == 0o700)
    }

    @Test func theRecordsSizeLimitEndsTheSessionWithItsReasonAndAMessage() throws {
        let long = String(repeating: "q", count: 1000)
        let (end, out, session, dir) = try recordedSession(["1"] + Array(repeating: long, count: 100), limit: 16 * 1024)
        #expect(end == .recordLimit)
        #expect(!session.recordsLost)
        #expect(out.contains(Presenter(content: shipped, language: "en").text("records.limit").prefix(40)))
        let url = try #require(TranscriptReader.all(in: dir).first)
        #expect(TranscriptReader.verify(url).status == .intact)
        #expect(endReason(try TranscriptReader.events(url).last) == "record_limit")
        let size = try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int ?? .max
        #expect(size <= 16 * 1024)
        let rejected = try TranscriptReader.events(url).filter { $0.kind == "rejected" }
        #expect(
            !rejected.isEmpty
                && rejected.allSatisfy { event in
                    guard case .rejected(let r) = event.event else { return false }
                    return r.input.count == 200 && r.inputLength == 1000
                })
    }

    @Test func quittingEndsTheTranscriptWithItsReason() throws {
        let (end, _, _, dir) = try recordedSession(["1", "yes"], extra: [.endOfInput, .line("yes")])
        #expect(end == .quit)
        let url = try #require(TranscriptReader.all(in: dir).first)
        #expect(endReason(try TranscriptReader.events(url).last) == "quit")
        #expect(TranscriptReader.verify(url).status == .intact)
    }
}
