import ArgumentParser
import ConsultContent
import ConsultRecords
import ConsultSSH
import ConsultSealing
import Dispatch
import Foundation
import Logging
import NIOCore

/// `consult-sshd`: remote consultations over SSH, one `consult` child per session.
struct ConsultSSHD: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consult-sshd",
        abstract: "Serve consultations over SSH: `ssh -p PORT guest@HOST` lands in a consultation.",
        discussion: """
            Each session gets a pseudo-terminal and its own `consult` process (channel ssh); its \
            transcript and appointment request go to --data-dir. Commands (exec), file transfer \
            (subsystems) and forwarding are refused. Logs go to standard error. SIGTERM or SIGINT \
            shuts down gracefully: running consultations close their transcripts first.
            """,
        version: "0.1.0")

    @Option(help: ArgumentHelp("Address and port to listen on (port 0: any free port).", valueName: "host:port"))
    var listen: String = "0.0.0.0:2222"

    @Option(
        help: ArgumentHelp(
            "The ed25519 host key: read if it exists, else generated here (mode 0600, and PATH.pub).", valueName: "path"
        ))
    var hostKey: String

    @Option(help: ArgumentHelp("Where transcripts and appointment requests are kept.", valueName: "dir"))
    var dataDir: String

    @Option(
        help: ArgumentHelp(
            "Where the records are stored (consult's --store: sqlite:PATH or postgresql://...; default: $CONSULT_STORE, else the data directory's records.sqlite). Given to every consultation in its environment.",
            valueName: "url"))
    var store: String?

    @Option(
        help: ArgumentHelp(
            "The office this server serves, recorded with every consultation (default: $CONSULT_OFFICE).",
            valueName: "name"))
    var office: String?

    @Option(
        help: ArgumentHelp(
            "Days records are kept, purged at every sync (default: $CONSULT_RETENTION_DAYS, else kept).",
            valueName: "days"))
    var retentionDays: Int?

    @Option(
        help: ArgumentHelp(
            "Minutes between two forwardings of the local spool to the store (`consult records sync`); 0: never.",
            valueName: "minutes"))
    var syncMinutes: Double = 5

    @Option(help: "open (any user name, no credentials: applicants), password, or keys.")
    var auth: String = "open"

    @Option(help: ArgumentHelp("For --auth password: a file of user:password lines (mode 0600).", valueName: "file"))
    var passwordFile: String?

    @Option(help: ArgumentHelp("For --auth keys: an authorized_keys file of ed25519/ECDSA keys.", valueName: "file"))
    var authorizedKeys: String?

    @Option(help: ArgumentHelp("Minutes without a key before a consultation closes.", valueName: "minutes"))
    var idleMinutes: Double = 10

    @Option(help: ArgumentHelp("Longest consultation, in minutes.", valueName: "minutes"))
    var maxSessionMinutes: Double = 60

    @Option(help: "Consultations running at once.")
    var maxSessions: Int = 20

    @Option(help: "Consultations running at once from one address.")
    var maxSessionsPerAddress: Int = 3

    @Option(help: "New connections per minute from one address.")
    var maxConnectionsPerMinute: Int = 10

    @Option(
        help: ArgumentHelp(
            "Connections still authenticating, all addresses together: FULL, or START:RATE:FULL as OpenSSH's MaxStartups (from START on, a new one is dropped at random with RATE % chance, rising to 100 % at FULL).",
            valueName: "full|start:rate:full"))
    var maxUnauthenticated: String = "10:30:100"

    @Option(help: "Connections still authenticating from one address.")
    var maxUnauthenticatedPerAddress: Int = 3

    @Option(help: ArgumentHelp("Seconds from connecting to the client's SSH version line.", valueName: "seconds"))
    var versionGraceSeconds: Double = 5

    @Option(help: "Authentication requests on one connection (a \"none\" probe counts, and two per key tried).")
    var maxAuthAttempts: Int = 6

    @Option(help: ArgumentHelp("Seconds from connecting to authenticating.", valueName: "seconds"))
    var loginGraceSeconds: Double = 30

    @Option(
        help: ArgumentHelp(
            "The consult executable (default: the one beside consult-sshd, else on PATH).", valueName: "path"))
    var consult: String?

    @Option(help: ArgumentHelp("The folder of question trees (passed to consult).", valueName: "dir"))
    var dialogs: String?

    @Option(help: ArgumentHelp("The folder of locale files (passed to consult).", valueName: "dir"))
    var locales: String?

    @Option(
        help: ArgumentHelp(
            "A fixed date for every consultation, YYYY-MM-DD (demonstrations and tests).", valueName: "date"))
    var today: String?

    @Option(
        help: ArgumentHelp(
            "Seal every record to the public keys in this file, one a line (default: $CONSULT_RECIPIENTS; passed to consult).",
            valueName: "file"))
    var recipients: String?

    @Option(
        help: ArgumentHelp(
            "Hours a code to continue a consultation later works (default: $CONSULT_RESUME_HOURS, else 24; 0: no codes; passed to consult).",
            valueName: "hours"))
    var resumeHours: Double?

    /// The hours of `--resume-hours`, else of `CONSULT_RESUME_HOURS`; nil: consult's default.
    private var resumeLifetime: Double? {
        resumeHours ?? ProcessInfo.processInfo.environment["CONSULT_RESUME_HOURS"].flatMap(Double.init)
    }

    @Option(help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: String = "info"

    func validate() throws {
        guard AuthenticationMode(rawValue: auth) != nil else {
            throw ValidationError("--auth must be open, password or keys, not '\(auth)'")
        }
        if auth == "password" && passwordFile == nil { throw ValidationError("--auth password needs --password-file") }
        if auth == "keys" && authorizedKeys == nil { throw ValidationError("--auth keys needs --authorized-keys") }
        if let retentionDays, retentionDays < 1 { throw ValidationError("--retention-days must be at least 1") }
        guard syncMinutes >= 0 else { throw ValidationError("--sync-minutes must be 0 or more") }
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level: unknown level '\(logLevel)'")
        }
        for (name, value) in [
            ("--idle-minutes", idleMinutes), ("--max-session-minutes", maxSessionMinutes),
            ("--login-grace-seconds", loginGraceSeconds), ("--version-grace-seconds", versionGraceSeconds),
        ]
        where !(value > 0) {
            throw ValidationError("\(name) must be more than 0")
        }
        for (name, value) in [
            ("--max-sessions", maxSessions), ("--max-sessions-per-address", maxSessionsPerAddress),
            ("--max-connections-per-minute", maxConnectionsPerMinute),
            ("--max-unauthenticated-per-address", maxUnauthenticatedPerAddress),
            ("--max-auth-attempts", maxAuthAttempts),
        ] where value < 1 {
            throw ValidationError("\(name) must be at least 1")
        }
        guard Startups(maxUnauthenticated) != nil else {
            throw ValidationError(
                "--max-unauthenticated: expected FULL or START:RATE:FULL with 1 ≤ START ≤ FULL and 1 ≤ RATE ≤ 100 (e.g. 10:30:100), not '\(maxUnauthenticated)'"
            )
        }
        if let text = ProcessInfo.processInfo.environment["CONSULT_RESUME_HOURS"], !text.isEmpty, resumeHours == nil,
            Double(text) == nil
        {
            throw ValidationError("CONSULT_RESUME_HOURS must be a number of hours, not '\(text)'")
        }
        if let hours = resumeLifetime, !(hours >= 0 && hours <= 24 * 366) {
            throw ValidationError("--resume-hours must be from 0 (no codes) to a year of hours, not \(hours)")
        }
        _ = try address()
    }

    /// The store, office and retention every child gets in its environment (a store URL's password
    /// stays off the command lines `ps` shows): the options, else this server's own environment.
    var recordsEnvironment: [String: String] {
        let own = ProcessInfo.processInfo.environment
        var environment: [String: String] = [:]
        for (name, option) in [
            ("CONSULT_STORE", store), ("CONSULT_OFFICE", office),
            ("CONSULT_RETENTION_DAYS", retentionDays.map(String.init)),
            ("CONSULT_HOST", nil),
        ] {
            if let value = option ?? own[name], !value.isEmpty { environment[name] = value }
        }
        return environment
    }

    private func address() throws -> (host: String, port: Int) {
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]),
            (0...65535).contains(port)
        else {
            throw ValidationError("--listen: expected HOST:PORT (e.g. 0.0.0.0:2222), not '\(listen)'")
        }
        var host = String(listen[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return (host.isEmpty ? "0.0.0.0" : host, port)
    }

    /// The consult binary: given, else beside this executable, else on PATH.
    private func consultExecutable() throws -> String {
        if let consult {
            guard FileManager.default.isExecutableFile(atPath: consult) else {
                throw ValidationError("--consult: no executable at \(consult)")
            }
            return URL(fileURLWithPath: consult).standardizedFileURL.path
        }
        let own = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        let beside = own.appendingPathComponent("consult").path
        if FileManager.default.isExecutableFile(atPath: beside) { return beside }
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let candidate = "\(directory)/consult"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw ValidationError("cannot find the consult executable: pass --consult PATH")
    }

    func run() throws {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "consult-sshd")
        do {
            try serve(logger: logger)
        } catch let error as ConfigurationError {
            logger.critical("\(error.description)")
            throw ExitCode(2)
        }
    }

    private func serve(logger: Logger) throws {
        let (host, port) = try address()
        let hostKey = try HostKey.loadOrCreate(at: hostKey)
        logger.info(
            "\(hostKey.created ? "host key generated" : "host key loaded")",
            metadata: ["path": "\(self.hostKey)", "fingerprint": "\(hostKey.fingerprint)"])

        // The content the children will load: checked now, so that a broken edit is found at start.
        let urls = ContentLocation.locate(dialogs: dialogs, locales: locales)
        do {
            try urls.checkOnlyOwnerCanChange()
        } catch {
            throw ConfigurationError("the content (\(urls.source)) is not safe to show: \(error.description)")
        }
        let content: Content
        do {
            content = try Content.load(dialogs: urls.dialogs, locales: urls.locales)
        } catch {
            throw ConfigurationError("the content has errors (run `consult lint`):\n\(error.description)")
        }

        // Checked now, not at the first applicant's consultation: it exists or is created, it is
        // writable, and others cannot read the applicants' records.
        let dataDirectory = try RecordsDirectory.prepare(URL(fileURLWithPath: dataDir).standardizedFileURL.path)
        var extra = ["--dialogs", urls.dialogs.path, "--locales", urls.locales.path]
        if let today { extra += ["--today", today] }
        // Sealed records: each consultation seals to these recipients; this host never reads them back.
        if let file = recipients
            ?? ProcessInfo.processInfo.environment["CONSULT_RECIPIENTS"].flatMap({ $0.isEmpty ? nil : $0 })
        {
            do throws(SealingError) {
                _ = try RecipientList.recipients(at: file)
            } catch {
                throw ConfigurationError("--recipients: \(error)")
            }
            extra += ["--recipients", URL(fileURLWithPath: file).standardizedFileURL.path]
        }
        if let hours = resumeLifetime { extra += ["--resume-hours", "\(hours)"] }

        var limits = ServerLimits()
        limits.idleTimeout = idleMinutes * 60
        limits.maximumSessionTime = maxSessionMinutes * 60
        limits.maximumSessions = maxSessions
        limits.maximumSessionsPerAddress = maxSessionsPerAddress
        limits.connectionsPerMinute = maxConnectionsPerMinute
        limits.startups = Startups(maxUnauthenticated) ?? limits.startups
        limits.maximumUnauthenticatedPerAddress = maxUnauthenticatedPerAddress
        limits.versionGraceTime = versionGraceSeconds
        limits.authenticationAttempts = maxAuthAttempts
        limits.loginGraceTime = loginGraceSeconds

        let mode = AuthenticationMode(rawValue: auth) ?? .open
        var configuration = ServerConfiguration(
            host: host, port: port, hostKey: hostKey.privateKey, authentication: mode,
            command: ConsultationCommand(
                executable: try consultExecutable(), extraArguments: extra, dataDirectory: dataDirectory,
                environment: recordsEnvironment),
            limits: limits)
        if mode == .password, let passwordFile { configuration.passwords = try Credentials.passwords(at: passwordFile) }
        if mode == .keys, let authorizedKeys {
            configuration.authorizedKeys = try Credentials.authorizedKeys(at: authorizedKeys)
        }

        let server = ConsultSSHServer(
            configuration: configuration, messages: ServerMessages(content: content), logger: logger)
        let address: SocketAddress
        do {
            address = try server.start()
        } catch let error as IOError {
            throw ConfigurationError("--listen \(listen): cannot listen: \(String(cString: strerror(error.errnoCode)))")
        } catch {
            throw ConfigurationError("--listen \(listen): cannot listen: \(error)")
        }
        logger.info(
            "listening",
            metadata: [
                "address": "\(address)", "auth": "\(mode.rawValue)", "consult": "\(configuration.command.executable)",
                "data_dir": "\(dataDirectory)", "max_sessions": "\(maxSessions)",
                "max_unauthenticated": "\(limits.startups)",
            ])

        // Answers kept for applicants who continue later: each consultation deletes the expired ones
        // at its start; between consultations the server does, every ten minutes.
        let resume = ResumeStore(
            directory: DataDirectory(URL(fileURLWithPath: dataDirectory)),
            hours: resumeLifetime ?? ResumeStore.defaultHours, address: "")
        let purging = DispatchSource.makeTimerSource(queue: .global(qos: .utility))
        purging.schedule(deadline: .now(), repeating: .seconds(600), leeway: .seconds(30))
        purging.setEventHandler {
            let deleted = resume.purge()
            if deleted > 0 { logger.info("expired answers deleted", metadata: ["resume_files": "\(deleted)"]) }
        }
        purging.resume()

        // SIGTERM (systemd stop) and SIGINT (Ctrl-C in a terminal): a graceful shutdown.
        var sources: [DispatchSourceSignal] = []
        for signalNumber in [SIGTERM, SIGINT] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { server.shutDown() }
            source.resume()
            sources.append(source)
        }
        // What a consultation could not send (the store was down) is forwarded now and then.
        let sync =
            syncMinutes > 0
            ? RecordsSync(command: configuration.command, interval: syncMinutes * 60, logger: logger) : nil
        sync?.start()
        try server.run()
        purging.cancel()
        sync?.stop()
        withExtendedLifetime(sources) {}
    }
}

ConsultSSHD.main()
