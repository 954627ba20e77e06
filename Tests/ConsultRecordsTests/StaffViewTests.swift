import ConsultContent
import ConsultEngine
import ConsultRecords
import ConsultStaff
import ConsultTestSupport
import Foundation
import Testing

/// A UTC instant written as the transcript writes it.
func instant(_ iso: String) -> Date {
    let f = ISO8601DateFormatter()
    f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    return f.date(from: iso)!
}

/// A consultation held in Spanish, as the session records it: questions as the applicant read them.
func writeSpanishConsultation(in directory: DataDirectory, answers: [String: String] = [:]) throws -> TranscriptWriter {
    let writer = try TranscriptWriter(directory: directory)
    func es(_ key: String) -> String { shipped.localizer.text(MessageKey(key), language: "es") }
    func date(_ year: Int, _ month: Int, _ day: Int) -> Value { .date(LocalDate(year: year, month: month, day: day)!) }
    var t = instant("2026-03-01T07:32:05.120Z")
    func event(_ event: ConsultationEvent) throws {
        try writer.append(event, at: t)
        t = t.addingTimeInterval(7)
    }
    func ask(_ fact: String, _ prompt: String) throws {
        try event(.question(.init(fact: fact, key: prompt, text: es(prompt), part: .question)))
    }
    func answer(_ fact: String, _ input: String, _ value: Value, field: String? = nil) throws {
        try event(.answer(.init(fact: fact, input: input, value: value, field: field)))
    }
    try event(
        .start(
            .init(
                id: writer.id, channel: "ssh", contentHash: "0123456789abcdef0123", version: "0.1.0",
                today: LocalDate(year: 2026, month: 3, day: 1)!, language: "es", remote: "203.0.113.7")))
    try event(.language(.init(language: "es", reason: .chosen)))
    try event(.shown(.init(keys: ["app.welcome"], text: es("app.welcome"))))
    try ask("has_vks_work_permit", "vks.has_vks_work_permit.prompt")
    try answer("has_vks_work_permit", answers["has_vks_work_permit"] ?? "1", .choice("issued"))
    try ask("work_permit_expires", "vks.work_permit_expires.prompt")
    try event(
        .rejected(
            .init(
                fact: "work_permit_expires", input: answers["rejected"] ?? "marzo", problem: es("answer.expected_date"))
        ))
    try answer("work_permit_expires", "31.03.2027", date(2027, 3, 31))
    try ask("contract_terminated", "vks.contract_terminated.prompt")
    try answer("contract_terminated", "no", .bool(false))
    try event(.change(.init(fact: "work_permit_expires", old: date(2027, 3, 31), new: date(2028, 3, 31), dropped: [:])))
    try event(.command(.init(name: "change", input: "cambiar")))
    try ask("wants_citizenship", "vks.wants_citizenship.prompt")
    try answer("wants_citizenship", answers["wants_citizenship"] ?? "sí", .bool(true))
    try ask("wants_independent_permit", "vks.wants_independent_permit.prompt")
    try answer("wants_independent_permit", "no", .bool(false))
    // A group: the opening question, one item's fields, then "add another?".
    try event(
        .question(
            .init(fact: "family_members", key: "vks.family.prompt", text: es("vks.family.prompt"), part: .groupStart)))
    try answer("family_members", "sí", .bool(true))
    try event(
        .question(
            .init(
                fact: "family_members", key: "vks.family.relation.prompt", text: es("vks.family.relation.prompt"),
                part: .groupField, item: 0, field: "relation")))
    try answer("family_members", "1", .choice("spouse"), field: "relation")
    try event(
        .question(
            .init(
                fact: "family_members", key: "vks.family.age.prompt", text: es("vks.family.age.prompt"),
                part: .groupField, item: 0, field: "age")))
    try answer("family_members", "35", .int(35), field: "age")
    try event(
        .question(
            .init(
                fact: "family_members", key: "vks.family.more", text: es("vks.family.more"), part: .groupMore, items: 1)
        ))
    try answer("family_members", "no", .bool(false))
    let family = Value.list([Record(["relation": .choice("spouse"), "age": .int(35), "included": .bool(true)])])
    let outcomes = ["vks_rp_eligible", "citizenship_path", "family_included"]
    try event(
        .outcome(
            .init(
                ids: outcomes,
                openPoints: [
                    "vks.confirm.grace_days", "vks.confirm.citizenship_requirements", "vks.confirm.renunciation",
                ],
                text: "Qué significa esto para usted\n\nPuede solicitar el permiso de residencia.")))
    try event(.appointment(.init(reference: "K7MQ-9P2X", requestHash: nil)))
    let facts: [String: Value] = [
        "topic": .choice("vks_residence_permit"), "has_vks_work_permit": .choice("issued"),
        "work_permit_expires": date(2028, 3, 31),
        "contract_terminated": .bool(false), "wants_citizenship": .bool(true), "wants_independent_permit": .bool(false),
        "family_members": family, "permit_in_force": .bool(true), "permit_valid_until": date(2028, 3, 31),
        "vks_route": .bool(true),
        "family_included_members": family, "family_review_members": .list([]),
        "applicant_name": .text(answers["applicant_name"] ?? "María García"),
    ]
    try event(.end(.init(reason: "completed", facts: facts, outcomes: outcomes)))
    return writer
}

@Suite struct StaffViewTests {
    func ru(_ key: String) -> String { plainSpaces(shipped.localizer.text(MessageKey(key), language: "ru")) }
    /// An open point as the lawyer reads it: its `.lawyer` version where the content has one.
    func lawyer(_ key: String) -> String {
        let lawyerKey = StaffAudience.key(MessageKey(key), in: shipped, language: "ru")
        #expect(lawyerKey.rawValue == key + ".lawyer", "no lawyer's version of \(key)")
        return ru(lawyerKey.rawValue)
    }

    @Test func aSpanishSessionReadsInRussianForTheLawyer() throws {
        let directory = try temporaryDataDirectory()
        defer { removeDirectory(directory) }
        let writer = try writeSpanishConsultation(in: directory)
        let events = try TranscriptReader.events(writer.url)
        let out = plainSpaces(
            renderTranscript(
                events, content: shipped, language: "ru", format: .text,
                verification: TranscriptReader.verify(writer.url)))

        // Facts: every name and value in Russian.
        #expect(out.contains(ru("fact.work_permit_expires") + ": 31 марта 2028 г."))
        #expect(out.contains(ru("fact.permit_valid_until") + ": 31 марта 2028 г."))
        #expect(out.contains(ru("fact.has_vks_work_permit") + ": " + ru("vks.choice.issued")))
        #expect(out.contains(ru("fact.wants_citizenship") + ": да"))
        #expect(out.contains(ru("fact.contract_terminated") + ": нет"))
        #expect(out.contains(ru("fact.family_members") + ": супруг или супруга (35 лет)"))
        #expect(out.contains(ru("fact.applicant_name") + ": María García"))
        for fact in [
            "work_permit_expires", "has_vks_work_permit", "wants_citizenship", "family_members", "applicant_name",
        ] {
            let spanish = plainSpaces(shipped.localizer.text(SystemMessages.factName(fact), language: "es"))
            let english = plainSpaces(shipped.localizer.text(SystemMessages.factName(fact), language: "en"))
            #expect(!out.contains(spanish + ":"), "Spanish fact name \(spanish)")
            #expect(!out.contains(english + ":"), "English fact name \(english)")
        }
        #expect(!out.contains("31 de marzo de 2028"))

        // Outcomes and the lawyer's open points in Russian.
        for outcome in ["vks_rp_eligible", "citizenship_path", "family_included"] {
            #expect(out.contains(ru("outcome.\(outcome).title") + " [\(outcome)]"))
        }
        for point in ["vks.confirm.grace_days", "vks.confirm.citizenship_requirements", "vks.confirm.renunciation"] {
            #expect(out.contains(lawyer(point)))
        }

        // Headings in Russian, header facts.
        for key in ["staff.facts", "staff.outcomes", "staff.open_points", "staff.exchange", "staff.channel"] {
            #expect(out.contains(ru(key)))
        }
        #expect(out.contains("Стенограмма \(writer.id)"))
        #expect(out.contains("Español (es)"))
        #expect(out.contains("2026-03-01 10:32:05 по московскому времени"))
        #expect(out.contains("203.0.113.7"))
        #expect(out.contains(ru("staff.reason.completed")))
        #expect(out.contains("не изменена, 27 событий"))
        #expect(out.contains("1 марта 2026 г."))

        // The exchange verbatim: Spanish questions as shown, answers as typed, with Moscow times.
        let question = plainSpaces(shipped.localizer.text("vks.work_permit_expires.prompt", language: "es"))
        #expect(out.contains("10:32:40  Вопрос (\(ru("fact.work_permit_expires"))): \(question)"))
        #expect(out.contains("Ответ (\(ru("fact.work_permit_expires"))): «31.03.2027» → 31 марта 2027 г."))
        #expect(out.contains("Не принят (\(ru("fact.work_permit_expires"))): «marzo» — "))
        #expect(out.contains(plainSpaces(shipped.localizer.text("answer.expected_date", language: "es"))))
        #expect(out.contains("Изменение: \(ru("fact.work_permit_expires")): 31 марта 2027 г. → 31 марта 2028 г."))
        #expect(out.contains("Команда: «cambiar»"))
        #expect(out.contains("Ответ (\(ru("fact.family_members")) / relation): «1» → Супруг (супруга)"))
        #expect(out.contains("Ответ (\(ru("fact.family_members")) / age): «35» → 35"))
        #expect(out.contains("Ответ (\(ru("fact.family_members"))): «no» → нет"))
        #expect(
            out.contains(
                "Вопрос (\(ru("fact.family_members")) / relation): \(plainSpaces(shipped.localizer.text("vks.family.relation.prompt", language: "es")))"
            ))
        #expect(out.contains("Показаны выводы: \(ru("outcome.vks_rp_eligible.title"))"))
        #expect(out.contains("            Puede solicitar el permiso de residencia."))
        #expect(out.contains("Заявка на консультацию: K7MQ-9P2X"))
        #expect(isTerminalSafe(out))
    }

    @Test func theSameSessionReadsInEnglishAndSpanish() throws {
        let directory = try temporaryDataDirectory()
        defer { removeDirectory(directory) }
        let events = try TranscriptReader.events(try writeSpanishConsultation(in: directory).url)
        let en = plainSpaces(renderTranscript(events, content: shipped, language: "en", format: .text))
        #expect(en.contains("Work permit expires: 31 March 2028"))
        #expect(en.contains("Eligible for a VKS residence permit [vks_rp_eligible]"))
        let es = plainSpaces(renderTranscript(events, content: shipped, language: "es", format: .text))
        #expect(es.contains("Vencimiento del permiso de trabajo: 31 de marzo de 2028"))
    }

    @Test func escapeSequencesTypedAsAnswersComeOutEscaped() throws {
        let directory = try temporaryDataDirectory()
        defer { removeDirectory(directory) }
        let clear = "\u{1B}[2J"
        let csi = "\u{9B}31m"
        let bidi = "abc\u{202E}fed"
        let title = "\u{1B}]0;pwned\u{07}"
        let writer = try writeSpanishConsultation(
            in: directory,
            answers: [
                "has_vks_work_permit": clear, "rejected": csi, "wants_citizenship": bidi,
                "applicant_name": title + "\u{2066}x\u{2069}\u{7F}",
            ])
        let events = try TranscriptReader.events(writer.url)
        for format in StaffView.Format.allCases {
            let out = renderTranscript(events, content: shipped, language: "ru", format: format)
            #expect(isTerminalSafe(out), "\(format)")
        }
        let text = renderTranscript(events, content: shipped, language: "ru", format: .text)
        #expect(text.contains("«\\e[2J»"))
        #expect(text.contains("«\\u{9b}31m»"))
        #expect(text.contains("«abc\\u{202e}fed»"))
        #expect(text.contains("\\e]0;pwned\\u{7}\\u{2066}x\\u{2069}\\u{7f}"))

        let markdown = renderTranscript(events, content: shipped, language: "ru", format: .markdown)
        #expect(markdown.contains("# Стенограмма"))
        #expect(markdown.contains("u{9b}31m"))

        // JSON: the same values, with the characters a JSON writer leaves raw written as \u escapes.
        let json = renderTranscript(events, content: shipped, language: "ru", format: .json)
        #expect(json.contains("\\u009b31m"))
        #expect(json.contains("\\u202e"))
        guard case .array(let array) = try JSONDecoder().decode(UntypedJSON.self, from: Data(json.utf8)) else {
            Issue.record("the JSON export is not an array: \(json)")
            return
        }
        #expect(array.count == events.count)
        let inputs = array.compactMap { item -> String? in
            guard case .object(let event) = item, case .object(let data)? = event["data"] else { return nil }
            return data["input"]?.string
        }
        #expect(inputs.contains(clear))
        #expect(inputs.contains(csi))
        #expect(inputs.contains(bidi))
    }

    @Test func safeTextEscapesControlsAndOverrides() {
        #expect(SafeText.escape("plain text, «ёжик», ñ") == "plain text, «ёжик», ñ")
        #expect(SafeText.escape("a\nb\tc\r") == "a\\nb\\tc\\r")
        #expect(SafeText.escape("\u{1B}[31mred") == "\\e[31mred")
        #expect(SafeText.escape("\u{9B}2J") == "\\u{9b}2J")
        #expect(SafeText.escape("\u{0}\u{7}\u{7F}\u{85}") == "\\u{0}\\u{7}\\u{7f}\\u{85}")
        #expect(
            SafeText.escape("\u{202A}\u{202B}\u{202C}\u{202D}\u{202E}")
                == "\\u{202a}\\u{202b}\\u{202c}\\u{202d}\\u{202e}")
        #expect(SafeText.escape("\u{2066}\u{2067}\u{2068}\u{2069}") == "\\u{2066}\\u{2067}\\u{2068}\\u{2069}")
        #expect(SafeText.escape("C:\\dir") == "C:\\\\dir")
        #expect(SafeText.escape("one\ntwo", keepingNewlines: true) == "one\ntwo")
        #expect(SafeText.escapeJSON("{\"a\":\"\u{9B}\u{202E}\u{7F}\"}") == "{\"a\":\"\\u009b\\u202e\\u007f\"}")
    }

    @Test func aCutShortTranscriptShowsTheAnswersSoFar() throws {
        let directory = try temporaryDataDirectory()
        defer { removeDirectory(directory) }
        let writer = try writeConsultation(in: directory, end: false)
        let out = plainSpaces(
            renderTranscript(
                try TranscriptReader.events(writer.url), content: shipped, language: "en",
                format: .text, verification: TranscriptReader.verify(writer.url)))
        #expect(out.contains("Ended: cut short (no end event)"))
        #expect(out.contains("Integrity: cut short: no end event; the 7 events recorded are intact"))
        #expect(out.contains("reconstructed from the answers"))
        #expect(out.contains("Work permit expires: 31 March 2028"))
        let summary = try TranscriptSummary.load(writer.url)
        #expect(StaffView(content: shipped, language: "ru").line(summary).contains("оборвана"))
    }

    @Test func anAlteredTranscriptSaysSoInItsHeader() throws {
        let directory = try temporaryDataDirectory()
        defer { removeDirectory(directory) }
        let url = try writeConsultation(in: directory).url
        var all = try lines(of: url)
        all[3] = all[3].replacingOccurrences(of: "\"input\":\"1\"", with: "\"input\":\"2\"")
        try write(all, to: url)
        let out = renderTranscript(
            try TranscriptReader.events(url), content: shipped, language: "es", format: .text,
            verification: TranscriptReader.verify(url))
        #expect(out.contains("ALTERADA en la línea 4"))
    }

    @Test func summariesListWhatALawyerLooksFor() throws {
        let directory = try temporaryDataDirectory()
        defer { removeDirectory(directory) }
        let writer = try writeSpanishConsultation(in: directory)
        let summary = try TranscriptSummary.load(writer.url)
        #expect(summary.id == writer.id)
        #expect(summary.channel == "ssh")
        #expect(summary.language == "es")
        #expect(summary.endReason == "completed")
        #expect(summary.outcomes == ["vks_rp_eligible", "citizenship_path", "family_included"])
        #expect(summary.events == 27)
        #expect(summary.day(in: TimeZone(identifier: "Europe/Moscow")!) == LocalDate(year: 2026, month: 3, day: 1))
        // The number and its word are joined by a no-break space (never split at a line's end).
        let line = plainSpaces(StaffView(content: shipped, language: "ru").line(summary))
        #expect(
            line.hasPrefix(
                "\(writer.id)  2026-03-01 10:32  ssh  es  27 событий  завершена  vks_rp_eligible, citizenship_path"))
        #expect(plainSpaces(StaffView(content: shipped, language: "en").line(summary)).contains("27 events"))
        #expect(StaffView(content: shipped, language: "ru").text("staff.events").contains("события"))
    }

    @Test func anAppointmentRequestReadsInTheChosenLanguage() throws {
        let directory = try temporaryDataDirectory()
        defer { removeDirectory(directory) }
        let request = AppointmentRequest(
            created: instant("2026-03-01T07:50:00.000Z"), language: "es", channel: "kiosk",
            transcript: "ABCD-EFGH-JKMN",
            applicant: ["applicant_name": .text("María \u{1B}[31mGarcía"), "contact_phone": .text("+34 600 123 456")],
            facts: [
                "work_permit_expires": .date(LocalDate(year: 2028, month: 3, day: 31)!),
                "has_vks_work_permit": .choice("issued"),
                "wants_citizenship": .bool(true),
            ],
            outcomes: ["vks_rp_eligible", "citizenship_path"],
            openPoints: ["vks.confirm.grace_days", "vks.confirm.renunciation"],
            preferences: ["meeting_format": .choice("video"), "preferred_time": .text("martes por la mañana")],
            question: "¿Puedo trabajar\u{9B}2J mientras espero?\nGracias")
        let saved = try request.save(in: directory)
        let object = try #require(AppointmentRequest.all(in: directory).first)
        let out = plainSpaces(renderAppointment(object, content: shipped, language: "ru"))
        #expect(out.contains("Заявка на консультацию \(saved.reference)"))
        #expect(out.contains("Номер заявки: \(saved.reference)"))
        #expect(out.contains("Создана: 2026-03-01 10:50:00 по московскому времени"))
        #expect(out.contains(ru("staff.channel.kiosk")))
        #expect(out.contains("Español (es)"))
        #expect(out.contains("Стенограмма: ABCD-EFGH-JKMN"))
        #expect(out.contains(ru("fact.applicant_name") + ": María \\e[31mGarcía"))
        #expect(out.contains(ru("fact.contact_phone") + ": +34 600 123 456"))
        #expect(out.contains(ru("fact.meeting_format") + ": " + ru("closing.meeting_format.video")))
        #expect(out.contains(ru("fact.preferred_time") + ": martes por la mañana"))
        #expect(out.contains("¿Puedo trabajar\\u{9b}2J mientras espero?\\nGracias"))
        #expect(out.contains(ru("outcome.vks_rp_eligible.title")))
        #expect(out.contains(ru("outcome.citizenship_path.title")))
        #expect(out.contains(lawyer("vks.confirm.grace_days")))
        #expect(out.contains(lawyer("vks.confirm.renunciation")))
        #expect(out.contains(ru("fact.work_permit_expires") + ": 31 марта 2028 г."))
        #expect(isTerminalSafe(out))
        let line = StaffView(content: shipped, language: "ru").appointmentLine(object)
        #expect(line.hasPrefix("\(saved.reference)  2026-03-01 10:50  kiosk  es  María \\e[31mGarcía"))
    }
}

/// A consultation continued with its code: the lawyer joins it to the earlier transcript.
@Suite struct ContinuedConsultationTests {
    @Test func aContinuedTranscriptNamesTheOneItContinuesAndItsAnswers() throws {
        let directory = try temporaryDataDirectory()
        defer { removeDirectory(directory) }
        let earlier = try TranscriptWriter(directory: directory)
        let earlierRecorder = ConsultationRecorder(writer: earlier)
        earlierRecorder.start(
            channel: "ssh", remote: "203.0.113.7:50122", contentHash: "abc123", version: "0.1.0",
            today: LocalDate(year: 2026, month: 11, day: 25)!, language: "en")
        earlierRecorder.record(.language(.init(language: "ru", reason: .chosen)))
        earlierRecorder.end("paused", facts: ["language": .choice("ru"), "consent": .bool(true)])

        let writer = try TranscriptWriter(directory: directory)
        let recorder = ConsultationRecorder(writer: writer)
        recorder.start(
            channel: "ssh", remote: "203.0.113.7:50200", contentHash: "abc123", version: "0.1.0",
            today: LocalDate(year: 2026, month: 11, day: 25)!, language: "en")
        let answers: [String: Value] = [
            "language": .choice("ru"), "consent": .bool(true), "topic": .choice("vks_residence_permit"),
        ]
        recorder.record(.resumed(.init(from: earlier.id, language: "ru", answers: answers)))
        recorder.record(.answer(.init(fact: "applicant_role", input: "1", value: .choice("vks"))))
        let events = try TranscriptReader.events(writer.url)
        #expect(events.map(\.kind) == ["start", "resumed", "answer"])
        // The answers carried over count as answers; the language is the one held in.
        #expect(events.lastFacts.facts["topic"] == .choice("vks_residence_permit"))
        #expect(events.lastFacts.facts["applicant_role"] == .choice("vks"))
        #expect(TranscriptSummary(id: writer.id, events: events).language == "ru")
        for language in ["en", "es", "ru"] {
            func text(_ key: String, _ id: String? = nil) -> String {
                plainSpaces(
                    shipped.localizer.text(MessageKey(key), language: language) { name in
                        name == "id" ? .text(id ?? "") : nil
                    })
            }
            let out = plainSpaces(renderTranscript(events, content: shipped, language: language, format: .text))
            #expect(out.contains(text("staff.event.resumed") + ": " + text("staff.resumed_from", earlier.id)), "\(out)")
            #expect(out.contains(text("fact.topic")), "\(out)")
            #expect(isTerminalSafe(out))
            let paused = plainSpaces(
                renderTranscript(
                    try TranscriptReader.events(earlier.url), content: shipped, language: language, format: .text))
            #expect(paused.contains(text("staff.reason.paused")), "\(paused)")
        }
        #expect(TranscriptReader.verify(writer.url).status == .cutShort)
    }
}
