import ConsultEngine
import ConsultSealing
import Crypto
import Foundation

/// An appointment request as a sealed document: in the clear only its reference, creation time,
/// transcript and place in it (ids and times, for `verify` and listing without a key); the request
/// itself sealed to the recipients, the document signed by the host.
struct SealedRequestDocument: Codable {
    var created: String
    var format: Int?
    var hash: String?
    var reference: String
    var seal: SealHeader
    var sealed: String
    var sig: String?
    var transcript: String?
    var transcriptHead: String?

    enum CodingKeys: String, CodingKey {
        case created, format, hash, reference, seal, sealed, sig, transcript
        case transcriptHead = "transcript_head"
    }

    static func binding(reference: String, transcript: String?, head: String?, created: String) -> Data {
        Data("consult-request-1\n\(reference)\n\(transcript ?? "")\n\(head ?? "")\n\(created)".utf8)
    }

    /// What the host signs: the document's JSON object without `sig` and `hash`, keys sorted, compact.
    static func signedMessage(_ object: [String: UntypedJSON]) -> Data? {
        var object = object
        object["sig"] = nil
        object["hash"] = nil
        return (try? StoredLine.encoder.encode(object)).map { Data("consult-request-1\n".utf8) + $0 }
    }

    static func object(_ document: SealedRequestDocument) -> [String: UntypedJSON]? {
        guard let data = try? StoredLine.encoder.encode(document),
            case .object(let object)? = try? JSONDecoder().decode(UntypedJSON.self, from: data)
        else { return nil }
        return object
    }
}

/// What can be said of a sealed request without opening it.
public struct SealedRequestInfo: Sendable, Equatable {
    public let reference: String
    public let createdText: String
    public let transcript: String?
    public let seal: SealInfo
}

/// A request as read back: opened (or never sealed), or sealed for identities not given.
public enum StoredRequest: Sendable {
    case open(AppointmentRequest)
    case sealed(SealedRequestInfo)

    public var createdText: String {
        switch self {
        case .open(let r): return r.createdText
        case .sealed(let s): return s.createdText
        }
    }
}

extension AppointmentRequest {
    /// The sealed document of this request (its `hash` is the document's) and that hash.
    func sealedDocument(_ sealing: RecordSealing) throws(RecordError) -> (data: Data, hash: String) {
        var plain = self
        plain.hash = nil
        let place = "appointment request \(reference)"
        guard let json = try? StoredLine.encoder.encode(plain) else {
            throw RecordError.writeFailed(place, "not representable as JSON")
        }
        do throws(SealingError) {
            let key = Envelope.newKey()
            let header = SealHeader(
                id: reference, host: sealing.host.publicKey.string, hostName: sealing.host.name,
                keys: try Envelope.wrap(key, to: sealing.recipients, info: SealHeader.info("request", reference)))
            let binding = SealedRequestDocument.binding(
                reference: reference, transcript: transcript, head: transcriptHead, created: createdText)
            var document = SealedRequestDocument(
                created: createdText, format: format, hash: nil, reference: reference, seal: header,
                sealed: Base64URL.encode(try Envelope.seal(json, key: key, binding: binding)), sig: nil,
                transcript: transcript, transcriptHead: transcriptHead)
            guard let unsigned = SealedRequestDocument.object(document),
                let message = SealedRequestDocument.signedMessage(unsigned)
            else {
                throw SealingError(.unreadable, place, "not representable as JSON")
            }
            document.sig = Base64URL.encode(try sealing.host.sign(message))
            guard let signed = SealedRequestDocument.object(document), let hash = Self.hash(of: signed) else {
                throw SealingError(.unreadable, place, "not representable as JSON")
            }
            document.hash = hash
            guard let data = try? Self.fileEncoder.encode(document) else {
                throw SealingError(.unreadable, place, "not representable as JSON")
            }
            return (data, hash)
        } catch {
            throw RecordError.writeFailed(place, error.message)
        }
    }

    /// Reads a saved request, opening it with `keys` when it is sealed to one of them.
    public static func load(
        _ data: Data, keys: OpeningKeys
    ) throws(RecordError) -> (object: [String: UntypedJSON], request: StoredRequest) {
        guard case .object(let object)? = try? JSONDecoder().decode(UntypedJSON.self, from: data) else {
            throw RecordError.unreadable("not a JSON object")
        }
        guard object["sealed"] != nil else { return (object, .open(try read(data).request)) }
        guard let document = try? JSONDecoder().decode(SealedRequestDocument.self, from: data) else {
            throw RecordError.unreadable("not a sealed appointment request (a field is missing or of the wrong type)")
        }
        let info = SealInfo(header: document.seal, opened: false, knownAs: SealInfo.knownName(document.seal, keys))
        let binding = SealedRequestDocument.binding(
            reference: document.reference, transcript: document.transcript,
            head: document.transcriptHead, created: document.created)
        guard
            let key = Envelope.unwrap(
                document.seal.keys, with: keys.identities, info: SealHeader.info("request", document.reference))
        else {
            return (
                object,
                .sealed(
                    SealedRequestInfo(
                        reference: document.reference, createdText: document.created,
                        transcript: document.transcript, seal: info))
            )
        }
        guard let box = Base64URL.decode(document.sealed), let plain = Envelope.open(box, key: key, binding: binding)
        else {
            throw RecordError.unreadable(
                "its sealed content does not open with its key (it was altered or moved from another request)")
        }
        var request = try read(plain).request
        guard request.reference == document.reference, request.transcript == document.transcript,
            request.transcriptHead == document.transcriptHead, request.createdText == document.created
        else {
            throw RecordError.unreadable("its sealed content is not that of its clear fields")
        }
        request.hash = document.hash
        return (object, .open(request))
    }

    /// What is wrong with a sealed request's signature or host; nil when nothing is (or it is not sealed).
    static func sealProblem(_ object: [String: UntypedJSON], keys: OpeningKeys) -> String? {
        guard object["sealed"] != nil else { return nil }
        guard let data = try? StoredLine.encoder.encode(object),
            let document = try? JSONDecoder().decode(SealedRequestDocument.self, from: data),
            let host = try? HostPublicKey(string: document.seal.host)
        else {
            return "not a sealed appointment request (a field is missing or of the wrong type)"
        }
        guard let sig = document.sig.flatMap(Base64URL.decode),
            let message = SealedRequestDocument.signedMessage(object),
            host.isValid(signature: sig, for: message)
        else {
            return
                "it is not signed by the host it names (\(document.seal.hostName), key \(host.fingerprint)): it was forged or altered"
        }
        return SealInfo.untrusted(document.seal, keys)
    }

    /// Every saved request, opened where `keys` can, newest first.
    public static func all(in directory: DataDirectory, keys: OpeningKeys) -> [StoredRequest] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory.appointments.path)) ?? [])
            .filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }
        return names.compactMap { name -> StoredRequest? in
            guard
                let data = FileManager.default.contents(
                    atPath: directory.appointments.appendingPathComponent(name).path)
            else { return nil }
            return try? load(data, keys: keys).request
        }.sorted { ($0.createdText, 0) > ($1.createdText, 0) }
    }
}
