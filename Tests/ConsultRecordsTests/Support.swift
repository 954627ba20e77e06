import ConsultEngine
import ConsultRecords
import ConsultStaff
import ConsultTestSupport
import Foundation
import Testing

/// A short, complete consultation written through the recorder, as a session writes it.
@discardableResult
func writeConsultation(
    in directory: DataDirectory, id: String = Identifier.random(groups: 3), end: Bool = true
) throws -> TranscriptWriter {
    let writer = try TranscriptWriter(directory: directory, id: id)
    let recorder = ConsultationRecorder(writer: writer)
    recorder.start(
        channel: "local", remote: nil, contentHash: "abc123", version: "0.1.0",
        today: LocalDate(year: 2026, month: 3, day: 1)!, language: "en")
    recorder.record(.language(.init(language: "en", reason: .chosen)))
    recorder.record(
        .question(
            .init(
                fact: "has_vks_work_permit", key: "vks.has_vks_work_permit.prompt",
                text: "Do you have a work permit as a highly qualified specialist?", part: .question)))
    recorder.record(.answer(.init(fact: "has_vks_work_permit", input: "1", value: .choice("issued"))))
    recorder.record(
        .question(
            .init(
                fact: "work_permit_expires", key: "vks.work_permit_expires.prompt",
                text: "When does your work permit expire?", part: .question)))
    recorder.record(.rejected(.init(fact: "work_permit_expires", input: "soon", problem: "Please enter a date.")))
    recorder.record(
        .answer(
            .init(
                fact: "work_permit_expires", input: "31.03.2028",
                value: .date(LocalDate(year: 2028, month: 3, day: 31)!))))
    if end {
        recorder.end(
            "completed",
            facts: [
                "has_vks_work_permit": .choice("issued"),
                "work_permit_expires": .date(LocalDate(year: 2028, month: 3, day: 31)!),
            ])
    }
    #expect(recorder.failure == nil)
    return writer
}

func lines(of url: URL) throws -> [String] {
    let text = try String(contentsOf: url, encoding: .utf8)
    var lines = text.components(separatedBy: "\n")
    if lines.last == "" { lines.removeLast() }
    return lines
}

func write(_ lines: [String], to url: URL) throws {
    try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: url)
}

/// True when a string holds nothing a terminal would act on.
func isTerminalSafe(_ s: String) -> Bool {
    !s.unicodeScalars.contains { $0 != "\n" && SafeText.isUnsafe($0) }
}

/// A start event as the recorder writes it, for transcripts written event by event.
func startEvent(_ id: String, language: String = "en", channel: String = "local") -> ConsultationEvent {
    .start(
        .init(
            id: id, channel: channel, contentHash: "abc123", version: "0.1.0",
            today: LocalDate(year: 2026, month: 3, day: 1)!, language: language))
}

/// A copy of the data directory `Tests/Fixtures/NAME` in a fresh temporary folder: the tests read
/// and alter the copy, never the fixture.
func fixtureCopy(_ name: String, _ test: String = #function) throws -> DataDirectory {
    let directory = try temporaryDataDirectory(test)
    let fixture = repositoryRoot.appendingPathComponent("Tests/Fixtures/\(name)")
    for (folder, copy) in [("transcripts", directory.transcripts), ("appointments", directory.appointments)] {
        let source = fixture.appendingPathComponent(folder)
        for file in try FileManager.default.contentsOfDirectory(atPath: source.path) {
            try FileManager.default.copyItem(
                at: source.appendingPathComponent(file), to: copy.appendingPathComponent(file))
        }
    }
    return directory
}

/// `url` with the byte at `offset` replaced by `byte` (which must differ from it).
func alterByte(of url: URL, at offset: Int, to byte: UInt8) throws {
    var data = try Data(contentsOf: url)
    precondition(data[offset] != byte, "the byte at \(offset) is already \(byte)")
    data[offset] = byte
    try data.write(to: url)
}
