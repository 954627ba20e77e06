import ConsultTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Figures, not pass/fail: `consult-sshd` beside Debian's OpenSSH with the recipe's ForceCommand
/// (``OpenSSHServer``). How long an applicant waits from `ssh` to the first question, and what an
/// idle session costs in memory. The tests check only that every measurement was taken; the
/// figures are printed. The build measured is the `consult` the tests run (debug unless
/// `make bench` or `$CONSULT_REPL_BINARY`).
@Suite("SSH benchmarks: consult-sshd and OpenSSH with ForceCommand", .serialized)
struct SSHBenchmarkTests {
    static let runs = 10
    /// The first question (three languages in one line), squeezed: it may be wrapped and styled.
    static let firstQuestion = squeezed(LocaleText.en["intake.language.prompt"])
    /// consult-sshd with limits that let one address make all the benchmark's connections.
    static let serverArguments = [
        "--max-sessions", "50", "--max-sessions-per-address", "50", "--max-connections-per-minute", "200",
        "--max-unauthenticated", "50", "--max-unauthenticated-per-address", "50",
    ]
    /// Both servers' clients read no configuration of the machine's.
    static let clientOptions = ["-F", "/dev/null", "-o", "IdentityAgent=none", "-tt"]

    /// The OpenSSH side logs in as deployed (user consult, empty password, PAM) where the harness
    /// can, else with the test user's key.
    static var openSSHLogin: OpenSSHServer.Login {
        OpenSSHServer.emptyPasswordLoginPossible ? .emptyPassword : .key
    }

    static var openSSHLabel: String { label(openSSHLogin) }

    static func label(_ login: OpenSSHServer.Login) -> String {
        "OpenSSH 9.2 + ForceCommand" + (login == .emptyPassword ? " (empty password, PAM)" : " (key, no PAM)")
    }

    /// The text without escape sequences and white space.
    static func squeezed(_ text: String) -> String {
        let plain = text.replacing(try! Regex(#"\x1B\[[0-9;?]*[ -/]*[@-~]"#), with: "")
        return String(
            plain.unicodeScalars.filter { !CharacterSet.whitespacesAndNewlines.contains($0) }.map(Character.init))
    }

    /// An `ssh -tt` client whose standard input is a pipe kept open (an applicant who has not
    /// typed yet) and whose output goes to a file.
    final class Client {
        let pid: pid_t
        let input: Int32
        let output: URL
        private var ended = false

        init(_ arguments: [String], directory: URL) throws {
            var fds: [Int32] = [0, 0]
            guard pipe(&fds) == 0 else { throw HarnessError(description: "pipe: \(String(cString: strerror(errno)))") }
            output = directory.appendingPathComponent("bench-\(UUID().uuidString.prefix(8)).out")
            do {
                pid = try Spawn.spawn(
                    arguments[0], Array(arguments.dropFirst()),
                    environment: ["PATH": "/usr/bin:/bin", "HOME": directory.path],
                    input: fds[0], output: output.path, error: output.path)
            } catch {
                close(fds[0])
                close(fds[1])
                throw error
            }
            close(fds[0])
            input = fds[1]
        }

        func text() -> String {
            String(decoding: FileManager.default.contents(atPath: output.path) ?? Data(), as: UTF8.self)
        }

        /// Kills the client (as a closed laptop would) and reaps it.
        func end() {
            guard !ended else { return }
            ended = true
            kill(pid, SIGKILL)
            _ = try? Spawn.waitForExit(pid)
            close(input)
        }

        deinit { end() }
    }

    /// Starts a client and waits until it shows the first question: the client, and the time in ms.
    static func connect(
        _ arguments: [String], directory: URL, timeout: Double = 20
    ) async throws -> (client: Client, milliseconds: Double) {
        let clock = ContinuousClock()
        let started = clock.now
        let client = try Client(arguments, directory: directory)
        while !squeezed(client.text()).contains(firstQuestion) {
            if clock.now - started > .seconds(timeout) {
                let shown = client.text()
                client.end()
                throw HarnessError(
                    description:
                        "no first question within \(timeout) s from \(arguments.joined(separator: " ")):\n\(shown)")
            }
            try await Task.sleep(for: .milliseconds(2))
        }
        let elapsed = clock.now - started
        let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        return (client, milliseconds)
    }

    /// Waits until no consultation writes to `dataDirectory` (the previous client's has closed).
    static func waitForNoConsultations(_ dataDirectory: URL, timeout: Double = 10) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while !ProcessTable.consultations(dataDirectory).isEmpty {
            guard Date() < deadline else {
                throw HarnessError(
                    description: "consultations in \(dataDirectory.path) still running after \(timeout) s")
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    static func describe(_ values: [Double]) -> String {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return "no measurements" }
        let median =
            sorted.count % 2 == 1
            ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
        return String(format: "%8.1f %8.1f %8.1f", median, sorted.first!, sorted.last!)
    }

    static func mebibytes(_ kilobytes: Double) -> String {
        String(format: "%.1f MiB", kilobytes / 1024)
    }

    static var buildName: String {
        let path = Binaries.consult.path
        return path.contains("/release/") ? "release" : path.contains("/debug/") ? "debug" : path
    }

    // MARK: - Time to the first question

    @Test("Benchmark: from starting ssh to the first question, consult-sshd and OpenSSH with ForceCommand")
    func connectToFirstQuestionBenchmark() async throws {
        let ours = try await SSHServer(Self.serverArguments)
        // OpenSSH as deployed and, where that is possible, also with a key and no PAM (what the
        // recipe's other tests run): PAM's share of the wait.
        let logins: [OpenSSHServer.Login] = Self.openSSHLogin == .emptyPassword ? [.emptyPassword, .key] : [.key]
        var servers: [OpenSSHServer] = []
        defer { servers.forEach { $0.kill() } }
        for login in logins { servers.append(try await OpenSSHServer(login)) }
        let targets: [(name: String, arguments: [String], directory: URL, data: URL)] =
            [("consult-sshd", ours.sshCommand(Self.clientOptions), ours.directory, ours.dataDirectory)]
            + servers.map { (Self.label($0.login), $0.sshCommand(["-tt"]), $0.directory, $0.dataDirectory) }
        var times = Array(repeating: [Double](), count: targets.count)
        // Round 0 warms up (page cache, the content's first load) and is not counted; the
        // servers take turns so that drift on the machine affects both alike.
        for round in 0...Self.runs {
            for (index, target) in targets.enumerated() {
                let (client, milliseconds) = try await Self.connect(target.arguments, directory: target.directory)
                client.end()
                try await Self.waitForNoConsultations(target.data)
                if round > 0 { times[index].append(milliseconds) }
            }
        }
        let width = targets.map(\.name.count).max() ?? 0
        var report =
            "ssh → first question, ms (\(Self.runs) sequential connections each, \(Self.buildName) consult, 127.0.0.1):\n"
        report += "  " + "".padding(toLength: width, withPad: " ", startingAt: 0) + "   median      min      max\n"
        for (index, target) in targets.enumerated() {
            report +=
                "  " + target.name.padding(toLength: width, withPad: " ", startingAt: 0) + " "
                + Self.describe(times[index]) + "\n"
        }
        print(report, terminator: "")
        #expect(times.allSatisfy { $0.count == Self.runs })
        #expect(try await ours.stop() == 0)
        for server in servers { try await server.stop() }
    }

    // MARK: - Memory of an idle session

    @Test("Benchmark: memory of idle sessions waiting at their first question")
    func idleSessionMemoryBenchmark() async throws {
        let sessions = 10
        var report = "idle session memory (\(sessions) sessions at their first question, \(Self.buildName) consult):\n"

        // consult-sshd: one process for every connection, and a consult child per session.
        let ours = try await SSHServer(Self.serverArguments)
        let serverPID = try #require(
            ProcessTable.processes {
                $0.first?.hasSuffix("/consult-sshd") == true && $0.contains(ours.dataDirectory.path)
            }.first?.pid, "no consult-sshd process with \(ours.dataDirectory.path)")
        let ourArguments = ours.sshCommand(Self.clientOptions)
        // One session opened and closed first: one-time allocations (event loops, the first
        // key exchange) are not a session's.
        try await Self.warmUp(ourArguments, directory: ours.directory, data: ours.dataDirectory)
        let before = try Self.memory(serverPID)
        var clients: [Client] = []
        for _ in 0..<sessions {
            clients.append(try await Self.connect(ourArguments, directory: ours.directory).client)
        }
        try await Task.sleep(for: .milliseconds(300))
        let after = try Self.memory(serverPID)
        let children = ProcessTable.consultations(ours.dataDirectory)
        #expect(children.count == sessions)
        let child = try Self.average(children)
        // The server's PSS may fall: its shared libraries' pages are now divided among 10 more processes.
        report +=
            "  consult-sshd: server share \((after.rss - before.rss) / sessions) KiB RSS"
            + " (PSS \((after.pss - before.pss) / sessions) KiB)"
            + " + child \(Self.mebibytes(child.rss)) RSS (PSS \(Self.mebibytes(child.pss)))"
            + "; server \(Self.mebibytes(Double(before.rss))) → \(Self.mebibytes(Double(after.rss))) RSS\n"
        clients.forEach { $0.end() }
        clients.removeAll()
        #expect(try await ours.stop() == 0)

        // OpenSSH: per connection a privileged monitor and the user's sshd, then consult.
        let openssh = try await OpenSSHServer(Self.openSSHLogin)
        defer { openssh.kill() }
        let theirArguments = openssh.sshCommand(["-tt"])
        try await Self.warmUp(theirArguments, directory: openssh.directory, data: openssh.dataDirectory)
        let listenerBefore = try Self.memory(openssh.pid)
        for _ in 0..<sessions {
            clients.append(try await Self.connect(theirArguments, directory: openssh.directory).client)
        }
        try await Task.sleep(for: .milliseconds(300))
        let listenerAfter = try Self.memory(openssh.pid)
        let processes = ProcessTable.descendants(of: openssh.pid)
        let consults = processes.filter { ProcessTable.commandLine($0).hasPrefix(Binaries.consult.path) }
        let sshds = processes.filter { ProcessTable.commandLine($0).hasPrefix("sshd:") }
        #expect(consults.count == sessions, "\(processes.map(ProcessTable.commandLine))")
        let perSession = try Self.total(sshds)
        let theirChild = try Self.average(consults)
        report +=
            "  \(Self.openSSHLabel): \(sshds.count / max(1, sessions)) sshd processes a session, "
            + "\(Self.mebibytes(Double(perSession.rss) / Double(sessions))) RSS (PSS \(Self.mebibytes(Double(perSession.pss) / Double(sessions))))"
            + " + child \(Self.mebibytes(theirChild.rss)) RSS (PSS \(Self.mebibytes(theirChild.pss)))"
            + "; listener \(Self.mebibytes(Double(listenerBefore.rss))) → \(Self.mebibytes(Double(listenerAfter.rss))) RSS\n"
        print(report, terminator: "")
        clients.forEach { $0.end() }
        try await openssh.stop()
    }

    static func warmUp(_ arguments: [String], directory: URL, data: URL) async throws {
        let (client, _) = try await connect(arguments, directory: directory)
        client.end()
        try await waitForNoConsultations(data)
        try await Task.sleep(for: .milliseconds(200))
    }

    /// VmRSS and Pss of one process, in KiB.
    static func memory(_ pid: pid_t) throws -> (rss: Int, pss: Int) {
        guard let rss = ProcessTable.rss(pid), let pss = ProcessTable.pss(pid) else {
            throw HarnessError(description: "no memory figures for process \(pid) (/proc/\(pid)/status, smaps_rollup)")
        }
        return (rss, pss)
    }

    static func total(_ pids: [pid_t]) throws -> (rss: Int, pss: Int) {
        try pids.map(memory).reduce((0, 0)) { ($0.0 + $1.rss, $0.1 + $1.pss) }
    }

    static func average(_ pids: [pid_t]) throws -> (rss: Double, pss: Double) {
        guard !pids.isEmpty else { throw HarnessError(description: "no processes to measure") }
        let sum = try total(pids)
        return (Double(sum.rss) / Double(pids.count), Double(sum.pss) / Double(pids.count))
    }
}
