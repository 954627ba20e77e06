import ConsultContent
import ConsultConversation
import ConsultEngine
import ConsultRecords

/// Where a session keeps its records.
public struct RecordsContext {
    public let directory: DataDirectory
    /// The transcript of this session; nil when the records cannot be written.
    public let recorder: ConsultationRecorder?
    /// local, kiosk or ssh.
    public let channel: String
    /// Where answers are kept for applicants who continue later with a code; nil: not offered.
    public let resume: ResumeStore?

    public init(
        directory: DataDirectory, recorder: ConsultationRecorder?, channel: String, resume: ResumeStore? = nil
    ) {
        self.directory = directory
        self.recorder = recorder
        self.channel = channel
        self.resume = resume
    }
}

/// One consultation at a terminal: reads lines, hands them to a `Conversation`, and carries its
/// effects out — the screen (in the session's language, through `Presenter`), the transcript,
/// the line editor, the appointment request — until the conversation ends. What to show when is
/// the conversation's decision; this type only does it.
public final class Session {
    private let reader: LineReader
    private let screen: Screen
    private let records: RecordsContext?
    private var conversation: Conversation
    /// What is shown is written in this presenter's language (the conversation says when it changes).
    private var presenter: Presenter
    private var failureReported = false
    private var limitReported = false
    /// The code this consultation's answers are kept under (its key in memory), once there is one.
    private var resumeHandle: ResumeHandle?

    public init(
        content: Content, today: LocalDate, language: String, reader: LineReader, screen: Screen,
        options: SessionOptions = SessionOptions(), records: RecordsContext? = nil
    ) throws {
        self.reader = reader
        self.screen = screen
        self.records = records
        let kept: Conversation.Records = records == nil ? .none : records?.recorder == nil ? .unavailable : .kept
        var options = options
        options.resumable = options.resumable && records?.resume != nil
        conversation = try Conversation(
            content: content, today: today, language: language, options: options, records: kept)
        presenter = Presenter(content: content, language: conversation.language)
    }

    public var consultation: Consultation { conversation.consultation }
    /// The appointment request saved at the end, if any.
    public var appointment: AppointmentRequest? { conversation.appointment }
    public var language: String { conversation.language }
    /// True when something of this consultation could not be written: the transcript (from the
    /// start or from some event on) or the appointment request.
    public var recordsLost: Bool { conversation.recordsLost }

    public func run() -> EndReason {
        prepareCrashApology()
        var batch = conversation.next()
        while true {
            perform(batch)
            switch batch.last {
            case .read(let reading)?: batch = conversation.received(read(reading))
            case .save(let draft)?: batch = conversation.received(save(draft))
            case .resume(let typed)?: batch = conversation.received(resume(typed))
            case .end(let reason)?: return reason
            default: batch = conversation.next()
            }
        }
    }

    private func perform(_ effects: [Effect]) {
        for effect in effects {
            switch effect {
            case .question:
                prepareCrashApology()
                screen.show(effect, in: presenter)
            case .setLanguage(let language):
                presenter = Presenter(content: presenter.content, language: language)
                prepareCrashApology()
            case .complete(let completion):
                if let completion {
                    reader.completion = { completion.candidates($0) }
                } else {
                    reader.completion = nil
                }
            case .addHistory(let line):
                reader.addHistory(line)
            case .clearHistory:
                reader.clearHistory()
            case .record(let event):
                record(event)
            case .keep(let state):
                keep(state)
            case .forget:
                if let resumeHandle { records?.resume?.delete(resumeHandle) }
                resumeHandle = nil
            case .read, .save, .resume, .end:
                break  // the loop's
            default:
                screen.show(effect, in: presenter)
            }
        }
    }

    /// Appends to the transcript; a failure, or the size limit, is reported to the conversation
    /// at once (it decides what follows).
    private func record(_ event: ConsultationEvent) {
        guard let recorder = records?.recorder else { return }
        recorder.record(event)
        if recorder.failure != nil && !failureReported {
            failureReported = true
            perform(conversation.received(.recordsFailed))
        }
        if recorder.limitReached && !limitReported {
            limitReported = true
            perform(conversation.received(.recordLimitReached))
        }
    }

    /// Reads a line. A signal that came before the read ends the session before anything else is
    /// asked; one that came during it ends it whatever was typed.
    private func read(_ reading: Reading) -> Input {
        if let reason = Termination.endReason { return .stopped(reason) }
        let result: LineReadResult
        if reading.secret {
            result = reader.readSecret(prompt: reading.prompt, timeout: reading.timeout)
        } else {
            let prompt = screen.styled(reading.prompt, .question)
            result =
                reading.timeout.map { reader.readLine(prompt: prompt, timeout: $0) } ?? reader.readLine(prompt: prompt)
        }
        if let reason = Termination.endReason { return .stopped(reason) }
        switch result {
        case .line(let line): return .line(line)
        case .interrupted: return .interrupt
        case .timedOut: return .timedOut
        case .endOfInput:
            let interactive = reader.isInteractive
            return .endOfInput(interactive: interactive, connected: interactive && reader.isConnected)
        case .tooLong(let prefix, let length):
            return .tooLong(prefix: prefix, length: length, limit: LineLimit.characters)
        }
    }

    /// Keeps the answers for later under this consultation's code (made the first time), naming
    /// this transcript; the conversation hears of a new code, or of a failure, at once.
    private func keep(_ state: ResumeState) {
        guard let store = records?.resume else { return }
        var state = state
        state.transcript = records?.recorder?.id ?? ""
        do {
            if let resumeHandle {
                try store.update(resumeHandle, state)
            } else {
                let handle = try store.create(state)
                resumeHandle = handle
                perform(conversation.received(.keptForLater(handle.ticket)))
            }
        } catch {
            resumeHandle = nil
            perform(conversation.received(.notKeptForLater))
        }
    }

    /// Tries the code the applicant typed.
    private func resume(_ typed: String) -> Input {
        guard let store = records?.resume else { return .resumeRefused(.unavailable) }
        switch store.reopen(typed) {
        case .success(let (handle, state)):
            resumeHandle = handle
            return .resumed(state, handle.ticket)
        case .failure(let refusal):
            return .resumeRefused(refusal)
        }
    }

    /// Saves the request the conversation confirmed, chained to this session's transcript.
    private func save(_ draft: AppointmentDraft) -> Input {
        // The conversation reviews a request only while its transcript is written.
        guard let records, let recorder = records.recorder else { return .appointmentNotSaved("no records") }
        let request = AppointmentRequest(
            language: draft.language, channel: records.channel, transcript: recorder.id, applicant: draft.applicant,
            facts: draft.facts, outcomes: draft.outcomes, openPoints: draft.openPoints, preferences: draft.preferences,
            question: draft.question, urgent: draft.urgent, transcriptHead: recorder.writer.head)
        do {
            return .appointmentSaved(try request.save(in: records.directory))
        } catch {
            return .appointmentNotSaved(error.description)
        }
    }

    /// The words shown after a crash, rendered ahead in the session's language and wrapped to the
    /// terminal's width (again at every question: the window may have changed).
    private func prepareCrashApology() {
        let apology = TextLayout.wrap(presenter.text("crash.apology"), width: max(20, screen.width - 1), indent: 0)
        CrashGuard.apology(apology.joined(separator: "\n"))
    }
}
