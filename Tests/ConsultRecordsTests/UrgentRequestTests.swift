import ConsultEngine
import ConsultRecords
import ConsultTestSupport
import Foundation
import Testing

/// Urgent consultations reach the lawyer first (issue 10, item 3): a consultation whose `urgent`
/// fact is true saves its request as urgent, and `consult appointments list` shows it first, marked.
@Suite struct UrgentRequestTests {
    /// Runs a whole consultation through the real binary with `answers` on standard input.
    func consultation(_ answers: [String], in directory: DataDirectory) throws -> Int32 {
        var environment = ProcessInfo.processInfo.environment
        environment["LANG"] = "C.UTF-8"
        return try runProcess(
            Binaries.consult, ["--today", "2026-11-25", "--lang", "en", "--data-dir", directory.url.path],
            environment: environment, input: Data((answers.joined(separator: "\n") + "\n").utf8)
        ).status
    }

    /// English, consent, the VKS topic as the specialist, a work permit that ended on `expires`,
    /// then an appointment request from `name` by phone.
    func answers(expires: String, name: String) -> [String] {
        ["1", "yes", "1", "1", "1", expires] + (expires < "2026-11-25" ? [] : ["no", "no", "no", "no", "no"])
            + ["yes", name, "1", "+7 916 123-45-67", "1", "mornings", "", "yes"]
    }

    @Test("an urgent request is saved as urgent and listed first, marked; the others after it, newest first")
    func urgentFirst() throws {
        let directory = try temporaryDataDirectory()
        defer { removeDirectory(directory) }
        // An expired work permit (urgent), then a permit valid for years (not urgent), saved later.
        #expect(try consultation(answers(expires: "01.11.2026", name: "Anna Urgent"), in: directory) == 0)
        Thread.sleep(forTimeInterval: 1.1)  // created times a second apart: the second is the newest
        #expect(try consultation(answers(expires: "31.03.2030", name: "Boris Calm"), in: directory) == 0)

        let requests = AppointmentRequest.all(in: directory)
        #expect(requests.count == 2)
        let urgent = try #require(requests.first { $0.applicant["applicant_name"] == .text("Anna Urgent") })
        let calm = try #require(requests.first { $0.applicant["applicant_name"] == .text("Boris Calm") })
        #expect(urgent.urgent)
        #expect(!calm.urgent)

        let list = try CommandTests().consult([
            "appointments", "list", "--lang", "ru", "--data-dir", directory.url.path,
        ])
        let lines = list.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 2, "\(list.stdout)\(list.stderr)")
        #expect(
            lines.first?.hasPrefix("СРОЧНО  ") == true && lines.first?.contains("Anna Urgent") == true, "\(list.stdout)"
        )
        #expect(lines.last?.contains("Boris Calm") == true && lines.last?.contains("СРОЧНО") == false, "\(list.stdout)")

        let reference = urgent.reference
        let show = try CommandTests().consult([
            "appointments", "show", reference, "--lang", "es", "--data-dir", directory.url.path,
        ])
        #expect(show.stdout.contains("Urgente: sí: llamar al solicitante hoy mismo"), "\(show.stdout)")
    }
}
