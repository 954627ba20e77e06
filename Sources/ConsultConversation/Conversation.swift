import ConsultContent
import ConsultEngine
import ConsultLocalization
import ConsultRecords

/// What a terminal does around the engine, as a value with no I/O: the commands, changing an
/// answer, the review of the appointment request, switching the language, confirmations, and the
/// ends (idle, signals, the input closed). Inputs come in (`received`), effects go out; the caller
/// (the terminal session) reads lines, shows, records and saves, and reports back what happened.
///
/// `next()` says what comes now: a note passed, the question, a prompt and its read, or the end.
/// `received(_:)` reacts to what was read, or to a record that failed. A batch ends right after a
/// record whose failure could change what follows, so the caller's report (`.recordsFailed`,
/// `.recordLimitReached`) arrives before anything else is decided.
public struct Conversation: Sendable {
    /// Whether the consultation's records are kept.
    public enum Records: Hashable, Sendable {
        /// None are kept (nobody asked for them).
        case none
        /// They should be, but the transcript could not be opened.
        case unavailable
        /// The transcript is open.
        case kept
    }

    public let content: Content
    public let options: SessionOptions
    public let records: Records
    public internal(set) var consultation: Consultation
    /// The session's language.
    public internal(set) var language: String
    /// The appointment request saved at the end, if any.
    public internal(set) var appointment: AppointmentRequest?
    /// The appointment request could not be saved.
    public internal(set) var appointmentFailed = false
    /// The transcript could not be written from some event on.
    public internal(set) var transcriptFailed = false

    var state: State = .starting
    /// An end that arrived at a nested prompt (a signal, the idle time, the record's limit): the
    /// conversation ends with it at the next question.
    var pendingEnd: EndReason?
    var recordsFailureShown = false
    /// The notes last shown before a question: notes are shown again only when they changed.
    var shownNotes: [Walk.Note] = []
    var lastCommandWord = ""
    /// The current prompt was shown; the next `next()` reads its answer.
    var promptShown = false
    /// The idle warning was shown during this read: the next time out ends the consultation.
    var idleWarned = false
    /// The answers can be kept for later with a code (turned off when keeping them fails).
    var resumeOffered: Bool
    /// The code the answers are kept under, and until when; nil before consent or when none works.
    public internal(set) var ticket: ResumeTicket?
    /// What was last kept for later (nil: nothing kept, or to be kept again).
    var kept: ResumeState?
    /// The code was shown (once after consent; a consultation continued shows it in its welcome).
    var codeShown = false

    public init(
        content: Content, today: LocalDate, language: String, options: SessionOptions = SessionOptions(),
        records: Records = .none
    ) throws(Walk.Failure) {
        self.content = content
        self.options = options
        self.records = records
        self.language = content.localizer.hasLanguage(language) ? language : content.localizer.fallback
        consultation = try Consultation(dialogs: content.dialogs, today: today)
        resumeOffered = options.resumable && records == .kept
    }

    /// True when something of this consultation could not be written: the transcript (from the
    /// start or from some event on) or the appointment request.
    public var recordsLost: Bool {
        records != .none && (records == .unavailable || transcriptFailed || appointmentFailed)
    }

    var presenter: Presenter { Presenter(content: content, language: language) }

    // MARK: - States

    enum State: Sendable {
        case starting
        /// The top of the loop: an end already decided, the review, the notes or the question.
        case top
        /// A command finished: what it changed is not shown again as notes.
        case afterCommand
        /// Showing the notes passed since the last answer, one block at a time.
        case notes(NotesCursor)
        /// The question is shown; its answer is read.
        case question(Consultation.Prompt)
        /// An answer was taken and recorded; what it changed is said next.
        case answered(Consultation.Prompt, Consultation.Answered)
        /// A command was typed and recorded; it runs next.
        case command(Command, argument: String?)
        case confirming(Confirmation)
        /// `/change`: which answer (a number) is read.
        case choosingAnswer([FactValue])
        /// `/language` without a language: which one is read.
        case choosingLanguage
        /// `/operator`: the passphrase is read.
        case passphrase
        /// The code of a consultation to continue is read (the first screen's last choice).
        case enteringCode
        /// Waiting for the code to be tried.
        case resuming
        /// The appointment request is shown for review: yes, no, or the number of an item to correct.
        case review(Review)
        /// An item of the request is to be corrected.
        case correcting(String)
        /// The request was confirmed: it is saved next.
        case confirmed(AppointmentFields)
        /// Waiting for the request to be saved.
        case saving
        /// The request was handled: the closing notes and the end.
        case finishing
        case ended(EndReason)
    }

    /// A yes/no question of the interface, and where it was asked.
    enum Confirmation: Sendable {
        /// Ctrl-D at a question.
        case quitAtEndOfInput
        /// The quit command.
        case quit
        case restart
        /// Ctrl-D at the review of the request.
        case quitAtReview(Review)

        var key: MessageKey {
            if case .restart = self { return "ui.restart.confirm" }
            return "ui.quit.confirm"
        }
    }

    /// The appointment request's items, for review.
    struct Review: Sendable {
        let fields: AppointmentFields
        let items: [FactValue]
    }

    struct NotesCursor: Sendable {
        let notes: [Walk.Note]
        var index = 0
        /// The consultation is finished: the closing words and the end follow the notes.
        let finishing: Bool
    }

    /// What a read gave, as the prompts hear it.
    enum Heard {
        case line(String)
        /// Ctrl-C, or a line refused for its length.
        case interrupted
        case end(EndReason)
    }

    // MARK: - Events

    /// What comes now. Call it again after performing a batch that does not end in `.read`,
    /// `.save` or `.end`.
    public mutating func next() -> [Effect] {
        switch state {
        case .starting:
            state = options.askForCode && resumeOffered ? .enteringCode : .top
            return greeting()
        case .top:
            return top()
        case .afterCommand:
            shownNotes = consultation.notes  // commands say what changed themselves
            return top()
        case .notes(let cursor):
            return showNotes(cursor)
        case .answered(let prompt, let answered):
            state = .top
            return said(answered, at: prompt)
        case .command(let command, let argument):
            return run(command, argument: argument)
        case .correcting(let fact):
            consultation.changeRequested(fact)
            return proceed()
        case .confirmed(let fields):
            state = .saving
            return [.save(draft(fields))]
        case .saving, .resuming:
            return []
        case .finishing:
            return proceed()
        case .ended(let reason):
            return [.end(reason)]
        case .question, .confirming, .choosingAnswer, .choosingLanguage, .passphrase, .review, .enteringCode:
            return ask()
        }
    }

    /// What was read at the prompt, or what became of a record or of the request.
    public mutating func received(_ input: Input) -> [Effect] {
        switch input {
        case .recordsFailed:
            transcriptFailed = true
            if case .ended = state { return [] }
            return recordsFailed()
        case .recordLimitReached:
            if pendingEnd == nil { pendingEnd = .recordLimit }
            return []
        case .appointmentSaved(let request):
            guard case .saving = state else { return [] }
            return saved(request)
        case .appointmentNotSaved(let error):
            guard case .saving = state else { return [] }
            return notSaved(error)
        case .keptForLater(let ticket):
            self.ticket = ticket
            return []
        case .notKeptForLater:
            return notKeptForLater()
        case .resumed(let kept, let ticket):
            guard case .resuming = state else { return [] }
            return resumed(kept, ticket)
        case .resumeRefused(let refusal):
            guard case .resuming = state else { return [] }
            return refused(refusal)
        default:
            break
        }
        guard isAsking else { return [] }
        let warned = idleWarned
        idleWarned = false
        promptShown = false
        if case .passphrase = state { return passphraseTyped(input) }
        switch input {
        case .line(let line):
            return heard(.line(line))
        case .interrupt:
            return heard(.interrupted)
        case .timedOut:
            guard let idle = options.idleTimeout, !warned else { return heard(.end(.idle)) }
            idleWarned = true
            promptShown = true
            let warning = Message("ui.kiosk.idle_warning", ["seconds": .number(min(options.idleWarning, idle))])
            return [
                .record(.shown(.init(keys: [warning.key.rawValue], text: presenter.text(warning)))),
                .show(warning, .problem),
            ]
        case .endOfInput(let interactive, let connected):
            return heard(.end(!interactive ? .inputEnded : connected ? .quit : .disconnected))
        case .stopped(let reason):
            return heard(.end(reason))
        case .tooLong(let prefix, let length, let limit):
            // Refused at the reader: said why, recorded shortened, and the question asked again.
            let refusal = Message("ui.line_too_long", ["max_length": .number(limit)])
            var fact: String?
            if case .ask(let prompt) = consultation.step { fact = prompt.question.fact }
            let rejected = ConsultationEvent.Rejected(
                fact: fact, input: prefix, inputLength: length,
                problem: presenter.text(refusal))
            return [.record(.rejected(rejected)), .show(refusal, .problem)] + heard(.interrupted)
        default:
            return []
        }
    }

    // MARK: - Prompts

    private var isAsking: Bool {
        switch state {
        case .question, .confirming, .choosingAnswer, .choosingLanguage, .passphrase, .review, .enteringCode:
            return true
        default: return false
        }
    }

    /// Enters a state that asks something, and asks it.
    mutating func asking(_ next: State) -> [Effect] {
        state = next
        promptShown = false
        return ask()
    }

    /// Shows the current prompt, then reads its answer (the question's own text is a batch of its
    /// own: it is recorded). An end already decided is the answer of any prompt but the passphrase's.
    private mutating func ask() -> [Effect] {
        if idleWarned { return [.read(reading)] }
        var effects: [Effect] = []
        if !promptShown {
            promptShown = true
            effects = prompt()
            if case .question = state { return effects }
        }
        if let pendingEnd, !isPassphrase { return effects + heard(.end(pendingEnd)) }
        return effects + [.read(reading)]
    }

    private var isPassphrase: Bool {
        if case .passphrase = state { return true }
        return false
    }

    private func prompt() -> [Effect] {
        switch state {
        case .question(let prompt):
            return render(prompt)
        case .confirming(let confirmation):
            return [.confirmation(confirmation.key)]
        case .choosingAnswer(let facts):
            return [.answers(facts, .numbered), .show(Message("ui.change.prompt"), .question)]
        case .choosingLanguage:
            return [.show(Message("ui.language.prompt"), .question), .languages(content.localizer.languages)]
        case .passphrase:
            return [.show(Message("ui.operator.passphrase"), .question)]
        case .enteringCode:
            return [.gap, .show(Message("ui.resume.prompt"), .question), .complete(nil)]
        case .review(let review):
            return [
                .gap, .show(Message("appointment.summary_heading"), .heading), .answers(review.items, .numbered),
                .confirmation("appointment.confirm"), .complete(nil),
            ]
        default:
            return []
        }
    }

    /// The line to read now; in a kiosk the first read of a prompt ends before the idle time to warn.
    var reading: Reading {
        var prompt = "> "
        if case .choosingAnswer = state { prompt = "# " }
        if isPassphrase { return Reading(prompt: prompt, secret: true, timeout: options.idleTimeout) }
        guard let idle = options.idleTimeout else { return Reading(prompt: prompt) }
        let warning = min(options.idleWarning, idle)
        return Reading(prompt: prompt, timeout: idleWarned ? max(1, warning) : idle - warning)
    }

    /// What was read, at the prompt it answers.
    private mutating func heard(_ heard: Heard) -> [Effect] {
        switch state {
        case .question(let prompt): return heardAtQuestion(heard, prompt: prompt)
        case .confirming(let confirmation): return heardConfirmation(heard, confirmation)
        case .choosingAnswer(let facts): return heardAnswerChoice(heard, facts: facts)
        case .choosingLanguage: return heardLanguageChoice(heard)
        case .review(let review): return heardAtReview(heard, review)
        case .enteringCode: return heardCode(heard)
        default: return []
        }
    }

    // MARK: - The beginning and the end

    private mutating func greeting() -> [Effect] {
        var effects: [Effect] = [
            .show(Message("app.title"), .heading), .show(Message("app.welcome"), .normal),
            .show(Message("ui.help.hint"), .hint),
        ]
        if records == .unavailable { effects += recordsFailed() }
        return effects
    }

    /// The consultation ends: why is recorded with the facts and outcomes reached.
    mutating func ending(_ reason: EndReason) -> [Effect] {
        state = .ended(reason)
        var effects: [Effect] = []
        if reason == .recordLimit { effects += [.gap, .show(Message("records.limit"), .problem)] }
        // Finished, or left for good: the answers kept for later go (a pause, a lost connection,
        // the idle time or a signal keep them until the code expires).
        if reason == .completed || reason == .quit, ticket != nil || kept != nil {
            ticket = nil
            kept = nil
            effects.append(.forget)
        }
        let end = ConsultationEvent.End(
            reason: reason.rawValue, facts: factsSnapshot,
            outcomes: consultation.outcomes.map(\.id))
        return effects + [.record(.end(end)), .end(reason)]
    }

    /// Nothing can be recorded: the applicant is told, with the office's contacts, and no personal
    /// data is asked (consent counts as not given; the closing words about consent and the
    /// appointment are not shown, `records.closing` is).
    private mutating func recordsFailed() -> [Effect] {
        // A request already saved stands (it holds the answers); only the transcript's tail is lost.
        // A request that could not be saved was said so (`appointment.not_saved`) just before.
        guard !recordsFailureShown, appointment == nil, !appointmentFailed else { return [] }
        recordsFailureShown = true
        if let consent = content.dialogs.roles.consent, content.dialogs.question(for: consent) != nil {
            _ = consultation.set(consent, .bool(false))
        }
        return [.gap, .show(Message(records == .unavailable ? "records.unavailable" : "records.failed"), .problem)]
    }

    /// Records were lost and no request was saved: the closing words about consent, the request and
    /// what the lawyer will read are not true; `records.closing` (or `appointment.not_saved`) is said instead.
    var closingWordsUntrue: Bool { recordsLost && appointment == nil }

    /// Answers and computed facts, for the records.
    var factsSnapshot: [String: Value] {
        var facts: [String: Value] = [:]
        for (fact, value) in consultation.answeredFacts { facts[fact] = value }
        for (name, binding) in consultation.environment.bindings where name != "today" {
            if case .value(let v) = binding, content.dialogs.factTypes[name] != nil { facts[name] = v }
        }
        return facts
    }
}
