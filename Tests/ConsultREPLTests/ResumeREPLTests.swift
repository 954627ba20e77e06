import ConsultTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// "Come back later" through the real binaries: an SSH applicant whose connection dropped
/// continues with their code from the first screen; an expired code, a wrong one and the limits
/// on wrong codes; `consult start --resume` and the kiosk's `/pause` in a terminal.
@Suite("Continuing a consultation later with a code")
struct ResumeREPLTests {
    let ru = LocaleText.ru
    let en = LocaleText.en

    /// The example in the prompt, never a code given out.
    static let example = "K7QM-4TXP-2WZA"

    /// The codes shown in `text` (three groups of four of Crockford's symbols), the example left out.
    static func codes(in text: String) -> [String] {
        let regex = try! NSRegularExpression(
            pattern: #"\b[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}\b"#)
        return regex.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap {
            Range($0.range, in: text).map { String(text[$0]) }
        }.filter { $0 != example }
    }

    /// `ssh` to `server` in a tmux terminal with a Russian client locale; waits for the first screen.
    func connect(_ server: SSHServer) async throws -> TmuxHarness {
        let command = ["env", "-u", "LC_ALL", "LANG=ru_RU.UTF-8"] + server.sshCommand(["-o", "SendEnv=LANG"])
        let terminal = try TmuxHarness(command: { _ in command }, dataDirectory: server.dataDirectory)
        try await terminal.waitForPrompt(after: en["intake.language.prompt"], timeout: 20)
        return terminal
    }

    func resumeFiles(_ dataDirectory: URL) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dataDirectory.appendingPathComponent("resume").path))
            ?? []).filter { $0.hasSuffix(".resume") }
    }

    // MARK: - Over SSH

    @Test("an SSH client killed mid-consultation continues in Russian with its code, and both transcripts verify")
    func resumeAfterTheClientIsKilled() async throws {
        let server = try await SSHServer()
        let first = try await connect(server)
        defer { first.kill() }
        // The first screen offers to continue with a code, in the three languages.
        #expect(SSHServerTests.contains(try first.screen(), en["ui.resume.choice"]))
        let consent = try await first.answer(RussianConsultation.toPermitQuestion)
        #expect(SSHServerTests.contains(consent, ru.lead("ui.resume.code")), "\(consent)")
        let shown = try first.scrollback()
        let code = try #require(Self.codes(in: shown).first, "no code shown:\n\(shown)")
        try await first.answer(RussianConsultation.permitIssued)
        // The connection drops (the client killed): the answers so far stay kept.
        try server.signalClients(SIGKILL)
        #expect(try await server.waitForEnd() == "disconnected")
        #expect(resumeFiles(server.dataDirectory).count == 1)
        let file = try String(
            contentsOf: server.dataDirectory.appendingPathComponent("resume/\(resumeFiles(server.dataDirectory)[0])"),
            encoding: .utf8)
        #expect(!file.contains("2028") && !file.contains("vks"), "\(file)")
        first.kill()

        // Back again: the first screen's last choice, the code typed in lower case with blanks.
        let second = try await connect(server)
        defer { second.kill() }
        try await second.answer("4", then: ru["ui.resume.prompt"])
        let typed = code.lowercased().replacingOccurrences(of: "-", with: " ")
        let back = try await second.answer(typed, then: ru["vks.contract_terminated.prompt"], timeout: 20)
        #expect(SSHServerTests.contains(back, ru.lead("ui.resume.welcome_back")), "\(back)")
        // The earlier answers are kept: the summary shows them, in Russian.
        #expect(SSHServerTests.contains(back, ru["fact.work_permit_expires"] + ": 31 марта 2028 г."), "\(back)")
        #expect(SSHServerTests.contains(back, ru["vks.role.vks"]), "\(back)")
        #expect(!SSHServerTests.contains(back, ru["vks.work_permit_expires.prompt"]), "asked again:\n\(back)")
        try await second.answer(RussianConsultation.noToTheRest)
        try second.type("нет")
        try second.press(.enter)
        #expect(try await second.waitForExit(timeout: 20).status == 0)

        let reasons = try await server.waitForEnds(2)
        #expect(reasons.sorted() == ["completed", "disconnected"])
        let verify = try server.verifyTranscripts()
        #expect(verify.status == 0, "\(verify.output)")
        #expect(verify.output.components(separatedBy: "intact").count - 1 == 2, "\(verify.output)")
        // The new transcript says which one it continues, and the code is in neither.
        let transcripts = server.transcripts()
        let earlier = try #require(transcripts.first { ServedConsultations.endReason($0) == "disconnected" })
        let later = try #require(transcripts.first { ServedConsultations.endReason($0) == "completed" })
        let resumed = try #require(ServedConsultations.events(later).compactMap(\.resumed).first)
        #expect(resumed.from == earlier.deletingPathExtension().lastPathComponent)
        #expect(resumed.language == "ru")
        #expect(resumed.answers["work_permit_expires"] != nil)
        for transcript in transcripts {
            let text = try String(contentsOf: transcript, encoding: .utf8)
            #expect(!text.contains(code) && !text.contains(String(code.suffix(9))), "the code is in \(transcript)")
        }
        // Finished: the answers kept for later are gone.
        #expect(resumeFiles(server.dataDirectory).isEmpty)
        #expect(try await server.stop() == 0)
    }

    @Test("over ssh a wrong code is asked again, an expired one is refused as expired, and wrong codes are limited")
    func wrongExpiredAndLimited() async throws {
        // Codes that work for 3.6 seconds.
        let server = try await SSHServer(["--resume-hours", "0.001"])
        let first = try await connect(server)
        defer { first.kill() }
        try await first.answer("3", then: ru["intake.consent.prompt"])
        try await first.answer("да", then: ru["intake.topic.prompt"])
        let code = try #require(Self.codes(in: try first.scrollback()).first)
        let made = Date()
        try first.type("/пауза")
        try first.press(.enter)
        #expect(try await first.waitForExit(timeout: 20).status == 0)
        #expect(SSHServerTests.contains(try first.scrollback(), ru.lead("ui.pause.done")))
        #expect(try await server.waitForEnd() == "paused")
        first.kill()

        let second = try await connect(server)
        defer { second.kill() }
        try await second.answer("4", then: ru["ui.resume.prompt"])
        // The right lookup with a wrong secret: the same words as any wrong code, asked again.
        let lookup = String(code.prefix(4))
        let wrongSecret = lookup + (code.hasSuffix("0000-0000") ? "-1111-1111" : "-0000-0000")
        let wrong = try await second.answer(wrongSecret, then: ru["ui.resume.prompt"], timeout: 20)
        #expect(SSHServerTests.contains(wrong, ru["ui.resume.wrong"]))
        // Not a code at all: said so, and not counted.
        let typo = try await second.answer("12345", then: ru["ui.resume.prompt"], timeout: 20)
        #expect(SSHServerTests.contains(typo, ru["ui.resume.not_a_code"]))
        // After its time the right code is refused as expired (not as wrong), and the first screen is back.
        let wait = 4.0 - Date().timeIntervalSince(made)
        if wait > 0 { try await Task.sleep(for: .milliseconds(Int(wait * 1000))) }
        let expired = try await second.answer(code, then: en["intake.language.prompt"], timeout: 20)
        #expect(SSHServerTests.contains(expired, ru["ui.resume.expired"]), "\(expired)")
        #expect(!SSHServerTests.contains(expired.components(separatedBy: code).last ?? "", ru["ui.resume.wrong"]))
        // Its answers are gone from the file.
        let files = resumeFiles(server.dataDirectory)
        #expect(files.count == 1)
        let stub = try String(
            contentsOf: server.dataDirectory.appendingPathComponent("resume/\(files.first ?? "")"), encoding: .utf8)
        #expect(!stub.contains("sealed"), "\(stub)")

        // Five wrong tries of one code block it (told to start again) ...
        let target = "ZZZZ-0000-000"
        try await second.answer("4", then: ru["ui.resume.prompt"])
        for n in 1...4 {
            try await second.answer(target + "\(n)", then: ru["ui.resume.prompt"], timeout: 20)
        }
        let blocked = try await second.answer(target + "5", then: en["intake.language.prompt"], timeout: 20)
        #expect(SSHServerTests.contains(blocked, ru["ui.resume.blocked"]), "\(blocked)")
        // ... and ten wrong codes from one address stop it (1 + 5 so far): no more choice 4 after.
        try await second.answer("4", then: ru["ui.resume.prompt"])
        for n in 1...4 {
            let shown = try await second.answer("YYYY-0000-000\(n)", then: ru["ui.resume.prompt"], timeout: 20)
            #expect(
                SSHServerTests.contains(
                    shown.components(separatedBy: "YYYY-0000-000\(n)").last ?? "", ru["ui.resume.wrong"]))
        }
        let tooMany = try await second.answer("YYYY-0000-0009", then: en["intake.language.prompt"], timeout: 20)
        #expect(SSHServerTests.contains(tooMany, ru["ui.resume.too_many"]), "\(tooMany)")
        let menu = tooMany.components(separatedBy: ru["ui.resume.too_many"].prefix(20)).last ?? ""
        #expect(!SSHServerTests.contains(menu, en["ui.resume.choice"]), "\(menu)")
        // What was typed for the codes is nowhere in the records.
        for transcript in server.transcripts() {
            let text = try String(contentsOf: transcript, encoding: .utf8)
            #expect(!text.contains(code) && !text.contains("YYYY-0000") && !text.contains(wrongSecret))
        }
        #expect(try await server.stop() == 0)
    }

    // MARK: - At a terminal and at the kiosk

    @Test("consult start --resume asks for the code first; the consultation paused goes on where it stopped")
    func startResume() async throws {
        let data = temporaryPath("consult-resume-data")
        defer { try? FileManager.default.removeItem(at: data) }
        let first = try TmuxHarness(
            command: { _ in
                [
                    "env", "-u", "LC_ALL", "LANG=C.UTF-8", Binaries.consult.path, "start", "--today", testToday,
                    "--data-dir", data.path,
                ]
            }, dataDirectory: data)
        defer { first.kill() }
        try await first.waitForPrompt(after: en["intake.language.prompt"])
        try await first.answer(RussianConsultation.toPermitQuestion)
        let code = try #require(Self.codes(in: try first.scrollback()).first)
        try first.type("/pause")
        try first.press(.enter)
        #expect(try await first.waitForExit().status == 0)
        first.kill()

        let second = try TmuxHarness(
            command: { _ in
                [
                    "env", "-u", "LC_ALL", "LANG=C.UTF-8", Binaries.consult.path, "start", "--resume", "--lang", "ru",
                    "--today", testToday, "--data-dir", data.path,
                ]
            }, dataDirectory: data)
        defer { second.kill() }
        try await second.waitForPrompt(after: ru["ui.resume.prompt"])
        // Typed on a Russian keyboard layout: Cyrillic letters that look like the code's are taken.
        let cyrillic = code.map { c -> String in
            ["A": "А", "B": "В", "C": "С", "E": "Е", "H": "Н", "K": "К", "M": "М", "P": "Р", "T": "Т", "X": "Х"][c]
                ?? String(c)
        }.joined()
        let back = try await second.answer(cyrillic, then: ru["vks.has_vks_work_permit.prompt"], timeout: 20)
        #expect(SSHServerTests.contains(back, ru.lead("ui.resume.welcome_back")))
        try await second.answer(RussianConsultation.permitIssued + RussianConsultation.noToTheRest)
        try second.type("нет")
        try second.press(.enter)
        #expect(try await second.waitForExit().status == 0)
        let verify = try ServedConsultations.verify(data, scratch: second.directory)
        #expect(
            verify.status == 0 && verify.output.components(separatedBy: "intact").count - 1 == 2, "\(verify.output)")
        #expect(resumeFiles(data).isEmpty)
    }

    @Test("at the kiosk /pause leaves the code on screen until Enter; the next consultation continues with it")
    func kioskPauseAndContinue() async throws {
        let passphrase = try PassphraseFile()
        defer { passphrase.remove() }
        let terminal = try await KioskREPLTests.startKiosk(.cUTF8, passphrase: passphrase)
        defer { terminal.kill() }
        try await terminal.answer(RussianConsultation.toPermitQuestion)
        let code = try #require(Self.codes(in: try terminal.scrollback()).first)
        try terminal.type("/пауза")
        try terminal.press(.enter)
        // The code stays until the applicant has written it down.
        try await terminal.waitFor(ru["ui.kiosk.press_enter"])
        #expect(SSHServerTests.contains(try terminal.screen(), code))
        try terminal.press(.enter)
        try await terminal.waitUntil("a fresh greeting without the code") {
            !$0.contains(code)
                && TmuxHarness.normalized($0).contains(TmuxHarness.normalized(LocaleText.en["intake.language.prompt"]))
                && TmuxHarness.lastLine(of: $0) == ">"
        }
        try await terminal.answer("4", then: en["ui.resume.prompt"])
        try await terminal.answer(code, then: ru["vks.has_vks_work_permit.prompt"], timeout: 20)
        #expect(try await terminal.waitFor(ru.lead("ui.resume.welcome_back")).isEmpty == false)
    }
}
