import ConsultEngine
import ConsultStaff
import ConsultTestSupport
import Foundation
import Testing

@testable import ConsultRecords

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The hash chain: what `consult transcripts verify` finds in real files.
@Suite struct IntegrityTests {
    @Test func aRecordedConsultationIsIntact() throws {
        let directory = try temporaryDataDirectory()
        defer { removeDirectory(directory) }
        let writer = try writeConsultation(in: directory)
        let result = TranscriptReader.verify(writer.url)
        #expect(result.status == .intact)
        #expect(result.events == 8)
        #expect(result.id == writer.id)
        let attributes = try FileManager.default.attributesOfItem(atPath: writer.url.path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
    }

    @Test func editingOneEventsTextIsFoundOnItsLine() throws {
        let directory = try temporaryDataDirectory()
        defer { removeDirectory(directory) }
        let url = try writeConsultation(in: directory).url
        var all = try lines(of: url)
        // Line 6 is the rejected answer: change what the applicant typed, keeping the JSON valid.
        #expect(all[5].contains("\"input\":\"soon\""))
        all[5] = all[5].replacingOccurrences(of: "\"input\":\"soon\"", with: "\"input\":\"later\"")
        try write(all, to: url)
        let result = TranscriptReader.verify(url)
        guard case .broken(let line, let reason) = result.status else {
            Issue.record("an edited event passed verification: \(result)")
            return
        }
        #expect(line == 6)
        #expect(reason.contains("altered"))
        #expect(result.description.contains("ALTERED at line 6"))
    }

    @Test func rewritingAnEventWithAFreshHashIsFoundOnTheNextLine() throws {
        let directory = try temporaryDataDirectory()
        defer { removeDirectory(directory) }
        let url = try writeConsultation(in: directory).url
        var all = try lines(of: url)
        // Someone who knows the scheme edits line 3 and recomputes its hash: line 4 no longer follows it.
        let edited = all[2].replacingOccurrences(of: "highly qualified", with: "qualified")
        let marker = try #require(edited.range(of: ",\"hash\":\"", options: .backwards))
        let body = String(edited[..<marker.lowerBound]) + "}"
        guard case .object(let object) = try JSONDecoder().decode(UntypedJSON.self, from: Data(body.utf8)) else {
            Issue.record("line 3 is not a JSON object: \(body)")
            return
        }
        let previous = try #require(object["prev"]?.string)
        all[2] = String(edited[..<marker.upperBound]) + TranscriptWriter.hash(previous: previous, body: body) + "\"}"
        try write(all, to: url)
        let result = TranscriptReader.verify(url)
        guard case .broken(let line, let reason) = result.status else {
            Issue.record("a rewritten event passed verification: \(result)")
            return
        }
        #expect(line == 4)
        #expect(reason.contains("does not follow"))
    }

    @Test func deletingALineIsFoundWhereItWas() throws {
        let directory = try temporaryDataDirectory()
        defer { removeDirectory(directory) }
        let url = try writeConsultation(in: directory).url
        var all = try lines(of: url)
        all.remove(at: 3)  // event 3, the first answer
        try write(all, to: url)
        let result = TranscriptReader.verify(url)
        guard case .broken(let line, let reason) = result.status else {
            Issue.record("a deleted event passed verification: \(result)")
            return
        }
        #expect(line == 4)
        #expect(reason.contains("event 3 is missing"))
    }

    @Test func deletingTheLastEventsLeavesACutShortTranscriptThatSaysSo() throws {
        // Removing the end line is indistinguishable from a crash before it: reported as cut short, never intact.
        let directory = try temporaryDataDirectory()
        defer { removeDirectory(directory) }
        let url = try writeConsultation(in: directory).url
        var all = try lines(of: url)
        all.removeLast()
        try write(all, to: url)
        #expect(TranscriptReader.verify(url).status == .cutShort)
    }

    @Test func swappingTwoLinesIsFoundAtTheFirst() throws {
        let directory = try temporaryDataDirectory()
        defer { removeDirectory(directory) }
        let url = try writeConsultation(in: directory).url
        var all = try lines(of: url)
        all.swapAt(4, 5)
        try write(all, to: url)
        let result = TranscriptReader.verify(url)
        guard case .broken(let line, _) = result.status else {
            Issue.record("swapped events passed verification: \(result)")
            return
        }
        #expect(line == 5)
    }

    @Test func aTranscriptWithoutAnEndIsCutShort() throws {
        let directory = try temporaryDataDirectory()
        defer { removeDirectory(directory) }
        let writer = try writeConsultation(in: directory, end: false)
        let result = TranscriptReader.verify(writer.url)
        #expect(result.status == .cutShort)
        #expect(result.events == 7)
        let summary = try TranscriptSummary.load(writer.url)
        #expect(summary.endReason == nil)
        #expect(summary.events == 7)
    }

    @Test func truncatingAnywhereGivesACutShortOrIntactPrefixNeverAltered() throws {
        let directory = try temporaryDataDirectory()
        defer { removeDirectory(directory) }
        let writer = try writeConsultation(in: directory)
        let full = try Data(contentsOf: writer.url)
        // The copy keeps its id (a transcript under another id is altered), in a folder of its own.
        let other = try temporaryDataDirectory("cut")
        defer { removeDirectory(other) }
        let copy = other.transcripts.appendingPathComponent("\(writer.id).jsonl")
        var lineEnds: [Int] = []
        for (i, byte) in full.enumerated() where byte == 0x0A { lineEnds.append(i + 1) }
        // Every byte offset, as a kill -9 can stop a write anywhere (including inside a UTF-8 sequence).
        for offset in 0...full.count {
            try full.prefix(offset).write(to: copy)
            let result = TranscriptReader.verify(copy)
            switch result.status {
            case .broken(let line, let reason):
                Issue.record("truncated at byte \(offset): reported altered at line \(line): \(reason)")
            case .intact:
                // The whole file, or the whole file but the end event's newline (still checked).
                #expect(offset >= full.count - 1, "only the whole file is intact (offset \(offset))")
            case .cutShort:
                #expect(offset < full.count)
                // The events counted are the whole lines kept; a last line that lacks only its
                // newline is a whole event too, and it is checked like the others.
                let whole = lineEnds.filter { $0 <= offset }.count + (lineEnds.contains(offset + 1) ? 1 : 0)
                #expect(result.events == whole, "offset \(offset)")
            }
            // And the reader leaves a torn line out rather than failing (a line that lacks only its
            // newline is whole, and read).
            let whole = lineEnds.filter { $0 <= offset }.count + (lineEnds.contains(offset + 1) ? 1 : 0)
            #expect(try TranscriptReader.events(copy).count == whole, "offset \(offset)")
        }
    }

    @Test func aTranscriptWithMultibyteTextSurvivesTruncationInsideACharacter() throws {
        let directory = try temporaryDataDirectory()
        defer { removeDirectory(directory) }
        let writer = try TranscriptWriter(directory: directory)
        try writer.append(startEvent(writer.id, language: "ru"))
        try writer.append(.answer(.init(fact: "applicant_name", input: "Иван Петров 😀", value: .text("Иван Петров 😀"))))
        let full = try Data(contentsOf: writer.url)
        let other = try temporaryDataDirectory("cut")
        defer { removeDirectory(other) }
        let copy = other.transcripts.appendingPathComponent("\(writer.id).jsonl")
        for offset in stride(from: full.count - 1, to: full.count - 60, by: -1) {
            try full.prefix(offset).write(to: copy)
            #expect(TranscriptReader.verify(copy).status == .cutShort, "offset \(offset)")
        }
    }

    @Test func twentyConcurrentWritersLeaveTwentyIntactTranscripts() async throws {
        let directory = try temporaryDataDirectory()
        defer { removeDirectory(directory) }
        let ids = try await withThrowingTaskGroup(of: String.self) { group in
            for n in 0..<20 {
                group.addTask {
                    let writer = try TranscriptWriter(directory: directory)
                    let recorder = ConsultationRecorder(writer: writer)
                    recorder.start(
                        channel: "ssh", remote: "10.0.0.\(n)", contentHash: "h", version: "0.1.0",
                        today: LocalDate(year: 2026, month: 3, day: 1)!, language: ["en", "es", "ru"][n % 3])
                    for i in 0..<25 {
                        recorder.record(.shown(.init(keys: ["app.welcome"], text: "writer \(n) line \(i)")))
                        await Task.yield()
                    }
                    recorder.end("completed")
                    if let failure = recorder.failure { throw failure }
                    return writer.id
                }
            }
            var ids: [String] = []
            for try await id in group { ids.append(id) }
            return ids
        }
        #expect(Set(ids).count == 20)
        let urls = TranscriptReader.all(in: directory)
        #expect(urls.count == 20)
        for url in urls {
            let result = TranscriptReader.verify(url)
            #expect(result.status == .intact, "\(result)")
            #expect(result.events == 27)
        }
    }

    @Test func twentyConcurrentThreadsSharingOneWriterKeepTheChain() throws {
        // One transcript written from many threads (a signal handler and the session, say): still one chain.
        let directory = try temporaryDataDirectory()
        defer { removeDirectory(directory) }
        let writer = try TranscriptWriter(directory: directory)
        try writer.append(startEvent(writer.id))
        DispatchQueue.concurrentPerform(iterations: 20) { n in
            for i in 0..<10 { try? writer.append(.shown(.init(keys: [], text: "thread \(n) line \(i)"))) }
        }
        try writer.append(.end(.init(reason: "completed")))
        let result = TranscriptReader.verify(writer.url)
        #expect(result.status == .intact)
        #expect(result.events == 202)
    }

    @Test func twentyAppointmentRequestsSavedAtOnceHaveTwentyReferences() async throws {
        let directory = try temporaryDataDirectory()
        defer { removeDirectory(directory) }
        // Half of them ask for the same reference, so the clash path is taken too.
        let references = try await withThrowingTaskGroup(of: String.self) { group in
            for n in 0..<20 {
                group.addTask {
                    let request = AppointmentRequest(
                        reference: n % 2 == 0 ? "SAME-REF2" : AppointmentRequest.newReference(),
                        language: "es", channel: "kiosk", transcript: nil,
                        applicant: ["applicant_name": .text("Solicitante \(n)")], facts: [:], outcomes: [],
                        openPoints: [],
                        preferences: [:], question: nil)
                    return try request.save(in: directory).reference
                }
            }
            var references: [String] = []
            for try await reference in group { references.append(reference) }
            return references
        }
        #expect(Set(references).count == 20)
        let saved = AppointmentRequest.all(in: directory)
        #expect(saved.count == 20)
        #expect(Set(saved.map(\.reference)) == Set(references))
        let names = Set(
            saved.compactMap { request -> String? in
                guard case .text(let name)? = request.applicant["applicant_name"] else { return nil }
                return name
            })
        #expect(names.count == 20)
        // Nothing but the twenty whole requests is left in the folder (no temporary files), each 0600.
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.appointments.path)
        #expect(files.count == 20 && files.allSatisfy { $0.hasSuffix(".json") && !$0.hasPrefix(".") }, "\(files)")
        for file in files {
            let mode =
                try FileManager.default.attributesOfItem(
                    atPath: directory.appointments.appendingPathComponent(file).path)[.posixPermissions] as? Int
            #expect(mode == 0o600)
        }
    }

    @Test func aDataDirectoryUnderAFileCannotBePrepared() throws {
        // chmod does not stop root; a path under a regular file fails for everyone.
        let file = temporaryPath("consult-records-file")
        try Data("not a folder".utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let directory = DataDirectory(file.appendingPathComponent("sub"))
        #expect(throws: RecordError.self) { try directory.prepare() }
        do {
            try directory.prepare()
        } catch {
            guard case .unwritable(let path, _) = error else {
                Issue.record("expected unwritable, got \(error)")
                return
            }
            #expect(path.hasPrefix(file.path))
        }
        #expect(throws: RecordError.self) { try TranscriptWriter(directory: directory) }
    }

    @Test func theDataDirectoryIsResolvedFromTheOptionThenTheEnvironment() {
        #expect(DataDirectory.resolve("/a/b", environment: ["CONSULT_DATA_DIR": "/c"]).url.path == "/a/b")
        #expect(
            DataDirectory.resolve(nil, environment: ["CONSULT_DATA_DIR": "/c", "XDG_DATA_HOME": "/x"]).url.path == "/c")
        #expect(
            DataDirectory.resolve(nil, environment: ["XDG_DATA_HOME": "/x", "HOME": "/h"]).url.path == "/x/consult")
        #expect(DataDirectory.resolve(nil, environment: ["HOME": "/h"]).url.path == "/h/.local/share/consult")
    }
}

@Suite struct LastLineTamperingTests {
    @Test func anAlteredLastEventWithoutItsNewlineIsStillFound() throws {
        let directory = try temporaryDataDirectory()
        defer { removeDirectory(directory) }
        let writer = try TranscriptWriter(directory: directory)
        try writer.append(startEvent(writer.id))
        try writer.append(.answer(.init(fact: "consent", input: "no", value: .bool(false))))
        var text = try String(contentsOf: writer.url, encoding: .utf8)
        text = String(text.dropLast()).replacingOccurrences(of: "\"input\":\"no\"", with: "\"input\":\"si\"")
        try text.write(to: writer.url, atomically: true, encoding: .utf8)
        #expect(TranscriptReader.verify(writer.url).status == .broken(line: 2, reason: "the event was altered"))
    }
}

@Suite struct AppointmentPairTests {
    @Test func aSavedRequestsHashIsFoundAgainFromTheFile() throws {
        let directory = try temporaryDataDirectory()
        defer { removeDirectory(directory) }
        let head = String(repeating: "ab", count: 32)
        let saved = try AppointmentRequest(
            language: "ru", channel: "ssh", transcript: "AAAA-BBBB-CCCC",
            applicant: ["applicant_name": .text("Анна «Смирнова» 😀 / \\ \u{7F}")],
            facts: [
                "wants_citizenship": .bool(false), "age": .int(34),
                "expires": .date(LocalDate(year: 2028, month: 3, day: 31)!),
                "family": .list([Record(["relation": .choice("spouse"), "age": .int(34)])]),
            ],
            outcomes: ["vks_rp_eligible"], openPoints: [],
            preferences: ["preferred_time": .text("пятница, 9:00–12:00")],
            question: "Нужно ли?", transcriptHead: head
        ).save(in: directory)
        let hash = try #require(saved.hash)
        let data = try Data(contentsOf: directory.appointments.appendingPathComponent("\(saved.reference).json"))
        let (object, read) = try AppointmentRequest.read(data)
        #expect(object["hash"]?.string == hash)
        #expect(object["transcript_head"]?.string == head)
        #expect(AppointmentRequest.hash(of: object) == hash)
        // The request read back is the one saved, every value of its type (the time as written: to the millisecond).
        #expect(read.applicant == saved.applicant && read.facts == saved.facts && read.preferences == saved.preferences)
        #expect(
            object["created"]?.string == saved.createdText && read.question == saved.question && read.hash == saved.hash
        )
        var altered = object
        altered["question"] = .string("Другое")
        #expect(AppointmentRequest.hash(of: altered) != hash)
    }
}
