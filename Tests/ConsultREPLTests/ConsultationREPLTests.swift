import ConsultTestSupport
import Foundation
import Testing

/// `consult` (= `consult start`) at a terminal: the REPL as an applicant uses it, typed key by key.
/// The texts asserted come from `locales/*.yaml` (``LocaleText``), so rewording a sentence does not
/// break a test; the question order is that of `dialogs/intake.yaml` and
/// `dialogs/vks_residence_permit.yaml`.
@Suite("consult start in a terminal")
struct ConsultationREPLTests {
    let ru = LocaleText.ru
    let es = LocaleText.es
    let en = LocaleText.en

    /// Starts `consult --today 2026-11-25` and waits for the first question (language).
    func start(_ lang: LangSetting, _ extra: [String] = []) async throws -> TmuxHarness {
        let terminal = try TmuxHarness(["--today", testToday] + extra, lang: lang)
        try await terminal.waitForPrompt(after: en["intake.language.prompt"])
        return terminal
    }

    /// From the work-permit question (``RussianConsultation/toPermitQuestion``) to the outcome, in
    /// Russian: a permit valid until 31.03.2028, contract in force, no VKS residence permit yet,
    /// citizenship wanted, a spouse of 40. Returns the scrollback that shows the outcome and then the
    /// appointment question.
    static func answerVKSInRussian(_ terminal: TmuxHarness) async throws -> String {
        try await terminal.answer(RussianConsultation.permitIssued + RussianConsultation.citizenshipAndSpouse)
    }

    /// Keys such as `vks.outcome.x` or a `{placeholder}` that reached the screen unrendered.
    static func rawKeys(in text: String) -> [String] {
        let pattern =
            #"\b(app|answer|hint|value|outcome|office|command|ui|fact|intake|language|vks|general|prices|question|closing|list)\.[a-z_]+|[{}]|<missing"#
        let regex = try! NSRegularExpression(pattern: pattern)
        return regex.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap {
            Range($0.range, in: text).map { String(text[$0]) }
        }
    }

    // MARK: - (1) A whole consultation in Russian

    @Test("a whole consultation typed in Cyrillic reaches its outcome", arguments: LangSetting.allCases)
    func russianConsultationReachesOutcome(_ lang: LangSetting) async throws {
        let terminal = try await start(lang)
        defer { terminal.kill() }
        try await terminal.answer(RussianConsultation.toPermitQuestion)
        let shown = try await Self.answerVKSInRussian(terminal)
        let text = TmuxHarness.normalized(shown)

        #expect(text.contains(TmuxHarness.normalized(ru["outcome.heading"])))
        // permit_valid_until as Russian reads a date: "31 марта 2028 г." (whatever space before "г.").
        #expect(
            text.contains(
                TmuxHarness.normalized(
                    ru.text("vks.outcome.vks_rp_eligible", ["permit_valid_until": "31 марта 2028 г."]))))
        #expect(text.contains("31 марта 2028"))
        #expect(text.contains(TmuxHarness.normalized(ru["vks.outcome.citizenship_path"])))
        #expect(
            text.contains(
                TmuxHarness.normalized(
                    ru.text("vks.outcome.family_included", ["family_included_members": "супруг или супруга (40 лет)"])))
        )
        #expect(text.contains(TmuxHarness.normalized(ru["outcome.confirm_heading"])))
        #expect(text.contains(TmuxHarness.normalized(ru["vks.confirm.grace_days"])))
        // Outcomes that do not apply are not shown.
        #expect(!text.contains(TmuxHarness.normalized(ru.lead("vks.outcome.grace_period_active"))))
        #expect(!text.contains(TmuxHarness.normalized(ru.lead("vks.outcome.family_review"))))
        // No problem message was needed on the way.
        #expect(!text.contains(TmuxHarness.normalized(ru.lead("answer.expected_choice"))))
        #expect(!text.contains(TmuxHarness.normalized(ru["answer.expected_yesno"])))
        #expect(!text.contains(TmuxHarness.normalized(ru["answer.expected_date"])))

        try terminal.type("нет")
        try terminal.press(.enter)
        let exit = try await terminal.waitForExit()
        #expect(exit.status == 0)
        #expect(exit.terminalRestored, "terminal modes after exit: \(exit.modes.sorted())")
        let all = try terminal.scrollback()
        #expect(TmuxHarness.normalized(all).contains(TmuxHarness.normalized(ru["closing.thanks"])))
        #expect(TmuxHarness.normalized(all).contains(TmuxHarness.normalized(ru.lead("closing.no_appointment"))))
        #expect(Self.rawKeys(in: all).isEmpty, "unrendered keys on the screen: \(Self.rawKeys(in: all))")
    }

    // MARK: - (1b) A relative of a specialist

    @Test("a relative reads the questions about “your relative” and is asked who they are to the specialist")
    func relativeReadsTheirOwnWording() async throws {
        let terminal = try await start(.cUTF8)
        defer { terminal.kill() }
        let relative = ru.relative
        // The two wordings differ, so the screen says which one was shown.
        #expect(relative["vks.has_vks_work_permit.prompt"] != ru["vks.has_vks_work_permit.prompt"])
        // Русский, consent да, topic 1 (VKS), then role 2: a relative.
        try await terminal.answer(Array(RussianConsultation.toPermitQuestion.prefix(3)))
        var shown = try await terminal.answer("2", then: relative["vks.has_vks_work_permit.prompt"])
        #expect(!TmuxHarness.normalized(shown).contains(TmuxHarness.normalized(ru["vks.has_vks_work_permit.prompt"])))
        // Applied for: the relative's own relation is asked (it can change the outcome), then citizenship.
        try await terminal.answer("2", then: relative["vks.relation_to_vks.prompt"])
        try await terminal.answer("1", then: relative["vks.wants_citizenship.prompt"])
        shown = try await terminal.answer("нет", then: relative["vks.wants_independent_permit.prompt"])
        #expect(
            !TmuxHarness.normalized(shown).contains(TmuxHarness.normalized(ru["vks.wants_independent_permit.prompt"])))
        // No list of family members for a relative: the outcome, then the appointment question.
        shown = try await terminal.answer("нет", then: ru["closing.wants_appointment.prompt"])
        #expect(!TmuxHarness.normalized(shown).contains(TmuxHarness.normalized(ru["vks.family.prompt"])))
        #expect(Self.rawKeys(in: shown).isEmpty, "unrendered keys on the screen: \(Self.rawKeys(in: shown))")
    }

    // MARK: - (2) Editing the line

    @Test("a typo fixed with Home, End, Left and Backspace is accepted", arguments: LangSetting.allCases)
    func editingTypedAnswerMidWord(_ lang: LangSetting) async throws {
        let terminal = try await start(lang)
        defer { terminal.kill() }
        try await terminal.answer(RussianConsultation.toPermitQuestion)
        try await terminal.answer("1", then: ru["vks.work_permit_expires.prompt"])

        try terminal.type("1.03.2O28")  // the day's first digit missing, a letter O in the year
        try await terminal.waitForInput("1.03.2O28")
        try terminal.press(.home)
        try terminal.type("3")
        try await terminal.waitForInput("31.03.2O28")
        try terminal.press(.end, .left, .left, .backspace)
        try await terminal.waitForInput("31.03.228")
        try terminal.type("0")
        try await terminal.waitForInput("31.03.2028")
        let shown = try await terminal.expectNew(ru["vks.contract_terminated.prompt"]) { try terminal.press(.enter) }
        #expect(!TmuxHarness.normalized(shown).contains(TmuxHarness.normalized(ru["answer.expected_date"])))

        // The summary shows the date as it was fixed.
        let summary = try #require(ru.lists["commands.summary"]?.first)
        let after = try await terminal.answer(summary, then: ru["vks.contract_terminated.prompt"])
        #expect(
            TmuxHarness.normalized(after).contains(
                TmuxHarness.normalized("\(ru["fact.work_permit_expires"]): 31 марта 2028 г.")))
    }

    // MARK: - (3) Tab completion

    @Test("Tab completes a choice to its whole label", arguments: LangSetting.allCases)
    func tabCompletesChoice(_ lang: LangSetting) async throws {
        let terminal = try await start(lang)
        defer { terminal.kill() }
        // The language list first: "Ру" + Tab.
        try terminal.type("Ру")
        try terminal.press(.tab)
        try await terminal.waitForInput(ru["language.ru"])
        try await terminal.expectNew(ru["intake.consent.prompt"]) { try terminal.press(.enter) }
        try await terminal.answer("да", then: ru["intake.topic.prompt"])
        try await terminal.answer("1", then: ru["vks.applicant_role.prompt"])
        try await terminal.answer("1", then: ru["vks.has_vks_work_permit.prompt"])

        let expiresBefore = TmuxHarness.occurrences(
            of: ru["vks.work_permit_expires.prompt"], in: try terminal.scrollback())
        try terminal.type("За")
        try terminal.press(.tab)
        try await terminal.waitForInput(ru["vks.choice.applied"])  // "Заявление подано, разрешение ещё не выдано"
        let shown = try await terminal.expectNew(ru["vks.wants_citizenship.prompt"]) { try terminal.press(.enter) }
        #expect(!TmuxHarness.normalized(shown).contains(TmuxHarness.normalized(ru.lead("answer.expected_choice"))))
        #expect(!TmuxHarness.normalized(shown).contains(TmuxHarness.normalized(ru.lead("answer.ambiguous_choice"))))
        // "applied": no expiry date is asked.
        #expect(TmuxHarness.occurrences(of: ru["vks.work_permit_expires.prompt"], in: shown) == expiresBefore)
    }

    // MARK: - (4) Back and change

    @Test(
        "/назад and назад go back one question; изменить changes an answer and the dependent questions follow",
        arguments: LangSetting.allCases)
    func backAndChangeAnswer(_ lang: LangSetting) async throws {
        let terminal = try await start(lang)
        defer { terminal.kill() }
        try await terminal.answer(RussianConsultation.toPermitQuestion)
        try await terminal.answer(RussianConsultation.permitIssued)

        // Back with the slash form, then with the bare Russian word.
        var shown = try await terminal.answer("/назад", then: ru["vks.work_permit_expires.prompt"])
        #expect(
            TmuxHarness.normalized(shown).contains(
                TmuxHarness.normalized(
                    ru.text("ui.back.done", ["fact": ru["fact.work_permit_expires"]]))))
        shown = try await terminal.answer("назад", then: ru["vks.has_vks_work_permit.prompt"])
        #expect(
            TmuxHarness.normalized(shown).contains(
                TmuxHarness.normalized(
                    ru.text("ui.back.done", ["fact": ru["fact.has_vks_work_permit"]]))))

        try await terminal.answer(RussianConsultation.permitIssued)
        try await terminal.answer("нет", then: ru["vks.holds_vks_residence_permit.prompt"])
        try await terminal.answer("нет", then: ru["vks.wants_citizenship.prompt"])

        // изменить: the answers, numbered; pick the permit's.
        var list = try await terminal.answer("изменить", then: ru["ui.change.prompt"], prompt: "#")
        var number = try #require(
            Self.number(of: "\(ru["fact.has_vks_work_permit"]): \(ru["vks.choice.issued"])", in: list),
            "the permit answer is not in the numbered list")
        #expect(Self.number(of: "\(ru["fact.work_permit_expires"]): 31 марта 2028 г.", in: list) != nil)
        #expect(Self.number(of: "\(ru["fact.contract_terminated"]): \(ru["value.no"])", in: list) != nil)
        try await terminal.answer(String(number), then: ru["vks.has_vks_work_permit.prompt"])

        // issued → applied: the expiry date, the contract and the permit-holder answer no longer apply.
        shown = try await terminal.answer("2", then: ru["vks.wants_citizenship.prompt"])
        var text = TmuxHarness.normalized(shown)
        #expect(
            text.contains(
                TmuxHarness.normalized(
                    ru.text(
                        "ui.change.done",
                        [
                            "fact": ru["fact.has_vks_work_permit"], "old": ru["vks.choice.issued"],
                            "new": ru["vks.choice.applied"],
                        ]))))
        #expect(
            text.contains(
                TmuxHarness.normalized(
                    ru.text(
                        "ui.change.dropped",
                        [
                            "facts": ru.list([
                                ru["fact.work_permit_expires"], ru["fact.contract_terminated"],
                                ru["fact.holds_vks_residence_permit"],
                            ])
                        ]))))
        try await terminal.answer("да", then: ru["vks.wants_independent_permit.prompt"])

        // applied → issued: the expiry date and the contract are asked again, citizenship is kept.
        list = try await terminal.answer("изменить", then: ru["ui.change.prompt"], prompt: "#")
        number = try #require(
            Self.number(of: "\(ru["fact.has_vks_work_permit"]): \(ru["vks.choice.applied"])", in: list))
        #expect(
            Self.number(of: "\(ru["fact.work_permit_expires"]):", in: list) == nil, "a dropped answer is still listed")
        let citizenshipAsked = TmuxHarness.occurrences(of: ru["vks.wants_citizenship.prompt"], in: list)
        try await terminal.answer(String(number), then: ru["vks.has_vks_work_permit.prompt"])
        shown = try await terminal.answer("1", then: ru["vks.work_permit_expires.prompt"])
        text = TmuxHarness.normalized(shown)
        #expect(
            text.contains(
                TmuxHarness.normalized(
                    ru.text(
                        "ui.change.done",
                        [
                            "fact": ru["fact.has_vks_work_permit"], "old": ru["vks.choice.applied"],
                            "new": ru["vks.choice.issued"],
                        ]))))
        try await terminal.answer("31.03.2028", then: ru["vks.contract_terminated.prompt"])
        try await terminal.answer("нет", then: ru["vks.holds_vks_residence_permit.prompt"])
        shown = try await terminal.answer("нет", then: ru["vks.wants_independent_permit.prompt"])
        #expect(
            TmuxHarness.occurrences(of: ru["vks.wants_citizenship.prompt"], in: shown) == citizenshipAsked,
            "the citizenship question, answered and still relevant, was asked again")
    }

    /// The number of the numbered-list row that starts with `entry`, in the last list shown (after
    /// the last `> изменить` line of the capture).
    static func number(of entry: String, in capture: String) -> Int? {
        let wanted = TmuxHarness.normalized(entry)
        let lines = capture.split(separator: "\n")
        let lastList = lines[((lines.lastIndex { $0.hasPrefix("> изменить") } ?? -1) + 1)...]
        for line in lastList {
            let row = TmuxHarness.normalized(String(line))
            guard let dot = row.firstIndex(of: "."), let n = Int(row[..<dot]) else { continue }
            if TmuxHarness.normalized(String(row[row.index(after: dot)...])).hasPrefix(wanted) { return n }
        }
        return nil
    }

    // MARK: - (5) Language

    @Test(
        "switching language mid-consultation asks the current question again in that language",
        arguments: LangSetting.allCases)
    func switchingLanguageMidConsultation(_ lang: LangSetting) async throws {
        let terminal = try await start(lang)
        defer { terminal.kill() }
        try await terminal.answer(RussianConsultation.toPermitQuestion)

        // /язык es: the Russian command word, with the language as its argument.
        var shown = try await terminal.answer("/язык es", then: es["vks.has_vks_work_permit.prompt"])
        var text = TmuxHarness.normalized(shown)
        #expect(text.contains(TmuxHarness.normalized(es["ui.language.changed"])))
        #expect(
            text.hasSuffix(
                TmuxHarness.normalized(
                    "\(es["vks.has_vks_work_permit.prompt"]) 1. \(es["vks.choice.issued"]) 2. \(es["vks.choice.applied"]) 3. \(es["vks.choice.none"]) >"
                )))
        try await terminal.answer("1", then: es["vks.work_permit_expires.prompt"])

        // /language, then a number from the list: back to Russian.
        try await terminal.answer("/language", then: es["ui.language.prompt"])
        shown = try await terminal.answer("3", then: ru["vks.work_permit_expires.prompt"])
        #expect(TmuxHarness.normalized(shown).contains(TmuxHarness.normalized(ru["ui.language.changed"])))

        // /language, then the language's name: Spanish again.
        try await terminal.answer("/language", then: ru["ui.language.prompt"])
        shown = try await terminal.answer(es["name"], then: es["vks.work_permit_expires.prompt"])
        text = TmuxHarness.normalized(shown)
        #expect(
            text.hasSuffix(
                TmuxHarness.normalized(
                    "\(es["ui.language.changed"]) \(es["vks.work_permit_expires.prompt"]) (\(es["hint.date"])) >")))
        // Answers in Spanish are understood.
        try await terminal.answer("31.03.2028", then: es["vks.contract_terminated.prompt"])
        try await terminal.answer("no", then: es["vks.holds_vks_residence_permit.prompt"])
        try await terminal.answer("no", then: es["vks.wants_citizenship.prompt"])
        try await terminal.answer("sí", then: es["vks.wants_independent_permit.prompt"])
    }

    // MARK: - (6) Ctrl-C and Ctrl-D

    @Test(
        "Ctrl-C drops the line and asks again; Ctrl-D asks before leaving; leaving restores the terminal",
        arguments: LangSetting.allCases)
    func ctrlCAndCtrlD(_ lang: LangSetting) async throws {
        let terminal = try await start(lang)
        defer { terminal.kill() }
        try await terminal.answer("3", then: ru["intake.consent.prompt"])

        try terminal.type("что-то напечатано")
        try await terminal.waitForInput("что-то напечатано")
        try await terminal.expectNew(ru["intake.consent.prompt"]) { try terminal.press(.ctrlC) }
        #expect(TmuxHarness.input(of: try terminal.screen()) == "", "the typed text is still on the input line")
        #expect(try !terminal.programEnded())
        // Still running, and the dropped text was not taken as an answer.
        let shown = try await terminal.answer("да", then: ru["intake.topic.prompt"])
        #expect(!TmuxHarness.normalized(shown).contains(TmuxHarness.normalized(ru["answer.expected_yesno"])))

        // Ctrl-D on an empty line: a question; нет goes on with the same question.
        try await terminal.expectNew(ru["ui.quit.confirm"]) { try terminal.press(.ctrlD) }
        let continued = try await terminal.answer("нет", then: ru["intake.topic.prompt"])
        #expect(TmuxHarness.normalized(continued).contains(TmuxHarness.normalized(ru["ui.continue"])))
        #expect(try !terminal.programEnded())

        // Ctrl-D again, да: goodbye, exit status 0, the terminal's modes as before.
        try await terminal.expectNew(ru["ui.quit.confirm"]) { try terminal.press(.ctrlD) }
        try terminal.type("да")
        try terminal.press(.enter)
        let exit = try await terminal.waitForExit()
        #expect(exit.status == 0)
        #expect(exit.terminalRestored, "terminal modes after exit: \(exit.modes.sorted())")
        #expect(
            TmuxHarness.normalized(try terminal.scrollback()).contains(TmuxHarness.normalized(ru.lead("ui.goodbye"))))
    }
}
