import ConsultEngine
import ConsultRecords
import ConsultTestSupport
import Foundation
import Testing

/// `consult transcripts …` and `consult appointments …` as the staff run them: the real binary.
@Suite struct CommandTests {
    /// `consult` in the repository's root with `LANG=C.UTF-8` and no `LC_ALL` or `CONSULT_DATA_DIR`
    /// of the caller's, then `environment`.
    func consult(_ arguments: [String], environment: [String: String] = [:]) throws -> ProcessOutput {
        var env = ProcessInfo.processInfo.environment
        env["LANG"] = "C.UTF-8"
        env.removeValue(forKey: "LC_ALL")
        env.removeValue(forKey: "CONSULT_DATA_DIR")
        for (k, v) in environment { env[k] = v }
        return try runConsult(arguments, environment: env)
    }

    @Test func verifyReportsEveryTranscriptAndFailsOnlyOnAnAlteredOne() throws {
        let directory = try temporaryDataDirectory()
        defer { removeDirectory(directory) }
        let intact = try writeConsultation(in: directory)
        let cut = try writeConsultation(in: directory, end: false)
        var result = try consult(["transcripts", "verify", "--all", "--data-dir", directory.url.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("\(intact.id): intact (8 events)"))
        #expect(result.stdout.contains("\(cut.id): cut short"))

        // The same through the environment, and with no argument at all.
        result = try consult(["transcripts", "verify"], environment: ["CONSULT_DATA_DIR": directory.url.path])
        #expect(result.status == 0)
        #expect(result.stdout.split(separator: "\n").count == 2)

        let altered = try writeConsultation(in: directory)
        var all = try lines(of: altered.url)
        all.swapAt(1, 2)
        try write(all, to: altered.url)
        result = try consult(["transcripts", "verify", "--all", "--data-dir", directory.url.path])
        #expect(result.status == 1)
        #expect(result.stdout.contains("\(altered.id): ALTERED at line 2"))
        #expect(result.stdout.split(separator: "\n").count == 3)

        result = try consult(["transcripts", "verify", intact.id.lowercased(), "--data-dir", directory.url.path])
        #expect(result.status == 0)
        #expect(result.stdout == "\(intact.id): intact (8 events)\n")
        result = try consult(["transcripts", "verify", altered.id, "--data-dir", directory.url.path])
        #expect(result.status == 1)
    }

    @Test func anUnknownIDIsNamedAndFails() throws {
        let directory = try temporaryDataDirectory()
        defer { removeDirectory(directory) }
        for command in [["transcripts", "show"], ["transcripts", "verify"], ["appointments", "show"]] {
            let result = try consult(command + ["NOPE-NOPE-NOPE", "--data-dir", directory.url.path])
            #expect(result.status == 1, "\(command)")
            #expect(result.stderr.contains("NOPE-NOPE-NOPE"), "\(command): \(result.stderr)")
        }
        // Real files one level above the record folders: a path must never reach them.
        try "{}".write(to: directory.url.appendingPathComponent("secret.jsonl"), atomically: true, encoding: .utf8)
        try "{}".write(to: directory.url.appendingPathComponent("secret.json"), atomically: true, encoding: .utf8)
        for command in [["transcripts", "show"], ["transcripts", "verify"], ["appointments", "show"]] {
            let traversal = try consult(command + ["../secret", "--data-dir", directory.url.path])
            #expect(traversal.status == 1, "\(command) reached a file outside its folder")
        }
    }

    @Test func showRendersInTheChosenLanguageWithNothingRawFromTheApplicant() throws {
        let directory = try temporaryDataDirectory()
        defer { removeDirectory(directory) }
        let writer = try writeSpanishConsultation(
            in: directory,
            answers: [
                "has_vks_work_permit": "\u{1B}[2J", "rejected": "\u{9B}31m",
                "wants_citizenship": "s\u{202E}í",
            ])
        for format in ["text", "markdown", "json"] {
            let result = try consult([
                "transcripts", "show", writer.id, "--lang", "ru", "--format", format, "--data-dir", directory.url.path,
            ])
            #expect(result.status == 0, "\(format): \(result.stderr)")
            #expect(isTerminalSafe(result.stdout), "\(format)")
        }
        let text = try consult(["transcripts", "show", writer.id, "--lang", "ru", "--data-dir", directory.url.path])
        #expect(text.stdout.contains("«\\e[2J»"))
        #expect(text.stdout.contains("«\\u{9b}31m»"))
        #expect(text.stdout.contains("«s\\u{202e}í»"))
        #expect(plainSpaces(text.stdout).contains("31 марта 2028 г."))

        let list = try consult(["transcripts", "list", "--lang", "en", "--data-dir", directory.url.path])
        #expect(list.status == 0)
        #expect(plainSpaces(list.stdout).contains("\(writer.id)  2026-03-01 10:32  ssh  es  27 events  completed"))
        for filter in [["--outcome", "vks_rp_eligible"], ["--channel", "ssh"], ["--since", "2026-03-01"]] {
            let r = try consult(["transcripts", "list", "--data-dir", directory.url.path] + filter)
            #expect(r.stdout.contains(writer.id), "\(filter)")
        }
        for filter in [["--outcome", "rp_cancelled"], ["--channel", "kiosk"], ["--since", "2026-03-02"]] {
            let r = try consult(["transcripts", "list", "--data-dir", directory.url.path] + filter)
            #expect(!r.stdout.contains(writer.id), "\(filter)")
        }
    }

    @Test func appointmentsListAndShow() throws {
        let directory = try temporaryDataDirectory()
        defer { removeDirectory(directory) }
        let saved = try AppointmentRequest(
            language: "ru", channel: "local", transcript: nil,
            applicant: ["applicant_name": .text("Иван\u{9B}0m Петров")], facts: ["wants_citizenship": .bool(false)],
            outcomes: ["vks_rp_eligible"], openPoints: ["vks.confirm.grace_days"],
            preferences: ["meeting_format": .choice("office")], question: nil
        ).save(in: directory)
        let list = try consult(["appointments", "list", "--data-dir", directory.url.path])
        #expect(list.status == 0)
        #expect(list.stdout.contains(saved.reference))
        #expect(list.stdout.contains("Иван\\u{9b}0m Петров"))
        let show = try consult([
            "appointments", "show", saved.reference, "--lang", "es", "--data-dir", directory.url.path,
        ])
        #expect(show.status == 0, "\(show.stderr)")
        #expect(show.stdout.contains("Solicitud de cita \(saved.reference)"))
        #expect(show.stdout.contains(": En la oficina"))
        #expect(isTerminalSafe(show.stdout))
    }
}
