import ConsultTestSupport
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

    /// `consult` with standard output and error together in `output`.
    func consult(_ arguments: [String]) throws -> ProcessOutput {
        try runProcess(Binaries.consult, arguments, mergingErrors: true)
    }

    /// Language, consent, VKS, the specialist, issued, expiry: six answers recorded.
    func startAndAnswer(_ lang: LangSetting) async throws -> TmuxHarness {
        let terminal = try TmuxHarness(["--today", testToday], lang: lang)
        try await terminal.waitForPrompt(after: en["intake.language.prompt"])
        try await terminal.answer(RussianConsultation.toPermitQuestion + RussianConsultation.permitIssued)
        return terminal
    }

    func transcriptIDs(_ terminal: TmuxHarness) -> [String] {
        ServedConsultations.transcripts(in: terminal.dataDirectory).map { $0.deletingPathExtension().lastPathComponent }
    }

    @Test(
        "SIGTERM and SIGHUP end the transcript with their reason",
        arguments: [(SIGTERM, "interrupted"), (SIGHUP, "disconnected")])
    func signalsEndTheTranscript(_ signal: Int32, _ reason: String) async throws {
        let terminal = try await startAndAnswer(.unset)
        defer { terminal.kill() }
        try terminal.signalProgram(signal)
        let exit = try await terminal.waitForExit()
        #expect(
            exit.modes.contains("icanon") && exit.modes.contains("echo"), "terminal modes not restored: \(exit.modes)")
        let ids = transcriptIDs(terminal)
        #expect(ids.count == 1)
        let verify = try consult(["transcripts", "verify", "--data-dir", terminal.dataDirectory.path])
        #expect(verify.status == 0, "\(verify.output)")
        #expect(verify.output.contains("intact"), "\(verify.output)")
        let json = try consult([
            "transcripts", "show", try #require(ids.first), "--format", "json", "--data-dir",
            terminal.dataDirectory.path,
        ])
        #expect(
            json.output.contains("\"reason\" : \"\(reason)\"") || json.output.contains("\"reason\":\"\(reason)\""),
            "\(json.output.suffix(600))")
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
        try await terminal.answer(RussianConsultation.noToTheRest + RussianConsultation.appointmentByPhone)
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
        let references = list.output.split(separator: "\n").compactMap {
            $0.split(separator: " ").first.map(String.init)
        }
        .filter { $0.count == 9 && $0.contains("-") }
        let reference = try #require(references.first, "\(list.output)")
        #expect(screen.contains(reference), "the applicant was not shown the reference \(reference)")
        let show = try consult([
            "appointments", "show", reference, "--lang", "en", "--data-dir", terminal.dataDirectory.path,
        ])
        #expect(show.output.contains("Анна Смирнова"))
        #expect(show.output.contains("+7 916 123-45-67"))
        #expect(show.output.contains("Нужно ли продлевать ВНЖ?"))
    }
}
