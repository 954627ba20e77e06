import ConsultEngine
import ConsultLocalization
import Yams

extension DialogBuilder {
    /// A question's fields, by its type (a group's fields are questions too).
    mutating func readQuestion(
        _ fields: [String: Node], head: Node, _ file: YAMLFile, location: SourceLocation, inGroup: Bool
    ) -> RawQuestion? {
        guard let fact = name(head, file, what: "fact name") else { return nil }
        let scope: MessageReference.Scope = .facts
        guard let typeNode = fields["type"], let type = typeNode.scalarText else {
            report(
                location,
                StructureProblem.missingField(
                    "the question '\(fact)' needs 'type' (choice, yesno, number, date, text or group)"))
            return nil
        }
        let prompt = key(fields["prompt"], file, scope: scope)
        if fields["prompt"] == nil {
            report(location, StructureProblem.missingField("the question '\(fact)' needs 'prompt: MESSAGE_KEY'"))
        }
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
                        report(
                            file.location(item),
                            StructureProblem.fieldType("a choice is a mapping {value: ID, label: MESSAGE_KEY}"))
                        continue
                    }
                    let f = fieldsOf(m, allowed: ["value", "label"], what: "a choice", file: file)
                    guard let v = f["value"], let value = name(v, file, what: "choice value"),
                        let label = key(f["label"], file, scope: .none)
                    else {
                        report(file.location(item), StructureProblem.missingField("a choice needs 'value' and 'label'"))
                        continue
                    }
                    if choices.contains(where: { $0.value == value }) {
                        report(file.location(v), DialogProblem.duplicateChoice(value))
                    }
                    choices.append(Choice(value: value, label: label))
                }
            }
            if choices.isEmpty {
                report(
                    location,
                    StructureProblem.missingField("a choice question needs 'choices', a list of {value, label}"))
            }
            kind = .choice(choices)
        case "number":
            relevant.formUnion(["min", "max"])
            guard let min = int(fields["min"], file, field: "min", location: location),
                let max = int(fields["max"], file, field: "max", location: location)
            else { return nil }
            if min > max { report(file.location(fields["min"]), DialogProblem.minAboveMax(min: min, max: max)) }
            kind = .number(min, max)
        case "date":
            relevant.formUnion(["min", "max"])
            kind = .date(fields["min"].flatMap { expression($0, file) }, fields["max"].flatMap { expression($0, file) })
        case "text":
            relevant.formUnion(["max_length", "optional", "format"])
            guard let max = int(fields["max_length"], file, field: "max_length", location: location) else { return nil }
            if max < 1 { report(file.location(fields["max_length"]), DialogProblem.maxLengthBelowOne) }
            let optional = fields["optional"]?.bool ?? false
            var format: TextFormat? = nil
            if let f = fields["format"] {
                format = f.scalarText.flatMap(TextFormat.init(rawValue:))
                if format == nil {
                    report(
                        file.location(f),
                        DialogProblem.unknownTextFormat(
                            f.scalarText ?? "?", formats: TextFormat.allCases.map(\.rawValue)))
                }
            }
            kind = .text(max, optional, format)
        case "group":
            relevant.formUnion(["fields", "more", "item", "derive", "max_items"])
            guard !inGroup else {
                report(file.location(typeNode), DialogProblem.nestedGroup)
                return nil
            }
            var subquestions: [RawQuestion] = []
            if case .sequence(let items)? = fields["fields"] {
                for item in items {
                    guard case .mapping(let m) = item,
                        let askNode = m.first(where: { $0.key.scalarText == "ask" })?.value
                    else {
                        report(
                            file.location(item),
                            StructureProblem.fieldType("a group's field is a question: a mapping starting with 'ask'"))
                        continue
                    }
                    let f = fieldsOf(
                        m,
                        allowed: [
                            "ask", "type", "prompt", "help", "choices", "min", "max", "max_length", "optional",
                            "format",
                        ], what: "a group field", file: file)
                    if let q = readQuestion(f, head: askNode, file, location: file.location(item), inGroup: true) {
                        if subquestions.contains(where: { $0.fact == q.fact }) {
                            report(file.location(askNode), DialogProblem.groupFieldAskedTwice(q.fact))
                        }
                        subquestions.append(q)
                    }
                }
            }
            if subquestions.isEmpty {
                report(location, StructureProblem.missingField("a group needs 'fields', a list of questions"))
            }
            let more = key(fields["more"], file, scope: .facts)
            if fields["more"] == nil {
                report(location, StructureProblem.missingField("a group needs 'more: MESSAGE_KEY' (\"add another?\")"))
            }
            let item = key(fields["item"], file, scope: .item(group: fact))
            if fields["item"] == nil {
                report(
                    location,
                    StructureProblem.missingField("a group needs 'item: MESSAGE_KEY' (how one item is written)"))
            }
            var derive: [(String, ParsedExpression?)] = []
            if let d = fields["derive"] {
                if case .mapping(let m) = d {
                    for (k, v) in m {
                        guard let n = name(k, file, what: "derived field name") else { continue }
                        derive.append((n, expression(v, file)))
                    }
                } else {
                    report(
                        file.location(d),
                        StructureProblem.fieldType("'derive' is a mapping of field name to expression"))
                }
            }
            var maxItems = 20
            if let m = fields["max_items"] {
                maxItems = int(m, file, field: "max_items", location: location) ?? 20
            }
            guard let more, let item else { return nil }
            kind = .group(fields: subquestions, more: more, item: item, derive: derive, maxItems: maxItems)
        default:
            let suggestion = closest(to: type, in: ["choice", "yesno", "number", "date", "text", "group"])
            report(file.location(typeNode), DialogProblem.unknownQuestionType(type, suggestion: suggestion))
            return nil
        }
        for (name, node) in fields where !relevant.contains(name) {
            report(file.location(node), StructureProblem.unknownField("'\(name)' does not apply to a \(type) question"))
        }
        guard let prompt else { return nil }
        return RawQuestion(fact: fact, factNode: head, kind: kind, prompt: prompt, help: help)
    }

}
