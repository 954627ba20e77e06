/// Writes an expression back in the dialog language, infix, with no more brackets than the
/// grammar needs (`ExpressionParser`'s precedence: or < and < not < comparison < sum < unary).
///
/// Printing then parsing gives the same tree (offsets aside) for every tree the parser builds.
/// Two kinds of literal the parser never builds are written as the nearest expression:
/// a date as `date("2027-03-31")` and a choice's value as a string.
extension Expr {
    public var infix: String { ExpressionPrinter.print(self, context: .or) }
}

enum ExpressionPrinter {
    /// How tightly a position binds: an operand is bracketed when it binds less tightly than its place needs.
    enum Level: Int, Comparable {
        case or, and, not, comparison, sum, unary, primary

        static func < (a: Level, b: Level) -> Bool { a.rawValue < b.rawValue }
    }

    static func level(of e: Expr) -> Level {
        switch e.kind {
        case .literal(.int(let n)) where n < 0: return .unary
        case .literal, .reference, .call: return .primary
        case .not: return .not
        case .negate: return .unary
        case .membership: return .comparison
        case .binary(let op, _, _):
            switch op {
            case .or: return .or
            case .and: return .and
            case .plus, .minus: return .sum
            default: return .comparison
            }
        }
    }

    static func print(_ e: Expr, context: Level) -> String {
        let text = bare(e)
        return level(of: e) < context ? "(\(text))" : text
    }

    private static func bare(_ e: Expr) -> String {
        switch e.kind {
        case .literal(let v): return literal(v)
        case .reference(let name): return name
        case .not(let operand): return "not " + print(operand, context: .not)
        case .negate(let operand): return "-" + print(operand, context: .unary)
        case .binary(let op, let l, let r):
            switch op {
            // Left-associative chains: the right operand must bind tighter to stay on the right.
            case .or: return "\(print(l, context: .or)) or \(print(r, context: .and))"
            case .and: return "\(print(l, context: .and)) and \(print(r, context: .not))"
            case .plus, .minus: return "\(print(l, context: .sum)) \(op.rawValue) \(print(r, context: .unary))"
            // A comparison's operands are sums; comparisons do not chain.
            default: return "\(print(l, context: .sum)) \(op.rawValue) \(print(r, context: .sum))"
            }
        case .membership(let element, let set, let negated):
            let items = set.map { print($0, context: .sum) }.joined(separator: ", ")
            return "\(print(element, context: .sum)) \(negated ? "not in" : "in") [\(items)]"
        case .call(let function, let arguments):
            return "\(function.rawValue)(\(arguments.map { print($0, context: .or) }.joined(separator: ", ")))"
        }
    }

    private static func literal(_ v: Value) -> String {
        switch v {
        case .bool(let b): return b ? "true" : "false"
        case .int(let n): return String(n)
        case .text(let s), .choice(let s): return quoted(s)
        case .date(let d): return "date(\"\(d)\")"
        case .list(let items): return "[\(items.count) items]"
        }
    }

    /// The language's strings have no escapes: double quotes unless the text holds one.
    private static func quoted(_ s: String) -> String {
        s.contains("\"") && !s.contains("'") ? "'\(s)'" : "\"\(s)\""
    }
}
