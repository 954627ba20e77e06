import ConsultTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `consult-sshd` against clients that are hostile or merely unlucky (issue 9): a huge paste,
/// connections that never speak SSH, a server that is shut down, records that cannot be written.
/// Real OpenSSH clients and real sockets; the whole 127/8 range is loopback on Linux, so the
/// "other addresses" of a flood are 127.0.0.2 and up.
@Suite("consult-sshd against hostile or unlucky clients")
struct SSHServerHostileTests {
    let ru = LocaleText.ru
    let en = LocaleText.en

    static func contains(_ haystack: String, _ needle: String) -> Bool {
        SSHServerTests.contains(haystack, needle)
    }

    // MARK: - A huge paste (item 4)

    @Test("a 1 MB paste neither freezes the session nor the server: Enter and the next answer still work")
    func hugePaste() async throws {
        let server = try await SSHServer()
        // ssh -tt with its standard input a pipe: the test types (and pastes) by writing to it.
        var ends: [Int32] = [-1, -1]
        #expect(pipe(&ends) == 0)
        let output = server.directory.appendingPathComponent("paste.out")
        let command = server.sshCommand(["-tt"])
        let client = try Spawn.spawn(
            command[0], Array(command.dropFirst()),
            environment: ["PATH": "/usr/bin:/bin", "HOME": server.directory.path, "LANG": "C.UTF-8"],
            input: ends[0], output: output.path,
            error: server.directory.appendingPathComponent("paste.err").path)
        close(ends[0])
        let input = FileHandle(fileDescriptor: ends[1], closeOnDealloc: true)
        defer {
            kill(client, SIGKILL)
            _ = try? Spawn.waitForExit(client)
        }
        func shown() -> String {
            // Lossy: a cut multi-byte character must not hide the rest.
            Self.plain(String(decoding: (try? Data(contentsOf: output)) ?? Data(), as: UTF8.self))
        }
        func wait(for text: String, timeout: Double) async throws {
            let deadline = Date().addingTimeInterval(timeout)
            while !Self.contains(shown(), text) {
                guard Date() < deadline else {
                    throw HarnessError(
                        description:
                            "“\(text)” not shown within \(timeout) s (\(shown().count) characters shown); last output: \(String(shown().suffix(600)))\n\(server.log())"
                    )
                }
                try await Task.sleep(for: .milliseconds(200))
            }
        }
        try await wait(for: en["intake.language.prompt"], timeout: 20)

        // A megabyte in one go, as a terminal pastes it: one line, no Enter.
        let paste = String(repeating: "0123456789abcdef", count: 65_536)
        try input.write(contentsOf: Data(paste.utf8))
        // Enter, then an answer typed as usual: Russian.
        try input.write(contentsOf: Data("\r".utf8))
        let consent = ru["intake.consent.prompt"].split(separator: " ").prefix(4).joined(separator: " ")
        #expect(!Self.contains(shown(), consent))
        // The paste must first come back (echoed); the re-asked question follows Enter.
        try await Task.sleep(for: .milliseconds(500))
        try input.write(contentsOf: Data("3\r".utf8))
        try await wait(for: consent, timeout: 180)

        // Meanwhile and after, the server serves others.
        let other = try await server.runSSH(["-T"])
        #expect(other.status == 1 && Self.contains(other.error, en.lead("ssh.needs_terminal")), "\(other.error)")
        try input.write(contentsOf: Data("да\r".utf8))
        try await wait(
            for: ru["intake.topic.prompt"].split(separator: " ").prefix(3).joined(separator: " "), timeout: 30)
        #expect(try await server.stop() == 0)
    }

    /// Terminal output without its escape sequences and carriage returns, blanks collapsed.
    static func plain(_ raw: String) -> String {
        raw.replacingOccurrences(of: #"\x{1B}\[[0-9;?]*[ -/]*[@-~]"#, with: "", options: .regularExpression)
            .replacingOccurrences(of: #"\x{1B}[()][0-9A-B]"#, with: "", options: .regularExpression)
            .replacingOccurrences(of: "\r", with: "")
    }

    // MARK: - Slow and idle connections (item 10)

    @Test("idle and half-speaking connections from 15 addresses cannot keep a real client out")
    func idleFlood() async throws {
        // A long login grace time (slow links): the flood must not hold the places for all of it.
        let server = try await SSHServer([
            "--login-grace-seconds", "120", "--max-unauthenticated", "10",
            "--max-connections-per-minute", "40",
        ])
        var flood: [Int32] = []
        defer { flood.forEach { close($0) } }
        for host in 2...16 {
            // Some say nothing at all, some start their version line and never end it.
            flood.append(
                try Loopback.idleConnection(
                    from: "127.0.0.\(host)", port: server.port,
                    sending: host.isMultiple(of: 2) ? "SSH-2.0-" : ""))
        }
        try await server.waitForLog("connection refused")
        // A real applicant from 127.0.0.1 retries as a person would, every two seconds.
        var refusals = 0
        let deadline = Date().addingTimeInterval(40)
        var attempt = try await server.runSSH(["-T"])
        while attempt.status == 255 && Date() < deadline {
            refusals += 1
            try await Task.sleep(for: .seconds(2))
            attempt = try await server.runSSH(["-T"])
        }
        #expect(
            attempt.status == 1 && Self.contains(attempt.error, en.lead("ssh.needs_terminal")),
            "refused \(refusals) times: \(attempt.error)\n\(server.log())")
        // Every flooding connection was closed by the server long before the login grace time.
        print("idle flood: the real client got in after \(refusals) refusal(s)")
        let closing = Date().addingTimeInterval(10)
        let closed = flood.filter { Loopback.closedByServer($0, within: max(0, closing.timeIntervalSinceNow)) }.count
        #expect(closed == flood.count, "\(closed) of \(flood.count) flooding connections closed")
        #expect(try await server.stop() == 0)
    }

    @Test("one address cannot hold every unauthenticated place; another address still gets in")
    func unauthenticatedPerAddress() async throws {
        let server = try await SSHServer(["--login-grace-seconds", "120", "--max-connections-per-minute", "40"])
        var held: [Int32] = []
        defer { held.forEach { close($0) } }
        for _ in 0..<6 { held.append(try Loopback.idleConnection(from: "127.0.0.2", port: server.port)) }
        // A real client from that same address is refused while its idle connections wait...
        let same = try await server.runSSH(["-T", "-b", "127.0.0.2"])
        #expect(same.status == 255, "\(same.error)")
        try await server.waitForLog("connection refused") {
            $0.contains("127.0.0.2") && $0.contains("from this address")
        }
        // ...and one from another address is not.
        let other = try await server.runSSH(["-T"])
        #expect(
            other.status == 1 && Self.contains(other.error, en.lead("ssh.needs_terminal")),
            "\(other.error)\n\(server.log())")
        #expect(try await server.stop() == 0)
    }

    @Test("from START waiting connections on, new ones are dropped at random, as OpenSSH's MaxStartups does")
    func randomEarlyDrop() async throws {
        let server = try await SSHServer([
            "--max-unauthenticated", "2:50:12", "--max-unauthenticated-per-address", "1",
            "--version-grace-seconds", "60", "--login-grace-seconds", "120",
        ])
        var flood: [Int32] = []
        defer { flood.forEach { close($0) } }
        for host in 2...31 { flood.append(try Loopback.idleConnection(from: "127.0.0.\(host)", port: server.port)) }
        // Every connection is decided (admitted or refused) and logged.
        let deadline = Date().addingTimeInterval(20)
        var admitted = 0, refused: [String] = []
        repeat {
            try await Task.sleep(for: .milliseconds(100))
            let lines = server.log().split(separator: "\n").filter { !$0.contains("remote=127.0.0.1:") }
            admitted = lines.filter { $0.hasSuffix("] connected") }.count
            refused = lines.filter { $0.hasSuffix("] connection refused") }.map(String.init)
        } while admitted + refused.count < flood.count && Date() < deadline
        #expect(admitted + refused.count == flood.count, "\(server.log())")
        // Below START (2) none is dropped; from FULL (12) all are. Between, the chance that none
        // of the 28 after the first two is dropped at random before the places fill is about 10⁻⁷.
        #expect(admitted >= 2 && admitted <= 12, "\(admitted) admitted")
        #expect(refused.contains { $0.contains("dropped at random") }, "\(refused)")
        #expect(try await server.stop() == 0)
    }

    // MARK: - Records and the data directory (item 9)

    @Test("a data directory others can read, or that cannot be created, is refused at start with its path")
    func dataDirectoryIsChecked() async throws {
        let directory = try temporaryDirectory("consult-sshd-data")
        defer { try? FileManager.default.removeItem(at: directory) }
        let open = directory.appendingPathComponent("open")
        try FileManager.default.createDirectory(at: open, withIntermediateDirectories: true)
        chmod(open.path, 0o755)
        let readable = try await SSHServerLimitsTests.startFails(["--data-dir", open.path])
        #expect(readable.contains(open.path) && readable.contains("chmod 700"), "\(readable)")

        let file = directory.appendingPathComponent("file")
        try SSHServerLimitsTests.write("not a folder\n", to: file)
        let impossible = try await SSHServerLimitsTests.startFails([
            "--data-dir", file.appendingPathComponent("data").path,
        ])
        #expect(impossible.contains(file.appendingPathComponent("data").path), "\(impossible)")
    }

    @Test("a consultation whose records could not be written (exit status 4) is logged as a record failure")
    func recordFailureIsLogged() async throws {
        let directory = try temporaryDirectory("consult-sshd-records")
        defer { try? FileManager.default.removeItem(at: directory) }
        // Stands in for a consult whose transcript could not be written: it says so and exits 4.
        let stub = directory.appendingPathComponent("consult")
        try SSHServerLimitsTests.write("#!/bin/sh\necho records unavailable\nexit 4\n", to: stub, mode: 0o700)
        let server = try await SSHServer(["--consult", stub.path])
        let result = try await server.runSSH(["-tt"])
        #expect(result.status == 4, "\(result)")
        let line = try await server.waitForLog("session ended")
        #expect(line.contains("error") && line.contains("records=not written"), "\(line)")
        #expect(try await server.stop() == 0)
    }
}
