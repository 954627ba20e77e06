import ConsultContent
import ConsultConversation
import ConsultEngine
import ConsultRecords
import Testing

/// Every command, as `/name`, as a word of the session's language, and what it says.
@Suite struct CommandTests {
    /// A conversation at the consent question, in English.
    func atConsent(options: SessionOptions = SessionOptions()) throws -> Transcript {
        var t = try Transcript(options: options)
        _ = t.start()
        _ = t.type("1")
        return t
    }

    @Test func everyCommandIsRecordedWithWhatWasTyped() throws {
        for command in Conversation.Command.listed where command != .quit && command != .restart {
            var t = try atConsent()
            let effects = t.type("/\(command.rawValue)")
            #expect(
                effects.records.first == .command(.init(name: command.rawValue, input: "/\(command.rawValue)")),
                "\(command)")
            #expect(effects.contains(.addHistory("/\(command.rawValue)")))
        }
    }

    @Test func helpShowsTheQuestionsOwnHelpThenTheCommands() throws {
        var t = try atConsent()
        let effects = t.type("/help")
        let help = english.text("intake.consent.help", facts: t.conversation.consultation.environment)
        #expect(
            Array(effects.dropFirst(2).prefix(5)) == [
                .say("intake.consent.help", help), .gap, .show(Message("ui.help.heading"), .heading), .commands, .gap,
            ])
        #expect(effects.keys == ["intake.consent.help", "ui.help.heading", "intake.consent.prompt"])
    }

    @Test func backTakesTheLastAnswerBack() throws {
        var t = try atConsent()
        let effects = t.type("/back")
        #expect(
            Array(effects.prefix(4)) == [
                .record(.command(.init(name: "back", input: "/back"))), .addHistory("/back"),
                .record(.back(.init(fact: "language"))),
                .show(Message("ui.back.done", ["fact": .factName("language")]), .note),
            ])
        #expect(effects.question?.fact == "language")
        #expect(t.type("/back").keys == ["ui.back.nothing", "intake.language.prompt"])
    }

    @Test func backDuringAChangeCancelsIt() throws {
        var t = try atConsent()
        _ = t.type("yes")
        _ = t.type("/change")
        _ = t.type("2")
        #expect(t.type("/back").keys == ["ui.change.cancelled", "intake.topic.prompt"])
        #expect(t.conversation.consultation.answers["consent"] == .bool(true))
    }

    @Test func summaryListsTheAnswers() throws {
        var t = try Transcript()
        _ = t.start()
        #expect(t.type("/summary").keys == ["ui.summary.empty", "intake.language.prompt"])
        _ = t.type("1")
        let effects = t.type("/summary")
        #expect(effects.contains(.show(Message("ui.summary.heading"), .heading)))
        #expect(effects.contains(.answers([FactValue("language", .choice("en"))], .indented)))
    }

    @Test func whySaysWhichAnswersLedToEachOutcome() throws {
        var t = try atConsent()
        #expect(t.type("why").keys == ["ui.why.none", "intake.consent.prompt"])  // a bare word
        t.answer(["yes", "1", "1", "3"])
        let effects = t.type("/why")
        #expect(
            effects.messages.filter { $0.key == "ui.why.heading" } == [
                Message("ui.why.heading", ["outcome": .outcomeTitle("vks_rp_not_eligible")]),
                Message("ui.why.heading", ["outcome": .outcomeTitle("general_order_route")]),
            ])
        let answers = [FactValue("applicant_role", .choice("vks")), FactValue("has_vks_work_permit", .choice("none"))]
        #expect(effects.filter { $0 == .answers(answers, .bulleted) }.count == 2)
    }

    @Test func changeListsTheAnswersAndAsksWhichByNumber() throws {
        var t = try Transcript()
        _ = t.start()
        #expect(t.type("/change").keys == ["ui.change.nothing", "intake.language.prompt"])
        _ = t.type("1")
        let list = t.type("/change")
        #expect(
            Array(list.suffix(3)) == [
                .answers([FactValue("language", .choice("en"))], .numbered),
                .show(Message("ui.change.prompt"), .question),
                .read(Reading(prompt: "# ")),
            ])
        #expect(t.type("7").keys == ["ui.change.cancelled", "intake.consent.prompt"])
        _ = t.type("/change")
        let chosen = t.type("1")
        #expect(chosen.question?.fact == "language")
        #expect(chosen.recordKinds == ["question"])
    }

    @Test func languageSwitchesByArgumentNumberOrName() throws {
        for typed in [["/language es"], ["/language", "2"], ["/language", "españ"], ["/language", " ES "]] {
            var t = try atConsent()
            let effects = t.answer(typed)
            #expect(effects.contains(.setLanguage("es")), "\(typed)")
            #expect(effects.records.contains(.language(.init(language: "es", reason: .switched))), "\(typed)")
            #expect(effects.keys.prefix(1) == ["ui.language.changed"], "\(typed)")
            #expect(t.conversation.language == "es")
            // The language question's answer follows the switch.
            #expect(t.conversation.consultation.answers["language"] == .choice("es"))
        }
    }

    @Test func languageAsksWhichWhenNoneIsNamed() throws {
        var t = try atConsent()
        let asked = t.type("/language")
        #expect(
            Array(asked.suffix(3)) == [
                .show(Message("ui.language.prompt"), .question), .languages(content.localizer.languages),
                .read(Reading(prompt: "> ")),
            ])
        #expect(t.type("klingon").keys == ["ui.change.cancelled", "intake.consent.prompt"])
        _ = t.type("/language")
        #expect(t.send(.interrupt).keys == ["intake.consent.prompt"])  // nothing said, nothing changed
        #expect(t.conversation.language == "en")
    }

    @Test func restartAsksThenStartsAfresh() throws {
        var t = try atConsent()
        _ = t.type("yes")
        #expect(
            t.type("/restart") == [
                .record(.command(.init(name: "restart", input: "/restart"))), .addHistory("/restart"),
                .confirmation("ui.restart.confirm"), .read(Reading(prompt: "> ")),
            ])
        #expect(t.type("no").keys == ["ui.continue", "intake.topic.prompt"])
        _ = t.type("/restart")
        let fresh = t.type("yes")
        #expect(Array(fresh.prefix(3)) == [.record(.restart), .clearHistory, .show(Message("ui.restart.done"), .note)])
        #expect(fresh.question?.fact == "language")
        #expect(t.conversation.consultation.answers.isEmpty)
    }

    @Test func quitAsksThenEnds() throws {
        var t = try atConsent()
        _ = t.type("/quit")
        #expect(t.type("no").keys == ["ui.continue", "intake.consent.prompt"])
        _ = t.type("/quit")
        #expect(t.type("yes").wait == .end(.quit))
    }

    @Test func anUnknownSlashWordIsNamedBack() throws {
        var t = try atConsent()
        let effects = t.type("/frobnicate now")
        #expect(effects.records.first == .command(.init(name: "unknown", input: "/frobnicate now")))
        #expect(effects.messages.first == Message("ui.unknown_command", ["command": .text("/frobnicate")]))
        // Without a passphrase the operator's command does not exist.
        #expect(t.type("/operator").messages.first == Message("ui.unknown_command", ["command": .text("/operator")]))
    }

    @Test func theOperatorLeavesWithThePassphraseOnly() throws {
        var t = try atConsent(options: SessionOptions(idleTimeout: 300, operatorPassphrase: "open sesame"))
        let asked = t.type("/operator")
        #expect(
            Array(asked.suffix(2)) == [
                .show(Message("ui.operator.passphrase"), .question),
                .read(Reading(prompt: "> ", secret: true, timeout: 300)),
            ])
        #expect(t.type("guess").keys == ["ui.operator.wrong", "intake.consent.prompt"])
        _ = t.type("/operator")
        #expect(
            t.send(.tooLong(prefix: "x", length: 5000, limit: 4096)).keys == [
                "ui.operator.wrong", "intake.consent.prompt",
            ])
        _ = t.type("/operator")
        #expect(t.type("open sesame").wait == .end(.operatorExit))
        var idle = try atConsent(options: SessionOptions(idleTimeout: 300, operatorPassphrase: "open sesame"))
        _ = idle.type("/operator")
        #expect(idle.send(.timedOut).wait == .end(.idle))  // no warning at the passphrase
    }

    @Test func bareWordsAreCommandsExceptAtAFreeTextQuestion() throws {
        var t = try Transcript(language: "es")
        _ = t.start()
        _ = t.type("2")
        #expect(t.type("atrás").records.first == .command(.init(name: "back", input: "atrás")))
        var named = try Transcript()
        _ = named.start()
        named.answer(toTheVKSOutcome + ["yes"])
        let effects = named.type("summary")  // at the name question: a name
        #expect(
            effects.records.first == .answer(.init(fact: "applicant_name", input: "summary", value: .text("summary"))))
    }

    @Test func tabCompletesTheChoicesAndTheCommands() throws {
        var t = try Transcript(language: "ru")
        let effects = t.start()
        guard
            case .complete(let completion?)? = effects.first(where: {
                if case .complete = $0 { return true } else { return false }
            })
        else {
            Issue.record("no completion: \(effects)")
            return
        }
        #expect(completion.candidates("/he") == ["/help"])
        #expect(completion.candidates("Esp") == ["Español"])
    }
}
