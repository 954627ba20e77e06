import ConsultContent
import ConsultEngine
import ConsultLocalization
import ConsultRecords

/// What happened at the terminal, as the conversation hears it.
public enum Input: Equatable, Sendable {
    /// A line typed, without its newline.
    case line(String)
    /// Ctrl-C: the line being typed was abandoned.
    case interrupt
    /// Ctrl-D, or the input closed: at a terminal someone is at (`interactive`, `connected`), the
    /// applicant asks to leave; a pipe or a file has ended; a terminal that hung up is gone.
    case endOfInput(interactive: Bool, connected: Bool)
    /// Nothing was typed in the time the reading allowed.
    case timedOut
    /// A line longer than `limit` characters: its beginning and its whole length.
    case tooLong(prefix: String, length: Int, limit: Int)
    /// The consultation must end from outside: a signal (see `EndReason`), the terminal gone.
    case stopped(EndReason)
    /// The transcript could not be written (reported once, after the record that failed).
    case recordsFailed
    /// The transcript reached its size limit (reported once, after the record that reached it).
    case recordLimitReached
    /// The appointment request of a `.save` effect was saved under its reference.
    case appointmentSaved(AppointmentRequest)
    /// The appointment request of a `.save` effect could not be saved: why.
    case appointmentNotSaved(String)
    /// The answers of a `.keep` effect were kept under a new code (reported once, when it is made).
    case keptForLater(ResumeTicket)
    /// The answers of a `.keep` effect could not be kept: the code does not work (reported once).
    case notKeptForLater
    /// The code of a `.resume` effect opened a consultation kept earlier: its answers and its code.
    case resumed(ResumeState, ResumeTicket)
    /// The code of a `.resume` effect opened nothing: why.
    case resumeRefused(ResumeRefusal)
}

/// What the caller does for the conversation, in order. A batch of effects ends with at most one
/// that waits — `.read`, `.save` or `.end` — as its last; a batch without one is followed by
/// another call to `Conversation.next()`.
public enum Effect: Equatable, Sendable {
    // MARK: The screen
    /// An empty line between blocks.
    case gap
    /// A message of the catalogs.
    case show(Message, TextStyle)
    /// A message of the dialogs (or a question's help) as written with the consultation's facts;
    /// the same text the transcript records.
    case say(MessageKey, String)
    /// The current question: its text, its numbered choices and the hint of the answer's form.
    case question(ShownQuestion)
    /// A yes/no question of the interface (quit, restart, the appointment request), with the hint.
    case confirmation(MessageKey)
    /// An explanation: the outcomes reached, then the points the lawyer will confirm.
    case outcomes([ExplainedOutcome])
    /// Answers as "fact: value" lines.
    case answers([FactValue], FactLayout)
    /// The languages to choose from, numbered.
    case languages([String])
    /// The commands with their words in the session's language.
    case commands
    /// Why an answer was not taken.
    case problem(AnswerProblem)

    // MARK: The terminal
    /// The session's language is now this one (everything after is written in it).
    case setLanguage(String)
    /// What Tab completes from now on; nil: nothing.
    case complete(Completion?)
    /// The line goes into the line editor's history.
    case addHistory(String)
    /// The line editor's history is emptied.
    case clearHistory

    // MARK: The records
    /// The event is appended to the transcript.
    case record(ConsultationEvent)

    /// The answers so far are kept for later under the consultation's code (a new code the first
    /// time: the caller reports `.keptForLater`, or `.notKeptForLater` on a failure).
    case keep(ResumeState)
    /// The answers kept for later are deleted (the consultation ended, or the consent was withdrawn).
    case forget

    // MARK: Waiting
    /// A line is read; its result comes back as an `Input`.
    case read(Reading)
    /// The appointment request is saved; the result comes back as `.appointmentSaved` or `.appointmentNotSaved`.
    case save(AppointmentDraft)
    /// The code typed is tried; the result comes back as `.resumed` or `.resumeRefused`. The code
    /// is a secret: it is neither recorded nor put into the line editor's history.
    case resume(String)
    /// The consultation is over.
    case end(EndReason)
}

/// How text looks on the screen.
public enum TextStyle: Hashable, Sendable {
    case normal, question, hint, problem, heading, note
}

/// A message of the catalogs and its values, written in the session's language only when shown.
public struct Message: Hashable, Sendable {
    public var key: MessageKey
    public var arguments: [String: Term]

    public init(_ key: MessageKey, _ arguments: [String: Term] = [:]) {
        self.key = key
        self.arguments = arguments
    }
}

/// A value of a message, named by what it is rather than by its words.
public enum Term: Hashable, Sendable {
    case number(Int)
    /// Text as it is (what the applicant typed, a reference).
    case text(String)
    /// A fact's name.
    case factName(String)
    /// Facts' names, as a list.
    case factNames([String])
    /// A fact's value as the applicant reads it.
    case value(Value, fact: String)
    /// An outcome's title.
    case outcomeTitle(String)
    /// One item of the group question that asks for `group`.
    case item(Record, group: String)
    /// A date, written in full in the session's language.
    case date(LocalDate)
}

/// A question as shown.
public struct ShownQuestion: Hashable, Sendable {
    public var fact: String
    public var key: MessageKey
    /// The question's text, with the facts known.
    public var text: String
    /// What the answer must be: gives the numbered choices and the hint.
    public var expected: Expected
}

/// One outcome of an explanation, written with the consultation's facts.
public struct ExplainedOutcome: Hashable, Sendable {
    public var id: String
    public var text: String
    /// The points the lawyer will confirm, as written.
    public var openPoints: [String]
}

/// A fact and its value.
public struct FactValue: Hashable, Sendable {
    public var fact: String
    public var value: Value

    public init(_ fact: String, _ value: Value) {
        self.fact = fact
        self.value = value
    }
}

/// How answers are listed.
public enum FactLayout: Hashable, Sendable {
    /// Numbered, to choose one (change, review).
    case numbered
    /// Indented (the summary).
    case indented
    /// Bulleted and indented (why).
    case bulleted
}

/// A line to read.
public struct Reading: Hashable, Sendable {
    /// What stands before the cursor.
    public var prompt: String
    /// Typed without echo (the operator's passphrase).
    public var secret: Bool
    /// Seconds to wait for a line; nil: as long as it takes.
    public var timeout: Int?

    public init(prompt: String, secret: Bool = false, timeout: Int? = nil) {
        self.prompt = prompt
        self.secret = secret
        self.timeout = timeout
    }
}

/// An appointment request as the conversation knows it: the caller adds its reference, time,
/// channel and transcript, and saves it.
public struct AppointmentDraft: Hashable, Sendable {
    public var language: String
    public var applicant: [String: Value]
    public var facts: [String: Value]
    public var outcomes: [String]
    public var openPoints: [String]
    public var preferences: [String: Value]
    public var question: String?
    public var urgent: Bool
}

/// What a session may do besides asking questions.
public struct SessionOptions: Hashable, Sendable {
    /// Seconds without input before the session closes (kiosk); a warning comes `warning` seconds before.
    public var idleTimeout: Int?
    public var idleWarning: Int = 60
    /// The passphrase of the hidden `/operator` command that leaves kiosk mode; nil: no such command.
    public var operatorPassphrase: String?
    /// The applicant may continue later with a code: the answers are kept (after consent), `/pause`
    /// works and the first screen offers to continue with a code. The session turns it off when
    /// it has nowhere to keep them.
    public var resumable = false
    /// The first screen asks for a code at once (`consult start --resume`).
    public var askForCode = false

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
