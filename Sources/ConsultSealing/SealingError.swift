import Foundation

/// Why a key, a recipients file or sealed content could not be used: the place (a file, a file
/// and line, a record) and what was expected there.
public struct SealingError: Error, CustomStringConvertible, Sendable, Equatable {
    /// Stable identities, so that callers and tests can tell the cases apart without reading words.
    public enum Code: String, Sendable {
        case unreadable, malformed, wrongPassphrase, corrupted, notARecipient, notOpened, badSignature, exposed,
            weakPassphrase
    }

    public let code: Code
    /// Where: a path, `path:line`, or a record's name.
    public let place: String
    public let message: String

    public init(_ code: Code, _ place: String, _ message: String) {
        self.code = code
        self.place = place
        self.message = message
    }

    public var description: String { place.isEmpty ? message : "\(place): \(message)" }
}
