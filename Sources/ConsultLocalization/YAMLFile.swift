import ConsultEngine
import Foundation
import Yams

public typealias Node = Yams.Node

/// A YAML file read as a tree of nodes that remember their line and column, so that every
/// problem found in it can be reported at its place (Yams' decoder keeps no places).
public struct YAMLFile {
    /// The path as shown in diagnostics (relative to where the command was run).
    public let path: String
    public let text: String
    public let root: Node?

    /// A tree built by other means (a line of `consult run --batch`): its problems are placed at `path`.
    public init(path: String, text: String, root: Node?) {
        self.path = path
        self.text = text
        self.root = root
    }

    /// Reads and parses a file; a read or syntax error becomes a located diagnostic.
    public static func load(_ url: URL, displayPath: String, into diagnostics: inout [Diagnostic]) -> YAMLFile? {
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            diagnostics.append(
                Diagnostic(
                    SourceLocation(file: displayPath, line: 1, column: 1),
                    StructureProblem.unreadableFile(reason: error.localizedDescription)))
            return nil
        }
        return parse(text, displayPath: displayPath, into: &diagnostics)
    }

    public static func parse(_ text: String, displayPath: String, into diagnostics: inout [Diagnostic]) -> YAMLFile? {
        do {
            // The basic resolver: every scalar is read as text (`scalarText`), so tags are never
            // needed, and Yams resolves a key's tag (by regular expressions) each time it hashes
            // one to find duplicate keys: with the default resolver that was a quarter of loading.
            let root = try Yams.compose(yaml: text, .basic)
            return YAMLFile(path: displayPath, text: text, root: root)
        } catch let error as YamlError {
            let (message, mark) = describe(error)
            let location = SourceLocation(file: displayPath, line: mark?.line ?? 1, column: mark?.column ?? 1)
            diagnostics.append(Diagnostic(location, StructureProblem.yamlSyntax(message)))
            return nil
        } catch {
            diagnostics.append(
                Diagnostic(
                    SourceLocation(file: displayPath, line: 1, column: 1),
                    StructureProblem.yamlSyntax("\(error)")))
            return nil
        }
    }

    private static func describe(_ error: YamlError) -> (String, Mark?) {
        switch error {
        case .scanner(let context, let problem, let mark, _),
            .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            let prefix = context.map { "\($0.text) " } ?? ""
            return (prefix + problem, mark)
        case .reader(let problem, _, _, _):
            return (problem, nil)
        default:
            return ("\(error)", nil)
        }
    }

    public func location(_ node: Node?) -> SourceLocation {
        SourceLocation(file: path, line: node?.mark?.line ?? 1, column: node?.mark?.column ?? 1)
    }

    /// The place of the `offset`-th Unicode scalar inside a scalar node's text
    /// (exact for plain and quoted one-line scalars; the node's start otherwise).
    public func location(_ node: Node?, offset: Int) -> SourceLocation {
        guard let node, let mark = node.mark else { return location(node) }
        guard case .scalar(let scalar) = node, !(scalar.string.contains("\n")) else { return location(node) }
        switch scalar.style {
        case .plain, .any:
            return SourceLocation(file: path, line: mark.line, column: mark.column + offset)
        case .singleQuoted, .doubleQuoted:
            let source = text.split(separator: "\n", omittingEmptySubsequences: false)
            guard mark.line - 1 < source.count else { return location(node) }
            let raw = Array(source[mark.line - 1].unicodeScalars.dropFirst(mark.column))  // after the opening quote
            return SourceLocation(
                file: path, line: mark.line,
                column: mark.column + 1
                    + YAMLFile.sourceWidth(of: offset, in: raw, doubleQuoted: scalar.style == .doubleQuoted))
        default:
            return location(node)
        }
    }

    /// How many source scalars the first `count` decoded scalars of a quoted scalar take:
    /// `\"` or `\u0041` in double quotes and `''` in single quotes are one scalar of the value.
    static func sourceWidth(of count: Int, in raw: [Unicode.Scalar], doubleQuoted: Bool) -> Int {
        var i = 0
        var decoded = 0
        while decoded < count, i < raw.count {
            if doubleQuoted, raw[i] == "\\", i + 1 < raw.count {
                switch raw[i + 1] {
                case "x": i += 4
                case "u": i += 6
                case "U": i += 10
                default: i += 2
                }
            } else if !doubleQuoted, raw[i] == "'", i + 1 < raw.count, raw[i + 1] == "'" {
                i += 2
            } else {
                i += 1
            }
            decoded += 1
        }
        return i + (count - decoded)
    }
}

extension Node {
    /// The scalar's text, nil for a mapping, a sequence or an empty value.
    public var scalarText: String? {
        if case .scalar(let s) = self { return s.string }
        return nil
    }

    /// A short name of this node's kind for messages: "a list", "a mapping", "text".
    public var kindDescription: String {
        switch self {
        case .scalar: return "a single value"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }
}
