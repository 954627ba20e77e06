import ConsultTestSupport
import Foundation
import Testing

/// A passphrase file (mode 0600) for `consult kiosk --passphrase-file`, removed by `remove()`.
struct PassphraseFile {
    let url: URL
    let passphrase: String

    init(_ passphrase: String = "тайна 42 kiosk") throws {
        self.passphrase = passphrase
        url = temporaryPath("consult-passphrase")
        try (passphrase + "\n").write(to: url, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: url.path)
    }

    func remove() {
        try? FileManager.default.removeItem(at: url)
    }
}

/// `consult kiosk`: one applicant after another at the office terminal. Nothing of one applicant
/// may reach the next (screen, scrollback, line history); Ctrl-C, Ctrl-D and Ctrl-Z do not leave;
/// the idle timeout closes a consultation; the operator leaves with the passphrase.
@Suite("consult kiosk in a terminal")
struct KioskREPLTests {
    let ru = LocaleText.ru
    let en = LocaleText.en

    /// Starts `consult kiosk --today 2026-11-25 --passphrase-file F` and waits for the first question.
    static func startKiosk(
        _ lang: LangSetting, passphrase: PassphraseFile, _ extra: [String] = []
    ) async throws -> TmuxHarness {
        let terminal = try TmuxHarness(
            ["kiosk", "--today", testToday, "--passphrase-file", passphrase.url.path] + extra, lang: lang)
        try await terminal.waitForPrompt(after: LocaleText.en["intake.language.prompt"])
        return terminal
    }

    /// Waits until the kiosk shows a fresh greeting and none of `previous` anywhere, screen or
    /// scrollback; returns that scrollback.
    @discardableResult
    func waitForFreshGreeting(_ terminal: TmuxHarness, without previous: [String]) async throws -> String {
        let scrollback = try await terminal.waitUntil(
            "a fresh greeting with nothing of the previous consultation", in: .scrollback
        ) { capture in
            let text = TmuxHarness.normalized(capture)
            return text.contains(TmuxHarness.normalized(en["intake.language.prompt"]))
                && TmuxHarness.lastLine(of: capture) == ">"
                && !previous.contains { text.contains(TmuxHarness.normalized($0)) }
        }
        let text = TmuxHarness.normalized(scrollback)
        #expect(
            text.hasPrefix(TmuxHarness.normalized(en["app.title"]))
                || text.hasPrefix(TmuxHarness.normalized(en["ui.kiosk.closed_idle"])),
            "the scrollback starts with something else than the greeting:\n\(scrollback)")
        // The greeting is there once: the previous one went with the scrollback.
        #expect(TmuxHarness.occurrences(of: en["app.title"], in: scrollback) == 1)
        let screen = TmuxHarness.normalized(try terminal.screen())
        for text in previous {
            #expect(!screen.contains(TmuxHarness.normalized(text)), "still on the screen: \(text)")
        }
        return scrollback
    }

    /// Up recalls nothing: after Up and a typed marker the input line holds the marker alone.
    func expectEmptyHistory(_ terminal: TmuxHarness) async throws {
        try terminal.press(.up)
        try terminal.type("x")
        let screen = try await terminal.waitUntil("the marker x typed after Up") {
            TmuxHarness.input(of: $0)?.hasSuffix("x") == true
        }
        #expect(TmuxHarness.input(of: screen) == "x", "Up recalled a line of the previous consultation")
        try terminal.press(.backspace)
        try await terminal.waitForInput("")
    }

    // MARK: - Nothing of the previous applicant

    @Test(
        "after an abandoned and after a finished consultation nothing of it is left: screen, scrollback, history",
        arguments: LangSetting.allCases)
    func kioskWipesPreviousConsultation(_ lang: LangSetting) async throws {
        let passphrase = try PassphraseFile()
        defer { passphrase.remove() }
        let terminal = try await Self.startKiosk(lang, passphrase: passphrase)
        defer { terminal.kill() }

        // First applicant: answers up to the contract question, then Ctrl-D + да.
        try await terminal.answer(RussianConsultation.toPermitQuestion + RussianConsultation.permitIssued)
        // The history works within a consultation (so an empty one later means something).
        try terminal.press(.up)
        try await terminal.waitForInput("31.03.2028")
        try terminal.press(.down)
        try await terminal.waitForInput("")
        try await terminal.expectNew(ru["ui.quit.confirm"]) { try terminal.press(.ctrlD) }
        try terminal.type("да")
        try terminal.press(.enter)
        try await waitForFreshGreeting(
            terminal,
            without: [
                "31.03.2028", ru["intake.consent.prompt"], ru["vks.intro"], ru["vks.work_permit_expires.prompt"],
                ru["vks.contract_terminated.prompt"], ru["ui.quit.confirm"],
            ])
        try await expectEmptyHistory(terminal)
        #expect(try !terminal.programEnded())

        // Second applicant: a finished consultation (no consent, no VKS permit), then Enter.
        try await terminal.answer("3", then: ru["intake.consent.prompt"])
        try await terminal.answer("нет", then: ru["intake.topic.prompt"])
        try await terminal.answer("1", then: ru["vks.applicant_role.prompt"])
        try await terminal.answer("1", then: ru["vks.has_vks_work_permit.prompt"])
        try terminal.type("3")
        try terminal.press(.enter)
        let finished = try await terminal.waitFor(ru["ui.kiosk.press_enter"])
        #expect(
            TmuxHarness.normalized(finished).contains(
                TmuxHarness.normalized(ru.lead("vks.outcome.vks_rp_not_eligible"))))
        try terminal.press(.enter)
        try await waitForFreshGreeting(
            terminal,
            without: [
                ru["outcome.heading"], ru.lead("vks.outcome.vks_rp_not_eligible"), ru["closing.thanks"],
                ru["ui.kiosk.press_enter"], ru["vks.wants_independent_permit.prompt"], ru["intake.consent.prompt"],
            ])
        try await expectEmptyHistory(terminal)
        #expect(try !terminal.programEnded())
    }

    // MARK: - Keys that do not leave

    @Test("Ctrl-C, Ctrl-Z, Ctrl-\\ and Ctrl-D do not leave the kiosk", arguments: LangSetting.allCases)
    func kioskIgnoresCtrlCCtrlZ(_ lang: LangSetting) async throws {
        let passphrase = try PassphraseFile()
        defer { passphrase.remove() }
        let terminal = try await Self.startKiosk(lang, passphrase: passphrase)
        defer { terminal.kill() }

        try terminal.type("abc")
        try await terminal.waitForInput("abc")
        try await terminal.expectNew(en["intake.language.prompt"]) { try terminal.press(.ctrlC) }
        #expect(TmuxHarness.input(of: try terminal.screen()) == "")

        // Ctrl-Z: nothing happens, the program does not stop; what is typed next still arrives.
        try terminal.type("q")
        try await terminal.waitForInput("q")
        try terminal.press(.ctrlZ)
        try terminal.type("r")
        try await terminal.waitForInput("qr")
        // Ctrl-\ (SIGQUIT, not documented for the kiosk): does nothing, as in any consultation
        // (issue 9); it neither ends the program nor leaves it deaf, and the line stays.
        try terminal.press(.ctrlBackslash)
        try terminal.type("s")
        try await terminal.waitForInput("qrs")
        #expect(try !terminal.programEnded())
        try terminal.press(.ctrlU)
        try await terminal.waitForInput("")

        // Ctrl-D: asks; "no" goes on.
        try await terminal.expectNew(en["ui.quit.confirm"]) { try terminal.press(.ctrlD) }
        try await terminal.answer("no", then: en["intake.language.prompt"])

        // The same keys at a Russian question, with Cyrillic on the line.
        try await terminal.answer("3", then: ru["intake.consent.prompt"])
        try terminal.type("может быть")
        try await terminal.waitForInput("может быть")
        try await terminal.expectNew(ru["intake.consent.prompt"]) { try terminal.press(.ctrlC) }
        try terminal.press(.ctrlZ)
        try await terminal.answer("да", then: ru["intake.topic.prompt"])

        #expect(try !terminal.programEnded(), "the kiosk ended")
        #expect(try terminal.lastLine() == ">", "the pane does not show the program's prompt")
    }

    // MARK: - Idle timeout

    @Test(
        "idle: a warning, then the consultation closes and a fresh greeting shows nothing of it",
        arguments: LangSetting.allCases)
    func kioskIdleTimeoutResets(_ lang: LangSetting) async throws {
        let passphrase = try PassphraseFile()
        defer { passphrase.remove() }
        // 0.1 minutes: 6 s, the warning 3 s before the end. The bounds below leave room for a
        // machine busy with the other suites (the harness may notice the prompt a second late).
        let terminal = try await Self.startKiosk(lang, passphrase: passphrase, ["--idle-minutes", "0.1"])
        defer { terminal.kill() }
        try await terminal.answer("3", then: ru["intake.consent.prompt"])
        // Measured from the moment the last answer is sent: the program cannot start its timer
        // earlier, so these lower bounds hold however late the harness notices the screen.
        let lastInput = Date()
        try await terminal.answer("да", then: ru["intake.topic.prompt"])

        let warning = ru.lead("ui.kiosk.idle_warning")  // "Вы ещё здесь? …"
        try await terminal.waitFor(warning, timeout: 15)
        let warned = Date()
        let scrollback = try await waitForFreshGreeting(
            terminal,
            without: [
                warning, ru["intake.consent.prompt"], ru["intake.topic.prompt"],
                ru["intake.topic.vks_residence_permit"],
            ])
        let closed = Date()
        #expect(TmuxHarness.normalized(scrollback).hasPrefix(TmuxHarness.normalized(en["ui.kiosk.closed_idle"])))
        #expect(
            warned.timeIntervalSince(lastInput) >= 2.9,
            "the warning came \(warned.timeIntervalSince(lastInput)) s after the last answer")
        #expect(
            closed.timeIntervalSince(lastInput) >= 5.9,
            "closed \(closed.timeIntervalSince(lastInput)) s after the last answer")
        #expect(try !terminal.programEnded())
    }

    @Test(
        "idle with a half-typed line: the line survives the warning, then goes with the consultation",
        arguments: LangSetting.allCases)
    func kioskIdleWithHalfTypedLine(_ lang: LangSetting) async throws {
        let passphrase = try PassphraseFile()
        defer { passphrase.remove() }
        let terminal = try await Self.startKiosk(lang, passphrase: passphrase, ["--idle-minutes", "0.05"])
        defer { terminal.kill() }
        try await terminal.answer("3", then: ru["intake.consent.prompt"])
        try terminal.type("наполовину")
        try await terminal.waitForInput("наполовину")

        let warning = ru.lead("ui.kiosk.idle_warning")
        let warned = try await terminal.waitFor(warning, timeout: 15)
        // Typed before the warning, still there after it.
        if TmuxHarness.input(of: warned) != "наполовину" {
            try await terminal.waitForInput("наполовину", timeout: 2)
        }
        try await waitForFreshGreeting(terminal, without: [warning, "наполовину", ru["intake.consent.prompt"]])
        #expect(TmuxHarness.input(of: try terminal.screen()) == "", "the next applicant's line is not empty")
        #expect(try !terminal.programEnded())
    }

    // MARK: - Operator

    @Test(
        "/operator with a wrong passphrase stays; with the right one the kiosk ends with status 0",
        arguments: LangSetting.allCases)
    func kioskOperatorLeaves(_ lang: LangSetting) async throws {
        let passphrase = try PassphraseFile()
        defer { passphrase.remove() }
        let terminal = try await Self.startKiosk(lang, passphrase: passphrase)
        defer { terminal.kill() }

        try await terminal.answer("/operator", then: en["ui.operator.passphrase"])
        let wrong = try await terminal.answer("не тот пароль", then: en["intake.language.prompt"])
        #expect(TmuxHarness.normalized(wrong).contains(TmuxHarness.normalized(en["ui.operator.wrong"])))
        #expect(try !terminal.programEnded())

        try await terminal.answer("3", then: ru["intake.consent.prompt"])
        try await terminal.answer("/operator", then: ru["ui.operator.passphrase"])
        try terminal.type(passphrase.passphrase)
        try terminal.press(.enter)
        let exit = try await terminal.waitForExit()
        #expect(exit.status == 0)
        #expect(exit.terminalRestored, "terminal modes after exit: \(exit.modes.sorted())")
        // Leaving wipes the screen too: nothing of the session stays for whoever sits down next.
        let after = TmuxHarness.normalized(try terminal.scrollback())
        #expect(!after.contains("/operator"))
        #expect(!after.contains(TmuxHarness.normalized(ru["intake.consent.prompt"])))
        #expect(!after.contains(passphrase.passphrase))
    }
}
