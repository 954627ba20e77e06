import ConsultContent
import ConsultEngine
import ConsultLocalization

/// How a session ended.
public enum SessionEnd: String, Sendable {
    case completed, quit, disconnected
}

/// Runs one consultation over a line reader: shows each prompt in the applicant's language,
/// passes what is typed to the engine, and handles the slash commands. All text comes from the
/// locale files through `Presenter`; this type only decides what to show when.
public final class Session {
    private let content: Content
    private let reader: LineReader
    private let output: (String) -> Void
    private var consultation: Consultation
    private var language: String

    public init(content: Content, today: LocalDate, language: String, reader: LineReader,
                output: @escaping (String) -> Void) throws {
        self.content = content
        self.reader = reader
        self.output = output
        self.language = language
        consultation = try Consultation(dialogs: content.dialogs, today: today)
    }

    private var presenter: Presenter { Presenter(content: content, language: language) }

    /// The facts of the consultation so far (for tests and records).
    public var answers: [String: Value] { consultation.answers }

    public func run() -> SessionEnd {
        output(presenter.text("app.title") + "\n" + presenter.text("app.welcome") + "\n")
        var shownNotes: [Walk.Note] = []
        while true {
            let notes = consultation.notes
            if notes != shownNotes {
                show(notes)
                shownNotes = notes
            }
            guard case .ask(let prompt) = consultation.step else {
                return .completed
            }
            output("\n" + render(prompt))
            switch reader.readLine(prompt: "> ") {
            case .endOfInput:
                return .quit
            case .interrupted:
                continue
            case .line(let line):
                if line.hasPrefix("/") {
                    if let end = command(String(line.dropFirst())) { return end }
                    shownNotes = []
                    continue
                }
                switch consultation.answered(line, vocabulary: presenter.vocabulary) {
                case .failure(let problem):
                    output(presenter.problem(problem) + "\n")
                case .success(let answered):
                    if answered.fact == "language", case .choice(let l)? = answered.value, content.localizer.catalogs[l] != nil {
                        language = l
                    }
                }
            }
        }
    }

    private func render(_ prompt: Consultation.Prompt) -> String {
        var lines = [presenter.prompt(prompt, facts: consultation.walk.environmentAtCurrent)]
        for (i, label) in presenter.choiceLabels(prompt.expected).enumerated() {
            lines.append("  \(i + 1). \(label)")
        }
        if let hint = presenter.hint(prompt.expected) {
            lines.append("  (\(hint))")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private func show(_ notes: [Walk.Note]) {
        let outcomes = notes.compactMap { note -> OutcomeStep? in
            if case .outcome(let o) = note { return o }
            return nil
        }
        for note in notes {
            if case .say(let key) = note { output("\n" + presenter.text(key, facts: consultation.environment) + "\n") }
        }
        if !outcomes.isEmpty {
            output("\n" + OutcomeText.render(outcomes, environment: consultation.environment, presenter: presenter) + "\n")
        }
    }

    /// A slash command; returns how the session ends when the command ends it.
    private func command(_ name: String) -> SessionEnd? {
        switch name.lowercased() {
        case "back":
            _ = consultation.wentBack()
        case "quit", "exit":
            return .quit
        case "summary":
            for (fact, value) in consultation.answeredFacts {
                output("  \(presenter.factName(fact)): \(presenter.format(value, fact: fact))\n")
            }
        case "why":
            for outcome in consultation.outcomes {
                output("\(presenter.outcomeTitle(outcome.id)):\n")
                for (fact, value) in consultation.why(outcome) {
                    output("  \(presenter.factName(fact)): \(presenter.format(value, fact: fact))\n")
                }
            }
        case "change":
            let facts = consultation.answeredFacts
            for (i, entry) in facts.enumerated() {
                output("  \(i + 1). \(presenter.factName(entry.fact)): \(presenter.format(entry.value, fact: entry.fact))\n")
            }
            if case .line(let choice) = reader.readLine(prompt: "# "), let n = Int(choice), (1...facts.count).contains(n) {
                consultation.changeRequested(facts[n - 1].fact)
            }
        default:
            output("/back /change /summary /why /quit\n")
        }
        return nil
    }
}
