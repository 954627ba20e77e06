import ConsultContent
import ConsultEngine
import ConsultLocalization
import ConsultRecords
import ConsultStaff
import ConsultTestSupport
import Foundation
import Testing

/// The lawyer's view reads an open point in its version for the lawyer (`KEY.lawyer`) when the
/// content has one: "Does the applicant need…", not the applicant's "Do you need…".
@Suite("records: open points addressed to the lawyer")
struct LawyerTextTests {
    /// The shipped content with `messages` added to every language.
    func content(adding messages: [String: String]) throws -> Content {
        let catalogs = try shipped.localizer.catalogs.values.map { catalog in
            var all = catalog.messages
            for (key, text) in messages {
                all[MessageKey(key)] = try MessageFormat.parse(text + " (\(catalog.language))")
            }
            return Catalog(
                language: catalog.language, name: catalog.name, formattingLocale: catalog.formattingLocale,
                plurals: catalog.plurals, yesWords: catalog.yesWords, noWords: catalog.noWords, list: catalog.list,
                commands: catalog.commands, messages: all, locations: catalog.locations, file: catalog.file)
        }
        return Content(
            dialogs: shipped.dialogs, localizer: Localizer(catalogs: catalogs, fallback: shipped.localizer.fallback))
    }

    @Test("the lawyer's version of an open point is shown when there is one, the applicant's otherwise")
    func lawyerVersion() throws {
        let directory = try temporaryDataDirectory()
        defer { removeDirectory(directory) }
        let writer = try TranscriptWriter(directory: directory)
        let recorder = ConsultationRecorder(writer: writer)
        recorder.start(
            channel: "local", remote: nil, contentHash: "h", version: "0.1.0",
            today: LocalDate(year: 2026, month: 3, day: 1)!, language: "es")
        recorder.record(.outcome(.init(ids: ["vks_rp_eligible"], openPoints: ["test.point", "test.other"], text: "")))
        recorder.end("completed", facts: [:], outcomes: [])
        let content = try content(adding: [
            "test.point": "Do you need a translation?", "test.point.lawyer": "Does the applicant need a translation?",
            "test.other": "Bring your passport.",
        ])
        for language in ["en", "ru"] {
            let out = renderTranscript(
                try TranscriptReader.events(writer.url), content: content, language: language, format: .text,
                verification: TranscriptReader.verify(writer.url))
            #expect(out.contains("Does the applicant need a translation? (\(language))"), "\(out)")
            #expect(!out.contains("Do you need a translation?"), "\(out)")
            #expect(out.contains("Bring your passport. (\(language))"), "\(out)")
        }
    }
}

/// A consultation that crashed ends with an end event that carries no facts (the crash handler
/// cannot gather them): the lawyer reads that it crashed, and facts rebuilt from the answers are
/// not said to come from a transcript "with no end event".
@Suite("records: a crashed consultation as the lawyer reads it")
struct CrashedTranscriptViewTests {
    @Test func crashedEndReadsAsACrash() throws {
        let directory = try temporaryDataDirectory()
        defer { removeDirectory(directory) }
        let writer = try writeConsultation(in: directory, end: false)
        try writer.append(.end(.init(reason: "crashed")))
        let events = try TranscriptReader.events(writer.url)
        for language in ["en", "ru"] {
            let out = plainSpaces(
                renderTranscript(
                    events, content: shipped, language: language, format: .text,
                    verification: TranscriptReader.verify(writer.url)))
            let crashed = plainSpaces(shipped.localizer.text("staff.reason.crashed", language: language))
            let noEnd = plainSpaces(shipped.localizer.text("staff.cut_short", language: language))
            #expect(out.contains(crashed), "\(out)")
            #expect(!out.contains(noEnd), "\(out)")
            // Neither in the end line nor in the note on the facts.
            #expect(!out.contains(language == "en" ? "no end event" : "нет события завершения"), "\(out)")
            #expect(out.contains(plainSpaces(shipped.localizer.text("staff.facts_reconstructed", language: language))))
        }
    }
}
