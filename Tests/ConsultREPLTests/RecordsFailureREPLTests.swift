import ConsultTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Records that cannot be written, or that an applicant tries to make huge, and requests that do
/// not match their transcript (issue 9, items 5, 8 and 9), through the real binary.
@Suite("records that fail, fill up or are altered")
struct RecordsFailureREPLTests {
    let ru = LocaleText.ru
    let en = LocaleText.en
    let records = RecordsREPLTests()

    /// The first sentence of a message (before any placeholder): what a test can find on the screen.
    static func opening(_ message: String) -> String {
        String(message.prefix { $0 != "{" }.split(separator: ".").first ?? "")
    }

    /// `consult start` with `input` on a pipe; returns the exit status and everything it printed.
    /// `via`: a program that runs consult (`prlimit --fsize=N`).
    func piped(_ arguments: [String], input: Data, via: [String] = []) throws -> ProcessOutput {
        let command = [Binaries.consult.path, "start", "--today", testToday, "--lang", "en"] + arguments
        var environment = ProcessInfo.processInfo.environment
        environment["LANG"] = "C.UTF-8"
        environment["LC_ALL"] = nil
        return try runProcess(
            URL(fileURLWithPath: via.first ?? command[0]), Array((via + command).dropFirst()),
            environment: environment, directory: repositoryRoot, input: input, mergingErrors: true)
    }

    func size(_ url: URL) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: url.path))?[.size] as? Int) ?? -1
    }

    // MARK: - Item 5: rejected answers shortened, a size limit per consultation

    @Test("a long rejected answer is recorded shortened, with its length")
    func rejectedAnswersAreShortened() throws {
        let data = try temporaryDirectory("consult-records-failure")
        defer { try? FileManager.default.removeItem(at: data) }
        // English, then thirty 3000-character answers to the consent question (yes/no): all rejected.
        let long = String(repeating: "x", count: 3000)
        let input = "1\n" + String(repeating: long + "\n", count: 30)
        let run = try piped(["--data-dir", data.path], input: Data(input.utf8))
        let transcript = try #require(
            ServedConsultations.transcripts(in: data).first, "no transcript: \(run.output.suffix(400))")
        #expect(size(transcript) < 60_000, "the transcript holds the rejected answers whole: \(size(transcript)) bytes")
        let id = transcript.deletingPathExtension().lastPathComponent
        let json = try records.consult(["transcripts", "show", id, "--format", "json", "--data-dir", data.path])
        #expect(!json.output.contains(String(repeating: "x", count: 201)), "a rejected answer was kept whole")
        #expect(
            json.output.contains("\"input_length\" : 3000"),
            "the length typed is not recorded: \(json.output.prefix(2000))")
        let show = try records.consult(["transcripts", "show", id, "--lang", "en", "--data-dir", data.path])
        let shown = TmuxHarness.normalized(show.output)
        #expect(
            shown.contains("3,000 characters typed") || shown.contains("3000 characters typed"),
            "\(show.output.suffix(1500))")
        let verify = try records.consult(["transcripts", "verify", id, "--data-dir", data.path])
        #expect(verify.status == 0, "\(verify.output)")
    }

    @Test("a consultation's record has a size limit that ends it politely")
    func recordLimitEndsTheConsultation() throws {
        let data = try temporaryDirectory("consult-records-failure")
        defer { try? FileManager.default.removeItem(at: data) }
        let long = String(repeating: "y", count: 3000)
        let input = "1\n" + String(repeating: long + "\n", count: 300)
        let run = try piped(["--data-dir", data.path, "--max-record-kib", "32"], input: Data(input.utf8))
        #expect(run.status == 0, "\(run.output.suffix(600))")
        let transcript = try #require(
            ServedConsultations.transcripts(in: data).first, "no transcript: \(run.output.suffix(400))")
        #expect(size(transcript) <= 32 * 1024, "the record is larger than its limit: \(size(transcript)) bytes")
        #expect(
            TmuxHarness.normalized(run.output).contains(TmuxHarness.normalized(Self.opening(en["records.limit"]))),
            "the applicant was not told: \(run.output.suffix(800))")
        let id = transcript.deletingPathExtension().lastPathComponent
        let verify = try records.consult(["transcripts", "verify", id, "--data-dir", data.path])
        #expect(verify.status == 0 && verify.output.contains("intact"), "\(verify.output)")
        let show = try records.consult(["transcripts", "show", id, "--lang", "en", "--data-dir", data.path])
        #expect(
            show.output.contains(en["staff.reason.record_limit"]),
            "the lawyer does not see why it ended: \(show.output.prefix(1200))")
        // The default limit holds too: 300 rejected answers stay far below a mebibyte.
        let data2 = try temporaryDirectory("consult-records-failure")
        defer { try? FileManager.default.removeItem(at: data2) }
        _ = try piped(["--data-dir", data2.path], input: Data(input.utf8))
        let second = try #require(ServedConsultations.transcripts(in: data2).first)
        #expect(size(second) <= 1024 * 1024, "\(size(second)) bytes")
    }

    // MARK: - Item 9: records that cannot be written

    @Test("records that cannot be opened: the applicant is told, exit status 4")
    func recordsUnavailableExitFour() throws {
        let file = temporaryPath("consult-not-a-folder")
        try Data("a file".utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let run = try piped(["--data-dir", file.appendingPathComponent("data").path], input: Data("1\n".utf8))
        #expect(run.status == 4, "\(run.output.suffix(600))")
        #expect(
            TmuxHarness.normalized(run.output).contains(TmuxHarness.normalized(Self.opening(en["records.unavailable"])))
        )
    }

    @Test("a file size limit (RLIMIT_FSIZE) is a failed write: no torn line, the applicant told, exit status 4")
    func fileSizeLimit() throws {
        let data = try temporaryDirectory("consult-records-failure")
        defer { try? FileManager.default.removeItem(at: data) }
        let long = String(repeating: "z", count: 150)
        let input = "1\n" + String(repeating: long + "\n", count: 100)
        let run = try piped(
            ["--data-dir", data.path], input: Data(input.utf8), via: ["/usr/bin/prlimit", "--fsize=20000"])
        #expect(run.status == 4, "exit status \(run.status): \(run.output.suffix(600))")
        #expect(
            TmuxHarness.normalized(run.output).contains(TmuxHarness.normalized(Self.opening(en["records.failed"]))),
            "\(run.output.suffix(800))")
        let transcript = try #require(ServedConsultations.transcripts(in: data).first)
        let bytes = try Data(contentsOf: transcript)
        #expect(
            bytes.count <= 20000 && bytes.last == 0x0A,
            "\(bytes.count) bytes, ending …\(String(decoding: bytes.suffix(80), as: UTF8.self))")
        let id = transcript.deletingPathExtension().lastPathComponent
        let verify = try records.consult(["transcripts", "verify", id, "--data-dir", data.path])
        #expect(verify.status == 0 && verify.output.contains("cut short"), "\(verify.output)")
    }

    @Test("kiosk: records that cannot be written make its exit status 4 when the operator leaves")
    func kioskExitStatusFour() async throws {
        let file = temporaryPath("consult-not-a-folder")
        try Data("a file".utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let passphrase = try PassphraseFile()
        defer { passphrase.remove() }
        let binary = Binaries.consult.path
        let terminal = try TmuxHarness(command: { _ in
            [
                "env", "-u", "LC_ALL", "LANG=C.UTF-8", binary, "kiosk", "--today", testToday, "--passphrase-file",
                passphrase.url.path,
                "--data-dir", file.appendingPathComponent("data").path,
            ]
        })
        defer { terminal.kill() }
        try await terminal.waitForPrompt(after: en["intake.language.prompt"])
        #expect(
            TmuxHarness.normalized(try terminal.screen()).contains(
                TmuxHarness.normalized(Self.opening(en["records.unavailable"]))))
        try await terminal.answer("/operator", then: en["ui.operator.passphrase"])
        try terminal.type(passphrase.passphrase)
        try terminal.press(.enter)
        let exit = try await terminal.waitForExit()
        #expect(exit.status == 4, "exit status \(exit.status)")
    }

    static let canMountTmpfs: Bool = {
        guard getuid() == 0, FileManager.default.isExecutableFile(atPath: "/usr/bin/unshare") else { return false }
        let probe = temporaryPath("consult-tmpfs-probe")
        try? FileManager.default.createDirectory(at: probe, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: probe) }
        let mounted = try? runProcess(
            URL(fileURLWithPath: "/usr/bin/unshare"),
            ["-m", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs \"$1\"", "sh", probe.path])
        return mounted?.status == 0
    }()

    @Test(
        "disk full mid-consultation: no torn line, the right messages, exit status 4",
        .enabled(if: canMountTmpfs, "needs root and `unshare -m` to mount a small tmpfs in a private mount namespace"))
    func diskFullWhileTheNameIsTyped() async throws {
        let copy = try temporaryDirectory("consult-records-failure")
        defer { try? FileManager.default.removeItem(at: copy) }
        // The data directory is a 1 MiB tmpfs of the program's own mount namespace; when the program
        // ends, the wrapper copies what it holds to `copy`.
        let script = """
            mkdir -p "$1" && mount -t tmpfs -o size=1m,mode=0700 tmpfs "$1" || exit 98
            data=$1; copy=$2; shift 2
            "$@"; status=$?
            cp -a "$data"/. "$copy"/
            exit $status
            """
        let binary = Binaries.consult.path
        let terminal = try TmuxHarness(command: { data in
            [
                "env", "-u", "LC_ALL", "LANG=C.UTF-8", "unshare", "-m", "sh", "-c", script, "sh", data.path, copy.path,
                binary, "--today", testToday, "--data-dir", data.path,
            ]
        })
        defer { terminal.kill() }
        try await terminal.waitForPrompt(after: en["intake.language.prompt"])
        try await terminal.answer(
            RussianConsultation.toPermitQuestion + RussianConsultation.permitIssued
                + RussianConsultation.noToTheRest + RussianConsultation.appointmentByPhone.prefix(1))

        let pid = try #require(ProcessTable.consultations(terminal.dataDirectory).first)
        let inside = URL(fileURLWithPath: "/proc/\(pid)/root" + terminal.dataDirectory.path)
        let transcript = try #require(
            ServedConsultations.transcripts(in: inside).first, "no transcript in \(inside.path)")
        // Rejected names (over 100 characters) until the transcript's last page has 60–280 bytes
        // free: the answer with the name (about 320 bytes) is then the write that meets the full disk.
        func slack() -> Int { (4096 - size(transcript) % 4096) % 4096 }
        // A rejected answer of n characters (101–200) adds `base + n` bytes (its event and the
        // question asked again); `base` is measured by the first one.
        var base = 800
        var sizes: [Int] = [size(transcript)]
        for _ in 0..<20 where !(60...280).contains(slack()) {
            // Bytes to add so that 170 bytes stay free, in as many steps as that takes.
            var total = (slack() - 170 + 4096) % 4096
            var steps = max(1, (total + base + 199) / (base + 200))
            while steps * (base + 101) > total {
                total += 4096
                steps = max(1, (total + base + 199) / (base + 200))
            }
            let length = min(200, max(101, total / steps - base))
            let before = size(transcript)
            try await terminal.answer(String(repeating: "x", count: length), then: ru["closing.applicant_name.prompt"])
            base = size(transcript) - before - length
            sizes.append(size(transcript))
        }
        #expect((60...280).contains(slack()), "could not bring the transcript's free tail into place: sizes \(sizes)")
        // Fill the disk.
        let filler = open(inside.appendingPathComponent("filler").path, O_WRONLY | O_CREAT, 0o600)
        #expect(filler >= 0)
        let block = [UInt8](repeating: 0x41, count: 4096)
        while block.withUnsafeBytes({ write(filler, $0.baseAddress, $0.count) }) > 0 {}
        close(filler)

        try terminal.type("Анна Смирнова")
        try terminal.press(.enter)
        let exit = try await terminal.waitForExit(timeout: 15)
        let screen = try terminal.scrollback()
        #expect(exit.status == 4, "exit status \(exit.status); the screen:\n\(screen.suffix(1500))")
        #expect(
            TmuxHarness.normalized(screen).contains(TmuxHarness.normalized(Self.opening(ru["records.failed"]))),
            "the applicant was not told the records failed:\n\(screen.suffix(1500))")
        #expect(
            !TmuxHarness.normalized(screen).contains(TmuxHarness.normalized(Self.opening(ru["closing.no_consent"]))),
            "told 'you have not given your consent' after consenting:\n\(screen.suffix(1500))")
        #expect(
            !TmuxHarness.normalized(screen).contains(TmuxHarness.normalized(ru["closing.appointment_next"])),
            "told the lawyer will read the answers")
        #expect(
            !TmuxHarness.normalized(screen).contains(TmuxHarness.normalized(ru["closing.contact_method.prompt"])),
            "asked for contact details after the records failed")

        // What is left is a valid prefix: whole lines only, none of them with part of the name.
        let saved = try #require(ServedConsultations.transcripts(in: copy).first, "the wrapper copied no transcript")
        let bytes = try Data(contentsOf: saved)
        #expect(
            bytes.last == 0x0A,
            "the transcript ends with a torn line: …\(String(decoding: bytes.suffix(120), as: UTF8.self))")
        #expect(!String(decoding: bytes, as: UTF8.self).contains("Анна"), "part of the name was written in a torn line")
        let id = saved.deletingPathExtension().lastPathComponent
        let verify = try records.consult(["transcripts", "verify", id, "--data-dir", copy.path])
        #expect(verify.status == 0 && verify.output.contains("cut short"), "\(verify.output)")
    }

    @Test("an appointment request that cannot be saved: no 'the lawyer will read your answers', exit status 4")
    func appointmentNotSaved() async throws {
        let terminal = try await records.startAndAnswer(.cUTF8)
        defer { terminal.kill() }
        try await records.answerUpToTheReview(terminal, question: "")
        // The requests' folder is gone (a file stands in its place): the request cannot be written.
        let appointments = terminal.dataDirectory.appendingPathComponent("appointments")
        try FileManager.default.removeItem(at: appointments)
        try Data("in the way".utf8).write(to: appointments)
        try terminal.type("да")
        try terminal.press(.enter)
        let exit = try await terminal.waitForExit()
        let screen = try terminal.scrollback()
        #expect(exit.status == 4, "exit status \(exit.status)")
        #expect(
            TmuxHarness.normalized(screen).contains(TmuxHarness.normalized(Self.opening(ru["appointment.not_saved"]))))
        #expect(
            !TmuxHarness.normalized(screen).contains(TmuxHarness.normalized(ru["closing.appointment_next"])),
            "told the lawyer will read the answers:\n\(screen.suffix(1200))")
    }

    // MARK: - Item 8: the request and its transcript are a pair

    @Test("an appointment request altered after saving is found by verify")
    func alteredRequestIsFound() async throws {
        let terminal = try await records.startAndAnswer(.cUTF8)
        defer { terminal.kill() }
        try await records.answerUpToTheReview(terminal, question: "")
        try terminal.type("да")
        try terminal.press(.enter)
        let exit = try await terminal.waitForExit()
        #expect(exit.status == 0)
        let data = terminal.dataDirectory.path
        let intact = try records.consult(["transcripts", "verify", "--all", "--data-dir", data])
        #expect(intact.status == 0, "\(intact.output)")
        let folder = terminal.dataDirectory.appendingPathComponent("appointments")
        let name = try #require(
            try FileManager.default.contentsOfDirectory(atPath: folder.path).first { $0.hasSuffix(".json") })
        let request = folder.appendingPathComponent(name)
        let text = try String(contentsOf: request, encoding: .utf8)
        #expect(text.contains("+7 916 123-45-67"))
        try text.replacingOccurrences(of: "+7 916 123-45-67", with: "+7 999 000-00-00").write(
            to: request, atomically: true, encoding: .utf8)
        let altered = try records.consult(["transcripts", "verify", "--all", "--data-dir", data])
        #expect(altered.status == 1, "an altered request passed: \(altered.output)")
        #expect(altered.output.contains(String(name.dropLast(5))), "the request is not named: \(altered.output)")
        // And the lawyer reading it is told before anything else.
        let show = try records.consult([
            "appointments", "show", String(name.dropLast(5)), "--lang", "en", "--data-dir", data,
        ])
        #expect(show.status == 1)
        let integrity = try #require(
            show.output.split(separator: "\n").first { $0.hasPrefix(en["staff.integrity"] + ":") }, "\(show.output)")
        #expect(integrity.contains("ALTERED"), "\(integrity)")
    }
}
