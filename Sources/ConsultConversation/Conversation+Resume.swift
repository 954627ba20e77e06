import ConsultContent
import ConsultEngine
import ConsultRecords
import Foundation

/// "Come back later": the answers kept under a code once consent is given (the caller seals them
/// in the data directory after every change), `/pause`, and continuing with a code from the first
/// screen. The code is a secret: what shows it is recorded with the code masked, and what the
/// applicant types for it is neither recorded nor kept in the line editor's history.
extension Conversation {
    /// The first screen's extra choice, after the languages.
    static let resumeChoice = Choice(value: ":resume", label: "ui.resume.choice")

    /// The code as a transcript records a message that shows it.
    static let maskedCode = "****-****-****"

    /// Whether `prompt` is the first screen offering to continue with a code: the language
    /// question of a consultation with no answers and no code yet.
    func offersResume(at prompt: Consultation.Prompt) -> Bool {
        guard resumeOffered, ticket == nil, consultation.answers.isEmpty,
            prompt.question.fact == content.dialogs.roles.language, case .choice = prompt.expected
        else { return false }
        return true
    }

    /// What `prompt` accepts as shown: on the first screen, the languages and "continue with a code".
    func shownExpected(_ prompt: Consultation.Prompt) -> Expected {
        guard offersResume(at: prompt), case .choice(let choices) = prompt.expected else { return prompt.expected }
        return .choice(choices + [Self.resumeChoice])
    }

    /// The answers to keep now: those of the consultation, an answer being changed as it was,
    /// and the parts of a group question answered so far.
    var resumeSnapshot: ResumeState {
        var answers = consultation.answers
        if let changing = consultation.changing { answers[changing.fact] = changing.old }
        return ResumeState(language: language, answers: answers, group: consultation.draft.map(KeptGroup.init))
    }

    /// `.keep` when the answers changed since they were last kept, once consent is given; `.forget`
    /// when the consent is gone (answered no, withdrawn, or the consultation started again).
    mutating func keepForLater() -> [Effect] {
        guard resumeOffered else { return [] }
        let snapshot = resumeSnapshot
        let consent = content.dialogs.roles.consent.flatMap { snapshot.answers[$0] }
        guard consent == .bool(true) else {
            guard ticket != nil || kept != nil else { return [] }
            ticket = nil
            kept = nil
            codeShown = false
            return [.forget]
        }
        guard snapshot != kept else { return [] }
        kept = snapshot
        return [.keep(snapshot)]
    }

    /// The code, once, as soon as it works.
    mutating func codeNote() -> [Effect] {
        guard let ticket, !codeShown else { return [] }
        codeShown = true
        return codeMessage("ui.resume.code", ticket, style: .note)
    }

    /// A message that shows the code and when it expires; the transcript records it masked.
    func codeMessage(_ key: MessageKey, _ ticket: ResumeTicket, style: TextStyle) -> [Effect] {
        let (date, time) = moment(ticket.expires)
        var arguments: [String: Term] = ["code": .text(ticket.code), "date": .date(date), "time": .text(time)]
        let message = Message(key, arguments)
        arguments["code"] = .text(Self.maskedCode)
        let recorded = presenter.text(Message(key, arguments))
        return [.gap, .record(.shown(.init(keys: [key.rawValue], text: recorded))), .show(message, style)]
    }

    /// A time as the applicant reads it: the day and the hour in the office's time zone.
    func moment(_ date: Date) -> (LocalDate, String) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: content.dialogs.timeZone) ?? .gmt
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        let day = LocalDate(year: c.year ?? 2000, month: c.month ?? 1, day: c.day ?? 1) ?? consultation.today
        return (day, String(format: "%02d:%02d", c.hour ?? 0, c.minute ?? 0))
    }

    /// `/pause`: the code and its expiry, and the consultation ends (the answers stay kept).
    mutating func pause() -> [Effect] {
        guard let ticket else {
            // Before consent nothing may be kept; where nothing can be kept, /pause says so.
            let why: MessageKey = resumeOffered ? "ui.pause.unavailable" : "ui.pause.off"
            return [.show(Message(why), .note)] + commandDone()
        }
        return codeMessage("ui.pause.done", ticket, style: .heading) + ending(.paused)
    }

    /// The code could not be kept (a full disk, say): it works no more, and the applicant who was
    /// shown it is told.
    mutating func notKeptForLater() -> [Effect] {
        resumeOffered = false
        let told = codeShown && ticket != nil
        ticket = nil
        kept = nil
        return told ? [.show(Message("ui.resume.not_kept"), .problem)] : []
    }

    // MARK: - Continuing with a code

    /// What was typed for the code: tried by the caller; an empty line goes back to the first screen.
    mutating func heardCode(_ heard: Heard) -> [Effect] {
        switch heard {
        case .end(let reason):
            guard reason == .quit else { return ending(reason) }
            state = .confirming(.quitAtEndOfInput)
            return []
        case .interrupted:
            return []  // asked again
        case .line(let line):
            guard !line.trimmingCharacters(in: .whitespaces).isEmpty else {
                state = .top
                return []
            }
            state = .resuming
            return [.resume(line)]
        }
    }

    /// The consultation kept under the code goes on: its answers, its language, where it was.
    mutating func resumed(_ kept: ResumeState, _ ticket: ResumeTicket) -> [Effect] {
        var group = kept.group?.draft
        if group?.entries.isEmpty == true { group = nil }
        guard
            let continued = try? Consultation(
                dialogs: content.dialogs, today: consultation.today, continuing: kept.answers, group: group)
        else { return refused(.damaged) }
        consultation = continued
        self.ticket = ticket
        codeShown = true
        // Kept again at the next question, now naming this transcript.
        self.kept = nil
        shownNotes = []
        var effects: [Effect] = []
        if content.localizer.catalogs[kept.language] != nil, kept.language != language {
            language = kept.language
            effects.append(.setLanguage(kept.language))
        }
        effects.append(
            .record(.resumed(.init(from: kept.transcript, language: language, answers: consultation.answers))))
        effects += codeMessage("ui.resume.welcome_back", ticket, style: .note)
        let facts = consultation.answeredFacts.map { FactValue($0.fact, $0.value) }
        if !facts.isEmpty { effects += [.show(Message("ui.summary.heading"), .heading), .answers(facts, .indented)] }
        state = .top
        return effects
    }

    /// Why the code opened nothing; a typo or a wrong code is asked again, the rest go back to the
    /// first screen (where an address that tried too often, or a store that cannot be used, is no
    /// longer offered to continue).
    mutating func refused(_ refusal: ResumeRefusal) -> [Effect] {
        let key: MessageKey
        switch refusal {
        case .notACode: key = "ui.resume.not_a_code"
        case .wrong: key = "ui.resume.wrong"
        case .expired: key = "ui.resume.expired"
        case .blocked: key = "ui.resume.blocked"
        case .tooManyFromHere: key = "ui.resume.too_many"
        case .damaged: key = "ui.resume.damaged"
        case .unavailable: key = "ui.resume.unavailable"
        }
        let message = Message(key)
        let effects: [Effect] = [
            .record(.shown(.init(keys: [key.rawValue], text: presenter.text(message)))), .show(message, .problem),
        ]
        switch refusal {
        case .notACode, .wrong:
            return effects + asking(.enteringCode)
        case .tooManyFromHere, .unavailable:
            resumeOffered = false
            fallthrough
        case .expired, .blocked, .damaged:
            state = .top
            return effects
        }
    }
}
