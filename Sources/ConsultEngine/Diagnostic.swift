/// A problem found in the content, with its place: `dialogs/vks.yaml:42:7: error: ...`.
public struct Diagnostic: Hashable, Sendable, CustomStringConvertible {
    public enum Severity: String, Hashable, Sendable {
        case error, warning
    }

    public let severity: Severity
    public let location: SourceLocation
    public let message: String
    /// A stable identifier of the kind of problem (`unknown-fact`, `missing-key`, ...), for tests and look-up.
    public let id: String

    public init(_ severity: Severity, _ location: SourceLocation, _ message: String, id: String) {
        self.severity = severity
        self.location = location
        self.message = message
        self.id = id
    }

    public var description: String { "\(location): \(severity.rawValue): \(message) [\(id)]" }
}
