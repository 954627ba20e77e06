import ConsultEngine
import ConsultRecords
import Foundation
import Testing

/// Twenty applicants at once (as over SSH): twenty intact transcripts, twenty distinct references.
@Suite struct ConcurrentConsultationsTests {
    static let script = [
        "1", "yes", "1", "1",                   // English, consent, VKS, the specialist
        "1", "31.03.2028", "no", "no", "yes", "no", "no",  // issued, expires, in force, no permit yet; citizenship
        "yes", "Applicant NAME", "2", "applicant@example.com", "1", "Mondays", "",
        "yes",                                  // the request is right: send it
    ].joined(separator: "\n") + "\n"

    @Test func twentyConcurrentConsultations() async throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("consult-concurrent-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: data) }
        let count = 20
        let statuses = try await withThrowingTaskGroup(of: Int32.self) { group in
            for i in 0..<count {
                group.addTask {
                    let process = Process()
                    process.executableURL = RunCommandTests.binary
                    process.arguments = ["--today", "2026-11-25", "--data-dir", data.path, "--channel", "ssh"]
                    process.currentDirectoryURL = RunCommandTests.root
                    let input = Pipe()
                    process.standardInput = input
                    process.standardOutput = FileHandle.nullDevice
                    process.standardError = FileHandle.nullDevice
                    try process.run()
                    let text = Self.script.replacingOccurrences(of: "NAME", with: "\(i)")
                    input.fileHandleForWriting.write(Data(text.utf8))
                    try input.fileHandleForWriting.close()
                    process.waitUntilExit()
                    return process.terminationStatus
                }
            }
            var all: [Int32] = []
            for try await status in group { all.append(status) }
            return all
        }
        #expect(statuses == Array(repeating: 0, count: count))
        let transcripts = try FileManager.default.contentsOfDirectory(atPath: data.appendingPathComponent("transcripts").path)
            .filter { $0.hasSuffix(".jsonl") }
        #expect(transcripts.count == count)
        let appointments = try FileManager.default.contentsOfDirectory(atPath: data.appendingPathComponent("appointments").path)
            .filter { $0.hasSuffix(".json") }
        #expect(Set(appointments).count == count)

        let verify = Process()
        verify.executableURL = RunCommandTests.binary
        verify.arguments = ["transcripts", "verify", "--all", "--data-dir", data.path]
        let pipe = Pipe()
        verify.standardOutput = pipe
        try verify.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        verify.waitUntilExit()
        #expect(verify.terminationStatus == 0, "\(output)")
        #expect(output.components(separatedBy: "intact").count - 1 == count, "\(output)")
        // Each request belongs to its own applicant.
        var names = Set<String>()
        for name in appointments {
            let request = try AppointmentRequest.read(Data(contentsOf: data.appendingPathComponent("appointments/\(name)"))).request
            if case .text(let applicant)? = request.applicant["applicant_name"] { names.insert(applicant) }
            #expect(request.channel == "ssh")
        }
        #expect(names == Set((0..<count).map { "Applicant \($0)" }))
    }
}
