import ConsultContent
import ConsultEngine
import ConsultRecords

/// Running the commands, and the prompts they open.
extension Conversation {
    /// A command is done: back to the question (what it changed it said itself).
    mutating func commandDone() -> [Effect] {
        state = .afterCommand
        return []
    }

    mutating func run(_ command: Command, argument: String?) -> [Effect] {
        switch command {
        case .help:
            var effects: [Effect] = []
            // The current question's own explanation first (e.g. what consent covers).
            if case .ask(let prompt) = consultation.step, let help = prompt.question.help {
                effects = [.say(help, presenter.text(help, facts: consultation.walk.environmentAtCurrent)), .gap]
            }
            return effects + [.show(Message("ui.help.heading"), .heading), .commands] + commandDone()
        case .back:
            let effects: [Effect]
            switch consultation.wentBack() {
            case nil:
                effects = [.show(Message("ui.back.nothing"), .note)]
            case .answer(let fact, _), .groupPart(let fact):
                effects = [
                    .record(.back(.init(fact: fact))), .show(Message("ui.back.done", ["fact": .factName(fact)]), .note),
                ]
            case .changeCancelled:
                effects = [.show(Message("ui.change.cancelled"), .note)]
            }
            return effects + commandDone()
        case .summary:
            let facts = consultation.answeredFacts.map { FactValue($0.fact, $0.value) }
            guard !facts.isEmpty else { return [.show(Message("ui.summary.empty"), .note)] + commandDone() }
            return [.show(Message("ui.summary.heading"), .heading), .answers(facts, .indented)] + commandDone()
        case .why:
            guard !consultation.outcomes.isEmpty else { return [.show(Message("ui.why.none"), .note)] + commandDone() }
            var effects: [Effect] = []
            for outcome in consultation.outcomes {
                effects.append(.show(Message("ui.why.heading", ["outcome": .outcomeTitle(outcome.id)]), .heading))
                effects.append(.answers(consultation.why(outcome).map { FactValue($0.fact, $0.value) }, .bulleted))
            }
            return effects + commandDone()
        case .change:
            let facts = consultation.answeredFacts.map { FactValue($0.fact, $0.value) }
            guard !facts.isEmpty else { return [.show(Message("ui.change.nothing"), .note)] + commandDone() }
            return asking(.choosingAnswer(facts))
        case .language:
            guard let argument else { return asking(.choosingLanguage) }
            return chooseLanguage(argument)
        case .restart:
            return asking(.confirming(.restart))
        case .quit:
            return asking(.confirming(.quit))
        case .pause:
            return pause()
        case .unknown:
            return [.show(Message("ui.unknown_command", ["command": .text(lastCommandWord)]), .problem)] + commandDone()
        case .operator:
            return asking(.passphrase)
        }
    }

    // MARK: - Confirmations

    /// A yes/no question of the interface: end of input (Ctrl-D) counts as yes; a signal or the idle
    /// time is not an answer: the consultation ends with it, and nothing is wiped.
    mutating func heardConfirmation(_ heard: Heard, _ confirmation: Confirmation) -> [Effect] {
        switch heard {
        case .end(let reason):
            if reason == .quit { return confirmed(confirmation, true) }
            pendingEnd = reason
            return confirmed(confirmation, false)
        case .interrupted:
            return confirmed(confirmation, false)
        case .line(let line):
            guard case .success(.bool(let yes)) = AnswerParser.parse(line, as: .yesNo, vocabulary: presenter.vocabulary)
            else { return [.show(Message("answer.expected_yesno"), .problem)] }  // asked again
            return confirmed(confirmation, yes)
        }
    }

    private mutating func confirmed(_ confirmation: Confirmation, _ yes: Bool) -> [Effect] {
        let goOn: [Effect] = [.show(Message("ui.continue"), .note)]
        switch confirmation {
        case .quitAtEndOfInput:
            if yes { return ending(.quit) }
            state = .top
            return goOn
        case .quit:
            return yes ? ending(.quit) : goOn + commandDone()
        case .restart:
            guard yes else { return goOn + commandDone() }
            if let fresh = try? Consultation(dialogs: content.dialogs, today: consultation.today) {
                consultation = fresh
            }
            return [.record(.restart), .clearHistory, .show(Message("ui.restart.done"), .note)] + commandDone()
        case .quitAtReview(let review):
            if yes { return ending(.quit) }
            if let pendingEnd { return ending(pendingEnd) }
            state = .review(review)
            return []
        }
    }

    // MARK: - Changing an answer, the language, the operator

    mutating func heardAnswerChoice(_ heard: Heard, facts: [FactValue]) -> [Effect] {
        switch heard {
        case .end(let reason) where reason != .quit:
            pendingEnd = reason
            return commandDone()
        case .line(let line):
            if let n = Int(line.trimmingCharacters(in: .whitespaces)), (1...facts.count).contains(n) {
                consultation.changeRequested(facts[n - 1].fact)
                return commandDone()
            }
        default:
            break
        }
        return [.show(Message("ui.change.cancelled"), .note)] + commandDone()
    }

    mutating func heardLanguageChoice(_ heard: Heard) -> [Effect] {
        switch heard {
        case .end(let reason):
            if reason != .quit { pendingEnd = reason }
            return commandDone()
        case .interrupted:
            return commandDone()
        case .line(let line):
            return chooseLanguage(line)
        }
    }

    /// A language by its number, its code or the beginning of its name.
    private mutating func chooseLanguage(_ choice: String) -> [Effect] {
        let languages = content.localizer.languages
        let typed = choice.trimmingCharacters(in: .whitespaces).lowercased()
        let localizer = content.localizer
        func named(_ code: String) -> Bool { localizer.catalog(code)?.name.lowercased().hasPrefix(typed) ?? false }
        let picked =
            Int(typed).flatMap { languages.indices.contains($0 - 1) ? languages[$0 - 1] : nil }
            ?? languages.first { $0 == typed || named($0) && !typed.isEmpty }
        guard let picked else { return [.show(Message("ui.change.cancelled"), .note)] + commandDone() }
        language = picked
        let effects: [Effect] = [.setLanguage(picked), .record(.language(.init(language: picked, reason: .switched)))]
        // The answer that chose the language follows the switch.
        if let fact = content.dialogs.roles.language, content.dialogs.question(for: fact) != nil,
            consultation.answers[fact] != nil
        {
            _ = consultation.set(fact, .choice(picked))
        }
        return effects + [.show(Message("ui.language.changed"), .note)] + commandDone()
    }

    /// What was typed at the operator's passphrase prompt (or what ended the read).
    mutating func passphraseTyped(_ input: Input) -> [Effect] {
        switch input {
        case .line(let typed) where typed == options.operatorPassphrase: return ending(.operatorExit)
        case .timedOut: return ending(.idle)
        case .stopped(let reason): return ending(reason)
        default: return [.show(Message("ui.operator.wrong"), .problem)] + commandDone()
        }
    }
}
