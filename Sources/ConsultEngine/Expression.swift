/// An expression of the dialog language: a condition, a computed value or a date bound.
///
/// Built by `ExpressionParser`, checked by `ExpressionChecker`, evaluated by `Evaluator`.
/// `offset` is where the expression starts in its source text, counted in Unicode scalars,
/// so that a diagnostic can point at the exact column in the YAML file.
public struct Expr: Hashable, Sendable {
    public indirect enum Kind: Hashable, Codable, Sendable {
        case literal(Value)
        /// A fact, `today`, or inside a list function an item's field.
        case reference(String)
        case not(Expr)
        case negate(Expr)
        case binary(BinaryOperator, Expr, Expr)
        /// `x in [a, b]` (or `not in` when `negated`).
        case membership(Expr, [Expr], negated: Bool)
        case call(Function, [Expr])
    }

    public let kind: Kind
    public let offset: Int
    public let length: Int
    /// Levels of the tree (1 for a literal or a name). The checker and the evaluator recurse
    /// over the tree, so the parser refuses one deeper than `ExpressionParser.maxDepth`.
    public let depth: Int

    public init(_ kind: Kind, offset: Int, length: Int) {
        self.kind = kind
        self.offset = offset
        self.length = length
        switch kind {
        case .literal, .reference: depth = 1
        case .not(let e), .negate(let e): depth = e.depth + 1
        case .binary(_, let l, let r): depth = max(l.depth, r.depth) + 1
        case .membership(let e, let set, _): depth = max(e.depth, set.map(\.depth).max() ?? 0) + 1
        case .call(_, let arguments): depth = (arguments.map(\.depth).max() ?? 0) + 1
        }
    }

    /// The facts this expression reads (outside list-item scopes), in order of appearance.
    public var references: [String] {
        var names: [String] = []
        collectReferences(into: &names, itemFields: [])
        var seen = Set<String>()
        return names.filter { seen.insert($0).inserted }
    }

    private func collectReferences(into names: inout [String], itemFields: Set<String>) {
        switch kind {
        case .literal:
            break
        case .reference(let name):
            if !itemFields.contains(name) { names.append(name) }
        case .not(let e), .negate(let e):
            e.collectReferences(into: &names, itemFields: itemFields)
        case .binary(_, let l, let r):
            l.collectReferences(into: &names, itemFields: itemFields)
            r.collectReferences(into: &names, itemFields: itemFields)
        case .membership(let e, let set, _):
            e.collectReferences(into: &names, itemFields: itemFields)
            for item in set { item.collectReferences(into: &names, itemFields: itemFields) }
        case .call(_, let arguments):
            // A list function's condition reads the item's fields by name; those names are
            // not facts. The checker knows the field names; here every name that is not a
            // fact is harmless, so the condition's own references are kept.
            for a in arguments { a.collectReferences(into: &names, itemFields: itemFields) }
        }
    }
}

public enum BinaryOperator: String, Hashable, Codable, Sendable, CaseIterable {
    case and, or
    case equal = "==", notEqual = "!="
    case less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="
    case plus = "+", minus = "-"
}

public enum Function: String, Hashable, Codable, Sendable, CaseIterable {
    case date
    case daysBetween = "days_between"
    case addMonths = "add_months", addYears = "add_years"
    case count, any, all, filter
}
