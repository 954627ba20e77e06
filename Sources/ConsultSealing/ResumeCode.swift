import Crypto
import Foundation
import _CryptoExtras

/// The code an applicant keeps to continue a consultation later ("Come back later", issue 13):
/// twelve symbols of Crockford's base32 (digits and capital letters without I, L, O and U), shown
/// in three groups, `K7QM-4TXP-2WZA`. The first group is the lookup (it names the resume file in
/// the data directory); the other two are the secret (40 bits), which only the applicant has.
///
/// Typing is forgiving and reveals nothing: case, blanks, hyphens and dots do not count; `O` is
/// read as 0 and `I`, `L` as 1 (as Crockford's base32 does), and so are the Cyrillic letters that
/// look like Latin ones (U+041A KA, U+041C EM, U+0422 TE, U+041E O...), which a Russian keyboard layout types instead.
public struct ResumeCode: Sendable, Hashable, CustomStringConvertible {
    /// Crockford's base32 alphabet.
    static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ")
    public static let lookupLength = 4
    public static let secretLength = 8
    public static var length: Int { lookupLength + secretLength }

    /// The twelve symbols, normalized.
    public let symbols: String

    private init(symbols: String) {
        self.symbols = symbols
    }

    /// A new random code.
    public static func random() -> ResumeCode {
        var generator = SystemRandomNumberGenerator()
        let symbols = (0..<length).map { _ in alphabet[Int(generator.next(upperBound: UInt64(alphabet.count)))] }
        return ResumeCode(symbols: String(symbols))
    }

    /// The code in what the applicant typed; nil when it is not a code (a wrong length, a symbol
    /// outside the alphabet). Input of any length or bytes is only read up to a small bound.
    public init?(typed: String) {
        // A code with separators is at most a few dozen characters; anything longer is not one.
        guard typed.unicodeScalars.count <= 64 else { return nil }
        var symbols = ""
        for character in typed {
            if character.isWhitespace || "-–—._".contains(character) { continue }
            guard let symbol = Self.symbol(for: character) else { return nil }
            symbols.append(symbol)
            if symbols.count > Self.length { return nil }
        }
        guard symbols.count == Self.length else { return nil }
        self.init(symbols: symbols)
    }

    /// What an applicant may type for each symbol: Crockford's readings and the Cyrillic look-alikes.
    private static func symbol(for character: Character) -> Character? {
        // Some letters are more than one in capitals ("ß" is "SS"): none is a symbol.
        let capitals = String(character).uppercased()
        guard capitals.count == 1, let upper = capitals.first else { return nil }
        if alphabet.contains(upper) { return upper }
        switch upper {
        case "O", "\u{041E}": return "0"  // Latin and Cyrillic O
        case "I", "L", "\u{0406}": return "1"
        case "\u{0410}": return "A"
        case "\u{0412}": return "B"
        case "\u{0421}": return "C"
        case "\u{0415}": return "E"
        case "\u{041D}": return "H"
        case "\u{041A}": return "K"
        case "\u{041C}": return "M"
        case "\u{0420}": return "P"
        case "\u{0422}": return "T"
        case "\u{0425}": return "X"
        case "\u{0423}": return "Y"
        default: return nil
        }
    }

    /// The first group: names the resume file, no secret.
    public var lookup: String { String(symbols.prefix(Self.lookupLength)) }

    /// `K7QM-4TXP-2WZA`, as shown to the applicant.
    public var display: String {
        var groups: [String] = []
        var rest = Substring(symbols)
        while !rest.isEmpty {
            groups.append(String(rest.prefix(4)))
            rest = rest.dropFirst(4)
        }
        return groups.joined(separator: "-")
    }

    public var description: String { display }

    /// Whether `text` could be a lookup (the name of a resume file).
    public static func isLookup(_ text: String) -> Bool {
        text.count == lookupLength && text.allSatisfy { alphabet.contains($0) }
    }
}

/// The keys derived from a resume code: scrypt (memory-hard, with a random salt, so that a copied
/// resume file is slow to guess at), then HKDF into a key that seals the answers
/// (ChaCha20-Poly1305) and a key that makes the file's check value, which tells a right code from
/// a wrong one even after the answers were deleted (an expired code is said to be expired).
public struct ResumeKey: Sendable {
    /// scrypt's cost: N = 2^15 (32 MiB, about a tenth of a second), r = 8, p = 1.
    public static let defaultLogN = 15
    /// The costs a resume file may name (a file asking for more is not read).
    public static let logNRange = 10...20

    let sealing: Data
    let checking: Data

    /// Derives the keys of `code` with `salt` at cost 2^`logN`.
    public init(code: ResumeCode, salt: Data, logN: Int) throws(SealingError) {
        guard Self.logNRange.contains(logN) else {
            throw SealingError(.malformed, "", "expected a scrypt cost (log2 N) in \(Self.logNRange), not \(logN)")
        }
        let master: SymmetricKey
        do {
            master = try KDF.Scrypt.deriveKey(
                from: Data("consult-resume-1:\(code.symbols)".utf8), salt: salt, outputByteCount: 32,
                rounds: 1 << logN, blockSize: 8, parallelism: 1, maxMemory: 128 * 8 * (1 << logN) * 2)
        } catch {
            throw SealingError(.unreadable, "", "the code's key cannot be derived: \(error)")
        }
        func derive(_ purpose: String) -> Data {
            HKDF<SHA256>.deriveKey(inputKeyMaterial: master, info: Data(purpose.utf8), outputByteCount: 32)
                .withUnsafeBytes { Data($0) }
        }
        sealing = derive("consult resume seal")
        checking = derive("consult resume check")
    }

    /// A random salt for a new resume file.
    public static func newSalt() -> Data {
        var generator = SystemRandomNumberGenerator()
        return Data((0..<16).map { _ in UInt8(truncatingIfNeeded: generator.next() as UInt64) })
    }

    /// The check value a resume file keeps in the clear: HMAC of the lookup under the check key.
    /// It says no more about the code than the sealed answers do (both verify a guess).
    public func check(lookup: String) -> Data {
        Data(HMAC<SHA256>.authenticationCode(for: Data(lookup.utf8), using: SymmetricKey(data: checking)))
    }

    /// Whether `stored` is this key's check value, compared in constant time.
    public func verifies(_ stored: Data, lookup: String) -> Bool {
        let expected = check(lookup: lookup)
        guard stored.count == expected.count else { return false }
        var difference: UInt8 = 0
        for (a, b) in zip(stored, expected) { difference |= a ^ b }
        return difference == 0
    }

    /// The answers sealed, bound to `binding` (the file's clear fields: a changed expiry does not open).
    public func seal(_ plaintext: Data, binding: Data) throws(SealingError) -> Data {
        try Envelope.seal(plaintext, key: SymmetricKey(data: sealing), binding: binding)
    }

    /// The answers; nil when the box does not open (altered, or bound to other fields).
    public func open(_ box: Data, binding: Data) -> Data? {
        Envelope.open(box, key: SymmetricKey(data: sealing), binding: binding)
    }
}
