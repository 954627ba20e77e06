/// Type-checks an expression against the facts a dialog declares.
///
/// Every fact has one type, fixed by the question or `let` that sets it. A name that no step
/// sets is unknown; a fact that is set only after the step that reads it is "read before any path
/// can set it" — the checker is told which facts may be set by then.
public struct ExpressionChecker: Sendable {
    /// Every fact any dialog sets, with its type.
    public var declared: [String: ValueType]
    /// Whether some path may have set a fact before the step being checked; nil: all declared may be.
    public var available: (@Sendable (String) -> Bool)?
    /// Inside a group's `derive` or a list function: the item's fields.
    public var item: RecordType?

    public init(declared: [String: ValueType], available: (@Sendable (String) -> Bool)? = nil, item: RecordType? = nil)
    {
        self.declared = declared
        self.available = available
        self.item = item
    }

    public static let builtins: [String: ValueType] = ["today": .date]

    public func type(of e: Expr) throws(ExpressionError) -> ValueType {
        switch e.kind {
        case .literal(let v):
            switch v {
            case .bool: return .bool
            case .int: return .int
            case .text: return .text
            case .date: return .date
            case .choice(let c): return .choice([c])
            case .list(let items):
                throw ExpressionError("a list literal of \(items.count) items is not allowed here", at: e.offset)
            }
        case .reference(let name):
            if let field = item?.field(name) { return field.type }
            if let t = ExpressionChecker.builtins[name] { return t }
            guard let t = declared[name] else {
                throw ExpressionError(unknownNameMessage(name), at: e.offset)
            }
            if let available, !available(name) {
                throw ExpressionError("'\(name)' is read before any path can set it", at: e.offset)
            }
            return t
        case .not(let operand):
            try expect(operand, .bool, "'not' takes a yes/no value")
            return .bool
        case .negate(let operand):
            try expect(operand, .int, "'-' takes a number")
            return .int
        case .binary(let op, let l, let r):
            return try binaryType(op, l, r, at: e)
        case .membership(let element, let set, _):
            let t = try type(of: element)
            switch t {
            case .choice, .text, .int: break
            default:
                throw ExpressionError("'in' needs a choice, text or number on its left, not a \(t)", at: element.offset)
            }
            for candidate in set {
                try checkComparable(t, element, candidate)
            }
            return .bool
        case .call(let function, let arguments):
            return try callType(function, arguments, at: e)
        }
    }

    private func unknownNameMessage(_ name: String) -> String {
        var names = Array(declared.keys) + Array(ExpressionChecker.builtins.keys)
        if let item { names += item.fields.map(\.name) }
        if let suggestion = closest(to: name, in: names) {
            return "unknown fact '\(name)'; did you mean '\(suggestion)'?"
        }
        return "unknown fact '\(name)'"
    }

    @discardableResult
    private func expect(_ e: Expr, _ expected: ValueType, _ message: String) throws(ExpressionError) -> ValueType {
        let t = try type(of: e)
        guard t == expected else { throw ExpressionError("\(message), found \(t)", at: e.offset) }
        return t
    }

    private func binaryType(_ op: BinaryOperator, _ l: Expr, _ r: Expr, at e: Expr) throws(ExpressionError) -> ValueType
    {
        switch op {
        case .and, .or:
            try expect(l, .bool, "'\(op.rawValue)' takes yes/no values")
            try expect(r, .bool, "'\(op.rawValue)' takes yes/no values")
            return .bool
        case .equal, .notEqual:
            let lt = try type(of: l)
            try checkComparable(lt, l, r)
            return .bool
        case .less, .lessOrEqual, .greater, .greaterOrEqual:
            let lt = try type(of: l)
            let rt = try type(of: r)
            guard lt == rt, lt == .int || lt == .date else {
                throw ExpressionError(
                    "'\(op.rawValue)' compares two numbers or two dates, not \(lt) and \(rt)", at: e.offset)
            }
            return .bool
        case .plus, .minus:
            let lt = try type(of: l)
            let rt = try type(of: r)
            switch (lt, rt, op) {
            case (.int, .int, _): return .int
            case (.date, .int, _): return .date
            case (.int, .date, .plus): return .date
            case (.date, .date, .minus): return .int
            default:
                throw ExpressionError(
                    "'\(op.rawValue)' cannot combine \(lt) and \(rt) (a date moves by a number of days)", at: e.offset)
            }
        }
    }

    /// Both sides of `==` or of `in` must be of one type; a string literal may stand for a choice's value.
    private func checkComparable(_ lt: ValueType, _ l: Expr, _ r: Expr) throws(ExpressionError) {
        let rt = try type(of: r)
        switch (lt, rt) {
        case (.choice(let values), .text):
            guard case .literal(.text(let literal)) = r.kind else {
                throw ExpressionError("a choice can be compared with a value in quotes, not with text", at: r.offset)
            }
            guard values.contains(literal) else {
                throw ExpressionError(
                    "\"\(literal)\" is not a value of \(describe(l)) (\(values.sorted().joined(separator: ", ")))",
                    at: r.offset)
            }
        case (.text, .choice):
            try checkComparable(rt, r, l)
        case (.choice(let a), .choice(let b)):
            guard !a.isDisjoint(with: b) else {
                throw ExpressionError("these two choices have no value in common", at: l.offset)
            }
        case (.list, _), (_, .list):
            throw ExpressionError("lists cannot be compared; use count(), any() or all()", at: l.offset)
        default:
            guard lt == rt else {
                throw ExpressionError("cannot compare \(lt) with \(rt)", at: r.offset)
            }
        }
    }

    private func describe(_ e: Expr) -> String {
        if case .reference(let name) = e.kind { return "'\(name)'" }
        return "the choice"
    }

    private func callType(_ function: Function, _ arguments: [Expr], at e: Expr) throws(ExpressionError) -> ValueType {
        func arity(_ counts: ClosedRange<Int>, _ usage: String) throws(ExpressionError) {
            guard counts.contains(arguments.count) else {
                throw ExpressionError("\(function.rawValue) takes \(usage)", at: e.offset)
            }
        }
        switch function {
        case .date:
            try arity(1...1, "one date in quotes: date(\"2024-01-06\")")
            guard case .literal(.text(let text)) = arguments[0].kind, LocalDate(parsing: text) != nil else {
                throw ExpressionError("date() takes a date in quotes, written 2024-01-06", at: arguments[0].offset)
            }
            return .date
        case .daysBetween:
            try arity(2...2, "two dates: days_between(from, to)")
            try expect(arguments[0], .date, "days_between takes dates")
            try expect(arguments[1], .date, "days_between takes dates")
            return .int
        case .addMonths, .addYears:
            let unit = function == .addMonths ? "months" : "years"
            try arity(2...2, "a date and a number of \(unit): \(function.rawValue)(date, n)")
            try expect(arguments[0], .date, "\(function.rawValue) takes a date first")
            try expect(arguments[1], .int, "\(function.rawValue) takes a whole number of \(unit) second")
            return .date
        case .count, .any, .all, .filter:
            let usage =
                function == .count
                ? "a list and an optional condition: count(list) or count(list, condition)"
                : "a list and a condition: \(function.rawValue)(list, condition)"
            try arity(function == .count ? 1...2 : 2...2, usage)
            guard case .list(let record) = try type(of: arguments[0]) else {
                throw ExpressionError(
                    "\(function.rawValue) takes a list (a group's answers) first", at: arguments[0].offset)
            }
            if arguments.count == 2 {
                var inner = self
                inner.item = record
                try inner.expect(arguments[1], .bool, "the condition of \(function.rawValue) must be yes/no")
            }
            switch function {
            case .count: return .int
            case .filter: return .list(record)
            default: return .bool
            }
        }
    }
}

/// The candidate nearest to `name` by edit distance, if near enough to be a likely typo.
public func closest(to name: String, in candidates: [String]) -> String? {
    func distance(_ a: [Character], _ b: [Character]) -> Int {
        var previous = Array(0...b.count)
        for (i, ca) in a.enumerated() {
            var current = [i + 1]
            for (j, cb) in b.enumerated() {
                current.append(min(previous[j + 1] + 1, current[j] + 1, previous[j] + (ca == cb ? 0 : 1)))
            }
            previous = current
        }
        return previous[b.count]
    }
    let target = Array(name)
    let scored = candidates.map { ($0, distance(target, Array($0))) }.sorted { ($0.1, $0.0) < ($1.1, $1.0) }
    guard let best = scored.first, best.1 <= max(2, name.count / 3) else { return nil }
    return best.0
}
