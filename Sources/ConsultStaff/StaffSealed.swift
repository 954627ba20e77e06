import ConsultContent
import ConsultEngine
import ConsultRecords
import Foundation

extension StaffView {
    // MARK: Sealed records, without an identity that opens them

    /// One line of `consult transcripts list` for a transcript no identity given could open: what is
    /// in the clear (id, start, events, whether it ended) and the word that it is sealed.
    public func sealedLine(id: String, events: [TranscriptEvent]) -> String {
        sealedLine(
            id: id, started: events.first?.time ?? "", events: events.count, ended: events.last?.kind == "end",
            place: "")
    }

    /// The same line from what a record store keeps of it in the clear; `place` is "office/host" or empty.
    public func sealedLine(id: String, started: String, events: Int, ended: Bool, place: String) -> String {
        var fields = [SafeText.escape(id), shortMoment(started)]
        if !place.isEmpty { fields.append(SafeText.escape(place)) }
        fields += [
            label("staff.events", ["count": .number(events)]),
            ended ? label("staff.event.end") : label("staff.cut_short"), label("staff.sealed"),
        ]
        return fields.joined(separator: "  ")
    }

    /// The day a transcript began in the office's time zone (its first event's time, in the clear).
    public func day(of events: [TranscriptEvent]) -> LocalDate? {
        Self.parseTime(events.first?.time ?? "").map { Self.day(of: $0, in: timeZone) }
    }

    /// `consult transcripts show` of a transcript no identity given could open.
    public func sealedTranscript(_ events: [TranscriptEvent], id: String, verification: Verification) -> String {
        var doc = Document(markdown: false)
        doc.title(label("staff.transcript", ["id": .text(SafeText.escape(id))]))
        doc.field(label("staff.integrity"), integrity(verification))
        if let seal = verification.seal { doc.field(label("staff.sealed_field"), sealedBy(seal)) }
        if let first = events.first { doc.field(label("staff.started"), moment(first.time)) }
        doc.field(
            label("staff.ended"),
            events.last.flatMap { $0.kind == "end" ? moment($0.time) : nil } ?? label("staff.cut_short"))
        doc.note(label("staff.sealed_note"))
        return doc.text
    }

    /// One line of `consult appointments list` for a sealed request.
    public func sealedAppointmentLine(_ r: SealedRequestInfo) -> String {
        [SafeText.escape(r.reference), shortMoment(r.createdText), label("staff.sealed")].joined(separator: "  ")
    }

    /// `consult appointments show` of a sealed request no identity given could open.
    public func sealedAppointment(_ r: SealedRequestInfo) -> String {
        var doc = Document(markdown: false)
        doc.title(label("staff.appointment", ["reference": .text(SafeText.escape(r.reference))]))
        doc.field(label("staff.created"), moment(r.createdText))
        if let transcript = r.transcript { doc.field(label("staff.transcript_id"), SafeText.escape(transcript)) }
        doc.field(label("staff.sealed_field"), sealedBy(r.seal))
        doc.note(label("staff.sealed_note"))
        return doc.text
    }

    func sealedBy(_ seal: SealInfo) -> String {
        label(
            "staff.sealed_by",
            [
                "host": .text(SafeText.escape(seal.knownAs.flatMap { $0.isEmpty ? nil : $0 } ?? seal.hostName)),
                "key": .text(SafeText.escape(seal.hostKey)),
                "recipients": .text(seal.recipients.map(SafeText.escape).joined(separator: ", ")),
            ])
    }
}
