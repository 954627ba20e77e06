#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Crypto
import Foundation

/// One consultation's transcript: append-only JSON Lines, mode 0600, each event written and
/// fsync'ed before the caller goes on. Every line carries the hash of the line before it (`prev`)
/// and its own (`hash`: SHA-256 of `prev` and the line's text without the hash), so that an
/// altered, removed or reordered line is found by `verify`.
public final class TranscriptWriter: @unchecked Sendable {
    public let id: String
    public let url: URL
    private let fd: Int32
    private var sequence = 0
    private var previousHash = TranscriptWriter.genesis
    private let lock = NSLock()
    private var ended = false
    /// Told after every event written: the file's descriptor and the whole line of an end "crashed"
    /// that would follow it (empty once the transcript has ended), for a crash handler, which can
    /// neither format nor hash. See `crashEndLine`.
    public var crashEnd: (@Sendable (_ descriptor: Int32, _ line: [UInt8]) -> Void)?

    static let genesis = String(repeating: "0", count: 64)

    /// Creates a new transcript file in `directory` (never overwrites one).
    public init(directory: DataDirectory, id: String = Identifier.random(groups: 3)) throws(RecordError) {
        self.id = id
        url = directory.transcripts.appendingPathComponent("\(id).jsonl")
        fd = open(url.path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw RecordError.unwritable(url.path, String(cString: strerror(errno))) }
    }

    deinit {
        close(fd)
    }

    /// Appends one event and flushes it to disk.
    public func append(_ kind: String, _ data: [String: Any] = [:], at time: Date = Date()) throws(RecordError) {
        lock.lock()
        defer { lock.unlock() }
        guard !ended else { return }
        let body: [String: Any] = [
            "seq": sequence, "time": Self.timestamp(time), "kind": kind, "data": data, "prev": previousHash,
        ]
        guard let json = try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys, .withoutEscapingSlashes]) else {
            throw RecordError.writeFailed(url.path, "the event cannot be written as JSON")
        }
        let text = String(decoding: json, as: UTF8.self)
        let hash = Self.hash(previous: previousHash, body: text)
        let line = String(text.dropLast()) + ",\"hash\":\"\(hash)\"}\n"
        let bytes = Array(line.utf8)
        var written = 0
        while written < bytes.count {
            let n = bytes[written...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw RecordError.writeFailed(url.path, String(cString: strerror(errno)))
            }
            written += n
        }
        guard fsync(fd) == 0 else { throw RecordError.writeFailed(url.path, String(cString: strerror(errno))) }
        previousHash = hash
        sequence += 1
        if kind == "end" { ended = true }
        crashEnd?(fd, ended ? [] : Self.crashEndLine(sequence: sequence, previous: previousHash))
    }

    static func hash(previous: String, body: String) -> String {
        let digest = SHA256.hash(data: Data((previous + "\n" + body).utf8))
        return digest.map { String(format: "%02x", $0) }.joined()
    }

    static func timestamp(_ date: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.string(from: date)
    }
}

/// One event read back from a transcript.
public struct TranscriptEvent: @unchecked Sendable {
    public let line: Int
    public let sequence: Int
    public let time: String
    public let kind: String
    public let data: [String: Any]

    public func string(_ key: String) -> String? { data[key] as? String }
}

/// What `verify` found in a transcript.
public struct Verification: Sendable, CustomStringConvertible {
    public enum Status: Sendable, Equatable {
        /// Every event present and unaltered, ending with an end event.
        case intact
        /// Every event present and unaltered, but no end event: the consultation was cut short.
        case cutShort
        /// An event was altered, removed or reordered: the first bad line and why.
        case broken(line: Int, reason: String)
    }

    public let id: String
    public let status: Status
    public let events: Int

    public var description: String {
        switch status {
        case .intact: return "\(id): intact (\(events) events)"
        case .cutShort: return "\(id): cut short — no end event after \(events) events (the events there are intact)"
        case .broken(let line, let reason): return "\(id): ALTERED at line \(line): \(reason)"
        }
    }
}

public enum TranscriptReader {
    /// Reads every well-formed event; a torn last line (a crash mid-write) is left out.
    public static func events(_ url: URL) throws(RecordError) -> [TranscriptEvent] {
        guard let data = FileManager.default.contents(atPath: url.path) else { throw RecordError.notFound(url.path) }
        var result: [TranscriptEvent] = []
        for (index, raw) in String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            guard !raw.isEmpty, let object = try? JSONSerialization.jsonObject(with: Data(raw.utf8)) as? [String: Any] else { continue }
            result.append(TranscriptEvent(line: index + 1, sequence: object["seq"] as? Int ?? -1, time: object["time"] as? String ?? "",
                                          kind: object["kind"] as? String ?? "", data: object["data"] as? [String: Any] ?? [:]))
        }
        return result
    }

    /// Checks the chain line by line.
    public static func verify(_ url: URL) -> Verification {
        let id = url.deletingPathExtension().lastPathComponent
        guard let data = FileManager.default.contents(atPath: url.path) else {
            return Verification(id: id, status: .broken(line: 0, reason: "the file cannot be read"), events: 0)
        }
        let text = String(decoding: data, as: UTF8.self)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let tornLast = !text.isEmpty && !text.hasSuffix("\n")
        if lines.last == "" { lines.removeLast() }
        var previous = TranscriptWriter.genesis
        var count = 0
        var lastKind = ""
        for (index, line) in lines.enumerated() {
            let number = index + 1
            if tornLast && index == lines.count - 1 && !endsWithHash(line) {
                // Written only in part when the program was killed: not an alteration. A last
                // line that is a whole event (only its newline missing) is checked like any other.
                return Verification(id: id, status: .cutShort, events: count)
            }
            guard let marker = line.range(of: ",\"hash\":\"", options: .backwards), line.hasSuffix("\"}") else {
                return Verification(id: id, status: .broken(line: number, reason: "the line is not an event of this program"), events: count)
            }
            let stored = String(line[marker.upperBound...].dropLast(2))
            let body = String(line[..<marker.lowerBound]) + "}"
            guard let object = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any] else {
                return Verification(id: id, status: .broken(line: number, reason: "the line is not valid JSON"), events: count)
            }
            if object["seq"] as? Int != count {
                let seq = object["seq"] as? Int
                let reason = seq.map { $0 > count ? "event \(count) is missing (found \($0))" : "event \($0) is out of order (expected \(count))" }
                    ?? "the event has no sequence number"
                return Verification(id: id, status: .broken(line: number, reason: reason), events: count)
            }
            guard object["prev"] as? String == previous else {
                return Verification(id: id, status: .broken(line: number, reason: "it does not follow the event before it"), events: count)
            }
            guard TranscriptWriter.hash(previous: previous, body: body) == stored else {
                return Verification(id: id, status: .broken(line: number, reason: "the event was altered"), events: count)
            }
            previous = stored
            lastKind = object["kind"] as? String ?? ""
            count += 1
        }
        return Verification(id: id, status: lastKind == "end" ? .intact : .cutShort, events: count)
    }

    /// Whether a line ends the way every event ends: `,"hash":"<64 hex digits>"}`.
    static func endsWithHash(_ line: String) -> Bool {
        guard let marker = line.range(of: ",\"hash\":\"", options: .backwards) else { return false }
        let rest = line[marker.upperBound...]
        return rest.count == 66 && rest.hasSuffix("\"}") && rest.dropLast(2).allSatisfy { $0.isHexDigit }
    }

    /// Every transcript in the data directory, newest first.
    public static func all(in directory: DataDirectory) -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.transcripts.path)) ?? []
        return names.filter { $0.hasSuffix(".jsonl") }.map { directory.transcripts.appendingPathComponent($0) }
            .sorted { modified($0) > modified($1) }
    }

    private static func modified(_ url: URL) -> Date {
        ((try? FileManager.default.attributesOfItem(atPath: url.path))?[.modificationDate] as? Date) ?? .distantPast
    }
}
