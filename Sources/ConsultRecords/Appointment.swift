#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ConsultContent
import ConsultEngine
import Crypto
import Foundation

/// An appointment request: what the office needs to act on, saved as JSON under a short reference.
public struct AppointmentRequest: Sendable {
    public let reference: String
    public let created: Date
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
    public private(set) var hash: String?

    public init(reference: String = AppointmentRequest.newReference(), created: Date = Date(), language: String, channel: String,
                transcript: String?, applicant: [String: Value], facts: [String: Value], outcomes: [String],
                openPoints: [String], preferences: [String: Value], question: String?, urgent: Bool = false,
                transcriptHead: String? = nil) {
        self.transcriptHead = transcriptHead
        self.urgent = urgent
        self.reference = reference
        self.created = created
        self.language = language
        self.channel = channel
        self.transcript = transcript
        self.applicant = applicant
        self.facts = facts
        self.outcomes = outcomes
        self.openPoints = openPoints
        self.preferences = preferences
        self.question = question
    }

    /// "K7M-Q9P2": random, so one reference says nothing about the next.
    public static func newReference() -> String {
        Identifier.random(groups: 2)
    }

    public var json: [String: Any] {
        var object: [String: Any] = [
            "reference": reference, "created": TranscriptWriter.timestamp(created), "language": language, "channel": channel,
            "applicant": applicant.mapValues(\.jsonObject), "facts": facts.mapValues(\.jsonObject), "outcomes": outcomes,
            "open_points": openPoints, "preferences": preferences.mapValues(\.jsonObject), "urgent": urgent,
        ]
        if let transcript { object["transcript"] = transcript }
        if let question { object["question"] = question }
        if let transcriptHead { object["transcript_head"] = transcriptHead }
        if let hash { object["hash"] = hash }
        return object
    }

    /// The hash of a request's JSON object (its `hash` field left out), chained to its
    /// `transcript_head` as a transcript's events are chained: what `verify` compares with the
    /// request's `hash` and the transcript's `appointment` event.
    public static func hash(of object: [String: Any]) -> String? {
        var object = object
        object["hash"] = nil
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) else {
            return nil
        }
        let head = object["transcript_head"] as? String ?? ""
        let digest = SHA256.hash(data: Data((head + "\n").utf8) + data)
        return digest.map { String(format: "%02x", $0) }.joined()
    }

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
            request.hash = Self.hash(of: request.json)
            guard let data = try? JSONSerialization.data(withJSONObject: request.json, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]) else {
                throw RecordError.writeFailed(temporary.path, "not representable as JSON")
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
        AppointmentRequest(reference: reference, created: created, language: language, channel: channel, transcript: transcript,
                           applicant: applicant, facts: facts, outcomes: outcomes, openPoints: openPoints,
                           preferences: preferences, question: question, urgent: urgent, transcriptHead: transcriptHead)
    }

    /// What is wrong with a saved request (its JSON object, found under `reference`), nil when
    /// nothing is: its `hash` must be its own, and its transcript must record it (an `appointment`
    /// event with this reference and hash). Requests of earlier releases carry no hash and are not
    /// checked.
    public static func problem(with object: [String: Any], reference: String, in directory: DataDirectory) -> String? {
        guard let hash = object["hash"] as? String else { return nil }
        guard Self.hash(of: object) == hash, object["reference"] as? String == reference else {
            return "the request was altered (its hash is not that of its content)"
        }
        // A request saved without a transcript (a caller of the library) has only its own hash to check.
        guard let id = object["transcript"] as? String else { return nil }
        let url = directory.transcripts.appendingPathComponent("\(id).jsonl")
        guard FileManager.default.fileExists(atPath: url.path) else { return "its transcript \(id) is missing" }
        let events = TranscriptReader.read(url).events
        if events.contains(where: { $0.kind == "appointment" && $0.string("reference") == reference && $0.string("request_hash") == hash }) {
            return nil
        }
        // Saved, and then the transcript could not be written (a full disk): it ends where the
        // request was chained, without its end. Not an alteration.
        if events.last?.hash == object["transcript_head"] as? String, events.last?.kind != "end" { return nil }
        return "its transcript \(id) does not record this request"
    }

    /// Every request in `directory` that `problem(with:reference:in:)` finds wrong (or that is not
    /// a JSON object), by reference.
    public static func problems(in directory: DataDirectory) -> [(reference: String, problem: String)] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory.appointments.path)) ?? [])
            .filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }.sorted()
        return names.compactMap { name in
            let reference = String(name.dropLast(5))
            guard let data = FileManager.default.contents(atPath: directory.appointments.appendingPathComponent(name).path),
                  let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                return (reference, "not a JSON object")
            }
            return problem(with: object, reference: reference, in: directory).map { (reference, $0) }
        }
    }

    /// Whether a saved request (its JSON object) is marked urgent.
    public static func isUrgent(_ object: [String: Any]) -> Bool { object["urgent"] as? Bool ?? false }

    /// Every saved request, newest first, as JSON objects.
    public static func all(in directory: DataDirectory) -> [[String: Any]] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory.appointments.path)) ?? []).filter { $0.hasSuffix(".json") }
        return names.compactMap { name -> [String: Any]? in
            guard let data = FileManager.default.contents(atPath: directory.appointments.appendingPathComponent(name).path) else { return nil }
            return try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        }.sorted { ($0["created"] as? String ?? "") > ($1["created"] as? String ?? "") }
    }
}
