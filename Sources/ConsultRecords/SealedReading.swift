import ConsultEngine
import ConsultSealing
import Crypto
import Foundation

/// Reading a transcript whose lines may be sealed: the first line says whether the transcript is
/// sealed (its header), every later line must agree, each sealed line must carry the signature of
/// the host named in the header, and with an identity among the recipients its content is opened.
/// Without one, an event is known by its kind alone (`TranscriptEvent.sealed`).
struct SealedReading {
    let keys: OpeningKeys
    let id: String
    private(set) var header: SealHeader?
    private var host: HostPublicKey?
    private var contentKey: SymmetricKey?
    /// Whether the transcript's first line was sealed (nil before it is read).
    private var sealed: Bool?

    init(keys: OpeningKeys, id: String) {
        self.keys = keys
        self.id = id
    }

    /// The seal's description for `verify`; nil for a transcript in the clear.
    var info: SealInfo? {
        header.map { SealInfo(header: $0, opened: contentKey != nil, knownAs: SealInfo.knownName($0, keys)) }
    }

    /// The line's fields if it is a sealed line.
    static func decode(_ body: String) -> SealedLine? {
        try? ReadLine.decoder.decode(SealedLine.self, from: Data(body.utf8))
    }

    /// Checks line `sequence` (its chain already checked) and returns its event; or why it is not
    /// an event of this transcript.
    mutating func event(
        _ line: SealedLine?, sequence: Int
    ) -> Result<(event: ConsultationEvent, written: UntypedJSON?, sealed: Bool), Reason> {
        if sealed == nil { sealed = line != nil }
        guard let line else {
            return sealed == true
                ? .failure("a line in the clear in a sealed transcript (every line of one is sealed)")
                : .failure(.notSealed)
        }
        guard sealed == true else { return .failure("a sealed line in a transcript that is not sealed") }
        if sequence == 0 {
            guard let header = line.seal else {
                return .failure("the first line of a sealed transcript carries no seal header")
            }
            guard header.id == id else {
                return .failure(
                    Reason(
                        "the transcript's own id is \(header.id), not \(id) (its file name): it was copied or renamed"))
            }
            guard let key = try? HostPublicKey(string: header.host) else {
                return .failure("its host key is not a key")
            }
            if let untrusted = SealInfo.untrusted(header, keys) { return .failure(Reason(untrusted)) }
            self.header = header
            host = key
            contentKey = Envelope.unwrap(header.keys, with: keys.identities, info: SealHeader.info("transcript", id))
        } else if line.seal != nil {
            return .failure("a seal header after the first line")
        }
        guard let host, let sig = line.sig.flatMap(Base64URL.decode), let message = line.signedMessage(id: id),
            host.isValid(signature: sig, for: message)
        else {
            let name = header.map { "\($0.hostName), key \(host?.fingerprint ?? "?")" } ?? "?"
            return .failure(
                Reason(
                    "the line is not signed by the host that wrote the transcript (\(name)): it was forged or altered"))
        }
        guard let contentKey else {
            // Sealed for others: known by its kind, and an appointment by its reference (in the clear).
            if line.kind == "appointment", let clear = line.clear { return .success((.appointment(clear), nil, true)) }
            return .success((.unknown(kind: line.kind, data: .object([:])), nil, true))
        }
        let binding = SealedLine.binding(
            id: id, sequence: line.seq, previous: line.prev, kind: line.kind, time: line.time)
        guard let box = Base64URL.decode(line.sealed),
            let plain = Envelope.open(box, key: contentKey, binding: binding),
            let kind = try? StoredLine.encoder.encode(line.kind),
            let read = try? ReadLine.decoder.decode(
                ReadLine.self, from: Data("{\"data\":".utf8) + plain + Data(",\"kind\":".utf8) + kind + Data("}".utf8))
        else {
            return .failure(
                "its sealed content does not open with the transcript's key (it was moved from elsewhere or altered)")
        }
        return .success((read.event, read.written, false))
    }

    /// Why a line is refused (`notSealed`: a line in the clear, read as before).
    struct Reason: Error, ExpressibleByStringLiteral, Equatable {
        let text: String
        init(_ text: String) { self.text = text }
        init(stringLiteral value: String) { text = value }
        static let notSealed = Reason("")
    }
}
