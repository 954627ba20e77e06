import ConsultTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The recipe for offices that keep their own OpenSSH (`deploy/openssh/consult.conf`), run by
/// Debian's `/usr/sbin/sshd` on a loopback port of the test's own (``OpenSSHServer``): the file
/// itself is included, so a recipe that loses its ForceCommand, its PermitTTY or its ban on
/// forwarding fails here. The clients are the real `ssh` and `sftp`.
@Suite("The OpenSSH recipe with Debian's sshd")
struct OpenSSHRecipeTests {
    let en = LocaleText.en
    let ru = LocaleText.ru

    static func contains(_ haystack: String, _ needle: String) -> Bool {
        SSHServerTests.contains(haystack, needle)
    }

    /// `sshd -T` output as keyword → values (a keyword given twice, as acceptenv, has two).
    static func settings(_ output: String) -> [String: [String]] {
        var settings: [String: [String]] = [:]
        for line in output.split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 1)
            settings[String(parts[0]), default: []].append(parts.count > 1 ? String(parts[1]) : "")
        }
        return settings
    }

    // MARK: - The configuration

    @Test("sshd -t accepts the recipe; for its user alone it forces the consultation, a terminal and no forwarding")
    func configuration() async throws {
        let server = try await OpenSSHServer()
        defer { server.kill() }
        let check = try server.check()
        #expect(check.status == 0, "\(check.output)")

        // What sshd will apply to the recipe's user, over the permissive settings that follow the Include.
        let forUser = try server.check(extended: "user=\(server.user),host=localhost,addr=127.0.0.1")
        #expect(forUser.status == 0, "\(forUser.output)")
        let settings = Self.settings(forUser.output)
        let forced = settings["forcecommand"]?.first ?? "none"
        #expect(
            forced.contains(Binaries.consult.path) && forced.contains("--channel") && forced.contains("ssh"),
            "\(forced)")
        let expected = [
            "permittty": "yes", "disableforwarding": "yes", "permittunnel": "no", "permituserrc": "no",
            "maxsessions": "1", "clientaliveinterval": "30", "clientalivecountmax": "4",
            // The applicants' way in (see the recipe's header): the empty password, no prompt.
            "passwordauthentication": "yes", "permitemptypasswords": "yes",
        ]
        for (keyword, value) in expected.sorted(by: { $0.key < $1.key }) {
            #expect(settings[keyword] == [value], "\(keyword): \(settings[keyword] ?? [])")
        }

        // The Match block ends with the included file: anyone else keeps the office's settings.
        let other = Self.settings(try server.check(extended: "user=someone-else,host=localhost,addr=127.0.0.1").output)
        #expect(other["forcecommand"] == ["none"])
        #expect(other["permittty"] == ["no"] && other["allowtcpforwarding"] == ["yes"])
        #expect(other["passwordauthentication"] == ["no"] && other["permitemptypasswords"] == ["no"])
        try await server.stop()
    }

    // MARK: - An applicant

    @Test("ssh lands in the consultation at once; a client killed mid-way leaves a transcript that ends “disconnected”")
    func consultationAndKilledClient() async throws {
        let server = try await OpenSSHServer()
        defer { server.kill() }
        let command = ["env", "-u", "LC_ALL", "LANG=ru_RU.UTF-8"] + server.sshCommand(["-o", "SendEnv=LANG"])
        let terminal = try TmuxHarness(command: { _ in command }, dataDirectory: server.dataDirectory)
        defer { terminal.kill() }
        // No shell, no password prompt: the first question.
        let first = try await terminal.waitForPrompt(after: en["intake.language.prompt"], timeout: 20)
        #expect(Self.contains(first, ru["app.title"]), "\(first)")
        // A terminal was given (with `PermitTTY no` the client says so, and line editing is gone).
        #expect(!first.contains("PTY allocation request failed"), "\(first)")

        // Русский, consent да, topic 1 (VKS), the specialist: the work-permit question.
        try await terminal.answer(RussianConsultation.toPermitQuestion)
        // Line editing works over the pseudo-terminal: a typed line is seen as typed.
        try terminal.type("абв")
        try await terminal.waitForInput("абв")

        try server.signalClients(SIGKILL)
        #expect(try await server.waitForEnds() == ["disconnected"])
        let transcript = try #require(server.transcripts().first)
        let events = ServedConsultations.events(transcript)
        let start = try #require(events.first?.start)
        #expect(start.channel == "ssh")
        #expect(start.remote?.hasPrefix("127.0.0.1") == true, "\(start)")
        let inputs = events.compactMap(\.input)
        #expect(inputs.contains("да") && !inputs.contains("абв"), "\(inputs)")
        let end = try #require(events.last?.end)
        #expect(end.facts["consent"] == .bool(true))
        let verify = try server.verifyTranscripts()
        #expect(verify.status == 0, "\(verify.output)")
        #expect(try await server.noConsultations())
        #expect(server.log().contains("Accepted publickey for \(server.user) from 127.0.0.1"), "\(server.log())")
        try await server.stop()
    }

    @Test("`ssh host cat /etc/passwd` and sftp get the consultation, no file")
    func clientCommandsIgnored() async throws {
        let server = try await OpenSSHServer()
        defer { server.kill() }
        let exec = try await server.runClient(server.sshCommand(command: ["cat", "/etc/passwd"]))
        #expect(!exec.output.contains("root:") && !exec.error.contains("root:"), "\(exec)")
        // The consultation ran instead (no terminal: the plain reader, which reads the end of /dev/null).
        #expect(Self.contains(exec.output, en["intake.language.prompt"]), "\(exec)")

        let stolen = server.directory.appendingPathComponent("stolen")
        let batch = server.directory.appendingPathComponent("sftp-batch")
        try "get /etc/passwd \(stolen.path)\n".write(to: batch, atomically: true, encoding: .utf8)
        let sftp = try await server.runClient(
            ["/usr/bin/sftp", "-P", String(server.port)] + server.clientOptions
                + ["-b", batch.path, "\(server.user)@127.0.0.1"])
        #expect(sftp.status != 0, "\(sftp)")
        #expect(!FileManager.default.fileExists(atPath: stolen.path))

        // Each got a consultation of its own, recorded as ssh, and none is left running.
        #expect(try await server.noConsultations())
        let transcripts = server.transcripts()
        let channels = transcripts.map { ServedConsultations.events($0).first?.start?.channel }
        #expect(channels == ["ssh", "ssh"], "\(channels)")
        // The command's consultation read the end of its input and closed its transcript.
        #expect(transcripts.compactMap(ServedConsultations.endReason).contains("disconnected"))
        // sftp's too: without a terminal no SIGHUP comes when the client goes; consult's next
        // write to the closed pipe raises SIGPIPE, which ends the transcript "disconnected".
        #expect(
            transcripts.allSatisfy { ServedConsultations.endReason($0) != nil },
            "\(transcripts.map { "\($0.lastPathComponent): \(ServedConsultations.endReason($0) ?? "no end event")" })")
        try await server.stop()
    }

    @Test("no forwarding: ssh -W, -L and -R reach nothing")
    func forwardingRefused() async throws {
        let server = try await OpenSSHServer()
        defer { server.kill() }
        // The target is sshd's own port: any byte through the forwarding would be its banner.
        let target = "127.0.0.1:\(server.port)"
        let stdio = try await server.runClient(server.sshCommand(["-W", target]))
        #expect(stdio.status != 0, "\(stdio)")
        #expect(!stdio.output.contains("SSH-2.0"), "\(stdio)")

        let remote = try await server.runClient(
            server.sshCommand(["-N", "-o", "ExitOnForwardFailure=yes", "-R", "0:\(target)"]), timeout: 30)
        #expect(remote.status != 0, "\(remote)")
        #expect(remote.error.contains("forwarding failed"), "\(remote)")

        // -L: the client listens and accepts; the server refuses the channel; nothing comes through.
        let localPort = try Loopback.freePort()
        let out = server.directory.appendingPathComponent("forward.out")
        let arguments = server.sshCommand(["-N", "-L", "\(localPort):\(target)"])
        let client = try Spawn.spawn(
            arguments[0], Array(arguments.dropFirst()),
            environment: ["PATH": "/usr/bin:/bin", "HOME": server.directory.path],
            output: out.path, error: out.path)
        defer {
            kill(client, SIGKILL)
            _ = try? Spawn.waitForExit(client)
        }
        var received: Data?
        let deadline = Date().addingTimeInterval(20)
        while received == nil && Date() < deadline {
            received = Loopback.connectAndRead(port: localPort, timeout: 5)
            if received == nil { try await Task.sleep(for: .milliseconds(100)) }
        }
        let data = try #require(
            received,
            "the ssh client never listened on \(localPort): \((try? String(contentsOf: out, encoding: .utf8)) ?? "")")
        #expect(!String(decoding: data, as: UTF8.self).contains("SSH-"), "\(String(decoding: data, as: UTF8.self))")
        // sshd says why (at LogLevel VERBOSE); the client's own message is below LogLevel=ERROR.
        try await server.waitForLog("refused local port forward: originator 127.0.0.1")
        #expect(server.transcripts().isEmpty)
        try await server.stop()
    }

    // MARK: - As deployed: the user consult with an empty password

    @Test(
        "the recipe's own user with an empty password: no key, no prompt, straight into the consultation",
        .enabled(
            if: OpenSSHServer.emptyPasswordLoginPossible,
            "needs root allowed to make a mount namespace (for passwd/shadow with the user consult) and a consult other users can run"
        ))
    func emptyPasswordLogin() async throws {
        let server = try await OpenSSHServer(.emptyPassword)
        defer { server.kill() }
        #expect(try server.check().status == 0)
        // BatchMode: a password prompt would fail the login instead of waiting.
        let command = server.sshCommand()
        let terminal = try TmuxHarness(command: { _ in command }, dataDirectory: server.dataDirectory)
        defer { terminal.kill() }
        let first = try await terminal.waitForPrompt(after: en["intake.language.prompt"], timeout: 20)
        #expect(!first.contains("PTY allocation request failed"), "\(first)")
        #expect(server.log().contains("Accepted none for consult from 127.0.0.1"), "\(server.log())")
        // The consultation runs as consult, not as root.
        let consultation = try #require(ProcessTable.consultations(server.dataDirectory).first)
        let status = (try? String(contentsOfFile: "/proc/\(consultation)/status", encoding: .utf8)) ?? ""
        let uidLine = status.split(separator: "\n").first { $0.hasPrefix("Uid:") } ?? ""
        #expect(
            uidLine.split(whereSeparator: \.isWhitespace).dropFirst().allSatisfy { $0 == "\(server.uid)" }, "\(uidLine)"
        )

        try await terminal.answer("3", then: ru["intake.consent.prompt"])
        try server.signalClients(SIGKILL)
        #expect(try await server.waitForEnds() == ["disconnected"])
        let transcript = try #require(server.transcripts().first)
        let owner = try FileManager.default.attributesOfItem(atPath: transcript.path)[.ownerAccountID] as? Int
        #expect(owner == Int(server.uid))
        #expect(try await server.noConsultations())
        try await server.stop()
    }
}
