#if canImport(Glibc)
import Glibc
#endif
import ConsultRecords
import Foundation
import Testing

/// A real `consult-sshd` on 127.0.0.1 (a free port it picks itself), with a host key, data
/// directory and log of its own, started for one test and stopped (SIGTERM) at its end. The
/// clients are the real OpenSSH `ssh`.
final class SSHServer {
    /// `consult-sshd` beside the test bundle (as ``TmuxHarness/binary`` finds `consult`).
    static var binary: URL {
        TmuxHarness.binary.deletingLastPathComponent().appendingPathComponent("consult-sshd")
    }

    /// The OpenSSH client; nil when it is not installed.
    static let ssh: String? = ["/usr/bin/ssh", "/usr/local/bin/ssh"].first { FileManager.default.isExecutableFile(atPath: $0) }

    let directory: URL
    let dataDirectory: URL
    let hostKey: URL
    let logFile: URL
    private(set) var port = 0
    private var pid: pid_t = 0
    private var exited: Int32?

    /// Starts the server with `arguments` after the test defaults (listen, host key, data
    /// directory, `--today`, debug logging); `hostKey` reuses a key file from an earlier server.
    init(_ arguments: [String] = [], hostKey: URL? = nil, directory: URL? = nil) async throws {
        guard Self.ssh != nil else {
            throw HarnessError(description: "the OpenSSH client is not installed (`make test` installs openssh-client)")
        }
        guard FileManager.default.isExecutableFile(atPath: Self.binary.path) else {
            throw HarnessError(description: "no consult-sshd at \(Self.binary.path): run `swift build --build-tests` first")
        }
        self.directory = directory ?? FileManager.default.temporaryDirectory.appendingPathComponent("consult-sshd-\(UUID().uuidString.lowercased())")
        try FileManager.default.createDirectory(at: self.directory, withIntermediateDirectories: true)
        dataDirectory = self.directory.appendingPathComponent("data")
        self.hostKey = hostKey ?? self.directory.appendingPathComponent("host_key")
        logFile = self.directory.appendingPathComponent("sshd-\(UUID().uuidString.prefix(8)).log")
        let root = TmuxHarness.repositoryRoot
        let defaults = ["--listen", "127.0.0.1:0", "--host-key", self.hostKey.path, "--data-dir", dataDirectory.path,
                        "--today", testToday, "--log-level", "debug", "--consult", TmuxHarness.binary.path,
                        "--dialogs", root.appendingPathComponent("dialogs").path,
                        "--locales", root.appendingPathComponent("locales").path]
        pid = try TmuxHarness.spawn(Self.binary.path, defaults + arguments, environment: ["PATH": "/usr/bin:/bin"],
                                    output: logFile.path, error: logFile.path)
        let line = try await waitForLog("listening") { _ in true }
        // address=[IPv4]127.0.0.1/127.0.0.1:PORT
        guard let range = line.range(of: #"127\.0\.0\.1:(\d+)"#, options: .regularExpression),
              let port = Int(line[range].split(separator: ":").last ?? "") else {
            throw HarnessError(description: "no port in the server's log line: \(line)")
        }
        self.port = port
    }

    deinit {
        if exited == nil && pid > 0 {
            kill(pid, SIGKILL)
            _ = try? TmuxHarness.waitForExit(pid)
        }
        try? FileManager.default.removeItem(at: directory)
    }

    /// The server's log so far.
    func log() -> String {
        (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
    }

    /// Waits until a log line contains `text` (and satisfies `condition`); returns that line.
    @discardableResult
    func waitForLog(_ text: String, timeout: Double = 20, _ condition: (String) -> Bool = { _ in true }) async throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let line = log().split(separator: "\n").map(String.init).first(where: { $0.contains(text) && condition($0) }) {
                return line
            }
            if let status = try processExited() {
                throw HarnessError(description: "consult-sshd exited (\(status)) before logging “\(text)”:\n\(log())")
            }
            guard Date() < deadline else {
                throw HarnessError(description: "timed out after \(timeout) s waiting for “\(text)” in the server's log:\n\(log())")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// The server's exit status if it has ended (reaped here once).
    func processExited() throws -> Int32? {
        if let exited { return exited }
        var status: Int32 = 0
        guard waitpid(pid, &status, WNOHANG) == pid else { return nil }
        exited = status & 0x7F == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        return exited
    }

    /// Sends `signal` and waits for the server to end; its exit status.
    func stop(_ signal: Int32 = SIGTERM, timeout: Double = 30) async throws -> Int32 {
        if let exited { return exited }
        kill(pid, signal)
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let status = try processExited() { return status }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw HarnessError(description: "consult-sshd did not stop within \(timeout) s:\n\(log())")
    }

    /// `ssh` to this server as `user`, host key not checked (each test's server has a new one)
    /// unless `options` say otherwise: ssh takes the first value given for an option.
    func sshCommand(_ options: [String] = [], user: String = "guest", command: [String] = []) -> [String] {
        [Self.ssh ?? "ssh", "-p", String(port)] + options
            + ["-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR", "-o", "ConnectTimeout=20"]
            + ["\(user)@127.0.0.1"] + command
    }

    /// Runs `ssh` to completion with its output in files; status, standard output and error.
    func runSSH(_ options: [String] = [], user: String = "guest", command: [String] = [],
                environment: [String: String] = [:]) async throws -> (status: Int32, output: String, error: String) {
        let id = UUID().uuidString.prefix(8)
        let out = directory.appendingPathComponent("ssh-\(id).out")
        let err = directory.appendingPathComponent("ssh-\(id).err")
        let arguments = sshCommand(options, user: user, command: command)
        let child = try TmuxHarness.spawn(arguments[0], Array(arguments.dropFirst()),
                                          environment: ["PATH": "/usr/bin:/bin", "HOME": directory.path].merging(environment) { $1 },
                                          output: out.path, error: err.path)
        let status = try await Self.exitStatus(of: child, timeout: 60)
        return (status, (try? String(contentsOf: out, encoding: .utf8)) ?? "", (try? String(contentsOf: err, encoding: .utf8)) ?? "")
    }

    /// Polls for `pid`'s end without blocking a thread of the test runner's pool.
    static func exitStatus(of pid: pid_t, timeout: Double) async throws -> Int32 {
        let deadline = Date().addingTimeInterval(timeout)
        var status: Int32 = 0
        while waitpid(pid, &status, WNOHANG) != pid {
            guard Date() < deadline else {
                kill(pid, SIGKILL)
                _ = try? TmuxHarness.waitForExit(pid)
                throw HarnessError(description: "process \(pid) did not end within \(timeout) s")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        return status & 0x7F == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
    }

    // MARK: - Records

    func transcripts() -> [URL] {
        ServedConsultations.transcripts(in: dataDirectory)
    }

    /// The events of a transcript that its chain vouches for, read as the staff commands read them.
    static func events(_ transcript: URL) -> [TranscriptEvent] {
        TranscriptReader.read(transcript).events
    }

    /// The `end` event's reason of a transcript; nil while it has none.
    static func endReason(_ transcript: URL) -> String? {
        for event in events(transcript).reversed() {
            if case .end(let end) = event.event { return end.reason }
        }
        return nil
    }

    /// Waits until the only transcript has ended; its reason.
    func waitForEnd(timeout: Double = 20) async throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let transcript = transcripts().first, let reason = Self.endReason(transcript) { return reason }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw HarnessError(description: "no transcript ended within \(timeout) s; transcripts: \(transcripts().map(\.lastPathComponent))\n\(log())")
    }

    /// `consult transcripts verify --all` on this server's data directory: status and output.
    func verifyTranscripts() throws -> (status: Int32, output: String) {
        try ServedConsultations.verify(dataDirectory, scratch: directory)
    }

    /// Sends `signal` to this server's ssh clients (found by the port on their command line).
    func signalClients(_ signal: Int32) throws {
        try ServedConsultations.signalClients(port: port, signal)
    }

    /// Whether no consultation of this server is running (polls for up to `timeout`).
    func noConsultations(timeout: Double = 10) async throws -> Bool {
        try await ServedConsultations.noneRunning(dataDirectory, timeout: timeout)
    }
}

extension TranscriptEvent {
    /// The start event's fields; nil for any other event.
    var start: ConsultationEvent.Start? {
        if case .start(let start) = event { return start }
        return nil
    }

    /// The end event's fields; nil for any other event.
    var end: ConsultationEvent.End? {
        if case .end(let end) = event { return end }
        return nil
    }

    /// What the applicant typed: the input of an answer, of a line not accepted or of a command.
    var input: String? {
        switch event {
        case .answer(let a): return a.input
        case .rejected(let r): return r.input
        case .command(let c): return c.input
        default: return nil
        }
    }
}
