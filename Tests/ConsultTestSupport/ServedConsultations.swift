import ConsultRecords
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What a consultation under test (in a terminal, through a pipe, served by consult-sshd or by
/// OpenSSH with the recipe) leaves behind in its data directory, and the processes around it.
public enum ServedConsultations {
    /// The transcripts in `dataDirectory`, by name.
    public static func transcripts(in dataDirectory: URL) -> [URL] {
        let folder = dataDirectory.appendingPathComponent("transcripts")
        return ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [])
            .filter { $0.hasSuffix(".jsonl") }.sorted().map { folder.appendingPathComponent($0) }
    }

    /// The events of a transcript that its chain vouches for, read as the staff commands read them.
    public static func events(_ transcript: URL) -> [TranscriptEvent] {
        TranscriptReader.read(transcript).events
    }

    /// The `end` event's reason of a transcript; nil while it has none.
    public static func endReason(_ transcript: URL) -> String? {
        for event in events(transcript).reversed() {
            if case .end(let end) = event.event { return end.reason }
        }
        return nil
    }

    /// `consult transcripts verify --all` on `dataDirectory` (its output kept in `scratch`).
    public static func verify(_ dataDirectory: URL, scratch: URL) throws -> (status: Int32, output: String) {
        try Spawn.run(
            Binaries.consult.path, ["transcripts", "verify", "--all", "--data-dir", dataDirectory.path],
            scratch: scratch, name: "verify")
    }

    /// Sends `signal` to the ssh clients of `port` (found by `-p PORT` on their command line).
    public static func signalClients(port: Int, _ signal: Int32) throws {
        let clients = ProcessTable.processes {
            guard $0.first?.hasSuffix("ssh") == true, let p = $0.firstIndex(of: "-p"), p + 1 < $0.count else {
                return false
            }
            return $0[p + 1] == String(port)
        }
        guard !clients.isEmpty else { throw HarnessError(description: "no ssh client of port \(port) to signal") }
        for client in clients { kill(client.pid, signal) }
    }

    /// Whether no `consult` writing to `dataDirectory` is running (checked once, then polled for
    /// up to `timeout` seconds).
    public static func noneRunning(_ dataDirectory: URL, timeout: Double) async throws -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if ProcessTable.consultations(dataDirectory).isEmpty { return true }
            if Date() >= deadline { return false }
            try await Task.sleep(for: .milliseconds(50))
        }
    }
}

extension TranscriptEvent {
    /// The start event's fields; nil for any other event.
    public var start: ConsultationEvent.Start? {
        if case .start(let start) = event { return start }
        return nil
    }

    /// The end event's fields; nil for any other event.
    public var end: ConsultationEvent.End? {
        if case .end(let end) = event { return end }
        return nil
    }

    /// The fields of a consultation continued with its code; nil for any other event.
    public var resumed: ConsultationEvent.Resumed? {
        if case .resumed(let resumed) = event { return resumed }
        return nil
    }

    /// What the applicant typed: the input of an answer, of a line not accepted or of a command.
    public var input: String? {
        switch event {
        case .answer(let a): return a.input
        case .rejected(let r): return r.input
        case .command(let c): return c.input
        default: return nil
        }
    }
}
