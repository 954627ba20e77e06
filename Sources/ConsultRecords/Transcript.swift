import ConsultEngine
import ConsultSealing
import Crypto
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One consultation's transcript: append-only JSON Lines, mode 0600, each event written and
/// fsync'ed before the caller goes on. Every line carries the hash of the line before it (`prev`)
/// and its own (`hash`: SHA-256 of `prev` and the line's text without the hash), so that an
/// altered, removed or reordered line is found by `verify`.
///
/// A write that fails (a full disk, a file size limit) is undone: the file is truncated back to
/// its last whole line, so it stays a valid prefix, and every later append fails the same way.
/// With a `limit`, events stop `reserve` bytes before it (`RecordError.limitReached`) so that the
/// end event always has room.
public final class TranscriptWriter: @unchecked Sendable {
    public let id: String
    public let url: URL
    /// The most bytes the transcript may hold; nil for no limit.
    public let limit: Int?
    private let fd: Int32
    private var sequence = 0
    private var previousHash = TranscriptWriter.genesis
    /// Bytes of the whole lines written so far (the file's length).
    private var size = 0
    private var failed: RecordError?
    /// With recipients configured (`DataDirectory.sealing`), every line's data sealed to them.
    private let seal: TranscriptSeal?
    private let lock = NSLock()
    private var ended = false
    /// Told after every event written: the file's descriptor and the whole line of an end "crashed"
    /// that would follow it (empty once the transcript has ended), for a crash handler, which can
    /// neither format nor hash. See `crashEndLine`.
    public var crashEnd: (@Sendable (_ descriptor: Int32, _ line: [UInt8]) -> Void)?
    /// Told after every event written and flushed, before `append` returns: the event, its
    /// sequence number and its whole line as written (newline included). The record store is
    /// committed here, so that an event reaches it before the applicant sees the next prompt.
    public var lineWritten: (@Sendable (_ event: ConsultationEvent, _ sequence: Int, _ line: [UInt8]) -> Void)?

    static let genesis = String(repeating: "0", count: 64)

    /// Creates a new transcript file in `directory` (never overwrites one).
    public init(
        directory: DataDirectory, id: String = Identifier.random(groups: 3), limit: Int? = nil
    ) throws(RecordError) {
        self.id = id
        self.limit = limit
        url = directory.transcripts.appendingPathComponent("\(id).jsonl")
        do throws(SealingError) {
            seal = try directory.sealing.map { (sealing) throws(SealingError) in
                try TranscriptSeal(id: id, sealing: sealing)
            }
        } catch {
            throw RecordError.unwritable(url.path, error.message)
        }
        fd = open(url.path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw RecordError.unwritable(url.path, String(cString: strerror(errno))) }
        // Held while the transcript is written (released at its end event, or when the process ends, however it ends):
        // whoever forwards the spool to the store knows from it that more lines may come.
        _ = flock(fd, LOCK_EX)
    }

    deinit {
        close(fd)
    }

    /// The hash of the last event written (the transcript's head): what an appointment request saved
    /// now is chained to.
    public var head: String {
        lock.lock()
        defer { lock.unlock() }
        return previousHash
    }

    /// The bytes kept for the end event below `limit`: a quarter of the limit, at most 16 KiB.
    public var reserve: Int { limit.map { min($0 / 4, 16 * 1024) } ?? 0 }

    /// Appends one event and flushes it to disk.
    public func append(_ event: ConsultationEvent, at time: Date = Date()) throws(RecordError) {
        lock.lock()
        defer { lock.unlock() }
        guard !ended else { return }
        if let failed { throw failed }
        let kind = event.kind
        let text = try body(sequence: sequence, time: Self.timestamp(time), event: event, previous: previousHash)
        let hash = Self.hash(previous: previousHash, body: text)
        let line = String(text.dropLast()) + ",\"hash\":\"\(hash)\"}\n"
        let bytes = Array(line.utf8)
        // The end may use the reserve (its size is bounded by the content: the facts' lengths).
        if let limit, kind != "end", size + bytes.count > limit - reserve {
            throw RecordError.limitReached(url.path, limit)
        }
        var written = 0
        while written < bytes.count {
            let n = bytes[written...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw undo(String(cString: strerror(errno)))
            }
            written += n
        }
        guard fsync(fd) == 0 else { throw undo(String(cString: strerror(errno))) }
        size += bytes.count
        previousHash = hash
        sequence += 1
        if kind == "end" { ended = true }
        crashEnd?(fd, ended ? [] : preparedCrashEnd(sequence: sequence, previous: previousHash))
        lineWritten?(event, sequence - 1, bytes)
        // Ended: nothing more comes from this writer, and whoever forwards the spool may take the
        // file as it is (its last line too, should someone add to it later).
        if ended { _ = flock(fd, LOCK_UN) }
    }

    /// A line's JSON text without its hash: in the clear, or sealed and signed.
    private func body(
        sequence: Int, time: String, event: ConsultationEvent, previous: String
    ) throws(RecordError) -> String {
        if let seal {
            do throws(SealingError) {
                return try seal.body(sequence: sequence, time: time, event: event, previous: previous)
            } catch {
                throw RecordError.writeFailed(url.path, error.message)
            }
        }
        guard
            let json = try? StoredLine.encoder.encode(
                StoredLine(sequence: sequence, time: time, event: event, previous: previous))
        else {
            throw RecordError.writeFailed(url.path, "the event cannot be written as JSON")
        }
        return String(decoding: json, as: UTF8.self)
    }

    /// The crash handler's end line (see `crashEndLine(sequence:previous:at:)`), sealed when the transcript is.
    private func preparedCrashEnd(sequence: Int, previous: String) -> [UInt8] {
        guard seal != nil else { return Self.crashEndLine(sequence: sequence, previous: previous) }
        let event = ConsultationEvent.end(.init(reason: Self.crashedReason))
        guard let text = try? body(sequence: sequence, time: Self.timestamp(Date()), event: event, previous: previous)
        else { return [] }
        return Array((String(text.dropLast()) + ",\"hash\":\"\(Self.hash(previous: previous, body: text))\"}\n").utf8)
    }

    /// After a failed write: the part of the line written is cut off again (the file ends with the
    /// last whole event), and the writer refuses every later event with the same error.
    private func undo(_ why: String) -> RecordError {
        var reason = why
        if ftruncate(fd, off_t(size)) != 0 || fsync(fd) != 0 {
            reason += "; cutting the event written in part failed too: \(String(cString: strerror(errno)))"
        }
        let error = RecordError.writeFailed(url.path, reason)
        failed = error
        return error
    }

    static func hash(previous: String, body: String) -> String {
        hex(SHA256.hash(data: Data((previous + "\n" + body).utf8)))
    }

    /// Lower-case hex digits of `bytes` (what `String(format: "%02x")` wrote, without a format
    /// parsed per byte: this is on every event's way to the disk).
    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func timestamp(_ date: Date) -> String {
        date.formatted(timestampStyle)
    }

    /// A time as `timestamp` writes it (or without fractions of a second).
    static func parseTimestamp(_ text: String) -> Date? {
        (try? Date(text, strategy: timestampStyle)) ?? (try? Date(text, strategy: Date.ISO8601FormatStyle()))
    }

    private static let timestampStyle = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
}

/// One event read back from a transcript.
public struct TranscriptEvent: Sendable, Equatable {
    public let line: Int
    public let sequence: Int
    /// The time as written (ISO 8601, UTC, with milliseconds).
    public let time: String
    public let event: ConsultationEvent
    /// The event's hash as written (what the next event and an appointment request chain to).
    public var hash: String = ""
    /// The event's data exactly as the line holds it (nil for an event not read from a file):
    /// what an export shows, whatever release wrote it.
    public var written: UntypedJSON?
    /// Sealed, and not opened (no identity among its recipients was given): only the kind is known.
    public var sealed = false

    public init(
        line: Int, sequence: Int, time: String, event: ConsultationEvent, hash: String = "", written: UntypedJSON? = nil
    ) {
        self.line = line
        self.sequence = sequence
        self.time = time
        self.event = event
        self.hash = hash
        self.written = written
    }

    public var kind: String { event.kind }
}

/// A transcript's line as written, without its hash: the keys sorted, so that the same event is
/// always the same bytes.
struct StoredLine: Encodable {
    let sequence: Int
    let time: String
    let event: ConsultationEvent
    let previous: String

    enum CodingKeys: String, CodingKey {
        case sequence = "seq", time, kind, data, previous = "prev"
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(sequence, forKey: .sequence)
        try c.encode(time, forKey: .time)
        try c.encode(event.kind, forKey: .kind)
        try event.encodeData(to: c.superEncoder(forKey: .data))
        try c.encode(previous, forKey: .previous)
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()
}

/// A line read back, its fields as they are: whether they are what they should be is `verify`'s to say.
struct ReadLine: Decodable {
    let sequence: Int?
    let time: String?
    let previous: String?
    let event: ConsultationEvent
    let written: UntypedJSON?

    typealias CodingKeys = StoredLine.CodingKeys

    /// A sealed line's clear fields; its event is filled in by `SealedReading`.
    init(sealed line: SealedLine) {
        sequence = line.seq
        time = line.time
        previous = line.prev
        event = .unknown(kind: line.kind, data: .object([:]))
        written = nil
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        sequence = try? c.decode(Int.self, forKey: .sequence)
        time = try? c.decode(String.self, forKey: .time)
        previous = try? c.decode(String.self, forKey: .previous)
        let kind = (try? c.decode(String.self, forKey: .kind)) ?? ""
        event = try ConsultationEvent(kind: kind, data: c.superDecoder(forKey: .data))
        written = try? c.decode(UntypedJSON.self, forKey: .data)
    }

    /// Decoders for transcripts of this format and of the first, whose values were plain JSON.
    static let decoder = JSONDecoder()
    static let untypedDecoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.userInfo[Value.untypedValues] = true
        return decoder
    }()
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
    /// Who wrote a sealed transcript and for whom; nil for one in the clear.
    public var seal: SealInfo?

    public init(id: String, status: Status, events: Int, seal: SealInfo? = nil) {
        self.id = id
        self.status = status
        self.events = events
        self.seal = seal
    }

    public var description: String {
        let sealed = seal.map { "; " + $0.description } ?? ""
        switch status {
        case .intact: return "\(id): intact (\(events) events\(sealed))"
        case .cutShort:
            return "\(id): cut short — no end event after \(events) events (the events there are intact\(sealed))"
        case .broken(let line, let reason): return "\(id): ALTERED at line \(line): \(reason)"
        }
    }
}

/// What a stored line says without a key (`TranscriptReader.decode(line:)`).
public struct DecodedLine: Sendable {
    public let sequence: Int
    public let time: String
    /// The event's kind: in the clear on every line, sealed or not.
    public let kind: String
    /// The event; nil when the line is sealed.
    public let event: ConsultationEvent?
    /// An appointment event's reference and request hash (in the clear on a sealed line too).
    public let appointment: ConsultationEvent.AppointmentSaved?
    public let hash: String

    public var isSealed: Bool { event == nil }
}

public enum TranscriptReader {
    /// The events `verify` vouches for: every event up to the first line that is altered, out of
    /// place or torn. What follows is never returned as if it were an event of the consultation.
    public static func events(_ url: URL, keys: OpeningKeys = .none) throws(RecordError) -> [TranscriptEvent] {
        guard FileManager.default.isReadableFile(atPath: url.path) else { throw RecordError.notFound(url.path) }
        return read(url, keys: keys).events
    }

    /// Checks the chain line by line (and a sealed transcript's signatures: no key is needed).
    public static func verify(_ url: URL, keys: OpeningKeys = .none) -> Verification {
        read(url, keys: keys).verification
    }

    /// Reads and checks a transcript: the verified events and what `verify` says of the file.
    ///
    /// Lines are split on the newline byte (a `\r\n` is no line end of this program). Altered:
    /// a line that is not an event of this program (trailing blanks and control characters
    /// included), one out of sequence or off the chain, any line after the end event, a start event
    /// whose id is not the file's name, and an appointment request that is not the one the
    /// transcript recorded. Cut short: no end event, or a last line without its newline that is
    /// the beginning of the next event (a write stopped mid-line).
    /// A sealed transcript is opened with `keys` when one of its identities is a recipient.
    public static func read(
        _ url: URL, keys: OpeningKeys = .none
    ) -> (events: [TranscriptEvent], verification: Verification) {
        let id = url.deletingPathExtension().lastPathComponent
        guard let data = FileManager.default.contents(atPath: url.path) else {
            return ([], Verification(id: id, status: .broken(line: 0, reason: "the file cannot be read"), events: 0))
        }
        let folder = url.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("appointments")
        return read(bytes: [UInt8](data), id: id, keys: keys, requestsPlace: folder.path) { reference in
            FileManager.default.contents(atPath: folder.appendingPathComponent("\(reference).json").path)
        }
    }

    /// Reads and checks a transcript's bytes as stored anywhere (a file, a record store), as
    /// `read(_:)` does: `request` gives the document of an appointment request by reference (nil
    /// when there is none), `requestsPlace` names where requests are looked for.
    public static func read(
        bytes: [UInt8], id: String, keys: OpeningKeys = .none, requestsPlace: String,
        request: (String) -> Data?
    ) -> (events: [TranscriptEvent], verification: Verification) {
        var lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false).map { Array($0) }
        // Everything after the last newline: empty for a whole file, else a line written in part.
        let torn = lines.removeLast()
        var previous = TranscriptWriter.genesis
        var events: [TranscriptEvent] = []
        var hashes: [String] = []
        var ended = false
        var untyped = false
        var sealing = SealedReading(keys: keys, id: id)
        func result(_ status: Verification.Status) -> (events: [TranscriptEvent], verification: Verification) {
            (events, Verification(id: id, status: status, events: events.count, seal: sealing.info))
        }
        func check(_ line: [UInt8], number: Int) -> String? {
            if ended { return "an event after the end event" }
            if line.contains(where: { $0 < 0x20 }) || line.last == 0x20 {
                return
                    "the line is not an event of this program (it holds blanks or control characters outside its text)"
            }
            guard let text = String(validating: line, as: UTF8.self) else { return "the line is not valid UTF-8" }
            guard let marker = text.range(of: ",\"hash\":\"", options: .backwards), endsWithHash(text) else {
                return "the line is not an event of this program"
            }
            let stored = String(text[marker.upperBound...].dropLast(2))
            let body = String(text[..<marker.lowerBound]) + "}"
            let sealedLine = SealedReading.decode(body)
            guard
                let read = sealedLine.map(ReadLine.init(sealed:))
                    ?? (try? (untyped ? ReadLine.untypedDecoder : ReadLine.decoder).decode(
                        ReadLine.self, from: Data(body.utf8)))
            else {
                return "the line is not valid JSON"
            }
            let count = events.count
            if read.sequence != count {
                return read.sequence.map {
                    $0 > count
                        ? "event \(count) is missing (found \($0))" : "event \($0) is out of order (expected \(count))"
                }
                    ?? "the event has no sequence number"
            }
            guard read.previous == previous else { return "it does not follow the event before it" }
            guard TranscriptWriter.hash(previous: previous, body: body) == stored else {
                return "the event was altered"
            }
            var event = TranscriptEvent(
                line: number, sequence: count, time: read.time ?? "", event: read.event, hash: stored,
                written: read.written)
            switch sealing.event(sealedLine, sequence: count) {
            case .success(let opened):
                event = TranscriptEvent(
                    line: number, sequence: count, time: read.time ?? "", event: opened.event, hash: stored,
                    written: opened.written)
                event.sealed = opened.sealed
            case .failure(let reason) where reason != .notSealed: return reason.text
            case .failure: break
            }
            if count == 0, case .start(let start) = event.event {
                if start.id != id {
                    return "the transcript's own id is \(start.id), not \(id) (its file name): it was copied or renamed"
                }
                // Transcripts of the first format wrote values as plain JSON.
                untyped = start.format == nil
            }
            previous = stored
            events.append(event)
            hashes.append(stored)
            if event.kind == "end" { ended = true }
            return nil
        }
        for (index, line) in lines.enumerated() {
            if let reason = check(line, number: index + 1) { return result(.broken(line: index + 1, reason: reason)) }
        }
        if !torn.isEmpty {
            let number = lines.count + 1
            if ended { return result(.broken(line: number, reason: "something follows the end event")) }
            if let text = String(validating: torn, as: UTF8.self), endsWithHash(text) {
                // A whole event that lacks only its newline: checked like any other.
                if let reason = check(torn, number: number) { return result(.broken(line: number, reason: reason)) }
            } else if let reason = notABeginning(torn, previous: previous, sequence: events.count) {
                return result(.broken(line: number, reason: reason))
            }
            // Else written only in part when the program was stopped or the disk was full: not an
            // alteration (the transcript has no end event, so it is cut short below).
        }
        if let (line, reason) = checkAppointments(
            events, hashes: hashes, id: id, place: requestsPlace, request: request)
        {
            // The events from the appointment on are not vouched for either.
            events.removeAll { $0.line >= line }
            return result(.broken(line: line, reason: reason))
        }
        return result(events.last?.kind == "end" ? .intact : .cutShort)
    }

    /// Why `part` (a last line without its newline) cannot be the beginning of the next event as
    /// this program writes it; nil when it can.
    static func notABeginning(_ part: [UInt8], previous: String, sequence: Int) -> String? {
        let reason = "the last line is neither a whole event nor the beginning of the next one"
        // The writer puts no raw control character or blank outside a string; a cut can stop inside one.
        guard part.first == UInt8(ascii: "{"), !part.contains(where: { $0 < 0x20 }) else { return reason }
        let text = String(decoding: part, as: UTF8.self)
        if let marker = text.range(of: ",\"hash\":\"") {
            // Only the start of the hash may follow: hex digits, then at most its closing quote.
            let rest = text[marker.upperBound...]
            let digits = rest.prefix { $0.isHexDigit }
            guard digits.count <= 64,
                rest.dropFirst(digits.count).isEmpty || (digits.count == 64 && rest.dropFirst(64) == "\"")
            else { return reason }
            // The event before the hash is whole: its hash must begin with the digits written.
            let body = String(text[..<marker.lowerBound]) + "}"
            guard TranscriptWriter.hash(previous: previous, body: body).hasPrefix(String(digits)) else {
                return "the event was altered"
            }
        }
        if let range = text.range(of: "\"prev\":\""), text[range.upperBound...].count >= 64,
            !text[range.upperBound...].hasPrefix(previous)
        {
            return "the last line does not follow the event before it"
        }
        if let range = text.range(of: "\"seq\":") {
            let digits = text[range.upperBound...].prefix { $0.isNumber }
            if text[range.upperBound...].count > digits.count, Int(digits) != sequence {
                return "the last line is not the next event (expected event \(sequence))"
            }
        }
        return nil
    }

    /// The appointment requests a transcript recorded (`appointment` events with a `request_hash`):
    /// each must be in the data directory's `appointments/`, unaltered, naming this transcript and
    /// chained to the event written just before it. Nil when they all are.
    static func checkAppointments(
        _ events: [TranscriptEvent], hashes: [String], id: String, place: String,
        request requestData: (String) -> Data?
    ) -> (Int, String)? {
        for (index, event) in events.enumerated() {
            // Transcripts of earlier releases recorded the reference only.
            guard case .appointment(let saved) = event.event, let recorded = saved.requestHash, !recorded.isEmpty else {
                continue
            }
            let reference = saved.reference
            guard let data = requestData(reference) else {
                return (event.line, "the appointment request \(reference) it recorded is missing from \(place)")
            }
            guard case .object(let request)? = try? JSONDecoder().decode(UntypedJSON.self, from: data) else {
                return (event.line, "the appointment request \(reference) is not a JSON object")
            }
            let head = index > 0 ? hashes[index - 1] : TranscriptWriter.genesis
            guard request["hash"]?.string == recorded, AppointmentRequest.hash(of: request) == recorded else {
                return (
                    event.line,
                    "the appointment request \(reference) was altered (it is not the request this transcript recorded)"
                )
            }
            guard request["transcript"]?.string == id, request["transcript_head"]?.string == head else {
                return (event.line, "the appointment request \(reference) belongs to another transcript or place in it")
            }
        }
        return nil
    }

    /// One line as this program writes it (without its newline), as far as it can be read without a
    /// key: nil when it is not such a line. The chain is not checked (`read` does that): for a store
    /// that indexes what it keeps.
    public static func decode(line: some Collection<UInt8>) -> DecodedLine? {
        guard let text = String(validating: line, as: UTF8.self), endsWithHash(text),
            let marker = text.range(of: ",\"hash\":\"", options: .backwards)
        else { return nil }
        let hash = String(text[marker.upperBound...].dropLast(2))
        let bodyText = String(text[..<marker.lowerBound]) + "}"
        if let sealed = SealedReading.decode(bodyText) {
            return DecodedLine(
                sequence: sealed.seq, time: sealed.time, kind: sealed.kind, event: nil, appointment: sealed.clear,
                hash: hash)
        }
        let body = Data(bodyText.utf8)
        guard var read = try? ReadLine.decoder.decode(ReadLine.self, from: body), let sequence = read.sequence else {
            return nil
        }
        // A line of the first format: its values were plain JSON.
        if case .unknown(let kind, _) = read.event, !kind.isEmpty,
            let untyped = try? ReadLine.untypedDecoder.decode(ReadLine.self, from: body)
        {
            read = untyped
        }
        var appointment: ConsultationEvent.AppointmentSaved?
        if case .appointment(let saved) = read.event { appointment = saved }
        return DecodedLine(
            sequence: sequence, time: read.time ?? "", kind: read.event.kind, event: read.event,
            appointment: appointment, hash: hash)
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
