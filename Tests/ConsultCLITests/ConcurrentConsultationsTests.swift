import ConsultEngine
import ConsultRecords
import ConsultTestSupport
import Foundation
import Testing

/// Twenty applicants at once (as over SSH): twenty intact transcripts, twenty distinct references.
@Suite struct ConcurrentConsultationsTests {
    static let script = EnglishConsultation.withAppointmentRequest.joined(separator: "\n") + "\n"

    @Test func twentyConcurrentConsultations() async throws {
        let data = temporaryPath("consult-concurrent")
        defer { try? FileManager.default.removeItem(at: data) }
        let count = 20
        let statuses = try await withThrowingTaskGroup(of: Int32.self) { group in
            for i in 0..<count {
                group.addTask {
                    let text = Self.script.replacingOccurrences(of: "NAME", with: "\(i)")
                    return try runConsult(
                        ["--today", "2026-11-25", "--data-dir", data.path, "--channel", "ssh"], input: Data(text.utf8)
                    ).status
                }
            }
            var all: [Int32] = []
            for try await status in group { all.append(status) }
            return all
        }
        #expect(statuses == Array(repeating: 0, count: count))
        let transcripts = try FileManager.default.contentsOfDirectory(
            atPath: data.appendingPathComponent("transcripts").path
        )
        .filter { $0.hasSuffix(".jsonl") }
        #expect(transcripts.count == count)
        let appointments = try FileManager.default.contentsOfDirectory(
            atPath: data.appendingPathComponent("appointments").path
        )
        .filter { $0.hasSuffix(".json") }
        #expect(Set(appointments).count == count)

        let verify = try runConsult(["transcripts", "verify", "--all", "--data-dir", data.path])
        let output = verify.stdout
        #expect(verify.status == 0, "\(output)")
        #expect(output.components(separatedBy: "intact").count - 1 == count, "\(output)")
        // Each request belongs to its own applicant.
        var names = Set<String>()
        for name in appointments {
            let request = try AppointmentRequest.read(
                Data(contentsOf: data.appendingPathComponent("appointments/\(name)"))
            ).request
            if case .text(let applicant)? = request.applicant["applicant_name"] { names.insert(applicant) }
            #expect(request.channel == "ssh")
        }
        #expect(names == Set((0..<count).map { "Applicant \($0)" }))
    }
}
