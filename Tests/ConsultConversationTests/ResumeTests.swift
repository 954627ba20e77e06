import ConsultContent
import ConsultConversation
import ConsultEngine
import ConsultRecords
import Foundation
import Testing

/// "Come back later": the answers kept under a code after consent, `/pause`, and continuing with
/// a code from the first screen — as the conversation decides them, asserted by keys and events.
@Suite struct ResumeConversationTests {
    /// 26 November 2026, 12:30 in Moscow (09:30 UTC).
    static let expires = Date(timeIntervalSince1970: 1_795_685_400)
    static let ticket = ResumeTicket(code: "K7QM-4TXP-2WZA", expires: expires)
    static let resumable: SessionOptions = {
        var options = SessionOptions()
        options.resumable = true
        return options
    }()

    func session(options: SessionOptions = Self.resumable) throws -> Transcript {
        try Transcript(options: options, records: .kept, ticket: Self.ticket)
    }

    static let shownCode: [String: Term] = [
        "code": .text("K7QM-4TXP-2WZA"), "date": .date(LocalDate(year: 2026, month: 11, day: 26)!),
        "time": .text("12:30"),
    ]

    /// The `shown` events of the keys given.
    func shown(_ effects: [Effect], _ key: String) -> [ConsultationEvent.Shown] {
        effects.records.compactMap { if case .shown(let s) = $0, s.keys == [key] { return s } else { return nil } }
    }

    // MARK: - Keeping the answers, and /pause

    @Test func nothingIsKeptBeforeConsentThenEveryAnswerIsAndTheCodeIsShownOnce() throws {
        var t = try session()
        _ = t.start()
        _ = t.type("3")
        #expect(t.kept.isEmpty)
        let consent = t.type("да")
        #expect(t.kept.map(\.answers) == [["language": .choice("ru"), "consent": .bool(true)]])
        #expect(t.kept.first?.language == "ru")
        #expect(consent.keys == ["ui.resume.code", "intake.topic.prompt"])
        #expect(consent.messages.contains(Message("ui.resume.code", Self.shownCode)))
        // The transcript keeps the message with the code masked: the code is a secret.
        let recorded = try #require(shown(consent, "ui.resume.code").first)
        #expect(!recorded.text.contains("K7QM") && recorded.text.contains("****-****-****"), "\(recorded.text)")
        let topic = t.type("1")
        #expect(t.kept.count == 2 && t.kept.last?.answers["topic"] == .choice("vks_residence_permit"))
        #expect(!topic.keys.contains("ui.resume.code"))
        // A command changes nothing: nothing is kept again.
        _ = t.type("/summary")
        #expect(t.kept.count == 2)
    }

    @Test func pauseShowsTheCodeAndEndsPausedKeepingTheAnswers() throws {
        var t = try session()
        _ = t.start()
        t.answer(["1", "yes", "1"])
        let paused = t.type("/pause")
        #expect(paused.keys == ["ui.pause.done"])
        #expect(paused.messages.contains(Message("ui.pause.done", Self.shownCode)))
        #expect(!paused.contains(.forget))
        let end = try #require(paused.records.last)
        guard case .end(let e) = end else {
            Issue.record("\(end)")
            return
        }
        #expect(e.reason == "paused")
        #expect(paused.wait == .end(.paused))
        #expect(shown(paused, "ui.pause.done").first.map { !$0.text.contains("K7QM") } == true)
        // As a word of the session's language too.
        var ru = try session()
        _ = ru.start()
        ru.answer(["3", "да"])
        #expect(ru.type("пауза").wait == .end(.paused))
    }

    @Test func pauseBeforeConsentOrWithoutItSaysWhyAndGoesOn() throws {
        var t = try session()
        _ = t.start()
        #expect(t.type("/pause").keys == ["ui.pause.unavailable", "intake.language.prompt"])
        t.answer(["1", "no"])
        #expect(t.kept.isEmpty)
        let effects = t.type("/pause")
        #expect(effects.keys == ["ui.pause.unavailable", "intake.topic.prompt"])
        #expect(effects.wait == .read(Reading(prompt: "> ")))
        // Where nothing can be kept at all.
        var off = try session(options: SessionOptions())
        _ = off.start()
        off.answer(["1", "yes"])
        #expect(off.type("/pause").keys == ["ui.pause.off", "intake.topic.prompt"])
        #expect(off.kept.isEmpty)
    }

    @Test func theAnswersKeptGoWhenTheConsultationIsFinishedOrLeftOrConsentWithdrawn() throws {
        var done = try session()
        _ = done.start()
        let finished = done.answer(toTheVKSOutcome + ["no"])
        #expect(finished.wait == .end(.completed))
        #expect(finished.contains(.forget))

        var left = try session()
        _ = left.start()
        left.answer(["1", "yes", "1"])
        _ = left.type("/quit")
        #expect(left.type("yes").contains(.forget))

        var lost = try session()
        _ = lost.start()
        lost.answer(["1", "yes", "1"])
        let hungUp = lost.send(.endOfInput(interactive: true, connected: false))
        #expect(hungUp.wait == .end(.disconnected))
        #expect(!hungUp.contains(.forget))

        var withdrawn = try session()
        _ = withdrawn.start()
        withdrawn.answer(["1", "yes", "1"])
        _ = withdrawn.type("/change")
        _ = withdrawn.type("2")
        let no = withdrawn.type("no")
        #expect(no.contains(.forget))
        #expect(no.keys.contains("intake.topic.prompt") || no.keys.contains("vks.applicant_role.prompt"))
        #expect(withdrawn.conversation.ticket == nil)
        #expect(withdrawn.type("/pause").keys.first == "ui.pause.unavailable")
    }

    @Test func anAnswerBeingChangedIsKeptAsItWasAndAGroupWithItsParts() throws {
        var t = try session()
        _ = t.start()
        t.answer(["1", "yes", "1"])
        _ = t.type("/change")
        _ = t.type("3")  // the topic, taken back while it is asked again
        #expect(t.kept.last?.answers["topic"] == .choice("vks_residence_permit"))
        _ = t.type("/back")
        // Into the family list: a relation typed, its age not yet.
        var family = try session()
        _ = family.start()
        family.answer(["1", "yes", "1", "1", "1", "31.03.2028", "no", "no", "no", "no", "yes", "1"])
        let group = try #require(family.kept.last?.group)
        #expect(group.fact == "family_members")
        #expect(group.entries == [.more(true), .field("relation", .choice("spouse"))])
    }

    @Test func aCodeThatCannotBeKeptIsNotShownAndPauseSaysSo() throws {
        var t = try Transcript(options: Self.resumable, records: .kept, ticket: nil)
        _ = t.start()
        _ = t.type("1")
        let consent = t.type("yes")
        // The session reports the failure instead of a code.
        #expect(!consent.keys.contains("ui.resume.code"))
        #expect(t.conversation.received(.notKeptForLater).isEmpty)
        _ = t.proceed()
        #expect(t.type("/pause").keys.first == "ui.pause.off")
    }

    // MARK: - Continuing with a code

    @Test func theFirstScreenOffersToContinueWithACode() throws {
        var t = try session()
        let first = t.start()
        guard case .choice(let choices)? = first.question?.expected else {
            Issue.record("\(first)")
            return
        }
        #expect(choices.map(\.label) == ["language.en", "language.es", "language.ru", "ui.resume.choice"])
        // Without codes, the languages alone.
        var plain = try session(options: SessionOptions())
        guard case .choice(let languages)? = plain.start().question?.expected else { return }
        #expect(languages.count == 3)
        let asked = t.type("4")
        #expect(asked.records == [.command(.init(name: "resume", input: "4"))])
        #expect(asked.keys == ["ui.resume.prompt"])
        #expect(asked.wait == .read(Reading(prompt: "> ")))
        // The code is tried by the caller; it is neither recorded nor kept in the history.
        let typed = t.type(" k7qm-4txp-2wza ")
        #expect(typed == [.resume(" k7qm-4txp-2wza ")])
        // A number past the choices is refused with the four of them.
        var other = try session()
        _ = other.start()
        let refused = other.type("5")
        #expect(refused.keys.first == "problem.expectedChoice(\(choices))")
    }

    static let kept = ResumeState(
        language: "ru",
        answers: [
            "language": .choice("ru"), "consent": .bool(true), "topic": .choice("vks_residence_permit"),
            "applicant_role": .choice("vks"),
        ], transcript: "ABCD-EFGH-JKMN")

    @Test func theRightCodeContinuesWhereTheApplicantStopped() throws {
        var t = try session()
        _ = t.start()
        _ = t.type("4")
        _ = t.type("K7QM-4TXP-2WZA")
        let back = t.send(.resumed(Self.kept, Self.ticket))
        #expect(back.contains(.setLanguage("ru")))
        #expect(
            back.records.first
                == .resumed(.init(from: "ABCD-EFGH-JKMN", language: "ru", answers: Self.kept.answers)))
        #expect(back.messages.contains(Message("ui.resume.welcome_back", Self.shownCode)))
        #expect(back.keys.prefix(2) == ["ui.resume.welcome_back", "ui.summary.heading"])
        // The next unanswered question, after the notes that lead to it.
        #expect(back.question?.key == "vks.has_vks_work_permit.prompt")
        #expect(t.conversation.language == "ru")
        // Kept again at once (the session names its own transcript now), and the code not shown again.
        #expect(t.kept.last?.answers == Self.kept.answers)
        #expect(!back.keys.contains("ui.resume.code"))
        // The same code goes on working: /pause shows it.
        #expect(t.type("/pause").messages.contains(Message("ui.pause.done", Self.shownCode)))
    }

    @Test func aFamilyMemberHalfTypedIsAskedWhereItStopped() throws {
        var t = try session()
        _ = t.start()
        _ = t.type("4")
        _ = t.type("K7QM-4TXP-2WZA")
        var kept = Self.kept
        kept.answers.merge([
            "has_vks_work_permit": .choice("issued"),
            "work_permit_expires": .date(LocalDate(year: 2028, month: 3, day: 31)!),
            "contract_terminated": .bool(false), "holds_vks_residence_permit": .bool(false),
            "wants_citizenship": .bool(false), "wants_independent_permit": .bool(false),
        ]) { $1 }
        var draft = GroupDraft(fact: "family_members")
        draft.entries = [.more(true), .field("relation", .choice("spouse"))]
        kept.group = KeptGroup(draft)
        let back = t.send(.resumed(kept, Self.ticket))
        #expect(back.question?.key == "vks.family.age.prompt")
    }

    @Test func aWrongCodeIsAskedAgainAndAnExpiredOneGoesBackToTheFirstScreen() throws {
        var t = try session()
        _ = t.start()
        _ = t.type("4")
        _ = t.type("K7QM")
        let typo = t.send(.resumeRefused(.notACode))
        #expect(typo.keys == ["ui.resume.not_a_code", "ui.resume.prompt"])
        _ = t.type("K7QM-4TXP-2WZB")
        let wrong = t.send(.resumeRefused(.wrong))
        #expect(wrong.keys == ["ui.resume.wrong", "ui.resume.prompt"])
        #expect(shown(wrong, "ui.resume.wrong").count == 1)
        _ = t.type("K7QM-4TXP-2WZA")
        let expired = t.send(.resumeRefused(.expired))
        #expect(expired.keys == ["ui.resume.expired", "intake.language.prompt"])
        // Still offered: another code may work.
        guard case .choice(let choices)? = expired.question?.expected else { return }
        #expect(choices.count == 4)
        for refusal in [ResumeRefusal.blocked, .damaged] {
            _ = t.type("4")
            _ = t.type("K7QM-4TXP-2WZA")
            #expect(t.send(.resumeRefused(refusal)).question?.key == "intake.language.prompt")
        }
        // Too many wrong codes from here: back, and no longer offered.
        _ = t.type("4")
        _ = t.type("K7QM-4TXP-2WZA")
        let tooMany = t.send(.resumeRefused(.tooManyFromHere))
        #expect(tooMany.keys == ["ui.resume.too_many", "intake.language.prompt"])
        guard case .choice(let languages)? = tooMany.question?.expected else { return }
        #expect(languages.count == 3)
    }

    @Test func anEmptyLineGoesBackAndCtrlDAsksBeforeLeaving() throws {
        var t = try session()
        _ = t.start()
        _ = t.type("4")
        #expect(t.type("").question?.key == "intake.language.prompt")
        _ = t.type("4")
        #expect(t.send(.interrupt).keys == ["ui.resume.prompt"])
        let confirm = t.send(.endOfInput(interactive: true, connected: true))
        #expect(confirm.keys == ["ui.quit.confirm"])
        #expect(t.type("no").question?.key == "intake.language.prompt")
    }

    @Test func startResumeAsksForTheCodeFirst() throws {
        var options = Self.resumable
        options.askForCode = true
        var t = try session(options: options)
        let first = t.start()
        #expect(first.keys == ["app.title", "app.welcome", "ui.help.hint", "ui.resume.prompt"])
        #expect(t.type("").keys == ["intake.language.prompt"])
    }
}
