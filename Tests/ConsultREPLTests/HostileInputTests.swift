import ConsultTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Issue 9, the terminal's part: what a hostile or unlucky applicant (or an unlucky office) can do
/// to a consultation through its input and signals. Each test runs the real binary, in a real
/// pseudo-terminal (tmux) or with real pipes for its standard input.
@Suite("hostile or unlucky input: signals, crashes, pipes, overlong lines")
struct HostileInputTests {
    let en = LocaleText.en
    let ru = LocaleText.ru
    let es = LocaleText.es

    // MARK: - Crashes and Ctrl-\ (item 1)

    /// Words of Swift's crash backtracer and of any crash report: none may reach the applicant.
    /// (A shell that started consult may still say "Segmentation fault", as for any program.)
    static let crashWords = [
        "Press space", "interact", "Backtrace", "backtrace", "Thread 0", "Crashed", "registers",
        "core dumped", "0x0", "0x7f", "Fatal error", "swift-backtrace", "SIGSEGV", "SIGABRT", "SIGBUS",
        "SIGILL", "SIGTRAP", "SIGFPE",
    ]

    /// English, consent, VKS, the specialist: four answers, then the question about the work permit.
    func startAndAnswer(_ lang: LangSetting, _ extra: [String] = []) async throws -> TmuxHarness {
        let terminal = try TmuxHarness(["--today", testToday] + extra, lang: lang)
        try await terminal.waitForPrompt(after: en["intake.language.prompt"])
        try await terminal.answer("1", then: en["intake.consent.prompt"])
        try await terminal.answer("yes", then: en["intake.topic.prompt"])
        try await terminal.answer("1", then: en["vks.applicant_role.prompt"])
        try await terminal.answer("1", then: en["vks.has_vks_work_permit.prompt"])
        return terminal
    }

    @Test(
        "Ctrl-\\ at a question does nothing: no backtracer, the line and the consultation go on",
        arguments: LangSetting.allCases)
    func ctrlBackslashDoesNothing(_ lang: LangSetting) async throws {
        let terminal = try await startAndAnswer(lang)
        defer { terminal.kill() }
        try terminal.type("iss")
        try await terminal.waitForInput("iss")
        try terminal.press(.ctrlBackslash)
        try await Task.sleep(for: .milliseconds(700))
        let screen = try terminal.scrollback()
        for word in Self.crashWords {
            #expect(!screen.contains(word), "Ctrl-\\ showed “\(word)”:\n\(screen.suffix(1500))")
        }
        #expect(try !terminal.programEnded(), "Ctrl-\\ ended the consultation:\n\(screen.suffix(1500))")
        // The line typed so far is still there and the answer goes through.
        try terminal.type("ued")
        try await terminal.waitForInput("issued")
        try terminal.press(.enter)
        try await terminal.waitForPrompt(after: en["vks.work_permit_expires.prompt"])
        try terminal.press(.ctrlBackslash)
        try await terminal.answer("31.03.2028", then: en["vks.contract_terminated.prompt"])
    }

    @Test(
        "a crash shows the applicant an apology with the office's phone, never a backtrace; the transcript ends “crashed”",
        arguments: [SIGSEGV, SIGABRT, SIGBUS, SIGILL, SIGTRAP, SIGFPE])
    func crashIsReportedToStaffNotApplicant(_ signal: Int32) async throws {
        let terminal = try await startAndAnswer(.unset)
        defer { terminal.kill() }
        try terminal.type("iss")
        try await terminal.waitForInput("iss")
        // What the Swift runtime prints to standard error before it traps.
        let pid = try #require(ProcessTable.consultations(terminal.dataDirectory).first)
        let standardError = open("/proc/\(pid)/fd/2", O_WRONLY | O_APPEND | O_NOCTTY)
        try #require(standardError >= 0)
        let planted = "consult/Session.swift:42: Fatal error: planted by the test\n"
        _ = planted.withCString { write(standardError, $0, strlen($0)) }
        close(standardError)
        try terminal.signalProgram(signal)
        let screen: String
        do {
            _ = try await terminal.waitForExit(timeout: 8)
            screen = try terminal.scrollback()
        } catch {
            Issue.record("the program did not end after signal \(signal): \(error)")
            return
        }
        for word in Self.crashWords {
            #expect(!screen.contains(word), "the applicant's terminal showed “\(word)”:\n\(screen.suffix(2500))")
        }
        #expect(
            TmuxHarness.normalized(screen).contains(TmuxHarness.normalized(en.lead("crash.apology"))),
            "no apology on the screen:\n\(screen.suffix(1500))")
        #expect(screen.contains(en["office.phone"]), "no office phone on the screen")
        let exit = try await terminal.waitForExit()
        #expect(exit.terminalRestored, "terminal modes not restored: \(exit.modes)")
        // The shell is usable: it ran `stty` and printed its line after the program.
        #expect(exit.status == 128 + Int(signal), "exit status \(exit.status)")

        let transcripts = ServedConsultations.transcripts(in: terminal.dataDirectory)
        let transcript = try #require(transcripts.first)
        #expect(
            ServedConsultations.endReason(transcript) == "crashed",
            "\(ServedConsultations.events(transcript).last.map { "\($0.event)" } ?? "no events")")
        let verify = try ServedConsultations.verify(terminal.dataDirectory, scratch: terminal.directory)
        #expect(verify.status == 0 && verify.output.contains("intact"), "\(verify.output)")
        let show = try Self.consult(
            [
                "transcripts", "show", transcript.deletingPathExtension().lastPathComponent,
                "--lang", "en", "--data-dir", terminal.dataDirectory.path,
            ], in: terminal.directory)
        #expect(show.contains(en["staff.reason.crashed"]), "\(show.suffix(800))")

        // The staff's crash report: beside the records, readable by the owner only.
        let id = transcript.deletingPathExtension().lastPathComponent
        let report = terminal.dataDirectory.appendingPathComponent("crashes/\(id).log")
        let text = (try? String(contentsOf: report, encoding: .utf8)) ?? ""
        let name =
            [
                SIGSEGV: "SIGSEGV", SIGABRT: "SIGABRT", SIGBUS: "SIGBUS", SIGILL: "SIGILL", SIGTRAP: "SIGTRAP",
                SIGFPE: "SIGFPE",
            ][signal] ?? "?"
        #expect(text.contains(name) && text.contains(id), "crash report \(report.path): \(text)")
        #expect(text.contains("backtrace"), "no backtrace in the report: \(text)")
        #expect(
            text.contains("Fatal error: planted by the test"), "the runtime's last words are not in the report: \(text)"
        )
        #expect(!screen.contains("planted by the test"), "the runtime's last words reached the applicant")
        let mode = (try? FileManager.default.attributesOfItem(atPath: report.path)[.posixPermissions] as? Int) ?? -1
        #expect(mode == 0o600, "report mode \(String(mode, radix: 8))")
    }

    @Test("over SSH (consult-sshd): Ctrl-\\ does nothing; a crash shows the apology, never a backtrace")
    func crashAndCtrlBackslashOverSSH() async throws {
        let server = try await SSHServer()
        let command = ["env", "-u", "LC_ALL", "LANG=C.UTF-8"] + server.sshCommand([])
        let terminal = try TmuxHarness(command: { _ in command }, dataDirectory: server.dataDirectory)
        defer { terminal.kill() }
        try await terminal.waitForPrompt(after: en["intake.language.prompt"], timeout: 20)
        try await terminal.answer("1", then: en["intake.consent.prompt"])
        try terminal.type("ye")
        try await terminal.waitForInput("ye")
        try terminal.press(.ctrlBackslash)
        try await Task.sleep(for: .milliseconds(700))
        for word in Self.crashWords {
            #expect(try !terminal.scrollback().contains(word), "Ctrl-\\ over SSH showed “\(word)”")
        }
        try terminal.type("s")
        try await terminal.waitForInput("yes")
        try terminal.press(.enter)
        try await terminal.waitForPrompt(after: en["intake.topic.prompt"])

        try terminal.signalProgram(SIGSEGV)
        _ = try await terminal.waitForExit(timeout: 15)
        let screen = try terminal.scrollback()
        for word in Self.crashWords {
            #expect(!screen.contains(word), "the SSH client showed “\(word)”:\n\(screen.suffix(1500))")
        }
        #expect(
            TmuxHarness.normalized(screen).contains(TmuxHarness.normalized(en.lead("crash.apology"))),
            "no apology over SSH:\n\(screen.suffix(1500))")
        let transcript = try #require(server.transcripts().first)
        #expect(ServedConsultations.endReason(transcript) == "crashed")
        let id = transcript.deletingPathExtension().lastPathComponent
        let report = server.dataDirectory.appendingPathComponent("crashes/\(id).log")
        #expect(
            ((try? String(contentsOf: report, encoding: .utf8)) ?? "").contains("SIGSEGV"),
            "no report at \(report.path)")
        let verify = try server.verifyTranscripts()
        #expect(verify.status == 0, "\(verify.output)")
        #expect(try await server.stop() == 0)
    }

    // MARK: - Signals reach consult only (item 3)

    @Test(
        "SIGTERM and SIGHUP while libedit reads end consult alone: a shell in its process group survives",
        arguments: [(SIGTERM, "interrupted"), (SIGHUP, "disconnected")])
    func signalSparesTheParentShell(_ signal: Int32, _ reason: String) async throws {
        let binary = Binaries.consult.path
        // `sh -c` without job control: consult stays in the shell's process group.
        let terminal = try TmuxHarness(command: { data in
            [
                "env", "LANG=C.UTF-8", "sh", "-c",
                "\(shellQuoted(binary)) --today \(testToday) --data-dir \(shellQuoted(data.path)); echo SURVIVED-$?",
            ]
        })
        defer { terminal.kill() }
        try await terminal.waitForPrompt(after: en["intake.language.prompt"])
        try await terminal.answer("1", then: en["intake.consent.prompt"])
        try terminal.signalProgram(signal)
        let exit = try await terminal.waitForExit()
        let screen = try terminal.scrollback()
        #expect(screen.contains("SURVIVED-"), "the shell around consult was killed too:\n\(screen.suffix(800))")
        #expect(exit.terminalRestored, "terminal modes not restored: \(exit.modes)")
        let transcript = try #require(ServedConsultations.transcripts(in: terminal.dataDirectory).first)
        #expect(ServedConsultations.endReason(transcript) == reason)
    }

    // MARK: - Overlong lines (item 5, the reader)

    @Test("a pasted line of 1 MB is refused at the reader with a clear re-ask; the consultation goes on")
    func overlongLineAtTheTerminal() async throws {
        let terminal = try await startAndAnswer(.cUTF8)
        defer { terminal.kill() }
        let pid = try #require(ProcessTable.consultations(terminal.dataDirectory).first)
        let cpuBefore = ProcessTable.cpuSeconds(pid)
        try terminal.paste(String(repeating: "x", count: 1_000_000))
        try terminal.press(.enter)
        try await terminal.waitForPrompt(after: en.lead("ui.line_too_long"), timeout: 60)
        let cpu = ProcessTable.cpuSeconds(pid) - cpuBefore
        let peak = ProcessTable.peakRSS(pid) ?? 0
        #expect(cpu < 5, "1 MB line cost \(cpu) s of CPU")
        #expect(peak < 120_000, "peak memory \(peak) KiB")
        let screen = try terminal.screen()
        #expect(!screen.contains(String(repeating: "x", count: 5000)), "the overlong line is still shown")
        // The question is asked again and a normal answer is taken.
        #expect(TmuxHarness.normalized(screen).contains(TmuxHarness.normalized(en["vks.has_vks_work_permit.prompt"])))
        try await terminal.answer("1", then: en["vks.work_permit_expires.prompt"])
        // A line of exactly the limit is an answer like any other (here: not a date).
        try terminal.paste(String(repeating: "7", count: 4096))
        try terminal.press(.enter)
        try await terminal.waitFor(en["answer.expected_date"], timeout: 20)
    }

    @Test("piped: a 1 MB line is refused with a re-ask and little memory; the next line is answered")
    func overlongLineFromAPipe() async throws {
        let session = try PipedSession(extra: [])
        defer { session.finish() }
        try await session.waitFor(en["intake.language.prompt"])
        session.send("1\nyes\n1\n1\n")
        try await session.waitFor(en["vks.has_vks_work_permit.prompt"])
        let cpuBefore = ProcessTable.cpuSeconds(session.pid)
        session.send(String(repeating: "ж", count: 1_000_000) + "\n1\n")
        try await session.waitFor(en["vks.work_permit_expires.prompt"], timeout: 30)
        let output = session.output
        #expect(
            TmuxHarness.normalized(output).contains(TmuxHarness.normalized(en.lead("ui.line_too_long"))),
            "\(output.suffix(600))")
        #expect(!output.contains(String(repeating: "ж", count: 5000)), "the overlong line was echoed")
        #expect(ProcessTable.cpuSeconds(session.pid) - cpuBefore < 5)
        #expect(
            (ProcessTable.peakRSS(session.pid) ?? 0) < 120_000,
            "peak memory \(ProcessTable.peakRSS(session.pid) ?? 0) KiB")
        session.closeInput()
        _ = try await session.exit(timeout: 10)
        let transcript = try #require(ServedConsultations.transcripts(in: session.dataDirectory).first)
        let size = (try? FileManager.default.attributesOfItem(atPath: transcript.path)[.size] as? Int) ?? 0
        #expect(size < 200_000, "transcript of \(size) bytes")
    }

    // MARK: - Piped sessions: signals and the end of input (items 2, 12)

    @Test(
        "piped: SIGTERM, SIGINT, SIGHUP and SIGPIPE end the session at once, with its reason",
        arguments: [
            (SIGTERM, "interrupted"), (SIGINT, "interrupted"), (SIGHUP, "disconnected"), (SIGPIPE, "disconnected"),
        ])
    func pipedSessionEndsOnSignal(_ signal: Int32, _ reason: String) async throws {
        let session = try PipedSession(extra: [])
        defer { session.finish() }
        try await session.waitFor(en["intake.language.prompt"])
        session.send("1\n")
        try await session.waitFor(en["intake.consent.prompt"])
        try await Task.sleep(for: .milliseconds(200))
        kill(session.pid, signal)
        let status: Int32
        do {
            status = try await session.exit(timeout: 5)
        } catch {
            Issue.record(
                "still running 5 s after signal \(signal), \(ProcessTable.cpuSeconds(session.pid)) s of CPU: \(error)")
            return
        }
        #expect(status == 0 || status == 1, "exit status \(status)")
        let transcript = try #require(ServedConsultations.transcripts(in: session.dataDirectory).first)
        #expect(
            ServedConsultations.endReason(transcript) == reason,
            "\(ServedConsultations.events(transcript).last.map { "\($0.event)" } ?? "no events")")
    }

    @Test("piped: the end of the input is recorded as “input ended”, not as a lost connection")
    func pipedEndOfInput() async throws {
        let session = try PipedSession(extra: [])
        defer { session.finish() }
        try await session.waitFor(en["intake.language.prompt"])
        session.send("1\nyes\n")
        try await session.waitFor(en["intake.topic.prompt"])
        session.closeInput()
        _ = try await session.exit(timeout: 10)
        let transcript = try #require(ServedConsultations.transcripts(in: session.dataDirectory).first)
        #expect(
            ServedConsultations.endReason(transcript) == "input_ended",
            "\(ServedConsultations.events(transcript).last.map { "\($0.event)" } ?? "no events")")
        let show = try Self.consult(
            [
                "transcripts", "show", transcript.deletingPathExtension().lastPathComponent,
                "--lang", "en", "--data-dir", session.dataDirectory.path,
            ], in: session.directory)
        #expect(show.contains(en["staff.reason.input_ended"]), "\(show.suffix(600))")
        #expect(!show.contains(en["staff.reason.disconnected"]), "\(show.suffix(600))")
    }

    @Test("a terminal that hangs up is still recorded as a lost connection")
    func hangUpStaysDisconnected() async throws {
        let terminal = try await startAndAnswer(.cUTF8)
        defer { terminal.kill() }
        // Closing the pane hangs up its terminal: the kernel sends SIGHUP and reads then fail.
        let pid = try #require(ProcessTable.consultations(terminal.dataDirectory).first)
        try terminal.killPane()
        let deadline = Date().addingTimeInterval(10)
        while kill(pid, 0) == 0 && Date() < deadline { try await Task.sleep(for: .milliseconds(50)) }
        let transcript = try #require(ServedConsultations.transcripts(in: terminal.dataDirectory).first)
        #expect(ServedConsultations.endReason(transcript) == "disconnected")
    }

    // MARK: - Helpers

    /// What `consult ARGUMENTS` printed (its output kept in `directory`).
    static func consult(_ arguments: [String], in directory: URL) throws -> String {
        try Spawn.run(Binaries.consult.path, arguments, scratch: directory, name: "consult").output
    }
}

extension TmuxHarness {
    /// Pastes `text` into the pane as one paste (tmux's buffer), as a terminal does with a paste.
    func paste(_ text: String) throws {
        let file = directory.appendingPathComponent("paste-\(UUID().uuidString.prefix(8))")
        try text.write(to: file, atomically: true, encoding: .utf8)
        try tmux(["load-buffer", "-b", "paste", file.path])
        try tmux(["paste-buffer", "-d", "-b", "paste", "-t", sessionName])
    }

    /// Closes the pane: its terminal hangs up.
    func killPane() throws {
        try tmux(["kill-pane", "-t", sessionName])
    }

    private func tmux(_ arguments: [String]) throws {
        guard let tmux = Self.tmux else { throw HarnessError(description: "tmux is not installed") }
        let out = directory.appendingPathComponent("tmux-\(UUID().uuidString.prefix(8)).out")
        let status = try Spawn.spawnAndWait(
            tmux, ["-L", socket] + arguments, environment: ["LANG": "C.UTF-8"],
            output: out.path, error: out.path)
        guard status == 0 else {
            throw HarnessError(
                description:
                    "tmux \(arguments.joined(separator: " ")): \((try? String(contentsOf: out, encoding: .utf8)) ?? "")"
            )
        }
    }
}

/// `consult` with its standard input a pipe (CI, `ssh -T`) and its output in a file.
final class PipedSession {
    let directory: URL
    let dataDirectory: URL
    let pid: pid_t
    private var input: Int32
    private let outputFile: URL
    private var reaped = false

    init(extra: [String]) throws {
        directory = try temporaryDirectory("consult-piped")
        dataDirectory = directory.appendingPathComponent("data")
        outputFile = directory.appendingPathComponent("output")
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw HarnessError(description: "pipe failed") }
        _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        pid = try Spawn.spawn(
            Binaries.consult.path,
            ["--today", testToday, "--data-dir", dataDirectory.path] + extra,
            environment: ["PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"],
            input: fds[0], output: outputFile.path, error: outputFile.path)
        close(fds[0])
        input = fds[1]
    }

    var output: String { (try? String(contentsOf: outputFile, encoding: .utf8)) ?? "" }

    /// Writes `text` on a thread of its own (a large write blocks until the program reads it).
    func send(_ text: String) {
        let fd = input
        let bytes = Array(text.utf8)
        let thread = Thread {
            var written = 0
            while written < bytes.count {
                let n = bytes[written...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
                if n <= 0 { break }
                written += n
            }
        }
        thread.start()
    }

    func closeInput() {
        if input >= 0 { close(input) }
        input = -1
    }

    func waitFor(_ text: String, timeout: Double = 10) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while !TmuxHarness.normalized(output).contains(TmuxHarness.normalized(text)) {
            guard Date() < deadline else {
                throw HarnessError(description: "timed out waiting for “\(text)”; output:\n\(output.suffix(1500))")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    func exit(timeout: Double) async throws -> Int32 {
        defer { reaped = true }
        return try await Spawn.exitStatus(of: pid, timeout: timeout)
    }

    func finish() {
        closeInput()
        if !reaped {
            kill(pid, SIGKILL)
            _ = try? Spawn.waitForExit(pid)
        }
        try? FileManager.default.removeItem(at: directory)
    }
}
