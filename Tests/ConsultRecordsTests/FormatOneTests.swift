import ConsultContent
import ConsultEngine
import ConsultRecords
import ConsultStaff
import ConsultTestSupport
import Foundation
import Testing

/// Records written before values described themselves (format 1), as an office has them on disk:
/// `Tests/Fixtures/records-format1`, a Russian consultation with a date not accepted ("мaybe"), the
/// work permit's expiry changed with /change from 2028-03-31 to 2028-04-30, a spouse aged 35, the
/// outcome vks_rp_eligible and the appointment request YNU6-DSUX. Every test reads a copy.
@Suite("records of format 1: read, shown and verified by this release")
struct FormatOneTests {
    static let id = "BG95-KWSA-P64D"
    static let reference = "YNU6-DSUX"

    static func date(_ year: Int, _ month: Int, _ day: Int) -> LocalDate {
        LocalDate(year: year, month: month, day: day)!
    }

    /// The two expiry dates as the shipped locales write them (Russian: a narrow no-break space before "г.").
    static let dates: [String: (march: String, april: String)] = [
        "en": ("31 March 2028", "30 April 2028"),
        "es": ("31 de marzo de 2028", "30 de abril de 2028"),
        "ru": ("31 марта 2028\u{202F}г.", "30 апреля 2028\u{202F}г."),
    ]
    /// The family member as the facts show it (a no-break space between the number and its word).
    static let spouse = [
        "en": "spouse (35\u{00A0}years old)", "es": "cónyuge (35\u{00A0}años)",
        "ru": "супруг или супруга (35\u{00A0}лет)",
    ]

    static func transcript(in directory: DataDirectory) -> URL {
        directory.transcripts.appendingPathComponent("\(id).jsonl")
    }
    static func request(in directory: DataDirectory) -> URL {
        directory.appointments.appendingPathComponent("\(reference).json")
    }

    // MARK: (a) the transcript

    @Test("the transcript is intact, and every event is read as the kind it is, with its fields")
    func everyEventIsRead() throws {
        let directory = try fixtureCopy("records-format1")
        defer { removeDirectory(directory) }
        let url = Self.transcript(in: directory)
        let (events, verification) = TranscriptReader.read(url)
        #expect(verification.status == .intact, "\(verification)")
        #expect(verification.events == 53 && events.count == 53)
        #expect(try lines(of: url).count == 53)
        #expect(events.map(\.sequence) == Array(0..<53) && events.map(\.line) == Array(1...53))
        for event in events {
            if case .unknown(let kind, let data) = event.event {
                Issue.record("line \(event.line): read as unknown: \(kind) \(data.compact)")
            }
        }
        #expect(events.map(\.kind).filter { $0 == "question" }.count == 22)
        #expect(events.map(\.kind).filter { $0 == "answer" }.count == 20)

        let start = try #require(events.first.flatMap { if case .start(let s) = $0.event { s } else { nil } })
        #expect(start.format == nil, "a transcript of format 1 says no format")
        #expect(start.id == Self.id && start.channel == "local" && start.language == "en" && start.version == "0.1.0")
        #expect(start.today == Self.date(2026, 11, 30) && start.remote == nil)
        #expect(events[2].event == .answer(.init(fact: "language", input: "3", value: .text("ru"))))
        #expect(events[3].event == .language(.init(language: "ru", reason: .chosen)))
        #expect(events[5].event == .answer(.init(fact: "consent", input: "да", value: .bool(true))))
        #expect(
            events[12].event
                == .rejected(
                    .init(
                        fact: "work_permit_expires", input: "мaybe",
                        problem: "Пожалуйста, введите дату, например 31.03.2027 или 2027-03-31.")))
        // Values of format 1 are plain JSON: a date is read as the text it was written as.
        #expect(
            events[14].event
                == .answer(.init(fact: "work_permit_expires", input: "31.03.2028", value: .text("2028-03-31"))))
        #expect(events[16].event == .command(.init(name: "change", input: "/change")))
        #expect(
            events[18].event
                == .answer(.init(fact: "work_permit_expires", input: "30.04.2028", value: .text("2028-04-30"))))
        #expect(
            events[19].event
                == .change(
                    .init(fact: "work_permit_expires", old: .text("2028-03-31"), new: .text("2028-04-30"), dropped: [:])
                ))
        #expect(
            events[26].event
                == .question(
                    .init(
                        fact: "family_members", key: "vks.family.prompt",
                        text: "Будут ли вас сопровождать в России члены семьи?", part: .groupStart)))
        #expect(
            events[28].event
                == .question(
                    .init(
                        fact: "family_members", key: "vks.family.relation.prompt",
                        text: "Кем вам приходится этот член семьи?", part: .groupField, item: 0, field: "relation")))
        #expect(
            events[29].event
                == .answer(.init(fact: "family_members", input: "1", value: .text("spouse"), field: "relation")))
        #expect(events[31].event == .answer(.init(fact: "family_members", input: "35", value: .int(35), field: "age")))
        #expect(
            events[32].event
                == .question(
                    .init(
                        fact: "family_members", key: "vks.family.more", text: "Добавить ещё одного члена семьи?",
                        part: .groupMore, items: 1)))
        guard case .outcome(let outcome) = events[34].event else {
            Issue.record("event 34 is \(events[34].event)")
            return
        }
        #expect(
            outcome.ids == ["vks_rp_eligible", "family_included"] && outcome.openPoints == ["vks.confirm.grace_days"])
        #expect(outcome.text.contains("30 апреля 2028"))
        #expect(
            events[38].event
                == .answer(.init(fact: "applicant_name", input: "Анна Смирнова", value: .text("Анна Смирнова"))))
        // Releases before requests were chained recorded the reference only.
        #expect(events[49].event == .appointment(.init(reference: Self.reference, requestHash: nil)))
        #expect(
            events[50].event
                == .shown(
                    .init(keys: ["closing.appointment_next"], text: "Юрист ознакомится с вашими ответами до встречи.")))

        guard case .end(let end) = events[52].event else {
            Issue.record("the last event is \(events[52].event)")
            return
        }
        #expect(end.reason == "completed" && end.outcomes == ["vks_rp_eligible", "family_included"])
        #expect(end.facts.count == 21)
        let family = Value.list([Record(["age": .int(35), "included": .bool(true), "relation": .text("spouse")])])
        #expect(end.facts["family_members"] == family && end.facts["family_included_members"] == family)
        #expect(end.facts["family_review_members"] == .list([]))
        #expect(end.facts["work_permit_expires"] == .text("2028-04-30") && end.facts["consent"] == .bool(true))
    }

    @Test("the values read as plain JSON become the fact's type the content declares")
    func valuesAreRetypedByTheContent() throws {
        let directory = try fixtureCopy("records-format1")
        defer { removeDirectory(directory) }
        let events = try TranscriptReader.events(Self.transcript(in: directory))
        guard case .end(let end)? = events.last?.event else {
            Issue.record("no end event")
            return
        }
        let types = shipped.dialogs.factTypes
        for (name, value) in end.facts {
            let type = try #require(types[name], "the content has no fact \(name)")
            #expect(value.retyped(as: type) != nil, "\(name): \(value) is not a \(type)")
        }
        #expect(types["work_permit_expires"] == .date)
        #expect(end.facts["work_permit_expires"]?.retyped(as: .date) == .date(Self.date(2028, 4, 30)))
        #expect(
            end.facts["permit_valid_until"].flatMap { $0.retyped(as: types["permit_valid_until"]!) }
                == .date(Self.date(2028, 4, 30)))
        #expect(end.facts["meeting_format"].flatMap { $0.retyped(as: types["meeting_format"]!) } == .choice("video"))
        let family = try #require(end.facts["family_members"].flatMap { $0.retyped(as: types["family_members"]!) })
        guard case .list(let items) = family, let spouse = items.first else {
            Issue.record("\(family)")
            return
        }
        #expect(items.count == 1 && spouse["relation"] == .choice("spouse") && spouse["age"] == .int(35))
        // Text that is no date stays what it is.
        #expect(Value.text("мaybe").retyped(as: .date) == nil)

        // The staff view writes the date answer, read as text, as the date it is, in each language.
        for (language, dates) in Self.dates {
            let view = StaffView(content: shipped, language: language)
            #expect(view.value(.text("2028-03-31"), fact: "work_permit_expires") == dates.march, "\(language)")
            #expect(
                view.value(end.facts["work_permit_expires"], fact: "work_permit_expires") == dates.april, "\(language)")
            #expect(
                shipped.localizer.catalog(language)?.formatDate(Self.date(2028, 4, 30)) == dates.april, "\(language)")
        }
    }

    // MARK: (b) the transcript for the lawyer

    @Test(
        "the lawyer reads the change, the family, the line not accepted, the outcome and the request",
        arguments: ["en", "es", "ru"])
    func shownToTheLawyer(_ language: String) throws {
        let directory = try fixtureCopy("records-format1")
        defer { removeDirectory(directory) }
        let url = Self.transcript(in: directory)
        let (events, verification) = TranscriptReader.read(url)
        let out = renderTranscript(
            events, content: shipped, language: language, format: .text, verification: verification)
        let view = StaffView(content: shipped, language: language)
        let dates = try #require(Self.dates[language])
        let expires = view.factName("work_permit_expires")
        #expect(
            out.contains("\(view.text("staff.event.change")): \(expires): \(dates.march) → \(dates.april)"), "\(out)")
        #expect(out.contains("  \(expires): \(dates.april)\n"), "\(out)")
        #expect(
            out.contains("\(view.text("staff.event.answer")) (\(expires)): «31.03.2028» → \(dates.march)\n"), "\(out)")
        #expect(out.contains("  \(view.factName("family_members")): \(Self.spouse[language]!)\n"), "\(out)")
        #expect(
            out.contains("\(view.text("staff.event.rejected")) (\(expires)): «мaybe» — Пожалуйста, введите дату"),
            "\(out)")
        #expect(out.contains("  \(view.outcomeTitle("vks_rp_eligible")) [vks_rp_eligible]\n"), "\(out)")
        #expect(out.contains("\(view.text("staff.event.appointment")): \(Self.reference)\n"), "\(out)")
        #expect(out.contains(view.integrity(verification)))
        // No date left as it is stored: every one in the lawyer's words.
        #expect(!out.contains("2028-03-31") && !out.contains("2028-04-30"), "\(out)")
        #expect(!out.contains(view.text("staff.facts_reconstructed")))
        #expect(isTerminalSafe(out))
        if language == "en" {
            #expect(out.contains("Changed: Work permit expires: 31 March 2028 → 30 April 2028"))
            #expect(out.contains("Accompanying family members: spouse (35\u{00A0}years old)"))
            #expect(out.contains("Eligible for a VKS residence permit [vks_rp_eligible]"))
            #expect(out.contains("Integrity: intact, 53\u{00A0}events"))
        }
        // Markdown too.
        let markdown = renderTranscript(
            events, content: shipped, language: language, format: .markdown, verification: verification)
        #expect(markdown.contains("\(dates.march) → \(dates.april)"), "\(markdown)")
    }

    // MARK: (c) the appointment request

    @Test("the JSON export shows each event's data as the first format wrote it, not retyped")
    func exportKeepsWhatWasWritten() throws {
        let directory = try fixtureCopy("records-format1")
        defer { removeDirectory(directory) }
        let events = try TranscriptReader.events(Self.transcript(in: directory))
        let json = StaffView.json(events)
        #expect(
            json.contains(#""new" : "2028-04-30""#) && json.contains(#""old" : "2028-03-31""#), "\(json.prefix(3000))")
        #expect(!json.contains(#""text" : "2028-04-30""#))
    }

    @Test("the request is read, nothing is found wrong with it, and it reads for the lawyer")
    func requestIsRead() throws {
        let directory = try fixtureCopy("records-format1")
        defer { removeDirectory(directory) }
        let (object, request) = try AppointmentRequest.read(Data(contentsOf: Self.request(in: directory)))
        #expect(request.reference == Self.reference && request.transcript == Self.id)
        #expect(
            request.language == "ru" && request.channel == "local"
                && object["created"]?.string == "2026-11-30T04:47:25.612Z")
        #expect(request.createdText == "2026-11-30T04:47:25.612Z")
        #expect(request.format == nil && request.hash == nil && request.transcriptHead == nil && !request.urgent)
        #expect(
            request.applicant == [
                "applicant_name": .text("Анна Смирнова"), "contact_method": .text("phone"),
                "contact_phone": .text("+7 916 123-45-67"),
            ])
        #expect(request.preferences == ["meeting_format": .text("video"), "preferred_time": .text("пятница, утро")])
        #expect(request.question == "Нужно ли продлевать ВНЖ?")
        #expect(
            request.outcomes == ["vks_rp_eligible", "family_included"]
                && request.openPoints == ["vks.confirm.grace_days"])
        #expect(request.facts["work_permit_expires"] == .text("2028-04-30") && request.facts.count == 21)
        #expect(object["reference"]?.string == Self.reference && object["hash"] == nil)

        #expect(AppointmentRequest.problem(with: object, reference: Self.reference, in: directory) == nil)
        #expect(AppointmentRequest.problems(in: directory).isEmpty)
        #expect(AppointmentRequest.all(in: directory).map(\.reference) == [Self.reference])

        for language in ["en", "es", "ru"] {
            let out = renderAppointment(request, content: shipped, language: language)
            let view = StaffView(content: shipped, language: language)
            #expect(out.contains("  \(view.factName("applicant_name")): Анна Смирнова\n"), "\(out)")
            #expect(out.contains("  \(view.factName("contact_phone")): +7 916 123-45-67\n"), "\(out)")
            #expect(
                out.contains("  \(view.factName("work_permit_expires")): \(Self.dates[language]!.april)\n"), "\(out)")
            #expect(out.contains("\(view.text("staff.transcript_id")): \(Self.id)"), "\(out)")
            #expect(!out.contains(view.text("staff.integrity")), "an intact request said to be altered:\n\(out)")
        }
        let line = StaffView(content: shipped, language: "ru").appointmentLine(request)
        #expect(
            line.hasPrefix("\(Self.reference)  2026-11-30 07:47  local  ru  Анна Смирнова  vks_rp_eligible"), "\(line)")
    }

    // MARK: (d) alterations

    @Test("one byte altered in any line of the transcript is found on that line")
    func alteredTranscriptByteIsFound() throws {
        let directory = try fixtureCopy("records-format1")
        defer { removeDirectory(directory) }
        let url = Self.transcript(in: directory)
        let original = try Data(contentsOf: url)
        var lineStart = 0
        for number in 1...53 {
            // The first letter of the event's first field name: still JSON, no longer the event written.
            let offset = lineStart + "{\"data\":{\"".utf8.count
            var altered = original
            altered[offset] = original[offset] == UInt8(ascii: "x") ? UInt8(ascii: "y") : UInt8(ascii: "x")
            try altered.write(to: url)
            #expect(
                TranscriptReader.verify(url).status == .broken(line: number, reason: "the event was altered"),
                "line \(number)")
            lineStart = try #require(original[lineStart...].firstIndex(of: 0x0A)) + 1
        }
        #expect(lineStart == original.count)
        // And a value: the new expiry date, one digit later.
        try original.write(to: url)
        let text = String(decoding: original, as: UTF8.self)
        let value = try #require(text.range(of: "\"input\":\"30.04.2028\",\"value\":\"2028-04-30\""))
        let digit = text.utf8.distance(from: text.startIndex, to: value.upperBound) - 2
        try alterByte(of: url, at: digit, to: UInt8(ascii: "1"))
        #expect(String(decoding: try Data(contentsOf: url), as: UTF8.self).contains("\"value\":\"2028-04-31\""))
        let verification = TranscriptReader.verify(url)
        #expect(verification.status == .broken(line: 19, reason: "the event was altered"))
        #expect(
            TranscriptReader.read(url).events.count == 18, "events after the altered line were returned as verified")
    }

    @Test("one byte altered in the request is found")
    func alteredRequestByteIsFound() throws {
        let directory = try fixtureCopy("records-format1")
        defer { removeDirectory(directory) }
        let url = Self.request(in: directory)
        let text = try String(contentsOf: url, encoding: .utf8)
        let phone = try #require(text.range(of: "\"contact_phone\" : \"+7 916"))
        try alterByte(
            of: url, at: text.utf8.distance(from: text.startIndex, to: phone.upperBound) - 1, to: UInt8(ascii: "9"))
        let (object, request) = try AppointmentRequest.read(Data(contentsOf: url))
        #expect(request.applicant["contact_phone"] == .text("+7 919 123-45-67"))
        // The transcript recorded the facts the request was made from (its end event), but a request
        // of a release that did not chain requests carries no hash, and nothing holds it against them.
        withKnownIssue(
            "a request of a release before requests were chained (no hash) is not checked against its transcript"
        ) {
            #expect(AppointmentRequest.problem(with: object, reference: Self.reference, in: directory) != nil)
        }
    }
}
