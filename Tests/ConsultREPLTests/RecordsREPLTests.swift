import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// What the records hold when a consultation at a terminal ends in each way: completed with an
/// appointment request, SIGTERM, SIGHUP, kill -9. Checked with the staff commands of the same binary.
@Suite("records of terminal consultations")
struct RecordsREPLTests {
    let ru = LocaleText.ru
    let en = LocaleText.en

    func consult(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = TmuxHarness.binary
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// Language, consent, VKS, the specialist, issued, expiry: six answers recorded.
    func startAndAnswer(_ lang: LangSetting) async throws -> TmuxHarness {
        let terminal = try TmuxHarness(["--today", testToday], lang: lang)
        try await terminal.waitForPrompt(after: en["intake.language.prompt"])
        try await terminal.answer("3", then: ru["intake.consent.prompt"])
        try await terminal.answer("да", then: ru["intake.topic.prompt"])
        try await terminal.answer("1", then: ru["vks.applicant_role.prompt"])
        try await terminal.answer("1", then: ru["vks.has_vks_work_permit.prompt"])
        try await terminal.answer("1", then: ru["vks.work_permit_expires.prompt"])
        try await terminal.answer("31.03.2028", then: ru["vks.contract_terminated.prompt"])
        return terminal
    }

    func transcriptIDs(_ terminal: TmuxHarness) -> [String] {
        let dir = terminal.dataDirectory.appendingPathComponent("transcripts")
        return ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? [])
            .filter { $0.hasSuffix(".jsonl") }.map { String($0.dropLast(6)) }
    }

    @Test("SIGTERM and SIGHUP end the transcript with their reason", arguments: [(SIGTERM, "interrupted"), (SIGHUP, "disconnected")])
    func signalsEndTheTranscript(_ signal: Int32, _ reason: String) async throws {
        let terminal = try await startAndAnswer(.unset)
        defer { terminal.kill() }
        try terminal.signalProgram(signal)
        let exit = try await terminal.waitForExit()
        #expect(exit.modes.contains("icanon") && exit.modes.contains("echo"), "terminal modes not restored: \(exit.modes)")
        let ids = transcriptIDs(terminal)
        #expect(ids.count == 1)
        let verify = try consult(["transcripts", "verify", "--data-dir", terminal.dataDirectory.path])
        #expect(verify.status == 0, "\(verify.output)")
        #expect(verify.output.contains("intact"), "\(verify.output)")
        let json = try consult(["transcripts", "show", try #require(ids.first), "--format", "json", "--data-dir", terminal.dataDirectory.path])
        #expect(json.output.contains("\"reason\" : \"\(reason)\"") || json.output.contains("\"reason\":\"\(reason)\""), "\(json.output.suffix(600))")
    }

    @Test("kill -9 leaves every event written so far, and verify calls it cut short")
    func killNineLeavesAVerifiablePrefix() async throws {
        let terminal = try await startAndAnswer(.cUTF8)
        defer { terminal.kill() }
        try terminal.signalProgram(SIGKILL)
        _ = try await terminal.waitForExit()
        let id = try #require(transcriptIDs(terminal).first)
        let verify = try consult(["transcripts", "verify", id, "--data-dir", terminal.dataDirectory.path])
        #expect(verify.status == 0, "cut short is not a failure: \(verify.output)")
        #expect(verify.output.contains("cut short"), "\(verify.output)")
        // The last answer before the kill is there, typed as it was.
        let show = try consult(["transcripts", "show", id, "--lang", "en", "--data-dir", terminal.dataDirectory.path])
        #expect(show.output.contains("31.03.2028"), "\(show.output)")
    }

    /// From the contract question (after `startAndAnswer`) to the review of the appointment request:
    /// no to the remaining VKS questions, then Анна Смирнова's request by phone with `question`.
    func answerUpToTheReview(_ terminal: TmuxHarness, question: String) async throws {
        try await terminal.answer("нет", then: ru["vks.holds_vks_residence_permit.prompt"])
        try await terminal.answer("нет", then: ru["vks.wants_citizenship.prompt"])
        try await terminal.answer("нет", then: ru["vks.wants_independent_permit.prompt"])
        try await terminal.answer("нет", then: ru["vks.family.prompt"])
        try await terminal.answer("нет", then: ru["closing.wants_appointment.prompt"])
        try await terminal.answer("да", then: ru["closing.applicant_name.prompt"])
        try await terminal.answer("Анна Смирнова", then: ru["closing.contact_method.prompt"])
        try await terminal.answer("1", then: ru["closing.contact_phone.prompt"])
        try await terminal.answer("+7 916 123-45-67", then: ru["closing.meeting_format.prompt"])
        try await terminal.answer("3", then: ru["closing.preferred_time.prompt"])
        try await terminal.answer("пятница, утро", then: ru["closing.applicant_question.prompt"])
        try await terminal.answer(question, then: ru["appointment.confirm"])
    }

    @Test("an appointment request is reviewed, saved and listed for the office")
    func appointmentRequestIsSaved() async throws {
        let terminal = try await startAndAnswer(.unset)
        defer { terminal.kill() }
        try await answerUpToTheReview(terminal, question: "Нужно ли продлевать ВНЖ?")
        try terminal.type("да")
        try terminal.press(.enter)
        _ = try await terminal.waitForExit()
        let list = try consult(["appointments", "list", "--data-dir", terminal.dataDirectory.path])
        #expect(list.status == 0)
        let screen = try terminal.scrollback()
        let references = list.output.split(separator: "\n").compactMap { $0.split(separator: " ").first.map(String.init) }
            .filter { $0.count == 9 && $0.contains("-") }
        let reference = try #require(references.first, "\(list.output)")
        #expect(screen.contains(reference), "the applicant was not shown the reference \(reference)")
        let show = try consult(["appointments", "show", reference, "--lang", "en", "--data-dir", terminal.dataDirectory.path])
        #expect(show.output.contains("Анна Смирнова"))
        #expect(show.output.contains("+7 916 123-45-67"))
        #expect(show.output.contains("Нужно ли продлевать ВНЖ?"))
    }
}
