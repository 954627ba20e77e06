import ConsultTestSupport
import Foundation
import Testing

/// Bugs found by these end-to-end tests. Fixed ones stay as regression tests; a test whose name
/// ends in `_BUG` fails until its bug is fixed. Each doc comment says how to reproduce by hand.
@Suite("REPL regressions: bugs found by the terminal tests")
struct REPLRegressionTests {
    let ru = LocaleText.ru
    let en = LocaleText.en

    /// Found at 3fad43a, fixed in d7aa84b: the kiosk's idle timer ran from the moment the prompt
    /// was shown, not from the last key. An applicant still typing got the "are you still there?"
    /// warning, the half-typed line was thrown away, and the consultation was closed while they
    /// typed (with the default 5 minutes: anyone taking over 4 minutes over one answer, e.g. the
    /// free-text question for the lawyer).
    ///
    /// By hand: `consult kiosk --idle-minutes 0.05`, `3` Enter, then one letter every 0.3 s.
    @Test("kiosk: typing keeps the consultation open and the line typed so far", arguments: LangSetting.allCases)
    func kioskIdleTimerCountsFromLastKey(_ lang: LangSetting) async throws {
        let passphrase = try PassphraseFile()
        defer { passphrase.remove() }
        // 6 s of idle time (a warning after 3 s): long enough that a loaded machine running the
        // other suites in parallel does not time out the first question before "3" arrives.
        let terminal = try await KioskREPLTests.startKiosk(lang, passphrase: passphrase, ["--idle-minutes", "0.1"])
        defer { terminal.kill() }
        try await terminal.answer("3", then: ru["intake.consent.prompt"])

        // 27 keys, one every 0.3 s: over 8 s of steady typing against a 6 s idle timeout.
        let typed = "да, я согласен на обработку"
        for character in typed {
            try terminal.type(String(character))
            try await Task.sleep(for: .milliseconds(300))
        }
        let screen = try terminal.screen()
        let scrollback = TmuxHarness.normalized(try terminal.scrollback())
        #expect(
            !scrollback.contains(TmuxHarness.normalized(ru.lead("ui.kiosk.idle_warning"))),
            "the idle warning came while the applicant was typing")
        #expect(
            !scrollback.contains(TmuxHarness.normalized(en["ui.kiosk.closed_idle"])),
            "the consultation was closed while the applicant was typing")
        #expect(TmuxHarness.input(of: screen) == typed, "the line being typed was lost:\n\(screen)")
    }

    /// Found at 3fad43a, fixed in d7aa84b: when the last answer led straight to the end (no
    /// question between the outcome and the closing words, e.g. without consent), the closing
    /// words ("Вы не дали согласия…", "Спасибо за обращение!") came first and the explanation of
    /// the outcome after them, as the last thing on the screen.
    ///
    /// By hand: `consult --today 2026-11-25`, answers 3, нет, 1, 1, 3.
    @Test("without consent the outcome is explained before the closing words", arguments: LangSetting.allCases)
    func outcomeExplainedBeforeClosingWords(_ lang: LangSetting) async throws {
        let terminal = try TmuxHarness(["--today", testToday], lang: lang)
        defer { terminal.kill() }
        try await terminal.waitForPrompt(after: en["intake.language.prompt"])
        try await terminal.answer("3", then: ru["intake.consent.prompt"])
        try await terminal.answer("нет", then: ru["intake.topic.prompt"])
        try await terminal.answer("1", then: ru["vks.applicant_role.prompt"])
        try await terminal.answer("1", then: ru["vks.has_vks_work_permit.prompt"])
        try terminal.type("3")
        try terminal.press(.enter)
        let exit = try await terminal.waitForExit()
        #expect(exit.status == 0)

        let text = TmuxHarness.normalized(try terminal.scrollback())
        let heading = try #require(text.range(of: TmuxHarness.normalized(ru["outcome.heading"])))
        let explanation = try #require(
            text.range(of: TmuxHarness.normalized(ru.lead("vks.outcome.vks_rp_not_eligible"))))
        let noConsent = try #require(text.range(of: TmuxHarness.normalized(ru.lead("closing.no_consent"))))
        let thanks = try #require(text.range(of: TmuxHarness.normalized(ru["closing.thanks"])))
        #expect(heading.lowerBound < noConsent.lowerBound, "the outcome heading comes after the closing words")
        #expect(explanation.lowerBound < thanks.lowerBound, "the explanation comes after “\(ru["closing.thanks"])”")
    }

    /// Found at 3fad43a, fixed in d7aa84b (security): the operator passphrase was echoed as it was
    /// typed after `/operator`, in front of whoever stood at the kiosk.
    ///
    /// By hand: `consult kiosk --passphrase-file F`, `/operator` Enter, then type the passphrase.
    @Test("kiosk: the operator passphrase is not shown while it is typed", arguments: LangSetting.allCases)
    func operatorPassphraseNotEchoed(_ lang: LangSetting) async throws {
        let passphrase = try PassphraseFile()
        defer { passphrase.remove() }
        let terminal = try await KioskREPLTests.startKiosk(lang, passphrase: passphrase)
        defer { terminal.kill() }
        try await terminal.answer("/operator", then: en["ui.operator.passphrase"])
        try terminal.type(passphrase.passphrase)
        // Nothing to wait for when it is hidden: give the echo 1.5 s to appear, no more.
        let shown = try? await terminal.waitFor(passphrase.passphrase, timeout: 1.5)
        #expect(shown == nil, "the passphrase is on the screen")
        try terminal.press(.enter)
        let exit = try await terminal.waitForExit()
        #expect(exit.status == 0)
    }

    /// BUG, introduced by d7aa84b (the passphrase is now read with `readSecret`, which has no
    /// timeout): once `/operator` has been typed, the kiosk waits for the passphrase for ever. The
    /// idle timeout no longer applies, so an applicant who types `/operator` (it is not listed by
    /// /help, but it can be seen over an operator's shoulder) and walks away leaves the whole
    /// consultation on the screen for the next person. At 3fad43a the idle timeout closed it as
    /// at any question.
    ///
    /// By hand: `consult kiosk --idle-minutes 0.05 --passphrase-file F`, answers 3, да, then
    /// `/operator` Enter and wait: the Russian questions stay on the screen.
    @Test(
        "kiosk: the idle timeout also closes a consultation left at the passphrase prompt",
        arguments: LangSetting.allCases)
    func kioskIdleTimeoutAtOperatorPrompt_BUG(_ lang: LangSetting) async throws {
        let passphrase = try PassphraseFile()
        defer { passphrase.remove() }
        let terminal = try await KioskREPLTests.startKiosk(lang, passphrase: passphrase, ["--idle-minutes", "0.05"])
        defer { terminal.kill() }
        try await terminal.answer("3", then: ru["intake.consent.prompt"])
        try await terminal.answer("да", then: ru["intake.topic.prompt"])
        try await terminal.answer("/operator", then: ru["ui.operator.passphrase"])

        // 3 s idle; allow four times that for the warning, the "wrong passphrase" and another wait.
        let previous = [ru["intake.consent.prompt"], ru["intake.topic.prompt"], ru["ui.operator.passphrase"]]
        let closed = try? await terminal.waitUntil(
            "the consultation closed by the idle timeout", in: .scrollback, timeout: 12
        ) { capture in
            let text = TmuxHarness.normalized(capture)
            return text.contains(TmuxHarness.normalized(en["intake.language.prompt"]))
                && !previous.contains { text.contains(TmuxHarness.normalized($0)) }
        }
        let screen = try terminal.screen()
        #expect(closed != nil, "12 s after /operator the consultation is still on the screen:\n\(screen)")
        #expect(try !terminal.programEnded())
    }
}
