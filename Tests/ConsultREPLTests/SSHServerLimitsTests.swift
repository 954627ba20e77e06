import ConsultTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `consult-sshd`'s host key, authentication, limits and shutdown, with the real OpenSSH client.
@Suite("consult-sshd: host key, authentication, limits, shutdown")
struct SSHServerLimitsTests {
    let ru = LocaleText.ru
    let en = LocaleText.en

    static func contains(_ haystack: String, _ needle: String) -> Bool {
        SSHServerTests.contains(haystack, needle)
    }

    @Test("the host key is generated once (0600) and the same key is served after a restart")
    func hostKeyPersists() async throws {
        let first = try await SSHServer()
        let generated = try await first.waitForLog("host key generated")
        let attributes = try FileManager.default.attributesOfItem(atPath: first.hostKey.path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        #expect(FileManager.default.fileExists(atPath: first.hostKey.path + ".pub"))
        let knownHosts = first.directory.appendingPathComponent("known_hosts").path
        // One alias for both servers: the known key is checked whatever the port.
        let known = ["-o", "UserKnownHostsFile=\(knownHosts)", "-o", "HostKeyAlias=consult-test"]
        let learn = try await first.runSSH(["-T", "-o", "StrictHostKeyChecking=accept-new"] + known)
        #expect(learn.status == 1, "\(learn.error)")
        #expect(try await first.stop() == 0)

        // Same key file, new process, new port: the client that knows the key accepts it strictly.
        let second = try await SSHServer(
            hostKey: first.hostKey, directory: first.directory.appendingPathComponent("second"))
        let loaded = try await second.waitForLog("host key loaded")
        let fingerprint = { (line: String) in line.split(separator: " ").first { $0.hasPrefix("fingerprint=") } }
        #expect(fingerprint(loaded) != nil && fingerprint(loaded) == fingerprint(generated), "\(generated)\n\(loaded)")
        let strict = try await second.runSSH(["-T", "-o", "StrictHostKeyChecking=yes"] + known)
        #expect(strict.status == 1, "a changed host key would be 255: \(strict.error)")
        #expect(Self.contains(strict.error, en.lead("ssh.needs_terminal")))
        #expect(try await second.stop() == 0)

        // A key file others can read is refused at start, with its path.
        chmod(first.hostKey.path, 0o644)
        let refused = try await Self.startFails(["--host-key", first.hostKey.path])
        #expect(refused.contains(first.hostKey.path) && refused.contains("chmod 600"), "\(refused)")
    }

    /// A file of `text` with `mode`.
    static func write(_ text: String, to url: URL, mode: mode_t = 0o600) throws {
        try text.write(to: url, atomically: true, encoding: .utf8)
        chmod(url.path, mode)
    }

    /// Starts consult-sshd with `arguments` expecting it to exit 2 at once; what it printed.
    static func startFails(_ arguments: [String]) async throws -> String {
        let directory = try temporaryDirectory("consult-sshd-bad")
        defer { try? FileManager.default.removeItem(at: directory) }
        let log = directory.appendingPathComponent("log").path
        var all = ["--listen", "127.0.0.1:0", "--data-dir", directory.appendingPathComponent("data").path]
        if !arguments.contains("--host-key") { all += ["--host-key", directory.appendingPathComponent("key").path] }
        let pid = try Spawn.spawn(
            Binaries.consultSSHD.path, all + arguments, environment: ["PATH": "/usr/bin:/bin"],
            output: log, error: log)
        let status = try await Spawn.exitStatus(of: pid, timeout: 20)
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        #expect(status == 2, "\(text)")
        return text
    }

    @Test("--auth keys takes an authorized ed25519 key and refuses another; RSA lines are named at start")
    func keyAuthentication() async throws {
        let directory = try temporaryDirectory("consult-sshd-keys")
        defer { try? FileManager.default.removeItem(at: directory) }
        for name in ["allowed", "other"] {
            let out = directory.appendingPathComponent("\(name).log")
            #expect(try SSHClient.generateKey(directory.appendingPathComponent(name), comment: name, log: out) == 0)
        }
        let authorized = directory.appendingPathComponent("authorized_keys")
        try FileManager.default.copyItem(at: directory.appendingPathComponent("allowed.pub"), to: authorized)
        let server = try await SSHServer(["--auth", "keys", "--authorized-keys", authorized.path])
        let identity = { (name: String) in
            [
                "-T", "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-i",
                directory.appendingPathComponent(name).path,
            ]
        }
        let allowed = try await server.runSSH(identity("allowed"), user: "anyone")
        #expect(allowed.status == 1 && Self.contains(allowed.error, en.lead("ssh.needs_terminal")), "\(allowed.error)")
        let other = try await server.runSSH(identity("other"))
        #expect(other.status == 255 && other.error.contains("Permission denied"), "\(other.error)")
        let log = server.log()
        #expect(log.contains("authentication failed") && log.contains("method=publickey"), "\(log)")
        #expect(try await server.stop() == 0)

        try "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7 someone\n".write(
            to: authorized, atomically: true, encoding: .utf8)
        let refused = try await Self.startFails(["--auth", "keys", "--authorized-keys", authorized.path])
        #expect(refused.contains("\(authorized.path):1:1") && refused.contains("RSA"), "\(refused)")
    }

    @Test("--auth password: the right password opens, a wrong one is refused and logged without the password")
    func passwordAuthentication() async throws {
        let directory = try temporaryDirectory("consult-sshd-pw")
        defer { try? FileManager.default.removeItem(at: directory) }
        let passwords = directory.appendingPathComponent("passwords")
        try Self.write("# staff demo\nanna:верный пароль 1\n", to: passwords, mode: 0o600)
        let server = try await SSHServer(["--auth", "password", "--password-file", passwords.path])
        // OpenSSH reads a password from SSH_ASKPASS when told to (no terminal needed).
        func attempt(_ password: String) async throws -> (status: Int32, output: String, error: String) {
            let askpass = directory.appendingPathComponent("askpass-\(UUID().uuidString.prefix(6))")
            try Self.write("#!/bin/sh\nprintf '%s\\n' \(shellQuoted(password))\n", to: askpass, mode: 0o700)
            return try await server.runSSH(
                [
                    "-T", "-o", "PreferredAuthentications=password", "-o", "NumberOfPasswordPrompts=1",
                    "-o", "PubkeyAuthentication=no",
                ], user: "anna",
                environment: ["SSH_ASKPASS": askpass.path, "SSH_ASKPASS_REQUIRE": "force", "DISPLAY": ":0"])
        }
        let right = try await attempt("верный пароль 1")
        #expect(right.status == 1 && Self.contains(right.error, en.lead("ssh.needs_terminal")), "\(right.error)")
        let wrong = try await attempt("неверный")
        #expect(wrong.status == 255, "\(wrong.error)")
        let log = server.log()
        #expect(log.contains("authentication failed") && log.contains("user=\"anna\""), "\(log)")
        #expect(!log.contains("верный") && !log.contains("неверный"), "\(log)")
        #expect(try await server.stop() == 0)

        chmod(passwords.path, 0o644)
        let refused = try await Self.startFails(["--auth", "password", "--password-file", passwords.path])
        #expect(refused.contains("chmod 600"), "\(refused)")
    }

    @Test("connections over the per-address rate are closed; a session over the maximum is told to try later")
    func limits() async throws {
        let server = try await SSHServer(["--max-connections-per-minute", "3", "--max-sessions", "1"])
        // One consultation holds the only place.
        let command = ["env", "LANG=ru_RU.UTF-8"] + server.sshCommand(["-o", "SendEnv=LANG"])
        let terminal = try TmuxHarness(command: { _ in command }, dataDirectory: server.dataDirectory)
        defer { terminal.kill() }
        try await terminal.waitForPrompt(after: en["intake.language.prompt"], timeout: 20)
        let busy = try await server.runSSH(["-tt", "-o", "SendEnv=LANG"], environment: ["LANG": "ru_RU.UTF-8"])
        #expect(busy.status == 1)
        #expect(Self.contains(busy.output + busy.error, ru.lead("ssh.busy")), "\(busy.output)\(busy.error)")
        // Third connection of the minute is still served; the fourth is closed before SSH starts.
        let third = try await server.runSSH(["-T"])
        #expect(third.status == 1)
        let fourth = try await server.runSSH(["-T"])
        #expect(fourth.status == 255)
        try await server.waitForLog("connection refused") { $0.contains("too many connections from this address") }
        // The running consultation was not disturbed.
        try await terminal.answer("3", then: ru["intake.consent.prompt"])
        #expect(try await server.stop() == 0)

        // Places for everyone, but one address may hold only so many.
        let perAddress = try await SSHServer(
            ["--max-sessions-per-address", "1"], directory: server.directory.appendingPathComponent("per-address"))
        let first = ["env", "LANG=C.UTF-8"] + perAddress.sshCommand()
        let holder = try TmuxHarness(command: { _ in first }, dataDirectory: perAddress.dataDirectory)
        defer { holder.kill() }
        try await holder.waitForPrompt(after: en["intake.language.prompt"], timeout: 20)
        let second = try await perAddress.runSSH(["-tt"])
        #expect(second.status == 1 && Self.contains(second.output + second.error, en.lead("ssh.busy")), "\(second)")
        try await perAddress.waitForLog("session refused") { $0.contains("too many consultations from this address") }
        #expect(try await perAddress.stop() == 0)
    }

    @Test("connections that fail or break before authenticating give their place back; garbage harms nothing")
    func unauthenticatedPlacesAreReleased() async throws {
        let directory = try temporaryDirectory("consult-sshd-unauth")
        defer { try? FileManager.default.removeItem(at: directory) }
        let passwords = directory.appendingPathComponent("passwords")
        try Self.write("anna:right\n", to: passwords, mode: 0o600)
        let askpass = directory.appendingPathComponent("askpass")
        try Self.write("#!/bin/sh\necho wrong\n", to: askpass, mode: 0o700)
        let server = try await SSHServer([
            "--auth", "password", "--password-file", passwords.path, "--max-unauthenticated", "1",
            "--max-auth-attempts", "2", "--max-connections-per-minute", "30",
        ])
        for _ in 0..<3 {
            // A wrong password, then "Too many authentication failures": the place is given back.
            let wrong = try await server.runSSH(
                [
                    "-T", "-o", "PreferredAuthentications=password", "-o", "NumberOfPasswordPrompts=3",
                    "-o", "PubkeyAuthentication=no",
                ], user: "anna",
                environment: ["SSH_ASKPASS": askpass.path, "SSH_ASKPASS_REQUIRE": "force"])
            #expect(wrong.status == 255 && wrong.error.contains("Too many authentication failures"), "\(wrong.error)")
        }
        // Not SSH at all: the connection is closed and logged, the server goes on.
        let garbage = directory.appendingPathComponent("garbage.out").path
        // (Its exit status is of no interest: the server may close before the last byte, SIGPIPE.)
        _ = try Spawn.spawnAndWait(
            "/bin/bash",
            [
                "-c",
                "exec 3<>/dev/tcp/127.0.0.1/\(server.port); printf 'GET / HTTP/1.0\\r\\n\\r\\n\\377\\0' >&3; cat <&3 >/dev/null",
            ],
            environment: ["PATH": "/usr/bin:/bin"], output: garbage, error: garbage)
        try await server.waitForLog("connection error")
        try await server.waitForLog("disconnected") { $0.contains("authenticated=false") }
        let askRight = directory.appendingPathComponent("askpass-right")
        try Self.write("#!/bin/sh\necho right\n", to: askRight, mode: 0o700)
        let right = try await server.runSSH(
            ["-T", "-o", "PreferredAuthentications=password", "-o", "PubkeyAuthentication=no"], user: "anna",
            environment: ["SSH_ASKPASS": askRight.path, "SSH_ASKPASS_REQUIRE": "force"])
        #expect(
            right.status == 1 && Self.contains(right.error, en.lead("ssh.needs_terminal")),
            "\(right.error)\n\(server.log())")
        #expect(try await server.stop() == 0)
    }

    @Test("SIGTERM ends the server gracefully: consultations close their transcripts, clients get their status")
    func gracefulShutdown() async throws {
        let server = try await SSHServer()
        let command = ["env", "LANG=C.UTF-8"] + server.sshCommand()
        let terminal = try TmuxHarness(command: { _ in command }, dataDirectory: server.dataDirectory)
        defer { terminal.kill() }
        try await terminal.waitForPrompt(after: en["intake.language.prompt"], timeout: 20)
        try await terminal.answer("3", then: ru["intake.consent.prompt"])
        #expect(try await server.stop(SIGTERM) == 0)
        #expect(try await server.waitForEnd() == "interrupted")
        // The client is told that its consultation did not end normally: not exit status 0.
        let exit = try await terminal.waitForExit(timeout: 20)
        #expect(exit.status != 0 && exit.status != 255, "ssh's exit status after a server shutdown: \(exit.status)")
        let log = server.log()
        #expect(
            log.contains("shutting down") && log.contains("reason=server shutdown") && log.contains("stopped"), "\(log)"
        )
        #expect(try await server.noConsultations(timeout: 0))
    }

    @Test("the maximum session time closes the consultation with a message; the idle time too")
    func timeLimits() async throws {
        let server = try await SSHServer(["--max-session-minutes", "0.08"])
        let command = ["env", "LANG=ru_RU.UTF-8"] + server.sshCommand(["-o", "SendEnv=LANG"])
        let terminal = try TmuxHarness(command: { _ in command }, dataDirectory: server.dataDirectory)
        defer { terminal.kill() }
        try await terminal.waitForPrompt(after: en["intake.language.prompt"], timeout: 20)
        try await terminal.waitFor(ru.lead("ssh.time_limit"), in: .scrollback, timeout: 20)
        #expect(try await server.waitForEnd() == "interrupted")
        // The session did not end as the applicant wished: ssh reports it (143, as after SIGTERM), not 0.
        let exit = try await terminal.waitForExit(timeout: 10)
        #expect(exit.status == 143, "ssh exit status \(exit.status)")
        try await server.waitForLog("session ended") { $0.contains("reason=time limit") }
        #expect(try await server.stop() == 0)

        // Idle: consult itself warns, then closes the consultation ("idle" in the transcript).
        let idle = try await SSHServer(
            ["--idle-minutes", "0.05"], directory: server.directory.appendingPathComponent("idle"))
        let idleCommand = ["env", "LANG=ru_RU.UTF-8"] + idle.sshCommand(["-o", "SendEnv=LANG"])
        let idleTerminal = try TmuxHarness(command: { _ in idleCommand }, dataDirectory: idle.dataDirectory)
        defer { idleTerminal.kill() }
        try await idleTerminal.waitForPrompt(after: en["intake.language.prompt"], timeout: 20)
        try await idleTerminal.waitFor(ru["ui.kiosk.closed_idle"], in: .scrollback, timeout: 20)
        #expect(try await idle.waitForEnd() == "idle")
        // The warning the applicant saw is in the transcript too.
        let transcript = try #require(idle.transcripts().first)
        let warned = ServedConsultations.events(transcript).contains {
            if case .shown(let shown) = $0.event { return shown.keys == ["ui.kiosk.idle_warning"] }
            return false
        }
        #expect(warned)
        #expect(try await idle.stop() == 0)
    }
}
