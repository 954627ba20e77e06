import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An SSH server started for one test, consult-sshd or OpenSSH's sshd with the recipe: a folder
/// of its own, a data directory its consultations write to, a log, a port on 127.0.0.1 and one
/// listener process. What the two have in common is written here once.
public protocol ServerUnderTest: AnyObject {
    /// The server's own folder: keys, logs, the clients' output.
    var directory: URL { get }
    var dataDirectory: URL { get }
    var logFile: URL { get }
    var port: Int { get }
    /// How the messages name the server ("consult-sshd") and its log ("the server's log").
    var serverName: String { get }
    var logName: String { get }
    /// The listener's exit status if it has ended (reaped once), else nil.
    func processExited() -> Int32?
}

extension ServerUnderTest {
    /// The server's log so far.
    public func log() -> String {
        (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
    }

    /// Waits until a log line contains `text` (and satisfies `condition`); returns that line.
    @discardableResult
    public func waitForLog(
        _ text: String, timeout: Double = 20, _ condition: (String) -> Bool = { _ in true }
    ) async throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let line = log().split(separator: "\n").map(String.init).first(where: {
                $0.contains(text) && condition($0)
            }) {
                return line
            }
            if let status = processExited() {
                throw HarnessError(description: "\(serverName) exited (\(status)) before logging “\(text)”:\n\(log())")
            }
            guard Date() < deadline else {
                throw HarnessError(
                    description: "timed out after \(timeout) s waiting for “\(text)” in \(logName):\n\(log())")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Runs a client (`ssh …`, `sftp …`) to completion, standard input `/dev/null`, HOME this
    /// server's folder: status, standard output and error.
    public func runClient(
        _ arguments: [String], environment: [String: String] = [:], timeout: Double = 60
    )
        async throws -> (status: Int32, output: String, error: String)
    {
        try await Spawn.runAsync(
            arguments, environment: ["PATH": "/usr/bin:/bin", "HOME": directory.path].merging(environment) { $1 },
            scratch: directory, timeout: timeout)
    }

    public func transcripts() -> [URL] {
        ServedConsultations.transcripts(in: dataDirectory)
    }

    /// `consult transcripts verify --all` on this server's data directory: status and output.
    public func verifyTranscripts() throws -> (status: Int32, output: String) {
        try ServedConsultations.verify(dataDirectory, scratch: directory)
    }

    /// Sends `signal` to this server's ssh clients (found by the port on their command line).
    public func signalClients(_ signal: Int32) throws {
        try ServedConsultations.signalClients(port: port, signal)
    }

    /// Whether no consultation of this server is running (polls for up to `timeout`).
    public func noConsultations(timeout: Double = 10) async throws -> Bool {
        try await ServedConsultations.noneRunning(dataDirectory, timeout: timeout)
    }

    /// Waits until the first transcript has ended; its reason.
    public func waitForEnd(timeout: Double = 20) async throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let transcript = transcripts().first, let reason = ServedConsultations.endReason(transcript) {
                return reason
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw HarnessError(
            description:
                "no transcript ended within \(timeout) s; transcripts: \(transcripts().map(\.lastPathComponent))\n\(log())"
        )
    }

    /// Waits until `count` transcripts exist and all have ended; their end reasons.
    public func waitForEnds(_ count: Int = 1, timeout: Double = 20) async throws -> [String] {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let reasons = transcripts().compactMap(ServedConsultations.endReason)
            if reasons.count >= count && transcripts().count == reasons.count { return reasons }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw HarnessError(
            description: "\(count) transcript(s) did not end within \(timeout) s: "
                + "\(transcripts().map { "\($0.lastPathComponent): \(ServedConsultations.endReason($0) ?? "open")" })\n\(log())"
        )
    }
}

/// The OpenSSH client and key generator.
public enum SSHClient {
    /// The OpenSSH client; nil when it is not installed.
    public static let ssh: String? = ["/usr/bin/ssh", "/usr/local/bin/ssh"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }
    public static let keygen = "/usr/bin/ssh-keygen"

    /// Options for a server whose host key is new for each test: not checked, not remembered, and
    /// the client's warnings about it not printed.
    public static let unknownHostKey = [
        "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR",
    ]

    /// `ssh -p PORT OPTIONS… USER@127.0.0.1 COMMAND…` (ssh takes the first value given for an option).
    public static func command(port: Int, _ options: [String], user: String, command: [String]) -> [String] {
        [ssh ?? "ssh", "-p", String(port)] + options + ["\(user)@127.0.0.1"] + command
    }

    /// A new ed25519 key pair without a passphrase, `file` and `file.pub`; ssh-keygen's output
    /// goes to `log`. Its exit status.
    public static func generateKey(_ file: URL, comment: String, log: URL) throws -> Int32 {
        try Spawn.spawnAndWait(
            keygen, ["-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", file.path],
            environment: ["PATH": "/usr/bin:/bin"], output: log.path, error: log.path)
    }
}
