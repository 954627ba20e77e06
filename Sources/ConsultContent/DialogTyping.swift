import ConsultEngine
import ConsultLocalization

// MARK: - Types of facts and expressions

extension DialogBuilder {
    /// The type of every fact: questions first, then computed facts until nothing more can be
    /// typed. A `let` whose value has another type than the fact has elsewhere is `type-mismatch`.
    mutating func inferFactTypes(declared: [String: ValueType]) -> (types: [String: ValueType], groups: [String: Group])
    {
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
                    report(e.location(0), DialogProblem.factTypeConflict(fact: fact, elsewhere: existing, here: t))
                }
                types[fact] = t
                progress = true
                return true
            }
        }
        for (fact, _) in declared where types[fact] == nil { types[fact] = .text }  // untypable: reported where it stands
        return (types, groupTypes)
    }

    /// The expression, when it type-checks (and has the type expected); else `expression-type`
    /// or `type-mismatch` at its place.
    mutating func check(_ e: ParsedExpression, _ checker: ExpressionChecker, expect: ValueType?, what: String) -> Expr?
    {
        do throws(ExpressionError) {
            let t = try checker.type(of: e.expression)
            if let expect, t != expect {
                report(
                    e.location(e.expression.offset), DialogProblem.typeMismatch(what: what, expected: expect, found: t))
                return nil
            }
            return e.expression
        } catch let err {
            report(e.location(err.offset), DialogProblem.expressionType(err.message))
            return nil
        }
    }

    mutating func buildGroup(_ q: RawQuestion, file: YAMLFile) -> Group? {
        guard case .group(let fields, let more, let item, let derive, let maxItems) = q.kind else { return nil }
        let questions = fields.compactMap { question($0, checker: ExpressionChecker(declared: [:]), groups: [:]) }
        var deriveTypes: [ValueType] = []
        var deriveExpressions: [(name: String, value: Expr)] = []
        var record = RecordType(
            group: q.fact, fields: questions.map { .init(name: $0.fact, type: $0.valueType, derived: false) },
            itemMessage: item)
        for (name, e) in derive {
            guard let e else { continue }
            let checker = ExpressionChecker(declared: [:], available: { _ in false }, item: record)
            do throws(ExpressionError) {
                let t = try checker.type(of: e.expression)
                deriveTypes.append(t)
                deriveExpressions.append((name, e.expression))
                record = RecordType(
                    group: q.fact, fields: record.fields + [.init(name: name, type: t, derived: true)],
                    itemMessage: item)
            } catch let err {
                let message =
                    err.message.contains("unknown fact") || err.message.contains("read before")
                    ? "\(err.message) (a derived field may use the item's fields and today only)" : err.message
                report(e.location(err.offset), DialogProblem.expressionType(message))
            }
        }
        return Group(
            fact: q.fact, fields: questions, more: more, item: item, derive: deriveExpressions,
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
}
