/// A kind of problem, with a stable identity: one case of an enum per lint rule (`DialogRule.loop`,
/// `TranslationRule.missingKey`, ...). The raw value is the id printed after the message
/// (`[missing-key]`), read by editors and CI through `consult lint --format json`: it never changes.
/// Like swift-syntax's `MessageID` and `DiagnosticSeverity`, kept apart from the words.
public protocol DiagnosticRule: Sendable, Hashable, CaseIterable, RawRepresentable where RawValue == String {
    var severity: Diagnostic.Severity { get }
}

extension DiagnosticRule {
    /// The stable identifier (`unknown-fact`, `missing-key`, ...), for tests, editors and look-up.
    public var id: String { rawValue }
}

/// One problem, in words, with what the words need (a key, a fact, the names it could have meant):
/// a case of an enum per area (dialogs, locales, translations, scenarios), as swift-syntax's
/// `DiagnosticMessage`. Its rule gives the id and the severity.
public protocol DiagnosticMessage: Sendable {
    associatedtype Rule: DiagnosticRule
    var rule: Rule { get }
    /// The sentence after `error:` or `warning:`.
    var message: String { get }
}

/// A problem found in the content, with its place: `dialogs/vks.yaml:42:7: error: ...`.
public struct Diagnostic: Hashable, Sendable, CustomStringConvertible {
    public enum Severity: String, Hashable, Sendable {
        case error, warning
    }

    public let severity: Severity
    public let location: SourceLocation
    public let message: String
    /// The rule's stable identifier (`unknown-fact`, `missing-key`, ...), for tests and look-up.
    public let id: String

    public init(_ location: SourceLocation, _ problem: some DiagnosticMessage) {
        self.severity = problem.rule.severity
        self.location = location
        self.message = problem.message
        self.id = problem.rule.id
    }

    /// Whether this diagnostic is one of `rule`.
    public func `is`(_ rule: some DiagnosticRule) -> Bool { id == rule.id }

    public var description: String { "\(location): \(severity.rawValue): \(message) [\(id)]" }
}
