import ConsultContent
import ConsultConversation
import ConsultEngine

extension Screen {
    /// Shows what a conversation's effect puts on the screen, written by `presenter`; effects that
    /// are not the screen's show nothing.
    func show(_ effect: Effect, in presenter: Presenter) {
        let bullet = plain ? "-" : "•"
        switch effect {
        case .gap:
            gap()
        case .show(let message, let style):
            show(presenter.text(message), style: style)
        case .say(_, let text):
            show(text)
        case .question(let question):
            show(question.text, style: .question)
            let labels = presenter.choiceLabels(question.expected)
            if !labels.isEmpty { numbered(labels) }
            if let hint = presenter.hint(question.expected) {
                show("(\(Self.unbreakable(hint)))", style: .hint, indent: 2)
            }
        case .confirmation(let key):
            show("\(presenter.text(key)) (\(Self.unbreakable(presenter.text("hint.yesno"))))", style: .question)
        case .outcomes(let outcomes):
            gap()
            show(presenter.text("outcome.heading"), style: .heading)
            var confirm: [String] = []
            for outcome in outcomes {
                gap()
                show(outcome.text)
                for point in outcome.openPoints where !confirm.contains(point) { confirm.append(point) }
            }
            if !confirm.isEmpty {
                gap()
                show(presenter.text("outcome.confirm_heading"), style: .heading)
                for point in confirm { show("\(bullet) \(point)") }
            }
        case .answers(let facts, let layout):
            let lines = facts.map { "\(presenter.factName($0.fact)): \(presenter.format($0.value, fact: $0.fact))" }
            switch layout {
            case .numbered: numbered(lines)
            case .indented: for line in lines { show(line, indent: 2) }
            case .bulleted: for line in lines { show("\(bullet) \(line)", indent: 2) }
            }
        case .languages(let codes):
            numbered(codes.map { presenter.content.localizer.catalog($0)?.name ?? $0 })
        case .commands:
            let words = presenter.content.localizer.catalog(presenter.language)?.commands ?? [:]
            for command in Conversation.Command.listed {
                let name = command.rawValue
                let forms = (["/\(name)"] + (words[name] ?? []).filter { $0 != name }).joined(separator: ", ")
                show("\(forms) — \(presenter.text(MessageKey("command.\(name)")))", indent: 2)
            }
        case .problem(let problem):
            show(presenter.problem(problem), style: .problem)
        case .setLanguage, .complete, .addHistory, .clearHistory, .record, .keep, .forget, .read, .save, .resume, .end:
            break
        }
    }

    /// A short hint such as "sí / no" must not be split across lines.
    static func unbreakable(_ s: String) -> String {
        s.count <= 24 ? s.replacingOccurrences(of: " ", with: "\u{00A0}") : s
    }
}
