import ConsultEngine
import Testing

// MARK: - Helpers

/// An expression as a compact S-expression: precedence and grouping become visible.
func sexp(_ e: Expr) -> String {
    switch e.kind {
    case .literal(let v):
        switch v {
        case .bool(let b): return String(b)
        case .int(let n): return String(n)
        case .text(let s): return "\"\(s)\""
        case .date(let d): return "date:\(d)"
        case .choice(let c): return "choice:\(c)"
        case .list(let items): return "list:\(items.count)"
        }
    case .reference(let name): return name
    case .not(let operand): return "(not \(sexp(operand)))"
    case .negate(let operand): return "(- \(sexp(operand)))"
    case .binary(let op, let l, let r): return "(\(op.rawValue) \(sexp(l)) \(sexp(r)))"
    case .membership(let element, let set, let negated):
        return "(\(negated ? "not-in" : "in") \(sexp(element)) [\(set.map(sexp).joined(separator: " "))])"
    case .call(let function, let arguments):
        return "(\(function.rawValue)\(arguments.map { " " + sexp($0) }.joined()))"
    }
}

func parse(_ text: String) throws -> Expr {
    try ExpressionParser.parse(text)
}

/// A date written `YYYY-MM-DD`, built from its parts (not through `LocalDate(parsing:)`, which is under test).
func date(_ text: String) -> LocalDate {
    let parts = text.split(separator: "-").compactMap { Int($0) }
    guard parts.count == 3, let d = LocalDate(year: parts[0], month: parts[1], day: parts[2]) else {
        Issue.record("bad test date \(text)")
        return LocalDate(daysSinceEpoch: 0)
    }
    return d
}

/// The shape of a family member in the tests: relation (choice), age (number).
let familyRecord = RecordType(
    group: "family",
    fields: [
        .init(name: "relation", type: .choice(["spouse", "child", "parent"]), derived: false),
        .init(name: "age", type: .int, derived: false),
    ], itemMessage: "family.item")

let declared: [String: ValueType] = [
    "permit": .choice(["issued", "applied", "none"]),
    "start": .date,
    "n": .int,
    "ok": .bool,
    "name": .text,
    "family": .list(familyRecord),
]

// MARK: - Parser

@Suite("expression parser")
struct ExpressionParserTests {
    @Test(
        "precedence and grouping",
        arguments: [
            ("a or b and c", "(or a (and b c))"),
            ("a and b or c", "(or (and a b) c)"),
            ("not a and b", "(and (not a) b)"),
            ("not a or not b", "(or (not a) (not b))"),
            ("not not a", "(not (not a))"),
            ("not (a or b)", "(not (or a b))"),
            ("(a or b) and c", "(and (or a b) c)"),
            ("a and b and c", "(and (and a b) c)"),
            ("not x == 1", "(not (== x 1))"),
            ("x == 1 and y != 2", "(and (== x 1) (!= y 2))"),
            ("a < b + 1", "(< a (+ b 1))"),
            ("a + 1 >= b - 2", "(>= (+ a 1) (- b 2))"),
            ("a - b + c", "(+ (- a b) c)"),
            ("a - (b + c)", "(- a (+ b c))"),
            ("-a + 3", "(+ (- a) 3)"),
            ("- - 3", "(- (- 3))"),
            ("x <= 1 or x > 10", "(or (<= x 1) (> x 10))"),
            ("today + 30", "(+ today 30)"),
            ("true and false", "(and true false)"),
            ("s == 'single'", "(== s \"single\")"),
        ])
    func precedence(source: String, expected: String) throws {
        #expect(sexp(try parse(source)) == expected)
    }

    @Test(
        "membership",
        arguments: [
            (#"x in ["a", "b"]"#, #"(in x ["a" "b"])"#),
            (#"x not in ["a"]"#, #"(not-in x ["a"])"#),
            ("x in []", "(in x [])"),
            ("n in [1, 2, 3]", "(in n [1 2 3])"),
            (#"not x in ["a"]"#, #"(not (in x ["a"]))"#),
            (#"a and x in ["a"] or b"#, #"(or (and a (in x ["a"])) b)"#),
            ("n + 1 in [2]", "(in (+ n 1) [2])"),
        ])
    func membership(source: String, expected: String) throws {
        #expect(sexp(try parse(source)) == expected)
    }

    @Test(
        "calls",
        arguments: [
            (#"date("2024-01-06")"#, #"(date "2024-01-06")"#),
            ("days_between(a, today)", "(days_between a today)"),
            ("count(family)", "(count family)"),
            (
                "count(family, age < 18 and relation == \"child\")",
                "(count family (and (< age 18) (== relation \"child\")))"
            ),
            ("any(family, a or b)", "(any family (or a b))"),
            ("all(filter(family, age >= 18), ok)", "(all (filter family (>= age 18)) ok)"),
            ("count(family) > 2", "(> (count family) 2)"),
            ("days_between(start, today + 1) - 3", "(- (days_between start (+ today 1)) 3)"),
        ])
    func calls(source: String, expected: String) throws {
        #expect(sexp(try parse(source)) == expected)
    }

    @Test func offsetsAndLengthsCountUnicodeScalars() throws {
        let e = try parse("ok and  n >= 10")
        guard case .binary(.and, let l, let r) = e.kind else {
            Issue.record("not an and: \(sexp(e))")
            return
        }
        #expect((e.offset, e.length) == (0, 15))
        #expect((l.offset, l.length) == (0, 2))
        #expect((r.offset, r.length) == (8, 7))
        // A string literal with Cyrillic text: offsets are in scalars, not bytes.
        let s = try parse(#"name == "д" or ok"#)
        guard case .binary(.or, _, let right) = s.kind else {
            Issue.record("not an or")
            return
        }
        #expect(right.offset == 15)
    }

    @Test func references() throws {
        #expect(try parse("a and b or a and today > c").references == ["a", "b", "today", "c"])
    }

    @Test(
        "syntax errors with messages and offsets",
        arguments: [
            ("has_permit = \"x\"", 11, "'=' is not an operator: write '==' to compare"),
            ("a && b", 2, "'&' is not an operator: write and, or, not"),
            ("a || b", 2, "'|' is not an operator"),
            ("!a", 0, "'!' is not an operator"),
            ("a == ", 5, "expected a value, found the end of the expression"),
            ("", 0, "expected a value, found the end of the expression"),
            ("and b", 0, "expected a value, found 'and'"),
            ("a b", 2, "unexpected 'b' after the end of the expression"),
            ("a == b == c", 7, "unexpected '==' after the end of the expression"),
            ("(a or b", 7, "expected ')', found the end of the expression"),
            ("a)", 1, "unexpected ')' after the end of the expression"),
            ("\"abc", 0, "a string is not closed with \""),
            ("1abc", 0, "a name cannot start with a digit"),
            ("99999999999999999999", 0, "number too large"),
            ("frobnicate(a)", 0, "unknown function 'frobnicate'"),
            ("count(a b)", 8, "expected ')' or ',' in the arguments of count"),
            ("x in \"a\"", 5, "expected '[' starting the list of values"),
            ("x in [\"a\" \"b\"]", 10, "expected ']' or ',' in the list of values"),
            ("x not y", 2, "unexpected 'not' after the end of the expression"),
            ("a ; b", 2, "unexpected character ';'"),
            ("a == ä", 5, "unexpected character 'ä'"),
        ])
    func syntaxErrors(source: String, offset: Int, message: String) {
        #expect {
            try ExpressionParser.parse(source)
        } throws: { error in
            guard let e = error as? ExpressionError else { return false }
            return e.offset == offset && e.message.contains(message)
        }
    }
}

// MARK: - Nesting depth (found by fuzzing: deep input overflowed the stack)

@Suite("expression nesting depth")
struct ExpressionDepthTests {
    static let limit = ExpressionParser.maxDepth

    static func refusedAt(_ source: String) -> Int? {
        do {
            _ = try ExpressionParser.parse(source)
            return nil
        } catch {
            return error.message.contains("nested too deeply") ? error.offset : -1
        }
    }

    @Test func parenthesesUpToTheLimit() throws {
        let n = Self.limit - 1  // the literal inside is a level of its own
        #expect(
            try ExpressionParser.parse(String(repeating: "(", count: n) + "1" + String(repeating: ")", count: n)).depth
                == 1)
        #expect(
            Self.refusedAt(
                String(repeating: "(", count: Self.limit + 1) + "1" + String(repeating: ")", count: Self.limit + 1))
                == Self.limit)
    }

    @Test func notAndMinusCountEachLevel() throws {
        #expect(
            try ExpressionParser.parse(String(repeating: "not ", count: Self.limit - 1) + "true").depth == Self.limit)
        #expect(Self.refusedAt(String(repeating: "not ", count: Self.limit) + "true") != nil)
        #expect(Self.refusedAt(String(repeating: "-", count: 100_000) + "1") == Self.limit)
    }

    @Test func longChainsOfOperatorsAreDeepToo() throws {
        // 1+1+…: n terms make a tree n levels deep, with no recursion in the parser at all.
        let fits = Array(repeating: "1", count: Self.limit).joined(separator: "+")
        #expect(try ExpressionParser.parse(fits).depth == Self.limit)
        // The refusal points at the operator that makes the tree one level too deep.
        #expect(Self.refusedAt(fits + "+1") == 2 * Self.limit - 1)
        #expect(Self.refusedAt(Array(repeating: "a", count: 10_000).joined(separator: " and ")) != nil)
    }

    @Test func aNumberThatOverflowsOnItsLastDigit() {
        #expect(Self.refusedAt("9223372036854775808") == -1)
        #expect(throws: ExpressionError("number too large", at: 0)) {
            try ExpressionParser.parse("9223372036854775808")
        }
        #expect((try? ExpressionParser.parse("9223372036854775807")) != nil)
    }

    @Test func arithmeticAtTheEdgesDoesNotTrap() throws {
        let env = Environment(today: LocalDate(year: 2027, month: 3, day: 31)!)
        func value(_ s: String) throws -> Evaluation { Evaluator.evaluate(try ExpressionParser.parse(s), in: env) }
        #expect(try value("-(0 - 9223372036854775807 - 1)") == .value(.int(Int.min)))
        #expect(try value("today + 9223372036854775807") == .value(.date(.latest)))
        #expect(try value("today - (0 - 9223372036854775807 - 1)") == .value(.date(.latest)))
        #expect(try value("today - 4000000") == .value(.date(.earliest)))
        #expect(try value("today + 1") == .value(.date(LocalDate(year: 2027, month: 4, day: 1)!)))
    }
}

// MARK: - Checker

@Suite("expression checker")
struct ExpressionCheckerTests {
    let checker = ExpressionChecker(declared: declared)

    @Test(
        "types",
        arguments: [
            ("ok", ValueType.bool),
            ("start", .date),
            ("today", .date),
            ("n", .int),
            ("name", .text),
            ("start + 30", .date),
            ("30 + start", .date),
            ("start - 1", .date),
            ("start - today", .int),
            ("n + 1 - n", .int),
            ("-n", .int),
            ("days_between(start, today)", .int),
            ("add_months(start, 4)", .date),
            ("add_years(start, n) - 1", .date),
            (#"date("2024-01-06")"#, .date),
            (#"permit == "issued""#, .bool),
            (#""issued" == permit"#, .bool),
            (#"permit in ["issued", "applied"]"#, .bool),
            (#"name in ["a", "b"]"#, .bool),
            ("n not in [1, 2]", .bool),
            ("start < today and n >= 3 or not ok", .bool),
            ("count(family)", .int),
            ("count(family, age < 18)", .int),
            (#"any(family, relation == "spouse")"#, .bool),
            ("all(family, age >= 18 and ok)", .bool),
            (#"filter(family, relation == "child")"#, .list(familyRecord)),
            ("count(filter(family, age < 18), age > 3)", .int),
            ("permit", .choice(["issued", "applied", "none"])),
        ])
    func types(source: String, type: ValueType) throws {
        #expect(try checker.type(of: parse(source)) == type)
    }

    @Test(
        "type errors with messages and offsets",
        arguments: [
            ("start > 5", 0, "'>' compares two numbers or two dates, not date and number"),
            ("ok and start == 5", 16, "cannot compare date with number"),
            ("ok and n < start", 7, "'<' compares two numbers or two dates, not number and date"),
            (#"permit == "isued""#, 10, #""isued" is not a value of 'permit' (applied, issued, none)"#),
            (#"permit in ["issued", "granted"]"#, 21, #""granted" is not a value of 'permit'"#),
            ("permit == name", 10, "a choice can be compared with a value in quotes, not with text"),
            ("ok and n", 7, "'and' takes yes/no values, found number"),
            ("n or ok", 0, "'or' takes yes/no values, found number"),
            ("not n", 4, "'not' takes a yes/no value, found number"),
            ("-ok", 1, "'-' takes a number, found yes/no"),
            ("start + start", 0, "'+' cannot combine date and date"),
            ("n - start", 0, "'-' cannot combine number and date"),
            ("ok in [true]", 0, "'in' needs a choice, text or number on its left, not a yes/no"),
            ("name in [1]", 9, "cannot compare text with number"),
            ("family == family", 0, "lists cannot be compared"),
            ("perimt == \"issued\"", 0, "unknown fact 'perimt'; did you mean 'permit'?"),
            ("ok and qwertyuiop", 7, "unknown fact 'qwertyuiop'"),
            ("age < 18", 0, "unknown fact 'age'"),
            (#"date("2024-02-30")"#, 5, "date() takes a date in quotes, written 2024-01-06"),
            ("date(start)", 5, "date() takes a date in quotes"),
            ("date()", 0, "date takes one date in quotes"),
            ("days_between(start)", 0, "days_between takes two dates"),
            ("days_between(start, n)", 20, "days_between takes dates, found number"),
            ("add_months(start)", 0, "add_months takes a date and a number of months"),
            ("add_years(n, 1)", 10, "add_years takes a date first, found number"),
            ("add_years(start, today)", 17, "add_years takes a whole number of years second, found date"),
            ("count(n)", 6, "count takes a list (a group's answers) first"),
            ("any(family)", 0, "any takes a list and a condition: any(list, condition)"),
            ("count(family, age)", 14, "the condition of count must be yes/no, found number"),
            (#"any(family, relation == "cousin")"#, 24, #""cousin" is not a value of 'relation'"#),
        ])
    func typeErrors(source: String, offset: Int, message: String) throws {
        let e = try parse(source)
        #expect {
            try checker.type(of: e)
        } throws: { error in
            guard let err = error as? ExpressionError else { return false }
            return err.offset == offset && err.message.contains(message)
        }
    }

    @Test func unknownMessageWithoutNearName() throws {
        let e = try parse("qwertyuiop")
        #expect(throws: ExpressionError("unknown fact 'qwertyuiop'", at: 0)) { try checker.type(of: e) }
    }

    @Test func readBeforeAnyPathCanSetIt() throws {
        let checker = ExpressionChecker(declared: declared, available: { $0 != "start" })
        #expect(try checker.type(of: parse("n > 3")) == .bool)
        #expect(throws: ExpressionError("'start' is read before any path can set it", at: 7)) {
            try checker.type(of: parse("ok and start > today"))
        }
        // today is always available.
        let none = ExpressionChecker(declared: declared, available: { _ in false })
        #expect(try none.type(of: parse("today + 1")) == .date)
    }

    @Test func itemFieldsInsideListFunctionsOnly() throws {
        let inItem = ExpressionChecker(declared: [:], item: familyRecord)
        #expect(try inItem.type(of: parse(#"relation == "child" and age < 18"#)) == .bool)
        #expect(throws: ExpressionError.self) { try checker.type(of: parse("age > 3")) }
    }

    @Test func closestSuggestsOnlyNearNames() {
        #expect(closest(to: "has_permt", in: ["has_permit", "permit", "n"]) == "has_permit")
        #expect(closest(to: "xyz", in: ["has_permit"]) == nil)
    }
}
