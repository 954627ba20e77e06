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
let familyRecord = RecordType(group: "family", fields: [
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
    @Test("precedence and grouping", arguments: [
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

    @Test("membership", arguments: [
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

    @Test("calls", arguments: [
        (#"date("2024-01-06")"#, #"(date "2024-01-06")"#),
        ("days_between(a, today)", "(days_between a today)"),
        ("count(family)", "(count family)"),
        ("count(family, age < 18 and relation == \"child\")", "(count family (and (< age 18) (== relation \"child\")))"),
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
        guard case .binary(.and, let l, let r) = e.kind else { Issue.record("not an and: \(sexp(e))"); return }
        #expect((e.offset, e.length) == (0, 15))
        #expect((l.offset, l.length) == (0, 2))
        #expect((r.offset, r.length) == (8, 7))
        // A string literal with Cyrillic text: offsets are in scalars, not bytes.
        let s = try parse(#"name == "д" or ok"#)
        guard case .binary(.or, _, let right) = s.kind else { Issue.record("not an or"); return }
        #expect(right.offset == 15)
    }

    @Test func references() throws {
        #expect(try parse("a and b or a and today > c").references == ["a", "b", "today", "c"])
    }

    @Test("syntax errors with messages and offsets", arguments: [
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
        #expect(try ExpressionParser.parse(String(repeating: "(", count: n) + "1" + String(repeating: ")", count: n)).depth == 1)
        #expect(Self.refusedAt(String(repeating: "(", count: Self.limit + 1) + "1" + String(repeating: ")", count: Self.limit + 1)) == Self.limit)
    }

    @Test func notAndMinusCountEachLevel() throws {
        #expect(try ExpressionParser.parse(String(repeating: "not ", count: Self.limit - 1) + "true").depth == Self.limit)
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
        #expect(throws: ExpressionError("number too large", at: 0)) { try ExpressionParser.parse("9223372036854775808") }
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

    @Test("types", arguments: [
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

    @Test("type errors with messages and offsets", arguments: [
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

// MARK: - Evaluator

@Suite("evaluator")
struct EvaluatorTests {
    static let family: [Record] = [
        Record(["relation": .choice("spouse"), "age": .int(40)]),
        Record(["relation": .choice("child"), "age": .int(10)]),
        Record(["relation": .choice("child"), "age": .int(19)]),
    ]

    /// yes = true, no = false, pending = unknown; `missing` is absent.
    static var env: Environment {
        var env = Environment(today: date("2027-03-15"))
        env.set("yes", .value(.bool(true)))
        env.set("no", .value(.bool(false)))
        env.set("pending", .unknown)
        env.set("permit", .value(.choice("issued")))
        env.set("start", .value(.date(date("2027-01-31"))))
        env.set("n", .value(.int(5)))
        env.set("family", .value(.list(family)))
        env.set("later_list", .unknown)
        return env
    }

    func eval(_ source: String) throws -> Evaluation {
        Evaluator.evaluate(try parse(source), in: EvaluatorTests.env)
    }

    @Test("three-valued logic", arguments: [
        ("yes and pending", Evaluation.unknown),
        ("pending and yes", .unknown),
        ("no and pending", .value(.bool(false))),
        ("pending and no", .value(.bool(false))),
        ("yes or pending", .value(.bool(true))),
        ("pending or yes", .value(.bool(true))),
        ("no or pending", .unknown),
        ("not pending", .unknown),
        ("pending == 3", .unknown),
        ("n < pending", .unknown),
        (#"pending in ["a"]"#, .unknown),
        ("n in [1, pending]", .unknown),
        ("n in [5, pending]", .value(.bool(true))),
        ("pending + 1", .unknown),
        ("days_between(start, pending)", .unknown),
        ("count(later_list)", .unknown),
        ("yes and not no", .value(.bool(true))),
        ("false and pending", .value(.bool(false))),
        ("true or pending", .value(.bool(true))),
    ])
    func threeValued(source: String, expected: Evaluation) throws {
        #expect(try eval(source) == expected)
    }

    @Test("absent facts count as no and equal nothing", arguments: [
        ("missing", Evaluation.absent),
        ("missing and yes", .value(.bool(false))),
        ("missing or yes", .value(.bool(true))),
        ("missing or no", .value(.bool(false))),
        ("not missing", .value(.bool(true))),
        (#"missing == "issued""#, .value(.bool(false))),
        (#"missing != "issued""#, .value(.bool(true))),
        (#"missing in ["issued"]"#, .value(.bool(false))),
        (#"missing not in ["issued"]"#, .value(.bool(true))),
        ("missing < 3", .value(.bool(false))),
        ("missing + 30", .absent),
        ("days_between(missing, today)", .absent),
        ("count(missing)", .value(.int(0))),
        ("missing and pending", .value(.bool(false))),
        ("pending and missing", .value(.bool(false))),
    ])
    func absent(source: String, expected: Evaluation) throws {
        #expect(try eval(source) == expected)
    }

    @Test("values", arguments: [
        (#"permit == "issued""#, Evaluation.value(.bool(true))),
        (#""issued" == permit"#, .value(.bool(true))),
        (#"permit != "none""#, .value(.bool(true))),
        (#"permit in ["applied", "issued"]"#, .value(.bool(true))),
        (#"permit not in ["applied", "issued"]"#, .value(.bool(false))),
        ("n + 2 - 10", .value(.int(-3))),
        ("-n", .value(.int(-5))),
        ("n >= 5 and n <= 5 and n > 4 and n < 6", .value(.bool(true))),
        ("start + 30", .value(.date(date("2027-03-02")))),
        ("30 + start", .value(.date(date("2027-03-02")))),
        ("start - 31", .value(.date(date("2026-12-31")))),
        ("today - start", .value(.int(43))),
        ("days_between(start, today)", .value(.int(43))),
        ("days_between(today, start)", .value(.int(-43))),
        (#"days_between(date("2027-12-31"), date("2028-03-01"))"#, .value(.int(61))),
        (#"date("2028-02-29") + 365"#, .value(.date(date("2029-02-28")))),
        // Calendar periods (Civil Code): the same day, or the last day of a shorter month.
        (#"add_years(date("2028-02-29"), 1)"#, .value(.date(date("2029-02-28")))),
        (#"add_years(date("2028-02-29"), 4)"#, .value(.date(date("2032-02-29")))),
        (#"add_years(date("2023-12-20"), 1)"#, .value(.date(date("2024-12-20")))),
        (#"add_months(date("2027-01-31"), 1)"#, .value(.date(date("2027-02-28")))),
        (#"add_months(date("2028-01-31"), 1)"#, .value(.date(date("2028-02-29")))),
        (#"add_months(date("2027-03-31"), -1)"#, .value(.date(date("2027-02-28")))),
        (#"add_months(date("2026-12-20"), -4)"#, .value(.date(date("2026-08-20")))),
        (#"add_months(date("2026-11-30"), 14)"#, .value(.date(date("2028-01-30")))),
        (#"add_months(add_years(date("2024-02-29"), 3), -4)"#, .value(.date(date("2026-10-28")))),
        (#"add_years(date("2027-01-01"), 9000)"#, .absent),
        (#"add_months(date("2027-01-01"), 9223372036854775807)"#, .absent),
        ("add_months(start, pending)", .unknown),
        ("start < today", .value(.bool(true))),
        (#"today >= date("2027-03-15")"#, .value(.bool(true))),
    ])
    func values(source: String, expected: Evaluation) throws {
        #expect(try eval(source) == expected)
    }

    @Test("list functions over records", arguments: [
        ("count(family)", Evaluation.value(.int(3))),
        ("count(family, age < 18)", .value(.int(1))),
        (#"count(family, relation == "child")"#, .value(.int(2))),
        (#"any(family, relation == "spouse")"#, .value(.bool(true))),
        (#"any(family, relation == "parent")"#, .value(.bool(false))),
        ("all(family, age > 5)", .value(.bool(true))),
        ("all(family, age >= 18)", .value(.bool(false))),
        (#"count(filter(family, relation == "child"), age >= 18)"#, .value(.int(1))),
        ("all(missing, age > 5)", .value(.bool(true))),
        ("any(missing, age > 5)", .value(.bool(false))),
        ("count(family, age > n)", .value(.int(3))),
        ("any(family, age > pending)", .unknown),
    ])
    func listFunctions(source: String, expected: Evaluation) throws {
        #expect(try eval(source) == expected)
    }

    @Test func filterKeepsTheMatchingRecords() throws {
        let result = try eval(#"filter(family, relation == "child")"#)
        #expect(result == .value(.list(Array(EvaluatorTests.family.dropFirst()))))
        #expect(try eval("filter(missing, age > 3)") == .absent)
    }

    @Test func absentFactsAsConditionsAreNo() {
        #expect(Evaluation.absent != .value(.bool(false)))
        var env = Environment(today: date("2027-01-01"))
        #expect(env["anything"] == .absent)
        env.set("x", .value(.int(1)))
        #expect(env.value("x") == .int(1))
        #expect(env.value("today") == .date(date("2027-01-01")))
        #expect(env.value("y") == nil)
    }

    @Test func groupDerivesItemFacts() throws {
        let derive = try parse(#"relation == "child" and age < 18"#)
        let group = Group(fact: "family", fields: [], more: "m", item: "i", derive: [("minor", derive)], maxItems: 5, deriveTypes: [.bool])
        let record = group.complete(Record(["relation": .choice("child"), "age": .int(10)]), today: date("2027-01-01"))
        #expect(record["minor"] == .bool(true))
        let adult = group.complete(Record(["relation": .choice("child"), "age": .int(20)]), today: date("2027-01-01"))
        #expect(adult["minor"] == .bool(false))
    }
}

// MARK: - Dates

@Suite("local date")
struct LocalDateTests {
    @Test("parsing", arguments: [
        ("2027-03-31", [Int]?([2027, 3, 31])),
        ("31.03.2027", [2027, 3, 31]),
        ("1.3.2027", [2027, 3, 1]),
        ("01.03.2027", [2027, 3, 1]),
        ("31/03/2027", [2027, 3, 31]),
        ("  2027-03-31\u{00A0}", [2027, 3, 31]),
        ("29.02.2028", [2028, 2, 29]),
        ("2000-02-29", [2000, 2, 29]),
        ("31.02.2027", nil),
        ("29.02.2027", nil),
        ("1900-02-29", nil),
        ("2027-02-30", nil),
        ("31.04.2027", nil),
        ("32.01.2027", nil),
        ("01.13.2027", nil),
        ("0.1.2027", nil),
        ("2027-3-31", nil),
        ("27-03-31", nil),
        ("31.03.27", nil),
        ("2027/03/31", nil),
        ("31.03.2027.", nil),
        ("31-03-2027", nil),
        ("2027-03-31T00:00", nil),
        ("tomorrow", nil),
        ("", nil),
        ("３１.03.2027", nil),
    ])
    func parsing(text: String, expected: [Int]?) {
        // Compared as [year, month, day], so that the expectation does not go through LocalDate's own checks.
        let parsed = LocalDate(parsing: text)
        #expect(parsed.map { [$0.year, $0.month, $0.day] } == expected)
    }

    @Test func validation() {
        #expect(LocalDate(year: 2027, month: 2, day: 28) != nil)
        #expect(LocalDate(year: 2027, month: 2, day: 29) == nil)
        #expect(LocalDate(year: 2024, month: 2, day: 29) != nil)
        #expect(LocalDate(year: 2027, month: 0, day: 1) == nil)
        #expect(LocalDate(year: 2027, month: 12, day: 32) == nil)
        #expect(LocalDate(year: 2027, month: 6, day: 0) == nil)
        #expect(LocalDate(year: 0, month: 1, day: 1) == nil)
    }

    @Test("arithmetic across month and year ends", arguments: [
        ("2027-01-31", 1, "2027-02-01"),
        ("2027-02-28", 1, "2027-03-01"),
        ("2028-02-28", 1, "2028-02-29"),
        ("2028-02-29", 1, "2028-03-01"),
        ("2027-12-31", 1, "2028-01-01"),
        ("2028-01-01", -1, "2027-12-31"),
        ("2027-03-01", -1, "2027-02-28"),
        ("2028-03-01", -1, "2028-02-29"),
        ("2027-03-31", 30, "2027-04-30"),
        ("2027-12-15", 30, "2028-01-14"),
        ("2027-01-01", 365, "2028-01-01"),
        ("2028-01-01", 366, "2029-01-01"),
        ("2100-02-28", 1, "2100-03-01"),
        ("1970-01-01", -1, "1969-12-31"),
    ])
    func arithmetic(start: String, days: Int, expected: String) {
        let d = date(start).adding(days: days)
        #expect(d.description == expected)
        #expect(date(start).days(to: d) == days)
    }

    @Test func daysBetween() {
        #expect(date("2027-01-01").days(to: date("2028-01-01")) == 365)
        #expect(date("2028-01-01").days(to: date("2029-01-01")) == 366)
        #expect(date("2028-03-01").days(to: date("2028-02-01")) == -29)
        #expect(date("2027-03-31").days(to: date("2027-03-31")) == 0)
    }

    @Test func epochRoundTrip() {
        #expect(LocalDate(daysSinceEpoch: 0).description == "1970-01-01")
        #expect(date("1970-01-01").daysSinceEpoch == 0)
        #expect(date("2000-03-01").daysSinceEpoch == 11017)
        for n in stride(from: -800_000, through: 2_900_000, by: 997) {
            #expect(LocalDate(daysSinceEpoch: n).daysSinceEpoch == n)
        }
    }

    @Test func orderAndDescription() {
        #expect(date("2027-12-31") < date("2028-01-01"))
        #expect(date("2027-02-01") > date("2027-01-31"))
        #expect(LocalDate(parsing: "1.3.2027")?.description == "2027-03-01")
        #expect(LocalDate(year: 987, month: 6, day: 5)?.description == "0987-06-05")
    }
}

// MARK: - Answers

struct StubVocabulary: AnswerVocabulary {
    var yesWords: [String]
    var noWords: [String]
    var labels: [MessageKey: String] = [:]

    func label(_ key: MessageKey) -> String { labels[key] ?? key.rawValue }

    static let en = StubVocabulary(yesWords: ["yes", "y"], noWords: ["no", "n"])
    static let es = StubVocabulary(yesWords: ["sí", "si", "s"], noWords: ["no", "n"])
    static let ru = StubVocabulary(yesWords: ["да", "д"], noWords: ["нет", "н"])
}

@Suite("answer parser")
struct AnswerParserTests {
    @Test("yes and no in each language", arguments: [
        ("en", "yes", true), ("en", "y", true), ("en", "YES", true), ("en", " Yes ", true),
        ("en", "no", false), ("en", "n", false), ("en", "No", false),
        ("es", "sí", true), ("es", "Sí", true), ("es", "si", true), ("es", "SI", true), ("es", "s", true),
        ("es", "no", false), ("es", "N", false),
        ("ru", "да", true), ("ru", "ДА", true), ("ru", "Да", true), ("ru", "д", true),
        ("ru", "нет", false), ("ru", "НЕТ", false), ("ru", "н", false),
    ])
    func yesNo(language: String, input: String, expected: Bool) {
        let vocabulary = ["en": StubVocabulary.en, "es": .es, "ru": .ru][language]!
        #expect(AnswerParser.parse(input, as: .yesNo, vocabulary: vocabulary) == .success(.bool(expected)))
    }

    @Test("not yes or no", arguments: [
        ("en", "da"), ("en", "да"), ("ru", "yes"), ("en", "maybe"), ("en", "yess"), ("es", "sim"), ("ru", "не"),
    ])
    func notYesNo(language: String, input: String) {
        let vocabulary = ["en": StubVocabulary.en, "es": .es, "ru": .ru][language]!
        #expect(AnswerParser.parse(input, as: .yesNo, vocabulary: vocabulary) == .failure(.expectedYesNo))
    }

    @Test func emptyAnswer() {
        #expect(AnswerParser.parse("", as: .yesNo, vocabulary: StubVocabulary.en) == .failure(.empty))
        #expect(AnswerParser.parse("  \t ", as: .number(min: 0, max: 9), vocabulary: StubVocabulary.en) == .failure(.empty))
        #expect(AnswerParser.parse("", as: .date(min: nil, max: nil), vocabulary: StubVocabulary.en) == .failure(.empty))
        #expect(AnswerParser.parse("", as: .text(maxLength: 10, optional: false), vocabulary: StubVocabulary.en) == .failure(.empty))
    }

    static let permit = Choice(value: "permit", label: "c.permit")
    static let visa = Choice(value: "visa", label: "c.visa")
    static let student = Choice(value: "student", label: "c.student")
    static let choices = [permit, visa, student]
    static let vocabulary = StubVocabulary(yesWords: ["yes"], noWords: ["no"], labels: [
        "c.permit": "Work permit", "c.visa": "Work visa", "c.student": "Student",
    ])

    func choose(_ input: String) -> Result<Value, AnswerProblem> {
        AnswerParser.parse(input, as: .choice(AnswerParserTests.choices), vocabulary: AnswerParserTests.vocabulary)
    }

    @Test("choices by number, label, value or an unambiguous start", arguments: [
        ("1", "permit"), ("2", "visa"), (" 3 ", "student"),
        ("Work permit", "permit"), ("work VISA", "visa"), ("student", "student"),
        ("stud", "student"), ("S", "student"), ("Work p", "permit"), ("work v", "visa"),
        ("permit", "permit"), ("visa", "visa"),
    ])
    func choiceAccepted(input: String, value: String) {
        #expect(choose(input) == .success(.choice(value)))
    }

    @Test func ambiguousPrefix() {
        let both = [AnswerParserTests.permit, AnswerParserTests.visa]
        #expect(choose("work") == .failure(.ambiguousChoice(both)))
        #expect(choose("W") == .failure(.ambiguousChoice(both)))
    }

    @Test("out of range or unknown choices", arguments: ["0", "4", "-1", "99", "xyz", "permits", "wor k"])
    func choiceRejected(input: String) {
        #expect(choose(input) == .failure(.expectedChoice(AnswerParserTests.choices)))
    }

    @Test func russianLabelsIgnoreCaseAndYo() {
        let choices = [Choice(value: "work", label: "c.work"), Choice(value: "stay", label: "c.stay"), Choice(value: "none", label: "c.none")]
        let ru = StubVocabulary(yesWords: ["да"], noWords: ["нет"], labels: [
            "c.work": "Разрешение на работу", "c.stay": "Разрешение на проживание", "c.none": "Ничего из перечисленного",
        ])
        func choose(_ s: String) -> Result<Value, AnswerProblem> { AnswerParser.parse(s, as: .choice(choices), vocabulary: ru) }
        #expect(choose("разрешение на работу") == .success(.choice("work")))
        #expect(choose("РАЗРЕШЕНИЕ НА П") == .success(.choice("stay")))
        #expect(choose("разр") == .failure(.ambiguousChoice([choices[0], choices[1]])))
        #expect(choose("ничего") == .success(.choice("none")))
        #expect(choose("3") == .success(.choice("none")))
        // ё and е are the same letter to the applicant.
        let yo = [Choice(value: "all", label: "c.all"), Choice(value: "one", label: "c.one")]
        let labels = StubVocabulary(yesWords: ["да"], noWords: ["нет"], labels: ["c.all": "Всё сразу", "c.one": "Одно"])
        #expect(AnswerParser.parse("все сразу", as: .choice(yo), vocabulary: labels) == .success(.choice("all")))
        #expect(AnswerParser.parse("ВСЁ", as: .choice(yo), vocabulary: labels) == .success(.choice("all")))
    }

    @Test func yesWordsIgnoreAccents() {
        // Only "sí" is listed: "si" and "SÍ" are the same word.
        let es = StubVocabulary(yesWords: ["sí"], noWords: ["no"])
        #expect(AnswerParser.parse("si", as: .yesNo, vocabulary: es) == .success(.bool(true)))
        #expect(AnswerParser.parse("SÍ", as: .yesNo, vocabulary: es) == .success(.bool(true)))
    }

    @Test("numbers in a range", arguments: [
        ("42", Result<Value, AnswerProblem>.success(.int(42))),
        (" 0 ", .success(.int(0))),
        ("120", .success(.int(120))),
        ("1 0", .success(.int(10))),
        ("121", .failure(.numberOutOfRange(min: 0, max: 120))),
        ("-1", .failure(.numberOutOfRange(min: 0, max: 120))),
        ("4.5", .failure(.expectedNumber(min: 0, max: 120))),
        ("forty", .failure(.expectedNumber(min: 0, max: 120))),
        ("-", .failure(.expectedNumber(min: 0, max: 120))),
        ("12a", .failure(.expectedNumber(min: 0, max: 120))),
        ("9999999999", .failure(.expectedNumber(min: 0, max: 120))),
    ])
    func numbers(input: String, expected: Result<Value, AnswerProblem>) {
        #expect(AnswerParser.parse(input, as: .number(min: 0, max: 120), vocabulary: StubVocabulary.en) == expected)
    }

    @Test func negativeRange() {
        #expect(AnswerParser.parse("-5", as: .number(min: -10, max: -1), vocabulary: StubVocabulary.en) == .success(.int(-5)))
        #expect(AnswerParser.parse("0", as: .number(min: -10, max: -1), vocabulary: StubVocabulary.en) == .failure(.numberOutOfRange(min: -10, max: -1)))
    }

    @Test("dates with bounds", arguments: [
        ("2027-06-15", Result<Value, AnswerProblem>.success(.date(date("2027-06-15")))),
        ("15.06.2027", .success(.date(date("2027-06-15")))),
        ("1.1.2027", .success(.date(date("2027-01-01")))),
        ("2027-12-31", .success(.date(date("2027-12-31")))),
        ("2026-12-31", .failure(.dateTooEarly(min: date("2027-01-01")))),
        ("01.01.2028", .failure(.dateTooLate(max: date("2027-12-31")))),
        ("31.02.2027", .failure(.expectedDate)),
        ("next week", .failure(.expectedDate)),
        // Slashes: taken when only one reading is a date, or both are the same day.
        ("31/12/2027", .success(.date(date("2027-12-31")))),
        ("15/6/2027", .success(.date(date("2027-06-15")))),
        ("05/05/2027", .success(.date(date("2027-05-05")))),
        ("03/04/2027", .failure(.ambiguousDate(dayFirst: date("2027-04-03"), monthFirst: date("2027-03-04")))),
        ("12/31/2027", .success(.date(date("2027-12-31")))),
        ("13/13/2027", .failure(.expectedDate)),
        ("03.04.2027", .success(.date(date("2027-04-03")))),
    ])
    func dates(input: String, expected: Result<Value, AnswerProblem>) {
        let expectation = Expected.date(min: date("2027-01-01"), max: date("2027-12-31"))
        #expect(AnswerParser.parse(input, as: expectation, vocabulary: StubVocabulary.en) == expected)
    }

    @Test func datesWithoutBounds() {
        #expect(AnswerParser.parse("29.02.2028", as: .date(min: nil, max: nil), vocabulary: StubVocabulary.en) == .success(.date(date("2028-02-29"))))
        #expect(AnswerParser.parse("1900-01-01", as: .date(min: nil, max: date("2027-01-01")), vocabulary: StubVocabulary.en) == .success(.date(date("1900-01-01"))))
    }

    @Test func text() {
        let five = Expected.text(maxLength: 5, optional: false)
        #expect(AnswerParser.parse("hello", as: five, vocabulary: StubVocabulary.en) == .success(.text("hello")))
        #expect(AnswerParser.parse("  hi  ", as: five, vocabulary: StubVocabulary.en) == .success(.text("hi")))
        #expect(AnswerParser.parse("hello!", as: five, vocabulary: StubVocabulary.en) == .failure(.textTooLong(maxLength: 5)))
        // Length is counted in characters, not bytes: five Cyrillic letters fit, six do not.
        #expect(AnswerParser.parse("приве", as: five, vocabulary: StubVocabulary.en) == .success(.text("приве")))
        #expect(AnswerParser.parse("привет", as: five, vocabulary: StubVocabulary.en) == .failure(.textTooLong(maxLength: 5)))
    }

    @Test func optionalText() {
        let optional = Expected.text(maxLength: 5, optional: true)
        #expect(AnswerParser.parse("", as: optional, vocabulary: StubVocabulary.en) == .success(.text("")))
        #expect(AnswerParser.parse("   ", as: optional, vocabulary: StubVocabulary.en) == .success(.text("")))
        #expect(AnswerParser.parse("abc", as: optional, vocabulary: StubVocabulary.en) == .success(.text("abc")))
        #expect(AnswerParser.parse("abcdef", as: optional, vocabulary: StubVocabulary.en) == .failure(.textTooLong(maxLength: 5)))
    }
}
