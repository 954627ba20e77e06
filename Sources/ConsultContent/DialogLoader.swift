import ConsultEngine
import ConsultLocalization
import Foundation
import Yams

/// A message key named by a dialog, and where.
public struct MessageReference: Hashable, Sendable {
    public let key: MessageKey
    public let location: SourceLocation
    /// What the message may use as placeholders: facts (nil: any fact) or a group's item fields.
    public let scope: Scope

    public enum Scope: Hashable, Sendable {
        case facts
        case item(group: String)
        case none
    }
}

/// The dialogs loaded from `dialogs/`, with everything lint needs to know about them.
public struct LoadedDialogs: Sendable {
    /// The dialogs, when they have no errors.
    public let set: DialogSet?
    public let references: [MessageReference]
    public let diagnostics: [Diagnostic]
    /// The facts and outcomes found, even when there are errors (so lint reports no knock-on problems).
    public var factTypes: [String: ValueType] = [:]
    public var outcomeIDs: Set<String> = []
}

/// Reads `dialogs/*.yaml` into a `DialogSet`, checking structure, references, loops,
/// reachability and every expression's syntax and types, each problem at its line and column.
public enum DialogLoader {
    public static func loadDirectory(_ directory: URL, displayPrefix: String) -> LoadedDialogs {
        var diagnostics: [Diagnostic] = []
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
            .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
        var files: [YAMLFile] = []
        for name in names {
            let display = displayPrefix.isEmpty ? name : "\(displayPrefix)/\(name)"
            if let f = YAMLFile.load(directory.appendingPathComponent(name), displayPath: display, into: &diagnostics) {
                files.append(f)
            }
        }
        if names.isEmpty {
            diagnostics.append(
                Diagnostic(SourceLocation(file: displayPrefix, line: 1, column: 1), DialogProblem.noDialogs))
        }
        var result = load(files)
        result = LoadedDialogs(
            set: result.set, references: result.references, diagnostics: diagnostics + result.diagnostics,
            factTypes: result.factTypes, outcomeIDs: result.outcomeIDs)
        return result
    }

    /// Loads already parsed files (tests pass text directly).
    public static func load(_ files: [YAMLFile]) -> LoadedDialogs {
        var builder = DialogBuilder()
        for file in files {
            builder.read(file)
        }
        return builder.finish()
    }
}

// MARK: - Reading the files

struct RawDialog {
    let name: String
    let nameNode: Node?
    let isStart: Bool
    let next: (String, Node)?
    var steps: [RawStep]
    let file: YAMLFile
    let node: Node
    var appointment: AppointmentFields? = nil
    var appointmentNode: Node? = nil
    /// `roles:` (role, fact, where) and `time_zone:`.
    var roles: [(role: String, fact: String, node: Node)] = []
    var timeZone: (name: String, node: Node)? = nil
}

/// A class, not a struct: the checks pass over every step several times, and copying a step
/// (with the YAML nodes it keeps for diagnostics) was most of lint's time on large trees.
final class RawStep {
    enum Kind {
        case ask(RawQuestion)
        case compute(String, ParsedExpression?)
        case outcome(id: String, explain: MessageKey, confirm: [MessageKey])
        case say(MessageKey)
        case goto(String, Node)
    }

    let id: String?
    let when: ParsedExpression?
    let kind: Kind
    let node: Node
    let location: SourceLocation

    init(id: String?, when: ParsedExpression?, kind: Kind, node: Node, location: SourceLocation) {
        self.id = id
        self.when = when
        self.kind = kind
        self.node = node
        self.location = location
    }
}

struct RawQuestion {
    enum Kind {
        case yesNo
        case choice([Choice])
        case number(Int, Int)
        case date(ParsedExpression?, ParsedExpression?)
        case text(Int, Bool, TextFormat?)
        case group(
            fields: [RawQuestion], more: MessageKey, item: MessageKey, derive: [(String, ParsedExpression?)],
            maxItems: Int)
    }

    let fact: String
    let factNode: Node
    let kind: Kind
    let prompt: MessageKey
    let help: MessageKey?

    var valueTypeIgnoringDerive: ValueType? {
        switch kind {
        case .yesNo: return .bool
        case .choice(let c): return .choice(Set(c.map(\.value)))
        case .number: return .int
        case .date: return .date
        case .text: return .text
        case .group: return nil
        }
    }
}

/// An expression with the node it was written in, for diagnostics.
struct ParsedExpression {
    let expression: Expr
    let node: Node
    let file: YAMLFile

    func location(_ offset: Int) -> SourceLocation { file.location(node, offset: offset) }
}

/// Names of facts, dialogs, ids and values: lower-case ASCII letters, digits and _, not starting with a digit.
func isValidName(_ s: String) -> Bool {
    guard let first = s.unicodeScalars.first, first == "_" || ("a"..."z").contains(first) else { return false }
    return s.unicodeScalars.allSatisfy { $0 == "_" || ("a"..."z").contains($0) || ("0"..."9").contains($0) }
}

/// Reads the dialog files one by one (`DialogReader.swift`), then checks them together and
/// builds the model (`DialogChecks.swift`): each check a function, each problem a case.
struct DialogBuilder {
    var diagnostics: [Diagnostic] = []
    var references: [MessageReference] = []
    var dialogs: [RawDialog] = []

    mutating func report(_ location: SourceLocation, _ problem: some DiagnosticMessage) {
        diagnostics.append(Diagnostic(location, problem))
    }
}
