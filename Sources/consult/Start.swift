import ArgumentParser
import ConsultContent
import ConsultConversation
import ConsultEditLine
import ConsultEngine
import ConsultRecords
import ConsultSealing
import ConsultStore
import ConsultTerminal
import Foundation

/// Options of the terminal front end, shared by `start` and `kiosk`.
struct TerminalOptions: ParsableArguments {
    @Option(help: "The language of the first screen: en, es or ru (default: from LANG, else en).")
    var lang: String?

    @Option(
        help: ArgumentHelp("The date of the consultation, YYYY-MM-DD (default: today in Moscow).", valueName: "date"))
    var today: DateArgument?

    @Flag(help: "Plain output for screen readers: no colour, no decoration, one item a line.")
    var plain = false

    @Option(
        help: ArgumentHelp(
            "Where transcripts and appointment requests are kept (default: $CONSULT_DATA_DIR, else ~/.local/share/consult).",
            valueName: "dir"))
    var dataDir: String?

    @Option(
        help: ArgumentHelp(
            "How the applicant is connected: local, kiosk or ssh (default: ssh when SSH_CONNECTION is set).",
            valueName: "channel"))
    var channel: String?

    @Option(
        help: ArgumentHelp(
            "The largest record of one consultation, in KiB: at this size the consultation ends politely.",
            valueName: "kib"))
    var maxRecordKib: Int = ConsultationRecorder.defaultLimit / 1024

    @OptionGroup var records: StoreOptions
    @OptionGroup var retention: RetentionOptions
    @Option(
        help: ArgumentHelp(
            "Seal every record to the public keys in this file, one a line (default: $CONSULT_RECIPIENTS): this machine cannot read them back.",
            valueName: "file"))
    var recipients: String?

    @Option(
        help: ArgumentHelp(
            "Hours a code to continue a consultation later works (default: $CONSULT_RESUME_HOURS, else 24; 0: no codes).",
            valueName: "hours"))
    var resumeHours: Double?

    /// The hours of `--resume-hours`, else of `CONSULT_RESUME_HOURS`, else 24 (0: no codes).
    var resumeLifetime: Double {
        resumeHours ?? ProcessInfo.processInfo.environment["CONSULT_RESUME_HOURS"].flatMap(Double.init)
            ?? ResumeStore.defaultHours
    }

    /// The recipients file of `--recipients`, else of `CONSULT_RECIPIENTS`; nil: records in the clear.
    var recipientsFile: String? {
        recipients ?? ProcessInfo.processInfo.environment["CONSULT_RECIPIENTS"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Opens a new transcript for one consultation; nil recorder when the records cannot be written.
    /// - Parameter contentHash: the hash of the content the consultation is served from.
    func records(
        contentHash: String, channel defaultChannel: String, today: LocalDate,
        language: String
    ) -> RecordsContext {
        let environment = ProcessInfo.processInfo.environment
        var directory = DataDirectory.resolve(dataDir)
        let channel = self.channel ?? (environment["SSH_CONNECTION"] != nil ? "ssh" : defaultChannel)
        let remote = environment["SSH_CONNECTION"].map {
            String($0.split(separator: " ").prefix(2).joined(separator: ":"))
        }
        // Wrong codes are counted per address: the SSH client's, or this terminal's (a kiosk is one).
        let address = environment["SSH_CONNECTION"].flatMap { $0.split(separator: " ").first.map(String.init) }
        do {
            try directory.prepare()
            // Expired answers go at every start (and, at a kiosk, between consultations).
            var resume: ResumeStore?
            if resumeLifetime > 0 {
                let store = ResumeStore(directory: directory, hours: resumeLifetime, address: address ?? "local")
                if (try? store.prepare()) != nil {
                    store.purge()
                    resume = store
                }
            }
            // With recipients, nothing is written in the clear: a failure here means no records.
            if let recipientsFile {
                directory.sealing = try RecordSealing.load(recipientsFile: recipientsFile, directory: directory)
            }
            let writer = try TranscriptWriter(directory: directory, limit: maxRecordKib * 1024)
            CrashGuard.watch(writer)
            // The spool (the file) first, then the store, each event before the next prompt; a
            // store that cannot be reached leaves the spool to be forwarded later.
            let spool = records.spool(directory)
            if let location = try? records.location(directory) {
                StoreMirror(location: location, spool: spool).attach(to: writer)
                SpoolSync.inBackground(
                    location: location, spool: spool, keepHours: retention.spoolKeepHours,
                    retentionDays: retention.retention)
            }
            let recorder = ConsultationRecorder(writer: writer)
            recorder.start(
                channel: channel, remote: remote,
                contentHash: contentHash,
                version: Consult.configuration.version, today: today, language: language,
                office: spool.office.isEmpty ? nil : spool.office, host: spool.host.isEmpty ? nil : spool.host)
            return RecordsContext(
                directory: directory, recorder: recorder.failure == nil ? recorder : nil, channel: channel,
                resume: resume)
        } catch {
            // The applicant is told in their language (records.unavailable); nothing raw here.
            return RecordsContext(directory: directory, recorder: nil, channel: channel)
        }
    }
    /// Installs the crash handlers before anything else can crash: the report goes beside the
    /// records, and to standard error only when that is not the applicant's (a terminal, SSH).
    func guardAgainstCrashes() {
        let environment = ProcessInfo.processInfo.environment
        let remote = channel == "ssh" || environment["SSH_CONNECTION"] != nil
        CrashGuard.install(
            dataDirectory: DataDirectory.resolve(dataDir), standardErrorIsStaff: !remote && isatty(2) == 0)
    }

    func language(_ content: Content) throws -> String {
        do {
            return try content.language(requested: lang)
        } catch {
            throw ValidationError("--lang: \(error)")
        }
    }

    var screen: Screen {
        Screen(color: Screen.colorWanted, plain: plain)
    }

    func validate() throws {
        if let channel, !["local", "kiosk", "ssh"].contains(channel) {
            throw ValidationError("--channel must be local, kiosk or ssh, not '\(channel)'")
        }
        // Room for the start, a few answers and the end event.
        guard maxRecordKib >= 16 else {
            throw ValidationError("--max-record-kib must be at least 16, not \(maxRecordKib)")
        }
        if let recipientsFile {
            do throws(SealingError) {
                _ = try RecipientList.recipients(at: recipientsFile)
            } catch {
                throw ValidationError("--recipients: \(error)")
            }
        }
        if let text = ProcessInfo.processInfo.environment["CONSULT_RESUME_HOURS"], !text.isEmpty, resumeHours == nil,
            Double(text) == nil
        {
            throw ValidationError("CONSULT_RESUME_HOURS must be a number of hours, not '\(text)'")
        }
        guard resumeLifetime >= 0, resumeLifetime.isFinite, resumeLifetime <= 24 * 366 else {
            throw ValidationError("--resume-hours must be from 0 (no codes) to a year of hours, not \(resumeLifetime)")
        }
    }
}

extension Consult {
    struct Start: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "start",
            abstract: "Start a consultation in this terminal (the default).")

        @OptionGroup var terminal: TerminalOptions
        @OptionGroup var content: ContentOptions

        @Option(help: "Minutes without input before the consultation closes (a warning comes first; default: never).")
        var idleMinutes: Double?

        @Flag(help: "Ask first for the code of a consultation to continue (an empty line goes to the first screen).")
        var resume = false

        func validate() throws {
            if let idleMinutes, idleMinutes < 1.0 / 30 {
                throw ValidationError("--idle-minutes must be at least 2 seconds (0.034)")
            }
            if resume && terminal.resumeLifetime == 0 {
                throw ValidationError("--resume needs codes: --resume-hours is 0")
            }
        }

        func run() throws {
            terminal.guardAgainstCrashes()
            TerminalLocale.ensureUTF8CharacterType()
            let (content, contentHash) = try self.content.load(
                cache: .resolve(), log: DataDirectory.resolve(terminal.dataDir))
            let reader = makeLineReader(programName: "consult", suspendAllowed: true)
            Termination.catchSignals()
            ignoreFileSizeSignal()
            let today = terminal.today?.date ?? .today(in: content.dialogs.timeZone)
            let language = try terminal.language(content)
            let records = terminal.records(
                contentHash: contentHash, channel: "local",
                today: today, language: language)
            var options = idleMinutes.map { SessionOptions(idleMinutes: $0) } ?? SessionOptions()
            options.resumable = terminal.resumeLifetime > 0
            options.askForCode = resume
            let session = try Session(
                content: content, today: today, language: language, reader: reader,
                screen: terminal.screen, options: options, records: records)
            let end = CrashGuard.withStandardErrorKept { session.run() }
            if end == .idle {
                terminal.screen.show(
                    Presenter(content: content, language: session.language).text("ui.kiosk.closed_idle"))
            }
            // The record limit's message already gives the office's contacts.
            if end != .completed && end != .disconnected && end != .inputEnded && end != .recordLimit {
                terminal.screen.show(Presenter(content: content, language: session.language).text("ui.goodbye"))
            }
            // The applicant was told; whoever started us (consult-sshd, a script) learns it here.
            if session.recordsLost { throw ExitCode(Consult.recordsFailedStatus) }
        }
    }

    struct Kiosk: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "kiosk",
            abstract: "Consultations one after another at an office terminal.",
            discussion: """
                Between applicants the screen, the scrollback and the line history are cleared. Ctrl-C, \
                Ctrl-D and Ctrl-Z do not leave kiosk mode: an operator types /operator and the passphrase \
                from --passphrase-file, or sends SIGTERM.
                """)

        @OptionGroup var terminal: TerminalOptions
        @OptionGroup var content: ContentOptions

        @Option(help: "Minutes without input before a consultation is closed (a warning comes a minute before).")
        var idleMinutes: Double = 5

        @Option(help: ArgumentHelp("A file holding the operator passphrase (mode 0600).", valueName: "file"))
        var passphraseFile: String?

        func validate() throws {
            guard idleMinutes >= 1.0 / 30 else {
                throw ValidationError("--idle-minutes must be at least 2 seconds (0.034)")
            }
        }

        func run() throws {
            terminal.guardAgainstCrashes()
            TerminalLocale.ensureUTF8CharacterType()
            let location = self.content.location
            let cache = ContentCache.resolve()
            let (content, contentHash) = try self.content.load(
                cache: cache, log: DataDirectory.resolve(terminal.dataDir))
            let reloader = ContentReloader(location: location, content: content, hash: contentHash, cache: cache)
            var passphrase: String?
            if let passphraseFile {
                do {
                    passphrase = try String(contentsOfFile: passphraseFile, encoding: .utf8).trimmingCharacters(
                        in: .whitespacesAndNewlines)
                } catch {
                    throw ValidationError(
                        "cannot read the passphrase file \(passphraseFile): \(error.localizedDescription)")
                }
                guard passphrase?.isEmpty == false else {
                    throw ValidationError("the passphrase file \(passphraseFile) is empty")
                }
                let mode =
                    (try? FileManager.default.attributesOfItem(atPath: passphraseFile)[.posixPermissions] as? Int) ?? 0
                guard mode & 0o077 == 0 else {
                    throw ValidationError(
                        "the passphrase file \(passphraseFile) can be read by others (mode \(String(mode, radix: 8))): chmod 600 it"
                    )
                }
            }
            var options = SessionOptions(idleMinutes: idleMinutes, operatorPassphrase: passphrase)
            options.resumable = terminal.resumeLifetime > 0
            let reader = makeLineReader(programName: "consult", suspendAllowed: false)
            Termination.catchSignals()
            ignoreFileSizeSignal()
            let fixedToday = terminal.today?.date
            let terminal = self.terminal
            let log = StaffLog(directory: DataDirectory.resolve(terminal.dataDir))
            // Between consultations: an edit of dialogs/ or locales/ is served from the next
            // consultation on; one that does not load is logged and the last good content stays.
            let nextContent = {
                switch reloader.refresh() {
                case .unchanged: break
                case .reloaded(let hash):
                    if let outcome = reloader.cacheOutcome { log.log(outcome, contentHash: hash) }
                    log.log(
                        "info", "content reloaded",
                        [
                            ("content_hash", hash), ("dialogs", location.dialogs.path),
                            ("locales", location.locales.path),
                        ])
                case .rejected(let hash, let problems):
                    log.log(
                        "error", "content changed but not served, the last good content stays: \(problems)",
                        [("content_hash", hash), ("served", reloader.hash)])
                }
                return reloader.content
            }
            let kiosk = ConsultTerminal.Kiosk(
                content: nextContent, reader: reader, screen: terminal.screen, options: options,
                language: try terminal.language(content),
                today: { fixedToday ?? .today(in: reloader.content.dialogs.timeZone) },
                records: { day, language in
                    terminal.records(contentHash: reloader.hash, channel: "kiosk", today: day, language: language)
                })
            CrashGuard.withStandardErrorKept { kiosk.run() }
            if kiosk.recordsLost { throw ExitCode(Consult.recordsFailedStatus) }
        }
    }
}

extension Consult {
    /// The exit status of `start` and `kiosk` when records of a consultation could not be written.
    static let recordsFailedStatus: Int32 = 4
}

/// A file size limit (RLIMIT_FSIZE) must fail the write (EFBIG: a record failure the applicant
/// is told about), not kill the consultation with SIGXFSZ.
func ignoreFileSizeSignal() {
    signal(SIGXFSZ, SIG_IGN)
}
