import ConsultContent
import ConsultFuzzing
import ConsultRecords
import ConsultStaff
import Foundation

/// Input: the bytes of one transcript file (`data/transcripts/ID.jsonl`), as a crash, a full disk or
/// someone with access to the data directory may have left it.
///
/// The file is written where the real reader reads files (the reader and `verify` take a path, and
/// the fuzzer goes through exactly that path); its name is the id its first line claims, so that
/// the checks that compare the two are reached. Then the events are read, the chain verified, the
/// transcript summarised as `transcripts list` does and rendered as `transcripts show` does.
public enum TranscriptFuzzing {
    /// One folder per process: fuzzing jobs running side by side never share a file.
    static let directory: URL = {
        let base =
            FileManager.default.fileExists(atPath: "/dev/shm")
            ? URL(fileURLWithPath: "/dev/shm")
            : FileManager.default.temporaryDirectory
        let dir = base.appendingPathComponent("consult-fuzz-\(getpid())")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }()

    public static func run(_ bytes: [UInt8]) {
        let url = directory.appendingPathComponent("\(claimedID(bytes) ?? "fuzz").jsonl")
        guard FileManager.default.createFile(atPath: url.path, contents: Data(bytes)) else {
            fatalError("cannot write \(url.path)")
        }
        defer { try? FileManager.default.removeItem(at: url) }
        let lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).count
        let verification = TranscriptReader.verify(url)
        require(verification.events <= lines, "\(verification.events) events verified in \(lines) lines")
        guard let events = try? TranscriptReader.events(url) else { return }
        require(events.count <= lines, "\(events.count) events read from \(lines) lines")
        let summary = TranscriptSummary(id: verification.id, events: events)
        let content = Shipped.content
        _ = summary.day(in: TimeZone(identifier: content.dialogs.timeZone) ?? .gmt)
        let language =
            content.localizer.catalogs[summary.language] != nil ? summary.language : content.localizer.fallback
        let format = StaffView.Format.allCases[events.count % StaffView.Format.allCases.count]
        _ = renderTranscript(
            events, content: content, language: language, format: format, id: verification.id,
            verification: verification)
    }

    /// The `"id":"…"` of the first line, when it is a plain file name.
    static func claimedID(_ bytes: [UInt8]) -> String? {
        let first = bytes.prefix { $0 != UInt8(ascii: "\n") }
        let marker = Array("\"id\":\"".utf8)
        guard first.count >= marker.count else { return nil }
        var i = first.startIndex
        while i + marker.count <= first.endIndex {
            if Array(first[i..<i + marker.count]) == marker {
                let value = first[(i + marker.count)...].prefix { $0 != UInt8(ascii: "\"") }
                guard (1...64).contains(value.count),
                    value.allSatisfy({
                        (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0)
                            || $0 == 0x2D
                    })
                else { return nil }
                return String(decoding: value, as: UTF8.self)
            }
            i += 1
        }
        return nil
    }
}
