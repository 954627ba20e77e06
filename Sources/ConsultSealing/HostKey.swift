import Crypto
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The signing key of a machine that writes records (a kiosk, an SSH host): every sealed line and
/// request it writes is signed with it, so that someone who has only the lawyers' public keys cannot
/// add a record or a line that `verify` takes for this host's. Made on first use, mode 0600:
///
/// ```
/// consult-host-key-1
/// name: kiosk-hall
/// key: <base64url Ed25519 private key>
/// ```
public struct HostKey: Sendable {
    public static let header = "consult-host-key-1"
    /// The Ed25519 private key's 32 bytes (swift-crypto's key types are not Sendable).
    let raw: Data
    /// The machine's name, as `verify` shows it beside the key.
    public let name: String

    public init(signing: Curve25519.Signing.PrivateKey = .init(), name: String) {
        raw = signing.rawRepresentation
        self.name = name
    }

    var signing: Curve25519.Signing.PrivateKey {
        // Checked when made.
        (try? Curve25519.Signing.PrivateKey(rawRepresentation: raw)) ?? Curve25519.Signing.PrivateKey()
    }

    public var publicKey: HostPublicKey { HostPublicKey(signing.publicKey) }

    /// A line of a known hosts file: the key and the name.
    public var knownHostsLine: String { "\(publicKey.string) \(name)" }

    public func sign(_ message: Data) throws(SealingError) -> Data {
        do {
            return try signing.signature(for: message)
        } catch {
            throw SealingError(.unreadable, name, "the record cannot be signed: \(error)")
        }
    }

    /// Reads the host key at `path`, or makes one there (named `name`) when there is none.
    public static func loadOrCreate(at path: String, name: String) throws(SealingError) -> HostKey {
        if FileManager.default.fileExists(atPath: path) { return try read(path) }
        let key = HostKey(name: name.isEmpty ? "host" : name)
        let text = "\(header)\nname: \(key.name)\nkey: \(Base64URL.encode(key.signing.rawRepresentation))\n"
        // Whole or not at all: written aside, then linked under its name (which fails, rather than
        // replaces, when another consultation made one at the same moment: that one is used).
        let temporary = path + ".\(getpid()).tmp"
        unlink(temporary)
        try createFile(temporary, Data(text.utf8), mode: 0o600)
        defer { unlink(temporary) }
        if link(temporary, path) != 0 {
            guard errno == EEXIST else {
                throw SealingError(.unreadable, path, "cannot be created: \(String(cString: strerror(errno)))")
            }
            return try read(path)
        }
        return key
    }

    public static func read(_ path: String) throws(SealingError) -> HostKey {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8)
        else {
            throw SealingError(.unreadable, path, "cannot read the host key")
        }
        let lines = text.split(separator: "\n").map(String.init)
        guard lines.first == header else {
            throw SealingError(.malformed, path, "expected a host key beginning with '\(header)'")
        }
        var fields: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[String(line[..<colon])] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        guard let raw = Base64URL.decode(fields["key"] ?? ""),
            let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: raw)
        else {
            throw SealingError(.corrupted, path, "expected a 'key:' line holding an Ed25519 private key in base64url")
        }
        return HostKey(signing: key, name: fields["name"] ?? "host")
    }
}

/// A content key wrapped for one recipient with HPKE (RFC 9180, base mode,
/// DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, ChaCha20-Poly1305).
public struct WrappedKey: Codable, Sendable, Equatable {
    /// The recipient's fingerprint.
    public let to: String
    /// HPKE's encapsulated key and the sealed content key, base64url.
    public let enc: String
    public let key: String
}

/// Sealing bytes: a random content key per record, wrapped for each recipient; the content sealed
/// with it (ChaCha20-Poly1305), bound to where it belongs by the associated data.
public enum Envelope {
    static var suite: HPKE.Ciphersuite { .Curve25519_SHA256_ChachaPoly }

    public static func newKey() -> SymmetricKey { SymmetricKey(size: .bits256) }

    /// The key wrapped for each recipient; `info` names the record (HPKE's context), so a wrapped key
    /// copied into another record does not open there.
    public static func wrap(
        _ key: SymmetricKey, to recipients: [Recipient], info: String
    ) throws(SealingError) -> [WrappedKey] {
        let bytes = key.withUnsafeBytes { Data($0) }
        do {
            return try recipients.map { recipient in
                var sender = try HPKE.Sender(
                    recipientKey: recipient.publicKey, ciphersuite: suite, info: Data(info.utf8))
                let sealed = try sender.seal(bytes, authenticating: Data(recipient.fingerprint.utf8))
                return WrappedKey(
                    to: recipient.fingerprint, enc: Base64URL.encode(sender.encapsulatedKey),
                    key: Base64URL.encode(sealed))
            }
        } catch {
            throw SealingError(.unreadable, info, "the content key cannot be wrapped: \(error)")
        }
    }

    /// The content key, opened with the first identity it was wrapped for; nil when none was a recipient.
    public static func unwrap(_ wrapped: [WrappedKey], with identities: [Identity], info: String) -> SymmetricKey? {
        for identity in identities {
            let fingerprint = identity.recipient.fingerprint
            for entry in wrapped where entry.to == fingerprint {
                guard let enc = Base64URL.decode(entry.enc), let sealed = Base64URL.decode(entry.key),
                    var recipient = try? HPKE.Recipient(
                        privateKey: identity.privateKey, ciphersuite: suite, info: Data(info.utf8),
                        encapsulatedKey: enc),
                    let key = try? recipient.open(sealed, authenticating: Data(fingerprint.utf8)), key.count == 32
                else { continue }
                return SymmetricKey(data: key)
            }
        }
        return nil
    }

    public static func seal(_ plaintext: Data, key: SymmetricKey, binding: Data) throws(SealingError) -> Data {
        do {
            return try ChaChaPoly.seal(plaintext, using: key, authenticating: binding).combined
        } catch {
            throw SealingError(.unreadable, "", "the content cannot be sealed: \(error)")
        }
    }

    /// The plaintext; nil when the box does not open with this key and binding (altered, moved, or another record's).
    public static func open(_ box: Data, key: SymmetricKey, binding: Data) -> Data? {
        guard let sealed = try? ChaChaPoly.SealedBox(combined: box) else { return nil }
        return try? ChaChaPoly.open(sealed, using: key, authenticating: binding)
    }
}
