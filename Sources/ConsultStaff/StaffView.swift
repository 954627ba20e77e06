import ConsultContent
import ConsultEngine
import ConsultLocalization
import ConsultRecords
import Foundation

// The lawyer's side of the records: transcripts and appointment requests rendered in the language
// the lawyer chooses, whatever language the applicant used. Nothing here writes to a terminal;
// every string read from a file passes through `SafeText` before it is returned.

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
    /// Where it was held (`--office`, the machine); empty when not recorded.
    public var office = ""
    public var host = ""

    /// A summary as a record store keeps it.
    public init(
        id: String, started: String, channel: String, language: String, endReason: String?, outcomes: [String],
        events: Int, today: LocalDate?, office: String, host: String
    ) {
        self.id = id
        self.started = started
        self.channel = channel
        self.language = language
        self.endReason = endReason
        self.outcomes = outcomes
        self.events = events
        self.today = today
        self.office = office
        self.host = host
    }

    public init(id: String, events: [TranscriptEvent]) {
        self.id = id
        let start = events.timedStart
        office = start?.start.office ?? ""
        host = start?.start.host ?? ""
        started = start?.time ?? ""
        channel = start?.start.channel ?? ""
        language = StaffView.applicantLanguage(events)
        today = start?.start.today
        endReason = events.endEvent?.end.reason
        outcomes = events.outcomeIDs
        self.events = events.count
    }

    /// Reads and summarises one transcript file.
    public static func load(_ url: URL) throws(RecordError) -> TranscriptSummary {
        TranscriptSummary(id: url.deletingPathExtension().lastPathComponent, events: try TranscriptReader.events(url))
    }

    /// The day the consultation was held in the office's time zone: from the start time, else its `today`.
    public func day(in timeZone: TimeZone) -> LocalDate? {
        guard let date = StaffView.parseTime(started) else { return today }
        return StaffView.day(of: date, in: timeZone)
    }
}

/// `renderTranscript(events, content:, language:, format:)`: a transcript for a lawyer.
public func renderTranscript(
    _ events: [TranscriptEvent], content: Content, language: String, format: StaffView.Format,
    id: String? = nil, verification: Verification? = nil
) -> String {
    StaffView(content: content, language: language).transcript(
        events, id: id, verification: verification, format: format)
}

/// An appointment request for a lawyer, as text.
public func renderAppointment(_ request: AppointmentRequest, content: Content, language: String) -> String {
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
    /// Times are shown in the office's time zone (the content's `time_zone`).
    public let timeZone: TimeZone
    private let clockStyles: ClockStyles

    public init(content: Content, language: String) {
        self.content = content
        self.language = language
        presenter = Presenter(content: content, language: language)
        timeZone = TimeZone(identifier: content.dialogs.timeZone) ?? .gmt
        clockStyles = ClockStyles(timeZone)
    }

    /// The three ways a time is written for staff, made once per view (not per event).
    private struct ClockStyles: Sendable {
        let seconds: Date.VerbatimFormatStyle
        let minutes: Date.VerbatimFormatStyle
        let time: Date.VerbatimFormatStyle

        init(_ zone: TimeZone) {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = zone
            func style(_ format: Date.FormatString) -> Date.VerbatimFormatStyle {
                Date.VerbatimFormatStyle(
                    format: format, locale: Locale(identifier: "en_US_POSIX"), timeZone: zone, calendar: calendar)
            }
            seconds = style(
                "\(year: .extended(minimumLength: 4))-\(month: .twoDigits)-\(day: .twoDigits) \(hour: .twoDigits(clock: .twentyFourHour, hourCycle: .zeroBased)):\(minute: .twoDigits):\(second: .twoDigits)"
            )
            minutes = style(
                "\(year: .extended(minimumLength: 4))-\(month: .twoDigits)-\(day: .twoDigits) \(hour: .twoDigits(clock: .twentyFourHour, hourCycle: .zeroBased)):\(minute: .twoDigits)"
            )
            time = style(
                "\(hour: .twoDigits(clock: .twentyFourHour, hourCycle: .zeroBased)):\(minute: .twoDigits):\(second: .twoDigits)"
            )
        }
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
        guard let catalog = content.localizer.catalog(exactly: code) else { return SafeText.escape(code) }
        return "\(catalog.name) (\(code))"
    }

    /// A fact's value written in the lawyer's language; `field` for one field of a group's item.
    /// A value of a transcript of the first format (plain JSON) is read as the type the content
    /// declares for its fact.
    public func value(_ value: Value?, fact: String, field: String? = nil) -> String {
        guard let value else { return "—" }
        var type = content.dialogs.factTypes[fact]
        if let field {
            if case .list(let record)? = type { type = record.field(field)?.type } else { type = nil }
        }
        if let type, let typed = value.retyped(as: type) {
            return SafeText.escape(presenter.format(typed, fact: field ?? fact))
        }
        // An answer of another type than the fact's (a group's "add another?"), or a fact the
        // content does not know: yes/no, numbers and dates still read.
        switch value {
        case .bool(let b): return presenter.text(b ? "value.yes" : "value.no")
        case .int(let n): return content.localizer.catalog(language)?.formatNumber(n) ?? String(n)
        case .date(let d): return content.localizer.catalog(language)?.formatDate(d) ?? d.description
        case .text(let s), .choice(let s): return SafeText.escape(s)
        case .list: return SafeText.escape(value.untyped.compact)
        }
    }

    /// A message of the content (an open point) with the consultation's facts, or the key when unknown.
    /// An open point as the lawyer reads it: its `.lawyer` version when the content has one.
    func openPoint(_ key: String) -> String {
        StaffAudience.key(MessageKey(key), in: content, language: language).rawValue
    }

    func message(_ key: String, facts: [String: Value], today: LocalDate?) -> String {
        let messageKey = MessageKey(key)
        guard known(messageKey) else { return SafeText.escape(key) }
        var env = Environment(today: today ?? LocalDate(year: 2000, month: 1, day: 1)!)
        for (name, value) in facts {
            guard let type = content.dialogs.factTypes[name], let v = value.retyped(as: type) else { continue }
            env.set(name, .value(v))
        }
        return SafeText.escape(presenter.text(messageKey, facts: env), keepingNewlines: true)
    }

    /// The facts in the order the dialogs ask or compute them; others after, by name. The dialogs
    /// come in the order the consultation went through them (`events`), else the start dialog first.
    func ordered(_ facts: [String], events: [TranscriptEvent] = []) -> [String] {
        let dialogs = content.dialogs
        var dialogRank: [Int: Int] = [dialogs.start: -1]
        for (index, event) in events.enumerated() {
            if case .question(let q) = event.event, let d = dialogs.position(of: q.fact)?.dialog, dialogRank[d] == nil {
                dialogRank[d] = index
            }
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
        isoReaders.date(from: iso)
    }

    /// The two ISO 8601 readers, made once for the process rather than once per event shown.
    private static let isoReaders = ISOReaders()

    /// A formatter is not safe to share between threads: one lock around both.
    private final class ISOReaders: @unchecked Sendable {
        private let lock = NSLock()
        private let fractional = ISO8601DateFormatter()
        private let whole = ISO8601DateFormatter()

        init() {
            fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            whole.formatOptions = [.withInternetDateTime]
        }

        func date(from iso: String) -> Date? {
            lock.lock()
            defer { lock.unlock() }
            return fractional.date(from: iso) ?? whole.date(from: iso)
        }
    }

    /// "2026-03-01 10:32:05 Moscow time"; the text as written (escaped) when it is not a time.
    public func moment(_ iso: String) -> String {
        guard let date = Self.parseTime(iso) else { return SafeText.escape(iso) }
        return label("staff.moscow_time", ["time": .text(date.formatted(clockStyles.seconds))])
    }

    /// "2026-03-01 10:32", for lists.
    func shortMoment(_ iso: String) -> String {
        guard let date = Self.parseTime(iso) else { return iso.isEmpty ? "—" : SafeText.escape(iso) }
        return date.formatted(clockStyles.minutes)
    }

    /// "10:32:05", for the exchange.
    func clockTime(_ date: Date) -> String {
        date.formatted(clockStyles.time)
    }

    /// The day in `zone` at `date`.
    static func day(of date: Date, in zone: TimeZone) -> LocalDate {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let c = calendar.dateComponents([.year, .month, .day], from: date)
        // The calendar's own components always make a date.
        return LocalDate(year: c.year ?? 2000, month: c.month ?? 1, day: c.day ?? 1) ?? LocalDate(
            year: 2000, month: 1, day: 1)!
    }

    // MARK: Transcripts

    /// One line of `consult transcripts list`.
    public func line(_ s: TranscriptSummary) -> String {
        let outcomes =
            s.outcomes.isEmpty ? label("staff.none") : s.outcomes.map(SafeText.escape).joined(separator: ", ")
        // Where it was held, when recorded: "office/host".
        let place = [s.office, s.host].filter { !$0.isEmpty }.joined(separator: "/")
        var fields = [
            SafeText.escape(s.id), shortMoment(s.started), SafeText.escape(s.channel.isEmpty ? "—" : s.channel),
        ]
        if !place.isEmpty { fields.append(SafeText.escape(place)) }
        fields += [
            SafeText.escape(s.language.isEmpty ? "—" : s.language), label("staff.events", ["count": .number(s.events)]),
            endReason(s.endReason), outcomes,
        ]
        return fields.joined(separator: "  ")
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

    public func transcript(
        _ events: [TranscriptEvent], id: String? = nil, verification: Verification? = nil, format: Format
    ) -> String {
        if format == .json { return Self.json(events) }
        var doc = Document(markdown: format == .markdown)
        let start = events.startEvent
        let startTime = events.timedStart?.time
        let end = events.endEvent
        let transcriptID = id ?? start?.id ?? "?"
        doc.title(label("staff.transcript", ["id": .text(SafeText.escape(transcriptID))]))
        if let verification { doc.field(label("staff.integrity"), integrity(verification)) }
        // Opened with an identity: which machine wrote it and for whom, as verify says.
        if let seal = verification?.seal { doc.field(label("staff.sealed_field"), sealedBy(seal)) }
        if let start, let startTime {
            var channel = channelName(start.channel)
            if let remote = start.remote { channel += ", " + label("staff.remote") + " " + SafeText.escape(remote) }
            doc.field(label("staff.channel"), channel)
            doc.field(label("staff.started"), moment(startTime))
        }
        let continued = events.compactMap { event -> String? in
            if case .resumed(let r) = event.event { return r.from }
            return nil
        }
        if !continued.isEmpty {
            doc.field(label("staff.event.resumed"), continued.map(continues).joined(separator: ", "))
        }
        doc.field(
            label("staff.ended"),
            end.map { "\(moment($0.time)) — \(endReason($0.end.reason))" } ?? label("staff.cut_short"))
        doc.field(label("staff.language"), languageName(Self.applicantLanguage(events)))
        let switched = events.compactMap { event -> String? in
            if case .language(let l) = event.event, l.reason == .switched { return l.language }
            return nil
        }
        if !switched.isEmpty {
            doc.field(label("staff.languages_later"), switched.map(languageName).joined(separator: ", "))
        }
        let today = start?.today
        if let today {
            doc.field(
                label("staff.today"), content.localizer.catalog(self.language)?.formatDate(today) ?? today.description)
        }
        if let start {
            doc.field(
                label("staff.content"), SafeText.escape(start.version + ", " + String(start.contentHash.prefix(12))))
        }

        // Facts: the end event's, else what the answers amount to so far. (The end a crash handler
        // writes holds none: the answers tell.)
        let (facts, recorded) = events.lastFacts
        doc.section(label("staff.facts"))
        if !recorded && !facts.isEmpty { doc.note(label("staff.facts_reconstructed")) }
        if facts.isEmpty { doc.item(label("staff.none")) }
        for name in ordered(Array(facts.keys), events: events) {
            doc.item(labelled: factName(name), value(facts[name], fact: name))
        }

        let outcomeIDs = events.outcomeIDs
        doc.section(label("staff.outcomes"))
        if outcomeIDs.isEmpty { doc.item(label("staff.none")) }
        for outcome in outcomeIDs { doc.item("\(outcomeTitle(outcome)) [\(SafeText.escape(outcome))]") }

        var points: [String] = []
        for event in events {
            guard case .outcome(let o) = event.event else { continue }
            for key in o.openPoints where !points.contains(key) { points.append(key) }
        }
        doc.section(label("staff.open_points"))
        if points.isEmpty { doc.item(label("staff.none")) }
        for key in points { doc.item(message(openPoint(key), facts: facts, today: today)) }

        doc.section(label("staff.exchange"))
        for event in events {
            let time = Self.parseTime(event.time).map(clockTime) ?? SafeText.escape(event.time)
            guard let (name, text) = exchangeLine(event.event) else { continue }
            doc.entry(time: time, label: name, text: text)
        }
        return doc.text
    }

    /// What one event shows in the exchange: a label and the text (already escaped), nil for the start.
    func exchangeLine(_ event: ConsultationEvent) -> (String, String)? {
        switch event {
        case .start:
            return nil
        case .language(let l):
            let reason = l.reason == .switched ? label("staff.language_switched") : label("staff.language_chosen")
            return (label("staff.event.language"), "\(languageName(l.language)) — \(reason)")
        case .shown(let shown):
            return (label("staff.event.shown"), SafeText.escape(shown.text, keepingNewlines: true))
        case .question(let q):
            var name = factName(q.fact)
            if let field = q.field, !field.isEmpty { name += " / " + factName(field) }
            return (label("staff.event.question") + " (" + name + ")", SafeText.escape(q.text, keepingNewlines: true))
        case .answer(let a):
            let shown = typed(a.input, length: a.inputLength) + " → " + value(a.value, fact: a.fact, field: a.field)
            let name = a.field.map { factName(a.fact) + " / " + factName($0) } ?? factName(a.fact)
            return (label("staff.event.answer") + " (" + name + ")", shown)
        case .rejected(let r):
            return (
                label("staff.event.rejected") + " (" + factName(r.fact ?? "") + ")",
                typed(r.input, length: r.inputLength) + " — " + SafeText.escape(r.problem, keepingNewlines: true)
            )
        case .change(let c):
            var text = "\(factName(c.fact)): \(value(c.old, fact: c.fact)) → \(value(c.new, fact: c.fact))"
            if !c.dropped.isEmpty {
                let items = ordered(Array(c.dropped.keys)).map { "\(factName($0)): \(value(c.dropped[$0], fact: $0))" }
                text += "; " + label("staff.event.dropped") + ": " + items.joined(separator: "; ")
            }
            return (label("staff.event.change"), text)
        case .back(let b):
            return (label("staff.event.back"), factName(b.fact))
        case .restart:
            return (label("staff.event.restart"), "")
        case .command(let c):
            return (label("staff.event.command"), typed(c.input, length: c.inputLength))
        case .outcome(let o):
            var text = o.ids.isEmpty ? label("staff.none") : o.ids.map(outcomeTitle).joined(separator: "; ")
            // What the applicant read, verbatim, under the titles.
            if !o.text.isEmpty { text += "\n" + SafeText.escape(o.text, keepingNewlines: true) }
            return (label("staff.event.outcome"), text)
        case .appointment(let a):
            return (label("staff.event.appointment"), SafeText.escape(a.reference))
        case .appointmentFailed(let f):
            return (label("staff.event.appointment_failed"), SafeText.escape(f.error, keepingNewlines: true))
        case .resumed(let r):
            let answers = ordered(Array(r.answers.keys)).map { "\(factName($0)): \(value(r.answers[$0], fact: $0))" }
            return (
                label("staff.event.resumed"),
                ([continues(r.from)] + answers).joined(separator: "; ")
            )
        case .end(let e):
            return (label("staff.event.end"), endReason(e.reason))
        case .unknown(let kind, let data):
            return (label("staff.event.other") + " (" + SafeText.escape(kind) + ")", SafeText.escape(data.compact))
        }
    }

    /// "continues transcript K7MQ-…": the earlier transcript of a consultation continued with its code.
    func continues(_ id: String) -> String {
        label("staff.resumed_from", ["id": .text(SafeText.escape(id))])
    }

    /// What the applicant typed, in «»; a line recorded shortened says so, with its whole length.
    func typed(_ input: String, length: Int?) -> String {
        guard let length else { return "«" + SafeText.escape(input) + "»" }
        return "«" + SafeText.escape(input) + "…» (" + label("staff.shortened", ["count": .number(length)]) + ")"
    }

    /// The language the applicant chose (the first screen's language when no choice was recorded).
    static func applicantLanguage(_ events: [TranscriptEvent]) -> String {
        for event in events {
            if case .language(let l) = event.event, l.reason == .chosen { return l.language }
            // A consultation continued with its code goes on in the language it was held in.
            if case .resumed(let r) = event.event { return r.language }
        }
        return events.startEvent?.language ?? ""
    }

    /// The events as a JSON array (each event's data as the line holds it, without the chain), with
    /// nothing a terminal would act on.
    public static func json(_ events: [TranscriptEvent]) -> String {
        struct Exported: Encodable {
            let event: TranscriptEvent
            enum CodingKeys: String, CodingKey { case seq, time, kind, data }
            func encode(to encoder: any Encoder) throws {
                var c = encoder.container(keyedBy: CodingKeys.self)
                try c.encode(event.sequence, forKey: .seq)
                try c.encode(event.time, forKey: .time)
                try c.encode(event.kind, forKey: .kind)
                if let written = event.written {
                    try c.encode(written, forKey: .data)
                } else {
                    try event.event.encodeData(to: c.superEncoder(forKey: .data))
                }
            }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(events.map(Exported.init)) else { return "[]" }
        return SafeText.escapeJSON(String(decoding: data, as: UTF8.self))
    }
}
