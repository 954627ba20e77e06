import ConsultContent
import ConsultEngine
import ConsultLocalization
import Foundation

// The lawyer's side of the records: transcripts and appointment requests rendered in the language
// the lawyer chooses, whatever language the applicant used. Nothing here writes to a terminal;
// every string read from a file passes through `SafeText` before it is returned.

/// Makes text from a file safe to print on a terminal: control characters become visible escapes.
public enum SafeText {
    /// `s` with every C0 control (newline → `\n`, tab → `\t`, ESC → `\e`, others `\u{7}`), DEL, every C1
    /// control (CSI → `\u{9b}`), the bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069)
    /// and the line and paragraph separators written as escapes. A backslash is doubled, so that an
    /// escape can be told from the same characters typed.
    public static func escape(_ s: String) -> String {
        escape(s, keepingNewlines: false)
    }

    /// As `escape(_:)`, but newlines are kept (for multi-line text the program itself showed).
    public static func escape(_ s: String, keepingNewlines: Bool) -> String {
        guard s.unicodeScalars.contains(where: { isUnsafe($0) || $0 == "\\" }) else { return s }
        var out = ""
        out.unicodeScalars.reserveCapacity(s.unicodeScalars.count)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\n": out += keepingNewlines ? "\n" : "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            case "\u{1B}": out += "\\e"
            default:
                if isUnsafe(scalar) {
                    out += "\\u{" + String(scalar.value, radix: 16) + "}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    /// True for the characters that must never reach a terminal raw.
    public static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F: return true
        case 0x202A...0x202E, 0x2066...0x2069: return true
        case 0x2028, 0x2029: return true
        default: return false
        }
    }

    /// JSON text with the characters a JSON writer leaves raw (DEL, C1 controls, bidi overrides)
    /// written as `\uXXXX` escapes: the same JSON value, safe on a terminal.
    public static func escapeJSON(_ json: String) -> String {
        // C0 controls are escaped by the writer inside strings; outside them they are white space.
        func raw(_ scalar: Unicode.Scalar) -> Bool { scalar.value >= 0x20 && isUnsafe(scalar) }
        guard json.unicodeScalars.contains(where: raw) else { return json }
        var out = ""
        for scalar in json.unicodeScalars {
            if raw(scalar) {
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}

/// Facts as JSON (`jsonObject`) turned back into engine values, given their type.
public enum FactJSON {
    public static func value(_ json: Any, type: ValueType) -> Value? {
        switch type {
        case .bool:
            return isBool(json) ? (json as? Bool).map(Value.bool) : nil
        case .int:
            if !isBool(json), let n = json as? Int { return .int(n) }
            return nil
        case .date:
            return (json as? String).flatMap { LocalDate(parsing: $0) }.map(Value.date)
        case .text:
            return (json as? String).map(Value.text)
        case .choice:
            return (json as? String).map(Value.choice)
        case .list(let record):
            guard let items = json as? [Any] else { return nil }
            var records: [Record] = []
            for item in items {
                guard let object = item as? [String: Any] else { return nil }
                var r = Record()
                for (name, v) in object {
                    guard let field = record.field(name), let value = value(v, type: field.type) else { continue }
                    r[name] = value
                }
                records.append(r)
            }
            return .list(records)
        }
    }

    /// True for JSON `true` and `false` (which Foundation reads as numbers that also pass for `Int`).
    public static func isBool(_ json: Any) -> Bool {
        type(of: json) == Bool.self || String(describing: type(of: json)).contains("Boolean")
    }

    /// A JSON value written compactly, for values whose type is not known.
    public static func raw(_ json: Any?) -> String {
        if let json, isBool(json) { return (json as? Bool) == true ? "true" : "false" }
        switch json {
        case nil, is NSNull: return "—"
        case let s as String: return s
        case let n as Int: return String(n)
        case let n as NSNumber: return n.stringValue
        default:
            guard let object = json, JSONSerialization.isValidJSONObject(object),
                  let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
            else { return String(describing: json!) }
            return String(decoding: data, as: UTF8.self)
        }
    }
}

/// One line of `consult transcripts list`.
public struct TranscriptSummary: Sendable {
    public let id: String
    /// The start event's time as written (ISO 8601), empty when there is none.
    public let started: String
    public let channel: String
    /// The language the applicant chose (the first screen's when no choice was recorded).
    public let language: String
    /// The end event's reason; nil when the transcript has no end event (cut short).
    public let endReason: String?
    public let outcomes: [String]
    public let events: Int
    /// The date the consultation reasoned with (`today` of the start event).
    public let today: LocalDate?

    public init(id: String, events: [TranscriptEvent]) {
        self.id = id
        let start = events.first { $0.kind == "start" }
        let end = events.last { $0.kind == "end" }
        started = start?.time ?? ""
        channel = start?.string("channel") ?? ""
        language = StaffView.applicantLanguage(events)
        today = start?.string("today").flatMap { LocalDate(parsing: $0) }
        endReason = end.map { $0.string("reason") ?? "" }
        if let ids = end?.data["outcomes"] as? [String] {
            outcomes = ids
        } else {
            outcomes = (events.last { $0.kind == "outcome" }?.data["ids"] as? [String]) ?? []
        }
        self.events = events.count
    }

    /// Reads and summarises one transcript file.
    public static func load(_ url: URL) throws(RecordError) -> TranscriptSummary {
        TranscriptSummary(id: url.deletingPathExtension().lastPathComponent, events: try TranscriptReader.events(url))
    }

    /// The day the consultation was held, in Moscow: from the start time, else its `today`.
    public var day: LocalDate? {
        guard let date = StaffView.parseTime(started) else { return today }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = StaffView.moscow
        let c = calendar.dateComponents([.year, .month, .day], from: date)
        return LocalDate(year: c.year!, month: c.month!, day: c.day!)
    }
}

/// `renderTranscript(events, content:, language:, format:)`: a transcript for a lawyer.
public func renderTranscript(_ events: [TranscriptEvent], content: Content, language: String, format: StaffView.Format,
                             id: String? = nil, verification: Verification? = nil) -> String {
    StaffView(content: content, language: language).transcript(events, id: id, verification: verification, format: format)
}

/// An appointment request (its JSON object) for a lawyer, as text.
public func renderAppointment(_ request: [String: Any], content: Content, language: String) -> String {
    StaffView(content: content, language: language).appointment(request)
}

/// Renders records for the office's staff in one language.
public struct StaffView: Sendable {
    public enum Format: String, Sendable, CaseIterable {
        case text, markdown, json
    }

    public let content: Content
    public let language: String
    private let presenter: Presenter

    /// Times are shown in Moscow time, where the office is.
    public static let moscow = TimeZone(identifier: "Europe/Moscow") ?? TimeZone(secondsFromGMT: 3 * 3600)!

    public init(content: Content, language: String) {
        self.content = content
        self.language = language
        presenter = Presenter(content: content, language: language)
    }

    // MARK: Words

    /// A `staff.*` message.
    func label(_ key: String, _ arguments: [String: Argument] = [:]) -> String {
        presenter.text(MessageKey(key), arguments)
    }

    /// A message with text placeholders (for the commands' own lines); the values are escaped here.
    public func text(_ key: String, _ texts: [String: String] = [:]) -> String {
        label(key, texts.mapValues { .text(SafeText.escape($0)) })
    }

    private func known(_ key: MessageKey) -> Bool {
        content.localizer.has(key, in: language) || content.localizer.has(key, in: content.localizer.fallback)
    }

    /// A fact's name in the lawyer's language, or the name itself (escaped) when the content has none.
    public func factName(_ fact: String) -> String {
        known(SystemMessages.factName(fact)) ? presenter.factName(fact) : SafeText.escape(fact)
    }

    public func outcomeTitle(_ id: String) -> String {
        known(SystemMessages.outcomeTitle(id)) ? presenter.outcomeTitle(id) : SafeText.escape(id)
    }

    public func channelName(_ channel: String) -> String {
        let key = MessageKey("staff.channel.\(channel)")
        return known(key) ? presenter.text(key) : SafeText.escape(channel)
    }

    public func endReason(_ reason: String?) -> String {
        guard let reason else { return label("staff.cut_short") }
        let key = MessageKey("staff.reason.\(reason)")
        return known(key) ? presenter.text(key) : SafeText.escape(reason)
    }

    public func languageName(_ code: String) -> String {
        guard let catalog = content.localizer.catalogs[code] else { return SafeText.escape(code) }
        return "\(catalog.name) (\(code))"
    }

    /// A fact's value (as JSON) written in the lawyer's language; `field` for one field of a group's item.
    public func value(_ json: Any?, fact: String, field: String? = nil) -> String {
        guard let json else { return "—" }
        var type = content.dialogs.factTypes[fact]
        if let field {
            if case .list(let record)? = type { type = record.field(field)?.type } else { type = nil }
        }
        if let type, let value = FactJSON.value(json, type: type) {
            return SafeText.escape(presenter.format(value, fact: field ?? fact))
        }
        // An answer of another type than the fact's (a group's "add another?"): yes/no and numbers still read.
        if FactJSON.isBool(json), let b = json as? Bool { return presenter.text(b ? "value.yes" : "value.no") }
        if let n = json as? Int, let catalog = content.localizer.catalog(language) { return catalog.formatNumber(n) }
        return SafeText.escape(FactJSON.raw(json))
    }

    /// A message of the content (an open point) with the consultation's facts, or the key when unknown.
    /// An open point as the lawyer reads it: its `.lawyer` version when the content has one.
    func openPoint(_ key: String) -> String {
        StaffAudience.key(MessageKey(key), in: content, language: language).rawValue
    }

    func message(_ key: String, facts: [String: Any], today: LocalDate?) -> String {
        let messageKey = MessageKey(key)
        guard known(messageKey) else { return SafeText.escape(key) }
        var env = Environment(today: today ?? LocalDate(year: 2000, month: 1, day: 1)!)
        for (name, json) in facts {
            guard let type = content.dialogs.factTypes[name], let v = FactJSON.value(json, type: type) else { continue }
            env.set(name, .value(v))
        }
        return SafeText.escape(presenter.text(messageKey, facts: env), keepingNewlines: true)
    }

    /// The facts in the order the dialogs ask or compute them; others after, by name. The dialogs
    /// come in the order the consultation went through them (`events`), else the start dialog first.
    func ordered(_ facts: [String], events: [TranscriptEvent] = []) -> [String] {
        let dialogs = content.dialogs
        var dialogRank: [Int: Int] = [dialogs.start: -1]
        for (index, event) in events.enumerated() where event.kind == "question" {
            if let fact = event.string("fact"), let d = dialogs.position(of: fact)?.dialog, dialogRank[d] == nil { dialogRank[d] = index }
        }
        func key(_ fact: String) -> (Int, Int, Int, String) {
            guard let p = dialogs.position(of: fact) else { return (Int.max, Int.max, Int.max, fact) }
            // Not seen in the events: the dialog that closes with the appointment request comes last.
            let unseen = dialogs.dialogs[p.dialog].appointment == nil ? Int.max - 2 : Int.max - 1
            return (dialogRank[p.dialog] ?? unseen, p.dialog, p.step, fact)
        }
        return facts.sorted { key($0) < key($1) }
    }

    // MARK: Times

    static func parseTime(_ iso: String) -> Date? {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let d = f.date(from: iso) { return d }
        f.formatOptions = [.withInternetDateTime]
        return f.date(from: iso)
    }

    static func clock(_ pattern: String) -> DateFormatter {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = moscow
        f.dateFormat = pattern
        return f
    }

    /// "2026-03-01 10:32:05 Moscow time"; the text as written (escaped) when it is not a time.
    public func moment(_ iso: String) -> String {
        guard let date = Self.parseTime(iso) else { return SafeText.escape(iso) }
        return label("staff.moscow_time", ["time": .text(Self.clock("yyyy-MM-dd HH:mm:ss").string(from: date))])
    }

    /// "2026-03-01 10:32", for lists.
    func shortMoment(_ iso: String) -> String {
        guard let date = Self.parseTime(iso) else { return iso.isEmpty ? "—" : SafeText.escape(iso) }
        return Self.clock("yyyy-MM-dd HH:mm").string(from: date)
    }

    // MARK: Transcripts

    /// One line of `consult transcripts list`.
    public func line(_ s: TranscriptSummary) -> String {
        let outcomes = s.outcomes.isEmpty ? label("staff.none") : s.outcomes.map(SafeText.escape).joined(separator: ", ")
        return [SafeText.escape(s.id), shortMoment(s.started), SafeText.escape(s.channel.isEmpty ? "—" : s.channel),
                SafeText.escape(s.language.isEmpty ? "—" : s.language), label("staff.events", ["count": .number(s.events)]),
                endReason(s.endReason), outcomes].joined(separator: "  ")
    }

    public func integrity(_ v: Verification) -> String {
        switch v.status {
        case .intact: return label("staff.intact", ["count": .number(v.events)])
        case .cutShort: return label("staff.integrity_cut_short", ["count": .number(v.events)])
        case .broken(let line, let reason):
            // Only the events before the bad line are shown (`TranscriptReader.read`).
            return label("staff.altered", ["line": .text(String(line))]) + " (" + SafeText.escape(reason) + "); "
                + label("staff.unverified", ["line": .text(String(line))])
        }
    }

    public func transcript(_ events: [TranscriptEvent], id: String? = nil, verification: Verification? = nil, format: Format) -> String {
        if format == .json { return Self.json(events) }
        var doc = Document(markdown: format == .markdown)
        let start = events.first { $0.kind == "start" }
        let end = events.last { $0.kind == "end" }
        let transcriptID = id ?? start?.string("id") ?? "?"
        doc.title(label("staff.transcript", ["id": .text(SafeText.escape(transcriptID))]))
        if let verification { doc.field(label("staff.integrity"), integrity(verification)) }
        if let start {
            var channel = channelName(start.string("channel") ?? "")
            if let remote = start.string("remote") { channel += ", " + label("staff.remote") + " " + SafeText.escape(remote) }
            doc.field(label("staff.channel"), channel)
            doc.field(label("staff.started"), moment(start.time))
        }
        doc.field(label("staff.ended"), end.map { "\(moment($0.time)) — \(endReason($0.string("reason") ?? ""))" } ?? label("staff.cut_short"))
        doc.field(label("staff.language"), languageName(Self.applicantLanguage(events)))
        let switched = events.filter { $0.kind == "language" && $0.string("reason") == "switched" }.compactMap { $0.string("language") }
        if !switched.isEmpty {
            doc.field(label("staff.languages_later"), switched.map(languageName).joined(separator: ", "))
        }
        let today = start?.string("today").flatMap { LocalDate(parsing: $0) }
        if let today {
            doc.field(label("staff.today"), content.localizer.catalog(self.language)?.formatDate(today) ?? today.description)
        }
        if let start, let version = start.string("version") {
            let hash = start.string("content_hash").map { ", " + String($0.prefix(12)) } ?? ""
            doc.field(label("staff.content"), SafeText.escape(version + hash))
        }

        // Facts: the end event's, else what the answers amount to so far.
        let facts: [String: Any]
        if let recorded = end?.data["facts"] as? [String: Any] {
            facts = recorded
        } else {
            facts = Self.reconstructFacts(events)
        }
        doc.section(label("staff.facts"))
        if end?.data["facts"] == nil && !facts.isEmpty { doc.note(label("staff.facts_reconstructed")) }
        if facts.isEmpty { doc.item(label("staff.none")) }
        for name in ordered(Array(facts.keys), events: events) {
            doc.item(labelled: factName(name), value(facts[name], fact: name))
        }

        let outcomeIDs = (end?.data["outcomes"] as? [String]) ?? (events.last { $0.kind == "outcome" }?.data["ids"] as? [String]) ?? []
        doc.section(label("staff.outcomes"))
        if outcomeIDs.isEmpty { doc.item(label("staff.none")) }
        for outcome in outcomeIDs { doc.item("\(outcomeTitle(outcome)) [\(SafeText.escape(outcome))]") }

        var points: [String] = []
        for event in events where event.kind == "outcome" {
            for key in (event.data["open_points"] as? [String]) ?? [] where !points.contains(key) { points.append(key) }
        }
        doc.section(label("staff.open_points"))
        if points.isEmpty { doc.item(label("staff.none")) }
        for key in points { doc.item(message(openPoint(key), facts: facts, today: today)) }

        doc.section(label("staff.exchange"))
        let clock = Self.clock("HH:mm:ss")
        for event in events {
            let time = Self.parseTime(event.time).map { clock.string(from: $0) } ?? SafeText.escape(event.time)
            guard let (name, text) = exchangeLine(event) else { continue }
            doc.entry(time: time, label: name, text: text)
        }
        return doc.text
    }

    /// What one event shows in the exchange: a label and the text (already escaped), nil for the start.
    func exchangeLine(_ e: TranscriptEvent) -> (String, String)? {
        let fact = e.string("fact") ?? ""
        switch e.kind {
        case "start":
            return nil
        case "language":
            let reason = e.string("reason") == "switched" ? label("staff.language_switched") : label("staff.language_chosen")
            return (label("staff.event.language"), "\(languageName(e.string("language") ?? "")) — \(reason)")
        case "shown":
            return (label("staff.event.shown"), SafeText.escape(e.string("text") ?? "", keepingNewlines: true))
        case "question":
            var name = factName(fact)
            if let field = e.string("field"), !field.isEmpty { name += " / " + factName(field) }
            return (label("staff.event.question") + " (" + name + ")", SafeText.escape(e.string("text") ?? "", keepingNewlines: true))
        case "answer":
            let input = "«" + SafeText.escape(FactJSON.raw(e.data["input"])) + "»"
            let field = e.string("field")
            var shown = input
            if let v = e.data["value"], !(v is NSNull) {
                shown += " → " + value(v, fact: fact, field: field)
            }
            let name = field.map { factName(fact) + " / " + factName($0) } ?? factName(fact)
            return (label("staff.event.answer") + " (" + name + ")", shown)
        case "rejected":
            let input = typed(e)
            return (label("staff.event.rejected") + " (" + factName(fact) + ")",
                    input + " — " + SafeText.escape(e.string("problem") ?? "", keepingNewlines: true))
        case "change":
            var text = "\(factName(fact)): \(value(e.data["old"], fact: fact)) → \(value(e.data["new"], fact: fact))"
            if let dropped = e.data["dropped"] as? [String: Any], !dropped.isEmpty {
                let items = ordered(Array(dropped.keys)).map { "\(factName($0)): \(value(dropped[$0], fact: $0))" }
                text += "; " + label("staff.event.dropped") + ": " + items.joined(separator: "; ")
            }
            return (label("staff.event.change"), text)
        case "back":
            return (label("staff.event.back"), factName(fact))
        case "restart":
            return (label("staff.event.restart"), "")
        case "command":
            return (label("staff.event.command"), e.data["input"] == nil ? "«" + SafeText.escape(e.string("name") ?? "") + "»" : typed(e))
        case "outcome":
            let ids = (e.data["ids"] as? [String]) ?? []
            var text = ids.isEmpty ? label("staff.none") : ids.map(outcomeTitle).joined(separator: "; ")
            // What the applicant read, verbatim, under the titles.
            if let shown = e.string("text"), !shown.isEmpty { text += "\n" + SafeText.escape(shown, keepingNewlines: true) }
            return (label("staff.event.outcome"), text)
        case "appointment":
            return (label("staff.event.appointment"), SafeText.escape(e.string("reference") ?? ""))
        case "end":
            return (label("staff.event.end"), endReason(e.string("reason") ?? ""))
        default:
            return (label("staff.event.other") + " " + SafeText.escape(e.kind), SafeText.escape(FactJSON.raw(e.data)))
        }
    }

    /// What the applicant typed, in «»; a line recorded shortened says so, with its whole length.
    func typed(_ e: TranscriptEvent) -> String {
        let input = "«" + SafeText.escape(FactJSON.raw(e.data["input"])) + "»"
        guard let length = e.data["input_length"] as? Int else { return input }
        return "«" + SafeText.escape(FactJSON.raw(e.data["input"])) + "…» (" + label("staff.shortened", ["count": .number(length)]) + ")"
    }

    /// The language the applicant chose (the first screen's language when no choice was recorded).
    static func applicantLanguage(_ events: [TranscriptEvent]) -> String {
        events.first { $0.kind == "language" && $0.string("reason") == "chosen" }?.string("language")
            ?? events.first { $0.kind == "start" }?.string("language") ?? ""
    }

    /// The facts as the answers, changes and steps back left them (for a transcript without an end event).
    static func reconstructFacts(_ events: [TranscriptEvent]) -> [String: Any] {
        var facts: [String: Any] = [:]
        for e in events {
            if e.kind == "restart" { facts.removeAll() }
            guard let fact = e.string("fact") else { continue }
            switch e.kind {
            case "answer" where e.data["field"] == nil:
                if let v = e.data["value"], !(v is NSNull) { facts[fact] = v }
            case "change":
                if let v = e.data["new"], !(v is NSNull) { facts[fact] = v } else { facts[fact] = nil }
                for name in ((e.data["dropped"] as? [String: Any]) ?? [:]).keys { facts[name] = nil }
            case "back":
                facts[fact] = nil
            default:
                break
            }
        }
        return facts
    }

    /// The events as a JSON array, with nothing a terminal would act on.
    public static func json(_ events: [TranscriptEvent]) -> String {
        let array: [[String: Any]] = events.map { ["seq": $0.sequence, "time": $0.time, "kind": $0.kind, "data": $0.data] }
        guard let data = try? JSONSerialization.data(withJSONObject: array, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]) else {
            return "[]"
        }
        return SafeText.escapeJSON(String(decoding: data, as: UTF8.self))
    }

    // MARK: Appointment requests

    /// One line of `consult appointments list`.
    public func appointmentLine(_ r: [String: Any]) -> String {
        let applicant = (r["applicant"] as? [String: Any]) ?? [:]
        // The applicant's name is the first fact the dialog lists under `appointment: applicant`.
        let nameFact = content.dialogs.dialogs.lazy.compactMap(\.appointment).first?.applicant.first
        let name = nameFact.flatMap { applicant[$0] }.map { SafeText.escape(FactJSON.raw($0)) } ?? "—"
        let outcomes = (r["outcomes"] as? [String]) ?? []
        let mark = AppointmentRequest.isUrgent(r) ? [label("staff.urgent_mark")] : []
        return (mark + [SafeText.escape((r["reference"] as? String) ?? "?"), shortMoment((r["created"] as? String) ?? ""),
                SafeText.escape((r["channel"] as? String) ?? "—"), SafeText.escape((r["language"] as? String) ?? "—"), name,
                outcomes.isEmpty ? label("staff.none") : outcomes.map(SafeText.escape).joined(separator: ", ")]).joined(separator: "  ")
    }

    /// - Parameter problem: what `AppointmentRequest.problem(with:reference:in:)` found wrong, shown first.
    public func appointment(_ r: [String: Any], problem: String? = nil) -> String {
        var doc = Document(markdown: false)
        let reference = (r["reference"] as? String) ?? "?"
        doc.title(label("staff.appointment", ["reference": .text(SafeText.escape(reference))]))
        if let problem { doc.field(label("staff.integrity"), label("staff.request_altered", ["reason": .text(SafeText.escape(problem))])) }
        doc.field(label("staff.reference"), SafeText.escape(reference))
        if AppointmentRequest.isUrgent(r) { doc.field(label("staff.urgent"), label("staff.urgent_call")) }
        doc.field(label("staff.created"), moment((r["created"] as? String) ?? ""))
        doc.field(label("staff.channel"), channelName((r["channel"] as? String) ?? ""))
        doc.field(label("staff.language"), languageName((r["language"] as? String) ?? ""))
        if let transcript = r["transcript"] as? String { doc.field(label("staff.transcript_id"), SafeText.escape(transcript)) }

        func facts(_ heading: String, _ object: [String: Any]) {
            doc.section(heading)
            if object.isEmpty { doc.item(label("staff.none")) }
            for name in ordered(Array(object.keys)) { doc.item(labelled: factName(name), value(object[name], fact: name)) }
        }
        facts(label("staff.applicant"), (r["applicant"] as? [String: Any]) ?? [:])
        facts(label("staff.preferences"), (r["preferences"] as? [String: Any]) ?? [:])
        doc.section(label("staff.question"))
        if let question = r["question"] as? String, !question.isEmpty {
            doc.item(SafeText.escape(question))
        } else {
            doc.item(label("staff.none"))
        }

        let all = (r["facts"] as? [String: Any]) ?? [:]
        let outcomes = (r["outcomes"] as? [String]) ?? []
        doc.section(label("staff.outcomes"))
        if outcomes.isEmpty { doc.item(label("staff.none")) }
        for outcome in outcomes { doc.item("\(outcomeTitle(outcome)) [\(SafeText.escape(outcome))]") }
        let points = (r["open_points"] as? [String]) ?? []
        doc.section(label("staff.open_points"))
        if points.isEmpty { doc.item(label("staff.none")) }
        let created = Self.parseTime((r["created"] as? String) ?? "").map { date -> LocalDate in
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = Self.moscow
            let c = calendar.dateComponents([.year, .month, .day], from: date)
            return LocalDate(year: c.year!, month: c.month!, day: c.day!)!
        }
        for key in points { doc.item(message(openPoint(key), facts: all, today: created)) }
        // Every other fact, without those shown above (and the question, whichever dialog names it).
        var shown = Set(((r["applicant"] as? [String: Any]) ?? [:]).keys).union(((r["preferences"] as? [String: Any]) ?? [:]).keys)
        for fields in content.dialogs.dialogs.compactMap(\.appointment) { shown.formUnion(fields.all) }
        facts(label("staff.facts"), all.filter { !shown.contains($0.key) })
        return doc.text
    }
}

/// Plain text for a terminal, or Markdown: headings, labelled fields, items and timed entries.
/// Every string given to it is already escaped; Markdown's own characters are escaped here.
struct Document {
    let markdown: Bool
    private var lines: [String] = []

    init(markdown: Bool) {
        self.markdown = markdown
    }

    var text: String { lines.joined(separator: "\n") + "\n" }

    private func md(_ s: String) -> String {
        guard markdown else { return s }
        var out = ""
        for c in s {
            if "\\`*_[]<>#|~&".contains(c) { out.append("\\") }
            out.append(c)
        }
        return out
    }

    /// Continuation lines of a multi-line text, indented under the first (blank lines stay empty).
    private func indent(_ s: String, by prefix: String) -> String {
        s.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
            .map { $0.offset == 0 || $0.element.isEmpty ? String($0.element) : prefix + $0.element }.joined(separator: "\n")
    }

    mutating func title(_ s: String) {
        lines.append(markdown ? "# " + md(s) : s)
        if !markdown { lines.append(String(repeating: "=", count: s.count)) }
        lines.append("")
    }

    mutating func field(_ label: String, _ value: String) {
        lines.append(markdown ? "- **\(md(label)):** \(md(value))" : "\(label): \(value)")
    }

    mutating func section(_ s: String) {
        lines.append("")
        lines.append(markdown ? "## " + md(s) : s)
        if !markdown { lines.append(String(repeating: "-", count: s.count)) }
        if markdown { lines.append("") }
    }

    mutating func note(_ s: String) {
        lines.append(markdown ? "_\(md(s))_" : "(\(s))")
        if markdown { lines.append("") }
    }

    mutating func item(_ s: String) {
        lines.append(markdown ? "- " + indent(md(s), by: "  ") : "  " + indent(s, by: "    "))
    }

    mutating func item(labelled label: String, _ value: String) {
        lines.append(markdown ? "- **\(md(label)):** " + indent(md(value), by: "  ") : "  \(label): " + indent(value, by: "    "))
    }

    mutating func entry(time: String, label: String, text: String) {
        if markdown {
            lines.append("- `\(time.replacingOccurrences(of: "`", with: "'"))` **\(md(label)):** " + indent(md(text), by: "  "))
        } else {
            lines.append("  \(time)  \(label): " + indent(text, by: "            "))
        }
    }
}
