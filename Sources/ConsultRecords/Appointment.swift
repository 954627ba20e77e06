import ConsultEngine
import Crypto
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An appointment request: what the office needs to act on, saved as JSON under a short reference.
/// Its values describe themselves (`Value`'s coding); requests of the first format (no `format`
/// field) held plain JSON values, read as `Value(untyped:)` reads them.
public struct AppointmentRequest: Codable, Sendable, Equatable {
    public private(set) var reference: String
    /// The creation time as written (ISO 8601, UTC, milliseconds): kept as text, so that a request
    /// read back is the request written, to the millisecond.
    public let createdText: String
    public let language: String
    public let channel: String
    public let transcript: String?
    /// Name and contact details (facts of the closing dialog's `appointment: applicant`).
    public let applicant: [String: Value]
    /// Every answer and computed fact of the consultation.
    public let facts: [String: Value]
    public let outcomes: [String]
    /// Points the lawyer will confirm (message keys).
    public let openPoints: [String]
    public let preferences: [String: Value]
    public let question: String?
    /// The consultation was urgent (the dialog's `appointment: urgent` fact): listed first for the lawyer.
    public let urgent: Bool
    /// The hash of the transcript's last event when the request was saved (its head): the request
    /// is chained to the transcript as an event is.
    public let transcriptHead: String?
    /// SHA-256 of `transcriptHead` and the request's JSON without this field; set by `save`.
    public internal(set) var hash: String?
    /// The request's format (`ConsultationEvent.format`); nil for requests of the first format.
    public let format: Int?

    public init(
        reference: String = AppointmentRequest.newReference(), created: Date = Date(), language: String,
        channel: String,
        transcript: String?, applicant: [String: Value], facts: [String: Value], outcomes: [String],
        openPoints: [String], preferences: [String: Value], question: String?, urgent: Bool = false,
        transcriptHead: String? = nil
    ) {
        self.transcriptHead = transcriptHead
        self.urgent = urgent
        self.reference = reference
        createdText = TranscriptWriter.timestamp(created)
        self.language = language
        self.channel = channel
        self.transcript = transcript
        self.applicant = applicant
        self.facts = facts
        self.outcomes = outcomes
        self.openPoints = openPoints
        self.preferences = preferences
        self.question = question
        format = ConsultationEvent.format
    }

    enum CodingKeys: String, CodingKey {
        case reference, created, language, channel, transcript, applicant, facts, outcomes, preferences, question,
            urgent, hash, format
        case openPoints = "open_points"
        case transcriptHead = "transcript_head"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        reference = try c.decode(String.self, forKey: .reference)
        createdText = try c.decode(String.self, forKey: .created)
        guard TranscriptWriter.parseTimestamp(createdText) != nil else {
            throw DecodingError.dataCorruptedError(
                forKey: .created, in: c, debugDescription: "'\(createdText)' is not a time")
        }
        language = try c.decode(String.self, forKey: .language)
        channel = try c.decode(String.self, forKey: .channel)
        transcript = try c.decodeIfPresent(String.self, forKey: .transcript)
        applicant = try c.decode([String: Value].self, forKey: .applicant)
        facts = try c.decode([String: Value].self, forKey: .facts)
        outcomes = try c.decode([String].self, forKey: .outcomes)
        openPoints = try c.decode([String].self, forKey: .openPoints)
        preferences = try c.decode([String: Value].self, forKey: .preferences)
        question = try c.decodeIfPresent(String.self, forKey: .question)
        // Requests written before urgency was recorded were not urgent.
        urgent = try c.decodeIfPresent(Bool.self, forKey: .urgent) ?? false
        transcriptHead = try c.decodeIfPresent(String.self, forKey: .transcriptHead)
        hash = try c.decodeIfPresent(String.self, forKey: .hash)
        format = try c.decodeIfPresent(Int.self, forKey: .format)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(reference, forKey: .reference)
        try c.encode(createdText, forKey: .created)
        try c.encode(language, forKey: .language)
        try c.encode(channel, forKey: .channel)
        try c.encodeIfPresent(transcript, forKey: .transcript)
        try c.encode(applicant, forKey: .applicant)
        try c.encode(facts, forKey: .facts)
        try c.encode(outcomes, forKey: .outcomes)
        try c.encode(openPoints, forKey: .openPoints)
        try c.encode(preferences, forKey: .preferences)
        try c.encodeIfPresent(question, forKey: .question)
        try c.encode(urgent, forKey: .urgent)
        try c.encodeIfPresent(transcriptHead, forKey: .transcriptHead)
        try c.encodeIfPresent(hash, forKey: .hash)
        try c.encodeIfPresent(format, forKey: .format)
    }

    /// The creation time.
    public var created: Date { TranscriptWriter.parseTimestamp(createdText) ?? .distantPast }

    /// Reads a saved request: its JSON as written (what the hash is checked against) and the request.
    public static func read(
        _ data: Data
    ) throws(RecordError) -> (object: [String: UntypedJSON], request: AppointmentRequest) {
        guard case .object(let object)? = try? JSONDecoder().decode(UntypedJSON.self, from: data) else {
            throw RecordError.unreadable("not a JSON object")
        }
        let decoder = JSONDecoder()
        if object["format"] == nil { decoder.userInfo[Value.untypedValues] = true }
        do {
            return (object, try decoder.decode(AppointmentRequest.self, from: data))
        } catch {
            throw RecordError.unreadable("not an appointment request (\(Self.describe(error)))")
        }
    }

    static func describe(_ error: any Error) -> String {
        switch error as? DecodingError {
        case .keyNotFound(let key, let context)?:
            return "no \((context.codingPath + [key]).map(\.stringValue).joined(separator: "."))"
        case .typeMismatch(_, let context)?, .valueNotFound(_, let context)?, .dataCorrupted(let context)?:
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return path.isEmpty ? context.debugDescription : "\(path): \(context.debugDescription)"
        default:
            return "\(error)"
        }
    }

    /// "K7M-Q9P2": random, so one reference says nothing about the next.
    public static func newReference() -> String {
        Identifier.random(groups: 2)
    }

    /// The hash of a request's JSON object as written (its `hash` field left out), chained to its
    /// `transcript_head` as a transcript's events are chained: what `verify` compares with the
    /// request's `hash` and the transcript's `appointment` event.
    public static func hash(of object: [String: UntypedJSON]) -> String? {
        var object = object
        object["hash"] = nil
        guard let data = try? StoredLine.encoder.encode(object) else { return nil }
        let head = object["transcript_head"]?.string ?? ""
        return TranscriptWriter.hex(SHA256.hash(data: Data((head + "\n").utf8) + data))
    }

    /// This request's hash (as `hash(of:)` computes it from the JSON it is written as).
    func computedHash() -> String? {
        guard let data = try? StoredLine.encoder.encode(self),
            case .object(let object)? = try? JSONDecoder().decode(UntypedJSON.self, from: data)
        else { return nil }
        return Self.hash(of: object)
    }

    static let fileEncoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    /// Writes `appointments/REF.json` (0600, never overwriting: a clash draws a new reference).
    /// The request is written and fsync'ed in a temporary file first and then linked under its
    /// name (link(2) fails rather than replace), and the folder is fsync'ed: a reader sees a whole
    /// request or none, also after a crash or a full disk.
    public func save(in directory: DataDirectory) throws(RecordError) -> AppointmentRequest {
        var request = self
        let temporary = directory.appointments.appendingPathComponent(".\(UUID().uuidString).tmp")
        defer { unlink(temporary.path) }
        for _ in 0..<8 {
            request.hash = nil
            let data: Data
            if let sealing = directory.sealing {
                // Sealed to the recipients: its hash (recorded by the transcript) is the sealed document's.
                (data, request.hash) = try request.sealedDocument(sealing)
            } else {
                request.hash = request.computedHash()
                guard request.hash != nil, let plain = try? Self.fileEncoder.encode(request) else {
                    throw RecordError.writeFailed(temporary.path, "not representable as JSON")
                }
                data = plain
            }
            unlink(temporary.path)
            let fd = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            guard fd >= 0 else { throw RecordError.unwritable(temporary.path, String(cString: strerror(errno))) }
            let ok = data.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) } == data.count && fsync(fd) == 0
            let writeError = errno
            close(fd)
            guard ok else { throw RecordError.writeFailed(temporary.path, String(cString: strerror(writeError))) }
            let url = directory.appointments.appendingPathComponent("\(request.reference).json")
            if link(temporary.path, url.path) != 0 {
                guard errno == EEXIST else { throw RecordError.unwritable(url.path, String(cString: strerror(errno))) }
                request = request.with(reference: AppointmentRequest.newReference())
                continue
            }
            let folder = open(directory.appointments.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            if folder >= 0 {
                _ = fsync(folder)
                close(folder)
            }
            return request
        }
        throw RecordError.writeFailed(directory.appointments.path, "no free reference")
    }

    func with(reference: String) -> AppointmentRequest {
        var request = self
        request.reference = reference
        return request
    }

    /// What is wrong with a saved request (its JSON object as written, found under `reference`),
    /// nil when nothing is: its `hash` must be its own, and its transcript must record it (an
    /// `appointment` event with this reference and hash). Requests of earlier releases carry no hash
    /// and are not checked.
    public static func problem(
        with object: [String: UntypedJSON], reference: String, in directory: DataDirectory,
        keys: OpeningKeys = .none
    ) -> String? {
        problem(with: object, reference: reference, keys: keys) { id in
            let url = directory.transcripts.appendingPathComponent("\(id).jsonl")
            guard FileManager.default.fileExists(atPath: url.path) else { return nil }
            return TranscriptReader.read(url).events
        }
    }

    /// The same check with the transcript's verified events from anywhere (nil: no such transcript).
    public static func problem(
        with object: [String: UntypedJSON], reference: String, keys: OpeningKeys = .none,
        transcriptEvents: (String) -> [TranscriptEvent]?
    ) -> String? {
        if let problem = sealProblem(object, keys: keys) { return problem }
        guard let hash = object["hash"]?.string else { return nil }
        guard Self.hash(of: object) == hash, object["reference"]?.string == reference else {
            return "the request was altered (its hash is not that of its content)"
        }
        // A request saved without a transcript (a caller of the library) has only its own hash to check.
        guard let id = object["transcript"]?.string else { return nil }
        guard let events = transcriptEvents(id) else { return "its transcript \(id) is missing" }
        let recorded = events.contains { event in
            if case .appointment(let a) = event.event { return a.reference == reference && a.requestHash == hash }
            return false
        }
        if recorded { return nil }
        // Saved, and then the transcript could not be written (a full disk): it ends where the
        // request was chained, without its end. Not an alteration.
        if let last = events.last, last.hash == object["transcript_head"]?.string, last.kind != "end" { return nil }
        return "its transcript \(id) does not record this request"
    }

    /// Every request in `directory` that `problem(with:reference:in:)` finds wrong (or that is not
    /// a request), by reference.
    public static func problems(
        in directory: DataDirectory, keys: OpeningKeys = .none
    ) -> [(reference: String, problem: String)] {
        names(in: directory).compactMap { name -> (reference: String, problem: String)? in
            let reference = String(name.dropLast(5))
            guard
                let data = FileManager.default.contents(
                    atPath: directory.appointments.appendingPathComponent(name).path)
            else {
                return (reference, "it cannot be read")
            }
            do throws(RecordError) {
                let (object, _) = try load(data, keys: .none)
                return problem(with: object, reference: reference, in: directory, keys: keys).map { (reference, $0) }
            } catch {
                return (reference, error.reason)
            }
        }
    }

    private static func names(in directory: DataDirectory) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.appointments.path)) ?? [])
            .filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }.sorted()
    }

    /// Every saved request that can be read, newest first.
    public static func all(in directory: DataDirectory) -> [AppointmentRequest] {
        names(in: directory).compactMap { name -> AppointmentRequest? in
            guard
                let data = FileManager.default.contents(
                    atPath: directory.appointments.appendingPathComponent(name).path)
            else { return nil }
            return try? read(data).request
        }.sorted { $0.created > $1.created }
    }
}
