import ConsultContent
import ConsultEngine
import ConsultRecords
import ConsultStaff
import ConsultTestSupport
import Foundation
import Testing

/// Records of this release (format 2): what is written is read back as it was, every kind of event
/// and every kind of value, and a kind of a later release is kept and shown for what it is.
@Suite("records of format 2: written and read back")
struct RoundTripTests {
    static let march31 = LocalDate(year: 2028, month: 3, day: 31)!
    static let family = Value.list([
        Record(["relation": .choice("spouse"), "age": .int(35), "included": .bool(true)]),
        Record([
            "relation": .choice("child"), "age": .int(7), "birthday": .date(LocalDate(year: 2019, month: 2, day: 28)!),
            "name": .text("Ёж"),
        ]),
    ])
    static let future = UntypedJSON.object([
        "number": .int(7), "fraction": .double(0.25), "flag": .bool(false), "nothing": .null,
        "text": .string("«в кавычках» \\ / \"q\""),
        "list": .array([.string("x"), .object(["nested": .array([])])]),
    ])

    /// One event of every kind, and each kind's optional fields both given and left out.
    static func everyEvent(id: String) -> [ConsultationEvent] {
        [
            .start(
                .init(
                    id: id, channel: "ssh", contentHash: "0123abcd", version: "0.2.0",
                    today: LocalDate(year: 2026, month: 3, day: 1)!,
                    language: "es", remote: "203.0.113.7:52144")),
            .language(.init(language: "ru", reason: .chosen)),
            .shown(.init(keys: ["app.welcome", "vks.intro"], text: "Добро пожаловать\n\nи т. д.")),
            .question(
                .init(
                    fact: "work_permit_expires", key: "vks.work_permit_expires.prompt", text: "Когда?", part: .question)
            ),
            .rejected(.init(fact: "work_permit_expires", input: "скоро", problem: "Введите дату.")),
            .rejected(
                .init(fact: nil, input: String(repeating: "z", count: 200), inputLength: 5000, problem: "Too long.")),
            .answer(.init(fact: "work_permit_expires", input: "31.03.2028", value: .date(march31))),
            .answer(.init(fact: "wants_citizenship", input: "да", value: .bool(true))),
            .answer(.init(fact: "applicant_name", input: "  Анна  ", inputLength: nil, value: .text("Анна"))),
            .answer(.init(fact: "has_vks_work_permit", input: "1", value: .choice("issued"))),
            .question(.init(fact: "family_members", key: "vks.family.prompt", text: "Семья?", part: .groupStart)),
            .question(
                .init(
                    fact: "family_members", key: "vks.family.age.prompt", text: "Возраст?", part: .groupField, item: 1,
                    field: "age")),
            .answer(.init(fact: "family_members", input: "7", value: .int(7), field: "age")),
            .question(.init(fact: "family_members", key: "vks.family.more", text: "Ещё?", part: .groupMore, items: 2)),
            .change(
                .init(
                    fact: "work_permit_expires", old: .date(march31),
                    new: .date(LocalDate(year: 2028, month: 4, day: 30)!),
                    dropped: [
                        "family_members": family, "contract_terminated": .bool(false),
                        "termination_date": .date(march31),
                    ])),
            .change(.init(fact: "topic", old: .choice("vks_residence_permit"), new: .choice("other"), dropped: [:])),
            .command(.init(name: "change", input: "/change")),
            .command(.init(name: "correct", input: String(repeating: "9", count: 200), inputLength: 300)),
            .back(.init(fact: "family_members")),
            .restart,
            .language(.init(language: "en", reason: .switched)),
            .outcome(
                .init(
                    ids: ["vks_rp_eligible", "family_included"], openPoints: ["vks.confirm.grace_days"],
                    text: "What this means\n- a")),
            .outcome(.init(ids: [], openPoints: [], text: "")),
            .appointment(.init(reference: "K7MQ-9P2X", requestHash: nil)),
            .appointmentFailed(.init(error: "writing /data/appointments failed: No space left on device")),
            .unknown(kind: "future_kind", data: future),
            .unknown(kind: "future_empty", data: .object([:])),
            // Data that is not what this release writes for a known kind is kept as written.
            .unknown(kind: "answer", data: .object(["fact": .int(3)])),
            .end(
                .init(
                    reason: "completed",
                    facts: [
                        "family_members": family, "work_permit_expires": .date(march31),
                        "applicant_name": .text("Анна"), "age": .int(34), "consent": .bool(true),
                        "topic": .choice("vks_residence_permit"),
                    ],
                    outcomes: ["vks_rp_eligible", "family_included"])),
        ]
    }

    @Test("every kind of event is read back as it was written")
    func everyEventRoundTrips() throws {
        let directory = try temporaryDataDirectory()
        defer { removeDirectory(directory) }
        let writer = try TranscriptWriter(directory: directory)
        let written = Self.everyEvent(id: writer.id)
        let kinds = Set(written.map(\.kind))
        for kind in [
            "start", "question", "shown", "rejected", "answer", "change", "language", "outcome", "command", "back",
            "restart",
            "appointment", "appointment_failed", "end", "future_kind",
        ] {
            #expect(kinds.contains(kind), "no event of kind \(kind)")
        }
        let start = Date(timeIntervalSince1970: 1_772_350_325.125)
        for (n, event) in written.enumerated() { try writer.append(event, at: start.addingTimeInterval(Double(n))) }

        let (events, verification) = TranscriptReader.read(writer.url)
        #expect(verification.status == .intact, "\(verification)")
        #expect(events.count == written.count)
        for (read, event) in zip(events, written) {
            #expect(read.event == event, "line \(read.line)")
            #expect(read.kind == event.kind)
        }
        #expect(events.map(\.sequence) == Array(written.indices))
        #expect(events.first?.time == "2026-03-01T07:32:05.125Z" && events.last?.time == "2026-03-01T07:32:33.125Z")
        #expect(events.last?.hash == writer.head)

        // The lines say what they hold: the format in the start, each value's type with the value.
        let text = try String(contentsOf: writer.url, encoding: .utf8)
        let all = try lines(of: writer.url)
        #expect(all[0].contains("\"format\":\(ConsultationEvent.format)") && ConsultationEvent.format == 2)
        #expect(all[6].contains("\"value\":{\"date\":\"2028-03-31\"}"), "\(all[6])")
        #expect(all[7].contains("\"value\":{\"bool\":true}"))
        #expect(all[9].contains("\"value\":{\"choice\":\"issued\"}"))
        #expect(all[12].contains("\"value\":{\"int\":7}"))
        #expect(
            text.contains("{\"age\":{\"int\":35},\"included\":{\"bool\":true},\"relation\":{\"choice\":\"spouse\"}}"))
        #expect(all[5].contains("\"input_length\":5000") && !all[5].contains("\"fact\""))
        #expect(all[19].contains("\"data\":{},\"kind\":\"restart\""), "\(all[19])")
        #expect(all[25].contains("\"kind\":\"future_kind\""))
    }

    @Test(
        "an event of a kind this release does not know is shown to the lawyer as such, with what it holds",
        arguments: [
            ("en", "Event of an unknown kind"), ("es", "Evento de tipo desconocido"),
            ("ru", "Событие неизвестного типа"),
        ])
    func unknownKindIsShown(_ language: String, _ label: String) throws {
        let directory = try temporaryDataDirectory()
        defer { removeDirectory(directory) }
        let writer = try TranscriptWriter(directory: directory)
        let at = instant("2026-03-01T07:32:05.120Z")
        try writer.append(startEvent(writer.id), at: at)
        try writer.append(
            .unknown(kind: "future_kind", data: .object(["note": .string("\u{1B}[2J новое"), "count": .int(2)])),
            at: at.addingTimeInterval(1))
        try writer.append(.end(.init(reason: "completed")), at: at.addingTimeInterval(2))
        let (events, verification) = TranscriptReader.read(writer.url)
        #expect(verification.status == .intact)
        #expect(label == shipped.localizer.text("staff.event.other", language: language))
        let out = renderTranscript(
            events, content: shipped, language: language, format: .text, verification: verification)
        #expect(
            out.contains("  10:32:06  \(label) (future_kind): {\"count\":2,\"note\":\"\\\\u001b[2J новое\"}\n"),
            "\(out)")
        #expect(isTerminalSafe(out))
        // In the JSON export, the data as written.
        let json = renderTranscript(events, content: shipped, language: language, format: .json)
        guard case .array(let array) = try JSONDecoder().decode(UntypedJSON.self, from: Data(json.utf8)),
            case .object(let unknown) = array[1]
        else {
            Issue.record("\(json)")
            return
        }
        #expect(unknown["kind"] == .string("future_kind"))
        #expect(unknown["data"] == .object(["note": .string("\u{1B}[2J новое"), "count": .int(2)]))
    }

    // MARK: Values

    static let values: [(Value, String)] = [
        (.bool(true), #"{"bool":true}"#),
        (.bool(false), #"{"bool":false}"#),
        (.int(-3), #"{"int":-3}"#),
        (.date(march31), #"{"date":"2028-03-31"}"#),
        (.date(LocalDate(year: 2024, month: 2, day: 29)!), #"{"date":"2024-02-29"}"#),
        (.text("Анна «Смирнова» / \\ \"x\"\n"), #"{"text":"Анна «Смирнова» / \\ \"x\"\n"}"#),
        (.text("2028-03-31"), #"{"text":"2028-03-31"}"#),
        (.choice("spouse"), #"{"choice":"spouse"}"#),
        (.list([]), #"{"list":[]}"#),
        (
            family,
            #"{"list":[{"age":{"int":35},"included":{"bool":true},"relation":{"choice":"spouse"}},"#
                + #"{"age":{"int":7},"birthday":{"date":"2019-02-28"},"name":{"text":"Ёж"},"relation":{"choice":"child"}}]}"#
        ),
    ]

    @Test("every kind of value is written with its type and read back as itself")
    func valuesRoundTrip() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        for (value, json) in Self.values {
            #expect(String(decoding: try encoder.encode(value), as: UTF8.self) == json)
            #expect(try JSONDecoder().decode(Value.self, from: Data(json.utf8)) == value, "\(json)")
        }
        // In a dictionary of facts, as the end event and the requests hold them.
        let facts = Dictionary(
            uniqueKeysWithValues: Self.values.enumerated().map { ("fact\($0.offset)", $0.element.0) })
        #expect(try JSONDecoder().decode([String: Value].self, from: encoder.encode(facts)) == facts)
    }

    @Test(
        "the tagged form refuses what is not a value",
        arguments: [
            #"{"date":"not a date"}"#, #"{"date":"2028-02-30"}"#, #"{}"#, #"{"int":1,"text":"x"}"#,
            #"{"colour":"red"}"#,
            #"{"int":"7"}"#, #"{"bool":1}"#, #"{"list":[{"age":7}]}"#, #""2028-03-31""#, #"true"#, #"null"#, #"[]"#,
            // A record holds dates only as YYYY-MM-DD, though an applicant may type them otherwise.
            #"{"date":"31.03.2028"}"#, #"{"date":" 2028-03-31"}"#, #"{"date":"31/03/2028"}"#, #"{"date":"2028-3-31"}"#,
        ])
    func taggedFormRefuses(_ json: String) {
        #expect(throws: DecodingError.self, "\(json)") { try JSONDecoder().decode(Value.self, from: Data(json.utf8)) }
    }

    @Test("values of format 1 (plain JSON) read as what they plainly are")
    func untypedValues() throws {
        let decoder = JSONDecoder()
        decoder.userInfo[Value.untypedValues] = true
        func read(_ json: String) throws -> Value { try decoder.decode(Value.self, from: Data(json.utf8)) }
        #expect(try read(#""2028-03-31""#) == .text("2028-03-31"))
        #expect(try read("true") == .bool(true) && read("35") == .int(35))
        #expect(
            try read(#"[{"age":7,"relation":"child"}]"#)
                == .list([Record(["age": .int(7), "relation": .text("child")])]))
        for json in ["null", "1.5", "[[1]]", #"{"date":"2028-03-31"}"#] {
            #expect(throws: DecodingError.self, "\(json)") { try read(json) }
        }
    }
}
