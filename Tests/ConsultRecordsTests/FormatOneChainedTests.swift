import ConsultContent
import ConsultEngine
import ConsultRecords
import ConsultStaff
import ConsultTestSupport
import Foundation
import Testing

/// Format-1 records of the release before typed records (2e6bfd4), whose requests are chained to
/// their transcripts: `Tests/Fixtures/records-format1-chained`, written by that release's `consult`
/// with its content (the same Russian consultation as `records-format1`, and a 5,000-character line
/// refused at the applicant's question). Its hashes were computed over JSONSerialization's bytes;
/// this release computes them over JSONEncoder's.
@Suite("records of format 1 with chained requests")
struct FormatOneChainedTests {
    static let id = "SENT-Z764-JBET"
    static let reference = "VFVV-AGFG"

    static func transcript(in directory: DataDirectory) -> URL {
        directory.transcripts.appendingPathComponent("\(id).jsonl")
    }
    static func request(in directory: DataDirectory) -> URL {
        directory.appointments.appendingPathComponent("\(reference).json")
    }

    @Test("the transcript and its request verify: the hashes the previous release wrote are found again")
    func chainedRequestVerifies() throws {
        let directory = try fixtureCopy("records-format1-chained")
        defer { removeDirectory(directory) }
        let (events, verification) = TranscriptReader.read(Self.transcript(in: directory))
        #expect(verification.status == .intact, "\(verification)")
        #expect(events.count == 59)
        for event in events {
            if case .unknown(let kind, let data) = event.event {
                Issue.record("line \(event.line): read as unknown: \(kind) \(data.compact)")
            }
        }
        let (object, request) = try AppointmentRequest.read(Data(contentsOf: Self.request(in: directory)))
        let hash = try #require(request.hash)
        #expect(AppointmentRequest.hash(of: object) == hash)
        #expect(object["hash"]?.string == hash && request.format == nil)
        let saved = try #require(events.first { if case .appointment = $0.event { true } else { false } })
        #expect(saved.line == 56 && saved.event == .appointment(.init(reference: Self.reference, requestHash: hash)))
        #expect(request.transcriptHead == events[54].hash && request.transcript == Self.id && request.urgent == false)
        #expect(AppointmentRequest.problem(with: object, reference: Self.reference, in: directory) == nil)
        #expect(AppointmentRequest.problems(in: directory).isEmpty)
        #expect(request.applicant["contact_phone"] == .text("+7 916 123-45-67"))
        #expect(request.facts["applicant_role"] == .text("vks") && request.facts["urgent"] == .bool(false))
    }

    @Test("one byte altered in the request is found, by the request and by its transcript")
    func alteredRequestIsFound() throws {
        let directory = try fixtureCopy("records-format1-chained")
        defer { removeDirectory(directory) }
        let url = Self.request(in: directory)
        let text = try String(contentsOf: url, encoding: .utf8)
        let phone = try #require(text.range(of: "\"contact_phone\" : \"+7 916"))
        try alterByte(
            of: url, at: text.utf8.distance(from: text.startIndex, to: phone.upperBound) - 1, to: UInt8(ascii: "9"))
        let (object, request) = try AppointmentRequest.read(Data(contentsOf: url))
        #expect(request.applicant["contact_phone"] == .text("+7 919 123-45-67"))
        #expect(
            AppointmentRequest.problem(with: object, reference: Self.reference, in: directory)
                == "the request was altered (its hash is not that of its content)")
        let verification = TranscriptReader.verify(Self.transcript(in: directory))
        guard case .broken(let line, let reason) = verification.status else {
            Issue.record("the transcript of an altered request verified: \(verification)")
            return
        }
        #expect(line == 56 && reason.contains("\(Self.reference) was altered"), "\(reason)")
    }

    @Test("one byte altered in the transcript is found on its line")
    func alteredTranscriptIsFound() throws {
        let directory = try fixtureCopy("records-format1-chained")
        defer { removeDirectory(directory) }
        let url = Self.transcript(in: directory)
        let text = try String(contentsOf: url, encoding: .utf8)
        let change = try #require(text.range(of: "\"new\":\"2028-04-30\""))
        try alterByte(
            of: url, at: text.utf8.distance(from: text.startIndex, to: change.upperBound) - 2, to: UInt8(ascii: "1"))
        #expect(TranscriptReader.verify(url).status == .broken(line: 22, reason: "the event was altered"))
    }

    @Test("a line refused at the reader, recorded with its length, reads shortened for the lawyer")
    func refusedLongLine() throws {
        let directory = try fixtureCopy("records-format1-chained")
        defer { removeDirectory(directory) }
        let events = try TranscriptReader.events(Self.transcript(in: directory))
        guard case .rejected(let rejected) = events[52].event else {
            Issue.record("event 52 is \(events[52].event)")
            return
        }
        #expect(rejected.fact == "applicant_question" && rejected.input == String(repeating: "ж", count: 200))
        // Written as {"input_length":4096,"length":5000}: the applicant typed 5,000 characters, of which
        // the line reader kept 4,096 and the record 200.
        #expect(rejected.inputLength == 5000)
        let out = plainSpaces(renderTranscript(events, content: shipped, language: "en", format: .text))
        #expect(out.contains("«\(String(repeating: "ж", count: 200))…» (shortened; "), "\(out)")
    }
}

/// The same records through the real binary, as the office's staff read them.
@Suite("records of format 1 through `consult transcripts` and `consult appointments`")
struct FormatOneCommandTests {
    let cli = CommandTests()

    @Test("verify --all passes both fixtures; show writes the dates in the lawyer's language")
    func verifyAndShow() throws {
        let directory = try fixtureCopy("records-format1")
        defer { removeDirectory(directory) }
        let data = directory.url.path
        let verify = try cli.consult(["transcripts", "verify", "--all", "--data-dir", data])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
        #expect(verify.stdout == "\(FormatOneTests.id): intact (53 events)\n")

        let en = try cli.consult(["transcripts", "show", FormatOneTests.id, "--lang", "en", "--data-dir", data])
        #expect(en.status == 0, "\(en.stderr)")
        #expect(en.stdout.contains("Changed: Work permit expires: 31 March 2028 → 30 April 2028"), "\(en.stdout)")
        #expect(en.stdout.contains("  Work permit expires: 30 April 2028\n"))
        #expect(en.stdout.contains("Answer (Work permit expires): «31.03.2028» → 31 March 2028"))
        #expect(en.stdout.contains("  Accompanying family members: spouse (35\u{00A0}years old)\n"))
        #expect(en.stdout.contains("Not accepted (Work permit expires): «мaybe» — "))
        #expect(en.stdout.contains("Appointment request: \(FormatOneTests.reference)"))
        #expect(!en.stdout.contains("2028-04-30") && !en.stdout.contains("2028-03-31"))
        let ru = try cli.consult(["transcripts", "show", FormatOneTests.id, "--lang", "ru", "--data-dir", data])
        #expect(ru.stdout.contains("31 марта 2028\u{202F}г. → 30 апреля 2028\u{202F}г."), "\(ru.stdout)")

        let list = try cli.consult(["transcripts", "list", "--lang", "en", "--data-dir", data])
        #expect(
            plainSpaces(list.stdout).hasPrefix(
                "\(FormatOneTests.id)  2026-11-30 07:47  local  ru  53 events  completed  vks_rp_eligible"),
            "\(list.stdout)")

        let chained = try fixtureCopy("records-format1-chained")
        defer { removeDirectory(chained) }
        let both = try cli.consult(["transcripts", "verify", "--all", "--data-dir", chained.url.path])
        #expect(
            both.status == 0 && both.stdout == "\(FormatOneChainedTests.id): intact (59 events)\n",
            "\(both.stdout)\(both.stderr)")
    }

    @Test("appointments list and show read the request of format 1")
    func appointments() throws {
        let directory = try fixtureCopy("records-format1")
        defer { removeDirectory(directory) }
        let data = directory.url.path
        let list = try cli.consult(["appointments", "list", "--lang", "ru", "--data-dir", data])
        #expect(
            list.status == 0
                && list.stdout.hasPrefix("\(FormatOneTests.reference)  2026-11-30 07:47  local  ru  Анна Смирнова"),
            "\(list.stdout)\(list.stderr)")
        let show = try cli.consult([
            "appointments", "show", FormatOneTests.reference, "--lang", "en", "--data-dir", data,
        ])
        #expect(show.status == 0, "\(show.stderr)")
        #expect(
            show.stdout.contains("  Name: Анна Смирнова\n") && show.stdout.contains("  Phone: +7 916 123-45-67\n"),
            "\(show.stdout)")
        #expect(show.stdout.contains("  Work permit expires: 30 April 2028\n"), "\(show.stdout)")
        #expect(!show.stdout.contains("Integrity"), "\(show.stdout)")
    }

    @Test("an altered byte makes verify fail and show say so")
    func alterations() throws {
        let directory = try fixtureCopy("records-format1")
        defer { removeDirectory(directory) }
        let url = FormatOneTests.transcript(in: directory)
        let text = try String(contentsOf: url, encoding: .utf8)
        let rejected = try #require(text.range(of: "\"input\":\"мaybe\""))
        // "мaybe" → "мbybe": one byte of the line not accepted.
        try alterByte(
            of: url,
            at: text.utf8.distance(from: text.startIndex, to: rejected.lowerBound) + "\"input\":\"м".utf8.count,
            to: UInt8(ascii: "b"))
        let verify = try cli.consult(["transcripts", "verify", "--all", "--data-dir", directory.url.path])
        #expect(
            verify.status == 1 && verify.stdout.contains("\(FormatOneTests.id): ALTERED at line 13"), "\(verify.stdout)"
        )
        let show = try cli.consult([
            "transcripts", "show", FormatOneTests.id, "--lang", "en", "--data-dir", directory.url.path,
        ])
        #expect(show.stdout.contains("ALTERED at line 13") && !show.stdout.contains("мbybe"), "\(show.stdout)")

        let chained = try fixtureCopy("records-format1-chained")
        defer { removeDirectory(chained) }
        let request = FormatOneChainedTests.request(in: chained)
        let json = try String(contentsOf: request, encoding: .utf8)
        let name = try #require(json.range(of: "\"applicant_name\" : \"Анна"))
        try alterByte(
            of: request, at: json.utf8.distance(from: json.startIndex, to: name.upperBound), to: UInt8(ascii: "X"))
        let altered = try cli.consult(["transcripts", "verify", "--all", "--data-dir", chained.url.path])
        #expect(altered.status == 1 && altered.stdout.contains(FormatOneChainedTests.reference), "\(altered.stdout)")
        let shown = try cli.consult([
            "appointments", "show", FormatOneChainedTests.reference, "--lang", "en", "--data-dir", chained.url.path,
        ])
        #expect(shown.status == 1 && shown.stdout.contains("Integrity: ALTERED"), "\(shown.stdout)\(shown.stderr)")
    }
}
