import ConsultContent
import ConsultConversation
import ConsultEngine
import ConsultRecords

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Consultations one after another at an office terminal. Between applicants the screen and the
/// scrollback are cleared and the line history emptied, so nothing of one applicant reaches the
/// next. Ctrl-C, Ctrl-D and Ctrl-Z do not leave it: an operator does, with the passphrase
/// (`/operator`) or a signal (SIGTERM, SIGHUP: the terminal is restored on the way out).
public final class Kiosk {
    private let nextContent: () -> Content
    private let reader: LineReader
    private let screen: Screen
    private let options: SessionOptions
    private let language: String
    private let today: () -> LocalDate
    private let records: (LocalDate, String) -> RecordsContext?
    /// True once the records of some consultation could not be written (the kiosk goes on serving).
    public private(set) var recordsLost = false

    /// - Parameters:
    ///   - content: the content of the next consultation, asked for before each one (the kiosk
    ///     serves edits from the next consultation on).
    ///   - records: opens the records of each new consultation (today, language).
    public init(
        content: @escaping () -> Content, reader: LineReader, screen: Screen, options: SessionOptions, language: String,
        today: @escaping () -> LocalDate, records: @escaping (LocalDate, String) -> RecordsContext? = { _, _ in nil }
    ) {
        self.records = records
        self.nextContent = content
        self.reader = reader
        self.screen = screen
        self.options = options
        self.language = language
        self.today = today
    }

    /// Runs until the operator leaves; returns how many consultations were held.
    @discardableResult
    public func run() -> Int {
        // Outside a read, Ctrl-C and Ctrl-\ must not end the kiosk either.
        signal(SIGINT, SIG_IGN)
        signal(SIGQUIT, SIG_IGN)
        var count = 0
        var closedIdle = false
        while true {
            if Termination.signal != nil { return count }
            reader.clearHistory()
            screen.clearAll()
            let content = nextContent()
            let presenter = Presenter(content: content, language: language)
            if closedIdle {
                screen.show(presenter.text("ui.kiosk.closed_idle"), style: .note)
                screen.gap()
            }
            let day = today()
            guard
                let session = try? Session(
                    content: content, today: day, language: language, reader: reader,
                    screen: screen, options: options, records: records(day, language))
            else { return count }
            let end = session.run()
            count += 1
            if session.recordsLost { recordsLost = true }
            closedIdle = end == .idle
            switch end {
            case .operatorExit, .disconnected, .interrupted, .inputEnded, .crashed:
                reader.clearHistory()
                screen.clearAll()
                return count
            case .completed, .recordLimit, .paused:
                // Leave the result (or why it ended, or the code to continue with) on screen until
                // the applicant has read it, or for the idle time.
                let p = Presenter(content: content, language: session.language)
                screen.gap()
                screen.show(p.text("ui.kiosk.press_enter"), style: .hint)
                _ = reader.readLine(prompt: "", timeout: options.idleTimeout ?? 300)
            case .quit, .idle:
                break
            }
            // A terminal that hung up never types again: stop rather than open consultation after
            // consultation for nobody.
            if !reader.isConnected { return count }
        }
    }
}
