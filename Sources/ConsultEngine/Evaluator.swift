/// What an expression evaluates to while a consultation is under way.
///
/// `absent`: a fact whose step was skipped on this path (it has no value and never will);
/// in a condition it counts as "no", and it equals nothing.
/// `unknown`: a fact that is still to be answered; whatever depends on it is unknown too,
/// except where the answer cannot matter (`false and …`, `true or …`).
public enum Evaluation: Hashable, Sendable {
    case value(Value)
    case absent
    case unknown

    var boolValue: Bool? {
        switch self {
        case .value(.bool(let b)): return b
        case .absent: return false
        default: return nil
        }
    }
}

/// The facts known at one step of a walk: set (with a value), or pending (unknown).
/// A fact that is not in the environment is absent.
public struct Environment: Sendable {
    public private(set) var bindings: [String: Evaluation] = [:]

    public init(today: LocalDate) {
        bindings["today"] = .value(.date(today))
    }

    public subscript(name: String) -> Evaluation {
        bindings[name] ?? .absent
    }

    public mutating func set(_ name: String, _ value: Evaluation) {
        bindings[name] = value
    }

    public func value(_ name: String) -> Value? {
        if case .value(let v) = self[name] { return v }
        return nil
    }
}

public enum Evaluator {
    public static func evaluate(_ e: Expr, in env: Environment, item: Record? = nil) -> Evaluation {
        switch e.kind {
        case .literal(let v):
            return .value(v)
        case .reference(let name):
            if let item, let v = item[name] { return .value(v) }
            return env[name]
        case .not(let operand):
            switch evaluate(operand, in: env, item: item) {
            case .unknown: return .unknown
            case let other: return .value(.bool(!(other.boolValue ?? false)))
            }
        case .negate(let operand):
            guard case .value(.int(let n)) = evaluate(operand, in: env, item: item) else {
                return evaluate(operand, in: env, item: item) == .unknown ? .unknown : .absent
            }
            return .value(.int(0 &- n))  // wrapping, as + and - are
        case .binary(let op, let l, let r):
            return binary(op, l, r, env, item)
        case .membership(let element, let set, let negated):
            let v = evaluate(element, in: env, item: item)
            switch v {
            case .unknown: return .unknown
            case .absent: return .value(.bool(negated))
            case .value(let value):
                var found = false
                var pending = false
                for candidate in set {
                    switch evaluate(candidate, in: env, item: item) {
                    case .value(let c): if same(value, c) { found = true }
                    case .unknown: pending = true
                    case .absent: break
                    }
                }
                if !found && pending { return .unknown }
                return .value(.bool(found != negated))
            }
        case .call(let function, let arguments):
            return call(function, arguments, env, item)
        }
    }

    /// Equality in which a string literal equals the choice of the same value.
    static func same(_ a: Value, _ b: Value) -> Bool {
        switch (a, b) {
        case (.choice(let x), .text(let y)), (.text(let x), .choice(let y)): return x == y
        default: return a == b
        }
    }

    private static func binary(
        _ op: BinaryOperator, _ l: Expr, _ r: Expr, _ env: Environment, _ item: Record?
    ) -> Evaluation {
        let lv = evaluate(l, in: env, item: item)
        switch op {
        case .and:
            if lv.boolValue == false { return .value(.bool(false)) }
            let rv = evaluate(r, in: env, item: item)
            if rv.boolValue == false { return .value(.bool(false)) }
            if lv == .unknown || rv == .unknown { return .unknown }
            return .value(.bool(true))
        case .or:
            if lv.boolValue == true { return .value(.bool(true)) }
            let rv = evaluate(r, in: env, item: item)
            if rv.boolValue == true { return .value(.bool(true)) }
            if lv == .unknown || rv == .unknown { return .unknown }
            return .value(.bool(false))
        default:
            break
        }
        let rv = evaluate(r, in: env, item: item)
        if lv == .unknown || rv == .unknown { return .unknown }
        guard case .value(let a) = lv, case .value(let b) = rv else {
            switch op {
            case .equal: return .value(.bool(lv == rv))
            case .notEqual: return .value(.bool(lv != rv))
            case .plus, .minus: return .absent
            default: return .value(.bool(false))
            }
        }
        switch (op, a, b) {
        case (.equal, _, _): return .value(.bool(same(a, b)))
        case (.notEqual, _, _): return .value(.bool(!same(a, b)))
        case (.less, .int(let x), .int(let y)): return .value(.bool(x < y))
        case (.lessOrEqual, .int(let x), .int(let y)): return .value(.bool(x <= y))
        case (.greater, .int(let x), .int(let y)): return .value(.bool(x > y))
        case (.greaterOrEqual, .int(let x), .int(let y)): return .value(.bool(x >= y))
        case (.less, .date(let x), .date(let y)): return .value(.bool(x < y))
        case (.lessOrEqual, .date(let x), .date(let y)): return .value(.bool(x <= y))
        case (.greater, .date(let x), .date(let y)): return .value(.bool(x > y))
        case (.greaterOrEqual, .date(let x), .date(let y)): return .value(.bool(x >= y))
        case (.plus, .int(let x), .int(let y)): return .value(.int(x &+ y))
        case (.minus, .int(let x), .int(let y)): return .value(.int(x &- y))
        case (.plus, .date(let d), .int(let n)), (.plus, .int(let n), .date(let d)):
            return .value(.date(d.adding(days: n)))
        case (.minus, .date(let d), .int(let n)): return .value(.date(d.subtracting(days: n)))
        case (.minus, .date(let x), .date(let y)): return .value(.int(y.days(to: x)))
        default: return .absent  // excluded by the checker
        }
    }

    private static func call(
        _ function: Function, _ arguments: [Expr], _ env: Environment, _ item: Record?
    ) -> Evaluation {
        switch function {
        case .date:
            guard case .literal(.text(let text)) = arguments.first?.kind, let d = LocalDate(parsing: text) else {
                return .absent
            }
            return .value(.date(d))
        case .daysBetween:
            let a = evaluate(arguments[0], in: env, item: item)
            let b = evaluate(arguments[1], in: env, item: item)
            if a == .unknown || b == .unknown { return .unknown }
            guard case .value(.date(let x)) = a, case .value(.date(let y)) = b else { return .absent }
            return .value(.int(x.days(to: y)))
        case .addMonths, .addYears:
            let a = evaluate(arguments[0], in: env, item: item)
            let b = evaluate(arguments[1], in: env, item: item)
            if a == .unknown || b == .unknown { return .unknown }
            guard case .value(.date(let d)) = a, case .value(.int(let n)) = b,
                let moved = function == .addMonths ? d.adding(months: n) : d.adding(years: n)
            else { return .absent }
            return .value(.date(moved))
        case .count, .any, .all, .filter:
            let list = evaluate(arguments[0], in: env, item: item)
            let items: [Record]
            switch list {
            case .unknown: return .unknown
            case .absent: items = []
            case .value(.list(let records)): items = records
            case .value: return .absent
            }
            var matching: [Record] = []
            var pending = false
            for record in items {
                if arguments.count < 2 {
                    matching.append(record)
                    continue
                }
                switch evaluate(arguments[1], in: env, item: record) {
                case .unknown: pending = true
                case let r where r.boolValue == true: matching.append(record)
                default: break
                }
            }
            if pending { return .unknown }
            switch function {
            case .count: return .value(.int(matching.count))
            case .any: return .value(.bool(!matching.isEmpty))
            case .all: return .value(.bool(matching.count == items.count))
            default: return list == .absent ? .absent : .value(.list(matching))
            }
        }
    }
}
