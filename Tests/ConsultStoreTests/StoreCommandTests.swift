import ConsultRecords
import ConsultTestSupport
import Foundation
import Testing

@testable import ConsultStore

/// The records commands as staff and machines run them: the real binary, a real PostgreSQL.
@Suite struct StoreCommandTests {
    @Test("two offices' machines and a kiosk write at once; one list on a third machine shows them all, verified")
    func twoOfficesOneList() async throws {
        let url = try PostgresServer.shared.get().newDatabase()
        let machines = [
            ("Tverskaya", "ssh-host-1", "ssh"), ("Arbat", "ssh-host-2", "ssh"), ("Tverskaya", "kiosk-1", "kiosk"),
        ]
        var folders: [URL] = []
        defer { for f in folders { try? FileManager.default.removeItem(at: f) } }
        // All three at once; waited for by polling, never by blocking a thread of the test runner's pool.
        var processes: [Process] = []
        for (i, (office, host, channel)) in machines.enumerated() {
            let data = temporaryPath("consult-office")
            folders.append(data)
            let process = try consultProcess(
                [
                    "--today", testToday, "--data-dir", data.path, "--channel", channel, "--store", url, "--office",
                    office,
                ],
                environment: ["CONSULT_HOST": host])
            let input = Pipe()
            process.standardInput = input
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            // A few hundred bytes: the pipe takes them all at once.
            input.fileHandleForWriting.write(
                Data((consultationScript(name: "\(i)").joined(separator: "\n") + "\n").utf8))
            try input.fileHandleForWriting.close()
            processes.append(process)
        }
        let deadline = Date().addingTimeInterval(120)
        while processes.contains(where: \.isRunning) && Date() < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        let statuses = processes.map { $0.isRunning ? -1 : $0.terminationStatus }
        #expect(statuses == [0, 0, 0])
        // A lawyer's desk: no data directory of its own, the store only.
        let desk = ["--store", url, "--data-dir", "/nonexistent/consult-desk", "--lang", "en"]
        let list = try consult(["transcripts", "list"] + desk)
        #expect(list.status == 0, "\(list.stderr)")
        let lines = list.stdout.split(separator: "\n")
        #expect(lines.count == 3, "\(list.stdout)")
        for (office, host, _) in machines { #expect(list.stdout.contains("\(office)/\(host)"), "\(list.stdout)") }
        let arbat = try consult(["transcripts", "list", "--from-office", "Arbat"] + desk)
        #expect(
            arbat.stdout.split(separator: "\n").count == 1 && arbat.stdout.contains("Arbat/ssh-host-2"),
            "\(arbat.stdout)")
        let kiosk = try consult(["transcripts", "list", "--host", "kiosk-1"] + desk)
        #expect(kiosk.stdout.split(separator: "\n").count == 1, "\(kiosk.stdout)")
        let verify = try consult(["transcripts", "verify", "--all"] + desk)
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
        #expect(verify.stdout.components(separatedBy: ": intact").count - 1 == 3, "\(verify.stdout)")
        let requests = try consult(["appointments", "list"] + desk)
        for i in 0..<3 { #expect(requests.stdout.contains("Applicant \(i)"), "\(requests.stdout)") }
    }

    @Test(
        "erase by reference leaves no trace of the name in the embedded store or the data directory, and an audit entry"
    )
    func eraseLeavesNoTraceOnDisk() throws {
        let data = temporaryPath("consult-erase")
        defer { try? FileManager.default.removeItem(at: data) }
        let name = "Yevdokiya Quarantotto"
        let other = "Pafnuty Chebyshev"
        for n in [name, other] {
            let run = try consult(
                ["--today", "2026-11-25", "--data-dir", data.path],
                input: consultationScript(name: n).joined(separator: "\n") + "\n")
            #expect(run.status == 0, "\(run.stderr)")
        }
        let list = try consult(["appointments", "list", "--data-dir", data.path, "--lang", "en"])
        let line = try #require(list.stdout.split(separator: "\n").first { $0.contains(name) }, "\(list.stdout)")
        let reference = try #require(
            line.split(separator: " ").first { $0.count == 9 && $0.contains("-") }.map(String.init), "\(line)")
        #expect(!files(under: data.path, containing: name).isEmpty, "the name was never written?")
        let erase = try consult([
            "records", "erase", reference.lowercased(), "--reason", "consent withdrawn", "--actor", "lawyer-1",
            "--data-dir", data.path,
        ])
        #expect(erase.status == 0, "\(erase.stderr)")
        #expect(erase.stdout.contains("erased appointment request \(reference)"))
        #expect(erase.stdout.contains("erased transcript"))
        #expect(
            files(under: data.path, containing: name).isEmpty, "found in \(files(under: data.path, containing: name))")
        #expect(!files(under: data.path, containing: other).isEmpty, "the other applicant's records must stay")
        let audit = try consult(["records", "audit", "--data-dir", data.path])
        #expect(audit.stdout.contains("erase  lawyer-1"), "\(audit.stdout)")
        #expect(audit.stdout.contains(reference) && audit.stdout.contains("consent withdrawn"), "\(audit.stdout)")
        #expect(!audit.stdout.contains(name))
        let verify = try consult(["transcripts", "verify", "--all", "--data-dir", data.path])
        #expect(verify.status == 0, "\(verify.stdout)")
        #expect(verify.stdout.components(separatedBy: ": intact").count - 1 == 1, "\(verify.stdout)")
        // Nothing left to erase: said, exit 1, audited all the same.
        let again = try consult(["records", "erase", reference, "--reason", "again", "--data-dir", data.path])
        #expect(again.status == 1)
    }

    @Test("purge on PostgreSQL leaves no trace of the name in the database's files")
    func purgeOnPostgres() throws {
        let server = try PostgresServer.shared.get()
        let url = try server.newDatabase()
        let data = temporaryPath("consult-purge")
        defer { try? FileManager.default.removeItem(at: data) }
        let name = "Gavrila Xylophonov"
        let run = try consult(
            ["--today", "2026-11-25", "--data-dir", data.path, "--store", url],
            input: consultationScript(name: name).joined(separator: "\n") + "\n")
        #expect(run.status == 0)
        let purge = try consult([
            "records", "purge", "--before", "2999-01-01", "--reason", "retention test", "--store", url, "--data-dir",
            data.path,
        ])
        #expect(purge.status == 0, "\(purge.stderr)")
        #expect(purge.stdout.contains("purged 1 transcript(s) and 1 appointment request(s)"), "\(purge.stdout)")
        let store = try RecordStore.open(StoreLocation.parse(url))
        try store.db.run("CHECKPOINT")
        store.close()
        #expect(files(under: data.path, containing: name).isEmpty)
        #expect(
            files(under: server.folder + "/data/base", containing: name).isEmpty,
            "\(files(under: server.folder + "/data/base", containing: name))")
    }

    @Test("import brings an earlier release's data directory in, verified and once; an altered transcript is refused")
    func importDirectory() throws {
        let data = temporaryPath("consult-import")
        defer { try? FileManager.default.removeItem(at: data) }
        let old = data.appendingPathComponent("old")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            at: repositoryRoot.appendingPathComponent("Tests/Fixtures/records-format1"), to: old)
        let store = ["--data-dir", data.appendingPathComponent("office").path]
        var result = try consult(["records", "import", old.path] + store)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("of 1 transcript(s) and 1 appointment request(s)"), "\(result.stdout)")
        result = try consult(["records", "import", old.path] + store)
        #expect(
            result.stdout.contains("imported 0 line(s) of 0 transcript(s) and 0 appointment request(s)"),
            "\(result.stdout)")
        let verify = try consult(["transcripts", "verify", "--all"] + store)
        #expect(
            verify.status == 0 && verify.stdout.contains("BG95-KWSA-P64D: intact"), "\(verify.stdout)\(verify.stderr)")
        // An altered one is named and refused.
        let file = old.appendingPathComponent("transcripts/BG95-KWSA-P64D.jsonl")
        let altered = try String(contentsOf: file, encoding: .utf8).replacingOccurrences(
            of: "\"seq\":3,", with: "\"seq\":4,")
        try altered.write(to: file, atomically: true, encoding: .utf8)
        let other = ["--data-dir", data.appendingPathComponent("office2").path]
        result = try consult(["records", "import", old.path] + other)
        #expect(result.status == 1)
        #expect(result.stderr.contains("refused: transcript BG95-KWSA-P64D: altered at line 4"), "\(result.stderr)")
    }
}
