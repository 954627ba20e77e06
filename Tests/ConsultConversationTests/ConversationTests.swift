import ConsultContent
import ConsultConversation
import ConsultEngine
import ConsultRecords
import Testing

/// The conversation as a transcript: inputs in, effects out, asserted by message keys and events.
@Suite struct ConversationTests {
    @Test func theFirstScreenGreetsAndAsksTheLanguage() throws {
        var t = try Transcript()
        let effects = t.start()
        #expect(effects.keys == ["app.title", "app.welcome", "ui.help.hint", "intake.language.prompt"])
        let asked = ConsultationEvent.Question(
            fact: "language", key: "intake.language.prompt",
            text: english.text("intake.language.prompt"), part: .question)
        #expect(effects.records == [.question(asked)])
        #expect(effects.wait == .read(Reading(prompt: "> ")))
        #expect(effects.question?.expected == t.conversation.consultation.currentExpected)
    }

    @Test func theLanguageChosenFirstIsTheSessionsFromThenOn() throws {
        var t = try Transcript()
        _ = t.start()
        let effects = t.type("2")
        #expect(
            Array(effects.prefix(4)) == [
                .addHistory("2"), .record(.answer(.init(fact: "language", input: "2", value: .choice("es")))),
                .setLanguage("es"),
                .record(.language(.init(language: "es", reason: .chosen))),
            ])
        #expect(effects.question?.key == "intake.consent.prompt")
        #expect(t.conversation.language == "es")
        // The question is recorded as shown: in Spanish.
        let consent = try #require(effects.records.last)
        guard case .question(let q) = consent else {
            Issue.record("\(consent)")
            return
        }
        #expect(
            q.text
                == Presenter(content: content, language: "es").text(
                    "intake.consent.prompt", facts: t.conversation.consultation.environment))
    }

    @Test func aRefusedAnswerIsRecordedWithWhyAndTheQuestionAskedAgain() throws {
        var t = try Transcript()
        _ = t.start()
        _ = t.type("1")
        let effects = t.type("perhaps")
        #expect(
            effects.records.first
                == .rejected(.init(fact: "consent", input: "perhaps", problem: english.problem(.expectedYesNo))))
        #expect(effects.keys == ["problem.expectedYesNo", "intake.consent.prompt"])
        #expect(effects.wait == .read(Reading(prompt: "> ")))
    }

    @Test func linesAreTrimmedAndKeptInTheHistory() throws {
        var t = try Transcript()
        _ = t.start()
        let effects = t.type("  1  ")
        #expect(
            Array(effects.prefix(2)) == [
                .addHistory("1"), .record(.answer(.init(fact: "language", input: "1", value: .choice("en")))),
            ])
        #expect(!t.type("   ").contains { if case .addHistory = $0 { return true } else { return false } })
    }

    @Test func outcomesAreExplainedAndRecordedOnceBeforeTheNextQuestion() throws {
        var t = try Transcript()
        _ = t.start()
        let effects = t.answer(toTheVKSOutcome)
        let outcome = try #require(effects.records.first { $0.kind == "outcome" })
        guard case .outcome(let shown) = outcome else { return }
        #expect(shown.ids == ["vks_rp_eligible"])
        #expect(
            effects.contains {
                if case .outcomes(let o) = $0 { return o.map(\.id) == ["vks_rp_eligible"] } else { return false }
            })
        #expect(effects.keys.last == "closing.wants_appointment.prompt")
        // A command after it does not show the explanation again.
        let summary = t.type("/summary")
        #expect(!summary.contains { if case .outcomes = $0 { return true } else { return false } })
    }

    @Test func aChangedAnswerRecordsOldAndNewAndSaysWhatWasDropped() throws {
        var t = try Transcript()
        _ = t.start()
        t.answer(["1", "yes", "1", "1", "1", "31.03.2028", "yes", "01.11.2026"])
        _ = t.type("/change")
        // The answers so far, numbered: the permit (5th) is changed to "none".
        let effects = t.answer(["5", "3"])
        let change = try #require(effects.records.first { $0.kind == "change" })
        guard case .change(let c) = change else { return }
        #expect(c.fact == "has_vks_work_permit" && c.old == .choice("issued") && c.new == .choice("none"))
        #expect(Set(c.dropped.keys) == ["work_permit_expires", "contract_terminated", "termination_date"])
        #expect(
            effects.messages.contains(
                Message(
                    "ui.change.done",
                    [
                        "fact": .factName("has_vks_work_permit"),
                        "old": .value(.choice("issued"), fact: "has_vks_work_permit"),
                        "new": .value(.choice("none"), fact: "has_vks_work_permit"),
                    ])))
        #expect(
            effects.messages.contains(
                Message(
                    "ui.change.dropped",
                    [
                        "facts": .factNames(["work_permit_expires", "contract_terminated", "termination_date"])
                    ])))
    }

    @Test func aFamilyMemberAddedIsSaidWithTheItemAndTheCount() throws {
        var t = try Transcript()
        _ = t.start()
        t.answer(["1", "yes", "1", "1", "1", "31.03.2028", "no", "no", "no", "no", "yes", "1"])
        let effects = t.type("40")
        let item = Record(["relation": .choice("spouse"), "age": .int(40), "included": .bool(true)])
        #expect(
            effects.messages.first
                == Message("ui.item_added", ["item": .item(item, group: "family_members"), "count": .number(1)]))
        guard case .answer(let answer)? = effects.records.first else {
            Issue.record("\(effects)")
            return
        }
        #expect(answer.fact == "family_members" && answer.field == "age" && answer.value == .int(40))
        guard case .question(let more)? = effects.records.last else { return }
        #expect(more.part == .groupMore && more.items == 1)
    }

    // MARK: - Ctrl-C, Ctrl-D, too long

    @Test func ctrlCAbandonsTheLineAndAsksAgain() throws {
        var t = try Transcript()
        _ = t.start()
        let effects = t.send(.interrupt)
        #expect(effects.keys == ["intake.language.prompt"])
        #expect(effects.recordKinds == ["question"])
    }

    @Test func ctrlDAsksBeforeLeavingAndASecondCtrlDLeaves() throws {
        var t = try Transcript()
        _ = t.start()
        let asked = t.send(.endOfInput(interactive: true, connected: true))
        #expect(asked == [.confirmation("ui.quit.confirm"), .read(Reading(prompt: "> "))])
        let no = t.type("no")
        #expect(no.keys == ["ui.continue", "intake.language.prompt"])
        _ = t.send(.endOfInput(interactive: true, connected: true))
        let left = t.send(.endOfInput(interactive: true, connected: true))
        #expect(left == [.record(.end(.init(reason: "quit", facts: [:], outcomes: []))), .end(.quit)])
    }

    @Test func theConfirmationAsksAgainUntilYesOrNo() throws {
        var t = try Transcript()
        _ = t.start()
        _ = t.type("/quit")
        let again = t.type("maybe")
        #expect(
            again == [
                .show(Message("answer.expected_yesno"), .problem), .confirmation("ui.quit.confirm"),
                .read(Reading(prompt: "> ")),
            ])
        #expect(t.send(.interrupt).keys == ["ui.continue", "intake.language.prompt"])  // Ctrl-C is a no
    }

    @Test func theEndOfAPipeOrAHungUpTerminalEndsWithoutAsking() throws {
        var piped = try Transcript()
        _ = piped.start()
        #expect(piped.send(.endOfInput(interactive: false, connected: false)).wait == .end(.inputEnded))
        var hungUp = try Transcript()
        _ = hungUp.start()
        #expect(hungUp.send(.endOfInput(interactive: true, connected: false)).wait == .end(.disconnected))
    }

    @Test func aLineTooLongIsRefusedRecordedShortAndTheQuestionAskedAgain() throws {
        var t = try Transcript()
        _ = t.start()
        _ = t.type("1")
        let effects = t.send(.tooLong(prefix: "xxxx", length: 9000, limit: 4096))
        let refusal = Message("ui.line_too_long", ["max_length": .number(4096)])
        #expect(
            Array(effects.prefix(2)) == [
                .record(
                    .rejected(.init(fact: "consent", input: "xxxx", inputLength: 9000, problem: english.text(refusal)))),
                .show(refusal, .problem),
            ])
        #expect(effects.keys.last == "intake.consent.prompt")
        // At a confirmation it counts as no.
        _ = t.type("/quit")
        #expect(
            t.send(.tooLong(prefix: "y", length: 5000, limit: 4096)).keys == [
                "ui.line_too_long", "ui.continue", "intake.consent.prompt",
            ])
    }

    // MARK: - Idle and signals

    @Test func idleWarnsOnceThenEnds() throws {
        var t = try Transcript(options: SessionOptions(idleTimeout: 300))
        let first = t.start()
        #expect(first.wait == .read(Reading(prompt: "> ", timeout: 240)))
        let warned = t.send(.timedOut)
        let warning = Message("ui.kiosk.idle_warning", ["seconds": .number(60)])
        #expect(
            warned == [
                .record(.shown(.init(keys: ["ui.kiosk.idle_warning"], text: english.text(warning)))),
                .show(warning, .problem), .read(Reading(prompt: "> ", timeout: 60)),
            ])
        #expect(t.send(.timedOut) == [.record(.end(.init(reason: "idle"))), .end(.idle)])
    }

    @Test func aLineAfterTheWarningStartsTheIdleTimeAgain() throws {
        var t = try Transcript(options: SessionOptions(idleMinutes: 0.05))
        _ = t.start()
        _ = t.send(.timedOut)
        let answered = t.type("1")
        #expect(answered.wait == .read(Reading(prompt: "> ", timeout: 2)))
        #expect(t.send(.timedOut).keys == ["ui.kiosk.idle_warning"])
    }

    @Test func aSignalEndsAtOnceAtAQuestion() throws {
        for reason in [EndReason.interrupted, .disconnected] {
            var t = try Transcript()
            _ = t.start()
            _ = t.type("1")
            let effects = t.send(.stopped(reason))
            #expect(
                effects == [
                    .record(.end(.init(reason: reason.rawValue, facts: ["language": .choice("en")]))), .end(reason),
                ])
        }
    }

    @Test func aSignalAtANestedPromptEndsTheConversationWithIt() throws {
        // At a confirmation: not an answer; the conversation goes back and ends.
        var confirming = try Transcript()
        _ = confirming.start()
        _ = confirming.type("/restart")
        let ended = confirming.send(.stopped(.interrupted))
        #expect(ended.keys == ["ui.continue"])
        #expect(ended.wait == .end(.interrupted))
        // At the list of answers to change, and at the list of languages: nothing more is said.
        for command in ["/change", "/language"] {
            var t = try Transcript()
            _ = t.start()
            _ = t.type("1")
            _ = t.type(command)
            let effects = t.send(.stopped(.disconnected))
            #expect(effects.keys.isEmpty && effects.wait == .end(.disconnected), "\(command): \(effects)")
        }
    }
}

extension Consultation {
    var currentExpected: Expected? {
        if case .ask(let prompt) = step { return prompt.expected }
        return nil
    }
}
