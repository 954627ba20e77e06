import ConsultRecords
import ConsultTestSupport
import Foundation
import Testing

@testable import ConsultStore

#if canImport(Glibc)
    import Glibc
#endif

/// The store going away, never the applicant noticing, and nothing lost or doubled after.
@Suite(.serialized) struct StoreFaultTests {
    /// Waits until `body` is true (polling), at most `seconds`.
    func wait(_ seconds: Double = 20, _ body: () -> Bool) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while !body() {
            guard Date() < deadline else { throw HarnessError(description: "timed out") }
            usleep(20_000)
        }
    }

    func spoolFiles(_ data: URL) -> [URL] {
        let folder = data.appendingPathComponent("transcripts")
        return ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter {
            $0.hasSuffix(".jsonl")
        }
        .map { folder.appendingPathComponent($0) }
    }

    @Test(
        "PostgreSQL stopped mid-consultation and started again: the consultation completes, and after forwarding every event is stored once, verified"
    )
    func serverStoppedMidConsultation() throws {
        let server = try PostgresServer()
        let url = try server.newDatabase()
        let data = temporaryPath("consult-midway")
        defer { try? FileManager.default.removeItem(at: data) }
        let process = try consultProcess([
            "--today", "2026-11-25", "--data-dir", data.path, "--store", url, "--office", "Arbat",
        ])
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let script = consultationScript(name: "Midway Applicant")
        input.fileHandleForWriting.write(Data((script.prefix(6).joined(separator: "\n") + "\n").utf8))
        try wait { (try? fileLines(spoolFiles(data).first ?? data)).map { $0.count >= 12 } ?? false }
        let store = try RecordStore.open(StoreLocation.parse(url))
        let id = try #require(spoolFiles(data).first?.deletingPathExtension().lastPathComponent)
        // A line is in the spool a moment before it is committed to the store (then the prompt).
        try wait(5) { ((try? store.lines(of: id).count) ?? 0) >= 12 }
        store.close()
        try server.crash()
        input.fileHandleForWriting.write(Data((script.dropFirst(6).joined(separator: "\n") + "\n").utf8))
        try input.fileHandleForWriting.close()
        let screen = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(String(decoding: screen, as: UTF8.self).suffix(400))")
        #expect(
            !String(decoding: screen, as: UTF8.self).lowercased().contains("cannot be written"), "the applicant noticed"
        )
        let spooled = try Data(contentsOf: try #require(spoolFiles(data).first))
        try server.start()
        let sync = try consult(["records", "sync", "--store", url, "--data-dir", data.path, "--spool-keep-hours", "0"])
        #expect(sync.status == 0, "\(sync.stdout)\(sync.stderr)")
        #expect(spoolFiles(data).isEmpty, "the forwarded spool is removed")
        let after = try RecordStore.open(StoreLocation.parse(url))
        defer { after.close() }
        #expect(try after.transcriptBytes(id) == [UInt8](spooled), "every event once, byte for byte")
        #expect(try after.read(transcript: id)?.verification.status == .intact)
        #expect(try after.appointments().count == 1)
        #expect(try after.transcripts().first?.office == "Arbat")
    }

    @Test("the store unreachable at the start (wrong port): the consultation goes on with the spool, forwarded later")
    func wrongPortAtTheStart() throws {
        let data = temporaryPath("consult-wrongport")
        defer { try? FileManager.default.removeItem(at: data) }
        let started = Date()
        let run = try consult(
            ["--today", "2026-11-25", "--data-dir", data.path, "--store", "postgresql://consult@127.0.0.1:1/consult"],
            input: consultationScript(name: "Port Applicant").joined(separator: "\n") + "\n")
        #expect(run.status == 0, "\(run.stderr)")
        #expect(Date().timeIntervalSince(started) < 15)
        #expect(!run.stdout.lowercased().contains("cannot be written"))
        let log = try String(contentsOf: data.appendingPathComponent("logs/consult.log"), encoding: .utf8)
        #expect(log.contains("local spool"), "staff are told in the log: \(log)")
        let url = try PostgresServer.shared.get().newDatabase()
        let sync = try consult(["records", "sync", "--store", url, "--data-dir", data.path])
        #expect(sync.status == 0, "\(sync.stderr)")
        #expect(sync.stdout.contains("of 1 transcript and 1 appointment request forwarded"), "\(sync.stdout)")
        let verify = try consult(["transcripts", "verify", "--all", "--store", url, "--data-dir", "/nonexistent/desk"])
        #expect(verify.status == 0 && verify.stdout.contains(": intact"), "\(verify.stdout)\(verify.stderr)")
    }

    @Test("kill -9 while the spool forwards: the next sync completes it, every transcript stored once and verified")
    func killedWhileForwarding() throws {
        let url = try PostgresServer.shared.get().newDatabase()
        let data = DataDirectory(temporaryPath("consult-kill"))
        try data.prepare()
        defer { try? FileManager.default.removeItem(at: data.url) }
        var originals: [String: [UInt8]] = [:]
        for i in 0..<300 {
            let writer = try writeConsultation(in: data, end: i % 10 != 0, name: "Killed \(i)")
            originals[writer.id] = [UInt8](try Data(contentsOf: writer.url))
        }
        let process = try consultProcess([
            "records", "sync", "--store", url, "--data-dir", data.url.path, "--spool-keep-hours", "0",
        ])
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let location = try StoreLocation.parse(url)
        // Killed once some, not all, transcripts are in.
        try wait(60) {
            guard let store = try? RecordStore.open(location) else { return false }
            defer { store.close() }
            return ((try? store.transcripts().count) ?? 0) >= 20
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let partial = try RecordStore.open(location)
        let countAtKill = try partial.transcripts().count
        partial.close()
        #expect(countAtKill < 300, "the kill came too late to test anything")
        let sync = try consult([
            "records", "sync", "--store", url, "--data-dir", data.url.path, "--spool-keep-hours", "0",
        ])
        #expect(sync.status == 0, "\(sync.stderr)")
        let store = try RecordStore.open(location)
        defer { store.close() }
        #expect(try store.transcripts().count == 300)
        for (id, bytes) in originals {
            #expect(try store.transcriptBytes(id) == bytes, "\(id)")
            let status = try store.read(transcript: id)?.verification.status
            #expect(status == .intact || status == .cutShort, "\(id): \(String(describing: status))")
        }
        #expect(
            try store.db.run("SELECT COUNT(*) FROM events").first?.first?.int
                == originals.values.map { $0.filter { $0 == 0x0A }.count }.reduce(0, +))
    }
}
