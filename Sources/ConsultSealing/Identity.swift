import Crypto
import Foundation
import _CryptoExtras

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A lawyer's private key (X25519): opens what was sealed to its `recipient`. On disk it is sealed
/// itself, with a key derived from a passphrase by scrypt (memory-hard, so a stolen file is slow to
/// guess at), in a small text file:
///
/// ```
/// consult-identity-1
/// recipient: consult-recipient-1:...
/// scrypt: 16 8 1            (log2 N, r, p)
/// salt: <base64url>
/// key: <base64url>          (ChaCha20-Poly1305: nonce, sealed private key, tag)
/// check: <16 hex digits>    (of the lines above: a damaged file is told from a wrong passphrase)
/// ```
public struct Identity: Sendable {
    public static let header = "consult-identity-1"
    /// The shortest passphrase `keys generate` accepts.
    public static let minimumPassphrase = 8
    /// scrypt's cost: N = 2^16, r = 8 (64 MiB, about a fifth of a second), p = 1.
    public static let cost = (logN: 16, r: 8, p: 1)

    /// The X25519 private key's 32 bytes (swift-crypto's key types are not Sendable).
    let raw: Data
    /// Where it was read from (empty for a new one).
    public let path: String

    public init(privateKey: Curve25519.KeyAgreement.PrivateKey = .init(), path: String = "") {
        raw = privateKey.rawRepresentation
        self.path = path
    }

    public var privateKey: Curve25519.KeyAgreement.PrivateKey {
        // Checked when made.
        (try? Curve25519.KeyAgreement.PrivateKey(rawRepresentation: raw)) ?? Curve25519.KeyAgreement.PrivateKey()
    }

    public var recipient: Recipient { Recipient(privateKey.publicKey) }

    /// The file's text, sealed with `passphrase` at scrypt cost N = 2^`logN` (tests use less than the default).
    public func fileText(passphrase: String, logN: Int = Identity.cost.logN) throws(SealingError) -> String {
        guard passphrase.count >= Self.minimumPassphrase else {
            throw SealingError(
                .weakPassphrase, "", "expected a passphrase of at least \(Self.minimumPassphrase) characters")
        }
        let salt = Data((0..<16).map { _ in UInt8.random(in: 0...255) })
        guard (10...22).contains(logN) else {
            throw SealingError(.malformed, "", "expected a scrypt cost (log2 N) of 10 to 22, not \(logN)")
        }
        let cost = (logN: logN, r: Self.cost.r, p: Self.cost.p)
        let head = Self.head(
            recipient: recipient.string, cost: "\(cost.logN) \(cost.r) \(cost.p)", salt: Base64URL.encode(salt))
        do {
            let key = try Self.derive(passphrase, salt: salt, logN: cost.logN, r: cost.r, p: cost.p)
            let box = try ChaChaPoly.seal(raw, using: key, authenticating: Data(head.utf8)).combined
            let body = head + "key: \(Base64URL.encode(box))\n"
            return """
                # consult identity: a lawyer's private key, sealed with a passphrase (scrypt, ChaCha20-Poly1305).
                # Keep it mode 0600 and its passphrase apart from it; the recipient line is its public key.
                \(body)check: \(Self.check(body))

                """
        } catch {
            throw SealingError(.unreadable, "", "the key could not be sealed: \(error)")
        }
    }

    /// Writes a new identity file (0600, never over an existing file) and `path.pub` with its recipient.
    public func write(to path: String, passphrase: String, logN: Int = Identity.cost.logN) throws(SealingError) {
        let text = try fileText(passphrase: passphrase, logN: logN)
        try createFile(path, Data(text.utf8), mode: 0o600)
        try createFile(path + ".pub", Data((recipient.string + "\n").utf8), mode: 0o644)
    }

    /// Reads and opens an identity file.
    public static func read(_ path: String, passphrase: String) throws(SealingError) -> Identity {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SealingError(.unreadable, path, "cannot read the identity file")
        }
        let fields = try parse(data, path: path)
        let recipientText = fields["recipient"] ?? ""
        let recipient: Recipient
        do throws(SealingError) {
            recipient = try Recipient(string: recipientText)
        } catch {
            throw SealingError(.corrupted, path, "its recipient line is damaged: \(error.message)")
        }
        let numbers = (fields["scrypt"] ?? "").split(separator: " ").compactMap { Int($0) }
        guard numbers.count == 3, (10...22).contains(numbers[0]), (1...32).contains(numbers[1]),
            (1...16).contains(numbers[2])
        else {
            throw SealingError(.corrupted, path, "expected 'scrypt: LOG2N R P' with LOG2N 10-22, R 1-32, P 1-16")
        }
        guard let salt = Base64URL.decode(fields["salt"] ?? ""), salt.count >= 16,
            let box = Base64URL.decode(fields["key"] ?? "")
        else {
            throw SealingError(.corrupted, path, "expected a 'salt:' and a 'key:' line in base64url")
        }
        let head = Self.head(recipient: recipientText, cost: fields["scrypt"] ?? "", salt: fields["salt"] ?? "")
        guard check(head + "key: \(fields["key"] ?? "")\n") == fields["check"] else {
            throw SealingError(.corrupted, path, "the file is damaged (its check line does not match its content)")
        }
        let opened: Data
        do {
            let key = try derive(passphrase, salt: salt, logN: numbers[0], r: numbers[1], p: numbers[2])
            opened = try ChaChaPoly.open(
                ChaChaPoly.SealedBox(combined: box), using: key, authenticating: Data(head.utf8))
        } catch {
            throw SealingError(.wrongPassphrase, path, "wrong passphrase: the key does not open with it")
        }
        guard let key = try? Curve25519.KeyAgreement.PrivateKey(rawRepresentation: opened),
            key.publicKey.rawRepresentation == recipient.publicKey.rawRepresentation
        else { throw SealingError(.corrupted, path, "the key inside does not belong to its recipient line") }
        return Identity(privateKey: key, path: path)
    }

    /// The recipient of an identity file, without its passphrase (the line is in the clear).
    public static func recipient(at path: String) throws(SealingError) -> Recipient {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SealingError(.unreadable, path, "cannot read the file")
        }
        // A `.pub` file (or a recipients line) holds the recipient string alone.
        if let text = String(data: data, encoding: .utf8), text.hasPrefix(Recipient.prefix) {
            let first = text.split(whereSeparator: \.isWhitespace).first.map(String.init) ?? ""
            do throws(SealingError) { return try Recipient(string: first) } catch {
                throw SealingError(.malformed, path, error.message)
            }
        }
        do throws(SealingError) {
            return try Recipient(string: try parse(data, path: path)["recipient"] ?? "")
        } catch {
            throw SealingError(.corrupted, path, "its recipient line is damaged: \(error.message)")
        }
    }

    static func parse(_ data: Data, path: String) throws(SealingError) -> [String: String] {
        guard let text = String(data: data, encoding: .utf8) else {
            throw SealingError(.malformed, path, "expected UTF-8 text")
        }
        let lines = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter {
            !$0.isEmpty && !$0.hasPrefix("#")
        }
        guard lines.first == header else {
            throw SealingError(.malformed, path, "not a consult identity (expected its first line to be '\(header)')")
        }
        var fields: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else {
                throw SealingError(.corrupted, path, "expected 'name: value' lines, found '\(line.prefix(40))'")
            }
            fields[String(line[..<colon])] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return fields
    }

    static func head(recipient: String, cost: String, salt: String) -> String {
        "\(header)\nrecipient: \(recipient)\nscrypt: \(cost)\nsalt: \(salt)\n"
    }

    static func check(_ body: String) -> String {
        SHA256.hash(data: Data(body.utf8)).prefix(8).map { String(format: "%02x", $0) }.joined()
    }

    static func derive(_ passphrase: String, salt: Data, logN: Int, r: Int, p: Int) throws -> SymmetricKey {
        try KDF.Scrypt.deriveKey(
            from: Data(passphrase.utf8), salt: salt, outputByteCount: 32, rounds: 1 << logN, blockSize: r,
            parallelism: p, maxMemory: 128 * r * (1 << logN) * 2)
    }
}

/// Creates a file that did not exist (never replacing one), writes and flushes it.
func createFile(_ path: String, _ data: Data, mode: mode_t) throws(SealingError) {
    let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
    guard fd >= 0 else {
        throw SealingError(
            .unreadable, path,
            errno == EEXIST
                ? "already exists: a key is never overwritten (choose another --out)"
                : "cannot be created: \(String(cString: strerror(errno)))")
    }
    let ok = data.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) } == data.count && fsync(fd) == 0
    let why = String(cString: strerror(errno))
    close(fd)
    guard ok else {
        unlink(path)
        throw SealingError(.unreadable, path, "cannot be written: \(why)")
    }
}
