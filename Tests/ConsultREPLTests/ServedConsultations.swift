#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// What a server under test (consult-sshd or OpenSSH with the recipe) leaves behind in its data
/// directory, and the processes around it: shared by ``SSHServer`` and ``OpenSSHServer``.
enum ServedConsultations {
    static func transcripts(in dataDirectory: URL) -> [URL] {
        let folder = dataDirectory.appendingPathComponent("transcripts")
        return ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [])
            .filter { $0.hasSuffix(".jsonl") }.sorted().map { folder.appendingPathComponent($0) }
    }

    /// `consult transcripts verify --all` on `dataDirectory` (its output kept in `scratch`).
    static func verify(_ dataDirectory: URL, scratch: URL) throws -> (status: Int32, output: String) {
        let out = scratch.appendingPathComponent("verify-\(UUID().uuidString.prefix(8)).out")
        let status = try TmuxHarness.spawnAndWait(TmuxHarness.binary.path, ["transcripts", "verify", "--all", "--data-dir", dataDirectory.path],
                                                  environment: ["PATH": "/usr/bin:/bin"], output: out.path, error: out.path)
        return (status, (try? String(contentsOf: out, encoding: .utf8)) ?? "")
    }

    /// Sends `signal` to the ssh clients of `port` (found by `-p PORT` on their command line).
    static func signalClients(port: Int, _ signal: Int32) throws {
        let clients = ProcessTable.processes {
            guard $0.first?.hasSuffix("ssh") == true, let p = $0.firstIndex(of: "-p"), p + 1 < $0.count else { return false }
            return $0[p + 1] == String(port)
        }
        guard !clients.isEmpty else { throw HarnessError(description: "no ssh client of port \(port) to signal") }
        for client in clients { kill(client.pid, signal) }
    }

    /// Whether no `consult` writing to `dataDirectory` is running (checked once, then polled for
    /// up to `timeout` seconds).
    static func noneRunning(_ dataDirectory: URL, timeout: Double) async throws -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let running = ProcessTable.processes { $0.first?.hasSuffix("/consult") == true && $0.contains(dataDirectory.path) }
            if running.isEmpty { return true }
            if Date() >= deadline { return false }
            try await Task.sleep(for: .milliseconds(50))
        }
    }
}
