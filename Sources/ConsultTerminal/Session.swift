import ConsultContent
import ConsultEngine
import ConsultLocalization
import ConsultRecords

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// How a session ended.
public enum SessionEnd: String, Sendable {
    /// Every question answered.
    case completed
    /// The applicant chose to leave (Ctrl-D or the quit command, confirmed).
    case quit
    /// No input for the idle timeout (kiosk).
    case idle
    /// The terminal hung up (a closed connection, SIGHUP, SIGPIPE).
    case disconnected
    /// The end of input that is not a terminal (a pipe, `ssh -T`, a file) was reached.
    case inputEnded = "input_ended"
    /// The operator left kiosk mode with the passphrase.
    case operatorExit
    /// The program was asked to stop (SIGTERM).
    case interrupted
    /// The transcript reached its size limit: the consultation ends, the applicant is told.
    case recordLimit = "record_limit"
}

/// Where a session keeps its records.
public struct RecordsContext {
    public let directory: DataDirectory
    /// The transcript of this session; nil when the records cannot be written.
    public let recorder: ConsultationRecorder?
    /// local, kiosk or ssh.
    public let channel: String

    public init(directory: DataDirectory, recorder: ConsultationRecorder?, channel: String) {
        self.directory = directory
        self.recorder = recorder
        self.channel = channel
    }
}

/// What a session may do besides asking questions.
public struct SessionOptions: Sendable {
    /// Seconds without input before the session closes (kiosk); a warning comes `warning` seconds before.
    public var idleTimeout: Int?
    public var idleWarning: Int = 60
    /// The passphrase of the hidden `/operator` command that leaves kiosk mode; nil: no such command.
    public var operatorPassphrase: String?

    public init(idleTimeout: Int? = nil, operatorPassphrase: String? = nil) {
        self.idleTimeout = idleTimeout
        self.operatorPassphrase = operatorPassphrase
    }

    /// An idle timeout given in minutes (at least 2 seconds); the warning comes a minute before,
    /// or half-way through a shorter timeout.
    public init(idleMinutes: Double, operatorPassphrase: String? = nil) {
        let idle = max(2, Int(idleMinutes * 60))
        self.init(idleTimeout: idle, operatorPassphrase: operatorPassphrase)
        idleWarning = min(60, idle / 2)
    }
}

/// One consultation at a terminal: shows each prompt in the applicant's language, passes what is
/// typed to the engine, and runs the commands (help, back, change, summary, why, language,
/// restart, quit) in every language. All text comes from the locale files through `Presenter`;
/// this type only decides what to show when.
public final class Session {
    /// The fact whose answer is the session's language (intake's first question).
    public static let languageFact = "language"
    /// The fact of consent to the processing of personal data: set to no when nothing can be recorded.
    public static let consentFact = "consent"

    private let content: Content
    private let reader: LineReader
    private let screen: Screen
    private let options: SessionOptions
    private let today: LocalDate
    private let records: RecordsContext?
    private var recordsFailureShown = false
    /// The appointment request could not be saved.
    private var appointmentFailed = false
    public private(set) var consultation: Consultation
    /// The appointment request saved at the end, if any.
    public private(set) var appointment: AppointmentRequest?
    public private(set) var language: String {
        didSet { prepareCrashApology() }
    }
    private var lastCommandWord = ""
    /// An end that arrived at a nested prompt (a signal, the idle time): the loop ends with it.
    private var pendingEnd: SessionEnd?

    public init(
        content: Content, today: LocalDate, language: String, reader: LineReader, screen: Screen,
        options: SessionOptions = SessionOptions(), records: RecordsContext? = nil
    ) throws {
        self.records = records
        self.content = content
        self.reader = reader
        self.screen = screen
        self.options = options
        self.today = today
        self.language = content.localizer.catalogs[language] != nil ? language : content.localizer.fallback
        consultation = try Consultation(dialogs: content.dialogs, today: today)
    }

    private var presenter: Presenter { Presenter(content: content, language: language) }

    private func text(_ key: MessageKey, _ arguments: [String: Argument] = [:]) -> String {
        presenter.text(key, arguments)
    }

    // MARK: - The loop

    private var recorder: ConsultationRecorder? { records?.recorder }

    /// True when something of this consultation could not be written: the transcript (from the
    /// start or from some event on) or the appointment request.
    public var recordsLost: Bool {
        guard let records else { return false }
        return records.recorder == nil || records.recorder?.failure != nil || appointmentFailed
    }

    private func record(_ event: ConsultationEvent) {
        guard let recorder else { return }
        recorder.record(event)
        if recorder.failure != nil { recordsFailed() }
        if recorder.limitReached && pendingEnd == nil { pendingEnd = .recordLimit }
    }

    /// Nothing can be recorded: the applicant is told, with the office's contacts, and no personal
    /// data is asked (consent counts as not given; the closing words about consent and the
    /// appointment are not shown, `records.closing` is).
    private func recordsFailed() {
        // A request already saved stands (it holds the answers); only the transcript's tail is lost.
        // A request that could not be saved was said so (`appointment.not_saved`) just before.
        guard !recordsFailureShown, appointment == nil, !appointmentFailed else { return }
        recordsFailureShown = true
        screen.gap()
        screen.show(text(recorder == nil ? "records.unavailable" : "records.failed"), style: .problem)
        if content.dialogs.question(for: Session.consentFact) != nil {
            _ = consultation.set(Session.consentFact, .bool(false))
        }
    }

    public func run() -> SessionEnd {
        prepareCrashApology()
        let end = loop()
        if end == .recordLimit {
            screen.gap()
            screen.show(text("records.limit"), style: .problem)
        }
        recorder?.end(end.rawValue, facts: factsSnapshot, outcomes: consultation.outcomes)
        return end
    }

    /// The words shown after a crash, rendered ahead in the session's language and wrapped to the
    /// terminal's width (again at every question: the window may have changed).
    private func prepareCrashApology() {
        CrashGuard.apology(
            TextLayout.wrap(text("crash.apology"), width: max(20, screen.width - 1), indent: 0)
                .joined(separator: "\n"))
    }

    /// Answers and computed facts, for the records.
    private var factsSnapshot: [String: Value] {
        var facts: [String: Value] = [:]
        for (fact, value) in consultation.answeredFacts { facts[fact] = value }
        for (name, binding) in consultation.environment.bindings where name != "today" {
            if case .value(let v) = binding, content.dialogs.factTypes[name] != nil { facts[name] = v }
        }
        return facts
    }

    private func loop() -> SessionEnd {
        greet()
        if records != nil && recorder == nil { recordsFailed() }
        var shownNotes: [Walk.Note] = []
        var showQuestion = true
        while true {
            if let pendingEnd { return pendingEnd }
            if case .ask = consultation.step {
            } else {
                // The end: the appointment request is reviewed (and saved) before the closing
                // words, which thank the applicant and say what happens next.
                if let end = finishAppointment(), end != .completed { return end }
                if case .ask = consultation.step {
                } else {
                    let notes = consultation.notes
                    if notes != shownNotes { show(notes) }
                    if closingWordsUntrue && !appointmentFailed {
                        screen.gap()
                        screen.show(text("records.closing"))
                    }
                    return .completed
                }
                // An answer of the request was corrected: it is asked below.
            }
            let notes = consultation.notes
            if notes != shownNotes {
                show(notes)
                shownNotes = notes
                showQuestion = true
            }
            guard case .ask(let prompt) = consultation.step else { continue }
            if showQuestion { render(prompt) }
            showQuestion = false
            reader.completion = completion(for: prompt)
            switch read(prompt: "> ") {
            case .end(let end):
                // Only Ctrl-D (quit) asks whether to leave; every other end is final.
                if end != .quit { return end }
                if confirm("ui.quit.confirm") { return .quit }
                screen.show(text("ui.continue"), style: .note)
                showQuestion = true
            case .interrupted:
                showQuestion = true
            case .line(let raw):
                if let command = command(in: raw.trimmingCharacters(in: .whitespaces), prompt: prompt) {
                    record(.command(.init(name: command.rawValue, input: raw)))
                }
                let line = raw.trimmingCharacters(in: .whitespaces)
                if !line.isEmpty { reader.addHistory(line) }
                if let command = command(in: line, prompt: prompt) {
                    if let end = run(command, argument: argument(of: line)) { return end }
                    shownNotes = consultation.notes  // commands say what changed themselves
                    showQuestion = true
                    continue
                }
                answer(line, prompt: prompt)
                showQuestion = true
            }
        }
    }

    private enum Read {
        case line(String)
        case interrupted
        case end(SessionEnd)
    }

    /// Reads a line; in a kiosk, warns before the idle timeout and ends the session at it.
    private func read(prompt: String) -> Read {
        // An end that is already decided (the record's size limit) comes before any question.
        if let pendingEnd { return .end(pendingEnd) }
        // A signal that came between two reads ends the session before anything else is asked.
        if let signal = Termination.signal {
            return .end(signal == SIGHUP ? .disconnected : .interrupted)
        }
        let styledPrompt = screen.styled(prompt, .question)
        guard let idle = options.idleTimeout else {
            return translate(reader.readLine(prompt: styledPrompt))
        }
        let warning = min(options.idleWarning, idle)
        switch reader.readLine(prompt: styledPrompt, timeout: idle - warning) {
        case .timedOut:
            let shown = text("ui.kiosk.idle_warning", ["seconds": .number(warning)])
            record(.shown(.init(keys: ["ui.kiosk.idle_warning"], text: shown)))
            screen.show(shown, style: .problem)
            let second = reader.readLine(prompt: styledPrompt, timeout: max(1, warning))
            if case .timedOut = second { return .end(.idle) }
            return translate(second)
        case let other:
            return translate(other)
        }
    }

    private func translate(_ result: LineReadResult) -> Read {
        if let signal = Termination.signal {
            return .end(signal == SIGHUP ? .disconnected : .interrupted)
        }
        switch result {
        case .line(let s): return .line(s)
        case .interrupted: return .interrupted
        case .timedOut: return .end(.idle)
        case .endOfInput:
            if !reader.isInteractive { return .end(.inputEnded) }
            return reader.isConnected ? .end(.quit) : .end(.disconnected)
        case .tooLong(let prefix, let length):
            // Refused at the reader: said why, recorded shortened, and the question asked again.
            let shown = text("ui.line_too_long", ["max_length": .number(LineLimit.characters)])
            var fact: String?
            if case .ask(let prompt) = consultation.step { fact = prompt.question.fact }
            record(.rejected(.init(fact: fact, input: prefix, inputLength: length, problem: shown)))
            screen.show(shown, style: .problem)
            return .interrupted
        }
    }

    private func greet() {
        screen.show(text("app.title"), style: .heading)
        screen.show(text("app.welcome"))
        screen.show(text("ui.help.hint"), style: .hint)
    }

    // MARK: - Showing

    private func render(_ prompt: Consultation.Prompt) {
        prepareCrashApology()
        screen.gap()
        let question = presenter.prompt(prompt, facts: consultation.walk.environmentAtCurrent)
        var event = ConsultationEvent.Question(
            fact: prompt.question.fact, key: prompt.message.rawValue, text: question, part: .question)
        switch prompt.part {
        case .question: break
        case .groupStart: event.part = .groupStart
        case .groupMore(let count):
            event.part = .groupMore
            event.items = count
        case .groupField(let item, let field):
            event.part = .groupField
            event.item = item
            event.field = field
        }
        record(.question(event))
        screen.show(question, style: .question)
        let labels = presenter.choiceLabels(prompt.expected)
        if !labels.isEmpty { screen.numbered(labels) }
        if let hint = presenter.hint(prompt.expected) {
            screen.show("(\(unbreakable(hint)))", style: .hint, indent: 2)
        }
    }

    /// Shows messages and outcomes in the order the walk passed them; consecutive outcomes form one
    /// explanation block with its heading and the lawyer's open points.
    private func show(_ notes: [Walk.Note]) {
        var outcomes: [OutcomeStep] = []
        for note in notes {
            switch note {
            case .say(let key):
                // Without records, the closing words about consent and the request are not true.
                if closingWordsUntrue && appointmentSays.contains(key) { continue }
                showOutcomes(outcomes)
                outcomes = []
                screen.gap()
                let shown = presenter.text(key, facts: consultation.environment)
                record(.shown(.init(keys: [key.rawValue], text: shown)))
                screen.show(shown)
            case .outcome(let o):
                outcomes.append(o)
            }
        }
        showOutcomes(outcomes)
    }

    /// Records were lost and no request was saved: the closing words about consent, the request and
    /// what the lawyer will read are not true; `records.closing` (or `appointment.not_saved`) is said instead.
    private var closingWordsUntrue: Bool { recordsLost && appointment == nil }

    /// The messages of the dialog that collects the appointment request (its closing words).
    private var appointmentSays: Set<MessageKey> {
        Set(
            content.dialogs.dialogs.filter { $0.appointment != nil }.flatMap(\.nodes).compactMap {
                node -> MessageKey? in
                if case .say(let key) = node.kind { return key }
                return nil
            })
    }

    private func showOutcomes(_ outcomes: [OutcomeStep]) {
        guard !outcomes.isEmpty else { return }
        record(
            .outcome(
                .init(
                    ids: outcomes.map(\.id), openPoints: outcomes.flatMap { $0.confirm.map(\.rawValue) },
                    text: OutcomeText.render(outcomes, environment: consultation.environment, presenter: presenter))))
        screen.gap()
        screen.show(text("outcome.heading"), style: .heading)
        var confirm: [String] = []
        for outcome in outcomes {
            let (explanation, points) = presenter.explanation(outcome, facts: consultation.environment)
            screen.gap()
            screen.show(explanation)
            for p in points where !confirm.contains(p) { confirm.append(p) }
        }
        if !confirm.isEmpty {
            screen.gap()
            screen.show(text("outcome.confirm_heading"), style: .heading)
            for point in confirm { screen.show("\(screen.plain ? "-" : "•") \(point)") }
        }
    }

    /// A short hint such as "sí / no" must not be split across lines.
    private func unbreakable(_ s: String) -> String {
        s.count <= 24 ? s.replacingOccurrences(of: " ", with: "\u{00A0}") : s
    }

    // MARK: - Answers

    private func answer(_ line: String, prompt: Consultation.Prompt) {
        switch consultation.answered(line, vocabulary: presenter.vocabulary) {
        case .failure(let problem):
            let shown = presenter.problem(problem)
            record(.rejected(.init(fact: prompt.question.fact, input: line, problem: shown)))
            screen.show(shown, style: .problem)
        case .success(let answered):
            var event = ConsultationEvent.Answer(fact: answered.fact, input: line, value: answered.parsed)
            if case .groupField(_, let field) = prompt.part { event.field = field }
            record(.answer(event))
            if let previous = answered.previous, let value = answered.value {
                record(.change(.init(fact: answered.fact, old: previous, new: value, dropped: answered.dropped)))
            }
            if answered.fact == Session.languageFact, case .choice(let l)? = answered.value,
                content.localizer.catalogs[l] != nil
            {
                language = l
                record(.language(.init(language: l, reason: .chosen)))
            }
            if case .groupField = prompt.part, case .ask(let next) = consultation.step,
                case .groupMore(let count) = next.part,
                let item = next.items.last, case .group(let group) = prompt.question.kind
            {
                let written = presenter.item(group.complete(item, today: today), record: group.recordType, group: group)
                screen.show(text("ui.item_added", ["item": .text(written), "count": .number(count)]), style: .note)
            }
            if let previous = answered.previous, let value = answered.value {
                screen.show(
                    text(
                        "ui.change.done",
                        [
                            "fact": .text(presenter.factName(answered.fact)),
                            "old": .text(presenter.format(previous, fact: answered.fact)),
                            "new": .text(presenter.format(value, fact: answered.fact)),
                        ]), style: .note)
            }
            if !answered.dropped.isEmpty {
                let names = consultationOrder(answered.dropped.keys).map { presenter.factName($0) }
                screen.show(text("ui.change.dropped", ["facts": .list(names)]), style: .note)
            }
        }
    }

    /// Facts in the order their questions stand in the dialogs.
    private func consultationOrder<S: Sequence>(_ facts: S) -> [String] where S.Element == String {
        let end = DialogSet.Position(dialog: .max, step: .max)
        let dialogs = content.dialogs
        return facts.sorted { (dialogs.position(of: $0) ?? end, $0) < (dialogs.position(of: $1) ?? end, $1) }
    }

    /// Asks a yes/no question of the interface; end of input counts as yes.
    private func confirm(_ key: MessageKey) -> Bool {
        while true {
            screen.show("\(text(key)) (\(unbreakable(text("hint.yesno"))))", style: .question)
            switch read(prompt: "> ") {
            case .end(let end):
                // Ctrl-D at "do you want to leave?" is a yes; a signal or the idle time is not an
                // answer: the session ends with it, and nothing is wiped.
                if end == .quit { return true }
                pendingEnd = end
                return false
            case .interrupted: return false
            case .line(let line):
                switch AnswerParser.parse(line, as: .yesNo, vocabulary: presenter.vocabulary) {
                case .success(.bool(let yes)): return yes
                default: screen.show(text("answer.expected_yesno"), style: .problem)
                }
            }
        }
    }

    // MARK: - Commands

    public enum Command: String, CaseIterable, Sendable {
        case help, back, change, summary, why, language, restart, quit
        /// Hidden: leaves kiosk mode when an operator passphrase is configured.
        case `operator`
        /// A slash word that is no command.
        case unknown

        static var listed: [Command] { [.help, .back, .change, .summary, .why, .language, .restart, .quit] }
    }

    /// The command a line names: `/name` (English or the session language's word), or a bare word of
    /// the session's language. Free-text questions take bare words as answers.
    private func command(in line: String, prompt: Consultation.Prompt) -> Command? {
        let lowered = AnswerParser.fold(line)
        let catalog = content.localizer.catalog(language)
        if lowered.hasPrefix("/") {
            let word = String(lowered.dropFirst().prefix { !$0.isWhitespace })
            lastCommandWord = "/" + word
            if let c = Command(rawValue: word), c != .operator || options.operatorPassphrase != nil { return c }
            for (name, words) in catalog?.commands ?? [:] where words.contains(where: { AnswerParser.fold($0) == word })
            {
                return Command(rawValue: name)
            }
            return .unknown
        }
        if case .text = prompt.expected { return nil }
        for (name, words) in catalog?.commands ?? [:] where words.contains(where: { AnswerParser.fold($0) == lowered })
        {
            return Command(rawValue: name)
        }
        return nil
    }

    private func argument(of line: String) -> String? {
        guard line.hasPrefix("/") else { return nil }
        let parts = line.split(separator: " ", maxSplits: 1)
        return parts.count == 2 ? String(parts[1]).trimmingCharacters(in: .whitespaces) : nil
    }

    private func run(_ command: Command, argument: String?) -> SessionEnd? {
        switch command {
        case .help:
            // The current question's own explanation first (e.g. what consent covers).
            if case .ask(let prompt) = consultation.step, let help = prompt.question.help {
                screen.show(presenter.text(help, facts: consultation.walk.environmentAtCurrent))
                screen.gap()
            }
            screen.show(text("ui.help.heading"), style: .heading)
            let words = content.localizer.catalog(language)?.commands ?? [:]
            for c in Command.listed {
                let forms = (["/\(c.rawValue)"] + (words[c.rawValue] ?? []).filter { $0 != c.rawValue }).joined(
                    separator: ", ")
                screen.show("\(forms) — \(text(MessageKey("command.\(c.rawValue)")))", indent: 2)
            }
        case .back:
            switch consultation.wentBack() {
            case nil: screen.show(text("ui.back.nothing"), style: .note)
            case .answer(let fact, _), .groupPart(let fact):
                record(.back(.init(fact: fact)))
                screen.show(text("ui.back.done", ["fact": .text(presenter.factName(fact))]), style: .note)
            case .changeCancelled:
                screen.show(text("ui.change.cancelled"), style: .note)
            }
        case .summary:
            let facts = consultation.answeredFacts
            guard !facts.isEmpty else {
                screen.show(text("ui.summary.empty"), style: .note)
                break
            }
            screen.show(text("ui.summary.heading"), style: .heading)
            for (fact, value) in facts {
                screen.show("\(presenter.factName(fact)): \(presenter.format(value, fact: fact))", indent: 2)
            }
        case .why:
            guard !consultation.outcomes.isEmpty else {
                screen.show(text("ui.why.none"), style: .note)
                break
            }
            for outcome in consultation.outcomes {
                screen.show(
                    text("ui.why.heading", ["outcome": .text(presenter.outcomeTitle(outcome.id))]), style: .heading)
                for (fact, value) in consultation.why(outcome) {
                    screen.show(
                        "\(screen.plain ? "-" : "•") \(presenter.factName(fact)): \(presenter.format(value, fact: fact))",
                        indent: 2)
                }
            }
        case .change:
            changeAnswer()
        case .language:
            chooseLanguage(argument)
        case .restart:
            if confirm("ui.restart.confirm") {
                if let fresh = try? Consultation(dialogs: content.dialogs, today: today) { consultation = fresh }
                record(.restart)
                reader.clearHistory()
                screen.show(text("ui.restart.done"), style: .note)
            } else {
                screen.show(text("ui.continue"), style: .note)
            }
        case .quit:
            if confirm("ui.quit.confirm") { return .quit }
            screen.show(text("ui.continue"), style: .note)
        case .unknown:
            screen.show(text("ui.unknown_command", ["command": .text(lastCommandWord)]), style: .problem)
        case .operator:
            screen.show(text("ui.operator.passphrase"), style: .question)
            switch reader.readSecret(prompt: "> ", timeout: options.idleTimeout) {
            case .line(let typed) where typed == options.operatorPassphrase: return .operatorExit
            case .timedOut: return .idle
            default:
                if let signal = Termination.signal { return signal == SIGHUP ? .disconnected : .interrupted }
            }
            screen.show(text("ui.operator.wrong"), style: .problem)
        }
        return nil
    }

    private func changeAnswer() {
        let facts = consultation.answeredFacts
        guard !facts.isEmpty else {
            screen.show(text("ui.change.nothing"), style: .note)
            return
        }
        screen.numbered(facts.map { "\(presenter.factName($0.fact)): \(presenter.format($0.value, fact: $0.fact))" })
        screen.show(text("ui.change.prompt"), style: .question)
        let read = read(prompt: "# ")
        if case .end(let end) = read, end != .quit {
            pendingEnd = end
            return
        }
        guard case .line(let line) = read,
            let n = Int(line.trimmingCharacters(in: .whitespaces)), (1...facts.count).contains(n)
        else {
            screen.show(text("ui.change.cancelled"), style: .note)
            return
        }
        consultation.changeRequested(facts[n - 1].fact)
    }

    private func chooseLanguage(_ argument: String?) {
        let languages = content.localizer.languages
        let names = languages.map { content.localizer.catalog($0)?.name ?? $0 }
        var choice = argument
        if choice == nil {
            screen.show(text("ui.language.prompt"), style: .question)
            screen.numbered(names)
            let read = read(prompt: "> ")
            if case .end(let end) = read, end != .quit { pendingEnd = end }
            guard case .line(let line) = read else { return }
            choice = line
        }
        let typed = (choice ?? "").trimmingCharacters(in: .whitespaces).lowercased()
        let picked =
            Int(typed).flatMap { languages.indices.contains($0 - 1) ? languages[$0 - 1] : nil }
            ?? languages.first {
                $0 == typed
                    || (content.localizer.catalog($0)?.name.lowercased().hasPrefix(typed) ?? false) && !typed.isEmpty
            }
        guard let picked else {
            screen.show(text("ui.change.cancelled"), style: .note)
            return
        }
        language = picked
        record(.language(.init(language: picked, reason: .switched)))
        if content.dialogs.question(for: Session.languageFact) != nil, consultation.answers[Session.languageFact] != nil
        {
            _ = consultation.set(Session.languageFact, .choice(picked))
        }
        screen.show(text("ui.language.changed"), style: .note)
    }

    // MARK: - The appointment request

    /// At the end: when a dialog collected an appointment request, shows it for review (any item
    /// can be corrected), saves it under a reference and tells the applicant. Returns nil when the
    /// applicant chose an item to correct (its question is current again).
    private func finishAppointment() -> SessionEnd? {
        guard let records, let recorder, recorder.failure == nil,
            let fields = content.dialogs.dialogs.first(where: { $0.appointment != nil })?.appointment,
            fields.applicant.contains(where: { consultation.answers[$0] != nil })
        else { return .completed }
        let items = consultation.answeredFacts.filter { fields.all.contains($0.fact) }
        while true {
            screen.gap()
            screen.show(text("appointment.summary_heading"), style: .heading)
            screen.numbered(
                items.map { "\(presenter.factName($0.fact)): \(presenter.format($0.value, fact: $0.fact))" })
            screen.show("\(text("appointment.confirm")) (\(unbreakable(text("hint.yesno"))))", style: .question)
            reader.completion = nil
            switch read(prompt: "> ") {
            case .end(let end):
                if end == .quit, !confirm("ui.quit.confirm") {
                    if let pendingEnd { return pendingEnd }
                    continue
                }
                return end
            case .interrupted:
                continue
            case .line(let line):
                let typed = line.trimmingCharacters(in: .whitespaces)
                if let n = Int(typed), items.indices.contains(n - 1) {
                    record(.command(.init(name: "correct", input: line)))
                    consultation.changeRequested(items[n - 1].fact)
                    return nil
                }
                switch AnswerParser.parse(typed, as: .yesNo, vocabulary: presenter.vocabulary) {
                case .success(.bool(true)):
                    return save(fields, records: records, recorder: recorder)
                case .success(.bool(false)):
                    screen.show(text("ui.change.prompt"), style: .note)
                default:
                    screen.show(text("answer.expected_yesno"), style: .problem)
                }
            }
        }
    }

    private func save(
        _ fields: AppointmentFields, records: RecordsContext, recorder: ConsultationRecorder
    ) -> SessionEnd {
        func pick(_ names: [String]) -> [String: Value] {
            var result: [String: Value] = [:]
            for name in names { if let v = consultation.answers[name] { result[name] = v } }
            return result
        }
        var question: String? = nil
        if let q = fields.question, case .text(let s)? = consultation.answers[q], !s.isEmpty { question = s }
        let request = AppointmentRequest(
            language: language, channel: records.channel, transcript: recorder.id, applicant: pick(fields.applicant),
            facts: factsSnapshot, outcomes: consultation.outcomes.map(\.id),
            openPoints: consultation.outcomes.flatMap { $0.confirm.map(\.rawValue) },
            preferences: pick(fields.preferences), question: question,
            urgent: fields.urgent.map { factsSnapshot[$0] == .bool(true) } ?? false,
            transcriptHead: recorder.writer.head)
        do {
            let saved = try request.save(in: records.directory)
            appointment = saved
            record(.appointment(.init(reference: saved.reference, requestHash: saved.hash)))
            screen.gap()
            screen.show(text("appointment.saved", ["reference": .text(saved.reference)]), style: .heading)
        } catch {
            appointmentFailed = true
            record(.appointmentFailed(.init(error: error.description)))
            screen.show(text("appointment.not_saved"), style: .problem)
        }
        return .completed
    }

    // MARK: - Completion

    /// Tab completes the current question's choices (and yes/no words) in the session's language,
    /// and the commands.
    private func completion(for prompt: Consultation.Prompt) -> @Sendable (String) -> [String] {
        var candidates: [String] = presenter.choiceLabels(prompt.expected)
        if case .yesNo = prompt.expected {
            candidates += presenter.vocabulary.yesWords.prefix(1) + presenter.vocabulary.noWords.prefix(1)
        }
        let words = content.localizer.catalog(language)?.commands ?? [:]
        let commands =
            Command.listed.map { "/\($0.rawValue)" }
            + words.values.flatMap { $0 }.filter { !$0.hasPrefix("?") }.map { "/\($0)" }
        let bareWords: [String]
        if case .text = prompt.expected {
            bareWords = []
        } else {
            bareWords = words.values.flatMap { $0 }.filter { !$0.contains(" ") }
        }
        let answers = candidates
        let bare = bareWords.sorted()
        return { line in
            let folded = line.lowercased()
            if folded.hasPrefix("/") {
                return commands.filter { $0.hasPrefix(folded) && !folded.contains(" ") }.sorted()
            }
            let wordStart = line.lastIndex(of: " ").map { line.index(after: $0) } ?? line.startIndex
            let offset = line.distance(from: line.startIndex, to: wordStart)
            let matching = answers.filter { $0.lowercased().hasPrefix(folded) && $0.count >= offset }
                .map { String($0.dropFirst(offset)) }
            // Answers first; command words only when no answer fits.
            return matching.isEmpty && offset == 0 ? bare.filter { $0.hasPrefix(folded) } : matching
        }
    }
}
