import ConsultTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `consult-sshd` with the real OpenSSH client, on 127.0.0.1: what an applicant at home sees
/// (typed through `ssh` in a tmux terminal), and what the office relies on (transcripts, limits,
/// refusals, shutdown). Texts come from `locales/*.yaml` (``LocaleText``).
@Suite("consult-sshd with the OpenSSH client")
struct SSHServerTests {
    let ru = LocaleText.ru
    let es = LocaleText.es
    let en = LocaleText.en

    /// `ssh` to `server` in a tmux terminal, with LANG sent as the client's locale; waits for the first question.
    func connect(
        _ server: SSHServer, lang: String = "ru_RU.UTF-8", width: Int = 100, height: Int = 50
    ) async throws -> TmuxHarness {
        let command = ["env", "-u", "LC_ALL", "LANG=\(lang)"] + server.sshCommand(["-o", "SendEnv=LANG"])
        let terminal = try TmuxHarness(
            command: { _ in command }, dataDirectory: server.dataDirectory, width: width, height: height)
        try await terminal.waitForPrompt(after: en["intake.language.prompt"], timeout: 20)
        return terminal
    }

    static func contains(_ haystack: String, _ needle: String) -> Bool {
        TmuxHarness.normalized(haystack).contains(TmuxHarness.normalized(needle))
    }

    // MARK: - A consultation over SSH

    @Test("a whole consultation in Russian through ssh, with a client locale this machine lacks")
    func russianConsultation() async throws {
        let server = try await SSHServer()
        let terminal = try await connect(server)
        defer { terminal.kill() }
        // LANG=ru_RU.UTF-8 reached the consultation: its first screen is in Russian.
        #expect(Self.contains(try terminal.screen(), ru["app.title"]))
        try await terminal.answer(RussianConsultation.toPermitQuestion)
        let shown = try await ConsultationREPLTests.answerVKSInRussian(terminal)
        #expect(
            Self.contains(shown, ru.text("vks.outcome.vks_rp_eligible", ["permit_valid_until": "31 марта 2028 г."])))
        #expect(
            Self.contains(
                shown,
                ru.text("vks.outcome.family_included", ["family_included_members": "супруг или супруга (40 лет)"])))
        #expect(ConsultationREPLTests.rawKeys(in: shown).isEmpty, "\(ConsultationREPLTests.rawKeys(in: shown))")
        try terminal.type("нет")
        try terminal.press(.enter)
        // The consultation's exit status is ssh's.
        let exit = try await terminal.waitForExit(timeout: 20)
        #expect(exit.status == 0)
        #expect(Self.contains(try terminal.scrollback(), ru["closing.thanks"]))

        #expect(try await server.waitForEnd() == "completed")
        let transcript = try #require(server.transcripts().first)
        let start = try #require(ServedConsultations.events(transcript).first?.start)
        #expect(start.channel == "ssh")
        #expect(start.remote?.hasPrefix("127.0.0.1:") == true)
        let answers = ServedConsultations.events(transcript).filter { $0.kind == "answer" }.compactMap(\.input)
        #expect(answers.contains("супруг"))
        let verify = try server.verifyTranscripts()
        #expect(verify.status == 0, "\(verify.output)")
        #expect(verify.output.contains("intact"), "\(verify.output)")
        // The log has the session's start and end; never what was answered.
        let log = server.log()
        #expect(log.contains("session started") && log.contains("term=") && log.contains("size=100x50"), "\(log)")
        #expect(log.contains("session ended") && log.contains("duration=") && log.contains("reason=exited"), "\(log)")
        #expect(!log.contains("супруг") && !log.contains("31.03.2028"), "\(log)")
        #expect(try await server.stop() == 0)
    }

    @Test("Ctrl-C cancels the line and the question is asked again; a resize reaches the consultation")
    func controlCAndResize() async throws {
        let server = try await SSHServer()
        let terminal = try await connect(server, width: 60, height: 40)
        defer { terminal.kill() }
        try await terminal.answer("3", then: ru["intake.consent.prompt"])
        // Lines are wrapped to the 60 columns the client announced.
        #expect(try terminal.screen().split(separator: "\n").allSatisfy { $0.count <= 60 })

        try terminal.type("абв")
        try await terminal.waitForInput("абв")
        try await terminal.expectNew(ru["intake.consent.prompt"]) { try terminal.press(.ctrlC) }
        #expect(TmuxHarness.input(of: try terminal.screen()) == "")

        try terminal.resize(width: 140, height: 40)
        try await server.waitForLog("window changed") { $0.contains("size=140x40") }
        let after = try await terminal.answer("да", then: ru["intake.topic.prompt"])
        // The next block was laid out for 140 columns: some line is longer than the old width.
        let lines = after.split(separator: "\n" as Character).suffix(20)
        #expect(lines.contains { $0.count > 60 }, "\(after)")
        // The transcript holds the consent, not the cancelled "абв".
        let transcript = try #require(server.transcripts().first)
        let inputs = ServedConsultations.events(transcript).compactMap(\.input)
        #expect(inputs.contains("да") && !inputs.contains("абв"), "\(inputs)")
    }

    @Test("a client killed mid-session leaves a transcript that ends “disconnected”")
    func killedClient() async throws {
        let server = try await SSHServer()
        let terminal = try await connect(server)
        defer { terminal.kill() }
        try await terminal.answer(RussianConsultation.toPermitQuestion)
        try server.signalClients(SIGKILL)
        #expect(try await server.waitForEnd() == "disconnected")
        try await server.waitForLog("session ended") { $0.contains("reason=client disconnected") }
        let verify = try server.verifyTranscripts()
        #expect(verify.status == 0, "\(verify.output)")
        // The facts so far are in the end event.
        let transcript = try #require(server.transcripts().first)
        let end = try #require(ServedConsultations.events(transcript).last?.end)
        #expect(end.facts["consent"] == .bool(true))
        // No consultation is left behind, and the server goes on serving.
        #expect(try await server.noConsultations())
        let next = try await server.runSSH(["-T"])
        #expect(next.status == 1)
        #expect(try await server.stop() == 0)
    }

    // MARK: - What is refused

    @Test("`ssh host cat /etc/passwd`, subsystems and `ssh -T` get a message, no shell and no file")
    func refusals() async throws {
        let server = try await SSHServer()
        let exec = try await server.runSSH(command: ["cat", "/etc/passwd"])
        #expect(exec.status != 0)
        #expect(!exec.output.contains("root:") && !exec.error.contains("root:"))
        // No locale sent: the message in every language.
        #expect(Self.contains(exec.error, en.lead("ssh.no_commands")), "\(exec.error)")
        #expect(Self.contains(exec.error, ru.lead("ssh.no_commands")), "\(exec.error)")
        #expect(exec.error.contains("ssh -p \(server.port) 127.0.0.1"), "\(exec.error)")

        let sftp = try await server.runSSH(["-s"], command: ["sftp"])
        #expect(sftp.status != 0)

        let noTerminal = try await server.runSSH(["-T", "-o", "SendEnv=LANG"], environment: ["LANG": "es_ES.UTF-8"])
        #expect(noTerminal.status == 1)
        #expect(Self.contains(noTerminal.error, es.lead("ssh.needs_terminal")), "\(noTerminal.error)")
        #expect(!Self.contains(noTerminal.error, en.lead("ssh.needs_terminal")), "\(noTerminal.error)")

        let log = server.log()
        #expect(
            log.contains("exec refused") && log.contains("subsystem refused") && log.contains("reason=no terminal"),
            "\(log)")
        #expect(server.transcripts().isEmpty)
        #expect(try await server.stop() == 0)
    }

    // MARK: - Many at once

    @Test("50 concurrent scripted sessions finish with 50 intact transcripts")
    func fiftyConcurrentSessions() async throws {
        let count = 50
        let server = try await SSHServer([
            "--max-sessions", "\(count)", "--max-sessions-per-address", "\(count)",
            "--max-connections-per-minute", "\(count)",
            "--max-unauthenticated", "\(count)", "--max-unauthenticated-per-address", "\(count)",
        ])
        let script = EnglishConsultation.withAppointmentRequest.joined(separator: "\n") + "\n"
        let started = Date()
        let arguments = server.sshCommand(["-tt"])
        let directory = server.directory
        let statuses = try await withThrowingTaskGroup(of: Int32.self) { group in
            for i in 0..<count {
                group.addTask {
                    var fds: [Int32] = [0, 0]
                    guard pipe(&fds) == 0 else { throw HarnessError(description: "pipe failed") }
                    let log = directory.appendingPathComponent("client-\(i).out").path
                    let pid = try Spawn.spawn(
                        arguments[0], Array(arguments.dropFirst()),
                        environment: ["PATH": "/usr/bin:/bin", "HOME": directory.path],
                        input: fds[0], output: log, error: log)
                    close(fds[0])
                    let text = script.replacingOccurrences(of: "NAME", with: "\(i)")
                    _ = text.withCString { write(fds[1], $0, strlen($0)) }
                    // Standard input stays open until the consultation ends (an EOF is a Ctrl-D).
                    defer { close(fds[1]) }
                    return try await Spawn.exitStatus(of: pid, timeout: 240)
                }
            }
            var all: [Int32] = []
            for try await status in group { all.append(status) }
            return all
        }
        print("50 concurrent SSH consultations: \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
        #expect(statuses == Array(repeating: 0, count: count), "\(statuses)")
        let transcripts = server.transcripts()
        #expect(transcripts.count == count)
        #expect(transcripts.allSatisfy { ServedConsultations.endReason($0) == "completed" })
        let verify = try server.verifyTranscripts()
        #expect(verify.status == 0, "\(verify.output)")
        #expect(verify.output.components(separatedBy: "intact").count - 1 == count, "\(verify.output)")
        let appointments =
            (try? FileManager.default.contentsOfDirectory(
                atPath: server.dataDirectory.appendingPathComponent("appointments").path)) ?? []
        #expect(Set(appointments).count == count)
        #expect(try await server.stop() == 0)
    }
}
