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
            diagnostics.append(Diagnostic(.error, SourceLocation(file: displayPrefix, line: 1, column: 1),
                                          "no dialog files (*.yaml) found", id: "no-dialogs"))
        }
        var result = load(files)
        result = LoadedDialogs(set: result.set, references: result.references, diagnostics: diagnostics + result.diagnostics,
                               factTypes: result.factTypes, outcomeIDs: result.outcomeIDs)
        return result
    }

    /// Loads already parsed files (tests pass text directly).
    public static func load(_ files: [YAMLFile]) -> LoadedDialogs {
        var builder = Builder()
        for file in files {
            builder.read(file)
        }
        return builder.finish()
    }
}

// MARK: - Reading the files

private struct RawDialog {
    let name: String
    let nameNode: Node?
    let isStart: Bool
    let next: (String, Node)?
    var steps: [RawStep]
    let file: YAMLFile
    let node: Node
    var appointment: AppointmentFields? = nil
    var appointmentNode: Node? = nil
}

/// A class, not a struct: the checks pass over every step several times, and copying a step
/// (with the YAML nodes it keeps for diagnostics) was most of lint's time on large trees.
private final class RawStep {
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

private struct RawQuestion {
    enum Kind {
        case yesNo
        case choice([Choice])
        case number(Int, Int)
        case date(ParsedExpression?, ParsedExpression?)
        case text(Int, Bool, TextFormat?)
        case group(fields: [RawQuestion], more: MessageKey, item: MessageKey, derive: [(String, ParsedExpression?)], maxItems: Int)
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
private struct ParsedExpression {
    let expression: Expr
    let node: Node
    let file: YAMLFile

    func location(_ offset: Int) -> SourceLocation { file.location(node, offset: offset) }
}

/// Names of facts, dialogs, ids and values: lower-case ASCII letters, digits and _, not starting with a digit.
private func isValidName(_ s: String) -> Bool {
    guard let first = s.unicodeScalars.first, first == "_" || ("a"..."z").contains(first) else { return false }
    return s.unicodeScalars.allSatisfy { $0 == "_" || ("a"..."z").contains($0) || ("0"..."9").contains($0) }
}

private struct Builder {
    var diagnostics: [Diagnostic] = []
    var references: [MessageReference] = []
    var dialogs: [RawDialog] = []

    mutating func error(_ location: SourceLocation, _ message: String, _ id: String) {
        diagnostics.append(Diagnostic(.error, location, message, id: id))
    }

    mutating func warning(_ location: SourceLocation, _ message: String, _ id: String) {
        diagnostics.append(Diagnostic(.warning, location, message, id: id))
    }

    // MARK: Structure

    mutating func read(_ file: YAMLFile) {
        guard let root = file.root, case .mapping(let mapping) = root else {
            error(file.location(file.root), "a dialog file is a mapping with 'dialog', 'nodes' and optionally 'start' and 'next'", "dialog-shape")
            return
        }
        let fields = fieldsOf(mapping, allowed: ["dialog", "start", "next", "nodes", "appointment"], what: "a dialog", file: file)
        guard let nameNode = fields["dialog"], let name = nameNode.scalarText else {
            error(file.location(root), "missing 'dialog: NAME'", "missing-field")
            return
        }
        checkName(name, nameNode, file, what: "a dialog name")
        if let existing = dialogs.first(where: { $0.name == name }) {
            error(file.location(nameNode), "the dialog '\(name)' is also defined in \(existing.file.path)", "duplicate-dialog")
        }
        var isStart = false
        if let startNode = fields["start"] {
            guard let b = startNode.bool else {
                error(file.location(startNode), "'start' is true or false", "field-type")
                return
            }
            isStart = b
        }
        var next: (String, Node)? = nil
        if let n = fields["next"] {
            if let s = n.scalarText { next = (s, n) } else { error(file.location(n), "'next' names a dialog", "field-type") }
        }
        var steps: [RawStep] = []
        if let nodesNode = fields["nodes"] {
            if case .sequence(let seq) = nodesNode {
                for item in seq {
                    if let step = readStep(item, file, dialog: name) { steps.append(step) }
                }
            } else {
                error(file.location(nodesNode), "'nodes' is a list of steps, found \(nodesNode.kindDescription)", "field-type")
            }
        } else {
            error(file.location(root), "missing 'nodes'", "missing-field")
        }
        var raw = RawDialog(name: name, nameNode: nameNode, isStart: isStart, next: next, steps: steps, file: file, node: root)
        if let a = fields["appointment"] {
            raw.appointment = readAppointment(a, file)
            raw.appointmentNode = a
        }
        dialogs.append(raw)
    }

    /// `appointment: {applicant: [facts], preferences: [facts], question: fact, urgent: fact}`.
    mutating func readAppointment(_ node: Node, _ file: YAMLFile) -> AppointmentFields? {
        guard case .mapping(let m) = node else {
            error(file.location(node), "'appointment' is a mapping with applicant, preferences and question", "field-type")
            return nil
        }
        let f = fieldsOf(m, allowed: ["applicant", "preferences", "question", "urgent"], what: "an appointment", file: file)
        func list(_ name: String) -> [String] {
            guard let n = f[name] else { return [] }
            guard case .sequence(let items) = n else {
                error(file.location(n), "'\(name)' is a list of facts", "field-type")
                return []
            }
            return items.compactMap(\.scalarText)
        }
        let applicant = list("applicant")
        if applicant.isEmpty { error(file.location(node), "an appointment needs 'applicant', the facts naming and reaching the applicant", "missing-field") }
        return AppointmentFields(applicant: applicant, preferences: list("preferences"), question: f["question"]?.scalarText,
                                 urgent: f["urgent"]?.scalarText)
    }

    mutating func fieldsOf(_ mapping: Node.Mapping, allowed: [String], what: String, file: YAMLFile) -> [String: Node] {
        var fields: [String: Node] = [:]
        for (k, v) in mapping {
            guard let key = k.scalarText else {
                error(file.location(k), "a field name must be plain text", "field-type")
                continue
            }
            guard allowed.contains(key) else {
                let hint = closest(to: key, in: allowed).map { "; did you mean '\($0)'?" } ?? ""
                error(file.location(k), "unknown field '\(key)' in \(what) (expected: \(allowed.joined(separator: ", ")))\(hint)", "unknown-field")
                continue
            }
            if fields[key] != nil {
                error(file.location(k), "the field '\(key)' is written twice", "duplicate-field")
            }
            fields[key] = v
        }
        return fields
    }

    mutating func checkName(_ name: String, _ node: Node, _ file: YAMLFile, what: String) {
        if !isValidName(name) {
            error(file.location(node), "'\(name)' is not a valid \(what): use lower-case letters, digits and _", "bad-name")
        }
    }

    static let stepKinds = ["ask", "let", "outcome", "say", "goto"]

    mutating func readStep(_ node: Node, _ file: YAMLFile, dialog: String) -> RawStep? {
        guard case .mapping(let mapping) = node else {
            error(file.location(node), "a step is a mapping starting with one of: \(Builder.stepKinds.joined(separator: ", "))", "step-shape")
            return nil
        }
        let kinds = mapping.keys.compactMap(\.scalarText).filter { Builder.stepKinds.contains($0) }
        guard kinds.count == 1, let kind = kinds.first else {
            if kinds.isEmpty {
                let first = mapping.first?.key.scalarText ?? "?"
                let hint = closest(to: first, in: Builder.stepKinds).map { "; did you mean '\($0)'?" } ?? ""
                error(file.location(mapping.first?.key ?? node), "unknown kind of step '\(first)' (expected one of: \(Builder.stepKinds.joined(separator: ", ")))\(hint)", "unknown-step-kind")
            } else {
                error(file.location(node), "a step has exactly one kind, found \(kinds.joined(separator: " and "))", "step-shape")
            }
            return nil
        }
        let location = file.location(node)
        let common = ["id", "when"]
        var allowed: [String]
        switch kind {
        case "ask": allowed = ["ask", "type", "prompt", "help", "choices", "min", "max", "max_length", "optional", "format", "fields", "more", "item", "derive", "max_items"]
        case "let": allowed = ["let", "value"]
        case "outcome": allowed = ["outcome", "explain", "confirm"]
        case "say": allowed = ["say"]
        default: allowed = ["goto"]
        }
        let fields = fieldsOf(mapping, allowed: allowed + common, what: "a '\(kind)' step", file: file)
        var id: String? = nil
        if let idNode = fields["id"] {
            id = idNode.scalarText
            checkName(id ?? "", idNode, file, what: "step id")
        }
        let when = fields["when"].flatMap { expression($0, file) }
        let head = fields[kind]!
        let stepKind: RawStep.Kind
        switch kind {
        case "ask":
            guard let q = readQuestion(fields, head: head, file, location: location, inGroup: false) else { return nil }
            stepKind = .ask(q)
        case "let":
            guard let fact = name(head, file, what: "fact name") else { return nil }
            guard let valueNode = fields["value"] else {
                error(location, "a 'let' step needs 'value: EXPRESSION'", "missing-field")
                return nil
            }
            stepKind = .compute(fact, expression(valueNode, file))
        case "outcome":
            guard let id = name(head, file, what: "outcome id") else { return nil }
            guard let explain = key(fields["explain"], file, scope: .facts) else {
                if fields["explain"] == nil { error(location, "an outcome needs 'explain: MESSAGE_KEY'", "missing-field") }
                return nil
            }
            var confirm: [MessageKey] = []
            if let c = fields["confirm"] {
                if case .sequence(let items) = c {
                    confirm = items.compactMap { key($0, file, scope: .facts) }
                } else {
                    error(file.location(c), "'confirm' is a list of message keys", "field-type")
                }
            }
            stepKind = .outcome(id: id, explain: explain, confirm: confirm)
        case "say":
            guard let k = key(head, file, scope: .facts) else { return nil }
            stepKind = .say(k)
        default:
            guard let target = head.scalarText, !target.isEmpty else {
                error(file.location(head), "'goto' names a dialog or the id of a later step", "field-type")
                return nil
            }
            stepKind = .goto(target, head)
        }
        return RawStep(id: id, when: when, kind: stepKind, node: node, location: location)
    }

    mutating func name(_ node: Node, _ file: YAMLFile, what: String) -> String? {
        guard let s = node.scalarText, !s.isEmpty else {
            error(file.location(node), "expected a \(what), found \(node.kindDescription)", "field-type")
            return nil
        }
        checkName(s, node, file, what: what)
        return s
    }

    mutating func key(_ node: Node?, _ file: YAMLFile, scope: MessageReference.Scope) -> MessageKey? {
        guard let node else { return nil }
        guard let s = node.scalarText, !s.isEmpty, !s.contains(" ") else {
            error(file.location(node), "expected a message key (e.g. vks.outcome.vks_rp_eligible), found \(node.kindDescription)", "field-type")
            return nil
        }
        let k = MessageKey(s)
        references.append(MessageReference(key: k, location: file.location(node), scope: scope))
        return k
    }

    mutating func expression(_ node: Node, _ file: YAMLFile) -> ParsedExpression? {
        let text: String
        switch node {
        case .scalar(let s): text = s.string
        default:
            error(file.location(node), "expected an expression, found \(node.kindDescription)", "field-type")
            return nil
        }
        do throws(ExpressionError) {
            return ParsedExpression(expression: try ExpressionParser.parse(text), node: node, file: file)
        } catch let e {
            error(file.location(node, offset: e.offset), e.message, "expression-syntax")
            return nil
        }
    }

    mutating func int(_ node: Node?, _ file: YAMLFile, field: String, location: SourceLocation) -> Int? {
        guard let node else {
            error(location, "missing '\(field)' (a whole number)", "missing-field")
            return nil
        }
        guard let s = node.scalarText, let n = Int(s) else {
            error(file.location(node), "'\(field)' must be a whole number", "field-type")
            return nil
        }
        return n
    }

    mutating func readQuestion(_ fields: [String: Node], head: Node, _ file: YAMLFile, location: SourceLocation, inGroup: Bool) -> RawQuestion? {
        guard let fact = name(head, file, what: "fact name") else { return nil }
        let scope: MessageReference.Scope = .facts
        guard let typeNode = fields["type"], let type = typeNode.scalarText else {
            error(location, "the question '\(fact)' needs 'type' (choice, yesno, number, date, text or group)", "missing-field")
            return nil
        }
        let prompt = key(fields["prompt"], file, scope: scope)
        if fields["prompt"] == nil { error(location, "the question '\(fact)' needs 'prompt: MESSAGE_KEY'", "missing-field") }
        let help = key(fields["help"], file, scope: scope)
        var relevant: Set<String> = ["ask", "type", "prompt", "help", "id", "when"]
        let kind: RawQuestion.Kind
        switch type {
        case "yesno":
            kind = .yesNo
        case "choice":
            relevant.insert("choices")
            var choices: [Choice] = []
            if case .sequence(let items)? = fields["choices"] {
                for item in items {
                    guard case .mapping(let m) = item else {
                        error(file.location(item), "a choice is a mapping {value: ID, label: MESSAGE_KEY}", "field-type")
                        continue
                    }
                    let f = fieldsOf(m, allowed: ["value", "label"], what: "a choice", file: file)
                    guard let v = f["value"], let value = name(v, file, what: "choice value"),
                          let label = key(f["label"], file, scope: .none) else {
                        error(file.location(item), "a choice needs 'value' and 'label'", "missing-field")
                        continue
                    }
                    if choices.contains(where: { $0.value == value }) {
                        error(file.location(v), "the value '\(value)' is offered twice", "duplicate-choice")
                    }
                    choices.append(Choice(value: value, label: label))
                }
            }
            if choices.isEmpty { error(location, "a choice question needs 'choices', a list of {value, label}", "missing-field") }
            kind = .choice(choices)
        case "number":
            relevant.formUnion(["min", "max"])
            guard let min = int(fields["min"], file, field: "min", location: location),
                  let max = int(fields["max"], file, field: "max", location: location) else { return nil }
            if min > max { error(file.location(fields["min"]), "min (\(min)) is greater than max (\(max))", "bad-range") }
            kind = .number(min, max)
        case "date":
            relevant.formUnion(["min", "max"])
            kind = .date(fields["min"].flatMap { expression($0, file) }, fields["max"].flatMap { expression($0, file) })
        case "text":
            relevant.formUnion(["max_length", "optional", "format"])
            guard let max = int(fields["max_length"], file, field: "max_length", location: location) else { return nil }
            if max < 1 { error(file.location(fields["max_length"]), "max_length must be at least 1", "bad-range") }
            let optional = fields["optional"]?.bool ?? false
            var format: TextFormat? = nil
            if let f = fields["format"] {
                format = f.scalarText.flatMap(TextFormat.init(rawValue:))
                if format == nil {
                    error(file.location(f), "unknown text format '\(f.scalarText ?? "?")' (expected \(TextFormat.allCases.map(\.rawValue).joined(separator: " or ")))", "unknown-type")
                }
            }
            kind = .text(max, optional, format)
        case "group":
            relevant.formUnion(["fields", "more", "item", "derive", "max_items"])
            guard !inGroup else {
                error(file.location(typeNode), "a group cannot hold another group", "nested-group")
                return nil
            }
            var subquestions: [RawQuestion] = []
            if case .sequence(let items)? = fields["fields"] {
                for item in items {
                    guard case .mapping(let m) = item, let askNode = m.first(where: { $0.key.scalarText == "ask" })?.value else {
                        error(file.location(item), "a group's field is a question: a mapping starting with 'ask'", "field-type")
                        continue
                    }
                    let f = fieldsOf(m, allowed: ["ask", "type", "prompt", "help", "choices", "min", "max", "max_length", "optional", "format"], what: "a group field", file: file)
                    if let q = readQuestion(f, head: askNode, file, location: file.location(item), inGroup: true) {
                        if subquestions.contains(where: { $0.fact == q.fact }) {
                            error(file.location(askNode), "the field '\(q.fact)' is asked twice in this group", "duplicate-fact")
                        }
                        subquestions.append(q)
                    }
                }
            }
            if subquestions.isEmpty { error(location, "a group needs 'fields', a list of questions", "missing-field") }
            let more = key(fields["more"], file, scope: .facts)
            if fields["more"] == nil { error(location, "a group needs 'more: MESSAGE_KEY' (\"add another?\")", "missing-field") }
            let item = key(fields["item"], file, scope: .item(group: fact))
            if fields["item"] == nil { error(location, "a group needs 'item: MESSAGE_KEY' (how one item is written)", "missing-field") }
            var derive: [(String, ParsedExpression?)] = []
            if let d = fields["derive"] {
                if case .mapping(let m) = d {
                    for (k, v) in m {
                        guard let n = name(k, file, what: "derived field name") else { continue }
                        derive.append((n, expression(v, file)))
                    }
                } else {
                    error(file.location(d), "'derive' is a mapping of field name to expression", "field-type")
                }
            }
            var maxItems = 20
            if let m = fields["max_items"] {
                maxItems = int(m, file, field: "max_items", location: location) ?? 20
            }
            guard let more, let item else { return nil }
            kind = .group(fields: subquestions, more: more, item: item, derive: derive, maxItems: maxItems)
        default:
            let hint = closest(to: type, in: ["choice", "yesno", "number", "date", "text", "group"]).map { "; did you mean '\($0)'?" } ?? ""
            error(file.location(typeNode), "unknown question type '\(type)' (expected choice, yesno, number, date, text or group)\(hint)", "unknown-type")
            return nil
        }
        for (name, node) in fields where !relevant.contains(name) {
            error(file.location(node), "'\(name)' does not apply to a \(type) question", "unknown-field")
        }
        guard let prompt else { return nil }
        return RawQuestion(fact: fact, factNode: head, kind: kind, prompt: prompt, help: help)
    }

    // MARK: Model, types and checks

    mutating func finish() -> LoadedDialogs {
        let starts = dialogs.filter(\.isStart)
        if starts.isEmpty, let first = dialogs.first {
            error(first.file.location(first.node), "no dialog is marked 'start: true'", "no-start")
        } else if starts.count > 1 {
            for d in starts.dropFirst() {
                error(d.file.location(d.node), "more than one dialog is marked 'start: true' (also \(starts[0].name))", "several-starts")
            }
        }
        let dialogIndex = Dictionary(dialogs.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { a, _ in a })

        // Facts asked, once each.
        var askedAt: [String: SourceLocation] = [:]
        for d in dialogs {
            for s in d.steps {
                guard case .ask(let q) = s.kind else { continue }
                if let first = askedAt[q.fact] {
                    error(d.file.location(q.factNode), "the fact '\(q.fact)' is already asked at \(first)", "duplicate-fact")
                }
                askedAt[q.fact] = d.file.location(q.factNode)
            }
        }

        // Goto targets, and loops that cannot end.
        var gotoTargets: [Int: [Int: GotoTarget]] = [:]
        var dialogEdges: [Int: [(Int, SourceLocation)]] = [:]
        for (di, d) in dialogs.enumerated() {
            var ids: [String: Int] = [:]
            for (si, s) in d.steps.enumerated() {
                if let id = s.id {
                    if ids[id] != nil { error(s.location, "the step id '\(id)' is used twice in this dialog", "duplicate-id") }
                    ids[id] = si
                }
            }
            for (si, s) in d.steps.enumerated() {
                guard case .goto(let target, let node) = s.kind else { continue }
                if let step = ids[target] {
                    if step <= si {
                        error(d.file.location(node), "goto '\(target)' goes back to an earlier step: a loop that cannot end (the walk would pass the same answered questions forever)", "loop")
                    } else {
                        gotoTargets[di, default: [:]][si] = .step(step)
                    }
                } else if let other = dialogIndex[target] {
                    gotoTargets[di, default: [:]][si] = .dialog(target)
                    dialogEdges[di, default: []].append((other, d.file.location(node)))
                } else {
                    let hint = closest(to: target, in: Array(ids.keys) + Array(dialogIndex.keys)).map { "; did you mean '\($0)'?" } ?? ""
                    error(d.file.location(node), "goto '\(target)': no dialog or step of this dialog has that name\(hint)", "dangling-reference")
                }
            }
            if let (next, node) = d.next {
                if let other = dialogIndex[next] {
                    dialogEdges[di, default: []].append((other, d.file.location(node)))
                } else {
                    let hint = closest(to: next, in: Array(dialogIndex.keys)).map { "; did you mean '\($0)'?" } ?? ""
                    error(d.file.location(node), "next '\(next)': no dialog has that name\(hint)", "dangling-reference")
                }
            }
        }
        let order = dialogOrder(edges: dialogEdges)
        var outcomeIDs = Set<String>()
        var declaredFacts: [String: ValueType] = [:]
        for d in dialogs {
            for s in d.steps {
                switch s.kind {
                case .outcome(let id, _, _): outcomeIDs.insert(id)
                case .ask(let q): declaredFacts[q.fact] = q.valueTypeIgnoringDerive ?? .text
                case .compute(let f, _): declaredFacts[f] = declaredFacts[f] ?? .text
                default: break
                }
            }
        }
        if order == nil {
            return LoadedDialogs(set: nil, references: references, diagnostics: diagnostics, factTypes: declaredFacts, outcomeIDs: outcomeIDs)
        }

        // Fact types: questions first, then computed facts until nothing more can be typed.
        var types: [String: ValueType] = [:]
        var groupTypes: [String: Group] = [:]
        for d in dialogs {
            for s in d.steps {
                guard case .ask(let q) = s.kind else { continue }
                if let t = q.valueTypeIgnoringDerive {
                    types[q.fact] = t
                } else if let g = buildGroup(q, file: d.file) {
                    groupTypes[q.fact] = g
                    types[q.fact] = .list(g.recordType)
                }
            }
        }
        var pendingLets: [(String, ParsedExpression)] = dialogs.flatMap { d in
            d.steps.compactMap { s -> (String, ParsedExpression)? in
                if case .compute(let fact, let e?) = s.kind { return (fact, e) }
                return nil
            }
        }
        var progress = true
        while progress && !pendingLets.isEmpty {
            progress = false
            pendingLets.removeAll { fact, e in
                guard let t = try? ExpressionChecker(declared: types).type(of: e.expression) else { return false }
                if let existing = types[fact], existing != t {
                    error(e.location(0), "'\(fact)' is \(existing) elsewhere but this value is \(t)", "type-mismatch")
                }
                types[fact] = t
                progress = true
                return true
            }
        }
        for (fact, _) in declaredFacts where types[fact] == nil { types[fact] = .text }  // untypable: reported below
        for d in dialogs {
            for s in d.steps {
                if case .compute(let fact, _) = s.kind, askedAt[fact] != nil {
                    error(s.location, "'\(fact)' is a question's fact; a 'let' cannot set it too", "duplicate-fact")
                }
            }
        }

        // What may be set before each step, and which steps can be reached at all.
        let flow = DataFlow(dialogs: dialogs, order: order!, gotoTargets: gotoTargets, start: dialogs.firstIndex(where: \.isStart) ?? 0)
        for (di, d) in dialogs.enumerated() {
            if flow.available[di].allSatisfy({ $0 == nil }) {
                if !d.isStart {
                    warning(d.file.location(d.nameNode), "the dialog '\(d.name)' is never reached: no goto or next leads to it", "unreachable")
                }
                continue
            }
            var reported = false
            for (si, s) in d.steps.enumerated() where flow.available[di][si] == nil && !reported {
                warning(s.location, "this step can never be reached (an earlier goto always jumps past it)", "unreachable")
                reported = true
            }
        }

        // Type-check every expression where it stands.
        var built: [Dialog] = []
        for (di, d) in dialogs.enumerated() {
            var nodes: [DialogStep] = []
            for (si, s) in d.steps.enumerated() {
                let available = flow.available[di][si].map { bits in
                    { @Sendable [factIndex = flow.factIndex] (name: String) -> Bool in factIndex[name].map(bits.contains) ?? false }
                }
                let checker = ExpressionChecker(declared: types, available: available)
                let when = s.when.flatMap { check($0, checker, expect: .bool, what: "a 'when' condition") }
                let kind: DialogStep.Kind?
                switch s.kind {
                case .ask(let q):
                    kind = question(q, checker: checker, groups: groupTypes).map { .ask($0) }
                case .compute(let fact, let e):
                    kind = e.flatMap { check($0, checker, expect: types[fact], what: "the value of '\(fact)'") }.map { .compute(fact: fact, value: $0) }
                case .outcome(let id, let explain, let confirm):
                    kind = .outcome(OutcomeStep(id: id, explain: explain, confirm: confirm, when: when))
                case .say(let key):
                    kind = .say(key)
                case .goto:
                    kind = gotoTargets[di]?[si].map { .goto($0) }
                }
                if let kind {
                    nodes.append(DialogStep(id: s.id, when: when, kind: kind, location: s.location))
                } else {
                    // Keep the indexes of later gotos right: an unusable step becomes a skipped one.
                    nodes.append(DialogStep(id: s.id, when: Expr(.literal(.bool(false)), offset: 0, length: 0), kind: .say(MessageKey("")), location: s.location))
                }
            }
            if let a = d.appointment, let node = d.appointmentNode {
                for fact in a.all where askedAt[fact] == nil {
                    error(d.file.location(node), "the appointment names '\(fact)', which no question asks", "dangling-reference")
                }
                // Urgency is worked out (a `let`), not asked: a yes/no fact of any dialog.
                if let urgent = a.urgent, types[urgent] != .bool {
                    let found = types[urgent].map { "a fact of type \($0)" } ?? "no fact of that name"
                    error(d.file.location(node), "the appointment's 'urgent' must name a yes/no fact, and '\(urgent)' is \(found)", "appointment-urgent")
                }
            }
            built.append(Dialog(name: d.name, isStart: d.isStart, next: d.next?.0, nodes: nodes, location: d.file.location(d.node),
                                appointment: d.appointment))
        }
        let hasErrors = diagnostics.contains { $0.severity == .error }
        let set = hasErrors ? nil : DialogSet(dialogs: built, start: dialogs.firstIndex(where: \.isStart) ?? 0, factTypes: types)
        return LoadedDialogs(set: set, references: references, diagnostics: diagnostics, factTypes: types, outcomeIDs: outcomeIDs)
    }

    mutating func check(_ e: ParsedExpression, _ checker: ExpressionChecker, expect: ValueType?, what: String) -> Expr? {
        do throws(ExpressionError) {
            let t = try checker.type(of: e.expression)
            if let expect, t != expect {
                error(e.location(e.expression.offset), "\(what) must be \(expect), but this is \(t)", "type-mismatch")
                return nil
            }
            return e.expression
        } catch let err {
            error(e.location(err.offset), err.message, "expression-type")
            return nil
        }
    }

    mutating func buildGroup(_ q: RawQuestion, file: YAMLFile) -> Group? {
        guard case .group(let fields, let more, let item, let derive, let maxItems) = q.kind else { return nil }
        let questions = fields.compactMap { question($0, checker: ExpressionChecker(declared: [:]), groups: [:]) }
        var deriveTypes: [ValueType] = []
        var deriveExpressions: [(name: String, value: Expr)] = []
        var record = RecordType(group: q.fact, fields: questions.map { .init(name: $0.fact, type: $0.valueType, derived: false) }, itemMessage: item)
        for (name, e) in derive {
            guard let e else { continue }
            let checker = ExpressionChecker(declared: [:], available: { _ in false }, item: record)
            do throws(ExpressionError) {
                let t = try checker.type(of: e.expression)
                deriveTypes.append(t)
                deriveExpressions.append((name, e.expression))
                record = RecordType(group: q.fact, fields: record.fields + [.init(name: name, type: t, derived: true)], itemMessage: item)
            } catch let err {
                let message = err.message.contains("unknown fact") || err.message.contains("read before")
                    ? "\(err.message) (a derived field may use the item's fields and today only)" : err.message
                error(e.location(err.offset), message, "expression-type")
            }
        }
        return Group(fact: q.fact, fields: questions, more: more, item: item, derive: deriveExpressions,
                     maxItems: maxItems, deriveTypes: deriveTypes)
    }

    mutating func question(_ q: RawQuestion, checker: ExpressionChecker, groups: [String: Group]) -> Question? {
        let kind: Question.Kind
        switch q.kind {
        case .yesNo: kind = .yesNo
        case .choice(let c): kind = .choice(c)
        case .number(let a, let b): kind = .number(min: a, max: b)
        case .text(let n, let o, let f): kind = .text(maxLength: n, optional: o, format: f)
        case .date(let min, let max):
            let lo = min.flatMap { check($0, checker, expect: .date, what: "the earliest date") }
            let hi = max.flatMap { check($0, checker, expect: .date, what: "the latest date") }
            kind = .date(min: lo, max: hi)
        case .group:
            guard let g = groups[q.fact] else { return nil }
            kind = .group(g)
        }
        return Question(fact: q.fact, kind: kind, prompt: q.prompt, help: q.help)
    }

    /// Dialogs in an order where every goto and next points forward; nil (with errors) on a cycle.
    mutating func dialogOrder(edges: [Int: [(Int, SourceLocation)]]) -> [Int]? {
        var state = [Int](repeating: 0, count: dialogs.count)  // 0 new, 1 on the stack, 2 done
        var order: [Int] = []
        var cycle = false
        func visit(_ d: Int, _ builder: inout Builder) {
            state[d] = 1
            for (next, location) in edges[d] ?? [] {
                if state[next] == 1 {
                    builder.error(location, "'\(builder.dialogs[next].name)' leads back to '\(builder.dialogs[d].name)': a loop that cannot end", "loop")
                    cycle = true
                } else if state[next] == 0 {
                    visit(next, &builder)
                }
            }
            state[d] = 2
            order.append(d)
        }
        for d in dialogs.indices where state[d] == 0 {
            visit(d, &self)
        }
        return cycle ? nil : order.reversed()
    }
}

/// Which facts some path may have set before each step (bit sets: 10,000 steps stay fast).
private struct DataFlow {
    var factIndex: [String: Int] = [:]
    var factNames: [String] = []
    /// available[dialog][step]: nil when no path reaches the step.
    var available: [[BitSet?]]

    init(dialogs: [RawDialog], order: [Int], gotoTargets: [Int: [Int: GotoTarget]], start: Int) {
        available = dialogs.map { [BitSet?](repeating: nil, count: $0.steps.count) }
        for d in dialogs {
            for s in d.steps {
                switch s.kind {
                case .ask(let q): if factIndex[q.fact] == nil { factIndex[q.fact] = factNames.count; factNames.append(q.fact) }
                case .compute(let f, _): if factIndex[f] == nil { factIndex[f] = factNames.count; factNames.append(f) }
                default: break
                }
            }
        }
        let width = factNames.count
        let dialogIndex = Dictionary(dialogs.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { a, _ in a })
        var inflow = [BitSet?](repeating: nil, count: dialogs.count)
        guard inflow.indices.contains(start) else { return }
        inflow[start] = BitSet(width: width)
        for di in order {
            let d = dialogs[di]
            var stepInflow: [Int: BitSet] = [:]
            var flowing = inflow[di]
            if d.steps.isEmpty {
                if let f = flowing, let next = d.next.flatMap({ dialogIndex[$0.0] }) { inflow[next] = inflow[next].union(f) }
                continue
            }
            for (si, s) in d.steps.enumerated() {
                var current = flowing
                if let extra = stepInflow[si] { current = current.union(extra) }
                available[di][si] = current
                guard var out = current else { flowing = nil; continue }
                switch s.kind {
                case .ask(let q): out.insert(factIndex[q.fact]!)
                case .compute(let f, _): out.insert(factIndex[f]!)
                default: break
                }
                flowing = out
                if case .goto = s.kind, let target = gotoTargets[di]?[si] {
                    switch target {
                    case .step(let t): stepInflow[t] = stepInflow[t].map { $0.union(out) } ?? out
                    case .dialog(let name): if let t = dialogIndex[name] { inflow[t] = inflow[t].union(out) }
                    }
                    if s.when == nil { flowing = nil }
                }
            }
            if let f = flowing, let next = d.next.flatMap({ dialogIndex[$0.0] }) {
                inflow[next] = inflow[next].union(f)
            }
        }
    }

}

private struct BitSet: Hashable, Sendable {
    var words: [UInt64]

    init(width: Int) {
        words = [UInt64](repeating: 0, count: (width + 63) / 64)
    }

    mutating func insert(_ i: Int) {
        words[i / 64] |= 1 << UInt64(i % 64)
    }

    func union(_ other: BitSet) -> BitSet {
        var r = self
        for i in r.words.indices { r.words[i] |= other.words[i] }
        return r
    }

    func contains(_ i: Int) -> Bool {
        words[i / 64] & (1 << UInt64(i % 64)) != 0
    }
}

extension Optional where Wrapped == BitSet {
    fileprivate func union(_ other: BitSet?) -> BitSet? {
        switch (self, other) {
        case (nil, nil): return nil
        case (let a?, nil): return a
        case (nil, let b?): return b
        case (let a?, let b?): return a.union(b)
        }
    }
}
