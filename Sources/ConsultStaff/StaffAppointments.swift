import ConsultContent
import ConsultEngine
import ConsultRecords
import Foundation

extension StaffView {
    // MARK: Appointment requests

    /// One line of `consult appointments list`.
    public func appointmentLine(_ r: AppointmentRequest) -> String {
        // The applicant's name is the first fact the dialog lists under `appointment: applicant`.
        let nameFact = content.dialogs.dialogs.lazy.compactMap(\.appointment).first?.applicant.first
        let name = nameFact.flatMap { r.applicant[$0] }.map { value($0, fact: nameFact ?? "") } ?? "—"
        let mark = r.urgent ? [label("staff.urgent_mark")] : []
        return
            (mark + [
                SafeText.escape(r.reference), shortMoment(r.createdText), SafeText.escape(r.channel),
                SafeText.escape(r.language), name,
                r.outcomes.isEmpty ? label("staff.none") : r.outcomes.map(SafeText.escape).joined(separator: ", "),
            ])
            .joined(separator: "  ")
    }

    /// - Parameter problem: what `AppointmentRequest.problem(...)` found wrong, shown first.
    public func appointment(_ r: AppointmentRequest, problem: String? = nil) -> String {
        var doc = Document(markdown: false)
        doc.title(label("staff.appointment", ["reference": .text(SafeText.escape(r.reference))]))
        if let problem {
            doc.field(
                label("staff.integrity"), label("staff.request_altered", ["reason": .text(SafeText.escape(problem))]))
        }
        doc.field(label("staff.reference"), SafeText.escape(r.reference))
        if r.urgent { doc.field(label("staff.urgent"), label("staff.urgent_call")) }
        doc.field(label("staff.created"), moment(r.createdText))
        doc.field(label("staff.channel"), channelName(r.channel))
        doc.field(label("staff.language"), languageName(r.language))
        if let transcript = r.transcript { doc.field(label("staff.transcript_id"), SafeText.escape(transcript)) }

        func facts(_ heading: String, _ object: [String: Value]) {
            doc.section(heading)
            if object.isEmpty { doc.item(label("staff.none")) }
            for name in ordered(Array(object.keys)) {
                doc.item(labelled: factName(name), value(object[name], fact: name))
            }
        }
        facts(label("staff.applicant"), r.applicant)
        facts(label("staff.preferences"), r.preferences)
        doc.section(label("staff.question"))
        if let question = r.question, !question.isEmpty {
            doc.item(SafeText.escape(question))
        } else {
            doc.item(label("staff.none"))
        }

        doc.section(label("staff.outcomes"))
        if r.outcomes.isEmpty { doc.item(label("staff.none")) }
        for outcome in r.outcomes { doc.item("\(outcomeTitle(outcome)) [\(SafeText.escape(outcome))]") }
        doc.section(label("staff.open_points"))
        if r.openPoints.isEmpty { doc.item(label("staff.none")) }
        let created = Self.parseTime(r.createdText).map { Self.day(of: $0, in: timeZone) }
        for key in r.openPoints { doc.item(message(openPoint(key), facts: r.facts, today: created)) }
        // Every other fact, without those shown above (and the question, whichever dialog names it).
        var shown = Set(r.applicant.keys).union(r.preferences.keys)
        for fields in content.dialogs.dialogs.compactMap(\.appointment) { shown.formUnion(fields.all) }
        facts(label("staff.facts"), r.facts.filter { !shown.contains($0.key) })
        return doc.text
    }
}
