import ConsultEngine
import ConsultSealing
import Crypto
import Foundation

/// What a machine that faces applicants seals its records with: the office's recipients (public
/// keys only) and its own host key, which signs what it writes. Nothing here opens a record.
public struct RecordSealing: Sendable {
    public let recipients: [Recipient]
    public let host: HostKey

    public init(recipients: [Recipient], host: HostKey) {
        self.recipients = recipients
        self.host = host
    }

    /// The recipients of `recipientsFile` and the host key kept in `directory` (made on first use).
    public static func load(
        recipientsFile: String, directory: DataDirectory, hostName: String = ProcessInfo.processInfo.hostName
    )
        throws(SealingError) -> RecordSealing
    {
        let list = try RecipientList.recipients(at: recipientsFile)
        return RecordSealing(
            recipients: list.keys, host: try HostKey.loadOrCreate(at: directory.hostKey.path, name: hostName))
    }
}

/// What a reader opens sealed records with: the lawyer's identities (none: the content stays
/// sealed, the chain and the signatures are still checked) and, optionally, the hosts whose
/// records the office trusts.
public struct OpeningKeys: Sendable {
    public var identities: [Identity]
    public var knownHosts: KnownHosts?

    public init(identities: [Identity] = [], knownHosts: KnownHosts? = nil) {
        self.identities = identities
        self.knownHosts = knownHosts
    }

    public static let none = OpeningKeys()
}

/// The clear header of a sealed record (a transcript's first line, a request): its id, the host
/// that wrote it and its content key wrapped for each recipient.
struct SealHeader: Codable, Sendable, Equatable {
    var v = 1
    var id: String
    var host: String
    var hostName: String
    var keys: [WrappedKey]

    enum CodingKeys: String, CodingKey {
        case v, id, host, keys
        case hostName = "host_name"
    }

    /// HPKE's `info` for a transcript's or a request's content key: a wrapped key copied into
    /// another record does not open there.
    static func info(_ what: String, _ id: String) -> String { "consult \(what) \(id)" }
}

/// Who wrote a sealed record, and for whom it was sealed: what `verify` names.
public struct SealInfo: Sendable, Equatable {
    public let hostName: String
    public let hostKey: String
    /// The recipients' fingerprints.
    public let recipients: [String]
    /// Whether the identities given opened it.
    public let opened: Bool
    /// The host's name in the known hosts file; nil when no file was given.
    public let knownAs: String?

    init(header: SealHeader, opened: Bool, knownAs: String?) {
        hostName = header.hostName
        hostKey = (try? HostPublicKey(string: header.host))?.fingerprint ?? "?"
        recipients = header.keys.map(\.to)
        self.opened = opened
        self.knownAs = knownAs
    }

    /// "sealed, written by host kiosk-hall (key 3f2a91bc...)".
    public var description: String {
        let name = knownAs.map { $0.isEmpty ? hostName : $0 } ?? hostName
        return "sealed, written by host \(name) (key \(hostKey))" + (knownAs == nil ? "" : ", a known host")
    }

    /// The host named by its key: checked against the known hosts, if any. Nil when trusted (or not checked).
    static func untrusted(_ header: SealHeader, _ keys: OpeningKeys) -> String? {
        guard let hosts = keys.knownHosts else { return nil }
        guard let key = try? HostPublicKey(string: header.host), hosts.entry(for: key) != nil else {
            let fingerprint = (try? HostPublicKey(string: header.host))?.fingerprint ?? "unreadable"
            return
                "written by a host not in \(hosts.path) (it calls itself \(header.hostName), key \(fingerprint)): not a record of the office's machines"
        }
        return nil
    }

    static func knownName(_ header: SealHeader, _ keys: OpeningKeys) -> String? {
        guard let hosts = keys.knownHosts, let key = try? HostPublicKey(string: header.host) else { return nil }
        return hosts.entry(for: key)?.name
    }
}

/// A sealed transcript line as stored (keys sorted when written): only the chain, the kind, the
/// time and the sealed data; `clear` holds an appointment event's reference and request hash (ids,
/// for `verify` without a key); `sig` is the host's signature over the line without it.
struct SealedLine: Codable {
    var clear: ConsultationEvent.AppointmentSaved?
    var kind: String
    var prev: String
    var seal: SealHeader?
    var sealed: String
    var seq: Int
    var sig: String?
    var time: String

    /// What the signature covers: the transcript's id and the line without `sig` as this program writes it.
    func signedMessage(id: String) -> Data? {
        var unsigned = self
        unsigned.sig = nil
        guard let json = try? StoredLine.encoder.encode(unsigned) else { return nil }
        return Data("consult-line-1\n\(id)\n".utf8) + json
    }

    /// What the sealed data is bound to: it opens only in this transcript, at this place in the chain.
    static func binding(id: String, sequence: Int, previous: String, kind: String, time: String) -> Data {
        Data("consult-event-1\n\(id)\n\(sequence)\n\(previous)\n\(kind)\n\(time)".utf8)
    }
}

/// The sealing of one transcript while it is written: its content key (in memory only, gone with
/// the process) wrapped in the first line's header for every recipient.
final class TranscriptSeal {
    let id: String
    private let key: SymmetricKey
    private let header: SealHeader
    private let host: HostKey

    init(id: String, sealing: RecordSealing) throws(SealingError) {
        self.id = id
        key = Envelope.newKey()
        host = sealing.host
        header = SealHeader(
            id: id, host: sealing.host.publicKey.string, hostName: sealing.host.name,
            keys: try Envelope.wrap(key, to: sealing.recipients, info: SealHeader.info("transcript", id)))
    }

    /// The line's JSON text without its hash: the event's data sealed, the line signed.
    func body(sequence: Int, time: String, event: ConsultationEvent, previous: String) throws(SealingError) -> String {
        guard let data = try? StoredLine.encoder.encode(EventData(event: event)) else {
            throw SealingError(.unreadable, id, "the event cannot be written as JSON")
        }
        let binding = SealedLine.binding(id: id, sequence: sequence, previous: previous, kind: event.kind, time: time)
        let box = try Envelope.seal(data, key: key, binding: binding)
        var clear: ConsultationEvent.AppointmentSaved?
        if case .appointment(let saved) = event { clear = saved }
        var line = SealedLine(
            clear: clear, kind: event.kind, prev: previous, seal: sequence == 0 ? header : nil,
            sealed: Base64URL.encode(box), seq: sequence, sig: nil, time: time)
        guard let message = line.signedMessage(id: id) else {
            throw SealingError(.unreadable, id, "the line cannot be written as JSON")
        }
        line.sig = Base64URL.encode(try host.sign(message))
        guard let json = try? StoredLine.encoder.encode(line) else {
            throw SealingError(.unreadable, id, "the line cannot be written as JSON")
        }
        return String(decoding: json, as: UTF8.self)
    }
}

/// An event's data alone, as the unsealed line's `data` holds it.
struct EventData: Encodable {
    let event: ConsultationEvent
    func encode(to encoder: any Encoder) throws { try event.encodeData(to: encoder) }
}
