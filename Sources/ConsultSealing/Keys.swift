import Crypto
import Foundation

/// The text forms of public keys people copy between machines: a prefix naming what the key is
/// for and its version, then the 32 key bytes and a 4-byte checksum in unpadded base64url, so that
/// a key cut short or mistyped in a recipients file is refused rather than sealed to.
enum KeyText {
    static func encode(_ prefix: String, _ key: Data) -> String {
        prefix + Base64URL.encode(key + checksum(prefix, key))
    }

    /// The key's bytes, or why the text is not such a key (the caller adds the place).
    static func decode(_ prefix: String, _ text: String) throws(SealingError) -> Data {
        guard text.hasPrefix(prefix) else {
            throw SealingError(.malformed, "", "expected a key beginning with '\(prefix)'")
        }
        guard let bytes = Base64URL.decode(String(text.dropFirst(prefix.count))), bytes.count == 36 else {
            throw SealingError(.malformed, "", "the key after '\(prefix)' is not 48 base64url characters")
        }
        let key = Data(bytes.prefix(32))
        guard bytes.suffix(4) == checksum(prefix, key) else {
            throw SealingError(.malformed, "", "the key's checksum does not match (a character was changed or lost)")
        }
        return key
    }

    static func checksum(_ prefix: String, _ key: Data) -> Data {
        Data(SHA256.hash(data: Data(prefix.utf8) + key).prefix(4))
    }

    /// A short name of a key for people and for finding one's own wrapped key: 16 hex digits.
    static func fingerprint(_ key: Data) -> String {
        SHA256.hash(data: key).prefix(8).map { String(format: "%02x", $0) }.joined()
    }
}

/// Unpadded base64url (RFC 4648 section 5): safe in file names, JSON and shell arguments.
public enum Base64URL {
    public static func encode(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    public static func decode(_ text: String) -> Data? {
        guard text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
            return nil
        }
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return Data(base64Encoded: base64)
    }
}

/// A lawyer's (or the recovery key's) public key: what a kiosk or an SSH host seals to.
/// Written `consult-recipient-1:<base64url>`, one a line in a recipients file.
public struct Recipient: Sendable, Hashable, CustomStringConvertible {
    public static let prefix = "consult-recipient-1:"
    /// The X25519 public key's 32 bytes (kept as bytes: swift-crypto's key types are not Sendable).
    public let raw: Data

    public init(_ publicKey: Curve25519.KeyAgreement.PublicKey) {
        raw = publicKey.rawRepresentation
    }

    /// Reads a recipient string; the error says what is wrong with it (the caller adds the place).
    public init(string: String) throws(SealingError) {
        let bytes = try KeyText.decode(Self.prefix, string)
        guard (try? Curve25519.KeyAgreement.PublicKey(rawRepresentation: bytes)) != nil else {
            throw SealingError(.malformed, "", "not an X25519 public key")
        }
        raw = bytes
    }

    public var publicKey: Curve25519.KeyAgreement.PublicKey {
        // Checked when made.
        (try? Curve25519.KeyAgreement.PublicKey(rawRepresentation: raw))
            ?? Curve25519.KeyAgreement.PrivateKey().publicKey
    }

    public var string: String { KeyText.encode(Self.prefix, raw) }
    public var description: String { string }
    /// 16 hex digits naming this recipient in a sealed record's header.
    public var fingerprint: String { KeyText.fingerprint(raw) }
}

/// A host's public signing key: what proves which kiosk or SSH host wrote a sealed record.
/// Written `consult-host-1:<base64url>`.
public struct HostPublicKey: Sendable, Hashable, CustomStringConvertible {
    public static let prefix = "consult-host-1:"
    /// The Ed25519 public key's 32 bytes.
    public let raw: Data

    public init(_ key: Curve25519.Signing.PublicKey) {
        raw = key.rawRepresentation
    }

    public init(string: String) throws(SealingError) {
        let bytes = try KeyText.decode(Self.prefix, string)
        guard (try? Curve25519.Signing.PublicKey(rawRepresentation: bytes)) != nil else {
            throw SealingError(.malformed, "", "not an Ed25519 public key")
        }
        raw = bytes
    }

    public var string: String { KeyText.encode(Self.prefix, raw) }
    public var description: String { string }
    public var fingerprint: String { KeyText.fingerprint(raw) }

    public func isValid(signature: Data, for message: Data) -> Bool {
        guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: raw) else { return false }
        return key.isValidSignature(signature, for: message)
    }
}
