import ConsultEngine
import ConsultLocalization
import Yams

// MARK: - Reading the files

extension DialogBuilder {

    mutating func read(_ file: YAMLFile) {
        guard let root = file.root, case .mapping(let mapping) = root else {
            report(file.location(file.root), DialogProblem.dialogShape)
            return
        }
        let fields = fieldsOf(
            mapping, allowed: ["dialog", "start", "next", "nodes", "appointment", "roles", "time_zone"],
            what: "a dialog", file: file)
        guard let nameNode = fields["dialog"], let name = nameNode.scalarText else {
            report(file.location(root), StructureProblem.missingField("missing 'dialog: NAME'"))
            return
        }
        checkName(name, nameNode, file, what: "a dialog name")
        if let existing = dialogs.first(where: { $0.name == name }) {
            report(file.location(nameNode), DialogProblem.duplicateDialog(name, alsoIn: existing.file.path))
        }
        var isStart = false
        if let startNode = fields["start"] {
            guard let b = startNode.bool else {
                report(file.location(startNode), StructureProblem.fieldType("'start' is true or false"))
                return
            }
            isStart = b
        }
        var next: (String, Node)? = nil
        if let n = fields["next"] {
            if let s = n.scalarText {
                next = (s, n)
            } else {
                report(file.location(n), StructureProblem.fieldType("'next' names a dialog"))
            }
        }
        var steps: [RawStep] = []
        if let nodesNode = fields["nodes"] {
            if case .sequence(let seq) = nodesNode {
                for item in seq {
                    if let step = readStep(item, file, dialog: name) { steps.append(step) }
                }
            } else {
                report(
                    file.location(nodesNode),
                    StructureProblem.fieldType("'nodes' is a list of steps, found \(nodesNode.kindDescription)"))
            }
        } else {
            report(file.location(root), StructureProblem.missingField("missing 'nodes'"))
        }
        var raw = RawDialog(
            name: name, nameNode: nameNode, isStart: isStart, next: next, steps: steps, file: file, node: root)
        if let a = fields["appointment"] {
            raw.appointment = readAppointment(a, file)
            raw.appointmentNode = a
        }
        if let r = fields["roles"] { raw.roles = readRoles(r, file) }
        if let z = fields["time_zone"] {
            if let name = z.scalarText {
                raw.timeZone = (name, z)
            } else {
                report(file.location(z), StructureProblem.fieldType("'time_zone' is a name such as Europe/Moscow"))
            }
        }
        dialogs.append(raw)
    }

    /// `roles: {language: FACT, consent: FACT, topic: FACT}`.
    mutating func readRoles(_ node: Node, _ file: YAMLFile) -> [(role: String, fact: String, node: Node)] {
        guard case .mapping(let m) = node else {
            report(
                file.location(node),
                StructureProblem.fieldType("'roles' is a mapping of roles to facts, e.g. language: language"))
            return []
        }
        var roles: [(role: String, fact: String, node: Node)] = []
        for (k, v) in m {
            guard let role = k.scalarText else { continue }
            guard DialogBuilder.roleNames.contains(role) else {
                report(file.location(k), DialogProblem.unknownRole(role, roles: DialogBuilder.roleNames))
                continue
            }
            guard let fact = v.scalarText else {
                report(file.location(v), StructureProblem.fieldType("the role '\(role)' names a fact"))
                continue
            }
            roles.append((role, fact, v))
        }
        return roles
    }

    static let roleNames = ["language", "consent", "topic"]

    /// `appointment: {applicant: [facts], preferences: [facts], question: fact, urgent: fact}`.
    mutating func readAppointment(_ node: Node, _ file: YAMLFile) -> AppointmentFields? {
        guard case .mapping(let m) = node else {
            report(
                file.location(node),
                StructureProblem.fieldType("'appointment' is a mapping with applicant, preferences and question"))
            return nil
        }
        let f = fieldsOf(
            m, allowed: ["applicant", "preferences", "question", "urgent"], what: "an appointment", file: file)
        func list(_ name: String) -> [String] {
            guard let n = f[name] else { return [] }
            guard case .sequence(let items) = n else {
                report(file.location(n), StructureProblem.fieldType("'\(name)' is a list of facts"))
                return []
            }
            return items.compactMap(\.scalarText)
        }
        let applicant = list("applicant")
        if applicant.isEmpty {
            report(
                file.location(node),
                StructureProblem.missingField(
                    "an appointment needs 'applicant', the facts naming and reaching the applicant"))
        }
        return AppointmentFields(
            applicant: applicant, preferences: list("preferences"), question: f["question"]?.scalarText,
            urgent: f["urgent"]?.scalarText)
    }

    mutating func fieldsOf(_ mapping: Node.Mapping, allowed: [String], what: String, file: YAMLFile) -> [String: Node] {
        var fields: [String: Node] = [:]
        for (k, v) in mapping {
            guard let key = k.scalarText else {
                report(file.location(k), StructureProblem.fieldType("a field name must be plain text"))
                continue
            }
            guard allowed.contains(key) else {
                let hint = didYouMean(closest(to: key, in: allowed))
                report(
                    file.location(k),
                    StructureProblem.unknownField(
                        "unknown field '\(key)' in \(what) (expected: \(allowed.joined(separator: ", ")))\(hint)"))
                continue
            }
            if fields[key] != nil {
                report(file.location(k), DialogProblem.duplicateField(key))
            }
            fields[key] = v
        }
        return fields
    }

    mutating func checkName(_ name: String, _ node: Node, _ file: YAMLFile, what: String) {
        if !isValidName(name) {
            report(file.location(node), DialogProblem.badName(name, what: what))
        }
    }

    static let stepKinds = ["ask", "let", "outcome", "say", "goto"]

    mutating func readStep(_ node: Node, _ file: YAMLFile, dialog: String) -> RawStep? {
        guard case .mapping(let mapping) = node else {
            report(file.location(node), DialogProblem.stepNotMapping(kinds: DialogBuilder.stepKinds))
            return nil
        }
        let kinds = mapping.keys.compactMap(\.scalarText).filter { DialogBuilder.stepKinds.contains($0) }
        guard kinds.count == 1, let kind = kinds.first else {
            if kinds.isEmpty {
                let first = mapping.first?.key.scalarText ?? "?"
                report(
                    file.location(mapping.first?.key ?? node),
                    DialogProblem.unknownStepKind(
                        first, kinds: DialogBuilder.stepKinds,
                        suggestion: closest(to: first, in: DialogBuilder.stepKinds)))
            } else {
                report(file.location(node), DialogProblem.stepKinds(found: Array(kinds)))
            }
            return nil
        }
        let location = file.location(node)
        let common = ["id", "when"]
        var allowed: [String]
        switch kind {
        case "ask":
            allowed = [
                "ask", "type", "prompt", "help", "choices", "min", "max", "max_length", "optional", "format", "fields",
                "more", "item", "derive", "max_items",
            ]
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
                report(location, StructureProblem.missingField("a 'let' step needs 'value: EXPRESSION'"))
                return nil
            }
            stepKind = .compute(fact, expression(valueNode, file))
        case "outcome":
            guard let id = name(head, file, what: "outcome id") else { return nil }
            guard let explain = key(fields["explain"], file, scope: .facts) else {
                if fields["explain"] == nil {
                    report(location, StructureProblem.missingField("an outcome needs 'explain: MESSAGE_KEY'"))
                }
                return nil
            }
            var confirm: [MessageKey] = []
            if let c = fields["confirm"] {
                if case .sequence(let items) = c {
                    confirm = items.compactMap { key($0, file, scope: .facts) }
                } else {
                    report(file.location(c), StructureProblem.fieldType("'confirm' is a list of message keys"))
                }
            }
            stepKind = .outcome(id: id, explain: explain, confirm: confirm)
        case "say":
            guard let k = key(head, file, scope: .facts) else { return nil }
            stepKind = .say(k)
        default:
            guard let target = head.scalarText, !target.isEmpty else {
                report(
                    file.location(head), StructureProblem.fieldType("'goto' names a dialog or the id of a later step"))
                return nil
            }
            stepKind = .goto(target, head)
        }
        return RawStep(id: id, when: when, kind: stepKind, node: node, location: location)
    }

    mutating func name(_ node: Node, _ file: YAMLFile, what: String) -> String? {
        guard let s = node.scalarText, !s.isEmpty else {
            report(file.location(node), StructureProblem.fieldType("expected a \(what), found \(node.kindDescription)"))
            return nil
        }
        checkName(s, node, file, what: what)
        return s
    }

    mutating func key(_ node: Node?, _ file: YAMLFile, scope: MessageReference.Scope) -> MessageKey? {
        guard let node else { return nil }
        guard let s = node.scalarText, !s.isEmpty, !s.contains(" ") else {
            report(
                file.location(node),
                StructureProblem.fieldType(
                    "expected a message key (e.g. vks.outcome.vks_rp_eligible), found \(node.kindDescription)"))
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
            report(
                file.location(node), StructureProblem.fieldType("expected an expression, found \(node.kindDescription)")
            )
            return nil
        }
        do throws(ExpressionError) {
            return ParsedExpression(expression: try ExpressionParser.parse(text), node: node, file: file)
        } catch let e {
            report(file.location(node, offset: e.offset), DialogProblem.expressionSyntax(e.message))
            return nil
        }
    }

    mutating func int(_ node: Node?, _ file: YAMLFile, field: String, location: SourceLocation) -> Int? {
        guard let node else {
            report(location, StructureProblem.missingField("missing '\(field)' (a whole number)"))
            return nil
        }
        guard let s = node.scalarText, let n = Int(s) else {
            report(file.location(node), StructureProblem.fieldType("'\(field)' must be a whole number"))
            return nil
        }
        return n
    }

}
