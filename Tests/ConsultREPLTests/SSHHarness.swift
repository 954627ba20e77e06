import ConsultTestSupport
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A real `consult-sshd` on 127.0.0.1 (a free port it picks itself), with a host key, data
/// directory and log of its own, started for one test and stopped (SIGTERM) at its end. The
/// clients are the real OpenSSH `ssh`.
final class SSHServer: ServerUnderTest {
    let directory: URL
    let dataDirectory: URL
    let hostKey: URL
    let logFile: URL
    private(set) var port = 0
    private var pid: pid_t = 0
    private var exited: Int32?
    let serverName = "consult-sshd"
    let logName = "the server's log"

    /// Starts the server with `arguments` after the test defaults (listen, host key, data
    /// directory, `--today`, debug logging); `hostKey` reuses a key file from an earlier server.
    init(_ arguments: [String] = [], hostKey: URL? = nil, directory: URL? = nil) async throws {
        guard SSHClient.ssh != nil else {
            throw HarnessError(description: "the OpenSSH client is not installed (`make test` installs openssh-client)")
        }
        guard FileManager.default.isExecutableFile(atPath: Binaries.consultSSHD.path) else {
            throw HarnessError(
                description: "no consult-sshd at \(Binaries.consultSSHD.path): run `swift build --build-tests` first")
        }
        self.directory =
            directory
            ?? FileManager.default.temporaryDirectory.appendingPathComponent(
                "consult-sshd-\(UUID().uuidString.lowercased())")
        try FileManager.default.createDirectory(at: self.directory, withIntermediateDirectories: true)
        dataDirectory = self.directory.appendingPathComponent("data")
        self.hostKey = hostKey ?? self.directory.appendingPathComponent("host_key")
        logFile = self.directory.appendingPathComponent("sshd-\(UUID().uuidString.prefix(8)).log")
        let defaults = [
            "--listen", "127.0.0.1:0", "--host-key", self.hostKey.path, "--data-dir", dataDirectory.path,
            "--today", testToday, "--log-level", "debug", "--consult", Binaries.consult.path,
            "--dialogs", repositoryRoot.appendingPathComponent("dialogs").path,
            "--locales", repositoryRoot.appendingPathComponent("locales").path,
        ]
        pid = try Spawn.spawn(
            Binaries.consultSSHD.path, defaults + arguments, environment: ["PATH": "/usr/bin:/bin"],
            output: logFile.path, error: logFile.path)
        let line = try await waitForLog("listening")
        // address=[IPv4]127.0.0.1/127.0.0.1:PORT
        guard let range = line.range(of: #"127\.0\.0\.1:(\d+)"#, options: .regularExpression),
            let port = Int(line[range].split(separator: ":").last ?? "")
        else {
            throw HarnessError(description: "no port in the server's log line: \(line)")
        }
        self.port = port
    }

    deinit {
        if exited == nil && pid > 0 {
            kill(pid, SIGKILL)
            _ = try? Spawn.waitForExit(pid)
        }
        try? FileManager.default.removeItem(at: directory)
    }

    /// The server's exit status if it has ended (reaped here once).
    func processExited() -> Int32? {
        if exited == nil { exited = Spawn.reaped(pid) }
        return exited
    }

    /// Sends `signal` and waits for the server to end; its exit status.
    func stop(_ signal: Int32 = SIGTERM, timeout: Double = 30) async throws -> Int32 {
        if let exited { return exited }
        kill(pid, signal)
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let status = processExited() { return status }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw HarnessError(description: "consult-sshd did not stop within \(timeout) s:\n\(log())")
    }

    /// `ssh` to this server as `user`, host key not checked (each test's server has a new one)
    /// unless `options` say otherwise: ssh takes the first value given for an option.
    func sshCommand(_ options: [String] = [], user: String = "guest", command: [String] = []) -> [String] {
        SSHClient.command(
            port: port, options + SSHClient.unknownHostKey + ["-o", "ConnectTimeout=20"], user: user, command: command)
    }

    /// Runs `ssh` to completion with its output in files; status, standard output and error.
    func runSSH(
        _ options: [String] = [], user: String = "guest", command: [String] = [],
        environment: [String: String] = [:]
    ) async throws -> (status: Int32, output: String, error: String) {
        try await runClient(sshCommand(options, user: user, command: command), environment: environment)
    }
}
